"""What is under a folder, listed under one policy: the one walker of candidate folders.

`check` (reading a candidate), the read cache and the verdict cache (a folder's
fingerprint) and the build (its record of what a site was built from) all list a
candidate folder; they do it here, so that they agree on what the folder holds
(issue 27: four walkers had four policies, and a symbolic link loop crashed `build`).

The policy:
- A symbolic link is recorded with its target as written, so re-pointing one is a
  change. A link is never descended, even to a folder: evidence may not leave the
  candidate folder, and a walk that does not follow links cannot loop. A link is
  usable when it resolves inside the folder to a file or a folder that does not
  contain it; otherwise it is refused, as `OUTSIDE`, `DANGLING` or `LOOP` (a link that
  leads back to itself, or to a folder holding it, `evidence/loop -> .`).
- Loops without links (bind mounts) are guarded against all the same: a folder already
  listed, by (device, inode), is not listed twice, and is reported (`looped`).
- Special files (FIFOs, sockets, devices) are listed as such and never opened: opening
  a FIFO blocks until someone writes to it.
- A file modified less than `RACY_SECONDS` ago may change again within the same
  modification-time tick without its stat changing: such a folder is `too_fresh` to be
  fingerprinted, and a cache must not keep what it read from it.

Walked with scandir and plain strings, and the type and inode of each entry taken from
the directory listing (no stat for folders and special files): this runs over every
candidate of a cohort on every command, where making a Path per file was most of the
time of a build with nothing to do.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat as stat_kinds
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple

# A file changed less than this long before it was read may change again within the
# same mtime tick: what was read from such a folder is not kept, so an edit is never missed.
RACY_SECONDS = 2.0

# Kinds of what is found.
FILE, FOLDER, LINK, SPECIAL = "file", "folder", "link", "special"
# What a link leads to: usable (a file or folder inside), or refused.
TO_FILE, TO_FOLDER, TO_SPECIAL = "to file", "to folder", "to special"
OUTSIDE, DANGLING, LOOP = "outside", "dangling", "loop"
REFUSED = (OUTSIDE, DANGLING, LOOP)


class Found(NamedTuple):
    """One thing under the folder. A tuple: a cohort's scan makes millions of them."""

    kind: str  # FILE, FOLDER, LINK or SPECIAL
    relative: str  # its path under the folder, with "/" between parts
    path: str  # its path as given to the scan, joined
    # A file's stat; a link's target's, when the link is usable and leads to a file.
    stat: os.stat_result | None = None
    target: str = ""  # a link's target, as written
    state: str = ""  # a link's: TO_FILE, TO_FOLDER, TO_SPECIAL, OUTSIDE, DANGLING or LOOP


@dataclass
class Listing:
    """Everything under a folder, in a stable order (by name, folder by folder)."""

    folder: str
    found: list[Found] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # folders that could not be listed ("" the folder)
    looped: list[str] = field(default_factory=list)  # folders already listed under another name
    newest_ns: int = 0  # the newest modification time of a file (or a link's file)

    @property
    def complete(self) -> bool:
        """Whether every folder could be listed (an unreadable one holds unknown files)."""
        return not self.unreadable

    def too_fresh(self, now: float | None = None) -> bool:
        """Whether a file changed so recently that it may change again unseen (RACY_SECONDS)."""
        return is_fresh(self.newest_ns, now)

    def files(self) -> Iterable[Found]:
        """Regular files, and the links leading to one inside the folder, under their own name."""
        return (f for f in self.found if f.kind == FILE or f.state == TO_FILE)

    def files_in(self, directory: str, suffix: str) -> list[str]:
        """The paths of the files right in `directory` (relative) whose names end with
        `suffix`, hidden names aside, by name: what `sorted(glob("*" + suffix))` lists,
        without a link out of the folder or a FIFO among them."""
        prefix = directory.rstrip("/") + "/"
        return [f.path for f in self.files() if f.relative.startswith(prefix) and f.relative.endswith(suffix)
                and "/" not in f.relative[len(prefix):] and not f.relative[len(prefix):].startswith(".")]

    def refused_links(self) -> list[Found]:
        return [f for f in self.found if f.kind == LINK and f.state in REFUSED]

    def special(self) -> list[Found]:
        """FIFOs, sockets, devices, and links to them: never opened."""
        return [f for f in self.found if f.kind == SPECIAL or f.state == TO_SPECIAL]


# A Found made without the Python-level __new__ of a NamedTuple (a few percent of a scan).
_new = tuple.__new__


def is_fresh(mtime_ns: int, now: float | None = None) -> bool:
    return mtime_ns / 1e9 > (time.time() if now is None else now) - RACY_SECONDS


