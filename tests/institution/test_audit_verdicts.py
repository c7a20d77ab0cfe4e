"""audit and audit --sites speak the verifiers' six verdicts, with reason codes (issue 28).

A status that could not be checked is never valid, and the exit status answers the
question asked: a revoked credential is a normal state, failing only under --fail-on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.core.verdicts import VERDICTS


@pytest.fixture
def demo(built_demo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, symlinks=True)
    return root


def sites_file(root: Path, slug: str) -> Path:
    listed = root / "sites.txt"
    listed.write_text(f"site/{slug}\n", "utf-8")
    return listed


def test_deleted_status_lists_give_unknown_status_never_valid(demo: Path):
    """The sites' copies and the institution's own lists gone: nothing says whether a
    credential was revoked, so none is valid; audit fails by default, not with --fail-on invalid."""
    for folder in [demo / "status", *(demo / "site").glob("**/status")]:
        shutil.rmtree(folder)
    listed = sites_file(demo, "camille-martin")
    result = run_cli("--root", str(demo), "audit", "--sites", str(listed), "--json")
    rows = json.loads(result.stdout)["credentials"]
    assert rows and {(row["status"], row["verdict"], row["code"]) for row in rows} == {
        ("unknown-status", "unknown-status", "status.unknown")}
    assert result.returncode == 1
    assert run_cli("--root", str(demo), "audit", "--sites", str(listed), "--fail-on", "invalid").returncode == 0
    french = run_cli("--root", str(demo), "audit", "--sites", str(listed), lang="fr").stdout
    assert french.startswith("statut inconnu") and "statut inconnu : la liste de statuts" in french


def test_a_revoked_credential_is_reported_and_fails_only_when_asked(demo: Path):
    credential = sorted((demo / "candidates" / "camille-martin" / "credentials").glob("*.json"))[0]
    revoked = run_cli("--root", str(demo), "revoke", str(credential.relative_to(demo)), "--reason", "erreur",
                      "--key", "keys/institution.key.pem", cwd=demo)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    audited = run_cli("--root", str(demo), "audit", "camille-martin", "--json")
    rows = json.loads(audited.stdout)
    assert [(row["status"], row["code"]) for row in rows if row["file"].endswith(credential.name)] == [
        ("revoked", "status.revoked")]
    assert audited.returncode == 0
    assert run_cli("--root", str(demo), "audit", "camille-martin", "--fail-on", "revoked").returncode == 1


@pytest.mark.parametrize("value", ["bogus", "valid,nope", ""])
def test_fail_on_names_verdicts_only(demo: Path, value: str):
    result = run_cli("--root", str(demo), "audit", "--fail-on", value)
    assert result.returncode == 2 and all(verdict in result.stderr for verdict in VERDICTS)
