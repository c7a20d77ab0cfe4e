"""The wheel of the portfolio-gen that is running, made from its own files (issue 30).

No release of portfolio-gen is on a public package index: an institution publishes the
tool it runs on its own site, and the CI of its workspace and of its candidates'
repositories install exactly that file, checked against its SHA-256 (`pip download
--require-hashes`; institution/manifest.py signs the digest). Neither a build backend
nor the network is needed: the wheel is packed from the package's files as they are
installed (or from the source tree of an editable install) and the distribution's own
metadata, in a fixed order with fixed timestamps, so the same tool gives the same bytes
wherever it runs.

A workspace keeps the wheel in `tool/` (committed: the institution's CI installs it from
there), and `requirements.txt` names it with its digest; a candidate's repository names
the copy on the institution's site by URL instead (institution/repository.py).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .. import __version__
from .files import write_atomic, write_if_changed

DISTRIBUTION = "portfolio-gen"
WHEEL_DIR = "tool"
REQUIREMENTS_FILE = "requirements.txt"
# What pip reads from a wheel's .dist-info besides WHEEL and RECORD, which are written here;
# INSTALLER, REQUESTED and direct_url.json describe one installation, not the tool.
_METADATA_FILES = ("METADATA", "entry_points.txt", "top_level.txt")
_WHEEL_FILE = "Wheel-Version: 1.0\nGenerator: portfolio-gen\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the bytes depend on the files only
_REQUIREMENTS_HEADER = ("# The portfolio-gen this workspace's CI installs, written by portfolio-gen: pip\n"
                        "# installs the file only if its SHA-256 is this one (pip download --require-hashes).\n")


@dataclass(frozen=True)
class ToolWheel:
    """The wheel as published: its file name and SHA-256 (hex)."""

    name: str
    sha256: str

    @property
    def path(self) -> str:
        """Where a workspace keeps it, and where the institution's site publishes it
        (under `institution/`), posix and relative."""
        return f"{WHEEL_DIR}/{self.name}"


def wheel_name(version: str = __version__) -> str:
    return f"portfolio_gen-{version}-py3-none-any.whl"


@functools.cache
def wheel_bytes() -> bytes:
    """The running tool as a wheel (made once per process: its files do not change)."""
    package = Path(__file__).resolve().parent.parent
    dist_info = f"portfolio_gen-{__version__}.dist-info"
    files = [(f"{package.name}/{relative}", path.read_bytes()) for relative, path in _package_files(package)]
    distribution = metadata.distribution(DISTRIBUTION)
    for name in _METADATA_FILES:
        text = distribution.read_text(name)
        if text is not None:
            files.append((f"{dist_info}/{name}", text.encode("utf-8")))
    files.append((f"{dist_info}/WHEEL", _WHEEL_FILE.encode("ascii")))
    record = "".join(f"{name},sha256={_record_digest(data)},{len(data)}\n" for name, data in files)
    files.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode("utf-8")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def current_wheel() -> ToolWheel:
    return ToolWheel(wheel_name(), hashlib.sha256(wheel_bytes()).hexdigest())


def write_wheel(root: Path) -> ToolWheel:
    """Put the running tool's wheel in the workspace's `tool/` (unchanged bytes are left alone)."""
    wheel = current_wheel()
    write_if_changed(root / wheel.path, wheel_bytes())
    return wheel


def requirement(location: str, wheel: ToolWheel) -> str:
    """The requirements line installing `wheel` from `location` (its URL, or a path
    relative to the workspace), only if its digest is the one given."""
    named = location if location.startswith(("./", "/")) else f"{DISTRIBUTION} @ {location}"
    return f"{named} --hash=sha256:{wheel.sha256}"


def pin(root: Path, line: str) -> Path:
    """Write `line` in the workspace's requirements.txt in place of the one naming
    portfolio-gen (kept: every other line the institution or candidate added)."""
    path = root / REQUIREMENTS_FILE
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        lines = _REQUIREMENTS_HEADER.splitlines()
    kept = [existing for existing in lines if not _names_the_tool(existing)]
    write_atomic(path, "\n".join(kept + [line]) + "\n")
    return path


def pinned_line(root: Path) -> str | None:
    """The line of requirements.txt naming portfolio-gen, if any."""
    try:
        lines = (root / REQUIREMENTS_FILE).read_text("utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return next((line for line in lines if _names_the_tool(line)), None)


def _names_the_tool(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith((f"{DISTRIBUTION} @", f"./{WHEEL_DIR}/portfolio_gen-"))


def _package_files(package: Path) -> list[tuple[str, Path]]:
    """The package's files, as setuptools ships them (pyproject.toml's package-data): no
    bytecode, no hidden file, symbolic links followed (data/referentiels, data/demo...)."""
    found = []
    for directory, folders, names in os.walk(package, followlinks=True):
        folders[:] = sorted(f for f in folders if f != "__pycache__" and not f.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.endswith((".pyc", ".pyo")):
                continue
            path = Path(directory, name)
            found.append((path.relative_to(package).as_posix(), path))
    return found


def _record_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
