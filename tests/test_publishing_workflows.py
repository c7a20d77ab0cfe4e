"""The CI files `init` writes publish from git: their shell steps, run here on the demo,
check, build and verify the sites (everything but deploying). The install step's `pip
download` runs as written: it takes the workspace's own wheel (tool/) only if its SHA-256
is the one requirements.txt names; installing it is tests/test_install.py's (a fresh
virtual environment: here it would replace the test environment's portfolio-gen)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import pytest
import yaml

from conftest import run_cli
from portfolio_gen.core import toolwheel
from portfolio_gen.core.files import sha256_file
from portfolio_gen.core.scaffold import write_ci_files
from portfolio_gen.site.builder import Shard

GITHUB = ".github/workflows/portfolio.yml"
GITLAB = ".gitlab-ci.yml"


def _github_steps(root: Path) -> list[dict]:
    workflow = yaml.safe_load((root / GITHUB).read_text("utf-8"))
    return workflow["jobs"]["build"]["steps"]


def _gitlab_script(root: Path) -> list[str]:
    return yaml.safe_load((root / GITLAB).read_text("utf-8"))["pages"]["script"]


def _installs(line: str) -> bool:
    return line.startswith("pip ")


INSTALL = ["pip download --no-deps --require-hashes -r requirements.txt -d .portfolio-gen/tool",
           "pip install .portfolio-gen/tool/*.whl"]


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def _checkout(built_demo: Path, root: Path, slugs: Iterable[str] | None = None, shards: int = 1) -> Path:
    """The demo's repository as a CI job checks it out: the built demo without its sites,
    with the CI files `init` writes. With `slugs`, only those candidates: a build costs a
    few seconds of CPU per candidate, and a test that looks at one candidate's site needs
    that one built, not the cohort (every site of the demo is verified by
    tests/test_verify_site.py)."""
    kept = None if slugs is None else set(slugs)

    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder) == built_demo:
            return ["site"] if "site" in names else []
        if kept is not None and Path(folder) == built_demo / "candidates":
            return [name for name in names if name not in kept]
        return []

    shutil.copytree(built_demo, root, symlinks=True, ignore=ignore)
    if kept is not None:
        assert sorted(p.name for p in (root / "candidates").iterdir()) == sorted(kept)
    write_ci_files(root, shards=shards)
    return root


@pytest.fixture
def demo_repo(built_demo: Path, tmp_path: Path) -> Path:
    return _checkout(built_demo, tmp_path / "repo")


def test_init_writes_both_workflows_installing_the_workspaces_own_wheel_by_its_digest(tmp_path: Path):
    result = run_cli("init", str(tmp_path / "ws"))
    assert result.returncode == 0, result.stderr
    root = tmp_path / "ws"
    install = next(step for step in _github_steps(root) if step.get("id") == "install")
    assert install["run"].splitlines() == INSTALL  # never a release of a package index
    assert _gitlab_script(root)[:2] == INSTALL
    wheel = root / "tool" / toolwheel.wheel_name()
    assert f"./tool/{wheel.name} --hash=sha256:{sha256_file(wheel)}" in \
        (root / "requirements.txt").read_text("utf-8").splitlines()
    uploads = [step for step in _github_steps(root) if step.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert uploads[0]["with"]["path"] == "site"
    gitlab = yaml.safe_load((root / GITLAB).read_text("utf-8"))["pages"]
    assert gitlab["artifacts"]["paths"] == ["public"]


def test_the_github_workflow_steps_build_and_verify_the_demo(built_demo: Path, tmp_path: Path):
    demo_repo = _checkout(built_demo, tmp_path / "repo", ["camille-martin"])
    steps = [step["run"] for step in _github_steps(demo_repo) if "run" in step and step.get("id") != "install"]
    assert any("verify" in step for step in steps)
    for step in steps:
        result = _run(step, demo_repo)
        assert result.returncode == 0, f"{step}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert (demo_repo / "site" / "camille-martin" / "index.html").is_file()
    assert (demo_repo / "site" / ".well-known" / "did.json").is_file()


def test_the_gitlab_job_publishes_public(built_demo: Path, tmp_path: Path):
    demo_repo = _checkout(built_demo, tmp_path / "repo", ["sofia-benali"])
    for line in [line for line in _gitlab_script(demo_repo) if not _installs(line)]:
        result = _run(line, demo_repo)
        assert result.returncode == 0, f"{line}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert (demo_repo / "public" / "sofia-benali" / "index.html").is_file()


def test_the_install_step_takes_the_signed_wheel_and_refuses_another(demo_repo: Path):
    """The workflow's `pip download` as written (pip's --no-index only: the file is local):
    the demo's institution signed its manifest, which put the running tool's wheel in
    tool/ and named its digest in requirements.txt."""
    download = INSTALL[0] + " --no-index"
    wheel = demo_repo / "tool" / toolwheel.wheel_name()
    taken = _run(download, demo_repo)
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert (demo_repo / ".portfolio-gen/tool" / wheel.name).read_bytes() == wheel.read_bytes()
    shutil.rmtree(demo_repo / ".portfolio-gen/tool")
    wheel.write_bytes(wheel.read_bytes() + b"\0")  # a wheel changed since it was pinned
    refused = _run(download, demo_repo)
    assert refused.returncode != 0 and "THESE PACKAGES DO NOT MATCH THE HASHES" in refused.stderr
    assert not list((demo_repo / ".portfolio-gen").glob("tool/*.whl"))


def test_a_broken_portfolio_stops_the_workflow_before_anything_is_published(demo_repo: Path):
    entry = sorted((demo_repo / "candidates" / "camille-martin" / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text("utf-8").replace("visibility: public", "visibility: everyone", 1), "utf-8")
    check = next(step["run"] for step in _github_steps(demo_repo) if step.get("name", "").startswith("Check"))
    assert _run(check, demo_repo).returncode == 2
    assert not (demo_repo / "site").exists()


# --- a large cohort: sharded builds (init --shards N) -----------------------------------

SHARDS = 2  # as many jobs as it takes to merge disjoint outputs: each job costs a build
# The demo's candidates, the cheapest to build first (a few seconds of CPU each).
CHEAPEST_FIRST = ["thomas-lefevre", "sofia-benali", "nadia-el-idrissi", "julien-moreau", "camille-martin"]


def _one_candidate_per_shard() -> list[str]:
    """A cohort in which each shard holds exactly one candidate: every job builds a site
    and the merge joins one from each, at the cost of SHARDS candidates (the whole demo
    if its candidates cannot fill every shard)."""
    cohort = []
    for index in range(1, SHARDS + 1):
        held = [slug for slug in CHEAPEST_FIRST if Shard(index, SHARDS).holds(slug)]
        if not held:
            return CHEAPEST_FIRST
        cohort.append(held[0])
    return cohort


@pytest.fixture
def sharded_repo(built_demo: Path, tmp_path: Path) -> Path:
    assert sorted(CHEAPEST_FIRST) == sorted(p.name for p in (built_demo / "candidates").iterdir())
    return _checkout(built_demo, tmp_path / "repo", _one_candidate_per_shard(), shards=SHARDS)


def _merge(parts: list[Path], target: Path) -> None:
    for part in parts:
        shutil.copytree(part, target, dirs_exist_ok=True)


def test_init_with_shards_writes_a_build_matrix(tmp_path: Path):
    result = run_cli("init", str(tmp_path / "ws"), "--shards", "4")
    assert result.returncode == 0, result.stderr
    workflow = yaml.safe_load((tmp_path / "ws" / GITHUB).read_text("utf-8"))
    assert workflow["jobs"]["build"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    upload = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["include-hidden-files"] is True  # .well-known/did.json travels too
    assert yaml.safe_load((tmp_path / "ws" / GITLAB).read_text("utf-8"))["build"]["parallel"] == 4


def test_the_sharded_github_jobs_build_every_candidate_once_and_verify_the_merge(sharded_repo: Path):
    workflow = yaml.safe_load((sharded_repo / GITHUB).read_text("utf-8"))
    runs = lambda job: [s["run"] for s in workflow["jobs"][job]["steps"] if "run" in s and s.get("id") != "install"]
    [check] = runs("check")
    assert _run(check, sharded_repo).returncode == 0
    [build] = runs("build")
    parts = []
    for shard in range(1, SHARDS + 1):  # each matrix job in its own checkout
        job = sharded_repo.parent / f"job-{shard}"
        shutil.copytree(sharded_repo, job)
        result = _run(build.replace("${{ matrix.shard }}", str(shard)), job)
        assert result.returncode == 0, result.stdout + result.stderr
        parts.append(job / "site")
    slugs = [path.parent.name for part in parts for path in part.glob("*/verification.json")]
    assert sorted(slugs) == sorted(p.name for p in (sharded_repo / "candidates").iterdir())  # each once
    _merge(parts, sharded_repo / "site")
    [verify] = runs("publish")
    result = _run(verify, sharded_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (sharded_repo / "site" / ".well-known" / "did.json").is_file()


def test_the_parallel_gitlab_jobs_build_every_candidate_once_and_pages_verifies(sharded_repo: Path):
    gitlab = yaml.safe_load((sharded_repo / GITLAB).read_text("utf-8"))
    parts = []
    for index in range(1, gitlab["build"]["parallel"] + 1):
        job = sharded_repo.parent / f"gitlab-{index}"
        shutil.copytree(sharded_repo, job)
        for line in [line for line in gitlab["build"]["script"] if not _installs(line)]:
            result = _run(f"CI_NODE_INDEX={index} CI_NODE_TOTAL={SHARDS}; {line}", job)
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        parts.append(job / "public")
    slugs = [path.parent.name for part in parts for path in part.glob("*/verification.json")]
    assert sorted(slugs) == sorted(p.name for p in (sharded_repo / "candidates").iterdir())
    _merge(parts, sharded_repo / "public")
    for line in [line for line in gitlab["pages"]["script"] if not _installs(line)]:
        result = _run(line, sharded_repo)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"


def test_a_candidate_repository_from_an_https_site_refreshes_before_building(tmp_path: Path):
    write_ci_files(tmp_path, refresh_from="https://portfolios.example.org/")
    steps = _github_steps(tmp_path)
    names = [step.get("id") or step.get("name") for step in steps]
    assert names.index("refresh") < names.index("Check every portfolio")
    refresh = next(step for step in steps if step.get("id") == "refresh")
    assert refresh["run"] == "portfolio-gen institution update --allow-network"
    workflow = yaml.safe_load((tmp_path / GITHUB).read_text("utf-8"))
    assert workflow[True]["schedule"]  # weekly, so the revocation list never lapses ("on" reads as True)
    script = _gitlab_script(tmp_path)
    assert script.index("portfolio-gen institution update --allow-network") < script.index("portfolio-gen check")
