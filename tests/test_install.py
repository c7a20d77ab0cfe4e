"""portfolio-gen installed from its wheel outside this repository (issue 30): `demo`, `init`
and `init --candidate` in an empty folder, and the candidate's CI installing the wheel the
institution's site publishes, by its signed SHA-256.

EXPENSIVE, kept as cheap as it can be: the suite's one test that builds a wheel and makes a
virtual environment. Measured on the project's 2-core machine, in CPU: the wheel ~3 s (most
of it pip installing setuptools into the build's isolated environment), the environment and
its install ~1 s, `demo` ~8 s (five sites), the rest ~5 s. To stay cheap:

- the wheel is built once, by the real build backend (`pip wheel`, isolated: setuptools
  comes from pip's configured index or cache), from a copy of the sources: what
  pyproject.toml ships (the demo cohort and the frameworks, through data/ symlinks) is
  what is installed;
- the new environment is made `--without-pip` and borrows, from the test environment, what
  the wheel's own metadata requires (its Requires-Dist, no extra, and theirs in turn) and
  pip, through a .pth naming a folder of symbolic links to them: what `pip install
  portfolio-gen` would give, nothing more (no WeasyPrint: no PDF certificates, as without
  the [pdf] extra), so a dependency the code uses but the metadata forgets fails here. pip
  installs the wheel into it with --no-deps --no-index, and the CI's own `pip install`
  finds every requirement there without an index. Nothing is downloaded, nothing of the
  repository is importable there (checked), and the commands run from an empty folder;
- `demo` runs through the installed `portfolio-gen` script (the entry point pip wrote),
  with --jobs 1 (five sites in one process: worker processes would each load the site
  engine and draw the same badges); the CI's install step runs in bash, as written. The
  other commands (`init`, `init --candidate`, `check`, the guide's plain blocks) go, as
  conftest.run_cli does, through click's CliRunner, but inside one Python process of the
  new environment (`installed`: its portfolio_gen, checked to be the wheel's, with the
  whole environment a new process would get), not one Python start-up per command.

The French candidate guide runs there too, from an empty folder, its blocks extracted by
the guides' runner (tests/docs/runnable.py), so the guide and this test cannot drift; its
`portfolio-gen demo` gets a copy of the demo this environment's `portfolio-gen demo` made
(one demo for the module, not two); its blocks that are not plain `portfolio-gen` lines
run in bash with the installed script.
"""

from __future__ import annotations

import email
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portfolio_gen.core import toolwheel

sys.path.insert(0, str(Path(__file__).parent / "docs"))
from runnable import run_page  # noqa: E402  (the guides' runner)

REPO = Path(__file__).resolve().parent.parent
# What a build of the project reads: the package (whose data/ links reach the frameworks,
# themes and the demo cohort), and what pyproject.toml names.
SOURCES = ("pyproject.toml", "README.md", "portfolio-gen.yml", "portfolio_gen", "candidates", "referentiels", "themes")
SITE = "https://portfolios.example.org/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built by its build backend from a copy of the sources."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".portfolio-gen"))
        else:
            shutil.copyfile(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                           capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert built.returncode == 0, built.stdout + built.stderr
    [path] = out.glob("portfolio_gen-*.whl")
    return path


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed and, borrowed from the test
    environment, what the wheel requires and pip (see the module's docstring); its bin/."""
    prefix = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=120)
    python = prefix / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    borrowed = prefix / "borrowed"
    borrowed.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    needed = [*_requirements(_requires_dist(wheel)).values(), metadata.distribution("pip")]
    for name in sorted({top for distribution in needed for top in _top_level(distribution, ours)}):
        (borrowed / name).symlink_to(ours / name)
    (purelib / "borrowed.pth").write_text(f"{borrowed}\n", "utf-8")
    (prefix / "bin" / "pip").write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n', "utf-8")
    (prefix / "bin" / "pip").chmod(0o755)
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return prefix / "bin"


def _requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name)).get_all("Requires-Dist") or []


