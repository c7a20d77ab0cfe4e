"""The institution's status registers and lists: give each signature a status bit that no
other signature holds, record revocations, produce the signed Bitstring Status Lists.

Every signing key has a status list of its own (issue 26, finding 4). Its URL is derived
from the key: `status/lists/<multibase public key>.json` under the institution's site,
so two signers never share a list, whoever they are and wherever they sign, with no
grant to hand out and nothing to merge. Within its list a signer takes the next index
from a counter kept on the signer's machine (`SignerCounter`, in the user's state folder,
one file per key, under a lock, written atomically): two repositories signed by the same
evaluator on that machine never reuse an index, and issuing N credentials costs O(N)
(the counter is one small file; nothing that grows is read per allocation).

Indices are sequential within a signer's list, not random as the specification advises
against correlation: the index then tells the order of one signer's credentials, which
their `validFrom` says already.

The list the institution published before (`status/revocation-list.json`, indices drawn
at random) is still signed and read, so credentials that point at it keep their status.

Two append-only registers live in the workspace's `status/` folder, kept in git:

- `allocations.tsv`: `index<TAB>credential-id<TAB>date<TAB>list`, one line per credential
  signed here (a record; nothing reads it to allocate);
- `revocations.tsv`: `index<TAB>credential-id<TAB>date<TAB>reason<TAB>list`, one line per
  revocation.

`list` is the signer's list name (its public key), empty or absent for the old shared
list. The signed lists are derived from `revocations.tsv` and can always be rebuilt from
it. `.gitattributes` gives the registers git's `union` merge driver: both sides only ever
append, so keeping every line of both is the right merge.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..core.files import write_atomic
from ..core.problems import InputError, Problem
from ..core.settings import Settings
from ..credentials import dids, keys, openbadges, proofs
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.loader import DocumentLoader
from ..credentials.status import (DEFAULT_BITS, Bitstring, StatusListError, revocation_entry, status_entry,
                                  status_list_credential)
from . import trustfiles
from .trustfiles import check_signing_key

STATUS_DIR = "status"
ALLOCATIONS = f"{STATUS_DIR}/allocations.tsv"
REVOCATIONS = f"{STATUS_DIR}/revocations.tsv"
# The shared list of the indices drawn at random before signers had lists of their own.
LIST_FILE = f"{STATUS_DIR}/revocation-list.json"
SIGNER_LISTS_DIR = f"{STATUS_DIR}/lists"
# A list name is an Ed25519 public key in multibase (base58btc), as in a did:key.
_LIST_NAME = re.compile(r"z6Mk[1-9A-HJ-NP-Za-km-z]{40,50}")
# The lock is local to a clone and meaningless in git: the folder's .gitignore keeps it out.
STATUS_LOCK_FILE = f"{STATUS_DIR}/.lock"
GITATTRIBUTES_RULE = f"{STATUS_DIR}/*.tsv merge=union"
# How long a signed list is believed. Verifiers report "status unknown" after that, so
# the institution re-signs it well before (`status-list refresh` in a daily cron job).
DEFAULT_LIST_VALIDITY = dt.timedelta(days=30)
# Where signers keep their counters, below the user's state folder (XDG_STATE_HOME).
COUNTERS_ENV = "PORTFOLIO_GEN_STATUS_COUNTERS"


class RevocationError(StatusListError):
    """A revocation or allocation that cannot be done, with the reason."""


# --- lists and their addresses ------------------------------------------------------------

def signer_list_name(public_key: Ed25519PublicKey) -> str:
    """The name of the list of the credentials `public_key` signs: the key itself."""
    return keys.public_key_multibase(public_key)


def list_path(name: str = "") -> str:
    """The list's file, relative to the workspace and to the site: the old shared one for ''."""
    if name and not _LIST_NAME.fullmatch(name):
        raise RevocationError(f"{name!r} is not a status list name")
    return f"{SIGNER_LISTS_DIR}/{name}.json" if name else LIST_FILE


