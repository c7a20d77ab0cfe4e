"""The institution's status registers on disk: allocate status bits, record revocations,
produce the signed Bitstring Status List.

Two append-only registers live in the workspace's `status/` folder, kept in git with
the portfolios:

- `allocations.tsv`: `index<TAB>credential-id<TAB>date`, one line per credential issued;
- `revocations.tsv`: `index<TAB>credential-id<TAB>date<TAB>reason`, one line per revocation.

The signed list (`revocation-list.json`) is derived from `revocations.tsv` and can
always be rebuilt from it. Within one clone, every read-then-append runs under an
exclusive `flock`, so evaluators signing at the same time never get the same index nor
lose a line. Across clones, `.gitattributes` gives the registers git's `union` merge
driver: both sides only ever append, so keeping every line of both is the right merge
and never conflicts. Indices are drawn at random, so two clones picking the same one
is unlikely (a few in a million per pair at today's volumes); `revoke` refuses an
index that a merge left shared by two credentials rather than revoke both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core.files import write_atomic
from ..core.settings import Settings
from ..credentials import dids, openbadges, proofs
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.loader import DocumentLoader
from ..credentials.status import (DEFAULT_BITS, Bitstring, StatusListError, revocation_entry, status_entry,
                     status_list_credential)

STATUS_DIR = "status"
ALLOCATIONS = f"{STATUS_DIR}/allocations.tsv"
REVOCATIONS = f"{STATUS_DIR}/revocations.tsv"
LIST_FILE = f"{STATUS_DIR}/revocation-list.json"
# The lock is local to a clone and meaningless in git: the folder's .gitignore keeps it out.
LOCK_FILE = f"{STATUS_DIR}/.lock"
GITATTRIBUTES_RULE = f"{STATUS_DIR}/*.tsv merge=union"
# How long a signed list is believed. Verifiers report "status unknown" after that, so
# the institution re-signs it well before (`status-list refresh` in a daily cron job).
DEFAULT_LIST_VALIDITY = dt.timedelta(days=30)


class RevocationError(StatusListError):
    """A revocation or allocation that cannot be done, with the reason."""


def status_list_url(settings: Settings) -> str:
    """Where the institution publishes its signed list (the site builder copies LIST_FILE
    there): on its own site, even for a credential signed in a candidate's repository."""
    return settings.institution_base_url + "status/revocation-list.json"


# --- allocation ---------------------------------------------------------------------------

def allocate_index(root: Path, credential_id: str, *, bits: int = DEFAULT_BITS) -> int:
    """A random unused index of the list, recorded for `credential_id`."""
    return allocate_indices(root, [credential_id], bits=bits)[0]


def allocate_indices(root: Path, credential_ids: Sequence[str], *,
                     bits: int = DEFAULT_BITS) -> list[int]:
    """One random unused index per credential, all recorded in one locked step.

    Random rather than sequential: the Bitstring Status List specification advises it,
    so that an index says nothing about when or by whom a credential was issued.
    """
    with locked(root):
        used = {index for index, _ in allocations(root)}
        if len(used) + len(credential_ids) > bits:
            raise RevocationError(f"the status list is full ({len(used)} of {bits} indices "
                                  "allocated); a larger or second list is needed")
        indices = _draw(used, len(credential_ids), bits)
        stamp = _stamp(None)
        _append(root / ALLOCATIONS, [[str(i), c, stamp] for i, c in zip(indices, credential_ids)])
    return indices


def _draw(used: set[int], count: int, bits: int) -> list[int]:
    if (len(used) + count) * 2 > bits:
        # Near full, drawing at random until a free index comes up could spin for long:
        # pick among what is left instead.
        return secrets.SystemRandom().sample([i for i in range(bits) if i not in used], count)
    drawn: list[int] = []
    while len(drawn) < count:
        index = secrets.randbelow(bits)
        if index not in used:
            used.add(index)
            drawn.append(index)
    return drawn


