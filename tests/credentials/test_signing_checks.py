"""Signing refuses, before anything is signed, what could not count or would contradict a
record (issue 18); the commission's attestation says what it attests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from portfolio_gen.core.problems import InputError
from portfolio_gen.core.records import write_refusal
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import dids, keys, openbadges
from portfolio_gen.institution import commission
from portfolio_gen.institution.issuing import (SigningRequest, issue_item_validations, refusal_problems)
from portfolio_gen.institution.registry_credential import sign_registry
from portfolio_gen.institution.trust import workspace_context
from portfolio_gen.core.registry import load_registry

from conftest import run_cli, shipped_candidate

ENTRY = "2026-02-10-veille-et-recherche"  # camille-martin, claims c2i2e:A2.2 and A2.3
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


class Workspace:
    def __init__(self, root: Path, role: str = "referent"):
        self.root = root
        self.institution = keys.generate_key()
        self.marie = keys.generate_key()
        self.stranger = keys.generate_key()
        settings = load_settings(root)
        document = dids.did_web_document(settings.institution.id, [self.institution.public_key()])
        (root / "did.json").write_text(json.dumps(document), "utf-8")
        self.write_registry(role)

    def write_registry(self, role: str) -> None:
        # C2i2e is evaluated by the trainer of the activity or a referent (seed 003): Marie
        # Dupont signs as a referent unless a test says otherwise.
        grant = {"id": "c2i2e", "from": "2025-09-01", **({"role": role} if role else {})}
        registry = {"evaluators": [{"id": "marie-dupont", "name": "Marie Dupont",
                                    "keys": [dids.did_key(self.marie.public_key())], "frameworks": [grant]}]}
        (self.root / "evaluators.yml").write_text(yaml.safe_dump(registry), "utf-8")

    def sign(self, *items: str, key=None, reconsider: bool = False) -> list[Path]:
        request = SigningRequest("camille-martin", ENTRY, items, "Marie Dupont", reconsider=reconsider)
        return issue_item_validations(load_workspace(self.root), load_settings(self.root), request,
                                      key or self.marie, now=NOW)

    def refuse(self, item: str, comment: str = "Trace insuffisante") -> Path:
        folder = self.root / "candidates/camille-martin"
        return write_refusal(folder, ENTRY, "marie-dupont", [item], dt.date(2026, 2, 20), comment)

    def credentials(self) -> list[Path]:
        return sorted((self.root / "candidates/camille-martin/credentials").glob("*.json"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(shipped_candidate(tmp_path, "camille-martin"))


def problem_keys(error: pytest.ExceptionInfo) -> list[str]:
    return [problem.key for problem in error.value.problems]


def test_a_key_absent_from_the_registry_is_refused_and_nothing_is_written(ws: Workspace):
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2", key=ws.stranger)
    assert problem_keys(refused) == ["trust.unregistered"]
    assert ws.credentials() == [] and not (ws.root / "status/allocations.tsv").exists()


def test_sign_applies_the_trainer_rule_as_request_does(ws: Workspace):
    """C2i2e: the trainer of the activity evaluates it, or a referent (seed 003). An evaluator
    who is neither may not sign, as they could not have been asked (issue 29)."""
    assert ws.root.joinpath("referentiels/c2i2e.yml").read_text("utf-8").count("evaluated_by: trainer-or-referent")
    ws.write_registry("tuteur-stage")
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2")
    assert problem_keys(refused) == ["sign.trainer_missing"]
    entry = ws.root / "candidates/camille-martin/entries" / f"{ENTRY}.md"
    entry.write_text(entry.read_text("utf-8").replace("---\n", "---\ntrainer: paul-martin\n", 1), "utf-8")
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2")
    assert problem_keys(refused) == ["sign.not_trainer"]
    assert ws.credentials() == []
    entry.write_text(entry.read_text("utf-8").replace("trainer: paul-martin", "trainer: marie-dupont"), "utf-8")
    assert len(ws.sign("c2i2e:A2.2")) == 1


def test_refuse_applies_the_trainer_rule_as_sign_does(ws: Workspace):
    """A refusal is a decision as a signature is: `refuse` on the command line refuses an
    evaluator who is neither the trainer the entry names nor a referent, located at the
    entry, and writes nothing; the trainer named, or a referent, may refuse (issue 29)."""
    decisions = ws.root / "candidates/camille-martin/decisions"
    args = ("--root", str(ws.root), "refuse", "camille-martin", ENTRY, "c2i2e:A2.3", "--evaluator", "marie-dupont",
            "--comment", "Trace insuffisante")
    ws.write_registry("tuteur-stage")
    entry = ws.root / "candidates/camille-martin/entries" / f"{ENTRY}.md"
    entry.write_text(entry.read_text("utf-8").replace("---\n", "---\ntrainer: paul-martin\n", 1), "utf-8")
    refused = run_cli(*args, lang="en")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"{ENTRY}.md" in refused.stderr and "this entry names 'paul-martin', not 'marie-dupont'" in refused.stderr
    assert not decisions.exists() or not any(decisions.iterdir())
    entry.write_text(entry.read_text("utf-8").replace("trainer: paul-martin", "trainer: marie-dupont"), "utf-8")
    recorded = run_cli(*args, lang="en")
    assert recorded.returncode == 0, recorded.stderr
    assert len(list(decisions.iterdir())) == 1


def test_without_a_registry_nothing_is_signed(ws: Workspace):
    (ws.root / "evaluators.yml").unlink()
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2")
    assert problem_keys(refused) == ["sign.no_registry"]


def test_the_same_evaluator_cannot_validate_an_item_twice(ws: Workspace):
    assert len(ws.sign("c2i2e:A2.2")) == 1
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2", "c2i2e:A2.3")
    assert problem_keys(refused) == ["sign.already_validated"]
    assert len(ws.credentials()) == 1  # A2.3 was not signed either: all or nothing


def test_an_item_the_evaluator_refused_needs_reconsider_which_the_credential_records(ws: Workspace):
    ws.refuse("c2i2e:A2.3", "Pas de trace de recherche")
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.3")
    assert problem_keys(refused) == ["sign.refused"] and refused.value.problems[0].params["comment"] == \
        "Pas de trace de recherche"
    [path] = ws.sign("c2i2e:A2.3", reconsider=True)
    narrative = json.loads(path.read_text("utf-8"))["evidence"][0]["narrative"]
    assert "2026-02-20" in narrative and "Pas de trace de recherche" in narrative


def test_a_refusal_after_a_validation_by_the_same_evaluator_is_refused(ws: Workspace):
    ws.sign("c2i2e:A2.2")
    workspace = load_workspace(ws.root)
    candidate = workspace.candidates["camille-martin"]
    entry = next(e for e in candidate.entries if e.slug == ENTRY)
    assert [p.key for p in refusal_problems(workspace, candidate, "marie-dupont", ["c2i2e:A2.2"], entry=entry)] == \
        ["refuse.already_validated"]
    assert refusal_problems(workspace, candidate, "marie-dupont", ["c2i2e:A2.3"], entry=entry) == []


def test_refuse_command_refuses_the_contradiction_and_writes_nothing(ws: Workspace):
    ws.sign("c2i2e:A2.2")
    result = run_cli("--root", str(ws.root), "refuse", "camille-martin", ENTRY, "c2i2e:A2.2",
                     "--evaluator", "marie-dupont", "--comment", "finalement non")
    assert result.returncode == 2 and "already validated" in result.stderr and "revoke" in result.stderr
    assert not (ws.root / "candidates/camille-martin/decisions").exists()


@pytest.mark.parametrize("email, key", [
    ("camille-martin@example.org", "sign.placeholder_email"),  # what `new candidate` used to invent
    (None, "sign.no_email"),
])
def test_a_placeholder_or_missing_address_is_refused(ws: Workspace, email, key):
    profile = ws.root / "candidates/camille-martin/candidate.yml"
    text = profile.read_text("utf-8").replace("camille.martin@example.org", email or "x@y")
    if email is None:
        text = text.replace("  email: x@y\n", "")
    profile.write_text(text, "utf-8")
    with pytest.raises(InputError) as refused:
        ws.sign("c2i2e:A2.2")
    assert problem_keys(refused) == [key]


def test_certify_refuses_a_key_absent_from_did_json_and_writes_nothing(ws: Workspace):
    workspace = load_workspace(ws.root)
    sign_registry(ws.root, load_settings(ws.root), load_registry(ws.root, workspace.frameworks),
                  ws.institution, now=NOW)
    ws.sign("c2i2e:A2.2")
    workspace = load_workspace(ws.root)
    with pytest.raises(InputError) as refused:
        commission.certify(workspace, workspace_context(ws.root, workspace), "camille-martin", "c2i2e", ws.marie)
    assert problem_keys(refused) == ["sign.key_not_in_did"]
    assert len(ws.credentials()) == 1
    (ws.root / "did.json").unlink()
    with pytest.raises(InputError) as missing:
        commission.certify(workspace, workspace_context(ws.root, workspace), "camille-martin", "c2i2e",
                           ws.institution)
    assert problem_keys(missing) == ["sign.no_did_document"]


def test_an_attestation_says_what_it_attests_not_the_certificate_rule(ws: Workspace):
    workspace = load_workspace(ws.root)
    framework = workspace.frameworks["c2i2e"]
    award = openbadges.build_framework_award(
        load_settings(ws.root), framework, workspace.candidates["camille-martin"], certified=False, level="",
        acquired=list(framework.items[:18]), supporting=[], valid_from=NOW)
    achievement = award["credentialSubject"]["achievement"]
    assert achievement["description"].startswith("Attestation de 18 items acquis sur 27")
    assert "pas le certificat" in achievement["name"] and "Ce n'est pas le certificat" in achievement["description"]
    assert not achievement["criteria"]["narrative"].startswith("23 items")
    certificate = openbadges.build_framework_award(
        load_settings(ws.root), framework, workspace.candidates["camille-martin"], certified=True, level="",
        acquired=list(framework.items), supporting=[], valid_from=NOW)["credentialSubject"]["achievement"]
    assert certificate["description"].startswith("23 items validés sur 27")
