"""Earlier runs' temporary folders are deleted in the background (tests/housekeeping.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from housekeeping import LOCK_TIMEOUT_SECONDS, delete_in_background, stale_runs


def _runs(root: Path, *numbers: int) -> dict[int, Path]:
    runs = {}
    for number in numbers:
        folder = root / f"pytest-{number}"
        (folder / "popen-gw0" / "test_x0").mkdir(parents=True)
        (folder / "popen-gw0" / "test_x0" / "file.txt").write_text("x")
        runs[number] = folder
    return runs


def test_only_runs_beyond_the_newest_kept_and_not_in_use_are_stale(tmp_path: Path):
    runs = _runs(tmp_path, 7, 8, 9, 10, 11)
    (runs[8] / ".lock").touch()  # a session running now
    crashed = runs[7] / ".lock"
    crashed.touch()
    os.utime(crashed, (time.time() - LOCK_TIMEOUT_SECONDS - 60,) * 2)
    (tmp_path / "pytest-current").symlink_to(runs[11])
    (tmp_path / "pytest-3.txt").write_text("not a run")
    assert stale_runs(tmp_path, keep=3, now=time.time()) == [runs[7]]
    assert stale_runs(tmp_path, keep=1, now=time.time()) == [runs[7], runs[9], runs[10]]


def test_stale_runs_are_moved_aside_at_once_then_deleted(tmp_path: Path):
    runs = _runs(tmp_path, 1, 2, 3, 4, 5)
    leftover = tmp_path / "deleting-pytest-0-123"  # an earlier rm was stopped
    (leftover / "sub").mkdir(parents=True)
    process = delete_in_background(tmp_path, keep=3)
    # Gone from pytest's view as soon as the call returns: its own cleanup finds nothing.
    assert sorted(p.name for p in tmp_path.glob("pytest-*")) == ["pytest-3", "pytest-4", "pytest-5"]
    assert process is not None and process.wait(timeout=60) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pytest-3", "pytest-4", "pytest-5"]
    assert (runs[3] / "popen-gw0" / "test_x0" / "file.txt").read_text() == "x"
    assert delete_in_background(tmp_path, keep=3) is None  # nothing left to do
