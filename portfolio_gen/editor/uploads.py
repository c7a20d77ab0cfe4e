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
from ..core.portfolios import slug_for
from ..core.problems import Problem

EVIDENCE_DIR = "evidence"
MAX_EVIDENCE_BYTES = 20 << 20  # 20 MiB: a scanned document, a short video clip
# Extension -> the bytes such a file starts with ("" when any content is fine: text).
ALLOWED = {
    ".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",), ".txt": (b"",), ".md": (b"",), ".csv": (b"",),
    ".odt": (b"PK\x03\x04",), ".ods": (b"PK\x03\x04",), ".odp": (b"PK\x03\x04",), ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",), ".pptx": (b"PK\x03\x04",), ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3"),
    ".mp4": (b"",), ".zip": (b"PK\x03\x04",),
}
_UNSAFE = re.compile(r"[/\\\x00-\x1f]|^\.|^[A-Za-z]:|\.\.")


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes


def upload_problems(upload: Upload) -> list[Problem]:
    """Why this file cannot be a trace ([] when it can)."""
    params = {"name": upload.name, "allowed": ", ".join(sorted(ALLOWED)), "limit": "20 MiB"}
    if not upload.name or _UNSAFE.search(upload.name):
        return [Problem("editor.upload.bad_name", None, None, params)]
    suffix = PurePosixPath(upload.name).suffix.lower()
    if suffix not in ALLOWED:
        return [Problem("editor.upload.bad_type", None, None, params)]
    if len(upload.data) > MAX_EVIDENCE_BYTES:
        return [Problem("editor.upload.too_large", None, None, params)]
    if not upload.data:
        return [Problem("editor.upload.empty", None, None, params)]
    if not any(upload.data.startswith(magic) for magic in ALLOWED[suffix]):
        return [Problem("editor.upload.not_what_it_says", None, None, params)]
    return []


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
