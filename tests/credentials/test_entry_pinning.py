"""Validations pin the exact entry (issue 12): each carries the digest of the entry's text
as the evaluator saw it (and the git commit, when there is one); an entry rewritten after
its validation is reported "modified after validation", and the signature still holds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.institution.issuing import committed_version
from portfolio_gen.credentials.openbadges import ENTRY_SOURCE_GENRE, digest_multibase

SLUG = "camille-martin"


@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


def validations_of(root: Path, entry: Path) -> list[Path]:
    """The validation credentials that rest on `entry` (their first evidence is its page)."""
    marker = f"/entries/{entry.stem}/"
    return [p for p in sorted((root / "candidates" / SLUG / "credentials").glob("*.json"))
            if json.loads(p.read_text("utf-8"))["evidence"][0]["id"].endswith(marker)]


def an_entry(root: Path) -> Path:
    return next(e for e in sorted((root / "candidates" / SLUG / "entries").glob("*.md")) if validations_of(root, e))


def test_each_validation_pins_its_entry_text(built_demo: Path):
    entry = an_entry(built_demo)
    for path in validations_of(built_demo, entry):
        pins = [e for e in json.loads(path.read_text("utf-8"))["evidence"] if e.get("genre") == ENTRY_SOURCE_GENRE]
        assert [p["digestMultibase"] for p in pins] == [digest_multibase(entry.read_bytes())]
        assert pins[0]["id"].endswith(f"/entries/{entry.stem}/#source")


def test_an_entry_rewritten_after_validation_is_reported_and_still_valid(demo: Path):
    entry = an_entry(demo)
    pinned = {p.name for p in validations_of(demo, entry)}
    before = json.loads(run_cli("--root", str(demo), "audit", SLUG, "--json").stdout)
    assert not any(row["entry_modified"] for row in before)
    entry.write_text(entry.read_text("utf-8") + "\nUne phrase ajoutée après la validation.\n", "utf-8")

    audit = run_cli("--root", str(demo), "audit", SLUG, "--json")
    rows = json.loads(audit.stdout)
    assert {Path(r["file"]).name for r in rows if r["entry_modified"]} == pinned
    assert all(r["status"] == "valid" for r in rows if r["entry_modified"])  # a note, not a failure
    french = run_cli("--root", str(demo), "audit", SLUG, lang="fr")
    assert "entrée modifiée après validation (validée le" in french.stdout

    one = demo / "candidates" / SLUG / "credentials" / sorted(pinned)[0]
    [report] = json.loads(run_cli("verify", str(one), "--json", cwd=demo).stdout)
    assert report["ok"] and report["modified_entries"][0].endswith(f"/entries/{entry.stem}/#source")

    assert run_cli("--root", str(demo), "build", SLUG).returncode == 0
    page = (demo / "site" / SLUG / "credentials" / one.stem / "index.html").read_text("utf-8")
    assert "data-entry-modified" in page


def test_the_git_commit_is_named_only_for_a_committed_unchanged_entry(tmp_path: Path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    entry = tmp_path / "entry.md"
    entry.write_text("texte\n", "utf-8")
    assert committed_version(entry) == ""  # not a repository
    git("init", "-q")
    git("-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "--allow-empty", "-m", "start")
    assert committed_version(entry) == ""  # untracked
    git("add", "entry.md")
    git("-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "-m", "entry")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert committed_version(entry) == head.strip()
    entry.write_text("texte changé\n", "utf-8")
    assert committed_version(entry) == ""  # the evaluator sees text no commit holds
