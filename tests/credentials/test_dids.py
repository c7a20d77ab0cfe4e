import pytest

from portfolio_gen.credentials import dids, keys
from portfolio_gen.credentials.dids import DidResolutionError, DidResolver

VECTOR_METHOD = (
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
)


def test_did_key_of_the_vector_key(vector_private_key, vector):
    # The vectors' proofs name the verification method derived from their key.
    assert dids.did_key_verification_method_id(vector_private_key.public_key()) == (
        vector.json("signed")["proof"]["verificationMethod"]
    )


def test_resolves_did_key(vector_key_pair):
    method = DidResolver().verification_method(VECTOR_METHOD)
    assert method.controller == VECTOR_METHOD.split("#")[0]
    assert method.public_key_multibase == vector_key_pair["publicKeyMultibase"]
    assert "assertionMethod" in method.purposes


@pytest.mark.parametrize(
    "method_id, reason",
    [
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other", "not listed"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#x", "not an Ed25519"),
        ("did:example:123#key", "unsupported DID method"),
        ("did:web:unknown.example#key-1", "no did.json was supplied"),
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "fragment"),
    ],
)
def test_unresolvable_methods(method_id, reason):
    with pytest.raises(DidResolutionError, match=reason):
        DidResolver().verification_method(method_id)


def test_did_web_identifiers():
    assert dids.did_web("example.org") == "did:web:example.org"
    assert dids.did_web("localhost:8443", ["inspe", "staff"]) == (
        "did:web:localhost%3A8443:inspe:staff"
    )
    assert dids.did_web_url("did:web:example.org") == (
        "https://example.org/.well-known/did.json"
    )
    assert dids.did_web_url("did:web:localhost%3A8443:inspe") == (
        "https://localhost:8443/inspe/did.json"
    )


def test_did_web_document_keeps_old_keys_for_rotation():
    did = dids.did_web("inspe.example.org")
    old, new = keys.generate_key(), keys.generate_key()
    before = dids.did_web_document(did, [old.public_key()])
    after = dids.did_web_document(did, [old.public_key(), new.public_key()])
    old_id = before["verificationMethod"][0]["id"]
    # Rotation adds a key without renaming the old one.
    assert after["verificationMethod"][0]["id"] == old_id
    assert len(after["verificationMethod"]) == 2
    assert set(after["assertionMethod"]) == {m["id"] for m in after["verificationMethod"]}
    resolver = DidResolver({did: after})
    for key in (old, new):
        method_id = f"{did}#{keys.public_key_multibase(key.public_key())}"
        method = resolver.verification_method(method_id)
        assert method.controller == did
        assert method.public_key_multibase == keys.public_key_multibase(key.public_key())


def test_did_web_relative_ids_and_purposes():
    key = keys.generate_key()
    did = "did:web:example.org"
    multikey = keys.public_key_multibase(key.public_key())
    document = {
        "id": did,
        "verificationMethod": [
            {"id": "#k1", "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
        "authentication": ["#k1"],
    }
    method = DidResolver({did: document}).verification_method(f"{did}#k1")
    assert method.purposes == frozenset({"authentication"})


def test_did_web_document_needs_keys():
    with pytest.raises(ValueError):
        dids.did_web_document("did:web:example.org", [])
