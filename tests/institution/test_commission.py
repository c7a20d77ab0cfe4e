"""institution/commission.py's `certify_candidate`: `certify` as values, under the institution context a command loads."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from portfolio_gen.core.problems import InputError
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials.keys import load_private_key
from portfolio_gen.institution.commission import certify_candidate, rule_decision
from portfolio_gen.institution.context import signing_institution
from portfolio_gen.institution.trust import workspace_context

MOMENT = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def commission(built_demo: Path, tmp_path: Path):
    """A copy of the demo, its workspace, the institution's key and its context."""
    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, symlinks=True)
    key = load_private_key(root / "keys" / "institution.key.pem", None)
    return root, load_workspace(root), key, signing_institution(root, signer=key)


def test_the_award_is_the_rule_s_verdict_signed_at_the_time_given(commission):
    root, workspace, key, institution = commission
    before = set((root / "candidates" / "julien-moreau" / "credentials").glob("*.json"))
    award = certify_candidate(institution, workspace, "julien-moreau", "c2i2e", key, comment="Encore un effort",
                              now=MOMENT)
    decision = rule_decision(workspace, workspace_context(root, workspace, institution), "julien-moreau", "c2i2e")
    assert award.certified is False and award.decision == decision and not decision.met
    assert award.path.parent == root / "candidates" / "julien-moreau" / "credentials" and award.path not in before
    assert len(award.supporting) == len(decision.validated)
    credential = json.loads(award.path.read_text("utf-8"))
    assert credential["validFrom"] == "2026-06-01T09:30:00Z"
    assert credential["issuer"]["id"] == institution.institution


def test_a_candidate_the_rule_supports_gets_a_certificate(commission):
    _, workspace, key, institution = commission
    award = certify_candidate(institution, workspace, "camille-martin", "c2i2e", key, now=MOMENT)
    assert award.certified and award.decision.met and len(award.decision.validated) == 26


@pytest.mark.parametrize("slug, framework, key", [("nobody", "c2i2e", "candidate.unknown"),
                                                  ("camille-martin", "c2i3", "framework.unknown")])
def test_what_cannot_be_certified_is_an_input_error_and_nothing_is_written(commission, slug, framework, key):
    root, workspace, private_key, institution = commission
    before = sorted(root.glob("candidates/*/credentials/*.json"))
    with pytest.raises(InputError) as raised:
        certify_candidate(institution, workspace, slug, framework, private_key, now=MOMENT)
    assert [p.key for p in raised.value.problems] == [key]
    assert sorted(root.glob("candidates/*/credentials/*.json")) == before
