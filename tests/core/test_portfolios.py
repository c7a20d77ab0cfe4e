"""Reading candidates: what is claimed, what is checked beyond the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import entry, write_candidate
from portfolio_gen.core.workspace import load_workspace

def keys(workspace):
    return [p.key for p in workspace.problems]


def test_drafts_claim_nothing_but_private_entries_do(workspace: Path):
    write_candidate(workspace, entries={
        "a.md": entry("  - c2i2e:A1.1", "draft"),
        "b.md": entry("  - c2i2e:A1.2", "private"),
        "c.md": entry("  - c2i2e:A1.3", "public"),
    })
    candidate = load_workspace(workspace).candidate("alex")
    assert {c.item for _, c in candidate.claims_for("c2i2e")} == {"A1.2", "A1.3"}
    assert {c.item for _, c in candidate.claims_for("c2i2e", public_only=True)} == {"A1.3"}


def test_a_framework_organised_by_mention_requires_one(workspace: Path):
    write_candidate(workspace, frameworks="  - id: crcne")
    assert "candidate.mention_required" in keys(load_workspace(workspace))


# Mention 4 is outside the 2022-2023 experiment the shipped CRCNÉ grid is (seed 001, issue 29).
@pytest.mark.parametrize("mention, ok", [(1, True), (3, True), (4, False), (5, False)])
def test_mention_must_exist(workspace: Path, mention: int, ok: bool):
    write_candidate(workspace, frameworks=f"  - id: crcne\n    mention: {mention}")
    problems = keys(load_workspace(workspace))
    assert (problems == []) == ok


def test_claiming_an_item_of_another_phase_is_reported(workspace: Path):
    write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1", entries={
        "conception.md": entry("  - {item: crcne:I1, level: confirme}\n  - crcne:I7", phase="conception")})
    problems = load_workspace(workspace).problems
    assert [(p.key, p.params.get("item")) for p in problems] == [("claim.other_phase", "crcne:I7")]


def test_a_level_on_a_framework_without_levels_is_reported(workspace: Path):
    write_candidate(workspace, frameworks="  - id: encadrement-2009", entries={
        "a.md": entry("  - {item: encadrement-2009:A1, level: expert}")})
    assert keys(load_workspace(workspace)) == ["claim.no_levels"]


def test_claiming_a_framework_not_pursued_is_reported(workspace: Path):
    write_candidate(workspace, entries={"a.md": entry("  - digcompedu:1.1")})
    assert keys(load_workspace(workspace)) == ["claim.framework_not_pursued"]


def test_private_fields_are_kept_apart_from_public_ones(workspace: Path):
    write_candidate(workspace)
    candidate = load_workspace(workspace).candidate("alex")
    assert candidate.private == {"email": "alex@example.org"}
    assert "alex@example.org" not in (candidate.name, candidate.bio, candidate.site_url, candidate.institution)
