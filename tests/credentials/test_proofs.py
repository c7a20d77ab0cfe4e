"""Data Integrity proofs: sign/verify round trips and a tamper suite in which every
alteration must be rejected with its own reason."""

from datetime import UTC, datetime

import pytest

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.proofs import ProofCreationError

from .conftest import clone

VECTOR_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_METHOD = f"{VECTOR_DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


@pytest.fixture
def signed(openbadge, vector_private_key, suite, loader):
    return proofs.sign(
        openbadge, vector_private_key, VECTOR_METHOD, suite=suite, loader=loader,
        created="2024-06-14T09:31:00Z",
    )


def verify(document, loader, resolver=None, **options):
    return proofs.verify(document, resolver=resolver or DidResolver(), loader=loader, **options)


def test_round_trip_with_issuer_as_controller(signed, loader, openbadge, suite):
    result = verify(signed, loader, expected_controller=proofs.issuer_id(signed))
    assert result.verified, result.reason
    assert result.verification_method.id == VECTOR_METHOD
    assert signed["proof"]["cryptosuite"] == suite.name
    assert {k: v for k, v in signed.items() if k != "proof"} == openbadge


def test_sign_does_not_modify_its_input(openbadge, vector_private_key, suite, loader):
    before = clone(openbadge)
    proofs.sign(openbadge, vector_private_key, VECTOR_METHOD, suite=suite, loader=loader)
    assert openbadge == before


