"""Reading a results file: Pix's export matched to candidates, the slug-keyed CSV kept."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, strategies as st

from portfolio_gen.core.model import Candidate, Pursuit
from portfolio_gen.core.result_imports import PIX_EXPORT, SLUG_KEYED, normal_name, read_results_file


def person(slug: str, name: str, email: str = "", birth: str = "") -> Candidate:
    private = {k: v for k, v in (("email", email), ("birth_date", birth)) if v}
    return Candidate(slug, name, "enseignant", "I", "fr", (Pursuit("pix-edu"),), private=private)


PEOPLE = [person("zoe", "Zoé Lefèvre", "zoe@example.org", "1990-03-04"),
          person("ana", "Ana Martin", "ana@example.org"),
          person("twin-a", "Léo Bernard", "", "1991-01-01"), person("twin-b", "Leo Bernard", "", "1991-01-01")]


def read(tmp_path: Path, text: str):
    path = tmp_path / "export.csv"
    path.write_text(text, "utf-8")
    return read_results_file(path, PEOPLE)


def test_email_first_then_name_and_birth_date(tmp_path: Path):
    kind, rows, problems, unmatched = read(tmp_path, (
        "N° de certification,Prénom,Nom,E-mail,Date de naissance,Niveau,Date de certification\n"
        "1,X,Y,ANA@example.org,,2,2026-04-02\n"
        "2,ZOE,LEFEVRE,other@example.net,04/03/1990,3,02/04/2026\n"
        "3,Zoé,Lefèvre,,,1,02/04/2026\n"  # a name alone is not enough
        "4,Léo,Bernard,,01/01/1991,4,02/04/2026\n"))  # two candidates share name and birth date
    assert kind == PIX_EXPORT and problems == []
    assert [(r.line, r.slug, r.level, r.date, r.source) for r in rows] == [
        (2, "ana", "2", "2026-04-02", "Pix+Édu n° 1"), (3, "zoe", "3", "2026-04-02", "Pix+Édu n° 2")]
    assert [(p.key, p.line) for p in unmatched] == [("result.unmatched", 4), ("result.ambiguous", 5)]


def test_the_slug_keyed_file_is_read_as_before(tmp_path: Path):
    kind, rows, problems, unmatched = read(tmp_path, "candidate,level,date\nana,2,2026-04-02\n")
    assert kind == SLUG_KEYED and [(r.slug, r.level, r.source) for r in rows] == [("ana", "2", "export.csv, ligne 2")]


def test_a_file_without_the_columns_says_which_are_missing(tmp_path: Path):
    _, rows, problems, _ = read(tmp_path, "Prénom;Nom\nAna;Martin\n")
    assert rows == [] and [p.key for p in problems] == ["result.import_columns"]
    assert "number" in problems[0].params["missing"]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèêëàâçîïôöùûüÉÈ -'", min_size=1, max_size=30))
def test_names_compare_without_accents_case_or_hyphens(name: str):
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    assert normal_name(name) == normal_name(bare.upper().replace("-", " "))
