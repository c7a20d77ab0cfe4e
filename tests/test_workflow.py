"""Requests, refusals, external results, the registry's trust rules and the cohort report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import REFERENTIELS, run_cli
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import Validation
from portfolio_gen.core.registry import Authorization, Evaluator, Registry, load_registry, untrusted_reason
from portfolio_gen.decisions.awards import CERTIFICATE, Award
from portfolio_gen.decisions.workflow import candidate_decision, cohort_report, pending_for
from portfolio_gen.core.workspace import load_workspace

from conftest import entry, write_candidate

KEY_A = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
KEY_B = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
DAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def crcne():
    return load_framework(REFERENTIELS / "crcne.yml")


def registry(**grant) -> Registry:
    authorization = Authorization("crcne", dt.date(2025, 9, 1), dt.date(2026, 8, 31), **grant)
    return Registry((Evaluator("marie", "Marie", (KEY_A,), (authorization,), candidate="marie-eval"),))


@pytest.mark.parametrize("signer, candidate, phase, mention, day, reason", [
    (KEY_A, "alex", "conception", 1, DAY, None),
    (KEY_A + "#z6Mk", "alex", "conception", 1, DAY, None),
    (KEY_B, "alex", "conception", 1, DAY, "trust.unregistered"),
    (KEY_A, "marie-eval", "conception", 1, DAY, "trust.self_validation"),
    (KEY_A, "alex", "conception", 1, dt.date(2026, 9, 1), "trust.out_of_period"),
    (KEY_A, "alex", "conception", 1, dt.date(2025, 8, 31), "trust.out_of_period"),
])
def test_trust_rules(crcne, signer, candidate, phase, mention, day, reason):
    assert untrusted_reason(registry(), signer, candidate, crcne, phase, mention, day) == reason


def test_phase_and_mention_restrictions(crcne):
    limited = registry(phases=("conception",), mentions=(1, 2))
    assert untrusted_reason(limited, KEY_A, "alex", crcne, "retour-reflexif", 1, DAY) == "trust.other_phase"
    assert untrusted_reason(limited, KEY_A, "alex", crcne, "conception", 3, DAY) == "trust.other_mention"


def test_other_framework_is_untrusted():
    c2i2e = load_framework(REFERENTIELS / "c2i2e.yml")
    assert untrusted_reason(registry(), KEY_A, "alex", c2i2e, "", None, DAY) == "trust.other_framework"


def crcne_workspace(root: Path) -> Path:
    entries = {"conception.md": entry("  - {item: crcne:I1, level: confirme}\n  - crcne:I2", phase="conception")}
    folder = write_candidate(root, frameworks="  - id: crcne\n    mention: 1", entries=entries)
    (root / "evaluators.yml").write_text(yaml.safe_dump({"evaluators": [
        {"id": "marie", "name": "Marie Dupont", "keys": [KEY_A], "frameworks": [{"id": "crcne", "from": "2025-09-01"}]},
        {"id": "paul", "name": "Paul Martin", "keys": [KEY_B], "candidate": "alex",
         "frameworks": [{"id": "crcne", "from": "2025-09-01"}]},
    ]}), "utf-8")
    return folder


def test_request_then_refusal_through_the_cli(workspace: Path):
    folder = crcne_workspace(workspace)
    made = run_cli("--root", str(workspace), "request", "alex", "conception", "--evaluator", "marie")
    assert made.returncode == 0, made.stderr
    request = yaml.safe_load(Path(made.stdout.strip()).read_text("utf-8"))
    assert request["items"] == ["crcne:I1", "crcne:I2"] and request["evaluator"] == "marie"
    loaded = load_workspace(workspace)
    assert loaded.problems == []
    marie = load_registry(workspace, loaded.frameworks)
    pending = pending_for("marie", marie, loaded.candidates.values(), {})
    assert [p.item for p in pending] == ["crcne:I1", "crcne:I2"]
    refused = run_cli("--root", str(workspace), "refuse", "alex", "conception", "crcne:I2",
                      "--evaluator", "marie", "--comment", "Trace insuffisante")
    assert refused.returncode == 0, refused.stderr
    loaded = load_workspace(workspace)
    validated = {"alex": [Validation("crcne", "I1", KEY_A + "#x", DAY, entry="conception")]}
    assert pending_for("marie", marie, loaded.candidates.values(), validated) == []
    assert pending_for("marie", marie, loaded.candidates.values(), {})[0].item == "crcne:I1"
    assert [(v.item, v.accepted) for v in loaded.candidate("alex").refusals] == [("I2", False)]
    assert folder.joinpath("decisions").is_dir()


def test_requesting_from_oneself_or_an_unknown_evaluator_fails(workspace: Path):
    crcne_workspace(workspace)
    own = run_cli("--root", str(workspace), "request", "alex", "conception", "--evaluator", "paul")
    unknown = run_cli("--root", str(workspace), "request", "alex", "conception", "--evaluator", "marei")
    unclaimed = run_cli("--root", str(workspace), "request", "alex", "conception", "--evaluator", "marie",
                        "--item", "crcne:I5")
    assert own.returncode == unknown.returncode == unclaimed.returncode == 2
    assert "marie" in unknown.stderr and "crcne:I5" in unclaimed.stderr


def registered_key(workspace: Path, evaluator: str = "marie") -> Path:
    """A real key for `evaluator` of crcne_workspace's evaluators.yml, in a key file."""
    from portfolio_gen.credentials import dids, keys
    key = keys.generate_key()
    path = keys.write_private_key(workspace / f"{evaluator}.key.pem", key, None)
    registry_file = workspace / "evaluators.yml"
    data = yaml.safe_load(registry_file.read_text("utf-8"))
    next(e for e in data["evaluators"] if e["id"] == evaluator)["keys"] = [dids.did_key(key.public_key())]
    registry_file.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_pix_edu_results_feed_the_joint_level(workspace: Path, crcne):
    import dataclasses

    from portfolio_gen.credentials.dids import DidResolver
    from portfolio_gen.credentials.loader import DocumentLoader
    from portfolio_gen.institution.results import judged_results

    crcne_workspace(workspace)
    csv_file = workspace / "pix.csv"
    csv_file.write_text("candidate,level,date,source\nalex,2,2026-04-02,Session Pix+Édu 4521\n", "utf-8")
    imported = run_cli("--root", str(workspace), "import-results", str(csv_file),
                       "--framework", "crcne", "--input", "pix-edu", "--key", str(registered_key(workspace)))
    assert imported.returncode == 0, imported.stderr
    loaded = load_workspace(workspace)
    alex = loaded.candidate("alex")
    # Signed by a registered staff member, so the commission may count it.
    counted, problems = judged_results(alex, loaded.frameworks, load_registry(workspace, loaded.frameworks),
                                       DidResolver({}), DocumentLoader())
    assert problems == [] and [(r.result.level, r.result.source) for r in counted] == [("confirme", "Session Pix+Édu 4521")]
    alex = dataclasses.replace(alex, results=tuple(r.result for r in counted))
    jury = [Validation("crcne", f"I{n}", KEY_A, DAY, level="avance") for n in range(1, 9)]
    decision = candidate_decision(alex, crcne, jury)
    assert decision.met and decision.level == "confirme"  # the lower of avance (jury) and 2 (Pix+Édu)
    assert not candidate_decision(alex, crcne, jury[:7]).met  # the jury has not evaluated I8


