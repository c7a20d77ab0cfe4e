"""Verification verdicts kept between runs: each credential verified once while nothing changed.

`audit`, `report`, `status` and the site build each verify every credential of the
cohort. What is cached is the verdict on every check but the revocation status
(`verify_except_status`: schema, proof, dates, evidence), under a digest of all it was
computed from: the credential's bytes, the trust files' bytes (did.json, the signed
registry, the settings), the verification code, the day, and the stat of each evidence
file whose digest it checks. Any change to one of them is a different key. The status
is checked again on every run (`with_status`, one bit per credential): a revocation
re-signs the status list, and re-verifying a national cohort's signatures for it would
take many minutes. Keys hold no rule, so they stay right when the rules change.

Time is the one input that moves by itself: a verdict is cached by day, and not at all
when a date in the credential lies between now and the end of the day (expiry,
not-yet-valid), so no cached verdict crosses one. Rows live in the workspace's read
cache store, signed with the user's key (`core.cachestore`).

On top of the verdicts, what a whole candidate folder was judged to hold (`for_folder`)
is kept under the folder's fingerprint (name, size, time of every file in it) and the
status list too, so that a warm `status` over a national cohort reads one row per
candidate instead of every credential file. Such a row is only stored when each verdict
in it could be, when no date of the status list is near, and when the judgement read
nothing outside the folder (the trust layer says so, `elsewhere`): a change anywhere
else could not be seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..core.cachestore import CacheStore, Stored
from ..core.folders import file_fingerprint
from ..core.workspace import cache_context
from ..credentials.verify import Verdict

VERDICT_ROWS, FOLDER_ROWS = "verdict", "folder verdicts"
_FLUSH_EVERY = 500
# ISO 8601 dates and date-times as they appear in credentials (validFrom, created, ...).
_ISO_DATE = re.compile(rb'"\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?"')
_SKEW = dt.timedelta(minutes=10)  # more than the verifier's tolerated clock skew


def judging_code() -> list[Path]:
    """The code that judges a credential: the standards stack (credentials/) and the
    institution's trust rules (institution/). (The key read this module's folder alone:
    since verdicts moved to institution/, a changed check in credentials/verify.py left
    the day's verdicts in the cache.)"""
    institution = Path(__file__).resolve().parent
    return [path for folder in (institution.parent / "credentials", institution) for path in sorted(folder.glob("*.py"))]


def credentials_code_version() -> str:
    """A digest of the code that judges a credential: changed rules mean new keys."""
    digest = hashlib.sha256()
    for path in judging_code():
        digest.update(path.read_bytes())
    return digest.hexdigest()


