"""The cache store: signed, versioned values in one SQLite file per workspace.

The read cache (what each candidate folder gave, core/workspace.py) and the verdict cache
(what each credential was judged, institution/verdicts.py) keep their rows here. A row is
(kind, name, context, fingerprint, value): it is returned only while the caller asks with
the same fingerprint (what the value was computed from) and the same context (the code
that computed it); anything else is a miss, and every failure too.

The file lives in the workspace (`.portfolio-gen/cache.sqlite`, ignored by git, safe to
delete). It is never trusted: rows are signed (HMAC) with a key kept in the user's own
cache folder, so a cache file that came with a cloned repository is only ever a miss,
and a corrupt or foreign file is deleted and rebuilt. SQLite's WAL mode and transactions
let two commands share it; a busy or broken cache is skipped, never an error. A forked
worker opens its own connection. Values are pickled by a pickler tuned for the model
(paths by directory, slotted dataclasses by their fields, recurring values shared), and
unpickled only once their signature is checked.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import hmac
import io
import logging
import os
import pickle
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

CACHE_FILE = Path(".portfolio-gen", "cache.sqlite")
FORMAT = "portfolio-gen read cache 1"
_BUSY_MS = 5000
_NAMES_PER_QUERY = 500  # well under SQLite's limit on bound parameters (32,766; 999 before 3.32)

log = logging.getLogger(__name__)
_INHERITED: list[sqlite3.Connection] = []  # connections a forked process got from its parent

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL, name TEXT NOT NULL, context TEXT NOT NULL, fingerprint TEXT NOT NULL,
    value BLOB NOT NULL, mac BLOB NOT NULL, PRIMARY KEY (kind, name));
"""


@dataclass(frozen=True)
class Stored:
    """A row to write: what `name` (of `kind`) gave under `fingerprint`."""

    kind: str
    name: str
    fingerprint: str
    value: Any
    encoded: bytes | None = None  # `encode(value)`, when the caller has it already


