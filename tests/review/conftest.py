"""A demo workspace with one new entry asked of Marie Dupont, and the review app running on it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_cli

SLUG, ENTRY, EVALUATOR = "lea-petit", "2026-03-10-remediation-lecture", "marie-dupont"
# Request files are named <day asked>-<entry without its date>-<evaluator> (issue 18).
ENTRY_TOPIC = ENTRY[len("2026-03-10-"):]
# A new CRCNÉ candidate beside the demo's: `sign` and `refuse` decline an item the same
# evaluator already decided (issue 18), so the demo's own candidates have nothing left here.
VALIDATED_ITEM, REFUSED_ITEM = "crcne:I1", "crcne:I2"
PROFILE = """name: Léa Petit
role: etudiant-meef
institution: INSPÉ de l'académie d'Amiens
language: fr
site_url: https://portfolios.example.org/lea-petit/
frameworks:
- id: crcne
  mention: 1
private:
  email: lea.petit@example.fr
"""
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"

ENTRY_TEXT = f"""---
title: Remédiation en lecture avec un lecteur audio
date: 2026-03-10
situation: professionnelle
phase: conception
claims:
- item: {VALIDATED_ITEM}
  level: avance
  justification: Le lecteur audio répond au besoin repéré par la grille d'observation.
- item: {REFUSED_ITEM}
  level: confirme
  justification: Scénario en trois séances.
evidence:
- path: evidence/fluence-avant-apres.png
  title: Fluence avant et après
- path: evidence/grille-observation.txt
  title: Grille d'observation
- path: evidence/schema.svg
  title: Schéma
visibility: public
---
J'ai conçu une **remédiation** en lecture, en trois séances. {HOSTILE}

| séance | objectif |
| --- | --- |
| 1 | écoute de modèles |
| 2 | enregistrement |
"""
HOSTILE_SVG = "<svg xmlns='http://www.w3.org/2000/svg'><script>document.title='pwned'</script></svg>\n"


@pytest.fixture
def review_workspace(built_demo, tmp_path) -> Path:
    """A copy of the demo, a git repository, with a new entry and a request for it."""
    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, ignore=shutil.ignore_patterns("site"))
    folder = root / "candidates" / SLUG
    (folder / "entries").mkdir(parents=True)
    (folder / "candidate.yml").write_text(PROFILE, "utf-8")
    (folder / "evidence").mkdir()
    for trace in ("fluence-avant-apres.png", "grille-observation.txt"):
        shutil.copyfile(root / "candidates" / "sofia-benali" / "evidence" / trace, folder / "evidence" / trace)
    (folder / "evidence" / "schema.svg").write_text(HOSTILE_SVG, "utf-8")
    (folder / "entries" / f"{ENTRY}.md").write_text(ENTRY_TEXT, "utf-8")
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=Demo", "-c", "user.email=demo@example.org",
                                                   "commit", "-qm", "demo")):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    result = run_cli("--root", str(root), "request", SLUG, ENTRY, "--evaluator", EVALUATOR, "--message",
                     "Merci de regarder la séance 1")
    assert result.returncode == 0, result.stderr
    return root


@dataclass
class RunningApp:
    root: Path
    url: str  # with the session token
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        return re.match(r"http://[^/]+", self.url).group(0)

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])


def start_app(root: Path, *args: str, lang: str = "en", evaluator: str = EVALUATOR) -> subprocess.Popen:
    env = {**os.environ, "PORTFOLIO_GEN_LANG": lang, "GIT_AUTHOR_NAME": "Marie Dupont",
           "GIT_AUTHOR_EMAIL": "marie@example.org", "GIT_COMMITTER_NAME": "Marie Dupont",
           "GIT_COMMITTER_EMAIL": "marie@example.org"}
    return subprocess.Popen([sys.executable, "-m", "portfolio_gen", "--root", str(root), "review", "--serve",
                             "--evaluator", evaluator, "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def wait_for_url(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(process.stderr.read())
        found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
        if found:
            url = found.group(0)
            _wait_listening(url)
            return url
    raise AssertionError("the review app printed no URL")


def _wait_listening(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url.split("?")[0], timeout=2)
        except urllib.error.HTTPError:
            return  # 401 without the cookie: it answers
        except OSError:
            time.sleep(0.2)
        else:
            return


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@pytest.fixture
def review_app(review_workspace):
    key = review_workspace / "keys" / f"{EVALUATOR}.key.pem"
    process = start_app(review_workspace, "--key", str(key))
    try:
        yield RunningApp(review_workspace, wait_for_url(process), process)
    finally:
        stop(process)


def written_files(root: Path) -> set[Path]:
    """Every decision file of the candidate: what a refused request must leave unchanged."""
    folder = root / "candidates" / SLUG
    return {p for sub in ("credentials", "decisions") for p in (folder / sub).glob("*") if p.is_file()}
