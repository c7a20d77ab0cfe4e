"""Create and verify Data Integrity proofs (W3C VC Data Integrity 1.0).

Above the cryptosuites: chooses the suite named by the proof, resolves the
verification method through the DID layer, checks the proof purpose and, when the
caller names one, that the key's controller is the expected party (the credential
layer passes the issuer). Verification never raises for a bad document: it returns a
`ProofResult` whose `reason` says what is wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .errors import CredentialsError
from . import cryptosuites, keys
from .cryptosuites import CRYPTOSUITES, PROOF_TYPE, Cryptosuite, CryptosuiteError
from .dids import DidResolutionError, DidResolver, VerificationMethod
from .loader import DocumentLoader

ASSERTION_METHOD = "assertionMethod"


class ProofCreationError(CredentialsError, ValueError):
    """A proof cannot be made for this document with this key."""


@dataclass(frozen=True)
class ProofResult:
    verified: bool
    reason: str | None = None
    verification_method: VerificationMethod | None = None
    # The key of the error that refused it (errors.CredentialsError's), when one did.
    key: str | None = None

    def __bool__(self) -> bool:
        return self.verified


def now_datetime() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    suite: Cryptosuite,
    loader: DocumentLoader,
    created: str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    as_array: bool = False,
) -> dict:
    """A copy of `document` secured with a new proof; `as_array` writes `proof` as an
    array of that one proof (VCDM 2.0 allows both; the OB 3.0 schema wants the array)."""
    if "proof" in document:
        raise ProofCreationError("document already has a proof; proof sets are not supported")
    _check_did_key_matches(verification_method, private_key)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": suite.name,
        "created": created or now_datetime(),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    try:
        proof = cryptosuites.create_proof(document, options, private_key, suite, loader)
    except CryptosuiteError as error:
        raise ProofCreationError(str(error)) from None
    secured = copy.deepcopy(document)
    secured["proof"] = [proof] if as_array else proof
    return secured


def _check_did_key_matches(method_id: str, private_key: Ed25519PrivateKey) -> None:
    # A did:key names its key: signing under another one would make a proof that
    # can never verify, so catch the mix-up here rather than at the verifier.
    if method_id.startswith("did:key:"):
        expected = keys.public_key_multibase(private_key.public_key())
        if method_id != f"did:key:{expected}#{expected}":
            raise ProofCreationError(
                f"verification method {method_id} is not the did:key of this private key "
                f"(did:key:{expected}#{expected})"
            )


def issuer_id(credential: dict) -> str | None:
    """The credential's issuer id (`issuer` is a URL or an object with an id)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def controller_problem(method: VerificationMethod, expected_controller: str) -> str | None:
    """Why `method` may not sign for `expected_controller`, or None if it may."""
    if method.controller != expected_controller:
        return (
            f"key controller {method.controller} is not the issuer {expected_controller}"
        )
    return None


def single_proof(document: object) -> dict | None:
    """The one proof of `document`, given as an object or as an array of one; None when
    there is none, several (proof sets are not supported) or it is not an object."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def verify(
    secured: dict,
    *,
    resolver: DidResolver,
    loader: DocumentLoader,
    expected_purpose: str = ASSERTION_METHOD,
    expected_controller: str | None = None,
    now: datetime | None = None,
) -> ProofResult:
    """Verify the single Data Integrity proof of `secured` (an object or an array of one)."""
    proof = single_proof(secured)
    if proof is None:
        listed = isinstance(secured, dict) and isinstance(secured.get("proof"), list)
        return ProofResult(False, "proof sets (several proofs) are not supported"
                           if listed and len(secured["proof"]) > 1 else "document has no proof")
    # The suites sign the document without its proof, in either form.
    secured = {**secured, "proof": proof}
    problem = _proof_options_problem(proof, expected_purpose, now)
    if problem:
        return ProofResult(False, problem)
    try:
        method = resolver.verification_method(proof.get("verificationMethod"))
    except DidResolutionError as error:
        return ProofResult(False, f"unknown verification method: {error}")
    if expected_purpose not in method.purposes:
        return ProofResult(
            False,
            f"verification method {method.id} is not authorized for {expected_purpose}",
            method,
        )
    try:
        cryptosuites.verify_proof(
            secured, method.public_key, CRYPTOSUITES[proof["cryptosuite"]], loader
        )
    except CryptosuiteError as error:
        return ProofResult(False, str(error), method, error.key)
    if expected_controller is not None:
        problem = controller_problem(method, expected_controller)
        if problem:
            return ProofResult(False, problem, method)
    return ProofResult(True, None, method)


def _proof_options_problem(
    proof: dict, expected_purpose: str, now: datetime | None
) -> str | None:
    if proof.get("type") != PROOF_TYPE:
        return f"proof type {proof.get('type')!r} is not {PROOF_TYPE}"
    if proof.get("cryptosuite") not in CRYPTOSUITES:
        return (
            f"unsupported cryptosuite {proof.get('cryptosuite')!r} "
            f"(supported: {', '.join(CRYPTOSUITES)})"
        )
    if proof.get("proofPurpose") != expected_purpose:
        return (
            f"proof purpose {proof.get('proofPurpose')!r} does not match the "
            f"expected {expected_purpose!r}"
        )
    if not isinstance(proof.get("proofValue"), str):
        return "proof has no proofValue"
    for field in ("created", "expires"):
        if field in proof and not cryptosuites.is_datetime(proof[field]):
            return f"proof {field} {proof[field]!r} is not a valid XML Schema dateTime"
    if "expires" in proof:
        expires = _parse_datetime(proof["expires"])
        if expires <= (now or datetime.now(UTC)):
            return f"proof expired on {proof['expires']}"
    return None


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # A dateTime without a timezone is read as UTC, as the VC data model advises.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