class CacheStore:
    """Signed, versioned values in the workspace's SQLite cache; every failure is a miss."""

    def __init__(self, connection: sqlite3.Connection | None, key: bytes, context: str,
                 path: Path | None = None):
        self._connection = connection
        self._key = key
        self._path = path
        self._pid = os.getpid()
        self.context = context
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, root: Path, context: str) -> CacheStore:
        """The cache of the workspace at `root`, or a disabled one if it cannot be used.
        `context` names what the values were computed with (the code that computed them,
        the files every value depends on): a row stored under another context is a miss."""
        key = _user_key()
        path = root / CACHE_FILE
        connection = None
        if key:
            try:
                connection = _connect(path)
            except _NotOurs:
                _delete(path)  # corrupt or foreign: rebuilt from scratch
                connection = _try_connect(path)
        return cls(connection, key or b"", context, path)

    @classmethod
    def disabled(cls) -> CacheStore:
        return cls(None, b"", "")

    @property
    def enabled(self) -> bool:
        return self._usable() is not None

    def _usable(self) -> sqlite3.Connection | None:
        """The connection of this process: SQLite connections must not cross a fork
        (a build worker inherits its parent's objects), so a child opens its own."""
        if self._connection is not None and os.getpid() != self._pid:
            _INHERITED.append(self._connection)  # kept, never closed here: it is the parent's
            self._connection = _try_connect(self._path) if self._path is not None else None
            self._pid = os.getpid()
        return self._connection

    def get(self, kind: str, name: str, fingerprint: str) -> Any | None:
        """The value stored for `name` under this fingerprint and context, or None."""
        return self.get_many(kind, [(name, fingerprint)])[0]

    def get_many(self, kind: str, wanted: Sequence[tuple[str, str | None]]) -> list[Any | None]:
        """`get` for each (name, fingerprint), in order, a few hundred names per query: a
        national cohort asks 25,000, and one query each was a tenth of a warm `status`.
        A None fingerprint is a miss, not asked for."""
        found: list[Any | None] = [None] * len(wanted)
        asked = [index for index, (_, fingerprint) in enumerate(wanted) if fingerprint is not None]
        for position, row in self._stored_rows(kind, [wanted[index][0] for index in asked]):
            name, fingerprint = wanted[asked[position]]
            found[asked[position]] = self._checked(kind, name, fingerprint, row)
        return found

    def stored_many(self, kind: str, names: Sequence[str]) -> list[tuple[str, Any] | None]:
        """Each name's stored (fingerprint, value), in order, whatever the fingerprint is
        now: for a caller who takes the current ones meanwhile and compares them after.
        Rows are checked against this user's key before they are decoded, as by `get`."""
        found: list[tuple[str, Any] | None] = [None] * len(names)
        for index, row in self._stored_rows(kind, names):
            value = self._checked(kind, names[index], row[1], row) if row is not None else None
            if value is not None:
                found[index] = (row[1], value)
        return found

    def _stored_rows(self, kind: str, names: Sequence[str]) -> Iterator[tuple[int, tuple | None]]:
        """(index in `names`, its row or None), queried a chunk at a time and yielded before
        the next chunk is read, so that a cohort's rows are never all held at once; stops
        early when the database cannot be read."""
        for start in range(0, len(names), _NAMES_PER_QUERY):
            chunk = names[start:start + _NAMES_PER_QUERY]
            rows = self._rows(kind, list(chunk))
            if rows is None:
                return
            for offset, name in enumerate(chunk):
                yield start + offset, rows.get(name)

    def _rows(self, kind: str, names: list[str]) -> dict[str, tuple] | None:
        connection = self._usable()
        if connection is None:
            return None
        try:
            return {row[0]: row[1:] for row in connection.execute(
                # As blobs whatever their stored type: a text value would fail to decode.
                "SELECT name, context, fingerprint, CAST(value AS BLOB), CAST(mac AS BLOB) FROM entries"
                f" WHERE kind = ? AND name IN ({', '.join('?' * len(names))})", (kind, *names))}
        except sqlite3.Error as error:
            self._give_up(error)
            return None

    def _checked(self, kind: str, name: str, fingerprint: str, row: tuple | None) -> Any | None:
        """A row's value if it is this context's, under this fingerprint, signed with our key."""
        if row is None or row[0] != self.context or row[1] != fingerprint or \
                not hmac.compare_digest(row[3], self._mac(kind, name, fingerprint, row[2])):
            self.misses += 1
            return None
        try:
            value = decode(row[2])  # signed by this user's key, checked above
        except Exception:  # noqa: BLE001 - an unreadable row (older classes) is a miss
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put_many(self, rows: Iterable[Stored]) -> None:
        """Store rows in one transaction; a busy or broken database is skipped."""
        if self._usable() is None:
            return
        values = []
        for row in rows:
            blob = row.encoded if row.encoded is not None else encode(row.value)
            values.append((row.kind, row.name, self.context, row.fingerprint, blob,
                           self._mac(row.kind, row.name, row.fingerprint, blob)))
        if not values:
            return
        try:
            with self._connection:
                self._connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)", values)
        except sqlite3.Error as error:
            self._give_up(error)

    def forget_others(self, kind: str, keep: Iterable[str], within: str = "") -> None:
        """Drop the rows of `kind` whose names start with `within` and are not in `keep`
        (deleted or renamed folders)."""
        if self._usable() is None:
            return
        keep = set(keep)
        try:
            names = [row[0] for row in self._connection.execute("SELECT name FROM entries WHERE kind = ?", (kind,))]
            gone = [(kind, name) for name in names if name.startswith(within) and name not in keep]
            if gone:
                with self._connection:
                    self._connection.executemany("DELETE FROM entries WHERE kind = ? AND name = ?", gone)
        except sqlite3.Error as error:
            self._give_up(error)

    def forget_below(self, kind: str, name: str) -> None:
        """Drop the rows of `kind` whose names sort before `name` (rows keyed by an older day)."""
        if self._usable() is None:
            return
        try:
            with self._connection:
                self._connection.execute("DELETE FROM entries WHERE kind = ? AND name < ?", (kind, name))
        except sqlite3.Error as error:
            self._give_up(error)

    def close(self) -> None:
        if self._connection is not None and os.getpid() == self._pid:
            self._connection.close()
        self._connection = None

    def _mac(self, kind: str, name: str, fingerprint: str, blob: bytes) -> bytes:
        message = "\0".join([FORMAT, self.context, kind, name, fingerprint]).encode() + b"\0" + blob
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _give_up(self, error: sqlite3.Error) -> None:
        log.debug("read cache disabled for this run: %s", error)
        self.close()


# A path is pickled as its directory and its name, each directory once per value, as one
# string: by default a path is pickled as its parts, and parsing every path back was a
# third of loading a cached cohort (a candidate holds a path per entry and per evidence
# file, nearly all in two directories).
_CONCRETE_PATH = type(Path())
_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[_CONCRETE_PATH] = lambda path: (_CONCRETE_PATH, (str(path),))
# Path's own "child of a name that is one component" skips parsing; where an interpreter
# lacks it, the public join gives the same path, only slower.
_CHILD = getattr(_CONCRETE_PATH, "_make_child_relpath", _CONCRETE_PATH.joinpath)


def _path_child(directory: Path, name: str) -> Path:
    return _CHILD(directory, name)