def status_list_url(settings: Settings, name: str = "") -> str:
    """Where the institution publishes a list (the site builder copies its file there): on
    its own site, even for a credential signed in a candidate's repository."""
    return settings.institution_base_url + list_path(name)


def list_name_of(settings: Settings, url: object) -> str | None:
    """The name of the institution's list at `url` ('' for the old shared one), or None
    when `url` is not one of the institution's lists."""
    base = settings.institution_base_url
    if not isinstance(url, str) or not url.startswith(base):
        return None
    relative = url[len(base):]
    if relative == LIST_FILE:
        return ""
    name = relative.removeprefix(SIGNER_LISTS_DIR + "/").removesuffix(".json")
    return name if relative == f"{SIGNER_LISTS_DIR}/{name}.json" and _LIST_NAME.fullmatch(name) else None


def list_files(root: Path) -> dict[str, Path]:
    """The signed lists in the workspace: path relative to the site -> file."""
    found = {LIST_FILE: root / LIST_FILE} if (root / LIST_FILE).is_file() else {}
    folder = root / SIGNER_LISTS_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            if _LIST_NAME.fullmatch(path.stem):
                found[f"{SIGNER_LISTS_DIR}/{path.name}"] = path
    return found


def load_status_lists(root: Path) -> list[dict]:
    """Every signed list of this workspace as written (unverified)."""
    return [_read_list(path) for path in list_files(root).values()]


def load_status_list(root: Path, name: str = "") -> dict | None:
    """The signed list `name` of this workspace as written, or None before the first one."""
    path = root / list_path(name)
    return _read_list(path) if path.is_file() else None


def _read_list(path: Path) -> dict:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise StatusListError(f"{path}: not a readable JSON file: {error}") from None


# --- allocation ---------------------------------------------------------------------------

def counters_folder() -> Path:
    """The signer's own state folder for status counters: never in a repository, so every
    clone and every repository the signer signs in on this machine shares the counter."""
    configured = os.environ.get(COUNTERS_ENV)
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "portfolio-gen" / "status-counters"


class SignerCounter:
    """The next unused index of one signer's list, in one small file on the signer's
    machine: `take` reads it, checks there is room, writes the new value atomically, all
    under an exclusive lock, so concurrent signers never get the same index."""

    def __init__(self, folder: Path, name: str):
        list_path(name)  # refuses what is not a list name (the file is named after it)
        self.path = folder / f"{name}.next"
        self._lock = folder / f"{name}.lock"

    @classmethod
    def for_key(cls, public_key: Ed25519PublicKey, folder: Path | None = None) -> "SignerCounter":
        return cls(folder or counters_folder(), signer_list_name(public_key))

    def peek(self) -> int:
        """The next index that `take` would give (0 before the first)."""
        try:
            text = self.path.read_text("ascii").strip()
        except FileNotFoundError:
            return 0
        if not text.isdigit():
            # A damaged counter cannot be guessed back: restarting at 0 would reuse indices.
            raise InputError([Problem("status.counter_damaged", self.path, None, {"content": text[:20]})])
        return int(text)

    def take(self, count: int, bits: int = DEFAULT_BITS) -> range:
        """`count` consecutive indices no one else was given, recorded before they are used."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            first = self.peek()
            if first + count > bits:
                raise InputError([Problem("status.list_full", self.path, None,
                                          {"used": first, "size": bits, "count": count})])
            # Written before any credential carries these indices: a crash in between
            # loses indices, never hands one out twice. Released indices are not taken back.
            write_atomic(self.path, f"{first + count}\n", mode=0o600)
            return range(first, first + count)
        finally:
            os.close(descriptor)  # closing releases the lock


def allocate_index(root: Path, signer: Ed25519PublicKey, credential_id: str, *,
                   bits: int = DEFAULT_BITS, counters: Path | None = None) -> int:
    """The next index of `signer`'s list, recorded for `credential_id`."""
    return allocate_indices(root, signer, [credential_id], bits=bits, counters=counters)[0]


