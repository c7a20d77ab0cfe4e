"""Evidence files a candidate drops on the page: checked, then copied into their folder.

A name is the candidate's only as a file name: one holding a path (`../`, `/`, `\\`), a
drive or a leading dot is refused, never "fixed" into somewhere else. What is kept is the
name in lowercase ASCII words (`slug_for`), with its extension, in `evidence/`, beside what
is there (a new name when it is taken: nothing is overwritten). The extension must be one
a portfolio publishes and the first bytes must be what it says (a PDF starts with %PDF):
an HTML page renamed .png is not a trace. Sizes are capped per file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core.files import write_atomic
from ..core.portfolios import EVIDENCE_HEAD_BYTES, evidence_rule_params, slug_for, unfit_evidence
from ..core.problems import Problem

EVIDENCE_DIR = "evidence"
_UNSAFE = re.compile(r"[/\\\x00-\x1f]|^\.|^[A-Za-z]:|\.\.")


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes


def upload_problems(upload: Upload) -> list[Problem]:
    """Why this file cannot be a trace ([] when it can): `check`'s rule (core.portfolios),
    refused here since nothing is written yet, and a name that must not hold a path."""
    params = evidence_rule_params(upload.name)
    if not upload.name or _UNSAFE.search(upload.name):
        return [Problem("editor.upload.bad_name", None, None, params)]
    unfit = unfit_evidence(upload.name, len(upload.data), upload.data[:EVIDENCE_HEAD_BYTES])
    return [Problem(f"editor.upload.{unfit}", None, None, params)] if unfit else []


def stored_name(folder: Path, upload: Upload) -> str:
    """`evidence/<name>` for a checked upload: a free name in the candidate's folder."""
    pure = PurePosixPath(upload.name)
    stem, suffix = slug_for(pure.stem) or "trace", pure.suffix.lower()
    candidate, number = f"{stem}{suffix}", 1
    while (folder / EVIDENCE_DIR / candidate).exists():
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    return f"{EVIDENCE_DIR}/{candidate}"


def title_of(upload: Upload) -> str:
    return PurePosixPath(upload.name).stem.replace("_", " ").replace("-", " ").strip() or upload.name


def store(folder: Path, uploads: list[Upload]) -> list[tuple[str, str, Path]]:
    """Copy checked uploads into the folder: (relative path, title, file) of each."""
    stored = []
    for upload in uploads:
        relative = stored_name(folder, upload)
        write_atomic(folder / relative, upload.data, overwrite=False)
        stored.append((relative, title_of(upload), folder / relative))
    return stored
