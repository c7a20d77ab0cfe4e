"""Verify an Open Badges 3.0 credential: shape, proof, issuer/key binding, dates,
revocation status, evidence.

Each check names itself in the verdict, and the first failing one gives the reason, so
a refusal always says what is wrong. A bad credential never raises: it yields a
`Verdict` with `ok=False`.

Revocation status is checked only when the caller says where status lists come from
(`status_list`: URL -> a list credential already passed through `verified_status_list`,
or None). Without it the verdict's `status` is "unchecked": verifying offline from a
credential alone cannot know about revocations, and the verdict says so rather than
pretending. With it, a list that cannot be had fails the credential unless the caller
passes `require_status=False` (then `status` is "unavailable").

A status entry naming a signer's own list (`status.signer_list_key`) must name the list
of the key that signed the credential: any other list is one where its institution would
never revoke it, so the credential is refused before any list is looked up (`status` is
then "other-list"), whether lists were given or not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.model import Validation
from ..core.verdicts import EXPIRED, INVALID, REVOKED as REVOKED_VERDICT, UNKNOWN_STATUS, UNTRUSTED, VALID
from . import baking, openbadges, proofs
from .cryptosuites import EDDSA_JCS_2022, EDDSA_RDFC_2022, SIGNATURE_MISMATCH
from .dids import DidResolutionError, DidResolver
from .loader import DocumentLoader
from .signed_form import signed_form_problem
from .status import StatusCheck, StatusListError, check_status, other_signers_list, revocation_entry

DEFAULT_SKEW = dt.timedelta(minutes=5)
SCHEMA, PROOF, DATES, STATUS, EVIDENCE = "schema", "proof", "dates", "status", "evidence"
# Verdict.status values.
UNCHECKED, ACTIVE, UNAVAILABLE, REVOKED, UNKNOWN = "unchecked", "active", "unavailable", "revoked", "unknown"
OTHER_LIST = "other-list"  # the status entry names another signer's list: never revocable there
STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"

EvidenceFiles = Callable[[str], Path | None]
StatusLists = Callable[[str], dict | None]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None = None
    # The checks that passed, in the order they ran (a failed one is in `reason`).
    checks: tuple[str, ...] = ()
    credential_id: str | None = None
    issuer: str | None = None
    # Evidence files whose digest could not be checked (no local copy given).
    unchecked_evidence: tuple[str, ...] = ()
    # Revocation status: UNCHECKED (no status lists given; a credential without a
    # revocation entry then fails), ACTIVE (its bit is clear), UNAVAILABLE (list missing,
    # tolerated by require_status=False), REVOKED or UNKNOWN (the list was required but
    # missing, stale or untrusted: never read as "not revoked"; ok is then False), or
    # OTHER_LIST (the entry names a list its signer does not own; ok is False).
    status: str = UNCHECKED
    # Entries changed since the evaluator validated them (their "#source" evidence no longer
    # matches the local file): a note, not a failure; the signature still holds.
    modified_entries: tuple[str, ...] = ()
    # One of core.verdicts.VERDICTS, and the failure's stable reason code and parameters
    # (None and {} when valid): what the browser verifier says of the same credential.
    verdict: str = ""
    code: str | None = None
    params: dict = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", VALID if self.ok else INVALID)

    def __bool__(self) -> bool:
        return self.ok

    @classmethod
    def refused(cls, code: str, params: dict, *args, verdict: str = INVALID, **fields) -> Verdict:
        """A failed verdict whose reason is said by its code (`reason` keeps English words
        for older readers of `verify --json`)."""
        reason = fields.pop("reason", None) or params.get("detail") or code
        return cls(False, reason, *args, verdict=verdict, code=code, params=params, **fields)


class _Failed(Exception):
    """A check that failed: its English reason, and the verdict, reason code and parameters
    it gives (core.verdicts). Without a code, `<check>.invalid` with the reason as detail."""

    def __init__(self, check: str, reason: str, status: str | None = None, *, code: str = "",
                 params: dict | None = None, verdict: str = INVALID):
        super().__init__(f"{check}: {reason}")
        self.revoked = (check, reason) == (STATUS, REVOKED)
        self.status = status or (REVOKED if self.revoked else UNKNOWN if check == STATUS else None)
        self.code = code or f"{check}.invalid"
        self.params = params if params is not None else {} if code else {"detail": reason}
        self.verdict = verdict

    def verdict_of(self, passed: tuple[str, ...], *identity, status: str = UNCHECKED) -> Verdict:
        return Verdict(False, str(self), passed, *identity, status=status, verdict=self.verdict, code=self.code,
                       params=self.params)


def _unexpected(error: Exception, passed: tuple[str, ...], *identity) -> Verdict:
    # A hostile document may hit a path no check foresaw; it is still a refusal.
    return Verdict(False, f"unexpected error: {error!r}", passed, *identity, code="error.unexpected",
                   params={"detail": repr(error)})


def verify_credential(credential: object, *, status_list: StatusLists | None = None,
                      require_status: bool = True, **checks) -> Verdict:
    """Run every check on `credential`; the verdict says which passed or why one failed.

    `checks` are `verify_except_status`'s: the resolver, and optionally the document
    loader, the time, the clock skew and the evidence files."""
    return with_status(verify_except_status(credential, **checks), credential, status_list, require_status,
                       resolver=checks.get("resolver"))


def verify_except_status(
    credential: object,
    *,
    resolver: DidResolver,
    loader: DocumentLoader | None = None,
    now: dt.datetime | None = None,
    skew: dt.timedelta = DEFAULT_SKEW,
    evidence_files: EvidenceFiles | None = None,
) -> Verdict:
    """Every check but the revocation status, which `with_status` then runs in its place.

    The costly checks (the proof above all) do not depend on status lists, which change
    with every revocation: kept apart, a revocation re-reads one bit per credential
    instead of re-verifying a cohort's signatures.
    """
    now = now or dt.datetime.now(dt.UTC)
    passed: list[str] = []
    unchecked: list[str] = []
    identity = _identity(credential)
    try:
        _check_schema(credential)
        passed.append(SCHEMA)
        _check_proof(credential, resolver, loader or DocumentLoader(), now)
        passed.append(PROOF)
        _check_dates(credential, now, skew)
        passed.append(DATES)
        unchecked, modified = _check_evidence(credential, evidence_files)
        passed.append(EVIDENCE)
    except _Failed as failure:
        return failure.verdict_of(tuple(passed), *identity)
    except Exception as error:  # noqa: BLE001
        return _unexpected(error, tuple(passed), *identity)
    return Verdict(True, None, tuple(passed), *identity, tuple(unchecked), UNCHECKED, tuple(modified))


def with_status(verdict: Verdict, credential: object, status_list: StatusLists | None,
                require_status: bool = True, *, resolver: DidResolver | None = None) -> Verdict:
    """`verify_except_status`'s verdict completed by the status check, which runs after
    the dates and before the evidence: a credential failing it fails for that reason.
    `resolver`: the one the proof was verified with, to know the signing key of a did:web
    proof (a did:key names its own)."""
    if DATES not in verdict.checks:
        return verdict  # refused before its status would be looked at
    before = verdict.checks[:verdict.checks.index(DATES) + 1]
    try:
        status = _check_status(credential, status_list, require_status, signing_key(credential, resolver))
    except _Failed as failure:
        return failure.verdict_of(before, verdict.credential_id, verdict.issuer, status=failure.status or UNCHECKED)
    except Exception as error:  # noqa: BLE001 - as in verify_except_status
        return _unexpected(error, before, verdict.credential_id, verdict.issuer)
    checks = before + ((STATUS,) if status == ACTIVE else ()) + verdict.checks[len(before):]
    return replace(verdict, checks=checks, status=status)


def _identity(credential: object) -> tuple[str | None, str | None]:
    if not isinstance(credential, dict):
        return None, None
    identifier = credential.get("id")
    return (identifier if isinstance(identifier, str) else None), proofs.issuer_id(credential)


def _check_schema(credential: object) -> None:
    problems = openbadges.validate_against_schema(credential)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise _Failed(SCHEMA, problems[0] + more)


def _check_proof(credential: dict, resolver: DidResolver, loader: DocumentLoader,
                 now: dt.datetime) -> None:
    proof = proofs.single_proof(credential)
    if proof is not None and proof.get("cryptosuite") == EDDSA_JCS_2022.name \
            and proof.get("@context") != credential.get("@context"):
        # The suite allows a proof without @context (it then signs the same bytes), but
        # every proof we and the reference stack make carries it: a missing or different
        # one means the proof was edited.
        raise _Failed(PROOF, "eddsa-jcs-2022 proof @context differs from the credential's")
    # The issuer must control the key: otherwise anyone could sign in its name.
    result = proofs.verify(credential, resolver=resolver, loader=loader,
                           expected_controller=proofs.issuer_id(credential), now=now)
    if not result.verified:
        mismatch = result.key == SIGNATURE_MISMATCH
        raise _Failed(PROOF, result.reason or "not verified", code="proof.mismatch" if mismatch else "")
    if proof.get("cryptosuite") == EDDSA_RDFC_2022.name:
        # The proof covers the RDF graph, not the JSON keys the checks below read.
        problem = signed_form_problem(credential, loader)
        if problem:
            raise _Failed(PROOF, problem, code="proof.signed_form", params={"detail": problem})


def _check_dates(credential: dict, now: dt.datetime, skew: dt.timedelta) -> None:
    valid_from = openbadges.parse_datetime(credential["validFrom"])
    created = signed_at(credential)
    # The proof's `created` is when the key signed; `validFrom` is what the signer wrote.
    # Under the VC Data Model 2.0 they may differ either way: an award dated 2024 may be
    # signed, or re-issued, today. What must not follow `validFrom` is an evaluator's
    # grant, judged at `created` (openbadges.validation_from_credential; issue 28).
    if valid_from - skew > now:
        raise _Failed(DATES, f"not yet valid: validFrom is {credential['validFrom']}", code="dates.not_yet_valid",
                      params={"date": credential["validFrom"]})
    if created is None:
        raise _Failed(DATES, "the proof states no `created` time", code="dates.no_created")
    if created - skew > now:
        raise _Failed(DATES, f"signed in the future: proof created {created.isoformat()}", code="dates.future",
                      params={"date": proofs.single_proof(credential)["created"]})
    if "validUntil" in credential:
        valid_until = openbadges.parse_datetime(credential["validUntil"])
        if valid_until + skew < now:
            raise _Failed(DATES, f"expired: validUntil was {credential['validUntil']}", code="dates.expired",
                          params={"date": credential["validUntil"]}, verdict=EXPIRED)


def signing_key(document: object, resolver: DidResolver | None = None) -> str | None:
    """The public key (multibase) of the verification method that signed `document`:
    a did:key's own, a did:web's from its DID document; None when it cannot be known."""
    proof = proofs.single_proof(document) if isinstance(document, dict) else None
    method = proof.get("verificationMethod") if proof is not None else None
    if not isinstance(method, str):
        return None
    if method.startswith("did:key:"):
        return method.removeprefix("did:key:").split("#", 1)[0]
    if resolver is None:
        return None
    try:
        return resolver.verification_method(method).public_key_multibase
    except DidResolutionError:
        return None


def _check_status(credential: dict, status_list: StatusLists | None, required: bool,
                  signer_key: str | None = None) -> str:
    entry = revocation_entry(credential)
    if entry is not None:
        # Before any list is read: that list could be perfectly valid, and still never
        # show this credential revoked (issue 26).
        other = other_signers_list(entry.get("statusListCredential"), signer_key)
        if other:
            raise _Failed(STATUS, other, OTHER_LIST, code="status.other_list", verdict=UNTRUSTED,
                          params={"url": entry.get("statusListCredential"), "signer": signer_key or "?"})
    if status_list is None:
        return UNCHECKED
    if entry is None:
        # Every credential this tool issues carries one: without it, a revocation
        # could never be seen, so the credential is refused rather than called active.
        raise _Failed(STATUS, "the credential carries no revocation status entry (credentialStatus)",
                      code="status.missing")
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        raise _Failed(STATUS, f"statusListCredential {url!r} is not a URL")
    detail = None
    try:
        check = check_status(entry, status_list(url))
    except StatusListError as error:
        # The caller could not get the list, or not trust it: the status is unknown.
        check, detail = StatusCheck(False, f"status list {url} is not usable: {error}"), str(error)
    if check.revoked:
        raise _Failed(STATUS, REVOKED, code="status.revoked", verdict=REVOKED_VERDICT)
    if check.reason is None:
        return ACTIVE
    if required:
        # Never "not revoked" when the list could not be read: the status is unknown.
        # An index past the list's end is its own case (status.index), as the pages say it.
        raise _Failed(STATUS, check.reason, code=check.code or "status.unknown", verdict=UNKNOWN_STATUS,
                      params={"url": url, "detail": detail or check.reason})
    return UNAVAILABLE


def verified_status_list(source: Path | dict, resolver: DidResolver, expected_issuer: str, *,
                         loader: DocumentLoader | None = None,
                         now: dt.datetime | None = None) -> dict:
    """The status list credential in `source` (a file or a parsed document), once its
    proof shows `expected_issuer` (the institution) signed it; StatusListError otherwise.

    Only such a list may be trusted: anyone can publish a list with every bit clear.
    """
    document = read_credential(source) if isinstance(source, Path) else source
    if not isinstance(document, dict):
        raise StatusListError(document if isinstance(document, str) else "not a JSON object")
    if STATUS_LIST_CREDENTIAL not in (document.get("type") or []):
        raise StatusListError(f"not a {STATUS_LIST_CREDENTIAL}")
    if proofs.issuer_id(document) != expected_issuer:
        raise StatusListError(f"issued by {proofs.issuer_id(document)}, not by {expected_issuer}")
    problem = signed_document_problem(document, resolver, loader=loader, now=now)
    if problem:
        raise StatusListError(problem)
    if not isinstance(document.get("validUntil"), str):
        # An old list, signed before a revocation, would otherwise serve forever.
        raise StatusListError("the list states no validUntil, so its freshness cannot be known "
                              "(the institution re-signs it with `status-list publish`)")
    return document


def signed_document_problem(document: dict, resolver: DidResolver, *, loader: DocumentLoader | None = None,
                            now: dt.datetime | None = None) -> str | None:
    """Why a signed document other than a badge (registry, status list) cannot be
    believed: its proof, the form it was signed in, its dates; None when it can."""
    try:
        _check_proof(document, resolver, loader or DocumentLoader(), now or dt.datetime.now(dt.UTC))
        _check_dates(document, now or dt.datetime.now(dt.UTC), DEFAULT_SKEW)
    except _Failed as failure:
        return str(failure)
    except (KeyError, TypeError, ValueError) as error:
        return f"unusable dates: {error!r}"
    return None


def signed_at(document: dict) -> dt.datetime | None:
    """When the proof says the document was signed, in UTC; None if it does not say."""
    proof = proofs.single_proof(document)  # an object, or an array of one (VCDM 2.0 allows both)
    created = proof.get("created") if proof is not None else None
    if not isinstance(created, str):
        return None
    try:
        moment = openbadges.parse_datetime(created)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def status_lists(lists: Iterable[dict]) -> StatusLists:
    """`status_list` for verify_credential from lists already verified, by their id."""
    by_url = {document.get("id"): document for document in lists}
    return by_url.get


def _check_evidence(credential: dict, evidence_files: EvidenceFiles | None) -> tuple[list[str], list[str]]:
    """Evidence files whose digest could not be checked, and entries modified since."""
    unchecked, modified = [], []
    for evidence in credential.get("evidence", []):
        if "digestMultibase" not in evidence:
            continue
        path = evidence_files(evidence.get("id", "")) if evidence_files else None
        if evidence.get("genre") == openbadges.ENTRY_SOURCE_GENRE:
            if path is not None and path.is_file() and not openbadges.file_digest_matches(evidence, path):
                modified.append(evidence.get("id", ""))
            continue
        if path is None or not path.is_file():
            unchecked.append(evidence.get("id", ""))
        elif not openbadges.file_digest_matches(evidence, path):
            # Name the evidence by its URL: the local copy may be a verifier's temporary file.
            raise _Failed(EVIDENCE, f"{evidence.get('id')}: the file does not match "
                                    "the digest signed in the credential",
                          code="evidence.mismatch", params={"id": evidence.get("id", "")})
    return unchecked, modified


def read_credential(path: Path) -> object:
    """The JSON in `path`, or baked into it (a PNG or SVG badge: `baking`), or a string
    saying why it is not readable JSON."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
        if baking.image_format(head, path.name):
            return json.loads(baking.unbake_file(path))
        return json.loads(path.read_text("utf-8"))
    except baking.BakingError as error:
        return f"not a readable baked badge: {error}"
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:  # Recursion: [[[[...
        return f"not a readable JSON file: {error}"


def verify_file(path: Path, **options) -> Verdict:
    return _load_and_verify(path, **options)[1]


def _load_and_verify(path: Path, **options) -> tuple[object, Verdict]:
    credential = read_credential(path)
    if isinstance(credential, str):
        return credential, Verdict.refused("schema.not_json", {"detail": credential})
    return credential, verify_credential(credential, **options)


def verified_validations(paths: Iterable[Path], **options) -> tuple[list[Validation], dict[Path, Verdict]]:
    """The validations recorded by the credentials that verify, and the verdict of each
    file, so that callers (site, rules) only ever count verified decisions."""
    validations, verdicts = [], {}
    for path in paths:
        credential, verdicts[path] = _load_and_verify(path, **options)
        if verdicts[path].ok:
            validations.append(openbadges.validation_from_credential(credential))
    return validations, verdicts
