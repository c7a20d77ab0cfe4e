"""`portfolio-gen verify` on a published site: the demo's built sites, then tampered with.

The demo is played once per test session (conftest.built_demo); each test that alters something works on its own
copy, so the verdicts it expects name exactly what it changed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_cli

SLUG = "camille-martin"  # a certificate resting on validations, each pinned by digest


@pytest.fixture
def site(built_demo, tmp_path) -> Path:
    """A private copy of one candidate's built site."""
    return Path(shutil.copytree(built_demo / "site" / SLUG, tmp_path / SLUG))


def verify_json(target: Path | str, *extra: str) -> tuple[int, dict]:
    result = run_cli("verify", str(target), "--json", *extra)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def failed(report: dict) -> dict[str, str]:
    return {Path(c["file"]).stem: c["status"] for site in report["sites"] for c in site["credentials"]
            if c["status"] != "valid"}


def test_every_credential_of_the_built_demo_is_valid(built_demo):
    code, report = verify_json(built_demo / "site")
    assert code == 0 and report["ok"]
    assert len(report["sites"]) == 5
    total = sum(len(site["credentials"]) for site in report["sites"])
    # Every credential the demo signed is published and verified: validations and awards.
    signed = list((built_demo / "candidates").glob("*/credentials/*.json"))
    kinds = sorted(json.loads(path.read_text("utf-8"))["credentialSubject"]["achievement"]["achievementType"]
                   for path in signed)
    assert total == len(signed) and kinds.count("Competency") == len(signed) - 3
    assert kinds.count("Certificate") == 2 and kinds.count("ext:Attestation") == 1
    assert all(site["presentation"]["ok"] for site in report["sites"])
    camille = next(site for site in report["sites"] if site["site_url"].endswith(f"/{SLUG}/"))
    assert "site's copy" in camille["key_source"]
    text = run_cli("verify", str(built_demo / "site" / SLUG))
    assert text.returncode == 0
    assert "CERTIFIED  certificate c2i2e" in text.stdout and "everything verified" in text.stdout


def test_a_tampered_credential_is_exactly_the_one_failing(site):
    path = sorted((site / "credentials").glob("*.json"))[3]
    credential = json.loads(path.read_text("utf-8"))
    credential["validFrom"] = credential["validFrom"].replace(credential["validFrom"][:4], "2020")
    path.write_text(json.dumps(credential, indent=2), "utf-8")
    code, report = verify_json(site)
    assert code == 1 and not report["ok"]
    # The altered file fails its proof; a certificate citing it fails on its digest.
    bad = failed(report)
    assert bad[path.stem] == "invalid"
    citing = {p.stem for p in (site / "credentials").glob("*.json")
              if p != path and path.name in p.read_text("utf-8")}
    assert set(bad) == {path.stem} | citing
    reasons = {Path(c["file"]).stem: c["reason"] for c in report["sites"][0]["credentials"]}
    assert reasons[path.stem].startswith("proof")


def test_a_tampered_evidence_file_fails_the_credentials_citing_it(site):
    credentials = {p.stem: json.loads(p.read_text("utf-8")) for p in (site / "credentials").glob("*.json")}
    evidence = next(e for c in credentials.values() for e in c.get("evidence", [])
                    if e.get("genre") == "File" and "digestMultibase" in e)
    url = evidence["id"]
    target = site / url.split(f"/{SLUG}/", 1)[1]
    target.write_bytes(target.read_bytes() + b"\n")
    code, report = verify_json(site)
    assert code == 1
    citing = {uuid for uuid, c in credentials.items() if any(e.get("id") == url for e in c.get("evidence", []))}
    bad = failed(report)
    assert citing and citing <= set(bad)
    reasons = [c["reason"] for site_report in report["sites"] for c in site_report["credentials"]
               if Path(c["file"]).stem in citing]
    assert all(url in reason and "/tmp" not in reason for reason in reasons), reasons  # no scratch path
    # Beyond them, only the award pinning their files fails (and the presentation).
    awards = {uuid for uuid in bad if uuid not in citing}
    assert all(credentials[uuid]["credentialSubject"]["achievement"]["achievementType"] == "Certificate"
               for uuid in awards)
    assert not report["sites"][0]["presentation"]["ok"]


def test_a_revoked_credential_is_reported_revoked_after_a_rebuild(built_demo, tmp_path):
    root = Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))
    credential = sorted((root / "candidates" / SLUG / "credentials").glob("*.json"))[0]
    result = run_cli("--root", str(root), "revoke", str(credential), "--reason", "test",
                     "--key", str(root / "keys" / "institution.key.pem"))
    assert result.returncode == 0, result.stderr
    result = run_cli("--root", str(root), "build", SLUG)
    assert result.returncode == 0, result.stderr
    code, report = verify_json(root / "site" / SLUG)
    assert code == 1
    bad = failed(report)
    assert bad.pop(credential.stem) == "revoked"
    assert bad == {}  # the certificate still rests on a credential valid when it was issued
    page = (root / "site" / SLUG / "credentials" / credential.stem / "index.html").read_text("utf-8")
    assert 'data-status="revoked"' in page


def test_a_url_needs_the_network_allowed():
    result = run_cli("verify", "https://portfolios.example.org/camille-martin/")
    assert result.returncode == 2
    assert "--allow-network" in result.stderr


# --- nothing private is published ---------------------------------------------------------

PRIVATE_MARKERS = (b"PRIVATE KEY", b"ENCRYPTED", b".key.pem", b"passphrase:")


def test_no_private_material_anywhere_under_site(built_demo):
    files = [p for p in (built_demo / "site").rglob("*") if p.is_file()]
    assert files
    secrets = private_values(built_demo)
    revocations = (built_demo / "status" / "revocations.tsv")
    registers = [line.encode() for line in (revocations.read_text("utf-8").splitlines()
                                             if revocations.exists() else []) if line.strip()]
    for path in files:
        data = path.read_bytes()
        for marker in PRIVATE_MARKERS + tuple(secrets) + tuple(registers):
            assert marker not in data, f"{marker!r} published in {path}"
        assert not path.name.endswith((".pem", ".tsv")), path
        if path.name.endswith(".yml"):  # only the institution's public files its signed manifest lists
            relative = path.relative_to(built_demo / "site" / "institution").as_posix()
            assert relative in published_settings_and_frameworks(built_demo), path
            assert data == (built_demo / relative).read_bytes(), path
    assert not (built_demo / "site" / "keys").exists()
    assert not list((built_demo / "site").rglob("evaluators.yml"))


def published_settings_and_frameworks(root: Path) -> set[str]:
    manifest = json.loads((root / "institution.json").read_text("utf-8"))
    return {listed["path"] for listed in manifest["credentialSubject"]["files"]}


def private_values(root: Path) -> set[bytes]:
    """Every e-mail and every value under `private:` in the candidates' files."""
    import yaml

    found = set()
    for path in (root / "candidates").glob("*/candidate.yml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        for value in (data.get("private") or {}).values():
            found.add(str(value).encode())
        found.update(m.encode() for m in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", path.read_text("utf-8")))
    return {value for value in found if len(value) > 3}