def allocate_indices(root: Path, signer: Ed25519PublicKey, credential_ids: Sequence[str], *,
                     bits: int = DEFAULT_BITS, counters: Path | None = None) -> list[int]:
    """One index of `signer`'s own list per credential, from the signer's counter, and
    recorded in this workspace's `allocations.tsv` (appended, never read here)."""
    taken = SignerCounter.for_key(signer, counters).take(len(credential_ids), bits)
    name, stamp = signer_list_name(signer), _stamp(None)
    with locked(root):
        _append(root / ALLOCATIONS, [[str(i), c, stamp, name] for i, c in zip(taken, credential_ids)])
    return list(taken)


def release_indices(root: Path, credential_ids: Sequence[str]) -> None:
    """Forget the allocations of credentials that were never signed (a refused request).
    Their indices stay used: the signer's counter never goes back."""
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


def with_statuses(root: Path, settings: Settings, credentials: Sequence[dict], signer: Ed25519PublicKey, *,
                  counters: Path | None = None) -> list[dict]:
    """Copies of unsigned `credentials`, each with its own revocation status entry in the
    list of `signer`, the key that will sign them.

    Call it once every credential of a request has been built and checked, then sign;
    wrap both in `released_on_error` so a failure leaves no allocation behind.
    """
    url = status_list_url(settings, signer_list_name(signer))
    indices = allocate_indices(root, signer, [credential["id"] for credential in credentials], counters=counters)
    return [{**credential, "credentialStatus": status_entry(url, index)}
            for credential, index in zip(credentials, indices)]


def with_status(root: Path, settings: Settings, credential: dict, signer: Ed25519PublicKey) -> dict:
    """`with_statuses` for one credential (the commission's certificate)."""
    return with_statuses(root, settings, [credential], signer)[0]


# --- revocation ---------------------------------------------------------------------------

def revoke(root: Path, settings: Settings, credential: dict, reason: str,
           private_key: Ed25519PrivateKey, *, now: dt.datetime | None = None,
           validity: dt.timedelta = DEFAULT_LIST_VALIDITY) -> Path:
    """Record the revocation of `credential` and re-sign its list; the list's path.

    Revoking an already revoked credential records nothing new (the list is re-signed).
    """
    reason = " ".join(str(reason).split())
    if not reason:
        raise RevocationError("a revocation needs a reason")
    name, index, credential_id = _own_slot(settings, credential)
    check_signing_key(root, settings.institution.id, private_key)
    with locked(root):
        _check_not_shared(root, name, index, credential_id)
        if (name, index, credential_id) not in _revocations(root):
            _append(root / REVOCATIONS, [[str(index), credential_id, _stamp(now), reason, name]])
        return _write_list(root, settings, name, private_key, now, validity)


def publish_status_list(root: Path, settings: Settings, private_key: Ed25519PrivateKey, *,
                        now: dt.datetime | None = None, validity: dt.timedelta = DEFAULT_LIST_VALIDITY,
                        signers: Iterable[str] = ()) -> Path:
    """Sign every list from `revocations.tsv`: the institution's key's, each registered
    evaluator key's, the old shared one, and any list published before (empty at first, so
    verifiers find a list before any revocation; again after a merge brought other clones'
    revocations, and before the last ones lapse). `signers`: more list names. The path of
    the old shared list, which is always among them."""
    check_signing_key(root, settings.institution.id, private_key)
    with locked(root):
        for name in list_names(root, private_key, signers):
            _write_list(root, settings, name, private_key, now, validity)
    return root / LIST_FILE


def refresh_status_list(root: Path, settings: Settings, private_key: Ed25519PrivateKey, *,
                        now: dt.datetime | None = None, validity: dt.timedelta = DEFAULT_LIST_VALIDITY,
                        margin: dt.timedelta | None = None, signers: Iterable[str] = ()) -> Path | None:
    """For a cron job: re-sign each list that is missing, lapses within `margin` (a third of
    `validity` by default), or misses revocations recorded since; None when every
    published list is still good, else the old shared list's path."""
    now = now or dt.datetime.now(dt.UTC)
    margin = validity / 3 if margin is None else margin
    with locked(root):
        revoked = _revoked_by_list(root)
        due = [name for name in list_names(root, private_key, signers)
               if _needs_refresh(root, name, revoked.get(name, set()), now, margin)]
        for name in due:
            _write_list(root, settings, name, private_key, now, validity)
    return root / LIST_FILE if due else None


