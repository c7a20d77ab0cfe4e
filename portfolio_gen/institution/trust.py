"""Which of a candidate's credentials count: verified, bound to them, signed by someone allowed.

A credential can be cryptographically valid and still not count: signed by a key the
institution never registered, by an evaluator outside their framework or period, by
the candidate themself, copied from another candidate's folder, or a certificate not
issued by the institution. Those are reported "untrusted", never counted as valid.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from ..core.model import Candidate, Framework, Validation
from ..core.registry import Registry, untrusted_reason
from ..core.settings import Settings
from ..core.verdicts import INVALID, UNTRUSTED, VALID
from ..core.workspace import Workspace
from ..credentials import openbadges
from . import revocation
from ..credentials.dids import DidResolver
from ..credentials.status import StatusListError
from .issuing import credential_files
from ..credentials.loader import DocumentLoader
from .context import InstitutionContext, load_institution
from .verdicts import VerdictCache, checked_evidence
from ..credentials.verify import (OTHER_LIST, UNKNOWN as STATUS_UNKNOWN, Verdict, read_credential,
                                  verified_status_list, verify_credential, verify_except_status, with_status)

VALIDATION, CERTIFICATE, ATTESTATION = "validation", "certificate", "attestation"


@dataclass(frozen=True)
class Assessment:
    """The verdict on one credential file, with the reason when it does not count."""

    path: Path
    kind: str
    status: str  # the verdict: one of core.verdicts.VERDICTS
    reason: str = ""  # a verifier's English reason, or a trust.* message key (older readers)
    validation: Validation | None = None
    # The entry's text changed since the evaluator validated it: said, not a failure.
    entry_modified: bool = False
    # The verdict's reason code and parameters (core.verdicts), "" and {} when valid.
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def counts(self) -> bool:
        return self.status == VALID

    @property
    def credential(self) -> dict | None:
        """The credential, read from its file when asked: an assessment is kept small
        (a cohort's are cached and passed between processes), few callers need the document."""
        document = read_credential(self.path)  # a string when the file is not readable JSON
        return document if isinstance(document, dict) else None


@dataclass
class TrustContext:
    """Everything needed to judge credentials offline."""

    settings: Settings
    frameworks: Mapping[str, Framework]
    registry: Registry | None
    registry_problem: str
    resolver: DidResolver
    loader: DocumentLoader
    evidence_files: Callable[[str], Path | None] | None = None
    # The status list reader and whether a missing list fails (`verify_credential`'s).
    verify_options: dict = field(default_factory=dict)
    now: dt.datetime | None = None
    verdicts: VerdictCache | None = None  # verdicts of earlier runs, while their inputs are unchanged
    # From the workspace the candidates were read from: each folder's fingerprint, with
    # the frameworks' digest, lets a whole folder's assessments be remembered.
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    frameworks_digest: str = ""


def kind_of(credential: Mapping) -> str:
    try:
        achievement_type = credential["credentialSubject"]["achievement"].get("achievementType")
    except (KeyError, TypeError, AttributeError):
        return VALIDATION
    kinds = {openbadges.CERTIFICATE_TYPE: CERTIFICATE, openbadges.ATTESTATION_TYPE: ATTESTATION}
    return kinds.get(achievement_type, VALIDATION)


def verify_file_trusting(path: Path, trusted: Sequence[str], **options) -> Verdict:
    """`verify_file`, and an award (certificate, attestation) must be issued by an
    institution the verifier named: one signed by any other issuer proves nothing."""
    return read_and_verify_trusting(path, trusted, **options)[1]


def read_and_verify_trusting(path: Path, trusted: Sequence[str], **options) -> tuple[object, Verdict]:
    """`verify_file_trusting`, with the very document it judged: what a verifier shows of a
    credential that passed is read from it, never from a second read of the file."""
    credential = read_credential(path)
    if isinstance(credential, str):
        return credential, Verdict.refused("schema.not_json", {"detail": credential})
    verdict = verify_credential(credential, **options)
    if verdict.ok and kind_of(credential) != VALIDATION and verdict.issuer not in trusted:
        named = ", ".join(trusted) or "none named: pass --institution"
        return credential, replace(verdict, ok=False, reason=f"untrusted: issued by {verdict.issuer}, not by an "
                                                             f"institution you trust ({named})",
                                   verdict=UNTRUSTED, code="trust.not_institution",
                                   params={"issuer": verdict.issuer or "", "trusted": named})
    return credential, verdict


def assess_file(path: Path, candidate: Candidate, context: TrustContext) -> Assessment:
    try:
        raw = path.read_bytes()
        credential = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        return Assessment(path, VALIDATION, INVALID, f"unreadable: {error}", code="schema.not_json",
                          params={"detail": str(error)})
    kind = kind_of(credential)
    verdict = _verify(raw, credential, candidate, context)
    if not verdict.ok:
        # The verifier's verdict: revoked, expired, unknown-status, untrusted (a status entry
        # in another signer's list: signed, but never revocable there) or invalid.
        failed = Assessment(path, kind, verdict.verdict, verdict.reason or "", code=verdict.code or "",
                            params=verdict.params)
        if verdict.status not in (STATUS_UNKNOWN, OTHER_LIST):
            return failed
        # The signature holds and only the status could not be had (a signer the
        # institution never registered has no list): who may not sign for it says more.
        trusted = _assess_trusted(path, credential, kind, verdict, candidate, context)
        return trusted if trusted.status == UNTRUSTED else failed
    return _assess_trusted(path, credential, kind, verdict, candidate, context)


def _assess_trusted(path: Path, credential: dict, kind: str, verdict: Verdict, candidate: Candidate,
                    context: TrustContext) -> Assessment:
    """What the institution's trust rules say of a credential whose signature holds."""
    if not _is_about(credential, candidate):
        return _untrusted(path, kind, "trust.other_subject")
    if kind != VALIDATION:
        issuer = verdict.issuer or ""
        if issuer != context.settings.institution.id:
            return _untrusted(path, kind, "trust.not_institution")
        return Assessment(path, kind, VALID)
    assessment = _assess_validation(path, credential, candidate, context)
    return replace(assessment, entry_modified=bool(verdict.modified_entries))


def _verify(raw: bytes, credential: dict, candidate: Candidate, context: TrustContext) -> Verdict:
    """`verify_credential`, the checks but the status from the verdict cache when it has them."""
    def compute() -> Verdict:
        return verify_except_status(credential, resolver=context.resolver, loader=context.loader,
                                    now=context.now, evidence_files=context.evidence_files)
    if context.verdicts is None:
        verdict = compute()
    else:
        evidence = checked_evidence(credential, context.evidence_files)
        if not all(_decided_in_folder(url, path, candidate, context.settings) for url, path in evidence):
            context.verdicts.elsewhere()
        verdict = context.verdicts.verify(raw, [path for _, path in evidence], context.now, compute)
    return with_status(verdict, credential, context.verify_options.get("status_list"),
                       context.verify_options.get("require_status", True), resolver=context.resolver)


def _decided_in_folder(url: object, path: Path | None, candidate: Candidate, settings: Settings) -> bool:
    """Whether what the evidence URL stands for can only change with the candidate's folder:
    a file inside it, or a URL no file of it answers that no other candidate's could
    (under their own site, or outside the institution's sites altogether)."""
    if path is not None:
        return candidate.folder is not None and \
            os.path.abspath(path).startswith(os.path.abspath(candidate.folder) + os.sep)
    url = url if isinstance(url, str) else ""
    return url.startswith(settings.site_url(candidate.slug)) or not url.startswith(settings.site_base_url)


def _options_key(context: TrustContext) -> str:
    """What changes a verdict besides the files the cache digests: how a missing list is taken."""
    return f"{sorted(context.verify_options)} require_status={context.verify_options.get('require_status')}"


def _assess_validation(path: Path, credential: dict, candidate: Candidate, context: TrustContext) -> Assessment:
    try:
        validation = openbadges.validation_from_credential(credential)
    except openbadges.CredentialError as error:
        return Assessment(path, VALIDATION, UNTRUSTED, str(error), code="trust.not_validation",
                          params={"detail": str(error)})
    framework = context.frameworks.get(validation.framework)
    item = framework.item_by_code.get(validation.item) if framework else None
    if item is None:
        return _untrusted(path, VALIDATION, "trust.unknown_item", validation)
    if context.registry is None:
        return Assessment(path, VALIDATION, UNTRUSTED, context.registry_problem, validation, code="trust.registry",
                          params={"detail": context.registry_problem})
    mention = next((p.mention for p in candidate.frameworks if p.framework == framework.id), None)
    reason = untrusted_reason(context.registry, validation.evaluator, candidate.slug, framework,
                              item.phase, mention, validation.date)
    return _untrusted(path, VALIDATION, reason, validation) if reason else Assessment(path, VALIDATION, VALID,
                                                                                       validation=validation)


def _untrusted(path: Path, kind: str, code: str, validation: Validation | None = None) -> Assessment:
    """Signed, but not by someone the institution's rules allow: `code` is a trust.* key."""
    return Assessment(path, kind, UNTRUSTED, code, validation, code=code)


def _is_about(credential: Mapping, candidate: Candidate) -> bool:
    """The subject's salted identity hash must be this candidate's e-mail: a credential
    copied into another portfolio proves nothing about its new owner."""
    try:
        identities = credential["credentialSubject"]["identifier"]
    except (KeyError, TypeError):
        return False
    email = openbadges.candidate_email(candidate)
    return any(isinstance(i, dict) and i.get("identityHash") == openbadges.identity_hash(email, i.get("salt", ""))
               for i in identities)


def assess_candidate(candidate: Candidate, context: TrustContext) -> list[Assessment]:
    return _assess(candidate, context, _folder_inputs(candidate, context))


def _assess(candidate: Candidate, context: TrustContext, inputs: str | None, *,
            not_remembered: bool = False) -> list[Assessment]:
    """The candidate's assessments: the folder's remembered ones, else its credentials
    assessed one by one (each verdict from the cache when it has it) and remembered when
    `inputs` allow. `not_remembered`: already looked up and missing, not looked up again."""
    def judge() -> list[Assessment]:
        return [assess_file(path, candidate, context) for path in credential_files(candidate)]

    if inputs is None:
        return judge()
    keep = context.verdicts.remember if not_remembered else context.verdicts.for_folder
    assessments = keep(candidate.folder, inputs, context.now, judge)
    context.verdicts.flush()
    return assessments


def _folder_inputs(candidate: Candidate, context: TrustContext) -> str | None:
    """What a folder's assessments are remembered under, if they can be: the folder holds
    the candidate's files, credentials and evidence, and while none of them changed, nor
    the trust files, frameworks or options, neither did the assessments."""
    fingerprint = context.fingerprints.get(candidate.slug)
    if context.verdicts is None or fingerprint is None or candidate.folder is None:
        return None
    return f"{fingerprint}\0{context.frameworks_digest}\0{_options_key(context)}"


# Below this many candidates to judge, starting processes costs more than it saves.
PARALLEL_MIN_CANDIDATES = 20


def assess_candidates(candidates: Iterable[Candidate], context: TrustContext,
                      jobs: int | None = None) -> Iterator[tuple[Candidate, list[Assessment]]]:
    """Each candidate with its assessments, in order. Those not remembered are judged in
    worker processes when there are many (a cohort's first run, a new tool version):
    verifying signatures is the costly part, and it spreads over every core."""
    candidates = list(candidates)
    inputs = {c.slug: _folder_inputs(c, context) for c in candidates}
    remembered = {}
    if context.verdicts is not None:
        found = context.verdicts.remembered_many([(c.folder, inputs[c.slug]) for c in candidates], context.now)
        remembered = {c.slug: judged for c, judged in zip(candidates, found) if judged is not None}
    pending = [c for c in candidates if c.slug not in remembered]
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1)
    if workers > 1 and len(pending) >= PARALLEL_MIN_CANDIDATES:
        # Forked, so the workers inherit the context (its status list reader is a closure)
        # and each opens its own connection to the cache, where it stores what it judged.
        global _worker_state
        _worker_state = (context, {c.slug: (c, inputs[c.slug]) for c in pending})
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                judged = pool.map(_assess_in_worker, [c.slug for c in pending],
                                  chunksize=max(1, len(pending) // (workers * 8)))
                remembered.update(zip((c.slug for c in pending), judged))
        except BrokenProcessPool:
            pass  # a worker died (killed, out of memory): the rest is judged here, one by one
        finally:
            _worker_state = None
    for candidate in candidates:
        yield candidate, remembered[candidate.slug] if candidate.slug in remembered \
            else _assess(candidate, context, inputs[candidate.slug], not_remembered=True)


_worker_state: tuple[TrustContext, dict[str, tuple[Candidate, str | None]]] | None = None


def _assess_in_worker(slug: str) -> list[Assessment]:
    context, pending = _worker_state
    candidate, inputs = pending[slug]
    return _assess(candidate, context, inputs, not_remembered=True)


def workspace_context(root: Path, workspace: Workspace, institution: InstitutionContext | None = None,
                      **verify_options) -> TrustContext:
    """The trust context of a workspace: the institution context's settings, did.json and
    signed registry (the command's own, or one loaded here to read and judge), the status
    lists and the cohort's evidence."""
    institution = institution or load_institution(root, verify_signed=False)
    settings, resolver = institution.settings, institution.resolver
    registry, problem = institution.registry, institution.registry_problem
    options = {**_status_options(root, settings, resolver), **verify_options}
    status_lists = list(institution.status_lists.values()) or [root / revocation.LIST_FILE]
    verdicts = VerdictCache.open(root, [*institution.trust_files, *status_lists], status_lists)
    return TrustContext(settings, workspace.frameworks, registry, problem, resolver, DocumentLoader(),
                        _EvidenceFiles(settings, workspace.candidates), options, verdicts=verdicts,
                        fingerprints=workspace.fingerprints, frameworks_digest=workspace.frameworks_digest)


class _EvidenceFiles:
    """Published URL -> file of a cohort's evidence, listed on the first lookup: a warm run
    whose assessments all come from the cache never needs it (it cost a fifth of `status`)."""

    def __init__(self, settings: Settings, candidates: Mapping[str, Candidate]):
        self._settings, self._candidates = settings, candidates
        self._files: dict[str, Path] | None = None

    def __call__(self, url: str) -> Path | None:
        if self._files is None:
            self._files = openbadges.evidence_files(self._settings, self._candidates)
        return self._files.get(url)


def _status_options(root: Path, settings: Settings, resolver: DidResolver) -> dict:
    """Revocation checking against the workspace's own signed lists (one per signing key,
    and the old shared one; see `revocation`).

    Before the institution first publishes its lists nothing can have been revoked, so
    the status is then recorded as unavailable rather than failing every credential;
    a list that exists but does not verify makes its status entries fail, with why.
    """
    files = revocation.list_files(root)
    if not files:
        return {"status_list": lambda url: None, "require_status": False}
    trusted: dict[str, dict] = {}
    unusable: dict[str, str] = {}
    for relative, path in files.items():
        try:
            document = verified_status_list(path, resolver, settings.institution.id)
        except StatusListError as error:
            unusable[settings.institution_base_url + relative] = str(error)
        else:
            trusted[document.get("id")] = document

    def status_list(url: str) -> dict | None:
        if url in unusable:
            raise StatusListError(unusable[url])
        return trusted.get(url)
    return {"status_list": status_list, "require_status": True}


def candidate_validations(root: Path, workspace: Workspace, trusted_only: bool = True) -> dict[str, list[Validation]]:
    """Per candidate, the validations of verified credentials: by default only those that
    count, trust coming from the signed registry.json, never from the editable evaluators.yml.
    `trusted_only=False` also keeps verified but untrusted ones: an evaluator's decision
    is taken even when it will not count, so it no longer waits in their queue."""
    return validations_in(workspace_context(root, workspace), workspace.candidates.values(), trusted_only)


def validations_in(context: TrustContext, candidates: Iterable[Candidate],
                   trusted_only: bool = True) -> dict[str, list[Validation]]:
    """`candidate_validations` within a context a command already holds (building one
    verifies the registry and the status list again)."""
    wanted = {VALID} if trusted_only else {VALID, UNTRUSTED}
    return {candidate.slug: [a.validation for a in assessments if a.status in wanted and a.validation]
            for candidate, assessments in assess_candidates(candidates, context)}


def with_counted_results(context: TrustContext, candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates with only the external results the commission would count (signed by
    authorised staff), so that figures and readiness agree with `certify`."""
    from .results import judged_results

    return [replace(c, results=tuple(r.result for r in judged_results(
        c, context.frameworks, context.registry, context.resolver, context.loader)[0])) for c in candidates]
