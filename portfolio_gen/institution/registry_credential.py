"""The evaluator registry as a credential signed by the institution's did:web key.

An employer must be able to check who was allowed to validate what without trusting
the candidate's web host: the registry is therefore published as a Verifiable
Credential. The list of evaluators is carried as one JSON literal (`@type: @json`), so
the signed bytes are exactly the data the trust rules read, and only three terms need
defining in a small inline context.

Each signed registry carries a `version` one above the last (so a verifier can tell an
old one replayed by a web host from the current one) and a `validUntil`: a registry
signed before an evaluator was removed stops being believed once it lapses, and
`registry sign` is re-run (by hand or a cron job) before then (issue 19, attack 4).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..credentials.errors import CredentialsError
from ..core.files import write_atomic
from ..core.model import Candidate
from ..core.registry import REGISTRY_FILE, Evaluator, Registry, registry_from_data, registry_to_data
from ..core.settings import Settings
from ..credentials import proofs
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import DidResolutionError, DidResolver, signer
from ..credentials.loader import DocumentLoader
from ..credentials.openbadges import datetime_stamp, identity_hash
from ..credentials.verify import signed_document_problem
from .trustfiles import REGISTRY_CREDENTIAL_FILE, check_signing_key

CREDENTIAL_TYPE = "EvaluatorRegistryCredential"
VOCABULARY = "urn:portfolio-gen:vocab#"


def inline_context(credential_type: str, subject_type: str, json_terms: Mapping[str, str],
                   plain_terms: Mapping[str, str] | None = None) -> list:
    """The @context of a portfolio-gen document signed as a credential (registry, manifest,
    minutes, external result): VCDM 2.0's, and an inline one naming its two types, its
    data terms as JSON literals (`@type: @json`: the signed bytes are exactly the data
    the checks read) and its plain terms. term -> IRI local name, in this vocabulary."""
    terms = {credential_type: VOCABULARY + credential_type, subject_type: VOCABULARY + subject_type}
    terms.update({term: {"@id": VOCABULARY + name, "@type": "@json"} for term, name in json_terms.items()})
    terms.update({term: VOCABULARY + name for term, name in (plain_terms or {}).items()})
    return ["https://www.w3.org/ns/credentials/v2", terms]


CONTEXT = inline_context(CREDENTIAL_TYPE, "EvaluatorRegistry", {"evaluators": "evaluators"},
                         {"version": "registryVersion"})
# How long a signed registry is believed; long enough for a term, short enough that
# a replayed old one lapses.
DEFAULT_VALIDITY = dt.timedelta(days=90)


class RegistryCredentialError(CredentialsError, ValueError):
    """The registry credential cannot be trusted; the message says why."""


@dataclass(frozen=True)
class SignedRegistry:
    """A verified registry with what says how recent it is."""

    registry: Registry
    version: int
    valid_from: str
    valid_until: str
    # The key that signed it: versions count per key, so a verifier remembers them per
    # institution and key (a fresh workspace under the same did:web starts again at 1).
    verification_method: str = ""
    key: str = ""  # its publicKeyMultibase


def build_registry_credential(registry: Registry, settings: Settings, valid_from: dt.datetime, *,
                              version: int = 1, validity: dt.timedelta = DEFAULT_VALIDITY) -> dict:
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": f"Registre des évaluateurs — {settings.institution.name}",
        "issuer": settings.institution.id,
        "validFrom": datetime_stamp(valid_from),
        "validUntil": datetime_stamp(valid_from + validity),
        "credentialSubject": {"id": settings.institution.id, "type": "EvaluatorRegistry",
                              "version": version, **registry_to_data(registry)},
    }


def sign_registry(root: Path, settings: Settings, registry: Registry, private_key: Ed25519PrivateKey,
                  *, now: dt.datetime | None = None, loader: DocumentLoader | None = None,
                  validity: dt.timedelta = DEFAULT_VALIDITY, candidate_emails: Mapping[str, str] | None = None) -> Path:
    """Sign the registry with the institution's key and write `registry.json` atomically.

    A new version replaces the old file; git keeps the history, and credentials signed
    earlier stay judged by the evaluators' periods, which the new version carries on.
    """
    check_signing_key(root, settings.institution.id, private_key)
    issuer, method = signer(private_key, settings.institution.id)
    moment = now or dt.datetime.now(dt.UTC)
    path = root / REGISTRY_CREDENTIAL_FILE
    registry = with_candidate_identities(registry, candidate_emails or {})
    credential = build_registry_credential(registry, settings, moment, version=last_version(path) + 1,
                                           validity=validity)
    signed = proofs.sign(credential, private_key, method, suite=EDDSA_RDFC_2022,
                         loader=loader or DocumentLoader(), created=datetime_stamp(moment))
    write_atomic(path, json.dumps(signed, ensure_ascii=False, indent=2) + "\n")
    return path


def with_candidate_identities(registry: Registry, emails: Mapping[str, str]) -> Registry:
    """Each evaluator who is also a candidate gets the salted hash of that candidate's
    e-mail, so a verifier given the e-mail can tell a self-validation on any site."""
    def identified(evaluator: Evaluator) -> Evaluator:
        email = emails.get(evaluator.candidate)
        if not email:
            return evaluator
        salt = secrets.token_hex(16)
        return replace(evaluator, candidate_identity=(salt, identity_hash(email, salt)))
    return Registry(tuple(identified(evaluator) for evaluator in registry.evaluators))


def candidate_emails(registry: Registry, candidates: Mapping[str, Candidate]) -> dict[str, str]:
    """slug -> e-mail of each candidate who is also an evaluator, when the e-mail is known."""
    emails = {}
    for evaluator in registry.evaluators:
        candidate = candidates.get(evaluator.candidate)
        email = candidate.private.get("email") if candidate and candidate.private else None
        if isinstance(email, str) and "@" in email:
            emails[evaluator.candidate] = email
    return emails


def last_version(path: Path) -> int:
    """The `credentialSubject.version` of the document signed before at `path` (registry,
    manifest): 0 if none or unreadable, so the next signing is one above."""
    try:
        version = json.loads(path.read_text("utf-8"))["credentialSubject"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def verified_registry(credential: object, institution_id: str, resolver: DidResolver,
                      loader: DocumentLoader | None = None, now: dt.datetime | None = None) -> Registry:
    """The registry a credential carries, once its proof, form, dates and issuer are checked."""
    return verified_signed_registry(credential, institution_id, resolver, loader, now).registry


def verified_signed_registry(credential: object, institution_id: str, resolver: DidResolver,
                             loader: DocumentLoader | None = None,
                             now: dt.datetime | None = None) -> SignedRegistry:
    """`verified_registry` with the registry's version and validity period."""
    if not isinstance(credential, dict) or CREDENTIAL_TYPE not in (credential.get("type") or []):
        raise RegistryCredentialError(f"not an {CREDENTIAL_TYPE}")
    if proofs.issuer_id(credential) != institution_id:
        raise RegistryCredentialError(
            f"registry issued by {proofs.issuer_id(credential)}, not by the institution {institution_id}")
    problem = signed_document_problem(credential, resolver, loader=loader, now=now)
    if problem:
        raise RegistryCredentialError(f"registry {problem}")
    subject = credential.get("credentialSubject")
    version = subject.get("version") if isinstance(subject, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1 \
            or not isinstance(credential.get("validUntil"), str):
        raise RegistryCredentialError("registry has no version or no validUntil: an old format, "
                                      "re-sign it with `registry sign`")
    try:
        registry = registry_from_data(subject)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RegistryCredentialError(f"registry content unreadable: {error!r}") from None
    method_id = (proofs.single_proof(credential) or {}).get("verificationMethod")
    try:
        method = resolver.verification_method(method_id)  # resolved already by the proof check
    except DidResolutionError as error:
        raise RegistryCredentialError(f"registry key unresolvable: {error}") from None
    return SignedRegistry(registry, version, credential["validFrom"], credential["validUntil"],
                          verification_method=method.id, key=method.public_key_multibase)


def has_registry(root: Path) -> bool:
    """Whether the workspace has an evaluator registry: the institution's own
    `evaluators.yml`, or the signed `registry.json` a candidate repository pinned."""
    return (root / REGISTRY_FILE).exists() or (root / REGISTRY_CREDENTIAL_FILE).exists()