def sign_missing_lists(root: Path, settings: Settings, private_key: Ed25519PrivateKey, signers: Iterable[str], *,
                       now: dt.datetime | None = None,
                       validity: dt.timedelta = DEFAULT_LIST_VALIDITY) -> list[Path]:
    """Sign an empty list for each key in `signers` (did:key DIDs or list names), for the
    institution's own key and the old shared list, when it has none yet; the lists
    written. `registry sign` calls it: a key can sign as soon as it is registered, and its
    credentials must find their list from then on, not read "status unknown" until the
    next `status-list publish`. Lists already there are left as they are (`status-list
    refresh` keeps them fresh)."""
    names = {"", signer_list_name(private_key.public_key())}
    names.update(name.removeprefix("did:key:") for name in signers if isinstance(name, str))
    with locked(root):
        return [_write_list(root, settings, name, private_key, now, validity) for name in sorted(names)
                if (name == "" or _LIST_NAME.fullmatch(name)) and not (root / list_path(name)).is_file()]


def list_names(root: Path, private_key: Ed25519PrivateKey, signers: Iterable[str] = ()) -> list[str]:
    """The lists the institution signs: '' (the old shared list), its own key's, every key
    of its evaluator registry, every list with a revocation or already published."""
    names = {"", signer_list_name(private_key.public_key()), *signers, *_registry_list_names(root)}
    names.update(name for name, _, _ in _revocations(root))
    names.update(Path(relative).stem for relative in list_files(root) if relative != LIST_FILE)
    return sorted(name for name in names if name == "" or _LIST_NAME.fullmatch(name))


def _registry_list_names(root: Path) -> set[str]:
    """The list names of the keys the registry lists, as the institution wrote them
    (signing an empty list for a key that was never registered does no harm)."""
    return {key.removeprefix("did:key:") for key in trustfiles.registered_keys(root) if key.startswith("did:key:")}


def _needs_refresh(root: Path, name: str, revoked: set[int], now: dt.datetime, margin: dt.timedelta) -> bool:
    try:
        current = load_status_list(root, name)
        valid_until = openbadges.parse_datetime(current["validUntil"])
        listed = Bitstring.decode(current["credentialSubject"]["encodedList"])
        missing = any(not listed.get(index) for index in revoked)
    except (StatusListError, KeyError, TypeError, ValueError):
        return True  # none yet, unreadable, or an old list without validUntil
    return missing or valid_until - margin <= now


def revoked_indices(root: Path, name: str = "") -> set[int]:
    """The revoked indices of list `name` ('' for the old shared list)."""
    return _revoked_by_list(root).get(name, set())


def _revoked_by_list(root: Path) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for name, index, _ in _revocations(root):
        found.setdefault(name, set()).add(index)
    return found


def revoked_ids(root: Path) -> set[str]:
    """Ids of the credentials revoked in this workspace."""
    return {credential_id for _, _, credential_id in _revocations(root)}


def check_revocable(root: Path, settings: Settings, credential: dict) -> None:
    """RevocationError when `revoke` would refuse `credential`: asked before signing what
    would revoke it (a superseding award), so that nothing is half done."""
    name, index, credential_id = _own_slot(settings, credential)
    _check_not_shared(root, name, index, credential_id)


def revocation_reasons(root: Path) -> dict[str, str]:
    """Revoked credential id -> the reason recorded (the first, when a merge repeats it)."""
    path = root / REVOCATIONS
    found: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines() if path.exists() else ():
        fields = _fields(line)
        if len(fields) >= 4 and fields[0].isdigit():
            found.setdefault(fields[1], fields[3])
    return found