class VerdictCache:
    """`verify_except_status` results under a digest of everything they were computed from."""

    def __init__(self, store: CacheStore, trust_files: Iterable[Path],
                 status_lists: Path | Sequence[Path] | None = None):
        self._store = store
        self._pending: list[Stored] = []
        # One list, or one per signing key (revocation.list_files), all among trust_files.
        lists = [status_lists] if isinstance(status_lists, Path) else list(status_lists or ())
        signatures, everything = hashlib.sha256(), hashlib.sha256()  # without and with the status lists
        for path in trust_files:
            data = _read(path)
            for digest in (everything,) if path in lists else (signatures, everything):
                digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
        self._trust, self._trust_and_status = signatures.hexdigest(), everything.hexdigest()
        self._status_times = [instant for path in lists for instant in _instants_in(_read(path))]
        self._folder_storable = True  # of the folder `for_folder` is judging

    @classmethod
    def open(cls, root: Path, trust_files: Iterable[Path],
             status_list: Path | Sequence[Path] | None = None) -> VerdictCache:
        """`trust_files`: every file a verdict may depend on, the status lists among them."""
        store = CacheStore.open(root, cache_context(credentials_code_version()))
        # Keys start with their day: yesterday's verdicts can never be used again.
        store.forget_below(VERDICT_ROWS, dt.datetime.now(dt.UTC).date().isoformat())
        return cls(store, trust_files, status_list)

    def verify(self, raw: bytes, evidence: Iterable[Path | None], now: dt.datetime | None,
               compute: Callable[[], Verdict]) -> Verdict:
        """The cached verdict for these inputs, or `compute()`'s (`verify_except_status`),
        stored when safe."""
        moment = now or dt.datetime.now(dt.UTC)
        if self._near_a_date(raw, moment):
            self._folder_storable = False
            return compute()
        key = self._key(raw, evidence, moment.date())
        if key is None:
            self._folder_storable = False
            return compute()
        cached = self._store.get(VERDICT_ROWS, key, "")
        if isinstance(cached, Verdict):
            return cached
        verdict = compute()
        self._pending.append(Stored(VERDICT_ROWS, key, "", verdict))
        if len(self._pending) >= _FLUSH_EVERY:
            self.flush()
        return verdict

    def for_folder(self, folder: Path, inputs: str, now: dt.datetime | None, compute: Callable[[], Any]) -> Any:
        """What `compute` judges of the credentials in `folder`, remembered for the day
        under `inputs` (the folder's fingerprint and whatever else the judgement reads)."""
        cached = self.remembered(folder, inputs, now)
        return cached if cached is not None else self.remember(folder, inputs, now, compute)

    def remember(self, folder: Path, inputs: str, now: dt.datetime | None, compute: Callable[[], Any]) -> Any:
        """`compute`'s judgement of `folder`, stored when nothing made it unsafe to; for a
        folder already known not to be remembered (`for_folder` looks first)."""
        moment = now or dt.datetime.now(dt.UTC)
        self._folder_storable = not self._status_list_near_a_date(moment)
        value = compute()
        if self._folder_storable:
            self._pending.append(Stored(FOLDER_ROWS, *self._folder_key(folder, inputs, moment), value))
        return value

    def remembered(self, folder: Path, inputs: str, now: dt.datetime | None) -> Any | None:
        """What `for_folder` remembered of `folder` under these inputs, or None."""
        return self._store.get(FOLDER_ROWS, *self._folder_key(folder, inputs, now or dt.datetime.now(dt.UTC)))

    def remembered_many(self, folders: Sequence[tuple[Path, str | None]], now: dt.datetime | None) -> list[Any | None]:
        """`remembered` for each (folder, inputs), in order; None inputs: not remembered."""
        moment = now or dt.datetime.now(dt.UTC)
        return self._store.get_many(FOLDER_ROWS, [self._folder_key(folder, inputs, moment) if inputs is not None
                                                  else (str(folder), None) for folder, inputs in folders])

    def _folder_key(self, folder: Path, inputs: str, moment: dt.datetime) -> tuple[str, str]:
        day = moment.date().isoformat()
        return os.path.abspath(folder), hashlib.sha256(f"{day}\0{self._trust_and_status}\0{inputs}".encode()).hexdigest()

    def elsewhere(self) -> None:
        """The folder being judged depends on something outside it: not to be remembered."""
        self._folder_storable = False

    def flush(self) -> None:
        """Write the verdicts taken since the last flush, in one transaction."""
        pending, self._pending = self._pending, []
        self._store.put_many(pending)

    def _key(self, raw: bytes, evidence: Iterable[Path | None], day: dt.date) -> str | None:
        digest = hashlib.sha256()
        digest.update(hashlib.sha256(raw).digest())
        digest.update(f"\0{self._trust}\0{day.isoformat()}\0".encode())
        for path in evidence:
            if path is None:
                digest.update(b"-\n")
                continue
            stat = file_fingerprint(path)
            if stat is None:
                return None  # missing, or may change again within the same mtime tick
            digest.update(f"{os.path.abspath(path)}\0{stat}\n".encode("utf-8", "surrogateescape"))
        return f"{day.isoformat()} {digest.hexdigest()}"

    def _near_a_date(self, raw: bytes, now: dt.datetime) -> bool:
        """Whether a date could be crossed before the day's key expires: one after now
        (less the skew) and before the end of today (plus the skew)."""
        return _crossed_today(_instants_in(raw), now)

    def _status_list_near_a_date(self, now: dt.datetime) -> bool:
        return _crossed_today(self._status_times, now)


def checked_evidence(credential: object,
                     evidence_files: Callable[[str], Path | None] | None) -> list[tuple[str, Path | None]]:
    """Each evidence URL whose digest the verifier compares, with its local file (if any)."""
    listed = credential.get("evidence") if isinstance(credential, dict) else None
    if not isinstance(listed, list):
        return []
    urls = [item.get("id", "") for item in listed if isinstance(item, dict) and "digestMultibase" in item]
    return [(url, evidence_files(url) if evidence_files and isinstance(url, str) else None) for url in urls]


def _crossed_today(instants: list[tuple[dt.datetime, dt.datetime]], now: dt.datetime) -> bool:
    start = now - _SKEW
    end = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC) + _SKEW
    return any(first < end and last > start for first, last in instants)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _instants_in(data: bytes) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every ISO date or date-time in a JSON document, as the span of time it may mean."""
    found = []
    for match in _ISO_DATE.finditer(data):
        text = match.group(0).decode().strip('"')
        try:
            if len(text) == 10:  # a date alone: the whole day, in any time zone
                day = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
                found.append((day - dt.timedelta(hours=14), day + dt.timedelta(hours=38)))
            else:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
                found.append((moment, moment))
        except ValueError:
            continue
    return found
