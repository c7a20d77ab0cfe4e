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


# How many xdist workers -n auto starts (scheduling), and earlier runs' temporary folders
# deleted after the run rather than in it (housekeeping).
pytest_plugins = ("scheduling", "housekeeping")


def run_cli(*args: str, cwd: Path | None = None, lang: str = "en",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command in this process through click's CliRunner: exit code, stdout and
    stderr as a user would see them, without starting Python again (a second or more per
    call, hundreds of calls). An exception the command lets escape is reported as the
    interpreter would: exit 1 and its traceback on stderr, so "no traceback" tests hold.
    `run_cli_process` keeps the real entry point honest. `env`: more variables, set for
    the command only (PORTFOLIO_GEN_LANG is `lang`'s unless `env` says otherwise)."""
    import gc
    import threading
    import traceback

    from click.testing import CliRunner

    from portfolio_gen.cli import main

    # CliRunner swaps sys.stdout and os.environ for the whole process: two threads would
    # read each other's output. Concurrent commands are processes (run_cli_process).
    assert threading.current_thread() is threading.main_thread(), "run_cli from a thread: use run_cli_process"
    thresholds = gc.get_threshold()
    previous = os.getcwd()
    os.chdir(cwd or working_folder())
    try:
        result = CliRunner().invoke(main, list(args), env={"PORTFOLIO_GEN_LANG": lang, **(env or {})},
                                    catch_exceptions=True)
    finally:
        os.chdir(previous)
        # The command tunes the collector for one big cohort and exits; here the process goes on.
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_tb(result.exc_info[2]))
        stderr += f"{type(result.exception).__name__}: {result.exception}\n"
        code = 1
    return subprocess.CompletedProcess(["portfolio-gen", *args], code, result.stdout, stderr)


def run_cli_process(*args: str, cwd: Path | None = None, lang: str = "en") -> subprocess.CompletedProcess:
    """Run the real command in a subprocess, as a user would (exit code, stdout, stderr)."""
    env = {**os.environ, "PORTFOLIO_GEN_LANG": lang}
    return subprocess.run([sys.executable, "-m", "portfolio_gen", *args], cwd=cwd or working_folder(),
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


def shipped_candidate(root: Path, slug: str) -> Path:
    """The repository's settings and frameworks with one shipped candidate, whose
    credentials are removed (a test signs its own), copied into `root`."""
    for name in ("portfolio-gen.yml", "referentiels"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    shutil.copytree(DEMO_CANDIDATES / slug, root / "candidates" / slug)
    shutil.rmtree(root / "candidates" / slug / "credentials", ignore_errors=True)
    return root

def loopback_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for https://127.0.0.1 (cert.pem, key.pem in
    `folder`), for the tests that serve https locally."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def serve_over_tls(server, folder: Path):
    """Serve `server` (an http.server, bound to 127.0.0.1) over TLS with a loopback
    certificate made in `folder`, in a thread; yields (its https base URL, the certificate
    file a client must trust), then shuts it down."""
    import ssl
    import threading

    cert_file, key_file = loopback_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert_file
    server.shutdown()


AWARD_TYPES = ("Certificate", "ext:Attestation")


def award_credentials(root: Path, slug: str) -> dict[str, dict]:
    """Award id -> credential, for the candidate's certificates and attestations."""
    import json

    found = {}
    for path in (root / "candidates" / slug / "credentials").glob("*.json"):
        credential = json.loads(path.read_text("utf-8"))
        if credential["credentialSubject"]["achievement"].get("achievementType") in AWARD_TYPES:
            found[credential["id"]] = credential
    return found


def demo_before_the_commission(built_demo: Path, root: Path) -> Path:
    """A copy of the built demo in `root`, without the awards its own `certify` issued: a
    commission's story starts from there."""
    shutil.copytree(built_demo, root, symlinks=True)
    for slug_folder in (root / "candidates").iterdir():
        for award_id in award_credentials(root, slug_folder.name):
            (slug_folder / "credentials" / f"{award_id.removeprefix('urn:uuid:')}.json").unlink()
    return root


# --- a candidate written file by file, for tests of what the readers make of it -------

PROFILE = """name: Alex Test
role: etudiant-meef
institution: INSPÉ
language: fr
frameworks:
{frameworks}
private: {{email: alex@example.org}}
"""


def write_candidate(root: Path, frameworks: str = "  - id: c2i2e", entries: dict[str, str] | None = None) -> Path:
    folder = root / "candidates" / "alex"
    (folder / "entries").mkdir(parents=True)
    (folder / "candidate.yml").write_text(PROFILE.format(frameworks=frameworks), "utf-8")
    for name, text in (entries or {}).items():
        (folder / "entries" / name).write_text(text, "utf-8")
    return folder


def entry(claims: str, visibility: str = "public", phase: str = "", extra: str = "") -> str:
    """An entry's text; `extra` holds more front-matter lines (`trainer: marie\\n`)."""
    phase_line = f"phase: {phase}\n" if phase else ""
    return (f"---\ntitle: T\ndate: 2026-02-01\nsituation: formation\n{phase_line}{extra}claims:\n{claims}\n"
            f"visibility: {visibility}\n---\nRetour réflexif.\n")


# --- the user's home: never the real one, for the whole session (issue 26, finding 5) ----
#
# portfolio-gen keeps state in the user's cache (the registries `verify` has seen, the key
# signing the read cache). A per-test fixture came too late: session- and module-scoped
# fixtures (the demo, the README tour) ran first, against the real home, and a tour then
# failed on a machine where another run had written ~/.cache/portfolio-gen. So the home
# and every XDG folder are replaced when pytest starts, before any fixture, and every
# subprocess inherits the replacement; the run fails if the real ones changed.

HOME_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
# What the tool reads besides the home (tests/test_isolation.py keeps this list complete):
# the language (i18n.user_language), and git's own variables for the commands that run
# git, where GIT_DIR or GIT_WORK_TREE would point every test at the developer's repository.
LANGUAGE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
ISOLATED_PREFIXES = ("PORTFOLIO_GEN_", "GIT_")
# The harness's own settings, not the tool's: kept. Every other PORTFOLIO_GEN_* (the
# passphrase, the language...) is the user's, and would change what the tests see.
HARNESS_VARIABLES = ("PORTFOLIO_GEN_NPM_CACHE", "PORTFOLIO_GEN_TEST_ARTIFACTS", "PORTFOLIO_GEN_SCREENSHOTS")
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
_repository_state: dict[str, tuple] = {}
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
    folders and a git identity, no PORTFOLIO_GEN_* or GIT_* setting of the user's, a fixed
    locale, and a working folder of its own. Each xdist worker makes its own again (the
    controller watches the real home and the repository)."""
    import tempfile

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    real_home = Path(os.environ.get("HOME") or Path.home())
    _saved_environment.update({name: os.environ.get(name) for name in os.environ
                               if name.startswith(ISOLATED_PREFIXES)})
    _saved_environment.update({name: os.environ.get(name)
                               for name in (*HOME_VARIABLES, *TOOLCHAINS, *LANGUAGE_VARIABLES)})
    _saved_environment["cwd"] = os.getcwd()
    if not worker:
        _real_home_state.update(real_home_state(real_home, {n: os.environ.get(n) for n in HOME_VARIABLES[1:]}))
        _repository_state.update(repository_state(REPO))
    home = Path(tempfile.mkdtemp(prefix="portfolio-gen-tests-home-"))
    _session_home.append(home)  # removed at the end of the session
    for name, relative in TOOLCHAINS.items():
        if not os.environ.get(name) and (real_home / relative).exists():
            os.environ[name] = str(real_home / relative)
    for name in [n for n in os.environ if n.startswith(ISOLATED_PREFIXES) and n not in HARNESS_VARIABLES]:
        del os.environ[name]
    for name in LANGUAGE_VARIABLES:
        os.environ.pop(name, None)
    os.environ["LC_ALL"] = "C.UTF-8"  # not a language of the tool's: each test says which it wants
    os.environ["HOME"] = str(home)
    for name, relative in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"),
                           ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        (home / relative).mkdir(parents=True)
        os.environ[name] = str(home / relative)
    # git commits in the tests need an identity; the user's ~/.gitconfig is not read.
    (home / ".gitconfig").write_text("[user]\n\tname = portfolio-gen tests\n\temail = tests@example.org\n")
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    # A command run without --root works on the shipped demo, in a copy of the session's:
    # what it writes (the read cache, a site) never lands in the repository.
    work = home / "work"
    copy_frameworks(work)
    shutil.copytree(DEMO_CANDIDATES, work / "candidates")
    shutil.copyfile(REPO / "portfolio-gen.yml", work / "portfolio-gen.yml")


@pytest.fixture(autouse=True, scope="session")
def in_the_working_folder():
    """Tests run in the session's working folder: a relative path a command writes lands
    there. Not entered in pytest_configure: xdist workers collect relative to where pytest
    started."""
    os.chdir(working_folder())
    yield
    os.chdir(_saved_environment.get("cwd") or REPO)


def artifacts_folder() -> Path:
    """Where the browser tests leave their screenshots: $PORTFOLIO_GEN_TEST_ARTIFACTS to keep
    them (`PORTFOLIO_GEN_TEST_ARTIFACTS=test-artifacts bash scripts/test`), else the
    session's temporary home, removed after the run."""
    chosen = os.environ.get("PORTFOLIO_GEN_TEST_ARTIFACTS")
    folder = Path(_saved_environment.get("cwd") or REPO, chosen) if chosen else _session_home[0] / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


# The guides' screenshots: every page kind at 1280 and 390 px (NAME.png, NAME-390.png).
DOC_IMAGE_SIZES = {"": (1280, 800), "-390": (390, 844)}


def doc_images_folder() -> Path:
    """docs/images/ when asked (PORTFOLIO_GEN_SCREENSHOTS=1, as scripts/doc-images does), else
    the run's artifacts: other runs leave git clean."""
    folder = REPO / "docs" / "images" if os.environ.get("PORTFOLIO_GEN_SCREENSHOTS") == "1" \
        else artifacts_folder() / "docs-images"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot_for_docs(page, name: str) -> list[str]:
    """Screenshots of the page, from its top, at each of DOC_IMAGE_SIZES; the names taken.
    The viewport is left at the last size (a phone's)."""
    taken = []
    for suffix, (width, height) in DOC_IMAGE_SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(doc_images_folder() / f"{name}{suffix}.png"))
        taken.append(f"{name}{suffix}.png")
    return taken


def working_folder() -> Path:
    """The session's working folder: a copy of the repository's shipped workspace."""
    return _session_home[0] / "work"


REPOSITORY_SKIPPED = {".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache", "node_modules"}
# The verifier bundle's own build folder (scripts/build-verifier compiles the schema there;
# the bundle test rebuilds it), an install like .venv and node_modules.
REPOSITORY_BUILD_FOLDERS = {REPO / "verifier" / "build"}


def repository_state(root: Path) -> dict[str, tuple]:
    """Size and mtime of every file of the repository but git's, the virtual environment and
    the tools' own caches: a test that writes its output here (a read cache, a site, a
    screenshot) left the temporary folders."""
    state: dict[str, tuple] = {}
    kept = os.environ.get("PORTFOLIO_GEN_TEST_ARTIFACTS")  # asked for: the screenshots' folder
    kept_folder = os.path.realpath(os.path.join(_saved_environment.get("cwd") or root, kept)) if kept else None
    for directory, folders, names in os.walk(root):
        folders[:] = [f for f in folders if f not in REPOSITORY_SKIPPED and not f.endswith(".egg-info")
                      and os.path.realpath(os.path.join(directory, f)) != kept_folder
                      and Path(directory, f) not in REPOSITORY_BUILD_FOLDERS]
        for name in names:
            try:
                info = os.lstat(os.path.join(directory, name))
            except OSError:
                continue
            state[os.path.join(directory, name)] = (info.st_size, info.st_mtime_ns)
    return state


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run if anything of portfolio-gen's in the real home (or the home's own
    entries), or any file of the repository, changed while the tests ran: the isolation
    above leaked. (Another program writing there meanwhile is reported the same way.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    real_home = Path(_saved_environment.get("HOME") or Path.home())
    xdg = {name: _saved_environment.get(name) for name in HOME_VARIABLES[1:]}
    changed = _changes(_real_home_state, real_home_state(real_home, xdg))
    changed += _changes(_repository_state, repository_state(REPO))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the tests changed files outside their temporary folders: " + ", ".join(changed)
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _changes(before: dict, after: dict) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def pytest_unconfigure(config) -> None:
    os.chdir(_saved_environment.pop("cwd", str(REPO)))
    for name in [n for n in os.environ if n.startswith(ISOLATED_PREFIXES) and n not in _saved_environment]:
        del os.environ[name]
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for home in _session_home:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def run_cache_key(tmp_path_factory) -> bytes:
    """One key for signing read-cache rows (core.cachestore) for the whole run, every
    worker's and every test's: the verdicts the shared demo's build cached then hold in
    every copy of it, instead of each test verifying the cohort's credentials again
    (a new key per test made every cached row foreign). Tests of the cache's own keys
    set theirs (tests/core/test_readcache.py, tests/credentials/test_verdicts.py)."""
    import secrets

    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = folder.parent
    path = folder / "run-cache-key"
    # Written whole beside it, then linked in place: a worker reads the whole key or none.
    draft = folder / f"run-cache-key.{os.getpid()}"
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(secrets.token_bytes(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker's is the run's
    finally:
        draft.unlink()
    key = path.read_bytes()
    _give_cache_key(Path(os.environ["XDG_CACHE_HOME"]), key)
    return key


def _give_cache_key(cache: Path, key: bytes) -> None:
    folder = cache / "portfolio-gen"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(folder / "cache-key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch, run_cache_key: bytes) -> None:
    """Each test its own user cache too, inside the session's home: `verify` remembers the
    registries it saw, and the copies of one demo share its keys, so a test that signs a
    newer registry would otherwise make another test's copy look replayed. Independence
    between tests, not isolation from the real home (the session gives that). The cache
    key is the run's (run_cache_key)."""
    cache = tmp_path_factory.mktemp("user-cache")  # beside tmp_path: a test may list all it holds
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    _give_cache_key(cache, run_cache_key)


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
    """The README's main job, run once per test run: a demo workspace with keys,
    credentials and built sites. Read-only: tests that change it work on a copy."""
    def make(root: Path) -> None:
        # One build at a time, in this process (as tests/test_install.py plays it): a pool's
        # workers would each load MkDocs again, and this worker's later builds reuse it warm.
        result = run_cli("demo", str(root), "--jobs", "1")
        assert result.returncode == 0, result.stdout + result.stderr

    root = made_once_per_run(tmp_path_factory, "demo", make)
    before = _digests(root)
    yield root
    # Shared by every test of this worker: one that writes into it changes what the next
    # ones see, and they fail or pass by the order they ran in. Such a test works on a copy.
    after = _digests(root)
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert not changed, f"a test changed the shared built_demo (work on a copy): {changed[:20]}"


def made_once_per_run(tmp_path_factory, name: str, make) -> Path:
    """`make(folder)` run once for the whole run, not once per xdist worker (the demo costs
    8 s of CPU, four workers made it four times): the first worker to ask makes it in the
    run's shared temporary folder, under a lock the others wait on, and every worker gets
    a copy of its own (a `build` in the copy finds its sites up to date, as in the
    original: the records of a site inside the workspace move with it). Without xdist,
    made in place."""
    import fcntl
    import json

    own = tmp_path_factory.mktemp(name) / name
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        make(own)
        return own
    shared = tmp_path_factory.getbasetemp().parent / "shared" / name
    shared.parent.mkdir(exist_ok=True)
    done, counters = shared.with_name(f"{name}.done"), shared.with_name(f"{name}.counters")
    with open(shared.with_name(f"{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():  # a worker whose make failed left no mark: made again
            shutil.rmtree(shared, ignore_errors=True)
            before = _status_counters()
            make(shared)
            counters.write_text(json.dumps({k: v for k, v in _status_counters().items() if before.get(k) != v}))
            done.touch()
    shutil.copytree(shared, own, symlinks=True)
    # The status counters of the keys `make` signed with go with the copy, as the docs ask
    # of a key moved to another machine (docs/credentials.md): another worker is another
    # machine, and its next certificate would take a bit the demo's credentials carry.
    from portfolio_gen.institution.revocation import counters_folder
    for counter, value in json.loads(counters.read_text()).items():
        path = counters_folder() / counter
        if not path.exists() or int(path.read_text() or 0) < int(value):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(value)
    return own


def _status_counters() -> dict[str, str]:
    from portfolio_gen.institution.revocation import counters_folder
    folder = counters_folder()
    return {path.name: path.read_text() for path in folder.glob("*.next")} if folder.is_dir() else {}


def _digests(root: Path) -> dict[str, str]:
    """Every file under `root` by its content's digest, but the workspace's read cache
    (.portfolio-gen/), which reading commands fill as they should."""
    import hashlib
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*") if path.is_file() and not path.is_symlink()
            and not path.relative_to(root).as_posix().startswith(".portfolio-gen/")}


@pytest.fixture(scope="session")
def arabic_demo(built_demo: Path, tmp_path_factory) -> Path:
    """The built demo said in Arabic (issue 30): its French candidates' sites and the
    institution's pages with `language: ar`, the settings signed again by the institution,
    and built. Read-only, as built_demo."""
    def make(root: Path) -> None:
        shutil.copytree(built_demo, root, symlinks=True)
        for path in sorted((root / "candidates").glob("*/candidate.yml")):
            path.write_text(path.read_text("utf-8").replace("\nlanguage: fr\n", "\nlanguage: ar\n"), "utf-8")
        settings = root / "portfolio-gen.yml"
        settings.write_text(settings.read_text("utf-8") + "\nlanguage: ar\n", "utf-8")
        for args in (("institution", "sign", "--key", "keys/institution.key.pem"), ("build",)):
            result = run_cli(*args, cwd=root)
            assert result.returncode == 0, result.stdout + result.stderr

    return made_once_per_run(tmp_path_factory, "arabic", make)


@pytest.fixture(scope="session")
def js_stack(tmp_path_factory):
    """digitalbazaar's JS stack (tests/interop/js_stack.py), for the interop tests and the
    review app's: in $PORTFOLIO_GEN_NPM_CACHE/interop, or installed once for the run."""
    from interop.js_stack import JsStack, default_folder, node_available

    if not node_available():
        pytest.skip("node/npm not installed: digitalbazaar's JS stack cannot run")
    return JsStack.install(default_folder() or made_once_per_run(tmp_path_factory, "npm-interop", JsStack.install))


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


@pytest.fixture(scope="session")
def _worker_chromium():
    yield from chromium()


@pytest.fixture(scope="module")
def browser(_worker_chromium):
    """One chromium per worker, shared by its modules (starting Playwright's driver and
    the browser costs more than a second of CPU, and some fifty modules use one), with
    whatever a module opened in it closed when the module ends: a page left running its
    scripts would take CPU from every later test. Playwright's event loop then runs in
    the worker's main thread for the rest of the session: a test that needs asyncio.run
    of its own runs it in a thread (tests/i18n/test_languages_throughout.py)."""
    yield _worker_chromium
    for context in _worker_chromium.contexts:
        context.close()
