"""The eddsa-rdfc-2022 and eddsa-jcs-2022 cryptosuites (W3C vc-di-eddsa v1.0).

Each function is one algorithm of the specification (transformation, proof
configuration, hashing, serialization, verification, then create/verify proof built
from them), over documents, bytes and keys: resolving keys and deciding who may sign
is the proof layer's job (`proofs.py`).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import CredentialsError
from . import multibase
from .canonicalization import CanonicalizationError, jcs, rdfc_1_0
from .loader import DocumentLoader

PROOF_TYPE = "DataIntegrityProof"
# XML Schema 1.1 dateTime lexical form; the timezone is optional in the type.
_DATETIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"
)


class CryptosuiteError(CredentialsError, ValueError):
    """Base of the specification's processing errors; `code` is the spec's name."""

    code = "PROOF_VERIFICATION_ERROR"


class ProofTransformationError(CryptosuiteError):
    code = "PROOF_TRANSFORMATION_ERROR"


class ProofGenerationError(CryptosuiteError):
    code = "PROOF_GENERATION_ERROR"


class ProofVerificationError(CryptosuiteError):
    code = "PROOF_VERIFICATION_ERROR"


SIGNATURE_MISMATCH = "reason.proof.mismatch"  # the key of the error for a signature that does not match


@dataclass(frozen=True)
class Cryptosuite:
    name: str
    # Canonical bytes of a JSON-LD document (the suite's canonicalization algorithm).
    canonicalize: Callable[[dict, DocumentLoader], bytes]
    # eddsa-jcs-2022 copies the document's @context into the proof it adds, so the
    # proof can be checked without the RDF machinery; eddsa-rdfc-2022 does not.
    proof_carries_context: bool


def _rdfc(document: dict, loader: DocumentLoader) -> bytes:
    return rdfc_1_0(document, loader).encode("utf-8")


def _jcs(document: dict, loader: DocumentLoader) -> bytes:
    return jcs(document)


EDDSA_RDFC_2022 = Cryptosuite("eddsa-rdfc-2022", _rdfc, proof_carries_context=False)
EDDSA_JCS_2022 = Cryptosuite("eddsa-jcs-2022", _jcs, proof_carries_context=True)
CRYPTOSUITES = {suite.name: suite for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022)}


def is_datetime(value: object) -> bool:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return False
    try:
        # The regex checks the shape, this checks the values (month 13, hour 25...).
        datetime.fromisoformat(value.lstrip("-").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_suite(options: dict, suite: Cryptosuite, error: type[CryptosuiteError]):
    if options.get("type") != PROOF_TYPE:
        raise error(f"proof type is {options.get('type')!r}, expected {PROOF_TYPE!r}")
    if options.get("cryptosuite") != suite.name:
        raise error(
            f"proof cryptosuite is {options.get('cryptosuite')!r}, "
            f"expected {suite.name!r}"
        )


def _canonical(
    document: dict, suite: Cryptosuite, loader: DocumentLoader, error: type
) -> bytes:
    try:
        return suite.canonicalize(document, loader)
    except CanonicalizationError as problem:
        raise error(str(problem)) from None


def transform(
    unsecured: dict, options: dict, suite: Cryptosuite, loader: DocumentLoader
) -> bytes:
    """Transformation: the canonical form of the document to be signed."""
    _check_suite(options, suite, ProofTransformationError)
    return _canonical(unsecured, suite, loader, ProofTransformationError)


def proof_configuration(
    unsecured: dict, options: dict, suite: Cryptosuite, loader: DocumentLoader
) -> bytes:
    """Proof configuration: the canonical proof options, under the document's @context."""
    config = copy.deepcopy(options)
    config.pop("proofValue", None)
    _check_suite(config, suite, ProofGenerationError)
    if "created" in config and not is_datetime(config["created"]):
        raise ProofGenerationError(
            f"proof created {config['created']!r} is not a valid XML Schema dateTime"
        )
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    else:
        config.pop("@context", None)
    return _canonical(config, suite, loader, ProofGenerationError)


def hash_data(transformed: bytes, canonical_proof_config: bytes) -> bytes:
    """Hashing: SHA-256(proof configuration) || SHA-256(document)."""
    return (
        hashlib.sha256(canonical_proof_config).digest()
        + hashlib.sha256(transformed).digest()
    )


def serialize(data: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """Proof serialization: the Ed25519 signature of the hash data."""
    return private_key.sign(data)


def verify_signature(data: bytes, signature: bytes, public_key: Ed25519PublicKey) -> bool:
    """Proof verification: whether `signature` is the key's signature of the data."""
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def create_proof(
    unsecured: dict,
    options: dict,
    private_key: Ed25519PrivateKey,
    suite: Cryptosuite,
    loader: DocumentLoader,
) -> dict:
    """Create Proof: the proof (options plus proofValue) for `unsecured`."""
    proof = copy.deepcopy(options)
    if suite.proof_carries_context and "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    config = proof_configuration(unsecured, proof, suite, loader)
    transformed = transform(unsecured, proof, suite, loader)
    signature = serialize(hash_data(transformed, config), private_key)
    proof["proofValue"] = multibase.encode(signature)
    return proof


def verify_proof(
    secured: dict, public_key: Ed25519PublicKey, suite: Cryptosuite, loader: DocumentLoader
) -> None:
    """Verify Proof: returns when the proof holds, else raises a CryptosuiteError
    whose message is the reason."""
    if not isinstance(secured.get("proof"), dict):
        raise ProofVerificationError("document has no proof object")
    unsecured = {key: value for key, value in secured.items() if key != "proof"}
    options = dict(secured["proof"])
    try:
        signature = multibase.decode(options.pop("proofValue", None))
    except multibase.MultibaseError as error:
        raise ProofVerificationError(f"proofValue: {error}") from None
    if "@context" in options:
        _check_context_prefix(secured.get("@context"), options["@context"])
        unsecured["@context"] = options["@context"]
    transformed = transform(unsecured, options, suite, loader)
    config = proof_configuration(unsecured, options, suite, loader)
    if not verify_signature(hash_data(transformed, config), signature, public_key):
        raise ProofVerificationError("signature does not match", key=SIGNATURE_MISMATCH)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _check_context_prefix(document_context: object, proof_context: object) -> None:
    # The proof may only narrow the document to a prefix of its contexts, so that a
    # proof cannot re-interpret the document under other term definitions.
    document_contexts = _as_list(document_context)
    proof_contexts = _as_list(proof_context)
    if document_contexts[: len(proof_contexts)] != proof_contexts:
        raise ProofVerificationError(
            "document @context does not start with the proof's @context"
        )