def release_indices(root: Path, credential_ids: Sequence[str]) -> None:
    """Forget the allocations of credentials that were never signed (a refused request)."""
    forgotten = set(credential_ids)
    with locked(root):
        path = root / ALLOCATIONS
        lines = path.read_text("utf-8").splitlines(keepends=True) if path.exists() else []
        kept = [line for line in lines if not forgotten.intersection(_fields(line)[1:2])]
        if len(kept) != len(lines):
            write_atomic(path, "".join(kept))


@contextlib.contextmanager
def released_on_error(root: Path, credential_ids: Sequence[str]) -> Iterator[None]:
    """Release the allocations of `credential_ids` if the block fails before they are written."""
    try:
        yield
    except BaseException:
        release_indices(root, credential_ids)
        raise


def with_statuses(root: Path, settings: Settings, credentials: Sequence[dict]) -> list[dict]:
    """Copies of unsigned `credentials`, each with its own revocation status entry.

    Call it once every credential of a request has been built and checked, then sign;
    wrap both in `released_on_error` so a failure leaves no allocation behind.
    """
    url = status_list_url(settings)
    indices = allocate_indices(root, [credential["id"] for credential in credentials])
    return [{**credential, "credentialStatus": status_entry(url, index)}
            for credential, index in zip(credentials, indices)]


def with_status(root: Path, settings: Settings, credential: dict) -> dict:
    """`with_statuses` for one credential (the commission's certificate)."""
    return with_statuses(root, settings, [credential])[0]


# --- revocation ---------------------------------------------------------------------------

def revoke(root: Path, settings: Settings, credential: dict, reason: str,
           private_key: Ed25519PrivateKey, *, now: dt.datetime | None = None,
           validity: dt.timedelta = DEFAULT_LIST_VALIDITY) -> Path:
    """Record the revocation of `credential` and re-sign the list; the list's path.

    Revoking an already revoked credential records nothing new (the list is re-signed).
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise RevocationError("a revocation needs a reason")
    index, credential_id = _own_index(settings, credential)
    dids.check_institution_key(root, settings.institution.id, private_key)
    with locked(root):
        _check_not_shared(root, index, credential_id)
        if (index, credential_id) not in _revocations(root):
            _append(root / REVOCATIONS, [[str(index), credential_id, _stamp(now), reason]])
        return _write_list(root, settings, private_key, now, validity)


def publish_status_list(root: Path, settings: Settings, private_key: Ed25519PrivateKey, *,
                        now: dt.datetime | None = None,
                        validity: dt.timedelta = DEFAULT_LIST_VALIDITY) -> Path:
    """Sign the list from `revocations.tsv` (empty at first, so verifiers find a list
    before any revocation; again after a merge brought other clones' revocations, and
    before the last one lapses)."""
    dids.check_institution_key(root, settings.institution.id, private_key)
    with locked(root):
        return _write_list(root, settings, private_key, now, validity)


def refresh_status_list(root: Path, settings: Settings, private_key: Ed25519PrivateKey, *,
                        now: dt.datetime | None = None, validity: dt.timedelta = DEFAULT_LIST_VALIDITY,
                        margin: dt.timedelta | None = None) -> Path | None:
    """For a cron job: re-sign the list when it is missing, lapses within `margin` (a
    third of `validity` by default), or misses revocations recorded since; None when
    the published list is still good."""
    now = now or dt.datetime.now(dt.UTC)
    margin = validity / 3 if margin is None else margin
    with locked(root):
        if not _needs_refresh(root, now, margin):
            return None
        return _write_list(root, settings, private_key, now, validity)


def _needs_refresh(root: Path, now: dt.datetime, margin: dt.timedelta) -> bool:
    try:
        current = load_status_list(root)
        valid_until = openbadges.parse_datetime(current["validUntil"])
        listed = Bitstring.decode(current["credentialSubject"]["encodedList"])
        missing = any(not listed.get(index) for index in revoked_indices(root))
    except (StatusListError, KeyError, TypeError, ValueError):
        return True  # none yet, unreadable, or an old list without validUntil
    return missing or valid_until - margin <= now


def revoked_indices(root: Path) -> set[int]:
    return {index for index, _ in _revocations(root)}


def revoked_ids(root: Path) -> set[str]:
    """Ids of the credentials revoked in this workspace."""
    return {credential_id for _, credential_id in _revocations(root)}


def load_status_list(root: Path) -> dict | None:
    """The signed list of this workspace as written, or None before the first one."""
    path = root / LIST_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise StatusListError(f"{path}: not a readable JSON file: {error}") from None


def _own_index(settings: Settings, credential: dict) -> tuple[int, str]:
    entry = revocation_entry(credential) if isinstance(credential, dict) else None
    if entry is None:
        raise RevocationError("the credential has no revocation status entry: it cannot be revoked")
    if entry.get("statusListCredential") != status_list_url(settings):
        raise RevocationError(f"the credential's status list is {entry.get('statusListCredential')}, "
                              f"not this workspace's {status_list_url(settings)}")
    credential_id = credential.get("id")
    index = str(entry.get("statusListIndex", ""))
    if not isinstance(credential_id, str) or not index.isdigit() or int(index) >= DEFAULT_BITS:
        raise RevocationError(f"the credential's id or status index {index!r} is not usable")
    return int(index), credential_id


def _check_not_shared(root: Path, index: int, credential_id: str) -> None:
    # Only a union merge of two clones' allocations can give one bit to two credentials;
    # setting it would revoke the other one too.
    others = {c for i, c in allocations(root) if i == index and c != credential_id}
    if others:
        raise RevocationError(f"status index {index} is allocated to other credentials too "
                              f"({', '.join(sorted(others))}); reissue them before revoking")


def _write_list(root: Path, settings: Settings, private_key: Ed25519PrivateKey,
                now: dt.datetime | None, validity: dt.timedelta) -> Path:
    bits = Bitstring(DEFAULT_BITS)
    for index in revoked_indices(root):
        bits.set(index)
    moment = now or dt.datetime.now(dt.UTC)
    stamp = _stamp(moment)
    issuer, method = dids.signer(private_key, settings.institution.id)
    unsigned = status_list_credential(status_list_url(settings), issuer, bits, stamp, _stamp(moment + validity))
    signed = proofs.sign(unsigned, private_key, method, suite=EDDSA_RDFC_2022,
                         loader=DocumentLoader(), created=stamp)
    path = root / LIST_FILE
    write_atomic(path, json.dumps(signed, indent=2) + "\n")
    return path


# --- the registers on disk ----------------------------------------------------------------

@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Exclusive use of the registers by this process until the block ends."""
    _prepare(root)
    descriptor = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _prepare(root: Path) -> None:
    folder = root / STATUS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, ".lock\n")
    _ensure_union_merge(root / ".gitattributes")


