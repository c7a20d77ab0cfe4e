"""A candidate's whole portfolio as one signed Verifiable Presentation (VCDM 2.0).

The presentation bundles the credentials that count, unchanged (each keeps its own
proof), and is signed by the candidate's own key (a did:key they hold) with proof
purpose `authentication`. A verifier who sends a challenge (and names their domain)
can ask for a fresh presentation carrying them, which shows the holder controls the key
now rather than replaying an old file. It is signed with eddsa-jcs-2022: the embedded
credentials are JSON with proofs, which JCS signs as they are, and the candidate site's
page can recheck it.

The credentials identify their subject by a salted e-mail hash, not by this did:key:
the presentation says "the holder of this key presents these credentials", and the
e-mail hash is what binds them to a person.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .errors import CredentialsError
from . import cryptosuites, dids, proofs
from .cryptosuites import EDDSA_JCS_2022, EDDSA_RDFC_2022, PROOF_TYPE
from .dids import DidResolver
from .loader import DocumentLoader
from .openbadges import VC_CONTEXT, datetime_stamp
from .signed_form import signed_form_problem

PRESENTATION_TYPE = "VerifiablePresentation"
AUTHENTICATION = "authentication"


class PresentationError(CredentialsError, ValueError):
    """A presentation that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class PresentationVerdict:
    ok: bool
    reason: str | None = None
    holder: str | None = None
    credentials: tuple[dict, ...] = ()


def build_presentation(credentials: list[dict], holder: str) -> dict:
    """The unsigned presentation of `credentials` by `holder`."""
    if not credentials:
        raise PresentationError("no credential to present")
    return {
        "@context": [VC_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": [PRESENTATION_TYPE],
        "holder": holder,
        "verifiableCredential": list(credentials),
    }


def sign_presentation(credentials: list[dict], private_key: Ed25519PrivateKey, *, challenge: str = "",
                      domain: str = "", now: dt.datetime | None = None,
                      loader: DocumentLoader | None = None) -> dict:
    """The presentation of `credentials` signed by the holder's did:key."""
    public = private_key.public_key()
    holder = dids.did_key(public)
    presentation = build_presentation(credentials, holder)
    options = {"type": PROOF_TYPE, "cryptosuite": EDDSA_JCS_2022.name,
               "created": datetime_stamp(now or dt.datetime.now(dt.UTC)),
               "verificationMethod": dids.did_key_verification_method_id(public),
               "proofPurpose": AUTHENTICATION}
    # challenge and domain are proof options: signed with the rest, as VC Data Integrity says.
    if challenge:
        options["challenge"] = challenge
    if domain:
        options["domain"] = domain
    proof = cryptosuites.create_proof(presentation, options, private_key, EDDSA_JCS_2022,
                                      loader or DocumentLoader())
    return {**presentation, "proof": proof}


def verify_presentation(presentation: object, resolver: DidResolver, *, challenge: str | None = None,
                        domain: str | None = None, loader: DocumentLoader | None = None) -> PresentationVerdict:
    """Check the presentation's own proof (the holder's key, authentication, challenge and
    domain when expected). The credentials inside are to be verified one by one."""
    if not isinstance(presentation, dict) or PRESENTATION_TYPE not in (presentation.get("type") or []):
        return PresentationVerdict(False, f"not a {PRESENTATION_TYPE}")
    holder = presentation.get("holder")
    holder = holder.get("id") if isinstance(holder, dict) else holder
    embedded = presentation.get("verifiableCredential")
    if not isinstance(holder, str) or not isinstance(embedded, list) or \
            not all(isinstance(c, dict) for c in embedded):
        return PresentationVerdict(False, "holder or verifiableCredential missing or malformed")
    result = proofs.verify(presentation, resolver=resolver, loader=loader or DocumentLoader(),
                           expected_purpose=AUTHENTICATION, expected_controller=holder)
    if not result.verified:
        return PresentationVerdict(False, f"proof: {result.reason}", holder)
    proof = proofs.single_proof(presentation)
    if proof.get("cryptosuite") == EDDSA_RDFC_2022.name:
        # The proof covers the RDF graph: a credential or the holder could sit under a key
        # these checks do not read (issue 19, attack 1, for presentations). Each embedded
        # credential is a document of its own, checked so when it is verified.
        envelope = {key: value for key, value in presentation.items() if key != "verifiableCredential"}
        problem = signed_form_problem(envelope, loader or DocumentLoader())
        if problem:
            return PresentationVerdict(False, f"proof: {problem}", holder)
    for name, expected in (("challenge", challenge), ("domain", domain)):
        if expected is not None and proof.get(name) != expected:
            return PresentationVerdict(False, f"proof {name} is {proof.get(name)!r}, expected {expected!r}", holder)
    return PresentationVerdict(True, None, holder, tuple(embedded))
