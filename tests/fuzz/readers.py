"""Every reader of user files, as a function of the file's bytes, and a seed for each.

A reader may accept the input or report problems (InputError, a list of Problem, an
invalid Verdict); any other outcome (an exception escaping, a hang) is a bug.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

from portfolio_gen.core.frameworks import load_frameworks
from portfolio_gen.core.portfolios import read_candidate
from portfolio_gen.core.problems import InputError, Problem
from portfolio_gen.core.records import read_records
from portfolio_gen.core.registry import load_registry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.verify import read_credential, verify_credential

REPO = Path(__file__).resolve().parents[2]
CANDIDATE = """name: Alex Test
role: enseignant
institution: Collège Test
language: fr
frameworks:
  - id: c2i2e
  - id: crcne
    mention: 1
bio: Une **bio** courte.
"""
ENTRY = """---
title: Activité test
date: 2026-01-15
situation: professionnelle
claims:
  - item: c2i2e:B2.3
    justification: Parce que.
  - crcne:I1
evidence:
  - url: https://example.org/a
    title: Lien
visibility: public
tags: [sig, 3e]
---
# Corps

Du *Markdown* avec <b>HTML</b>.
"""
SEEDS = {
    "framework": (REPO / "referentiels" / "pix-edu.yml").read_bytes(),
    "candidate": CANDIDATE.encode(),
    "entry": ENTRY.encode(),
    "self-assessment": next((REPO / "candidates" / "camille-martin" / "self-assessments").glob("*.yml")).read_bytes(),
    "request": b"entry: activite-test\nevaluator: marie-dupont\nitems: [c2i2e:B2.3]\ndate: 2026-02-01\nmessage: Merci\n",
    "refusal": b"entry: activite-test\nevaluator: marie-dupont\nitems: [c2i2e:B2.3]\ndate: 2026-02-01\ncomment: Pas assez\n",
    "result": b"framework: crcne\ninput: pix-edu\nlevel: 2\ndate: 2026-04-02\nsource: Session 4521\n",
    "registry": b"evaluators:\n  - id: marie-dupont\n    name: Marie Dupont\n    keys: [did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2]\n"
                b"    frameworks:\n      - {id: c2i2e, from: 2025-09-01}\n",
    "settings": (REPO / "portfolio-gen.yml").read_bytes(),
    "credential": (REPO / "tests" / "credentials" / "fixtures" / "openbadge.json").read_bytes(),
}


@functools.cache
def frameworks() -> dict:
    loaded, problems = load_frameworks(sorted((REPO / "referentiels").glob("*.yml")))
    assert not problems
    return loaded


def _candidate_folder(root: Path) -> Path:
    folder = root / "candidates" / "alex"
    (folder / "entries").mkdir(parents=True, exist_ok=True)
    return folder


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_framework(root: Path, data: bytes) -> object:
    return load_frameworks([_write(root / "referentiels" / "pix-edu.yml", data)])


def read_candidate_file(root: Path, data: bytes) -> object:
    folder = _candidate_folder(root)
    _write(folder / "candidate.yml", data)
    return read_candidate(folder, frameworks())


def read_entry(root: Path, data: bytes) -> object:
    folder = _candidate_folder(root)
    _write(folder / "candidate.yml", CANDIDATE.encode())
    _write(folder / "entries" / "activite-test.md", data)
    return read_candidate(folder, frameworks())


def read_self_assessment(root: Path, data: bytes) -> object:
    folder = _candidate_folder(root)
    _write(folder / "candidate.yml", CANDIDATE.encode())
    _write(folder / "self-assessments" / "2025-09-20-c2i2e.yml", data)
    return read_candidate(folder, frameworks())


def _read_record(kind: str) -> Callable[[Path, bytes], object]:
    def read(root: Path, data: bytes) -> object:
        folder = _candidate_folder(root)
        _write(folder / "candidate.yml", CANDIDATE.encode())
        _write(folder / "entries" / "activite-test.md", ENTRY.encode())
        _write(folder / kind / "2026-02-01-fuzz.yml", data)
        candidate, _ = read_candidate(folder, frameworks())
        entries = {e.slug: e for e in candidate.entries} if candidate else {}
        return read_records(folder, frameworks(), entries)
    return read


def read_registry(root: Path, data: bytes) -> object:
    _write(root / "evaluators.yml", data)
    return load_registry(root, frameworks())


def read_settings(root: Path, data: bytes) -> object:
    _write(root / "portfolio-gen.yml", data)
    return load_settings(root)


def read_credential_file(root: Path, data: bytes) -> object:
    credential = read_credential(_write(root / "credential.json", data))
    if isinstance(credential, str):
        return credential
    return verify_credential(credential, resolver=DidResolver())


READERS: dict[str, Callable[[Path, bytes], object]] = {
    "framework": read_framework,
    "candidate": read_candidate_file,
    "entry": read_entry,
    "self-assessment": read_self_assessment,
    "request": _read_record("requests"),
    "refusal": _read_record("decisions"),
    "result": _read_record("results"),
    "registry": read_registry,
    "settings": read_settings,
    "credential": read_credential_file,
}


def read_safely(kind: str, root: Path, data: bytes) -> list[Problem] | object:
    """Run the reader; InputError is a reported outcome, anything else propagates."""
    try:
        return READERS[kind](root, data)
    except InputError as error:
        assert error.problems and all(isinstance(p, Problem) for p in error.problems)
        return error.problems