def test_results_need_the_key_of_someone_the_registry_authorises(workspace: Path):
    folder = crcne_workspace(workspace)
    args = ("--root", str(workspace), "result", "alex", "--framework", "crcne", "--input", "pix-edu",
            "--level", "3", "--date", "2026-04-02", "--source", "Session 4521")
    assert run_cli(*args).returncode == 2  # --key is required
    from portfolio_gen.credentials import keys
    stranger = keys.write_private_key(workspace / "stranger.pem", keys.generate_key(), None)
    refused = run_cli(*args, "--key", str(stranger))
    assert refused.returncode == 2 and "not in the" in refused.stderr and not (folder / "results").exists()
    own = run_cli(*args, "--key", str(registered_key(workspace, "paul")))  # paul is alex's own account
    assert own.returncode == 2 and not (folder / "results").exists()


def test_a_bad_csv_row_imports_nothing(workspace: Path):
    folder = crcne_workspace(workspace)
    csv_file = workspace / "pix.csv"
    csv_file.write_text("candidate,level,date\nalex,2,2026-04-02\nalex,9,2026-04-02\n", "utf-8")
    result = run_cli("--root", str(workspace), "import-results", str(csv_file), "--framework", "crcne",
                     "--input", "pix-edu", "--key", str(registered_key(workspace)))
    assert result.returncode == 2 and "pix.csv:3" in result.stderr
    assert not (folder / "results").exists()


