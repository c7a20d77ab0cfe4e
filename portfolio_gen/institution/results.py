"""External results (a Pix+Édu level, say) as credentials signed by whoever entered them.

A level rule's external input decides a certified level: kept as plain YAML in the
candidate's folder, anyone who can edit that folder (the candidate, in their own
repository) could raise it. So `result` and `import-results` sign each result with the
key of the staff member who enters it, and the commission counts a result only when its
proof holds and the institution's signed registry authorised that signer for the
framework on the day the proof states (issue 19, item 10). The certificate then cites
the results it rests on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core.files import write_atomic
from ..core.model import Candidate, ExternalResult, Framework
from ..core.problems import Problem
from ..core.records import RESULTS_DIR
from ..core.registry import Registry, untrusted_reason
from ..credentials import proofs
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import DidResolver, did_key, did_key_verification_method_id
from ..credentials.loader import DocumentLoader
from ..credentials.openbadges import datetime_stamp
from .registry_credential import inline_context
from ..credentials.verify import signed_at, signed_document_problem

CREDENTIAL_TYPE = "ExternalResultCredential"
CONTEXT = inline_context(CREDENTIAL_TYPE, "ExternalResult", {"result": "externalResult"})


def build_result_credential(candidate: Candidate, result: ExternalResult, signer_id: str,
                            valid_from: dt.datetime, *, supersedes: str = "") -> dict:
    """The unsigned credential: the result as one JSON literal, so the signed bytes are
    exactly what the commission reads. `supersedes` names the result credential this one
    corrects (a changed row of a re-imported export): once this one counts, that one no
    longer does."""
    literal = {"candidate": candidate.slug, "framework": result.framework, "input": result.input,
               "level": result.level, "date": result.date.isoformat(), "source": result.source}
    if supersedes:
        literal["supersedes"] = supersedes
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": signer_id,
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": {"type": "ExternalResult", "result": literal},
    }


def sign_result(candidate: Candidate, result: ExternalResult, private_key: Ed25519PrivateKey, *,
                now: dt.datetime | None = None, loader: DocumentLoader | None = None,
                supersedes: str = "") -> Path:
    """Sign `result` with the staff member's own key (its did:key) and write it in the
    candidate's results/ folder; the file's path."""
    moment = now or dt.datetime.now(dt.UTC)
    public = private_key.public_key()
    unsigned = build_result_credential(candidate, result, did_key(public), moment, supersedes=supersedes)
    signed = proofs.sign(unsigned, private_key,
                         did_key_verification_method_id(public), suite=EDDSA_RDFC_2022,
                         loader=loader or DocumentLoader(), created=datetime_stamp(moment), as_array=True)
    folder = candidate.folder / RESULTS_DIR
    stem, suffix = f"{result.date.isoformat()}-{result.input}", 1
    while (folder / f"{stem}.json").exists():  # a second result the same day keeps the first
        stem, suffix = f"{result.date.isoformat()}-{result.input}-{suffix + 1}", suffix + 1
    path = folder / f"{stem}.json"
    write_atomic(path, json.dumps(signed, ensure_ascii=False, indent=2) + "\n", overwrite=False)
    return path


def result_files(candidate: Candidate) -> list[Path]:
    folder = candidate.folder / RESULTS_DIR if candidate.folder else None
    return sorted(folder.glob("*.json")) if folder and folder.is_dir() else []


# --- Recording a result once (issue 29: re-importing a Pix export signed every row again) ---

@dataclasses.dataclass(frozen=True)
class RecordedResult:
    """A result file as written: read without verifying its proof. It only keeps the same
    result from being signed twice; what counts is still decided by `judged_results`."""

    credential_id: str
    result: ExternalResult


@dataclasses.dataclass(frozen=True)
class ResultPlan:
    """What recording a batch of results does: sign `new` (each with the credential id it
    supersedes, or ""), leave `unchanged` alone (already recorded as they are), and say
    which recorded result each changed one replaces (`superseded`: slug, old, new)."""

    new: list[tuple[str, ExternalResult, str]]
    unchanged: list[tuple[str, ExternalResult]]
    superseded: list[tuple[str, ExternalResult, ExternalResult]]


def recorded_results(candidate: Candidate) -> list[RecordedResult]:
    """The candidate's result files still in force as written: those no other file supersedes."""
    found, replaced = [], set()
    for path in result_files(candidate):
        try:
            document = json.loads(path.read_text("utf-8"))
            data = document["credentialSubject"]["result"]
            result = ExternalResult(str(data["framework"]), str(data["input"]), str(data["level"]),
                                    dt.date.fromisoformat(str(data["date"])), str(data["source"]), path)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: judged_results reports it, it records nothing here
        replaced.add(str(data.get("supersedes") or ""))
        found.append(RecordedResult(str(document.get("id", "")), result))
    return [r for r in found if r.credential_id not in replaced]


