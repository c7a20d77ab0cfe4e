"""A framework object's titles in several languages (issue 30): `titles:` beside `title`,
`title_en` read as its English one, and `title_in`, the one function that picks a title.

The framework here is the tests' own: no source gives official Arabic titles for the
shipped frameworks, so none is written in referentiels/."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.core import i18n
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import Titles, title_in
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.schemas import schema as load_schema

TINY = """\
id: tiny
title: Petit référentiel de test
titles: {ar: المرجع التجريبي الصغير, en: Small test framework}
version: "1"
language: fr
source: {title: Fixture des tests}
phases:
  - {code: avant, title: Avant la classe, titles: {ar: قبل الحصة}}
levels:
  - {code: debut, title: Débutant, titles: {ar: مبتدئ, en: Beginner}}
  - {code: fin, title: Confirmé, title_en: Confirmed}
domains:
  - code: D1
    title: Premier domaine
    titles: {ar: المجال الأول, en: First domain}
    items:
      - code: T1
        title: Concevoir une séance
        titles: {ar: تصميم حصة, en: Design a lesson}
        phase: avant
      - {code: T2, title: Évaluer une séance, title_en: Assess a lesson}
      - {code: T3, title: Partager une séance}
"""


def write_tiny(root: Path, text: str = TINY) -> Path:
    path = root / "referentiels" / "tiny.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of `text` holding `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def tiny(tmp_path: Path):
    return load_framework(write_tiny(tmp_path))


def test_titles_are_read_on_the_framework_its_domains_items_phases_and_levels(tiny):
    domain, item = tiny.domains[0], tiny.item_by_code["T1"]
    assert dict(tiny.titles) == {"ar": "المرجع التجريبي الصغير", "en": "Small test framework"}
    assert dict(domain.titles) == {"ar": "المجال الأول", "en": "First domain"}
    assert dict(item.titles) == {"ar": "تصميم حصة", "en": "Design a lesson"}
    assert dict(tiny.phases[0].titles) == {"ar": "قبل الحصة"}
    assert dict(tiny.levels[0].titles) == {"ar": "مبتدئ", "en": "Beginner"}


def test_title_in_says_each_language_and_falls_back_to_the_own_title(tiny):
    item = tiny.item_by_code["T1"]
    assert [title_in(item, language) for language in i18n.LANGUAGES] == \
        ["Concevoir une séance", "Design a lesson", "تصميم حصة"]
    assert title_in(tiny, "ar") == "المرجع التجريبي الصغير" and title_in(tiny.domains[0], "en") == "First domain"
    # No Arabic (nor English) title given: the framework's own wording, never a guess.
    assert title_in(tiny.item_by_code["T3"], "ar") == title_in(tiny.item_by_code["T3"], "en") == "Partager une séance"
    assert title_in(tiny.levels[1], "ar") == "Confirmé" and title_in(tiny.phases[0], "en") == "Avant la classe"


def test_title_en_alone_is_the_english_title(tiny):
    assert dict(tiny.item_by_code["T2"].titles) == {"en": "Assess a lesson"}
    assert title_in(tiny.item_by_code["T2"], "en") == "Assess a lesson"
    assert title_in(tiny.levels[1], "en") == "Confirmed"


def test_a_level_is_named_by_its_title_in_any_language(tiny):
    """`sign --level` takes what `frameworks show` displays, in whichever language it ran."""
    assert tiny.level_code("مبتدئ") == tiny.level_code("beginner") == tiny.level_code("Débutant") == "debut"
    assert tiny.level_code("CONFIRMED") == "fin"


def test_titled_values_stay_frozen_and_hashable(tiny):
    item = tiny.item_by_code["T1"]
    assert item in {item} and hash(item) == hash(dataclasses.replace(item))
    assert Titles(ar="a", en="b") == Titles({"en": "b", "ar": "a"}) == {"ar": "a", "en": "b"}
    assert hash(Titles(ar="a", en="b")) == hash(Titles({"en": "b", "ar": "a"}))
    with pytest.raises(AttributeError):
        item.titles._pairs = ()
    with pytest.raises(TypeError):
        item.titles["ar"] = "autre"


def test_conflicting_title_en_and_titles_en_is_a_problem_at_its_line(tmp_path: Path):
    text = TINY.replace("      - {code: T2, title: Évaluer une séance, title_en: Assess a lesson}",
                        "      - code: T2\n        title: Évaluer une séance\n"
                        "        title_en: Assess a lesson\n        titles: {en: Evaluate a lesson}")
    path = write_tiny(tmp_path, text)
    with pytest.raises(InputError) as raised:
        load_framework(path)
    [problem] = raised.value.problems
    assert (problem.key, problem.file, problem.line) == \
        ("framework.title_en_conflict", path, line_of(text, "title_en: Assess a lesson"))
    assert problem.params == {"title_en": "Assess a lesson", "titles_en": "Evaluate a lesson"}


def test_the_same_english_title_twice_is_no_problem(tmp_path: Path):
    text = TINY.replace("title_en: Assess a lesson}", "title_en: Assess a lesson, titles: {en: Assess a lesson}}")
    assert title_in(load_framework(write_tiny(tmp_path, text)).item_by_code["T2"], "en") == "Assess a lesson"


def test_check_says_where_the_conflict_is_what_it_is_and_how_to_fix_it(tmp_path: Path):
    text = TINY.replace("title_en: Confirmed}", "title_en: Confirmed, titles: {en: Proficient}}")
    write_tiny(tmp_path, text)
    (tmp_path / "candidates").mkdir()
    result = run_cli("--root", str(tmp_path), "check")
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert f"referentiels/tiny.yml:{line_of(text, 'Proficient')}" in said
    assert "'title_en' says 'Confirmed' but 'titles: en' says 'Proficient'" in said
    assert "keep one English title" in said
    french = run_cli("--root", str(tmp_path), "check", lang="fr")
    assert "« title_en » dit « Confirmed » mais « titles: en » dit « Proficient »" in french.stdout + french.stderr


def test_a_title_in_the_frameworks_own_language_other_than_title_is_a_problem(tmp_path: Path):
    text = TINY.replace("titles: {ar: تصميم حصة, en: Design a lesson}",
                        "titles: {ar: تصميم حصة, fr: Concevoir un cours}")
    path = write_tiny(tmp_path, text)
    with pytest.raises(InputError) as raised:
        load_framework(path)
    [problem] = raised.value.problems
    assert (problem.key, problem.line) == ("framework.title_own_language", line_of(text, "Concevoir un cours"))


def test_titles_take_only_the_tools_languages(tmp_path: Path):
    schema = load_schema("framework")["$defs"]["titles"]
    assert tuple(schema["properties"]) == i18n.LANGUAGES
    path = write_tiny(tmp_path, TINY.replace("titles: {ar: مبتدئ, en: Beginner}", "titles: {de: Anfänger}"))
    with pytest.raises(InputError) as raised:
        load_framework(path)
    assert [(p.key, p.line) for p in raised.value.problems] == [("schema.unknown_key", line_of(TINY, "Débutant"))]


def test_frameworks_show_says_the_titles_in_the_language_asked(tmp_path: Path):
    write_tiny(tmp_path)
    (tmp_path / "candidates").mkdir()
    arabic = run_cli("--root", str(tmp_path), "--lang", "ar", "frameworks", "show", "tiny")
    assert arabic.returncode == 0, arabic.stderr
    lines = arabic.stdout.splitlines()
    assert lines[0].startswith("المرجع التجريبي الصغير (tiny")
    assert "D1  المجال الأول" in lines and any("T1" in line and "تصميم حصة" in line for line in lines)
    assert any("T3" in line and "Partager une séance" in line for line in lines)  # no Arabic title: its own
    assert "مبتدئ" in lines[-1]
    listed = run_cli("--root", str(tmp_path), "--lang", "en", "frameworks", "list")
    assert "Small test framework" in listed.stdout
    data = json.loads(run_cli("--root", str(tmp_path), "frameworks", "show", "tiny", "--json").stdout)
    assert data["title"] == "Petit référentiel de test" and data["titles"]["ar"] == "المرجع التجريبي الصغير"
    assert data["items"][0]["titles"] == {"ar": "تصميم حصة", "en": "Design a lesson"}


def test_the_editor_shows_a_candidates_frameworks_in_their_language(tiny, tmp_path: Path):
    from portfolio_gen.core.model import Candidate, Pursuit
    from portfolio_gen.editor.app import EditorApp, EditorSession
    from portfolio_gen.editor.views import framework_trees
    candidate = Candidate("leila", "Leïla", "enseignant", "Test", "ar", (Pursuit("tiny"),))
    [tree] = framework_trees(candidate, {"tiny": tiny}, (), "ar")
    assert tree.title == "المرجع التجريبي الصغير" and tree.domains[0].title == "المجال الأول"
    assert [item.title for item in tree.domains[0].items] == ["تصميم حصة", "Évaluer une séance", "Partager une séance"]
    label = EditorApp(EditorSession(tmp_path, "ar")).env.globals["label"]  # the templates' name for it
    assert label(tiny.levels[0]) == "مبتدئ"