def scan(folder: str | os.PathLike, *, ignore: Iterable[str] = ()) -> Listing:
    """What is under `folder`, without following any link; `ignore`: names of folders not
    descended (Python's __pycache__ in a theme). A folder that does not exist is empty
    and unreadable."""
    top = os.fspath(folder)
    listing = Listing(top)
    ignored = frozenset(ignore)
    append = listing.found.append
    seen: dict[int, list[str]] = {}  # the inode of each folder descended: its paths
    base: list[str] = []  # the folder's real path, once a link needs it
    newest = 0
    pending = [(top, "")]  # (directory, its path relative to `folder`)
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as entries:
                names = sorted(entries, key=_name)
        except OSError:
            listing.unreadable.append(prefix[:-1])
            continue
        for entry in names:
            relative = prefix + entry.name
            if entry.is_file(follow_symlinks=False):  # most entries: tested first
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:  # removed meanwhile
                    continue
                if stat.st_mtime_ns > newest:
                    newest = stat.st_mtime_ns
                append(_new(Found, (FILE, relative, entry.path, stat, "", "")))
            elif entry.is_dir(follow_symlinks=False):
                append(_new(Found, (FOLDER, relative, entry.path, None, "", "")))
                if entry.name in ignored:
                    continue
                if _reached_before(entry, seen):
                    listing.looped.append(relative)
                    continue
                pending.append((entry.path, relative + "/"))
            elif entry.is_symlink():
                link = _link(entry, relative, base or _real(top, base))
                if link.stat is not None and link.stat.st_mtime_ns > newest:
                    newest = link.stat.st_mtime_ns
                append(link)
            else:  # FIFO, socket, device: its type comes from the listing, it is never opened
                append(_new(Found, (SPECIAL, relative, entry.path, None, "", "")))
    listing.newest_ns = newest
    return listing


def _reached_before(entry: os.DirEntry, seen: dict[int, list[str]]) -> bool:
    """Whether this folder was listed already under another name: impossible without
    following links, but for bind mounts. Keyed by the inode the listing gives, which
    costs no stat (one per folder was a sixth of a fingerprint); an inode met twice is
    confirmed by (device, inode), as two devices may use the same numbers. The folder
    scanned is not among them: a mount of it inside itself shows its own folders again,
    and is caught one level down."""
    others = seen.setdefault(_inode(entry), [])
    if others:
        try:
            mark = os.stat(entry.path, follow_symlinks=False)
            if any(os.path.samestat(mark, os.stat(other, follow_symlinks=False)) for other in others):
                return True
        except OSError:
            pass  # gone meanwhile: listed (or found unreadable) as any other folder
    others.append(entry.path)
    return False


def _inode(entry: os.DirEntry) -> int:
    return entry.inode()


def _link(entry: os.DirEntry, relative: str, base: list[str]) -> Found:
    """A link, judged: where it leads, without ever listing or opening its target."""
    try:
        target = os.readlink(entry.path)
    except OSError:
        return Found(LINK, relative, entry.path, None, "", DANGLING)
    real = os.path.realpath(entry.path)
    if not _inside(real, base[0]):
        return Found(LINK, relative, entry.path, None, target, OUTSIDE)
    try:
        stat = os.stat(entry.path)
    except OSError as error:
        return Found(LINK, relative, entry.path, None, target, LOOP if error.errno == errno.ELOOP else DANGLING)
    if stat_kinds.S_ISDIR(stat.st_mode):
        # A folder holding the link (itself, or one above it): descending it would never end.
        holder = os.path.realpath(os.path.dirname(entry.path))
        state = LOOP if _inside(holder, real) else TO_FOLDER
        return Found(LINK, relative, entry.path, None, target, state)
    if stat_kinds.S_ISREG(stat.st_mode):
        return Found(LINK, relative, entry.path, stat, target, TO_FILE)
    return Found(LINK, relative, entry.path, None, target, TO_SPECIAL)


def _real(top: str, base: list[str]) -> list[str]:
    base.append(os.path.realpath(top))
    return base


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _name(entry: os.DirEntry) -> str:
    return entry.name


# --- fingerprints: what the caches key a folder's and a file's values by ---------------------

def folder_fingerprint(folder: Path, now: float | None = None) -> str | None:
    """Name, size, mtime and inode of everything under `folder` (`scan`); None
    while a file is too fresh, or when a folder under it cannot be listed.

    Symbolic links are recorded with their target, so re-pointing one changes the
    fingerprint, and with the stat of the file they lead to inside the folder. Lines are
    gathered and hashed once: this runs for every candidate of every command.
    """
    listing = scan(folder)
    if not listing.complete or listing.too_fresh(now):
        return None
    lines: list[str] = []
    for found in listing.found:
        kind, relative = found.kind, found.relative
        if kind == LINK:
            lines.append(f"L {relative}\0{found.target}")
        elif kind == FOLDER:
            lines.append(f"D {relative}")
            continue
        elif kind == SPECIAL:
            lines.append(f"S {relative}")
            continue
        stat = found.stat
        if stat is not None:
            lines.append(f"F {relative}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}")
    # NUL cannot occur in a name: each kind has a fixed number of fields, so the joined
    # text reads back one way only, whatever the names hold (newlines included).
    return hashlib.sha256("\0".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def file_fingerprint(path: str | Path, now: float | None = None) -> str | None:
    """Size, mtime and inode of one file; None if it is missing or too fresh to trust."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if is_fresh(stat.st_mtime_ns, now):
        return None
    return f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"