def test_report_counts_certified_levels_and_gains(workspace: Path, crcne):
    crcne_workspace(workspace)
    folder = workspace / "candidates/alex"
    (folder / "self-assessments").mkdir()
    (folder / "self-assessments/a.yml").write_text(
        "framework: crcne\ndate: 2025-09-10\nlevels:\n  P1: initie\n  P2: initie\n  P3: initie\n", "utf-8")
    (folder / "results").mkdir()
    (folder / "results/pix.yml").write_text(
        "framework: crcne\ninput: pix-edu\nlevel: 3\ndate: 2026-04-01\nsource: test\n", "utf-8")
    loaded = load_workspace(workspace)
    jury = {"alex": [Validation("crcne", f"I{n}", KEY_A, DAY, level="avance") for n in range(1, 9)]}
    # The rule met is not yet certified (issue 29, part A): "ready" until the commission signs.
    ready = cohort_report(list(loaded.candidates.values()), loaded.frameworks, jury, None)
    assert ready["frameworks"]["crcne"]["certified"] == 0 and ready["frameworks"]["crcne"]["ready"] == 1
    assert ready["frameworks"]["crcne"]["certified_by_level"] == {} and ready["rows"][0]["level_gain"] is None
    # Certified: a current, valid certificate, at the level it certifies.
    certificate = Award("urn:uuid:1", CERTIFICATE, "crcne", "avance", dt.datetime(2026, 6, 1, tzinfo=dt.UTC), True)
    data = cohort_report(list(loaded.candidates.values()), loaded.frameworks, jury, None, {"alex": [certificate]})
    assert data["frameworks"]["crcne"]["certified_by_level"] == {"avance": 1}
    assert data["rows"][0]["entry_level"] == "initie" and data["rows"][0]["level_gain"] == 2
    json.dumps(data)  # the report is JSON-serialisable as the CLI prints it


def test_check_reports_registry_problems_with_their_line(workspace: Path):
    crcne_workspace(workspace)
    registry = workspace / "evaluators.yml"
    registry.write_text(registry.read_text("utf-8").replace("id: crcne", "id: crcnee", 1), "utf-8")
    result = run_cli("--root", str(workspace), "check", "--json")
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == 2
    assert [(p["code"], p["file"]) for p in problems] == [("framework.unknown", "evaluators.yml")]
    assert problems[0]["line"] and "crcne" in problems[0]["hint"]


def test_registry_problem_points_at_the_faulty_grant(workspace: Path):
    crcne_workspace(workspace)
    (workspace / "evaluators.yml").write_text(
        "evaluators:\n  - id: marie\n    name: Marie\n    keys: [" + KEY_A + "]\n    frameworks:\n"
        "      - {id: crcne, from: 2025-09-01}\n      - {id: c2i2f, from: 2025-09-01}\n", "utf-8")
    problems = json.loads(run_cli("--root", str(workspace), "check", "--json").stdout)["problems"]
    assert [(p["code"], p["line"]) for p in problems] == [("framework.unknown", 7)]
