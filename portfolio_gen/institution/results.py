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
                            valid_from: dt.datetime) -> dict:
    """The unsigned credential: the result as one JSON literal, so the signed bytes are
    exactly what the commission reads."""
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": signer_id,
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": {"type": "ExternalResult", "result": {
            "candidate": candidate.slug, "framework": result.framework, "input": result.input,
            "level": result.level, "date": result.date.isoformat(), "source": result.source}},
    }


def sign_result(candidate: Candidate, result: ExternalResult, private_key: Ed25519PrivateKey, *,
                now: dt.datetime | None = None, loader: DocumentLoader | None = None) -> Path:
    """Sign `result` with the staff member's own key (its did:key) and write it in the
    candidate's results/ folder; the file's path."""
    moment = now or dt.datetime.now(dt.UTC)
    public = private_key.public_key()
    signed = proofs.sign(build_result_credential(candidate, result, did_key(public), moment), private_key,
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


@dataclasses.dataclass(frozen=True)
class SignedResult:
    """A result whose proof and signer were checked."""

    result: ExternalResult
    credential_id: str
    signer: str
    signed_on: dt.date


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
    return counted, problems


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
    return SignedResult(result, str(document.get("id", "")), signer, signed_on)
