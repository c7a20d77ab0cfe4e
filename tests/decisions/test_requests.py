"""Requests go only to evaluators the registry authorises, and where a framework says so,
to the trainer of the activity or a referent (issue 29, findings 5 and 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from conftest import entry, run_cli, write_candidate
from portfolio_gen.core.model import EvaluationRequest
from portfolio_gen.core.records import write_request
from portfolio_gen.core.registry import REFERENT, load_registry, registry_from_data, registry_to_data
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.decisions.requests import still_authorised
from portfolio_gen.decisions.workflow import pending_items

KEY_A = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
KEY_B = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"


def evaluators(root: Path, *marie_grants: dict, paul_grants: tuple[dict, ...] = ()) -> None:
    people = [{"id": "marie", "name": "Marie Dupont", "keys": [KEY_A], "frameworks": list(marie_grants)}]
    if paul_grants:
        people.append({"id": "paul", "name": "Paul Martin", "keys": [KEY_B], "frameworks": list(paul_grants)})
    (root / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": people}), "utf-8")


def crcne_candidate(root: Path, mention: int = 1) -> Path:
    entries = {"conception.md": entry("  - crcne:I1", phase="conception")}
    return write_candidate(root, frameworks=f"  - id: crcne\n    mention: {mention}", entries=entries)


def request(root: Path, evaluator: str, entry_slug: str = "conception", lang: str = "en"):
    return run_cli("--root", str(root), "request", "alex", entry_slug, "--evaluator", evaluator, lang=lang)


def no_request_written(folder: Path) -> bool:
    return not (folder / "requests").exists() or not any((folder / "requests").iterdir())


def test_a_request_to_an_evaluator_with_no_rights_for_the_framework_is_refused(workspace: Path):
    folder = crcne_candidate(workspace)
    evaluators(workspace, {"id": "c2i2e", "from": "2025-09-01"})
    refused = request(workspace, "marie")
    assert refused.returncode == 2
    assert "'marie' has no rights to evaluate crcne (crcne:I1)" in refused.stderr
    assert no_request_written(folder)
    french = request(workspace, "marie", lang="fr")
    assert "« marie » n'est pas habilité à évaluer crcne" in french.stderr


def test_a_request_to_an_evaluator_whose_rights_have_ended_is_refused(workspace: Path):
    folder = crcne_candidate(workspace)
    evaluators(workspace, {"id": "crcne", "from": "2024-09-01", "until": "2025-08-31"})
    refused = request(workspace, "marie")
    assert refused.returncode == 2 and "do not cover" in refused.stderr
    assert no_request_written(folder)


def test_a_request_outside_the_evaluators_mentions_is_refused_and_inside_accepted(workspace: Path):
    crcne_candidate(workspace, mention=1)
    evaluators(workspace, {"id": "crcne", "from": "2025-09-01", "mentions": [2]},
               paul_grants=({"id": "crcne", "from": "2025-09-01", "mentions": [1]},))
    refused = request(workspace, "marie")
    assert refused.returncode == 2 and "mention 1" in refused.stderr
    accepted = request(workspace, "paul")
    assert accepted.returncode == 0, accepted.stderr


def test_a_request_made_before_the_rights_ended_leaves_the_evaluators_queue(workspace: Path):
    folder = crcne_candidate(workspace)
    evaluators(workspace, {"id": "crcne", "from": "2024-09-01", "until": "2025-08-31"},
               paul_grants=({"id": "crcne", "from": "2024-09-01"},))
    for who in ("marie", "paul"):
        write_request(folder, EvaluationRequest("", "conception", who, ("crcne:I1",), dt.date(2025, 3, 1)))
    loaded = load_workspace(workspace)
    registry = load_registry(workspace, loaded.frameworks)
    waiting = pending_items(registry, loaded.candidates.values(), {})
    assert sorted(p.request.evaluator for p in waiting) == ["marie", "paul"]  # what every queue read before
    kept = still_authorised(waiting, registry, loaded.candidates, loaded.frameworks, dt.date(2026, 3, 1))
    assert [p.request.evaluator for p in kept] == ["paul"]


# --- roles, and the trainer of the activity -------------------------------------------------

def c2i2e_by_trainers(root: Path, trainer: str = "") -> Path:
    """A workspace whose C2i2e says the trainer of the activity evaluates it (as the shipped one does)."""
    framework = root / "referentiels" / "c2i2e.yml"
    assert "\nevaluated_by: trainer-or-referent\n" in framework.read_text("utf-8")
    text = entry("  - c2i2e:B2.1", extra=f"trainer: {trainer}\n" if trainer else "")
    return write_candidate(root, entries={"seance.md": text})


def test_where_the_trainer_evaluates_only_the_trainer_named_on_the_entry_may_be_asked(workspace: Path):
    folder = c2i2e_by_trainers(workspace, trainer="paul")
    evaluators(workspace, {"id": "c2i2e", "from": "2025-09-01", "role": "tuteur-stage"},
               paul_grants=({"id": "c2i2e", "from": "2025-09-01", "role": "responsable-module"},))
    refused = request(workspace, "marie", "seance")
    assert refused.returncode == 2
    assert "this entry names 'paul', not 'marie' (c2i2e:B2.1)" in refused.stderr
    assert "seance.md" in refused.stderr  # located at the entry
    assert no_request_written(folder)
    assert request(workspace, "paul", "seance").returncode == 0


def test_a_referent_may_be_asked_and_an_entry_naming_no_trainer_says_so(workspace: Path):
    c2i2e_by_trainers(workspace)
    evaluators(workspace, {"id": "c2i2e", "from": "2025-09-01", "role": REFERENT},
               paul_grants=({"id": "c2i2e", "from": "2025-09-01"},))
    missing = request(workspace, "paul", "seance", lang="fr")
    assert missing.returncode == 2 and "cette entrée n'en nomme aucun" in missing.stderr
    assert request(workspace, "marie", "seance").returncode == 0


def test_registry_roles_are_read_checked_and_carried_in_the_signed_form(workspace: Path):
    evaluators(workspace, {"id": "c2i2e", "from": "2025-09-01", "role": "correspondant"},
               {"id": "crcne", "from": "2025-09-01"})
    registry = load_registry(workspace, load_workspace(workspace).frameworks)
    assert [a.role for a in registry.by_id("marie").authorizations] == ["correspondant", ""]
    assert registry_from_data(registry_to_data(registry)) == registry
    evaluators(workspace, {"id": "c2i2e", "from": "2025-09-01", "role": "inspecteur"})
    assert run_cli("--root", str(workspace), "check").returncode != 0
