"""Writing files so that a reader never sees half of one: temp file, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644, overwrite: bool = True) -> None:
    """Write `data` to `path` atomically.

    With `overwrite=False` an existing file is never replaced (FileExistsError), even by a
    concurrent writer: the final step is a hard link, which fails if the name exists.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
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
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
