"""After a refusal, the candidate improves the entry and asks the same evaluator again: the
item waits for them again, with the refusal beside it, and their next decision counts
without --reconsider; there is one pending request per item and evaluator (issue 31)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from conftest import entry, run_cli, shipped_candidate, write_candidate
from portfolio_gen.cli.core import refusals_of
from portfolio_gen.core.model import Validation
from portfolio_gen.core.records import write_refusal, write_request
from portfolio_gen.core.registry import load_registry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import dids, keys
from portfolio_gen.decisions.requests import plan_request, validated_from
from portfolio_gen.decisions.workflow import pending_items, request_states
from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations


def ask(root: Path, lang: str = "en"):
    return run_cli("--root", str(root), "request", "alex", "conception", "--evaluator", "marie", lang=lang)


def requests_written(folder: Path) -> list[dict]:
    return [yaml.safe_load(p.read_text("utf-8")) for p in sorted((folder / "requests").glob("*.yml"))]


def review(root: Path, *options: str, lang: str = "en"):
    return run_cli("--root", str(root), "review", "--evaluator", "marie", *options, lang=lang)


def test_refuse_then_ask_again_reopens_the_item_once(workspace: Path):
    folder = write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1",
                             entries={"conception.md": entry("  - crcne:I1", phase="conception")})
    grant = {"id": "crcne", "from": "2025-09-01"}
    (workspace / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": [
        {"id": "marie", "name": "Marie Dupont", "keys": [dids.did_key(keys.generate_key().public_key())],
         "frameworks": [grant]}]}), "utf-8")
    assert ask(workspace).returncode == 0
    twice = ask(workspace)  # the same item of the same entry, already waiting: nothing new
    assert twice.returncode == 0 and "crcne:I1 already waits for marie" in twice.stderr
    assert len(requests_written(folder)) == 1
    refused = run_cli("--root", str(workspace), "refuse", "alex", "conception", "crcne:I1",
                      "--evaluator", "marie", "--comment", "Ajoutez la séquence")
    assert refused.returncode == 0, refused.stderr
    assert "Nothing waits for marie" in review(workspace).stdout

    again = ask(workspace, lang="fr")
    assert again.returncode == 0, again.stderr
    assert "redemandé à marie, qui l'avait refusé le" in again.stderr and "Ajoutez la séquence" in again.stderr
    written = requests_written(folder)
    assert len(written) == 2
    assert [r.get("reopens") for r in written if "reopens" in r] == [[Path(refused.stdout.strip()).stem]]
    assert len(requests_written(folder)) == 2 and ask(workspace).returncode == 0  # a third time: still one
    assert len(requests_written(folder)) == 2

    listed = review(workspace)
    assert listed.stdout.count("crcne:I1") == 1, listed.stdout  # one line, with the refusal beside it
    assert 'asked again: you refused it on' in listed.stdout and "Ajoutez la séquence" in listed.stdout
    [row] = json.loads(review(workspace, "--json").stdout)
    assert row["earlier_refusal"]["comment"] == "Ajoutez la séquence"
    # The candidate's view: the new request waits, the refusal answered is no longer « refusé ».
    status = json.loads(run_cli("--root", str(workspace), "status", "--json").stdout)
    assert status[0]["refused"] == []
    candidate = load_workspace(workspace).candidates["alex"]
    assert [s.state for s in request_states(candidate, [])] == ["waiting", "refused"]


def test_three_identical_requests_already_written_wait_once(workspace: Path):
    """Requests written before the rule (or by hand) still give one line per item."""
    folder = write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1",
                             entries={"conception.md": entry("  - crcne:I1", phase="conception")})
    from portfolio_gen.core.model import EvaluationRequest
    for _ in range(3):
        write_request(folder, EvaluationRequest("", "conception", "marie", ("crcne:I1",), dt.date(2026, 3, 1)))
    (workspace / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": [
        {"id": "marie", "name": "M", "keys": [dids.did_key(keys.generate_key().public_key())],
         "frameworks": [{"id": "crcne", "from": "2025-09-01"}]}]}), "utf-8")
    loaded = load_workspace(workspace)
    waiting = pending_items(load_registry(workspace, loaded.frameworks), loaded.candidates.values(), {})
    assert [(p.item, p.request.id) for p in waiting] == [("crcne:I1", "2026-03-01-conception-marie-3")]


ENTRY = "2026-02-10-veille-et-recherche"  # camille-martin's, claims c2i2e:A2.2 and A2.3
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


def test_the_evaluators_next_decision_counts_without_reconsider(tmp_path: Path):
    root = shipped_candidate(tmp_path, "camille-martin")
    marie = keys.generate_key()
    (root / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": [
        {"id": "marie-dupont", "name": "Marie Dupont", "keys": [dids.did_key(marie.public_key())],
         "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"}]}]}), "utf-8")
    folder = root / "candidates/camille-martin"
    refusal = write_refusal(folder, ENTRY, "marie-dupont", ["c2i2e:A2.3"], dt.date(2026, 2, 20), "Pas de trace")

    def sign():
        request = SigningRequest("camille-martin", ENTRY, ("c2i2e:A2.3",), "Marie Dupont")
        return issue_item_validations(load_workspace(root), load_settings(root), request, marie, now=NOW)

    workspace = load_workspace(root)
    registry = load_registry(root, workspace.frameworks)
    candidate = workspace.candidates["camille-martin"]
    the_entry = next(e for e in candidate.entries if e.slug == ENTRY)
    plan = plan_request(registry, candidate, the_entry, "marie-dupont", ["c2i2e:A2.3"], [])
    assert plan.ask == ("c2i2e:A2.3",) and [r.comment for r in plan.reopens] == ["Pas de trace"]
    write_request(folder, plan.request(dt.date(2026, 2, 25)))
    assert plan.request(dt.date(2026, 2, 25)).reopens == (refusal.stem,)

    workspace = load_workspace(root)
    waiting = pending_items(registry, workspace.candidates.values(), {})
    assert [p.item for p in waiting if p.request.evaluator == "marie-dupont"] == ["c2i2e:A2.3"]
    [path] = sign()  # no --reconsider: the candidate asked again
    narrative = json.loads(path.read_text("utf-8"))["evidence"][0]["narrative"]
    assert "2026-02-20" in narrative and "Pas de trace" in narrative  # the changed decision says so
    validation = Validation("c2i2e", "A2.3", "did:key:x", NOW.date(), entry=ENTRY)
    candidate = load_workspace(root).candidates["camille-martin"]
    assert refusals_of(candidate, "c2i2e", [validation]) == []
    assert validated_from(the_entry, [validation]) == ("c2i2e:A2.3",)


def test_status_does_not_call_refused_an_item_it_counts_as_validated(tmp_path: Path):
    """A refusal later reconsidered (sign --reconsider, no new request) stays on record, but
    status lists it no more once a counted credential validates the item."""
    root = shipped_candidate(tmp_path, "camille-martin")
    write_refusal(root / "candidates/camille-martin", ENTRY, "marie-dupont", ["c2i2e:A2.3"],
                  dt.date(2026, 2, 20), "Pas de trace")
    candidate = load_workspace(root).candidates["camille-martin"]
    assert [r["item"] for r in refusals_of(candidate, "c2i2e", [])] == ["c2i2e:A2.3"]
    counted = [Validation("c2i2e", "A2.3", "did:key:x", dt.date(2026, 3, 1), entry=ENTRY)]
    assert refusals_of(candidate, "c2i2e", counted) == []
    assert [r["item"] for r in refusals_of(candidate, "c2i2e", None)] == ["c2i2e:A2.3"]  # nothing counted yet


def test_an_item_the_evaluator_validated_is_not_asked_again_from_another_entry(workspace: Path):
    """Signing refuses to validate an item twice: a request for it from another entry could
    only wait for nothing, so it is neither written nor queued."""
    entries = {f"{name}.md": entry("  - crcne:I1", phase="conception") for name in ("conception", "autre")}
    folder = write_candidate(workspace, frameworks="  - id: crcne\n    mention: 1", entries=entries)
    key = dids.did_key(keys.generate_key().public_key())
    (workspace / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": [
        {"id": "marie", "name": "M", "keys": [key], "frameworks": [{"id": "crcne", "from": "2025-09-01"}]}]}), "utf-8")
    from portfolio_gen.core.model import EvaluationRequest
    write_request(folder, EvaluationRequest("", "autre", "marie", ("crcne:I1",), dt.date(2026, 3, 1)))
    loaded = load_workspace(workspace)
    registry, candidate = load_registry(workspace, loaded.frameworks), loaded.candidates["alex"]
    validated = [Validation("crcne", "I1", f"{key}#{key.removeprefix('did:key:')}", dt.date(2026, 3, 2),
                            entry="conception")]
    assert pending_items(registry, [candidate], {"alex": validated}) == []
    assert len(pending_items(registry, [candidate], {})) == 1
    other = next(e for e in candidate.entries if e.slug == "autre")
    plan = plan_request(registry, candidate, other, "marie", ["crcne:I1"], validated)
    assert plan.validated == ("crcne:I1",) and plan.ask == () and plan.request(dt.date(2026, 3, 3)) is None
