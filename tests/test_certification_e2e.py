"""The certification process end to end, from the command line only, on the demo cohort.

keys -> did:web -> registry -> requests -> validations -> certify (one certificate, one
attestation) -> audit; then the security cases: signatures that verify but must not count.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_CANDIDATES, REPO, copy_frameworks, run_cli, run_cli_process

from portfolio_gen.core.workspace import load_workspace

INSTITUTION = "did:web:portfolios.example.org"


def cli(root: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess:
    result = (run_cli_process if process else run_cli)("--root", str(root), *args)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def new_key(root: Path, name: str) -> str:
    """A fresh unencrypted key file; returns its did:key."""
    path = root / "keys" / f"{name}.key.pem"
    output = cli(root, "keys", "new", str(path), "--no-passphrase").stdout
    return next(line.split()[-1] for line in output.splitlines() if line.startswith("did:key:"))


def claims(root: Path, slug: str, framework: str) -> list[tuple[str, list[str]]]:
    candidate = load_workspace(root, only=[slug]).candidate(slug)
    plan = [(e.slug, [c.ref for c in e.claims if c.framework == framework])
            for e in candidate.entries if not e.is_draft]
    return [(entry, refs) for entry, refs in plan if refs]


def sign_all(root: Path, slug: str, framework: str, key: str, name: str) -> None:
    for entry, refs in claims(root, slug, framework):
        cli(root, "sign", slug, entry, *refs, "--key", str(root / "keys" / f"{key}.key.pem"),
            "--evaluator-name", name)


def audit(root: Path, *slugs: str) -> list[dict]:
    result = run_cli("--root", str(root), "audit", "--json", *slugs)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def certified(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cohort")
    copy_frameworks(root)
    shutil.copytree(DEMO_CANDIDATES, root / "candidates")
    shutil.copyfile(REPO / "portfolio-gen.yml", root / "portfolio-gen.yml")
    new_key(root, "institution")
    marie = new_key(root, "marie")
    cli(root, "keys", "did-web", "portfolios.example.org", str(root / "keys/institution.key.pem"),
        "--output", str(root / "did.json"))
    # A « référent C2i2e » (seed 003): C2i2e is evaluated by the trainer of the activity or a referent.
    registry = {"evaluators": [{"id": "marie-dupont", "name": "Marie Dupont", "keys": [marie],
                                "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"}]}]}
    (root / "evaluators.yml").write_text(yaml.safe_dump(registry), "utf-8")
    cli(root, "registry", "sign", "--key", str(root / "keys/institution.key.pem"))
    for slug in ("camille-martin", "julien-moreau"):
        for entry, _ in claims(root, slug, "c2i2e"):
            cli(root, "request", slug, entry, "--evaluator", "marie-dupont")
    waiting = json.loads(cli(root, "review", "--evaluator", "marie-dupont", "--json").stdout)
    assert len(waiting) == sum(len(refs) for s in ("camille-martin", "julien-moreau")
                               for _, refs in claims(root, s, "c2i2e"))
    sign_all(root, "camille-martin", "c2i2e", "marie", "Marie Dupont")
    sign_all(root, "julien-moreau", "c2i2e", "marie", "Marie Dupont")
    return root


def test_review_queue_empties_once_everything_is_decided(certified: Path):
    assert json.loads(cli(certified, "review", "--evaluator", "marie-dupont", "--json").stdout) == []


def test_every_signed_validation_is_valid_and_trusted(certified: Path):
    rows = audit(certified)
    assert rows and all(row["status"] == "valid" for row in rows), rows


def test_commission_issues_a_certificate_and_an_attestation(certified: Path):
    certificate = cli(certified, "certify", "camille-martin", "--framework", "c2i2e",
                      "--key", str(certified / "keys/institution.key.pem")).stdout
    attestation = cli(certified, "certify", "julien-moreau", "--framework", "c2i2e",
                      "--key", str(certified / "keys/institution.key.pem"), "--comment", "B3 à compléter").stdout
    assert certificate.startswith("certificate:") and attestation.startswith("attestation:")
    award = json.loads(Path(certified / attestation.split()[1]).read_text("utf-8"))
    assert award["issuer"]["id"] == INSTITUTION
    assert award["credentialSubject"]["achievement"]["achievementType"] == "ext:Attestation"
    assert "B3 à compléter" in award["credentialSubject"]["narrative"]
    assert len(award["evidence"]) == 18  # pinned to each validation it rests on
    rows = audit(certified, "camille-martin", "julien-moreau")
    awards = [row for row in rows if row["kind"] in ("certificate", "attestation")]
    assert sorted(row["kind"] for row in awards) == ["attestation", "certificate"]
    assert all(row["status"] == "valid" for row in awards)


def test_an_edited_validation_is_invalid_and_does_not_count(certified: Path, tmp_path: Path):
    root = tmp_path / "copy"
    shutil.copytree(certified, root)
    target = sorted((root / "candidates/camille-martin/credentials").glob("*.json"))[0]
    credential = json.loads(target.read_text("utf-8"))
    credential["credentialSubject"]["achievement"]["name"] += " (modifié)"
    target.write_text(json.dumps(credential), "utf-8")
    rows = {row["file"]: row for row in audit(root, "camille-martin")}
    row = rows[str(target.relative_to(root))]
    assert row["status"] == "invalid" and row["code"] == "proof.mismatch"
    assert run_cli("--root", str(root), "audit").returncode == 1


# --- security: verifies, yet must not count ----------------------------------------------

@pytest.fixture
def hostile(certified: Path, tmp_path: Path) -> Path:
    """A copy of the certified cohort with extra evaluators registered for the attacks."""
    root = tmp_path / "hostile"
    shutil.copytree(certified, root)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    registry = yaml.safe_load((root / "evaluators.yml").read_text("utf-8"))
    registry["evaluators"] += [
        {"id": "paul-bernard", "name": "Paul Bernard", "keys": [new_key(root, "paul")],
         "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "until": yesterday, "role": "referent"}]},
        {"id": "julien-moreau", "name": "Julien Moreau", "keys": [new_key(root, "julien")],
         "candidate": "julien-moreau", "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"}]},
        {"id": "lea-petit", "name": "Léa Petit", "keys": [new_key(root, "lea")],
         "frameworks": [{"id": "encadrement-2009", "from": "2025-09-01"}]},
    ]
    (root / "evaluators.yml").write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")
    cli(root, "registry", "sign", "--key", str(root / "keys/institution.key.pem"))
    new_key(root, "stranger")
    return root


# `sign` refuses in words; audit's verdict carries a stable reason code (issue 28), compared
# rather than its words, which the catalogue may change.
@pytest.mark.parametrize("key, reason, code", [
    ("stranger", "not in the institution's evaluator registry", "trust.unregistered"),
    ("lea", "not authorised for this framework", "trust.other_framework"),
    ("paul", "on the signing date", "trust.out_of_period"),
    ("julien", "cannot validate their own items", "trust.self_validation"),
])
def test_validations_from_outside_the_registry_are_refused_then_untrusted(hostile: Path, key: str, reason: str,
                                                                          code: str):
    folder = hostile / "candidates/julien-moreau/credentials"
    before = {p.name for p in folder.glob("*.json")}
    entry, refs = claims(hostile, "julien-moreau", "c2i2e")[0]
    key_file = hostile / f"keys/{key}.key.pem"
    # `sign` refuses, before signing, what could not count ...
    refused = run_cli("--root", str(hostile), "sign", "julien-moreau", entry, refs[0], "--key", str(key_file),
                      "--evaluator-name", key)
    assert refused.returncode == 2 and reason in refused.stderr, refused.stderr
    assert {p.name for p in folder.glob("*.json")} == before
    # ... and one made anyway, outside the tool, is reported untrusted, never counted.
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.credentials import keys
    from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations
    issue_item_validations(load_workspace(hostile), load_settings(hostile),
                           SigningRequest("julien-moreau", entry, (refs[0],), key),
                           keys.load_private_key(key_file, None), checked=False)
    rows = [row for row in audit(hostile, "julien-moreau") if Path(row["file"]).name not in before]
    assert len(rows) == 1 and rows[0]["status"] == "untrusted" and rows[0]["code"] == code


def test_a_registry_not_signed_by_the_institution_trusts_nobody(hostile: Path):
    refused = run_cli("--root", str(hostile), "registry", "sign", "--key", str(hostile / "keys/marie.key.pem"))
    assert refused.returncode == 2 and "not listed in the institution's did.json" in refused.stderr
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.credentials import dids, keys, proofs
    from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
    from portfolio_gen.credentials.loader import DocumentLoader
    from portfolio_gen.institution.registry_credential import REGISTRY_CREDENTIAL_FILE, build_registry_credential
    settings = load_settings(hostile)
    marie = keys.load_private_key(hostile / "keys/marie.key.pem", None)
    forged = proofs.sign(build_registry_credential(load_registry(hostile, load_workspace(hostile).frameworks),
                                                   settings, dt.datetime.now(dt.UTC)),
                         marie, dids.signer(marie, settings.institution.id)[1], suite=EDDSA_RDFC_2022,
                         loader=DocumentLoader())
    (hostile / REGISTRY_CREDENTIAL_FILE).write_text(json.dumps(forged), "utf-8")
    rows = [row for row in audit(hostile, "camille-martin") if row["kind"] == "validation"]
    assert rows and all(row["status"] == "untrusted" and "registry" in row["reason"] for row in rows)


def test_a_credential_copied_from_another_portfolio_is_untrusted(hostile: Path):
    source = sorted((hostile / "candidates/camille-martin/credentials").glob("*.json"))[0]
    shutil.copyfile(source, hostile / "candidates/julien-moreau/credentials" / source.name)
    row = next(r for r in audit(hostile, "julien-moreau") if Path(r["file"]).name == source.name)
    assert row["status"] == "untrusted" and "someone else" in row["reason"]


def test_two_evaluators_signing_at_once_lose_nothing(hostile: Path):
    registry = yaml.safe_load((hostile / "evaluators.yml").read_text("utf-8"))
    # Two evaluators who have not validated these items yet (Marie has: she may not sign twice).
    registry["evaluators"] += [{"id": name, "name": name, "keys": [new_key(hostile, name)],
                                "frameworks": [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"}]}
                               for name in ("anne", "bruno")]
    (hostile / "evaluators.yml").write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")
    cli(hostile, "registry", "sign", "--key", str(hostile / "keys/institution.key.pem"))
    folder = hostile / "candidates/camille-martin/credentials"
    before = set(folder.glob("*.json"))
    jobs = [(entry, refs, key) for entry, refs in claims(hostile, "camille-martin", "c2i2e")[:3]
            for key in ("anne", "bruno")]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda job: cli(hostile, "sign", "camille-martin", job[0], *job[1],
                                      "--key", str(hostile / f"keys/{job[2]}.key.pem"),
                                      "--evaluator-name", job[2], process=True), jobs))  # six processes at once
    added = set(folder.glob("*.json")) - before
    assert len(added) == sum(len(refs) for _, refs, _ in jobs)
    new_rows = [row for row in audit(hostile, "camille-martin") if hostile / row["file"] in added]
    assert len(new_rows) == len(added) and all(row["status"] == "valid" for row in new_rows)


def test_revoking_one_credential_reports_exactly_that_one(certified: Path, tmp_path: Path):
    root = tmp_path / "revoked"
    shutil.copytree(certified, root)
    institution_key = str(root / "keys/institution.key.pem")
    cli(root, "status-list", "publish", "--key", institution_key)
    assert all(row["status"] == "valid" for row in audit(root))
    target = sorted((root / "candidates/julien-moreau/credentials").glob("*.json"))[0]
    cli(root, "revoke", str(target), "--reason", "Trace reconnue comme non personnelle", "--key", institution_key)
    rows = audit(root)
    revoked = [row for row in rows if row["status"] == "revoked"]
    assert [row["file"] for row in revoked] == [str(target.relative_to(root))]
    assert all(row["status"] == "valid" for row in rows if row not in revoked)
    # A revoked credential is a normal state of a cohort: audit reports it and fails only when
    # asked to (issue 28, --fail-on); verify still fails on anything but valid.
    assert revoked[0]["code"] == "status.revoked"
    assert run_cli("--root", str(root), "audit").returncode == 0
    assert run_cli("--root", str(root), "audit", "--fail-on", "revoked").returncode == 1
    verified = run_cli("--root", str(root), "verify", str(target), "--did-document", str(root / "did.json"),
                       "--status-list", str(root / "status/revocation-list.json"))
    assert verified.returncode == 1 and "revoked" in verified.stdout


def test_a_certificate_not_signed_by_the_institution_is_untrusted(hostile: Path):
    import datetime as dt

    from portfolio_gen.credentials import dids, keys, openbadges, proofs
    from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
    from portfolio_gen.credentials.loader import DocumentLoader
    from portfolio_gen.core.settings import load_settings

    workspace = load_workspace(hostile)
    framework, candidate = workspace.frameworks["c2i2e"], workspace.candidate("julien-moreau")
    award = openbadges.build_framework_award(
        load_settings(hostile), framework, candidate, certified=True, level="", acquired=list(framework.items),
        supporting=[], valid_from=dt.datetime.now(dt.UTC))
    key = keys.load_private_key(hostile / "keys/marie.key.pem", None)
    issuer, method = dids.signer(key, None)
    award["issuer"] = openbadges.IssuerProfile(issuer, "Marie Dupont").as_json()
    # A status entry, so that what refuses it is the issuer, not a missing entry.
    from portfolio_gen.institution.revocation import status_list_url
    from portfolio_gen.credentials.status import status_entry
    award["credentialStatus"] = status_entry(status_list_url(load_settings(hostile)), 7)
    forged = proofs.sign(award, key, method, suite=EDDSA_RDFC_2022, loader=DocumentLoader())
    (hostile / "candidates/julien-moreau/credentials/forged.json").write_text(json.dumps(forged), "utf-8")
    row = next(r for r in audit(hostile, "julien-moreau") if r["file"].endswith("forged.json"))
    assert row["kind"] == "certificate" and row["status"] == "untrusted"
    assert row["code"] == "trust.not_institution"


def test_report_counts_the_cohort_from_trusted_credentials(certified: Path, tmp_path: Path):
    import csv
    import io

    root = tmp_path / "reported"
    shutil.copytree(certified, root)
    # Whether or not an earlier test certified her already (--reissue supersedes that one).
    cli(root, "certify", "camille-martin", "--framework", "c2i2e", "--key", str(root / "keys/institution.key.pem"),
        "--reissue")
    text = cli(root, "report").stdout
    data = json.loads(text)
    one_per_line = [json.loads(line.strip().rstrip(",")) for line in text.splitlines() if line.startswith("    {")]
    assert one_per_line == data["rows"]  # a row per line: easy to grep and compare
    c2i2e = data["frameworks"]["c2i2e"]
    assert data["candidates"] == 5 and c2i2e["candidates"] == 2 and c2i2e["certified"] == 1
    assert data["pending_by_evaluator"] == {"marie-dupont": 0}
    missing = dict(c2i2e["items_most_often_missing"])
    assert missing and all(count >= 1 for count in missing.values())
    rows = list(csv.DictReader(io.StringIO(cli(root, "report", "--format", "csv").stdout)))
    by_candidate = {(r["candidate"], r["framework"]): r for r in rows}
    assert by_candidate[("camille-martin", "c2i2e")]["certified"] == "True"
    assert by_candidate[("julien-moreau", "c2i2e")]["validated"] == "18"


def test_review_and_report_take_slug_filters(certified: Path, tmp_path: Path):
    root = tmp_path / "filtered"
    shutil.copytree(certified, root)
    for credential in (root / "candidates" / "camille-martin" / "credentials").glob("*.json"):
        credential.unlink()  # her requested items wait again
    waiting = lambda *slugs: json.loads(cli(root, "review", *slugs, "--evaluator", "marie-dupont", "--json").stdout)  # noqa: E731
    assert {row["candidate"] for row in waiting()} == {"camille-martin"}
    assert waiting("camille-martin") == waiting() and waiting("julien-moreau") == []
    report = json.loads(cli(root, "report", "julien-moreau").stdout)
    assert report["candidates"] == 1 and [r["candidate"] for r in report["rows"]] == ["julien-moreau"]