def _requirements(requirements: list[str]) -> dict[str, metadata.Distribution]:
    """The distributions of this environment that `requirements` need (no extra but
    those they name), and theirs in turn, each checked against the version asked for."""
    found: dict[str, metadata.Distribution] = {}
    expanded: set[tuple[str, str]] = set()
    pending = [(Requirement(text), frozenset({""})) for text in requirements]
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker is not None and not any(requirement.marker.evaluate({"extra": e}) for e in extras):
            continue
        name = canonicalize_name(requirement.name)
        distribution = found.get(name) or metadata.distribution(requirement.name)
        assert requirement.specifier.contains(distribution.version, prereleases=True), (requirement,
                                                                                        distribution.version)
        found[name] = distribution
        wanted = frozenset({"", *requirement.extras}) - {extra for n, extra in expanded if n == name}
        expanded.update((name, extra) for extra in wanted)
        if wanted:
            pending += [(Requirement(text), wanted) for text in distribution.requires or ()]
    return found


def _top_level(distribution: metadata.Distribution, site_packages: Path) -> set[str]:
    """The entries of site-packages a distribution installed (its packages, modules and
    .dist-info), but .pth files and what lies outside (scripts)."""
    tops = {file.parts[0] for file in distribution.files or () if file.parts[0] not in ("..", "__pycache__")
            and not file.name.endswith(".pth")}
    assert tops and all((site_packages / top).exists() for top in tops), (distribution.metadata["Name"], tops)
    return tops


@pytest.fixture(scope="module")
def installed(fresh: Path, tmp_path_factory):
    """One Python process of the new environment that runs `portfolio-gen ARGS` commands
    (see _Installed): the installed tool without a Python start-up per command."""
    with _Installed(fresh, tmp_path_factory.mktemp("installed")) as server:
        yield server


@pytest.fixture(scope="module")
def played(fresh: Path, tmp_path_factory) -> Path:
    """An empty folder where the installed tool played its demo, in practice/."""
    outside = tmp_path_factory.mktemp("empty")
    played = _ok(fresh, outside, "portfolio-gen demo practice --jobs 1")
    assert "certificate" in played
    return outside


def _environment(bin_folder: Path) -> dict[str, str]:
    # No PYTHONPATH, no index: only the new environment's portfolio-gen can answer.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{bin_folder}{os.pathsep}{env['PATH']}", PORTFOLIO_GEN_LANG="en", PIP_NO_INDEX="1")
    return env


def _run(bin_folder: Path, cwd: Path, command: str) -> subprocess.CompletedProcess:
    env = _environment(bin_folder)
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def _ok(bin_folder: Path, cwd: Path, command: str) -> str:
    done = _run(bin_folder, cwd, command)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_wheel_ships_the_demo_cohort_and_the_frameworks(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"portfolio_gen/data/demo/{p.relative_to(REPO).as_posix()}" for p in (REPO / "candidates").rglob("*")
               if p.is_file()}
    assert shipped and shipped <= names
    assert {f"portfolio_gen/data/referentiels/{p.name}" for p in (REPO / "referentiels").glob("*.yml")} <= names
    assert "portfolio_gen/data/demo/portfolio-gen.yml" in names


def test_installed_elsewhere_it_plays_the_demo_and_makes_workspaces_and_repositories(fresh: Path, wheel: Path,
                                                                                  played: Path, installed):
    outside = played
    where = _ok(fresh, outside, "python -c 'import portfolio_gen; print(portfolio_gen.__file__)'")
    assert where.startswith(str(fresh.parent)) and str(REPO) not in where

    # The practice workspace, from the cohort inside the package.
    assert (outside / "practice/site/camille-martin/index.html").is_file()
    published = outside / "practice/site/institution/tool" / toolwheel.wheel_name()
    assert published.is_file()

    # A cohort workspace: its CI installs the tool's wheel kept in tool/, by its digest.
    _cli(installed, outside, "init", "cohort")
    kept = outside / "cohort/tool" / toolwheel.wheel_name()
    assert kept.read_bytes() == published.read_bytes()  # the same tool packs the same bytes
    assert _wheel_files(kept) == _wheel_files(wheel)  # what pip installed, packed again

    # A candidate's repository from the institution's published site: its CI installs the
    # wheel the institution published, by URL, only with the digest it signed.
    _cli(installed, outside, "init", "elise", "--candidate", "Élise Durand", "--institution", "practice/site",
         "--framework", "c2i2e", "--email", "elise.durand@example.fr")
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    line = f"portfolio-gen @ {SITE}institution/tool/{published.name} --hash=sha256:{digest}"
    requirements = outside / "elise/requirements.txt"
    assert line in requirements.read_text("utf-8").splitlines()
    _cli(installed, outside / "elise", "check")

    # Its CI's install step, explicitly from the local site folder instead of https (the
    # test has no network), into this environment (same version: nothing to download).
    requirements.write_text(requirements.read_text("utf-8").replace(SITE, (outside / "practice/site").as_uri() + "/"),
                            "utf-8")
    workflow = (outside / "elise/.github/workflows/portfolio.yml").read_text("utf-8")
    install = workflow.split("id: install\n        run: |\n", 1)[1].split("\n      - ", 1)[0]
    _ok(fresh, outside / "elise", "\n".join(line.strip() for line in install.splitlines()))
    assert (outside / "elise/.portfolio-gen/tool" / published.name).read_bytes() == published.read_bytes()


