"""portfolio-gen installed from its wheel outside this repository (issue 30): `demo`, `init`
and `init --candidate` in an empty folder, and the candidate's CI installing the wheel the
institution's site publishes, by its signed SHA-256.

EXPENSIVE, kept as cheap as it can be: the suite's one test that builds a wheel and makes a
virtual environment. Measured on the project's 2-core machine: about 20 s in all when it is
quiet (the wheel ~5 s, the environment and its install ~2 s, the commands ~12 s, most of it
`demo` building five sites), up to 45 s while other work loads it. To stay cheap:

- the wheel is built once, by the real build backend (`pip wheel`, isolated: setuptools
  comes from pip's configured index or cache), from a copy of the sources: what
  pyproject.toml ships (the demo cohort and the frameworks, through data/ symlinks) is
  what is installed;
- the new environment is made `--without-pip` and borrows the test environment's
  third-party packages through a .pth naming a folder of symbolic links to them, with
  portfolio-gen's own (an editable install of this repository) left out; pip installs the
  wheel into it with --no-deps --no-index. Nothing is downloaded, nothing of the
  repository is importable there (checked), and the commands run from an empty folder.

The French candidate guide runs there too, from an empty folder, its blocks extracted by
the guides' runner (tests/docs/runnable.py), so the guide and this test cannot drift; its
`portfolio-gen demo` gets a copy of the demo this environment's `portfolio-gen demo` made
(one demo for the module, not two: about 12 s).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

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
    """A new virtual environment with the wheel installed and the test environment's
    other packages borrowed (see the module's docstring); its bin/ folder."""
    prefix = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=120)
    python = prefix / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    borrowed = prefix / "borrowed"
    borrowed.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if "portfolio_gen" not in entry.name and not entry.name.endswith(".pth"):
            (borrowed / entry.name).symlink_to(entry)
    (purelib / "borrowed.pth").write_text(f"{borrowed}\n", "utf-8")
    (prefix / "bin" / "pip").write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n', "utf-8")
    (prefix / "bin" / "pip").chmod(0o755)
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return prefix / "bin"


@pytest.fixture(scope="module")
def played(fresh: Path, tmp_path_factory) -> Path:
    """An empty folder where the installed tool played its demo, in practice/."""
    outside = tmp_path_factory.mktemp("empty")
    played = _ok(fresh, outside, "portfolio-gen demo practice")
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
                                                                                  played: Path):
    outside = played
    where = _ok(fresh, outside, "python -c 'import portfolio_gen; print(portfolio_gen.__file__)'")
    assert where.startswith(str(fresh.parent)) and str(REPO) not in where

    # The practice workspace, from the cohort inside the package.
    assert (outside / "practice/site/camille-martin/index.html").is_file()
    published = outside / "practice/site/institution/tool" / toolwheel.wheel_name()
    assert published.is_file()

    # A cohort workspace: its CI installs the tool's wheel kept in tool/, by its digest.
    _ok(fresh, outside, "portfolio-gen init cohort")
    kept = outside / "cohort/tool" / toolwheel.wheel_name()
    assert kept.read_bytes() == published.read_bytes()  # the same tool packs the same bytes
    assert _wheel_files(kept) == _wheel_files(wheel)  # what pip installed, packed again

    # A candidate's repository from the institution's published site: its CI installs the
    # wheel the institution published, by URL, only with the digest it signed.
    _ok(fresh, outside, "portfolio-gen init elise --candidate 'Élise Durand' --institution practice/site "
                        "--framework c2i2e --email elise.durand@example.fr")
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    line = f"portfolio-gen @ {SITE}institution/tool/{published.name} --hash=sha256:{digest}"
    requirements = outside / "elise/requirements.txt"
    assert line in requirements.read_text("utf-8").splitlines()
    _ok(fresh, outside / "elise", "portfolio-gen check")

    # Its CI's install step, explicitly from the local site folder instead of https (the
    # test has no network), into this environment (same version: nothing to download).
    requirements.write_text(requirements.read_text("utf-8").replace(SITE, (outside / "practice/site").as_uri() + "/"),
                            "utf-8")
    workflow = (outside / "elise/.github/workflows/portfolio.yml").read_text("utf-8")
    install = workflow.split("id: install\n        run: |\n", 1)[1].split("\n      - ", 1)[0]
    _ok(fresh, outside / "elise", "\n".join(line.strip() for line in install.splitlines()))
    assert (outside / "elise/.portfolio-gen/tool" / published.name).read_bytes() == published.read_bytes()


def test_installed_elsewhere_the_french_candidate_guide_runs_as_written(fresh: Path, played: Path, tmp_path: Path):
    """Issue 30: a reader who installed the wheel follows the French candidate guide from an
    empty folder: every visible block, in order, with the installed portfolio-gen."""
    guide = REPO / "docs" / "guides" / "candidate.fr.md"
    outputs = run_page(guide, tmp_path, demo=played / "practice", bin_folder=fresh, env=_environment(fresh))
    assert any("marie-dupont" in output for output in outputs)  # the request waits in her queue
    assert (tmp_path / "entrainement/site/elise-durand/index.html").is_file()


def _wheel_files(path: Path) -> dict[str, bytes]:
    """A wheel's files but its RECORD and WHEEL, which say who packed it."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if not name.endswith((".dist-info/RECORD", ".dist-info/WHEEL"))}
