"""Self-assessments: reading, gaps against the target, suggested training, readiness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import REFERENTIELS
from portfolio_gen.decisions.diagnostic import diagnose, progress
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import SelfAssessment
from portfolio_gen.core.workspace import load_workspace

from conftest import write_candidate

DAY = dt.date(2026, 1, 10)


@pytest.fixture(scope="module")
def crcne():
    return load_framework(REFERENTIELS / "crcne.yml")


@pytest.fixture(scope="module")
def c2i2e():
    return load_framework(REFERENTIELS / "c2i2e.yml")


def assessment(framework, target, levels, date=DAY):
    return SelfAssessment(framework.id, date, target, levels)


def test_gaps_are_the_items_below_target_or_not_assessed(crcne):
    levels = {f"I{n}": "avance" for n in range(1, 7)} | {"I7": "initie"}
    diagnostic = diagnose(crcne, assessment(crcne, "confirme", levels))
    assert [(g.item.code, g.current) for g in diagnostic.gaps] == [("I7", "initie"), ("I8", None)]
    assert not diagnostic.ready and diagnostic.entry_level is None


def test_every_item_at_target_is_ready_and_gives_the_entry_level(crcne):
    levels = {f"I{n}": "expert" for n in range(1, 9)} | {"I3": "confirme"}
    diagnostic = diagnose(crcne, assessment(crcne, "confirme", levels))
    assert diagnostic.gaps == () and diagnostic.ready
    assert diagnostic.entry_level == "confirme"


def test_min_items_readiness_follows_the_certification_rule(c2i2e):
    codes = [i.code for i in c2i2e.items]
    ready = diagnose(c2i2e, assessment(c2i2e, "acquis", {c: "acquis" for c in codes[:23]}))
    short = diagnose(c2i2e, assessment(c2i2e, "acquis", {c: "acquis" for c in codes[:22]}
                                      | {codes[22]: "en-cours"}))
    assert ready.ready and len(ready.gaps) == 4
    assert not short.ready and len(short.gaps) == 5


def test_progress_counts_items_at_target_over_time(crcne):
    first = assessment(crcne, "confirme", {"I1": "initie"}, DAY)
    later = assessment(crcne, "confirme", {"I1": "confirme", "I2": "avance"}, DAY + dt.timedelta(days=60))
    assert [count for _, count in progress(crcne, [first, later])] == [0, 2]


def test_resources_fit_the_gap_between_current_and_target(tmp_path: Path):
    path = tmp_path / "f.yml"
    path.write_text("""id: f
title: F
version: 1
language: fr
source: {title: t}
levels: [{code: "1", title: N1}, {code: "2", title: N2}, {code: "3", title: N3}]
domains:
  - code: D
    title: D
    resources: [{title: Tout niveau, format: distance}]
    items:
      - code: D1
        title: D1
        resources:
          - {title: Initiation, level: 1, format: presentiel}
          - {title: Approfondissement, level: 2, format: hybride}
          - {title: Expertise, level: 3}
""", "utf-8")
    framework = load_framework(path)
    gap = diagnose(framework, SelfAssessment("f", DAY, "2", {"D1": "1"})).gaps[0]
    assert [r.title for r in gap.resources] == ["Approfondissement", "Tout niveau"]


def _titles(gap) -> list[str]:
    return [r.title.split(" (")[0] for r in gap.resources]


def test_shipped_crcne_training_follows_the_gap_between_current_and_target(crcne):
    """Issue 29: a levelled resource is suggested only above the current level, up to the target;
    the phase's platforms (no level) are suggested for every gap."""
    first_steps = diagnose(crcne, assessment(crcne, "confirme", {"I6": "initie"}))
    further = diagnose(crcne, assessment(crcne, "expert", {"I6": "confirme"}))
    i6_first = next(g for g in first_steps.gaps if g.item.code == "I6")
    i6_further = next(g for g in further.gaps if g.item.code == "I6")
    levels_first = {r.level for r in i6_first.resources}
    levels_further = {r.level for r in i6_further.resources}
    assert levels_first == {"", "confirme"} and levels_further == {"", "avance"}
    assert "Pix — tests et parcours d'entraînement aux compétences numériques" in _titles(i6_first)
    not_assessed = next(g for g in first_steps.gaps if g.item.code == "I2")
    assert {r.level for r in not_assessed.resources} == {"", "initie"}


def test_shipped_pix_edu_training_is_calibrated_by_level():
    pix_edu = load_framework(REFERENTIELS / "pix-edu.yml")
    newcomer = diagnose(pix_edu, assessment(pix_edu, "2", {"D5": "1"})).gaps
    leader = diagnose(pix_edu, assessment(pix_edu, "3", {"D5": "2"})).gaps
    d5 = {g.item.code: g for g in newcomer}["D5"]
    assert sorted(r.level for r in d5.resources) == ["", "2"]
    assert sorted(r.level for r in {g.item.code: g for g in leader}["D5"].resources) == ["", "3"]


def test_group_codes_apply_to_their_items_and_specific_codes_win(workspace: Path):
    folder = write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1")
    (folder / "self-assessments").mkdir()
    (folder / "self-assessments" / "2026-01-10-crcne.yml").write_text(
        "framework: crcne\ndate: 2026-01-10\ntarget: confirme\nlevels:\n  P1: confirme\n  I2: initie\n", "utf-8")
    loaded = load_workspace(workspace)
    assert loaded.problems == []
    levels = loaded.candidate("alex").assessments_for("crcne")[0].levels
    assert levels == {"I1": "confirme", "I2": "initie", "I3": "confirme"}


@pytest.mark.parametrize("body, key, line", [
    ("framework: crcne\ndate: 2026-01-10\nlevels:\n  I9: confirme\n", "claim.unknown_item", 4),
    ("framework: crcne\ndate: 2026-01-10\nlevels:\n  I1: genial\n", "claim.unknown_level", 4),
    ("framework: crcne\ndate: 2026-02-30\nlevels:\n  I1: initie\n", "schema.format", 2),
])
def test_bad_self_assessments_are_located(workspace: Path, body: str, key: str, line: int):
    folder = write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1")
    (folder / "self-assessments").mkdir()
    (folder / "self-assessments" / "a.yml").write_text(body, "utf-8")
    problems = load_workspace(workspace).problems
    assert [(p.key, p.line) for p in problems] == [(key, line)]
