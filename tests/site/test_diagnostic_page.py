"""The diagnostic page: chart with a text alternative, gaps with training, readiness, progress."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portfolio_gen.site.builder import BUILT, build_cohort

from htmltree import parse
from sitefixtures import REPO

SLUG = "sofia-benali"


def workspace_with(tmp_path: Path, assessments: dict[str, str] | None = None) -> Path:
    """Sofia's shipped portfolio, optionally with her self-assessments replaced."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "referentiels", root / "referentiels")
    shutil.copytree(REPO / "candidates" / SLUG, root / "candidates" / SLUG)
    if assessments is not None:
        folder = root / "candidates" / SLUG / "self-assessments"
        shutil.rmtree(folder)
        folder.mkdir()
        for name, text in assessments.items():
            (folder / name).write_text(text, "utf-8")
    return root


def build(root: Path) -> Path:
    results = build_cohort(root, [SLUG], root / "site", jobs=1)
    assert [r.status for r in results] == [BUILT], results
    return root / "site" / SLUG


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    return build(workspace_with(tmp_path_factory.mktemp("diagnostic")))


def test_chart_has_one_bar_per_item_and_a_text_alternative(shipped: Path):
    page = parse(shipped / "crcne" / "diagnostic" / "index.html")
    svg = page.find("figure", cls="pf-chart").find("svg")
    assert svg.attrs["role"] == "img" and "pf-chart-desc" in svg.attrs["aria-labelledby"]
    assert "1 items sur 8" in svg.find("desc").text
    assert [g.attrs["data-item"] for g in svg.find_all("g")] == [f"I{n}" for n in range(1, 9)]
    table_rows = {tr.attrs["data-item"]: tr for tr in page.find_all("tr") if "data-item" in tr.attrs}
    assert table_rows["I5"].attrs["data-gap"] == "yes" and "Initié" in table_rows["I5"].text
    assert table_rows["I3"].attrs["data-gap"] == "no" and "Avancé" in table_rows["I3"].text


def test_gap_lists_the_training_of_its_phase(shipped: Path):
    page = parse(shipped / "crcne" / "diagnostic" / "index.html")
    gaps = page.find_all("li", cls="pf-gap")
    assert [g.attrs["data-item"] for g in gaps] == ["I5"]
    links = [a.attrs["href"] for a in gaps[0].find_all("a")]
    assert "https://pix.fr/" in links  # I5 is evaluated in the mise-en-oeuvre phase
    assert "https://magistere.education.fr/" not in links  # that one belongs to conception
    # Issue 29: I5 is self-assessed Initié against a Confirmé target, so its Confirmé-level
    # resource is suggested, with the level's title rather than its code.
    levelled = {a.attrs["href"]: a for a in gaps[0].find_all("a")}
    assert "https://dane.education.nc/?p=574" in levelled
    tags = [span for span in gaps[0].find_all("span", cls="pf-tag") if "data-level" in span.attrs]
    assert [(t.attrs["data-level"], t.text) for t in tags] == [("confirme", "Confirmé")]


def test_progress_over_time_and_not_ready(shipped: Path):
    page = parse(shipped / "crcne" / "diagnostic" / "index.html")
    summary = page.find("p", cls="pf-diagnostic__summary")
    assert summary.attrs["data-ready"] == "no"
    history = page.find("div", cls="pf-diagnostic__history").find_all("tr")[1:]
    assert [row.text for row in history] == ["2025-09-15 1 / 8", "2026-02-01 7 / 8"]


def test_home_links_to_the_diagnostic(shipped: Path):
    home = parse(shipped / "index.html")
    assert any("diagnostic" in a.attrs.get("href", "") for a in home.find_all("a"))


def test_profile_at_target_is_ready_for_certification(tmp_path: Path):
    site = build(workspace_with(tmp_path, {"a.yml": "framework: crcne\ndate: 2026-03-01\ntarget: confirme\n"
                                                    "levels: {P1: avance, P2: confirme, P3: expert}\n"}))
    page = parse(site / "crcne" / "diagnostic" / "index.html")
    assert page.find("p", cls="pf-diagnostic__summary").attrs["data-ready"] == "yes"
    assert page.find_all("li", cls="pf-gap") == []
    assert page.find_all("div", cls="pf-diagnostic__history") == []  # a single assessment: no history


def test_no_self_assessment_no_diagnostic_page(tmp_path: Path):
    site = build(workspace_with(tmp_path, {}))
    assert not (site / "crcne" / "diagnostic").exists()