def test_default_created_is_now(openbadge, vector_private_key, suite, loader):
    secured = proofs.sign(openbadge, vector_private_key, VECTOR_METHOD, suite=suite, loader=loader)
    created = datetime.fromisoformat(secured["proof"]["created"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


def test_official_vectors_verify_but_issuer_is_not_the_controller(vector, loader):
    signed = vector.json("signed")
    assert verify(signed, loader).verified
    # The vectors' issuer is an https URL, not the did:key that signed.
    result = verify(signed, loader, expected_controller=proofs.issuer_id(signed))
    assert not result.verified
    assert result.reason == (
        f"key controller {VECTOR_DID} is not the issuer https://vc.example/issuers/5678"
    )


def test_refuses_to_sign_with_a_key_that_is_not_the_did_key(openbadge, suite, loader):
    with pytest.raises(ProofCreationError, match="is not the did:key of this private key"):
        proofs.sign(openbadge, keys.generate_key(), VECTOR_METHOD, suite=suite, loader=loader)


def test_refuses_to_sign_twice(signed, vector_private_key, suite, loader):
    with pytest.raises(ProofCreationError, match="already has a proof"):
        proofs.sign(signed, vector_private_key, VECTOR_METHOD, suite=suite, loader=loader)


def test_refuses_to_sign_with_an_unbundled_context(openbadge, vector_private_key, loader):
    # Only RDFC interprets contexts; JCS signs the JSON text as it is.
    openbadge["@context"].append("https://example.com/other-context")
    with pytest.raises(ProofCreationError, match="not a bundled JSON-LD context"):
        proofs.sign(
            openbadge, vector_private_key, VECTOR_METHOD, suite=EDDSA_RDFC_2022, loader=loader
        )


def _other_document(signed):
    other = clone(signed)
    other["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    del other["proof"]
    return {**other, "proof": signed["proof"]}


def _signed_by_other_key_claiming_issuer_key(signed, loader, suite):
    document = {k: v for k, v in signed.items() if k != "proof"}
    other = keys.generate_key()
    proof = proofs.sign(
        document, other, dids.did_key_verification_method_id(other.public_key()),
        suite=suite, loader=loader,
    )["proof"]
    proof["verificationMethod"] = VECTOR_METHOD
    return {**document, "proof": proof}


def _set(path, value):
    def change(document, loader, suite):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return document
    return change


def _delete(path):
    def change(document, loader, suite):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return document
    return change


TAMPERS = {
    "changed value": (_set(["credentialSubject", "achievement", "name"], "Forged"),
                      "signature does not match"),
    "changed date": (_set(["validFrom"], "2020-01-01T00:00:00Z"), "signature does not match"),
    "removed field": (_delete(["credentialSubject", "achievement", "criteria"]),
                      "signature does not match"),
    "added field": (_set(["description"], "added after signing"), "signature does not match"),
    "proof moved to another document": (lambda d, loader, suite: _other_document(d),
                                        "signature does not match"),
    "wrong key": (lambda d, loader, suite: _signed_by_other_key_claiming_issuer_key(d, loader, suite),
                  "signature does not match"),
    "context changed": (_set(["@context", 1], "https://www.w3.org/ns/credentials/examples/v2"),
                        None),
    "unbundled context": (_set(["@context", 1], "https://evil.example/context.json"), None),
    "proof created altered": (_set(["proof", "created"], "2024-06-15T09:31:00Z"),
                              "signature does not match"),
    "proof created invalid": (_set(["proof", "created"], "not a date"),
                              "proof created 'not a date' is not a valid XML Schema dateTime"),
    "proof purpose altered": (_set(["proof", "proofPurpose"], "authentication"),
                              "proof purpose 'authentication' does not match the expected "
                              "'assertionMethod'"),
    "proof cryptosuite swapped": (None, "signature does not match"),
    "proof type altered": (_set(["proof", "type"], "Ed25519Signature2020"),
                           "proof type 'Ed25519Signature2020' is not DataIntegrityProof"),
    "unknown cryptosuite": (_set(["proof", "cryptosuite"], "eddsa-2022"),
                            "unsupported cryptosuite 'eddsa-2022'"),
    "proofValue corrupted": (_set(["proof", "proofValue"], "uNotBase58"), "proofValue:"),
    "proofValue removed": (_delete(["proof", "proofValue"]), "proof has no proofValue"),
    "proof removed": (_delete(["proof"]), "document has no proof"),
    "unknown verification method": (
        _set(["proof", "verificationMethod"], "did:web:unknown.example#key-1"),
        "unknown verification method: did:web:unknown.example: no did.json was supplied",
    ),
    "expired proof": (_set(["proof", "expires"], "2000-01-01T00:00:00Z"),
                      "proof expired on 2000-01-01T00:00:00Z"),
}


def _swap_cryptosuite(document, loader, suite):
    other = "eddsa-jcs-2022" if suite.name == "eddsa-rdfc-2022" else "eddsa-rdfc-2022"
    document["proof"]["cryptosuite"] = other
    return document


def _context_reason(suite, name):
    if suite.name == "eddsa-jcs-2022":
        # The JCS proof records the contexts it was made under.
        return "document @context does not start with the proof's @context"
    if name == "unbundled context":
        return "https://evil.example/context.json: not a bundled JSON-LD context"
    return "signature does not match"


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampering_is_rejected_with_a_specific_reason(name, signed, loader, suite):
    change, reason = TAMPERS[name]
    if name == "proof cryptosuite swapped":
        change = _swap_cryptosuite
    if reason is None:
        reason = _context_reason(suite, name)
    assert verify(signed, loader).verified  # the untouched document is fine
    tampered = change(clone(signed), loader, suite)
    result = verify(tampered, loader)
    assert not result.verified
    assert result.reason.startswith(reason), result.reason
    assert not result


def test_key_of_another_controller_is_rejected(openbadge, loader, suite):
    other = keys.generate_key()
    method = dids.did_key_verification_method_id(other.public_key())
    secured = proofs.sign(openbadge, other, method, suite=suite, loader=loader)
    assert verify(secured, loader).verified  # a valid proof...
    result = verify(secured, loader, expected_controller=proofs.issuer_id(secured))
    assert not result.verified  # ...but not by the issuer
    assert result.reason == (
        f"key controller {method.split('#')[0]} is not the issuer {VECTOR_DID}"
    )


def test_did_web_rotation_keeps_old_credentials_verifiable(openbadge, loader, suite):
    did = dids.did_web("inspe.example.org")
    old, new = keys.generate_key(), keys.generate_key()
    openbadge["issuer"]["id"] = did

    def method_of(key):
        return f"{did}#{keys.public_key_multibase(key.public_key())}"

    old_credential = proofs.sign(openbadge, old, method_of(old), suite=suite, loader=loader)
    new_credential = proofs.sign(openbadge, new, method_of(new), suite=suite, loader=loader)
    rotated = DidResolver({did: dids.did_web_document(did, [old.public_key(), new.public_key()])})
    for credential in (old_credential, new_credential):
        result = verify(credential, loader, rotated, expected_controller=did)
        assert result.verified, result.reason
    only_new = DidResolver({did: dids.did_web_document(did, [new.public_key()])})
    result = verify(old_credential, loader, only_new, expected_controller=did)
    assert result.reason.startswith("unknown verification method")


def test_key_not_authorized_for_assertions(openbadge, loader, suite):
    did = "did:web:example.org"
    key = keys.generate_key()
    document = dids.did_web_document(did, [key.public_key()])
    document["assertionMethod"] = []
    method = document["verificationMethod"][0]["id"]
    secured = proofs.sign(openbadge, key, method, suite=suite, loader=loader)
    result = verify(secured, loader, DidResolver({did: document}))
    assert result.reason == f"verification method {method} is not authorized for assertionMethod"


def test_proof_sets_are_reported(signed, loader):
    signed["proof"] = [signed["proof"], signed["proof"]]
    assert verify(signed, loader).reason.startswith("proof sets")


def test_issuer_id_shapes():
    assert proofs.issuer_id({"issuer": "did:web:a"}) == "did:web:a"
    assert proofs.issuer_id({"issuer": {"id": "did:web:b"}}) == "did:web:b"
    assert proofs.issuer_id({}) is None