def _identity(result: ExternalResult) -> tuple[str, str, str]:
    """One result of one session: its framework, input and source. A Pix export's source is
    its certification number (« Pix+Édu n° … »), so the same number is the same result."""
    return result.framework, result.input, result.source


def plan_results(results: list[tuple[str, ExternalResult]],
                 recorded: Mapping[str, list[RecordedResult]]) -> ResultPlan:
    """Which of `results` (slug, result) to sign: a result already recorded with the same
    level and date is left as it is; one recorded with another level or date is signed
    again, superseding the recorded one; anything else is new."""
    plan = ResultPlan([], [], [])
    seen: set[tuple[str, tuple[str, str, str]]] = set()
    for slug, result in results:
        key = (slug, _identity(result))
        if key in seen:
            continue  # the same certification twice in one file: the first row is the one read
        seen.add(key)
        same = [r for r in recorded.get(slug, ()) if _identity(r.result) == key[1]]
        if any((r.result.level, r.result.date) == (result.level, result.date) for r in same):
            plan.unchanged.append((slug, result))
        elif same:
            latest = max(same, key=lambda r: r.result.date)
            plan.new.append((slug, result, latest.credential_id))
            plan.superseded.append((slug, latest.result, result))
        else:
            plan.new.append((slug, result, ""))
    return plan


@dataclasses.dataclass(frozen=True)
class SignedResult:
    """A result whose proof and signer were checked."""

    result: ExternalResult
    credential_id: str
    signer: str
    signed_on: dt.date
    supersedes: str = ""  # the result credential this one corrects, when it does


def judged_results(candidate: Candidate, frameworks: dict[str, Framework], registry: Registry | None,
                   resolver: DidResolver, loader: DocumentLoader) -> tuple[list[SignedResult], list[Problem]]:
    """The candidate's results the commission may count, and why each other one may not:
    unsigned (a results/*.yml of an older version), tampered, about someone else, or
    signed by someone the signed registry did not authorise for that framework that day."""
    problems = [Problem("result.unsigned", r.path, None, {"slug": candidate.slug, "framework": r.framework,
                                                          "input": r.input}) for r in candidate.results]
    counted = []
    for path in result_files(candidate):
        judged = _judge(path, candidate, frameworks, registry, resolver, loader)
        (counted if isinstance(judged, SignedResult) else problems).append(judged)
    # A result a counted one supersedes (a corrected row of a re-imported export) no longer
    # counts; only a result whose own proof and signer hold can supersede another.
    superseded = {r.supersedes for r in counted if r.supersedes}
    return [r for r in counted if r.credential_id not in superseded], problems


def _judge(path: Path, candidate: Candidate, frameworks, registry: Registry | None,
           resolver: DidResolver, loader: DocumentLoader) -> SignedResult | Problem:
    def refused(reason: str, framework: str | None = None) -> Problem:
        known = {"framework": framework} if framework else {}  # unknown: it may be any framework's
        return Problem("result.untrusted", path, None, {"reason": reason, **known})

    try:
        document = json.loads(path.read_text("utf-8"))
        data = document["credentialSubject"]["result"]
        result = ExternalResult(str(data["framework"]), str(data["input"]), str(data["level"]),
                                dt.date.fromisoformat(str(data["date"])), str(data["source"]), path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return refused(f"not a readable {CREDENTIAL_TYPE} ({error})")
    if CREDENTIAL_TYPE not in (document.get("type") or []):
        return refused(f"not a {CREDENTIAL_TYPE}")
    problem = signed_document_problem(document, resolver, loader=loader)
    if problem:
        return refused(problem)  # its framework, read from a document that does not verify, proves nothing
    if data.get("candidate") != candidate.slug:
        return refused(f"it is about {data.get('candidate')!r}, not {candidate.slug}", result.framework)
    framework = frameworks.get(result.framework)
    if framework is None:
        return refused(f"unknown framework {result.framework}", result.framework)
    if registry is None:
        return refused("no signed evaluator registry to check who entered it", result.framework)
    signer = proofs.issuer_id(document) or ""
    signed_on = signed_at(document).date()  # the proof's day, in UTC: not a date the signer chose
    reason = untrusted_reason(registry, signer, candidate.slug, framework, "", None, signed_on)
    if reason is not None:  # the trust.* messages `audit` gives for a validation that does not count
        return Problem(reason, path, None, {"ref": f"{result.framework}:{result.input}", "signer": signer,
                                            "framework": result.framework})
    return SignedResult(result, str(document.get("id", "")), signer, signed_on, str(data.get("supersedes") or ""))
