"""Pages in Arabic show a framework's Arabic titles where its file gives them (issue 30):
the candidate's site (matrix, item page, home, diagnostic), the institution's framework
and item pages and JSON, the steering dashboard. A title the file does not give in
Arabic is shown as the framework itself words it.

The framework is the tests' own (tests/core/test_framework_titles.py): the shipped ones
carry no Arabic titles, for no source gives official ones."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import Titles
from portfolio_gen.core.settings import Institution, Settings
from portfolio_gen.site.builder import BUILT, build_cohort
from portfolio_gen.site.institution import build_institution_site

from htmltree import parse
from sitefixtures import write

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from test_framework_titles import TINY  # noqa: E402  (the one test framework, not a copy of it)

SLUG = "leila-haddad"
ARABIC_T1, ARABIC_FRAMEWORK, ARABIC_DOMAIN = "تصميم حصة", "المرجع التجريبي الصغير", "المجال الأول"


@pytest.fixture(scope="module")
def arabic_site(tmp_path_factory) -> Path:
    """Leïla's site, in Arabic, pursuing the test framework: T1 claimed, a self-assessment."""
    root = tmp_path_factory.mktemp("titled") / "ws"
    write(root / "referentiels" / "tiny.yml", TINY)
    folder = root / "candidates" / SLUG
    write(folder / "candidate.yml", """\
        name: Leïla Haddad
        role: enseignant
        institution: Institut de test
        language: ar
        frameworks:
          - id: tiny
        """)
    write(folder / "entries" / "seance.md", "---\ntitle: حصة مصممة\ndate: 2026-01-15\nsituation: professionnelle\n"
                                            "claims: ['tiny:T1']\nvisibility: public\n---\nنص التأمل.\n")
    write(folder / "self-assessments" / "2026-01-20-tiny.yml",
          "framework: tiny\ndate: 2026-01-20\ntarget: fin\nlevels: {T1: debut, T2: fin, T3: debut}\n")
    results = build_cohort(root, [SLUG], root / "site", jobs=1)
    assert [r.status for r in results] == [BUILT], results
    return root / "site" / SLUG


def test_the_matrix_shows_the_arabic_item_titles(arabic_site: Path):
    page = parse(arabic_site / "tiny" / "index.html")
    rows = {row.attrs["data-item"]: row for row in page.find_all("tr", cls="pf-row")}
    assert ARABIC_T1 in rows["T1"].find("th").text and "Concevoir une séance" not in rows["T1"].text
    assert ARABIC_DOMAIN in page.find("tr", cls="pf-matrix__domain").text
    assert "Partager une séance" in rows["T3"].find("th").text  # no Arabic title: the framework's own
    assert ARABIC_FRAMEWORK in page.find("h1").text


def test_the_item_page_and_the_home_show_the_arabic_titles(arabic_site: Path):
    item = parse(arabic_site / "tiny" / "t1" / "index.html")
    assert ARABIC_T1 in item.find("h1").text and ARABIC_FRAMEWORK in item.find("dl").text
    home = parse(arabic_site / "index.html")
    assert ARABIC_FRAMEWORK in home.find(cls="pf-progress__card", data_framework="tiny").find("h3").text


def test_the_diagnostic_shows_the_arabic_titles(arabic_site: Path):
    page = parse(arabic_site / "tiny" / "diagnostic" / "index.html")
    assert ARABIC_FRAMEWORK in page.find("h1").text
    assert ARABIC_T1 in page.find("li", cls="pf-gap", data_item="T1").text
    assert ARABIC_T1 in page.find("tr", data_item="T1").text


def test_the_institution_pages_and_json_carry_the_titles(tmp_path: Path):
    path = write(tmp_path / "tiny.yml", TINY)
    framework = load_framework(path)
    settings = Settings(Institution("Institut de test", "did:web:example.org"), "https://example.org/",
                        "https://example.org/referentiels/", language="ar")
    build_institution_site(tmp_path / "site", settings, {"tiny": framework}, [], {})
    site = tmp_path / "site"
    home = parse(site / "index.html")
    assert ARABIC_FRAMEWORK in home.find("main").text
    framework_page = parse(site / "referentiels" / "tiny" / "index.html")
    h1 = framework_page.find("h1")  # the official title, as the credentials name it, in its language
    assert h1.text == "Petit référentiel de test" and h1.attrs["lang"] == "fr"
    assert framework_page.find("p", data_translated_title="").text == ARABIC_FRAMEWORK
    domain = framework_page.find("section", aria_labelledby="domain-1")
    assert ARABIC_DOMAIN in domain.find("h2").text and ARABIC_T1 in domain.find("ul").text
    item_page = parse(site / "referentiels" / "tiny" / "T1" / "index.html")
    assert "Concevoir une séance" in item_page.find("h1").text
    assert item_page.find("p", data_translated_title="").text == ARABIC_T1
    assert not parse(site / "referentiels" / "tiny" / "T3" / "index.html").find_all(data_translated_title="")
    data = json.loads((site / "referentiels" / "tiny.json").read_text("utf-8"))
    assert data["titles"] == {"ar": ARABIC_FRAMEWORK, "en": "Small test framework"}
    assert data["title_en"] == "Small test framework"  # as published before `titles`
    [t1, t2, _] = data["domains"][0]["items"]
    assert t1["titles"] == {"ar": ARABIC_T1, "en": "Design a lesson"} and t1["title_en"] == "Design a lesson"
    assert t2["titles"] == {"en": "Assess a lesson"} and t2["title_en"] == "Assess a lesson"


def test_the_steering_dashboard_shows_the_arabic_titles(tmp_path: Path):
    from portfolio_gen.decisions.steering import assess_cohort
    from portfolio_gen.site.dashboard import write_dashboard
    from htmltree import parse as parse_page
    from steering_cohort import AWARDS, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS

    def titled(item):
        return dataclasses.replace(item, titles=Titles(ar=f"بند {item.code}"))

    c2i2e = FRAMEWORKS["c2i2e"]
    domains = tuple(dataclasses.replace(d, items=tuple(map(titled, d.items)), competences=tuple(
        dataclasses.replace(c, items=tuple(map(titled, c.items))) for c in d.competences)) for d in c2i2e.domains)
    frameworks = {**FRAMEWORKS, "c2i2e": dataclasses.replace(c2i2e, titles=Titles(ar="شهادة تجريبية"), domains=domains)}
    cohort = assess_cohort(CANDIDATES, frameworks, VALIDATIONS, REGISTRY, AWARDS)
    write_dashboard(tmp_path, cohort, frameworks, today=TODAY, language="ar", institution="Institut de test")
    index = parse_page(tmp_path / "index.html")
    assert "شهادة تجريبية" in index.find("tr", data_framework="c2i2e").find("th").text
    missing = parse_page(tmp_path / "framework-c2i2e.html").find("section", data_figure="missing").find_all("tr")
    rows = [row for row in missing if "data-item" in row.attrs]
    assert rows and all(f"بند {row.attrs['data-item']}" in row.text for row in rows)
