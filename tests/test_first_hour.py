"""What a new user meets in the first hour (issue 18): init, new, status, request, review,
keys: each point of the issue that broke, as the user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from portfolio_gen.core.registry import load_registry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run_cli("init", str(root)).returncode == 0
    return root


def cli(root: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    return run_cli("--root", str(root), *args, lang=lang)


def test_init_scaffolds_settings_and_registry_that_load_and_no_example_candidate(workspace: Path):
    settings = load_settings(workspace)
    assert settings.institution.id.startswith("did:web:") and settings.site_base_url.endswith("/")
    assert load_registry(workspace, load_workspace(workspace).frameworks).evaluators == ()
    # the scaffolded files explain themselves: the next steps are named in their comments
    assert "registry sign" in (workspace / "evaluators.yml").read_text("utf-8")
    assert "keys did-web" in (workspace / "portfolio-gen.yml").read_text("utf-8")
    assert json.loads(cli(workspace, "status", "--json").stdout) == []
    assert json.loads(cli(workspace, "report").stdout)["rows"] == []


def test_a_missing_settings_file_points_to_init_not_to_a_missing_subcommand(tmp_path: Path):
    result = run_cli("--root", str(tmp_path), "registry", "sign", "--key", str(REPO / "README.md"))
    assert result.returncode == 2
    assert "portfolio-gen new ..." not in result.stderr and "portfolio-gen init" in result.stderr


def test_status_after_new_entry_says_the_claim_sits_in_a_draft(workspace: Path):
    cli(workspace, "new", "candidate", "Élise Durand", "--framework", "c2i2e", "--email", "elise@ac-test.fr")
    cli(workspace, "new", "entry", "elise-durand", "SIG", "--claim", "c2i2e:B2.3")
    text = cli(workspace, "status").stdout
    assert "0 of 27 items claimed in public entries" in text and "1 in drafts" in text
    assert "rule needs 23" in text
    assert "1 dans des brouillons" in cli(workspace, "status", lang="fr").stdout
    row = json.loads(cli(workspace, "status", "--json").stdout)[0]
    assert (row["claimed_public"], row["claimed_in_drafts"], row["refused"]) == (0, 1, [])


def test_new_candidate_invents_no_address_and_refuses_a_malformed_one(workspace: Path):
    cli(workspace, "new", "candidate", "Élise Durand", "--framework", "c2i2e")
    profile = (workspace / "candidates/elise-durand/candidate.yml").read_text("utf-8")
    assert "example.org" not in profile.split("private:")[1].split("#")[0]
    assert load_workspace(workspace).candidates["elise-durand"].private == {}
    bad = cli(workspace, "new", "candidate", "Jean Test", "--framework", "c2i2e", "--email", "not an address")
    assert bad.returncode == 2 and "email" in bad.stderr
    assert not (workspace / "candidates/jean-test").exists()
    good = cli(workspace, "new", "candidate", "Jean Test", "--framework", "c2i2e", "--email", "jean@ac-test.fr")
    assert good.returncode == 0 and "email: jean@ac-test.fr" in \
        (workspace / "candidates/jean-test/candidate.yml").read_text("utf-8")


def _registered(workspace: Path) -> None:
    (workspace / "evaluators.yml").write_text(
        "evaluators:\n  - id: marie-dupont\n    name: Marie Dupont\n"
        "    keys: [did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK]\n"
        "    frameworks: [{id: c2i2e, from: 2025-09-01, role: referent}]\n", "utf-8")


def test_request_for_an_entry_without_claims_is_refused_and_writes_nothing(workspace: Path):
    _registered(workspace)
    cli(workspace, "new", "candidate", "Élise Durand", "--framework", "c2i2e", "--email", "e@ac-test.fr")
    entry = next((workspace / "candidates/elise-durand/entries").glob("*.md"))
    result = cli(workspace, "request", "elise-durand", entry.stem, "--evaluator", "marie-dupont")
    assert result.returncode == 2 and "claims none" in result.stderr
    assert not (workspace / "candidates/elise-durand/requests").exists() or \
        not any((workspace / "candidates/elise-durand/requests").iterdir())
    assert cli(workspace, "check").returncode == 0


def test_request_accepts_the_entry_file_name_and_names_its_file_without_a_repeated_date(workspace: Path):
    _registered(workspace)
    cli(workspace, "new", "candidate", "Élise Durand", "--framework", "c2i2e", "--email", "e@ac-test.fr")
    cli(workspace, "new", "entry", "elise-durand", "SIG", "--date", "2026-01-15", "--claim", "c2i2e:B2.3")
    result = cli(workspace, "request", "elise-durand", "2026-01-15-sig.md", "--evaluator", "marie-dupont")
    assert result.returncode == 0, result.stderr
    import datetime as dt
    assert Path(result.stdout.strip()).name == f"{dt.date.today().isoformat()}-sig-marie-dupont.yml"


def test_review_says_so_when_nothing_waits(workspace: Path):
    _registered(workspace)
    result = cli(workspace, "review", "--evaluator", "marie-dupont")
    assert result.returncode == 0 and "Nothing waits for marie-dupont" in result.stdout


def test_keys_new_without_a_terminal_explains_how_to_give_the_passphrase(tmp_path: Path):
    env_free = subprocess.run([sys.executable, "-m", "portfolio_gen", "keys", "new", str(tmp_path / "k.pem")],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=tmp_path,
                              env={"PATH": "/usr/bin:/bin", "PORTFOLIO_GEN_LANG": "en"})
    assert env_free.returncode == 2 and "Aborted" not in env_free.stderr
    assert "--passphrase-file" in env_free.stderr and "PORTFOLIO_GEN_PASSPHRASE" in env_free.stderr
    assert not (tmp_path / "k.pem").exists()


def test_check_warns_when_a_candidate_site_url_would_be_replaced(workspace: Path):
    cli(workspace, "new", "candidate", "Élise Durand", "--framework", "c2i2e", "--email", "e@ac-test.fr")
    profile = workspace / "candidates/elise-durand/candidate.yml"
    assert "site_url:" not in profile.read_text("utf-8")  # the workspace decides where sites live
    profile.write_text(profile.read_text("utf-8") + "site_url: https://elise.example.net/\n", "utf-8")
    result = cli(workspace, "check", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and [p["code"] for p in report["problems"]] == ["candidate.site_url_ignored"]
    assert "https://portfolios.example.org/elise-durand/" in report["problems"][0]["message"]