def _ensure_union_merge(path: Path) -> None:
    text = path.read_text("utf-8") if path.exists() else ""
    if GITATTRIBUTES_RULE in text.splitlines():
        return
    separator = "" if not text or text.endswith("\n") else "\n"
    comment = "# Append-only status registers: keep both sides' lines when merging clones.\n"
    write_atomic(path, text + separator + comment + GITATTRIBUTES_RULE + "\n")


def _append(path: Path, rows: list[list[str]]) -> None:
    data = "".join("\t".join(row) + "\n" for row in rows).encode("utf-8")
    # O_APPEND and one write per batch; fsync so a crash right after signing cannot
    # leave a credential whose index is not recorded.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fields(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def _rows(path: Path) -> list[tuple[int, str]]:
    """(index, credential id) of each well-formed line; a union merge may repeat lines."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text("utf-8").splitlines():
        fields = _fields(line)
        if len(fields) >= 2 and fields[0].isdigit():
            rows.append((int(fields[0]), fields[1]))
    return rows


def allocations(root: Path) -> list[tuple[int, str]]:
    """Every (status index, credential id) this workspace's ledger allocated."""
    return _rows(root / ALLOCATIONS)


def _revocations(root: Path) -> list[tuple[int, str]]:
    return _rows(root / REVOCATIONS)


def _stamp(now: dt.datetime | None) -> str:
    return openbadges.datetime_stamp(now or dt.datetime.now(dt.UTC))
