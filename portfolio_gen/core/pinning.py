"""The lock file of a candidate repository: which institution files it took, with their digests.

A candidate who keeps a portfolio in a repository of their own (`init --candidate`)
works with a copy of the institution's settings, frameworks, did.json and signed
registry, taken from the institution's published site once its signature checked out.
`institution.lock` records where the copy came from and the SHA-256 of every file as
written, so that `check` reports a pinned file edited by hand (a framework "adjusted",
a did.json with another key) instead of letting it decide anything, and `institution
update` knows what it replaces. Digests only: the signature itself is the credential
layer's business (institution/manifest.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .files import sha256_file, write_atomic
from .problems import InputError, Problem

LOCK_FILE = "institution.lock"
FORMAT = "portfolio-gen institution lock 1"


@dataclass(frozen=True)
class Lock:
    """What a candidate repository pinned of its institution."""

    source: str  # the site (folder or https URL) the files came from
    institution: str  # its did:web
    manifest_version: int
    registry_version: int
    files: dict[str, str] = field(default_factory=dict)  # workspace path -> sha256 of the file as written
    site_base_url: str = ""  # the candidate's own, when it replaces the institution's


def lock_to_json(lock: Lock) -> str:
    data = {"format": FORMAT, "source": lock.source, "institution": lock.institution,
            "manifest_version": lock.manifest_version, "registry_version": lock.registry_version,
            "site_base_url": lock.site_base_url, "files": dict(sorted(lock.files.items()))}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_lock(root: Path, lock: Lock) -> Path:
    path = root / LOCK_FILE
    write_atomic(path, lock_to_json(lock))
    return path


def read_lock(root: Path) -> Lock | None:
    """The repository's lock, None in a cohort workspace (no lock file); InputError if unreadable."""
    path = root / LOCK_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise ValueError("files must map paths to digests")
        return Lock(str(data["source"]), str(data["institution"]), int(data["manifest_version"]),
                    int(data["registry_version"]), files, str(data.get("site_base_url") or ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError([Problem("pinned.unreadable_lock", path, None, {"reason": str(error)})]) from None


def pinned_problems(root: Path) -> list[Problem]:
    """Every pinned file missing or changed since `init --candidate` or `institution update`."""
    try:
        lock = read_lock(root)
    except InputError as error:
        return error.problems
    if lock is None:
        return []
    problems = []
    for relative, digest in sorted(lock.files.items()):
        path = root / relative
        if not path.is_file():
            problems.append(Problem("pinned.missing", path, None, {"path": relative, "source": lock.source}))
        elif sha256_file(path) != digest:
            problems.append(Problem("pinned.modified", path, None, {"path": relative, "source": lock.source}))
    return problems
