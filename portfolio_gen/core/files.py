"""Files on disk: written so that a reader never sees half of one (temp file, fsync,
rename), and their SHA-256 digests."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644, overwrite: bool = True) -> None:
    """Write `data` to `path` atomically.

    With `overwrite=False` an existing file is never replaced (FileExistsError), even by a
    concurrent writer: the final step is a hard link, which fails if the name exists.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp_name = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp_name, path)
        else:
            os.link(temp_name, path)
            os.unlink(temp_name)
    except OSError as error:
        _remove(temp_name)
        # Name the file the user knows (not the temp file, nor none for a failed write):
        # "cannot write candidates/x/credentials/y.json: No space left on device".
        raise OSError(error.errno, error.strerror, str(path)) from error
    except BaseException:
        _remove(temp_name)
        raise


def write_if_changed(path: Path, data: bytes) -> None:
    """`write_atomic`, unless `path` already holds exactly `data`: an unchanged copy keeps
    its modification time, so hosts syncing the output and rebuilds see nothing new."""
    if not path.is_file() or path.read_bytes() != data:
        write_atomic(path, data)


def sha256_file(path: Path) -> str:
    """The file's SHA-256, hex, read in blocks (evidence files may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove(temp_name: str) -> None:
    if os.path.exists(temp_name):
        os.unlink(temp_name)
