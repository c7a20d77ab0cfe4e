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
                              now=MOMENT, reissue=True)  # the demo's attestation is superseded
    decision = rule_decision(workspace, workspace_context(root, workspace, institution), "julien-moreau", "c2i2e")
    assert award.certified is False and award.decision == decision and not decision.met
    assert award.path.parent == root / "candidates" / "julien-moreau" / "credentials" and award.path not in before
    assert len(award.supporting) == len(decision.validated)
    credential = json.loads(award.path.read_text("utf-8"))
    assert credential["validFrom"] == "2026-06-01T09:30:00Z"
    assert credential["issuer"]["id"] == institution.institution


def test_a_candidate_the_rule_supports_gets_a_certificate(commission):
    _, workspace, key, institution = commission
    award = certify_candidate(institution, workspace, "camille-martin", "c2i2e", key, now=MOMENT, reissue=True)
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


# --- one current award per candidate and framework (issue 29) -----------------------------

def _revoked(root: Path) -> dict[str, str]:
    from portfolio_gen.institution.revocation import revocation_reasons
    return revocation_reasons(root)


def test_a_duplicate_award_is_refused_without_reissue_and_nothing_is_written(commission):
    """`certify` twice issued two certificates; the demo already certified camille-martin."""
    root, workspace, key, institution = commission
    before = sorted(root.glob("candidates/*/credentials/*.json")), _revoked(root)
    with pytest.raises(InputError) as raised:
        certify_candidate(institution, workspace, "camille-martin", "c2i2e", key, now=MOMENT)
    [problem] = raised.value.problems
    assert problem.key == "award.duplicate" and problem.params["kind"] == "certificate"
    assert (sorted(root.glob("candidates/*/credentials/*.json")), _revoked(root)) == before


def test_a_reissued_award_supersedes_the_earlier_one_which_is_revoked_as_superseded(commission):
    root, workspace, key, institution = commission
    earlier = next(p for p in (root / "candidates" / "camille-martin" / "credentials").glob("*.json")
                   if json.loads(p.read_text("utf-8"))["credentialSubject"]["achievement"].get("humanCode") == "c2i2e")
    earlier_id = json.loads(earlier.read_text("utf-8"))["id"]
    award = certify_candidate(institution, workspace, "camille-martin", "c2i2e", key, now=MOMENT, reissue=True)
    new_id = json.loads(award.path.read_text("utf-8"))["id"]
    assert [a.credential_id for a in award.superseded] == [earlier_id]
    assert _revoked(root)[earlier_id] == f"superseded by {new_id}"
    from portfolio_gen.decisions.awards import current_certificate
    from portfolio_gen.institution.awards import workspace_assessed
    _, awards = workspace_assessed(root, load_workspace(root))
    assert current_certificate(awards["camille-martin"], "c2i2e").credential_id == new_id
    assert {a.credential_id: a.valid for a in awards["camille-martin"]}[earlier_id] is False  # revoked


def test_an_attestation_never_replaces_a_current_certificate(commission):
    import dataclasses
    from portfolio_gen.institution import commission as module
    root, workspace, key, institution = commission
    context = workspace_context(root, workspace, institution)
    with pytest.raises(InputError) as raised:
        module.certify(workspace, context, "camille-martin", "c2i2e", key, now=MOMENT, certified=False,
                       session="c2i2e-2026-06-15", reason="Le jury souhaite voir B2.3", reissue=True)
    assert [p.key for p in raised.value.problems] == ["award.certificate_held"]
    assert dataclasses.is_dataclass(module.Award)


def test_a_certificate_given_against_the_rule_says_so_in_the_credential(commission):
    """Issue 29, finding 1: a certificate forced by a session for julien-moreau (18 of 27)
    read « 23 items validés sur 27, dont tous les items obligatoires »."""
    from portfolio_gen.credentials import openbadges
    from portfolio_gen.institution import commission as module
    root, workspace, key, institution = commission
    context = workspace_context(root, workspace, institution)
    with pytest.raises(InputError) as raised:  # never without the jury's reason
        module.certify(workspace, context, "julien-moreau", "c2i2e", key, now=MOMENT, certified=True)
    assert [p.key for p in raised.value.problems] == ["session.rule_not_met"]
    award = module.certify(workspace, context, "julien-moreau", "c2i2e", key, now=MOMENT, certified=True,
                           session="c2i2e-2026-06-15", reason="B3 observé en classe")
    credential = json.loads(award.path.read_text("utf-8"))
    assert openbadges.validate_against_schema(credential) == []
    subject = credential["credentialSubject"]
    assert "23 items validés sur 27, dont tous les items obligatoires" != subject["achievement"]["description"]
    assert "n'est PAS remplie : 18 items validés sur 27" in subject["achievement"]["description"]
    assert subject["narrative"].startswith("Certificat décerné par décision motivée de la commission "
                                           "(session c2i2e-2026-06-15)")
    assert "Motif du jury : B3 observé en classe" in subject["narrative"]
    [jury] = [e for e in credential["evidence"] if e.get("genre") == "JuryOverride"]
    assert jury == {"id": "urn:portfolio-gen:session:c2i2e-2026-06-15", "type": ["Evidence"],
                    "name": "Décision de la commission, session c2i2e-2026-06-15, contraire au verdict de la règle",
                    "genre": "JuryOverride", "description": subject["achievement"]["description"],
                    "narrative": "B3 observé en classe"}
    assert [a.kind for a in award.superseded] == ["attestation"]  # the demo's attestation
