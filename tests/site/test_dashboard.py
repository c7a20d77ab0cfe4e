"""The steering dashboard: figures on the page, one page per filter, self-contained, accessible."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run_cli
from htmltree import parse
from portfolio_gen.decisions.steering import assess_cohort
from portfolio_gen.site.dashboard import write_dashboard
from steering_cohort import AWARDS, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS
from test_accessibility import axe_script


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard")
    cohort = assess_cohort(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, AWARDS)
    write_dashboard(folder, cohort, FRAMEWORKS, today=TODAY, language="fr", institution="INSPÉ de test")
    return folder


def cell(row, figure: str) -> str:
    return row.find("td", data_figure=figure).text


def test_main_view_shows_the_cohort_figures(dashboard: Path):
    """The index sums up the whole cohort and links to the framework and unit pages, where
    the details are (issue 32)."""
    page = parse(dashboard / "index.html")
    c2i2e = page.find("tr", data_framework="c2i2e")
    assert (cell(c2i2e, "candidates"), cell(c2i2e, "certified")) == ("4", "1")
    assert c2i2e.find("a").attrs["href"] == "framework-c2i2e.html"
    assert page.find("section", data_figure="units").find_all("a", href="unit-amiens.html")
    counts = {div.attrs["data-summary"]: div.find("dd").text for div in page.find("section", data_figure="summary")
              .find_all("div") if "data-count" in div.find("dd").attrs}
    assert counts == {"close": "2", "pending": "4", "months": "96", "inactive": "2"}
    assert page.find_all("section", data_figure="close") == []  # details are on the split pages
    assert "Candidats et certifiés par référentiel" in page.text  # French, as asked


def test_the_details_are_on_the_framework_pages(dashboard: Path):
    c2i2e, crcne = parse(dashboard / "framework-c2i2e.html"), parse(dashboard / "framework-crcne.html")
    assert [r.attrs["data-candidate"] for r in c2i2e.find("section", data_figure="close").find_all("tr")
            if "data-candidate" in r.attrs] == ["ben", "chloe"]
    assert cell(crcne.find("tr", data_evaluator="marie"), "oldest") == "44"
    assert c2i2e.find("tr", data_month="2026-01").find("td").text == "33"
    assert [r.attrs["data-candidate"] for r in c2i2e.find("section", data_figure="inactive").find_all("tr")
            if "data-candidate" in r.attrs] == ["chloe", "ben"]
    progress = crcne.find("section", data_figure="progress").find("tr", data_entry="initie", data_reached="confirme")
    assert progress.find("td", cls="st-number").text == "1"
    # Each opens with its summary, whose figures link to the sections detailing them.
    first = c2i2e.find("main").find("section")
    assert first.attrs["data-figure"] == "summary"
    assert first.find("div", data_summary="close").find("a").attrs["href"] == "#close"
    assert c2i2e.find("section", data_figure="close").find("h2").attrs["id"] == "close"


def test_each_chart_is_an_image_with_its_values_as_text(dashboard: Path):
    pages = [parse(path) for path in sorted(dashboard.glob("*.html"))]
    charts = [svg for page in pages for svg in page.find_all("svg")]
    assert len(charts) >= 6
    for svg in charts:
        assert svg.attrs["role"] == "img"
        title_id, desc_id = svg.attrs["aria-labelledby"].split()
        assert svg.find(id=title_id).text and svg.find(id=desc_id).text
    frameworks = parse(dashboard / "index.html").find("figure", data_chart="frameworks")
    assert "c2i2e : certifiés: 1" in frameworks.find("desc").text
    bars = {g.attrs["data-bar"]: g for g in frameworks.find_all("g")}
    widest = float(bars["c2i2e : candidats"].find("rect").attrs["width"])
    assert float(bars["c2i2e : certifiés"].find("rect").attrs["width"]) == pytest.approx(widest / 4)


def test_tables_scroll_in_their_own_named_box(dashboard: Path):
    """At 390 px a wide table scrolls inside a focusable region named by its caption, never
    the page (issue 32; the browser check is tests/site/test_mobile.py)."""
    page = parse(dashboard / "framework-c2i2e.html")
    boxes = page.find_all("div", cls="st-scroll")
    assert len(boxes) == len(page.find_all("table")) > 5
    for box in boxes:
        assert box.attrs["tabindex"] == "0" and box.attrs["role"] == "region"
        assert box.find("table").find("caption").attrs["id"] == box.attrs["aria-labelledby"]


def test_one_page_per_framework_phase_role_and_unit(dashboard: Path):
    names = {p.name for p in dashboard.glob("*.html")}
    assert {"index.html", "framework-c2i2e.html", "framework-crcne.html", "phase-conception.html",
            "role-enseignant.html", "role-stagiaire.html", "unit-amiens.html", "unit-beauvais.html"} <= names
    amiens = parse(dashboard / "unit-amiens.html")
    assert "Unité = Amiens" in amiens.find("p", data_filters="").text
    assert [r.attrs["data-unit"] for r in amiens.find("section", data_figure="units").find_all("tr")
            if "data-unit" in r.attrs] == ["Amiens", "Amiens"]
    link = amiens.find("a", href="unit-amiens.html")
    assert link.attrs.get("aria-current") == "page"


def test_self_contained_no_script_no_external_resource(dashboard: Path):
    for path in dashboard.glob("*.html"):
        html = path.read_text("utf-8")
        assert "<script" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html), path.name


def test_figures_json_and_csv_beside_the_pages(dashboard: Path):
    figures = json.loads((dashboard / "figures.json").read_text("utf-8"))
    assert figures["frameworks"]["crcne"]["certified"] == 2
    assert "close_to_rule,c2i2e,chloe,2" in (dashboard / "figures.csv").read_text("utf-8")


def test_report_html_from_the_command_line(demo_workspace: Path, tmp_path: Path):
    out = tmp_path / "dashboard"
    result = run_cli("--root", str(demo_workspace), "report", "--html", str(out), "--unit", "Site d'Amiens",
                     "--as-of", "2026-06-01")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["steering"]["filters"] == {"unit": "Site d'Amiens"}
    assert [row["candidate"] for row in data["rows"]] == ["camille-martin"] * len(data["rows"])
    assert {row["unit"] for row in data["rows"]} == {"Site d'Amiens"}
    page = parse(out / "index.html")
    assert page.find("html").attrs["lang"] == "en"
    assert not list(out.glob("unit-*.html"))  # the unit is fixed by the command line


@pytest.mark.parametrize("option, value", [("--unit", "Site de Lille"), ("--framework", "c2i3"),
                                           ("--phase", "nope"), ("--as-of", "2026-13-01")])
def test_a_filter_naming_nothing_is_refused_and_nothing_written(demo_workspace: Path, tmp_path: Path, option, value):
    out = tmp_path / "dashboard"
    result = run_cli("--root", str(demo_workspace), "report", "--html", str(out), option, value)
    assert result.returncode == 2 and value in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_the_dashboard_is_never_written_into_the_published_sites(demo_workspace: Path):
    result = run_cli("--root", str(demo_workspace), "report", "--html", str(demo_workspace / "site" / "steering"))
    assert result.returncode == 2 and "published sites" in result.stderr
    assert not (demo_workspace / "site").exists()


@pytest.mark.browser
def test_axe_core_finds_no_accessibility_violation(dashboard: Path, tmp_path_factory, browser):
    axe = axe_script(tmp_path_factory)  # the run's one install, as the accessibility tests'
    page = browser.new_page()
    for name in ("index.html", "framework-c2i2e.html", "unit-beauvais.html"):
        page.goto((dashboard / name).as_uri())
        page.add_script_tag(path=str(axe))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert violations == [], name
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()  # the printout has the figures, not the links
    page.close()
