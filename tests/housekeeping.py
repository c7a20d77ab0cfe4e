"""Earlier runs' temporary folders are deleted after the run, in the background (issue 27).

pytest keeps the last three runs' temporary folders (`tmp_path_retention_count`) and, at
the end of each session, deletes the older ones inside the session, after the last test
and before the summary. A run of this suite leaves some 250,000 files there (copies of
the demo and its built sites): deleting one earlier run took 27 s on one core of this
machine (the session's finish at 0c62128, timed), a fourteenth of the run spent with
the tests over. Here the same folders, chosen by pytest's own rules (numbered
`pytest-N` beyond the newest `keep`, none whose `.lock` says a session still uses it),
are renamed aside, which is instant, and deleted by a detached `rm` at the lowest CPU
priority; pytest then finds nothing left to delete. Folders a stopped `rm` left behind
are handed to the next one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

# pytest's LOCK_TIMEOUT: a `.lock` older than this was left by a session that crashed.
LOCK_TIMEOUT_SECONDS = 3 * 24 * 3600
NUMBERED = re.compile(r"pytest-(\d+)")
MOVED = "deleting-"


def stale_runs(root: Path, keep: int, now: float) -> list[Path]:
    """The numbered folders pytest would delete: all but the newest `keep`, and none that
    a running session holds."""
    numbered = {}
    for entry in root.iterdir():
        match = NUMBERED.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            numbered[int(match[1])] = entry
    newest = max(numbered, default=0)
    return [path for number, path in sorted(numbered.items())
            if number <= newest - keep and not _in_use(path, now)]


def _in_use(folder: Path, now: float) -> bool:
    try:
        return now - (folder / ".lock").stat().st_mtime < LOCK_TIMEOUT_SECONDS
    except FileNotFoundError:
        return False
    except OSError:
        return True  # not knowing, leave it to pytest


def delete_in_background(root: Path, keep: int) -> subprocess.Popen | None:
    """Move the stale runs aside and start deleting them, with what an earlier `rm` left."""
    rm = shutil.which("rm")
    if rm is None:
        return None  # pytest deletes them itself, as before
    moved = sorted(root.glob(f"{MOVED}*"))
    for folder in stale_runs(root, keep, time.time()):
        target = root / f"{MOVED}{folder.name}-{os.getpid()}"
        try:
            folder.rename(target)
        except OSError:
            continue
        moved.append(target)
    if not moved:
        return None
    return subprocess.Popen([rm, "-rf", "--", *map(str, moved)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=lambda: os.nice(19))


@pytest.hookimpl(tryfirst=True)  # before pytest's own cleanup (its tmpdir plugin)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or config.option.basetemp:
        return  # a worker's folder is the controller's; a folder given is not numbered
    keep = int(config.getini("tmp_path_retention_count"))
    if config.getini("tmp_path_retention_policy") == "none" or keep < 1:
        return
    # The factory's folder, if this session made one (the attribute xdist reads too).
    basetemp = getattr(getattr(config, "_tmp_path_factory", None), "_basetemp", None)
    if basetemp is not None and NUMBERED.fullmatch(basetemp.name):
        delete_in_background(basetemp.parent, keep)
