"""The editor's files (issue 31): written back with their comments, key order and the
values the page does not show; problems placed beside their field; evidence names that
can never leave `evidence/`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings, strategies as st

from portfolio_gen.core.frameworks import load_frameworks
from portfolio_gen.core.problems import Problem
from portfolio_gen.core.workspace import framework_files
from portfolio_gen.editor import drafts
from portfolio_gen.editor.documents import EntryDocument
from portfolio_gen.editor.uploads import Upload, stored_name, upload_problems

REPO = Path(__file__).resolve().parents[2]
HAND_WRITTEN = """---
# my own note at the top
date: 2026-01-15        # the day of the class
title: 'Séquence : SIG'
trainer: marie-dupont
situation: formation
claims:
  - item: c2i2e:B2.3
    level: 2            # I think
    justification: old
tags: [sig, géographie]
evidence:
  - {path: evidence/carte.png, title: Carte}
visibility: draft
---
Old body.
"""


def _form(**changes) -> drafts.EntryForm:
    values = dict(title="Séquence : SIG", date="2026-01-16", situation="formation", visibility="public",
                  trainer=None,
                  body="New body.\n", claims=["c2i2e:B2.3", "c2i2e:B3.1"],
                  justifications={"c2i2e:B2.3": "new", "c2i2e:B3.1": "because"})
    values.update(changes)
    return drafts.EntryForm(**values)


def test_an_edited_entry_keeps_its_comments_key_order_and_the_values_the_page_does_not_show():
    text = drafts.entry_text(_form(), HAND_WRITTEN, "fr")
    lines = text.splitlines()
    assert lines[1] == "# my own note at the top"
    assert "date: 2026-01-16        # the day of the class" in lines
    keys = [line.split(":")[0] for line in lines[1:lines.index("---", 1)] if line and line[0].isalpha()]
    assert keys == ["date", "title", "trainer", "situation", "claims", "tags", "evidence", "visibility"]
    meta = EntryDocument.parse(text).meta
    assert meta["trainer"] == "marie-dupont" and list(meta["tags"]) == ["sig", "géographie"]
    assert [dict(c) for c in meta["claims"]] == [{"item": "c2i2e:B2.3", "level": 2, "justification": "new"},
                                                 {"item": "c2i2e:B3.1", "justification": "because"}]
    assert "level: 2            # I think" in text
    assert [dict(e) for e in meta["evidence"]] == [{"path": "evidence/carte.png", "title": "Carte"}]
    assert text.endswith("---\nNew body.\n")


def test_unchanged_values_write_the_file_back_as_it_was():
    form = _form(date="2026-01-15", visibility="draft", body="Old body.\n", claims=["c2i2e:B2.3"],
                 justifications={"c2i2e:B2.3": "old"})
    assert drafts.entry_text(form, HAND_WRITTEN, "fr") == HAND_WRITTEN


def test_the_trainer_is_written_where_the_page_asks_for_it_and_kept_where_it_does_not():
    meta = EntryDocument.parse(drafts.entry_text(_form(trainer="jean-leroy", phase="conception"), HAND_WRITTEN,
                                                 "fr")).meta
    assert meta["trainer"] == "jean-leroy"
    assert list(meta)[:5] == ["date", "title", "trainer", "situation", "phase"]
    assert "trainer" not in EntryDocument.parse(drafts.entry_text(_form(trainer=""), HAND_WRITTEN, "fr")).meta
    new = EntryDocument.parse(drafts.entry_text(_form(trainer="jean-leroy", phase="conception"), None, "fr")).meta
    assert list(new)[:5] == ["title", "date", "situation", "phase", "trainer"]


def test_removed_evidence_and_added_files_are_listed():
    text = drafts.entry_text(_form(removed_evidence={"evidence/carte.png"}), HAND_WRITTEN, "fr",
                             [("evidence/grille.pdf", "grille")])
    assert [dict(e) for e in EntryDocument.parse(text).meta["evidence"]] == [
        {"path": "evidence/grille.pdf", "title": "grille"}]


def test_a_draft_is_checked_as_check_does_and_its_problems_placed_beside_their_fields(tmp_path):
    frameworks, _ = load_frameworks(framework_files(REPO))
    folder = tmp_path / "lea"
    (folder / "entries").mkdir(parents=True)
    target = folder / "entries" / "2026-01-16-sig.md"
    form = _form(date="2026-02-30", phase="mise-en-oeuvre", claims=["crcne:I1"], justifications={})
    text = drafts.entry_text(form, None, "fr")
    problems = drafts.check_entry(text, target, folder, frameworks, {"crcne": 1})
    assert problems and all(p.file == target for p in problems)
    assert not target.exists()
    placed = drafts.fields(problems, text)
    assert {name: [p.key for p in found] for name, found in placed.items()} == {"date": ["schema.format"]}
    date_fixed = drafts.entry_text(_form(phase="mise-en-oeuvre", claims=["crcne:I1"], justifications={}), None, "fr")
    placed = drafts.fields(drafts.check_entry(date_fixed, target, folder, frameworks, {"crcne": 1}), date_fixed)
    assert [p.key for p in placed["claims"]] == ["claim.other_phase"]
    assert drafts.fields([Problem("entry.no_trace", target, 2)], date_fixed) == {
        "evidence": [Problem("entry.no_trace", target, 2)]}


def test_a_self_assessment_writes_the_file_the_diagnostic_reads(tmp_path):
    frameworks, _ = load_frameworks(framework_files(REPO))
    folder = tmp_path / "lea"
    folder.mkdir()
    (folder / "candidate.yml").write_text("name: Léa\nrole: stagiaire\ninstitution: INSPÉ\nlanguage: fr\n"
                                          "frameworks:\n  - id: crcne\n    mention: 1\n", "utf-8")
    on = dt.date(2026, 3, 1)
    text = drafts.self_assessment_text(frameworks["crcne"], {"I1": "confirme", "I2": ""}, on, None)
    relative = str(drafts.self_assessment_path(folder, "crcne", on).relative_to(folder))
    assert drafts.check_candidate_files(folder, frameworks, {relative: text}) == []
    bad = drafts.self_assessment_text(frameworks["crcne"], {"I1": "parfait"}, on, None)
    assert [p.key for p in drafts.check_candidate_files(folder, frameworks, {relative: bad})] == ["claim.unknown_level"]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_an_accepted_evidence_name_is_stored_inside_evidence(name):
    upload = Upload(name, b"%PDF-1.4\n")
    if upload_problems(upload):
        return
    stored = stored_name(Path("/nonexistent"), upload)
    assert stored.startswith("evidence/") and "/" not in stored.removeprefix("evidence/")
    assert ".." not in stored and "\\" not in stored


@given(st.sampled_from(["../", "..\\", "/", "\\", "C:", "."]), st.text(max_size=10))
def test_a_name_holding_a_path_is_refused(prefix, rest):
    assert [p.key for p in upload_problems(Upload(prefix + rest + ".pdf", b"%PDF-1.4\n"))] == ["editor.upload.bad_name"]


def test_the_page_offers_only_the_evaluators_the_registry_authorises_for_that_mention_on_that_day():
    from portfolio_gen.core.model import Candidate, Claim, Entry, Pursuit
    from portfolio_gen.core.registry import registry_from_data
    from portfolio_gen.editor.views import evaluators_for

    frameworks, _ = load_frameworks(framework_files(REPO))
    registry = registry_from_data({"evaluators": [
        {"id": "marie-dupont", "name": "Marie Dupont", "keys": ["did:key:z6Mk1"],
         "frameworks": [{"id": "crcne", "from": "2025-09-01", "mentions": [1, 2]}]},
        {"id": "jean-leroy", "name": "Jean Leroy", "keys": ["did:key:z6Mk2"],
         "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"}]},
        {"id": "lea", "name": "Léa", "keys": ["did:key:z6Mk3"], "candidate": "lea",
         "frameworks": [{"id": "crcne", "from": "2025-09-01"}]}]})
    entry = Entry(slug="e", title="t", date=dt.date(2026, 3, 1), situation="professionnelle", body="",
                  claims=(Claim("crcne", "I1"),), evidence=(), phase="conception", visibility="public", tags=())

    def offered(mention, on=dt.date(2026, 3, 1)):
        candidate = Candidate("lea", "Léa", "stagiaire", "INSPÉ", "fr", (Pursuit("crcne", mention),), (entry,))
        return [offer.id for offer in evaluators_for(registry, candidate, entry, frameworks, on)]

    assert offered(1) == ["marie-dupont"]  # not Jean (another framework), not Léa herself
    assert offered(3) == []  # a mention Marie is not authorised for
    assert offered(1, on=dt.date(2025, 8, 31)) == []  # before her grant


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(title=_TEXT, justification=st.text(max_size=30), body=st.text(max_size=60))
def test_whatever_is_typed_the_tools_own_reader_reads_it_back(title, justification, body):
    """ruamel.yaml writes (YAML 1.2); PyYAML reads (YAML 1.1): a value typed in the page
    must come back the same text, never a boolean, a number, a date or a shorter string."""
    from portfolio_gen.core.yamlfile import parse_yaml
    from portfolio_gen.core.problems import InputError

    form = _form(title=title, claims=["c2i2e:B2.3"], justifications={"c2i2e:B2.3": justification}, body=body)
    text = drafts.entry_text(form, HAND_WRITTEN, "fr")
    front, _, written_body = text.removeprefix("---\n").partition("\n---\n")
    try:
        meta = parse_yaml(front, Path("entry.md"))
    except InputError as error:  # only what the tool refuses in any file: said with its line by check
        assert {p.key for p in error.problems} <= {"yaml.syntax"}, error.problems
        return
    assert meta["title"] == title
    assert meta["claims"][0]["justification"] == justification
    assert written_body == body.replace("\r\n", "\n") + ("" if body.endswith("\n") or not body else "\n")


def test_a_file_over_the_limit_or_not_what_it_says_is_refused():
    from portfolio_gen.core.portfolios import MAX_EVIDENCE_BYTES
    pdf = b"%PDF-1.4\n"
    assert upload_problems(Upload("scan.pdf", pdf + bytes(MAX_EVIDENCE_BYTES - len(pdf)))) == []
    assert [p.key for p in upload_problems(Upload("scan.pdf", pdf + bytes(MAX_EVIDENCE_BYTES)))] == [
        "editor.upload.too_large"]
    assert [p.key for p in upload_problems(Upload("photo.png", b"<html>"))] == ["editor.upload.not_what_it_says"]
    assert [p.key for p in upload_problems(Upload("page.html", b"<html>"))] == ["editor.upload.bad_type"]
    assert [p.key for p in upload_problems(Upload("notes.txt", b""))] == ["editor.upload.empty"]
