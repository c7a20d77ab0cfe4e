"""The `portfolio` plugin from a plain mkdocs.yml, through MkDocs' own command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from htmltree import parse
from sitefixtures import site_workspace  # noqa: F401 - fixture


def mkdocs_build(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml")],
                          capture_output=True, text=True, timeout=120)


def write_project(root: Path, docs_dir: str) -> Path:
    project = root / "site-src"
    (project / "docs").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(
        f"site_name: Alice\ndocs_dir: {docs_dir}\ntheme: {{name: material, language: fr}}\n"
        f"plugins:\n  - portfolio:\n      workspace: {root}\n      candidate: alice-durand\n  - search\n", "utf-8")
    return project


def test_plain_mkdocs_yml_builds_the_candidate_site(site_workspace):
    project = write_project(site_workspace, "docs")
    run = mkdocs_build(project)
    assert run.returncode == 0, run.stderr
    matrix = parse(project / "site" / "mini" / "index.html")
    assert [row.attrs["data-state"] for row in matrix.find_all("tr", cls="pf-row")] == ["claimed", "claimed", "missing"]


def test_docs_dir_inside_the_candidate_folder_is_refused(site_workspace):
    project = write_project(site_workspace, str(site_workspace / "candidates" / "alice-durand"))
    run = mkdocs_build(project)
    assert run.returncode != 0 and "overlaps the candidate folder" in run.stderr
