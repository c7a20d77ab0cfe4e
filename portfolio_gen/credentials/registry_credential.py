"""The evaluator registry as a credential signed by the institution's did:web key.

An employer must be able to check who was allowed to validate what without trusting
the candidate's web host: the registry is therefore published as a Verifiable
Credential. The list of evaluators is carried as one JSON literal (`@type: @json`), so
the signed bytes are exactly the data the trust rules read, and only three terms need
defining in a small inline context.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core.files import write_atomic
from ..core.registry import Registry, registry_from_data, registry_to_data
from ..core.settings import Settings
from . import proofs
from .cryptosuites import EDDSA_RDFC_2022
from .dids import DidResolver
from .dids import check_institution_key, signer
from .loader import DocumentLoader
from .openbadges import datetime_stamp

REGISTRY_CREDENTIAL_FILE = "registry.json"  # at the workspace root, published at the site root
CREDENTIAL_TYPE = "EvaluatorRegistryCredential"
VOCABULARY = "urn:portfolio-gen:vocab#"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    {
        CREDENTIAL_TYPE: VOCABULARY + CREDENTIAL_TYPE,
        "EvaluatorRegistry": VOCABULARY + "EvaluatorRegistry",
        "evaluators": {"@id": VOCABULARY + "evaluators", "@type": "@json"},
    },
]


class RegistryCredentialError(ValueError):
    """The registry credential cannot be trusted; the message says why."""


def build_registry_credential(registry: Registry, settings: Settings, valid_from: dt.datetime) -> dict:
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": f"Registre des évaluateurs — {settings.institution.name}",
        "issuer": settings.institution.id,
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": {"id": settings.institution.id, "type": "EvaluatorRegistry",
                              **registry_to_data(registry)},
    }


def sign_registry(root: Path, settings: Settings, registry: Registry, private_key: Ed25519PrivateKey,
                  *, now: dt.datetime | None = None, loader: DocumentLoader | None = None) -> Path:
    """Sign the registry with the institution's key and write `registry.json` atomically.

    A new version replaces the old file; git keeps the history, and credentials signed
    earlier stay judged by the evaluators' periods, which the new version carries on.
    """
    check_institution_key(root, settings.institution.id, private_key)
    issuer, method = signer(private_key, settings.institution.id)
    moment = now or dt.datetime.now(dt.UTC)
    credential = build_registry_credential(registry, settings, moment)
    signed = proofs.sign(credential, private_key, method, suite=EDDSA_RDFC_2022,
                         loader=loader or DocumentLoader(), created=datetime_stamp(moment))
    path = root / REGISTRY_CREDENTIAL_FILE
    write_atomic(path, json.dumps(signed, ensure_ascii=False, indent=2) + "\n")
    return path


def verified_registry(credential: object, institution_id: str, resolver: DidResolver,
                      loader: DocumentLoader | None = None) -> Registry:
    """The registry a credential carries, once its proof and issuer are checked."""
    if not isinstance(credential, dict) or CREDENTIAL_TYPE not in (credential.get("type") or []):
        raise RegistryCredentialError(f"not an {CREDENTIAL_TYPE}")
    if proofs.issuer_id(credential) != institution_id:
        raise RegistryCredentialError(
            f"registry issued by {proofs.issuer_id(credential)}, not by the institution {institution_id}")
    result = proofs.verify(credential, resolver=resolver, loader=loader or DocumentLoader(),
                           expected_controller=institution_id)
    if not result.verified:
        raise RegistryCredentialError(f"registry proof: {result.reason}")
    try:
        return registry_from_data(credential["credentialSubject"])
    except (KeyError, TypeError, ValueError) as error:
        raise RegistryCredentialError(f"registry content unreadable: {error!r}") from None


def read_registry_file(path: Path, institution_id: str, resolver: DidResolver) -> Registry:
    try:
        credential = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise RegistryCredentialError(f"{path}: cannot read the registry credential ({error})") from None
    return verified_registry(credential, institution_id, resolver)