def test_installed_elsewhere_the_french_candidate_guide_runs_as_written(fresh: Path, played: Path, installed,
                                                                       tmp_path: Path):
    """Issue 30: a reader who installed the wheel follows the French candidate guide from an
    empty folder: every visible block, in order, with the installed portfolio-gen."""
    guide = REPO / "docs" / "guides" / "candidate.fr.md"
    before = len(installed.commands)
    outputs = run_page(guide, tmp_path, demo=played / "practice", bin_folder=fresh, env=_environment(fresh),
                       invoke=installed)
    assert len(installed.commands) > before, "no block of the guide ran in the new environment's process"
    assert any("marie-dupont" in output for output in outputs)  # the request waits in her queue
    assert (tmp_path / "entrainement/site/elise-durand/index.html").is_file()


# Runs in the new environment: `portfolio-gen ARGS` through click's CliRunner, one command
# per line of JSON on stdin ({args, cwd, env}: its folder and its whole environment), its
# outcome on the stdout it had at start (the commands' own output, and their children's,
# goes to stderr), as conftest.run_cli does.
_SERVER = r"""
import gc, json, os, sys, traceback
reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
from click.testing import CliRunner
import portfolio_gen
from portfolio_gen.cli import main
reply.write(json.dumps({"file": portfolio_gen.__file__, "path": sys.path}) + "\n")
reply.flush()
thresholds = gc.get_threshold()
for line in sys.stdin:
    request = json.loads(line)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        result = CliRunner().invoke(main, request["args"], catch_exceptions=True)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    reply.write(json.dumps({"code": code, "stdout": result.stdout, "stderr": stderr}) + "\n")
    reply.flush()
"""


class _Installed:
    """The guides' runner's `invoke`, answered by one Python process of the new environment."""

    def __init__(self, bin_folder: Path, cwd: Path) -> None:
        self.bin_folder, self.cwd, self.commands = bin_folder, cwd, []

    def __enter__(self) -> "_Installed":
        self.errors = tempfile.TemporaryFile("w+", encoding="utf-8")  # no pipe to fill
        self.process = subprocess.Popen([str(self.bin_folder / "python"), "-c", _SERVER], cwd=self.cwd,
                                        env=_environment(self.bin_folder), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors, text=True, encoding="utf-8")
        # Never a hung test: the process is killed after the module's longest command timeout.
        self.watchdog = threading.Timer(600, self.process.kill)
        self.watchdog.start()
        started = self._receive()
        where = started["file"]
        assert where.startswith(str(self.bin_folder.parent)) and str(REPO) not in where, where
        assert not [entry for entry in started["path"] if entry and Path(entry).resolve().is_relative_to(REPO)]
        return self

    def __call__(self, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        self.commands.append(args)
        # The environment a new process would have now (the test's own user cache), and `env`.
        request = {"args": args, "cwd": str(cwd), "env": {**_environment(self.bin_folder), **env}}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        done = self._receive()
        return subprocess.CompletedProcess(["portfolio-gen", *args], done["code"], done["stdout"], done["stderr"])

    def _receive(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            self.process.wait()
            self.errors.seek(0)
            raise AssertionError(f"the new environment's process ended: {self.errors.read()[-3000:]}")
        return json.loads(line)

    def __exit__(self, *exc) -> None:
        self.watchdog.cancel()
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        finally:
            self.process.kill()
            self.process.stdout.close()
            self.errors.close()


def _cli(installed: "_Installed", cwd: Path, *args: str) -> str:
    done = installed(list(args), cwd, {})
    assert done.returncode == 0, f"portfolio-gen {args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _wheel_files(path: Path) -> dict[str, bytes]:
    """A wheel's files but its RECORD and WHEEL, which say who packed it."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if not name.endswith((".dist-info/RECORD", ".dist-info/WHEEL"))}
