"""institution/reports.py: `report` as values, from the demo workspace and from its built sites."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_gen.cli import main
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.decisions.steering import Filters
from portfolio_gen.institution.reports import cohort_report, filter_problems, sites_cohort_report

DAY = dt.date(2026, 6, 1)


def _sites_file(built_demo: Path, folder: Path) -> Path:
    sites = sorted(p.parent for p in (built_demo / "site").glob("*/verification.json"))
    path = folder / "sites.txt"
    path.write_text("".join(os.path.relpath(site, folder) + "\n" for site in sites), "utf-8")
    return path


def test_the_report_counts_the_awards_the_demo_issued(built_demo: Path):
    report = cohort_report(built_demo, load_workspace(built_demo), today=DAY)
    data = report.data
    assert data["candidates"] == 5
    assert data["frameworks"]["c2i2e"]["candidates"] == 2 and data["frameworks"]["c2i2e"]["certified"] == 1
    assert data["frameworks"]["crcne"]["certified_by_level"] == {"initie": 1}
    camille = next(r for r in data["rows"] if (r["candidate"], r["framework"]) == ("camille-martin", "c2i2e"))
    assert camille["certified"] is True and camille["validated"] == 26
    assert report.figures.today == DAY and data["steering"]["today"] == DAY.isoformat()
    assert {p.candidate.slug for p in report.cohort.pursuits} == set(load_workspace(built_demo).candidates)


def test_a_framework_filter_keeps_that_framework_only(built_demo: Path):
    data = cohort_report(built_demo, load_workspace(built_demo), filters=Filters(framework="c2i2e"), today=DAY).data
    assert list(data["frameworks"]) == ["c2i2e"]
    assert {row["framework"] for row in data["rows"]} == {"c2i2e"}
    assert data["steering"]["filters"] == {"framework": "c2i2e"}


def test_a_filter_naming_nothing_is_refused_with_what_is_known(built_demo: Path):
    workspace = load_workspace(built_demo)
    with pytest.raises(InputError) as raised:
        cohort_report(built_demo, workspace, filters=Filters(unit="Nowhere", role="astronaut"), today=DAY)
    problems = {p.params["option"]: p for p in raised.value.problems}
    assert set(problems) == {"--role", "--unit"} and {p.key for p in problems.values()} == {"report.unknown_filter"}
    assert "Site d'Amiens" in problems["--unit"].params["known"]
    assert filter_problems(workspace.frameworks, workspace.candidates.values(), Filters(framework="c2i2e")) == []


def test_the_command_prints_the_values_the_library_returns(built_demo: Path):
    expected = cohort_report(built_demo, load_workspace(built_demo), today=DAY).data
    printed = CliRunner().invoke(main, ["--root", str(built_demo), "report", "--as-of", DAY.isoformat()])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == json.loads(json.dumps(expected))


def test_the_report_from_sites_gives_the_workspace_figures_and_says_what_it_cannot(built_demo: Path, tmp_path: Path):
    frameworks = load_workspace(built_demo, only=[]).frameworks
    report = sites_cohort_report(built_demo, frameworks, _sites_file(built_demo, tmp_path))
    assert report.ok and report.unknown_frameworks == {} and report.cohort.unreadable == []
    ours = cohort_report(built_demo, load_workspace(built_demo), today=DAY).data
    assert report.data["candidates"] == ours["candidates"]
    assert {k: v["certified"] for k, v in report.data["frameworks"].items()} == \
        {k: v["certified"] for k, v in ours["frameworks"].items()}
    assert report.data["steering"] is None and "steering" in report.data["unavailable"]
    assert all(key.startswith("report.sites.") for key in [*report.data["unavailable"].values(),
                                                           *report.data["notes"]])
    assert report.data["institution"] == report.cohort.institution and len(report.data["sites"]) == 5


def test_the_report_from_sites_keeps_only_the_slugs_asked_and_refuses_a_phase(built_demo: Path, tmp_path: Path):
    frameworks = load_workspace(built_demo, only=[]).frameworks
    listed = _sites_file(built_demo, tmp_path)
    one = sites_cohort_report(built_demo, frameworks, listed, slugs=["camille-martin"])
    assert one.data["candidates"] == 1 and {r["candidate"] for r in one.data["rows"]} == {"camille-martin"}
    with pytest.raises(InputError) as raised:
        sites_cohort_report(built_demo, frameworks, listed, filters=Filters(phase="conception"))
    assert [(p.key, p.params) for p in raised.value.problems] == [("report.sites.option", {"option": "--phase"})]
