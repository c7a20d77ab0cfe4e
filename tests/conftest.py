"""Shared fixtures: the repository's own frameworks and demo cohort, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENTIELS = REPO / "referentiels"
DEMO_CANDIDATES = REPO / "candidates"


def run_cli(*args: str, cwd: Path | None = None, lang: str = "en") -> subprocess.CompletedProcess:
    """Run the real command in a subprocess, as a user would (exit code, stdout, stderr)."""
    env = {**os.environ, "PORTFOLIO_GEN_LANG": lang}
    return subprocess.run([sys.executable, "-m", "portfolio_gen", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, env=env, timeout=300)


def age(root: Path, seconds: float = 3600) -> None:
    """Make every file old enough for its mtime to be trusted by the caches (RACY_SECONDS),
    as the files of a checked-out commit are: a session fixture may be seconds old."""
    old = time.time() - seconds
    for directory, _, names in os.walk(root):
        for name in names:
            os.utime(Path(directory, name), (old, old))


def copy_frameworks(root: Path) -> Path:
    target = root / "referentiels"
    target.mkdir(parents=True, exist_ok=True)
    for path in REFERENTIELS.glob("*.yml"):
        shutil.copyfile(path, target / path.name)
    return target


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch) -> None:
    """Each test its own user cache: `verify` remembers the newest registry it saw of an
    institution, and every demo is the same institution."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace holding the shipped frameworks."""
    copy_frameworks(tmp_path)
    (tmp_path / "candidates").mkdir()
    return tmp_path


@pytest.fixture
def demo_workspace(tmp_path: Path) -> Path:
    """A private copy of the shipped demo workspace, safe to modify."""
    copy_frameworks(tmp_path)
    shutil.copytree(DEMO_CANDIDATES, tmp_path / "candidates")
    return tmp_path


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> Path:
    """The README's main job, run once per test session: a demo workspace with keys,
    credentials and built sites. Read-only: tests that change it work on a copy."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    result = run_cli("demo", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    return root


# --- browser tests: Debian's chromium, never a downloaded one ------------------------------

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium keeps dialling out of the closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium():
    """Debian's chromium through Playwright, or a skip when either is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module: a session-wide Playwright would hold an event loop
    that asyncio-based tests elsewhere then trip over."""
    yield from chromium()