# A claim recurs across a cohort (most candidates claim c2i2e's A1.3), and being frozen
# it can be shared: decoded claims are one object per distinct value, so that a national
# cohort's million claims, with their strings, were a fifth of the model's memory and are
# now a few thousand objects; finding one costs less than building it. Bounded, so that
# a long-lived process reading cohort after cohort does not keep every claim it saw.
_SHARED_BY_VALUE: set[type] = set()
_SHARED_MAX = 200_000
_shared: dict[tuple, Any] = {}


def share_by_value(cls: type) -> type:
    """Decode equal values of the frozen, slotted dataclass `cls` as one object (a class
    decorator, for the model's values that recur across a cohort)."""
    _SHARED_BY_VALUE.add(cls)
    return cls


def _shared_value(cls: type, values: tuple) -> Any:
    key = (cls, values)
    found = _shared.get(key)
    if found is None:
        found = cls(*values)
        if len(_shared) < _SHARED_MAX:
            _shared[key] = found
    return found


class _Pickler(pickle.Pickler):
    dispatch_table = _DISPATCH

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Kept alive for the whole dump: pickle's memo is by identity, so siblings that
        # share this object share one copy of their directory.
        self._directories: dict[str, Path] = {}
        self._whole: set[int] = set()

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is _CONCRETE_PATH:
            return self._reduce_path(obj)
        return self._reduce_slotted(obj)

    def _reduce_path(self, path: Path) -> Any:
        name = path.name
        if id(path) in self._whole or not name or name == "..":
            return NotImplemented  # the dispatch table's: the path as one string
        key = str(path.parent)
        directory = self._directories.get(key)
        if directory is None:
            directory = self._directories[key] = path.parent
            self._whole.add(id(directory))
        return _path_child, (directory, name)

    def _reduce_slotted(self, obj: Any) -> Any:
        """A slotted dataclass (the model's values) is rebuilt by calling its class: the
        default, its generated __setstate__, looks its fields up again for every object
        and made loading a cohort slower by half."""
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        values = tuple(getattr(obj, name) for name in names)
        if type(obj) in _SHARED_BY_VALUE:
            return _shared_value, (type(obj), values)
        return type(obj), values


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return None
    fields = dataclasses.fields(cls)
    return tuple(f.name for f in fields) if all(f.init for f in fields) else None


def encode(value: Any) -> bytes:
    """A value as the cache stores it; worker processes return values so encoded, which
    crosses the process boundary as bytes and is stored as it came."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def decode(blob: bytes) -> Any:
    """The value `encode` gave these bytes: only for bytes this process or its own workers
    wrote, or checked against this user's key (unpickling runs code)."""
    return pickle.loads(blob)  # noqa: S301


class _NotOurs(Exception):
    """The cache file is corrupt or another program's: delete it and start again."""


# SQLite's names for a file that is not a usable database, as opposed to one that cannot
# be opened right now (disk full, read-only, busy): deleting the cache then would free
# space behind the user's back and lose it for nothing.
_BROKEN_FILE = {"SQLITE_NOTADB", "SQLITE_CORRUPT"}


def _try_connect(path: Path) -> sqlite3.Connection | None:
    try:
        return _connect(path)
    except _NotOurs:
        return None


def _connect(path: Path) -> sqlite3.Connection | None:
    """Open (creating if needed) and check the cache database: None if it cannot be used
    now, `_NotOurs` if the file is corrupt or foreign."""
    connection = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.isolation_level = ""  # transactions through `with connection`
        with connection:
            connection.executescript(_SCHEMA)
            found = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None:
                connection.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            elif found[0] != FORMAT:
                raise _NotOurs(f"foreign cache format {found[0]!r}")
        columns = [row[1] for row in connection.execute("PRAGMA table_info(entries)")]
        if columns != ["kind", "name", "context", "fingerprint", "value", "mac"]:
            raise _NotOurs("foreign cache table")
        return connection
    except (_NotOurs, sqlite3.Error, OSError) as error:
        log.debug("read cache %s unusable: %s", path, error)
        if connection is not None:
            connection.close()
        if isinstance(error, _NotOurs) or getattr(error, "sqlite_errorname", None) in _BROKEN_FILE:
            raise _NotOurs(str(error)) from error
        return None


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(f"{path}{suffix}").unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            log.debug("cannot delete %s%s: %s", path, suffix, error)


def _user_key() -> bytes | None:
    """This user's secret for signing cache rows, created on first use (mode 0600).

    It lives outside every workspace (`$XDG_CACHE_HOME/portfolio-gen/`), so nothing in a
    repository can forge a row; without a usable home the cache is simply off.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "portfolio-gen" / "cache-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    except FileExistsError:
        pass  # another command created it at the same moment
    except OSError:
        return None
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) >= 32 else None