def _own_slot(settings: Settings, credential: dict) -> tuple[str, int, str]:
    """(list name, index, credential id) of a credential this institution can revoke."""
    entry = revocation_entry(credential) if isinstance(credential, dict) else None
    if entry is None:
        raise RevocationError("the credential has no revocation status entry: it cannot be revoked")
    url = entry.get("statusListCredential")
    name = list_name_of(settings, url)
    if name is None:
        raise RevocationError(f"the credential's status list is {url}, not one of this workspace's "
                              f"(under {settings.institution_base_url}{STATUS_DIR}/)")
    signed_by = _did_key_signer(credential)
    if name and signed_by and signed_by != name:
        # Setting that bit would revoke a credential of the key whose list it is.
        raise RevocationError(f"the credential names the status list of another key ({name}) "
                              f"than the one that signed it ({signed_by})")
    credential_id = credential.get("id")
    index = str(entry.get("statusListIndex", ""))
    if not isinstance(credential_id, str) or not index.isdigit() or int(index) >= DEFAULT_BITS:
        raise RevocationError(f"the credential's id or status index {index!r} is not usable")
    return name, int(index), credential_id


def _did_key_signer(credential: dict) -> str | None:
    """The public key (multibase) of a did:key proof's verification method, else None."""
    proof = proofs.single_proof(credential) or {}
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if isinstance(method, str) and method.startswith("did:key:"):
        return method.removeprefix("did:key:").split("#", 1)[0]
    return None


def _check_not_shared(root: Path, name: str, index: int, credential_id: str) -> None:
    # Only the old shared list's random draws, merged from two clones, can give one bit
    # to two credentials; setting it would revoke the other one too.
    others = {c for n, i, c in allocations(root) if (n, i) == (name, index) and c != credential_id}
    if others:
        raise RevocationError(f"status index {index} is allocated to other credentials too "
                              f"({', '.join(sorted(others))}); reissue them before revoking")


def _write_list(root: Path, settings: Settings, name: str, private_key: Ed25519PrivateKey,
                now: dt.datetime | None, validity: dt.timedelta) -> Path:
    bits = Bitstring(DEFAULT_BITS)
    for index in revoked_indices(root, name):
        bits.set(index)
    moment = now or dt.datetime.now(dt.UTC)
    stamp = _stamp(moment)
    issuer, method = dids.signer(private_key, settings.institution.id)
    unsigned = status_list_credential(status_list_url(settings, name), issuer, bits, stamp,
                                      _stamp(moment + validity))
    signed = proofs.sign(unsigned, private_key, method, suite=EDDSA_RDFC_2022,
                         loader=DocumentLoader(), created=stamp)
    path = root / list_path(name)
    write_atomic(path, json.dumps(signed, indent=2) + "\n")
    return path


# --- the registers on disk ----------------------------------------------------------------

@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Exclusive use of the registers by this process until the block ends."""
    _prepare(root)
    descriptor = os.open(root / STATUS_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
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


def _rows(path: Path, list_column: int) -> list[tuple[str, int, str]]:
    """(list name, index, credential id) of each well-formed line; a union merge may
    repeat lines. A line without a list name (written before signers had lists of their
    own) is of the old shared list."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text("utf-8").splitlines():
        fields = _fields(line)
        if len(fields) >= 2 and fields[0].isdigit():
            name = fields[list_column] if len(fields) > list_column else ""
            rows.append((name, int(fields[0]), fields[1]))
    return rows


def allocations(root: Path) -> list[tuple[str, int, str]]:
    """Every (list name, status index, credential id) this workspace's ledger recorded."""
    return _rows(root / ALLOCATIONS, 3)


def _revocations(root: Path) -> list[tuple[str, int, str]]:
    return _rows(root / REVOCATIONS, 4)


def _stamp(now: dt.datetime | None) -> str:
    return openbadges.datetime_stamp(now or dt.datetime.now(dt.UTC))
