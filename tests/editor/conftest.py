"""A copy of the built demo, a git repository, with the editor (and the review app) running on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from review.conftest import RunningApp as Running, start_app, stop, wait_for_url

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Candidate", "GIT_AUTHOR_EMAIL": "candidate@example.org",
                "GIT_COMMITTER_NAME": "Candidate", "GIT_COMMITTER_EMAIL": "candidate@example.org"}


def start_editor(root: Path, lang: str) -> Running:
    env = {**os.environ, "PORTFOLIO_GEN_LANG": lang, **GIT_IDENTITY}
    process = subprocess.Popen([sys.executable, "-m", "portfolio_gen", "--root", str(root), "--lang", lang, "edit",
                                "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True)
    return Running(root, wait_for_url(process), process)


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory) -> str:
    """axe-core, the run's one install (test_accessibility.axe_script)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
    import test_accessibility  # imported here: at conftest import, the session's home is not made yet
    return test_accessibility.axe_script(tmp_path_factory).read_text("utf-8")


@pytest.fixture(scope="module")
def editor_workspace(built_demo, tmp_path_factory) -> Path:
    """The demo's institution, evaluators and signed registry, without its candidates (the
    review app's queue reads every one): candidates are added by the page. A PNG trace of
    the demo waits beside it, for the page to upload."""
    folder = tmp_path_factory.mktemp("editor")
    root = folder / "demo"
    shutil.copytree(built_demo, root, ignore=shutil.ignore_patterns("site", "candidates"))
    (root / "candidates").mkdir()
    shutil.copyfile(built_demo / "candidates" / "sofia-benali" / "evidence" / "fluence-avant-apres.png",
                    folder / "fluence-avant-apres.png")
    remote = folder / "shared.git"  # where "publish" pushes: the institution's shared repository
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, capture_output=True)
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=Demo", "-c", "user.email=demo@example.org",
                                                   "commit", "-qm", "demo"), ("remote", "add", "origin", str(remote)),
                 ("push", "-q", "-u", "origin", "HEAD")):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def editors(editor_workspace):
    """One editor per language on the same workspace."""
    running = {lang: start_editor(editor_workspace, lang) for lang in ("fr", "en")}
    try:
        yield running
    finally:
        for app in running.values():
            stop(app.process)


@pytest.fixture(scope="module")
def reviewer(editor_workspace):
    key = editor_workspace / "keys" / "marie-dupont.key.pem"
    process = start_app(editor_workspace, "--key", str(key))
    try:
        yield Running(editor_workspace, wait_for_url(process), process)
    finally:
        stop(process)
