"""The README's main job: the demo plays the whole process and builds every site."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "demo"
    result = run_cli("demo", str(target), cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_every_demo_credential_counts(demo: Path):
    result = run_cli("--root", str(demo), "audit", "--json")
    rows = json.loads(result.stdout)
    assert result.returncode == 0
    kinds = sorted({row["kind"] for row in rows})
    assert kinds == ["attestation", "certificate", "validation"]
    assert all(row["status"] == "valid" for row in rows)


def test_every_candidate_has_a_site(demo: Path):
    candidates = sorted(p.name for p in (REPO / "candidates").iterdir() if p.is_dir())
    assert sorted(p.name for p in (demo / "site").iterdir() if (p / "index.html").exists()) == candidates


def test_keys_stay_private_and_out_of_the_sites(demo: Path):
    for key in (demo / "keys").iterdir():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((demo / "keys").stat().st_mode) == 0o700
    for path in (demo / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"PRIVATE KEY" not in data and b".key.pem" not in data, path


def test_running_the_demo_again_replaces_it_but_never_another_folder(demo: Path, tmp_path: Path):
    again = run_cli("demo", str(demo), cwd=REPO)
    assert again.returncode == 0, again.stderr
    (tmp_path / "mine.txt").write_text("keep me", "utf-8")
    refused = run_cli("demo", str(tmp_path), cwd=REPO)
    assert refused.returncode == 2 and (tmp_path / "mine.txt").exists()
