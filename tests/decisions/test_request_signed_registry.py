"""`request` asks only evaluators the registry the institution signed authorises, on today's
date, and says why not (issues 29 and 31): an evaluator added to evaluators.yml since the
registry was signed is refused as well as one without rights for the framework."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from conftest import run_cli
from portfolio_gen.credentials import dids, keys

SLUG, ENTRY = "sofia-benali", "2026-01-15-conception-album"  # claims crcne:I1-I3, mention 1


def test_request_is_checked_against_the_signed_registry(built_demo: Path, tmp_path: Path):
    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, ignore=shutil.ignore_patterns("site"), symlinks=True)
    registry = yaml.safe_load((root / "evaluators.yml").read_text("utf-8"))
    newcomer = {"id": "paul-martin", "name": "Paul Martin", "keys": [dids.did_key(keys.generate_key().public_key())],
                "frameworks": [{"id": "crcne", "from": "2025-09-01"}]}
    registry["evaluators"].append(newcomer)  # in evaluators.yml, not in the signed registry.json
    (root / "evaluators.yml").write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")
    requests = root / "candidates" / SLUG / "requests"
    before = sorted(requests.glob("*.yml")) if requests.is_dir() else []

    unsigned = run_cli("--root", str(root), "request", SLUG, ENTRY, "--evaluator", "paul-martin", lang="fr")
    assert unsigned.returncode == 2
    assert "« paul-martin » ne figure pas dans le registre signé par l'établissement" in unsigned.stderr
    no_rights = run_cli("--root", str(root), "request", SLUG, ENTRY, "--evaluator", "jean-leroy")
    assert no_rights.returncode == 2 and "'jean-leroy' has no rights to evaluate crcne" in no_rights.stderr
    assert "Traceback" not in unsigned.stderr + no_rights.stderr
    assert (sorted(requests.glob("*.yml")) if requests.is_dir() else []) == before
