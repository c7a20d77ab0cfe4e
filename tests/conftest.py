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


# --- the user's home: never the real one, for the whole session (issue 26, finding 5) ----
#
# portfolio-gen keeps state in the user's cache (the registries `verify` has seen, the key
# signing the read cache). A per-test fixture came too late: session- and module-scoped
# fixtures (the demo, the README tour) ran first, against the real home, and a tour then
# failed on a machine where another run had written ~/.cache/portfolio-gen. So the home
# and every XDG folder are replaced when pytest starts, before any fixture, and every
# subprocess inherits the replacement; the run fails if the real ones changed.

HOME_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
# The harness's own settings, not the tool's: kept. Every other PORTFOLIO_GEN_* (the
# passphrase, the language...) is the user's, and would change what the tests see.
HARNESS_VARIABLES = ("PORTFOLIO_GEN_NPM_CACHE",)
# Toolchains the tests run, where the user installed them (pyenv's shims find Python
# through $HOME; npm keeps the packages the interop tests install): pointed at explicitly,
# so replacing $HOME does not break them. None of them holds portfolio-gen's state.
TOOLCHAINS = {"PYENV_ROOT": ".pyenv", "CARGO_HOME": ".cargo", "RUSTUP_HOME": ".rustup",
              "NPM_CONFIG_USERCONFIG": ".npmrc", "NPM_CONFIG_CACHE": ".npm"}
# Written by people's own shells and REPLs while a long run goes on: not the tests'.
HISTORY_FILES = {".bash_history", ".python_history", ".lesshst", ".viminfo", ".node_repl_history",
                 ".sqlite_history", ".wget-hsts", ".zsh_history"}
_saved_environment: dict[str, str | None] = {}
_real_home_state: dict[str, tuple] = {}
_session_home: list[Path] = []


def real_home_state(home: Path, xdg: dict[str, str | None]) -> dict[str, tuple]:
    """What the guard compares: every file of portfolio-gen's folders in the real home (the
    XDG ones, and any top-level entry named like it, such as ~/.portfolio-gen/), by size,
    mtime and digest; and the real home's own top-level files, by size and mtime. Other
    tools' folders (~/.ssh, ~/.npm...) are not watched: on a shared machine people and
    their programs create them while a long run goes on."""
    import hashlib

    folders = {folder / "portfolio-gen" for folder in (home / ".cache", home / ".config", home / ".local" / "share",
                                                       home / ".local" / "state")}
    folders |= {Path(value) / "portfolio-gen" for value in xdg.values() if value}
    state: dict[str, tuple] = {}
    try:
        entries = list(os.scandir(home))
    except OSError:
        entries = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if "portfolio" in entry.name.lower():
                folders.add(Path(entry.path))
        elif entry.name not in HISTORY_FILES:
            stat_result = entry.stat(follow_symlinks=False)
            state[entry.path] = (stat_result.st_size, stat_result.st_mtime_ns)
    for folder in folders:
        for directory, _, names in os.walk(folder):
            for name in names:
                path = Path(directory, name)
                try:
                    data, info = path.read_bytes(), path.stat()
                except OSError as error:
                    state[str(path)] = ("unreadable", str(error))
                    continue
                state[str(path)] = (info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())
    return state


def pytest_configure(config) -> None:
    """Before collection and every fixture: a home of the session's own, with empty XDG
    folders and a git identity, and no PORTFOLIO_GEN_* setting of the user's."""
    import tempfile

    real_home = Path(os.environ.get("HOME") or Path.home())
    _saved_environment.update({name: os.environ.get(name) for name in os.environ
                               if name.startswith("PORTFOLIO_GEN_")})
    _saved_environment.update({name: os.environ.get(name) for name in (*HOME_VARIABLES, *TOOLCHAINS)})
    _real_home_state.update(real_home_state(real_home, {n: os.environ.get(n) for n in HOME_VARIABLES[1:]}))
    home = Path(tempfile.mkdtemp(prefix="portfolio-gen-tests-home-"))
    _session_home.append(home)  # removed at the end of the session
    for name, relative in TOOLCHAINS.items():
        if not os.environ.get(name) and (real_home / relative).exists():
            os.environ[name] = str(real_home / relative)
    for name in [n for n in os.environ if n.startswith("PORTFOLIO_GEN_") and n not in HARNESS_VARIABLES]:
        del os.environ[name]
    os.environ["HOME"] = str(home)
    for name, relative in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"),
                           ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        (home / relative).mkdir(parents=True)
        os.environ[name] = str(home / relative)
    # git commits in the tests need an identity; the user's ~/.gitconfig is not read.
    (home / ".gitconfig").write_text("[user]\n\tname = portfolio-gen tests\n\temail = tests@example.org\n")


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run if anything of portfolio-gen's in the real home (or the home's own
    entries) changed while the tests ran: the isolation above leaked."""
    real_home = Path(_saved_environment.get("HOME") or Path.home())
    xdg = {name: _saved_environment.get(name) for name in HOME_VARIABLES[1:]}
    after = real_home_state(real_home, xdg)
    changed = sorted(path for path in _real_home_state.keys() | after.keys()
                     if _real_home_state.get(path) != after.get(path))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the tests changed the real home: " + ", ".join(changed)
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config) -> None:
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for home in _session_home:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch) -> None:
    """Each test its own user cache too, inside the session's home: `verify` remembers the
    registries it saw, and the copies of one demo share its keys, so a test that signs a
    newer registry would otherwise make another test's copy look replayed. Independence
    between tests, not isolation from the real home (the session gives that)."""
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
