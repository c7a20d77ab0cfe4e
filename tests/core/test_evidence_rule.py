"""One rule for what a trace may be (issue 31): `check` warns about a file already in the
folder, and the editor refuses the same upload before writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import entry, run_cli, write_candidate
from portfolio_gen.core.portfolios import MAX_EVIDENCE_BYTES, unfit_evidence
from portfolio_gen.editor.uploads import Upload, upload_problems

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
CASES = {  # file name -> (content, why it is not a trace)
    "page.png": (b"<html><script>alert(1)</script></html>", "not_what_it_says"),
    "vide.pdf": (b"", "empty"),
    "outil.exe": (b"MZ\x90\x00", "bad_type"),
    "capture.png": (PNG, ""),
    "notes.txt": ("Notes de séance".encode(), ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_warns_about_what_the_editor_refuses(workspace: Path, name: str):
    content, reason = CASES[name]
    evidence = f"evidence:\n  - title: Trace\n    path: evidence/{name}\n"
    folder = write_candidate(workspace, entries={"2026-02-01-t.md": entry("  - c2i2e:A1.1", extra=evidence)})
    (folder / "evidence").mkdir()
    (folder / "evidence" / name).write_bytes(content)

    result = run_cli("check", cwd=workspace)

    assert result.returncode == 0, result.stdout + result.stderr  # a warning: the file is already there
    if reason:
        assert f"evidence/{name}" in result.stdout + result.stderr
        assert "2026-02-01-t.md" in result.stdout + result.stderr
    refused = [problem.key for problem in upload_problems(Upload(name, content))]
    assert refused == ([f"editor.upload.{reason}"] if reason else [])
    assert unfit_evidence(name, len(content), content[:8]) == reason


def test_the_size_cap_is_the_same_for_both():
    assert unfit_evidence("scan.pdf", MAX_EVIDENCE_BYTES, b"%PDF-1.7") == ""
    assert unfit_evidence("scan.pdf", MAX_EVIDENCE_BYTES + 1, b"%PDF-1.7") == "too_large"
