"""Every broken input of the corpus is reported with its file and line, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_frameworks, run_cli

CORPUS = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yml").exists())


def materialise(case: str, root: Path) -> dict:
    """Copy a corpus case into `root` beside the shipped frameworks; return its expectation.

    `symlink:` maps a path under the candidate folder to a link's target, as written: git
    does not keep links to folders or loops well (`evidence/loop: .` is a loop)."""
    shutil.copytree(CORPUS / case, root, dirs_exist_ok=True)
    copy_frameworks(root)
    expected = yaml.safe_load((root / "expected.yml").read_text("utf-8"))
    for link, target in (expected.get("symlink") or {}).items():
        path = root / "candidates" / "alex" / link
        path.parent.mkdir(parents=True, exist_ok=True)  # git does not keep empty folders
        os.symlink(target, path)
    return expected


def test_corpus_covers_every_kind_of_broken_input():
    required = {"malformed-yaml", "unknown-item", "missing-evidence", "evidence-dotdot", "evidence-symlink",
                "wrong-date", "duplicate-slug", "not-utf8", "empty-file", "symlink-loop", "symlink-loop-referenced",
                "symlink-folder-outside"}
    assert required <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_broken_input_is_located_and_explained(case: str, tmp_path: Path):
    expected = materialise(case, tmp_path)
    result = run_cli("--root", str(tmp_path), "check", "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert not report["ok"]
    matching = [p for p in report["problems"] if p["code"] == expected["key"]]
    assert matching, report["problems"]
    problem = matching[0]
    assert problem["file"] == expected["file"]
    assert problem["line"] == expected["line"]
    assert problem["message"] and problem["hint"]


@pytest.mark.parametrize("case", ["unknown-item", "wrong-date"])
def test_text_report_names_file_line_and_fix_in_french(case: str, tmp_path: Path):
    expected = materialise(case, tmp_path)
    result = run_cli("--root", str(tmp_path), "check", lang="fr")
    assert result.returncode == 2
    location = f"{expected['file']}:{expected['line']}: erreur"
    assert location in result.stderr
    assert "conseil" in result.stderr


def test_unknown_item_suggests_the_nearest_codes(tmp_path: Path):
    materialise("unknown-item", tmp_path)
    result = run_cli("--root", str(tmp_path), "check", "--json")
    problem = next(p for p in json.loads(result.stdout)["problems"] if p["code"] == "claim.unknown_item")
    assert "c2i2e:B2.3" in problem["hint"] or "c2i2e:B2.4" in problem["hint"]


def test_symlink_inside_the_folder_is_accepted(tmp_path: Path):
    materialise("evidence-symlink", tmp_path)
    link = tmp_path / "candidates/alex/evidence/link.txt"
    link.unlink()
    (tmp_path / "candidates/alex/evidence/real.txt").write_text("plan", "utf-8")
    os.symlink("real.txt", link)
    result = run_cli("--root", str(tmp_path), "check", "--json")
    assert result.returncode == 0, result.stdout


LINK_CASES = ["symlink-loop", "symlink-loop-referenced", "symlink-folder-outside", "evidence-symlink"]


@pytest.mark.parametrize("case", LINK_CASES)
def test_build_reports_a_bad_link_as_bad_input_not_a_traceback(case: str, tmp_path: Path):
    """Issue 27: a link loop passed check and crashed build with ELOOP (site/fingerprint.py)."""
    expected = materialise(case, tmp_path)
    result = run_cli("--root", str(tmp_path), "build")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    location = f"{expected['file']}:{expected['line']}" if expected["line"] else f"{expected['file']}:"
    assert location in result.stderr, result.stderr


def _run_bounded(*args: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess, killed after a minute: opening a FIFO would block
    it forever (in this process, it would block the test run)."""
    root = Path(args[args.index("--root") + 1])
    return subprocess.run([sys.executable, "-m", "portfolio_gen", *args], capture_output=True, text=True,
                          cwd=root, env={**os.environ, "PORTFOLIO_GEN_LANG": "en"}, timeout=60)


def test_a_fifo_in_a_candidate_folder_is_reported_never_opened(tmp_path: Path):
    materialise("symlink-loop", tmp_path)
    alex = tmp_path / "candidates" / "alex"
    (alex / "evidence" / "loop").unlink()
    os.mkfifo(alex / "evidence" / "pipe")
    os.mkfifo(alex / "entries" / "notes.md")  # an entry's name: the reader must not open it
    (alex / "requests").mkdir()
    os.mkfifo(alex / "requests" / "2026-01-20-ask.yml")
    result = _run_bounded("--root", str(tmp_path), "check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    warned = {p["file"]: p["code"] for p in json.loads(result.stdout)["problems"]}
    assert warned == {f"candidates/alex/{name}": "folder.special_file"
                      for name in ("evidence/pipe", "entries/notes.md", "requests/2026-01-20-ask.yml")}
    built = _run_bounded("--root", str(tmp_path), "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "site" / "alex" / "index.html").is_file()


def test_a_fifo_named_as_evidence_is_an_error_at_the_entry(tmp_path: Path):
    materialise("symlink-loop", tmp_path)
    alex = tmp_path / "candidates" / "alex"
    (alex / "evidence" / "loop").unlink()
    (alex / "evidence" / "plan.txt").unlink()
    os.mkfifo(alex / "evidence" / "plan.txt")
    result = _run_bounded("--root", str(tmp_path), "check", "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["file"], p["line"]) for p in problems] == [
        ("evidence.not_file", "candidates/alex/entries/seance.md", 8)]
    assert _run_bounded("--root", str(tmp_path), "build").returncode == 2


def test_a_candidate_file_that_is_a_fifo_is_an_error(tmp_path: Path):
    materialise("symlink-loop", tmp_path)
    alex = tmp_path / "candidates" / "alex"
    (alex / "evidence" / "loop").unlink()
    (alex / "candidate.yml").unlink()
    os.mkfifo(alex / "candidate.yml")
    result = _run_bounded("--root", str(tmp_path), "check", "--json")
    assert result.returncode == 2, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["file"], p["severity"]) for p in problems] == [
        ("folder.special_file", "candidates/alex/candidate.yml", "error")]
    built = _run_bounded("--root", str(tmp_path), "build")
    assert built.returncode == 2 and "Traceback" not in built.stderr, built.stdout + built.stderr
