"""Every broken input of the corpus is reported with its file and line, exit 2, no traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import copy_frameworks, run_cli

CORPUS = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yml").exists())


def materialise(case: str, root: Path) -> dict:
    """Copy a corpus case into `root` beside the shipped frameworks; return its expectation."""
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
                "wrong-date", "duplicate-slug", "not-utf8", "empty-file"}
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
