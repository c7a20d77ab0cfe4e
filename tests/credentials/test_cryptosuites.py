"""The W3C vc-di-eddsa test vectors, value by value, for both cryptosuites."""

import hashlib

import pytest

from portfolio_gen.credentials import cryptosuites, multibase
from portfolio_gen.credentials.cryptosuites import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    ProofGenerationError,
    ProofTransformationError,
    ProofVerificationError,
)

from .conftest import clone


def proof_options(vector) -> dict:
    """The proof options the vector was made with: its proof configuration less the
    @context, which the proof configuration algorithm adds itself."""
    options = vector.json("proofConfig")
    options.pop("@context")
    return options


def test_canonical_document(vector, unsigned, loader):
    transformed = cryptosuites.transform(unsigned, proof_options(vector), vector.suite, loader)
    # JCS text has no final newline; the vector files may end with one.
    assert transformed.decode() == _expected_text(vector, "canonDoc", transformed)


def test_canonical_proof_configuration(vector, unsigned, loader):
    config = cryptosuites.proof_configuration(
        unsigned, proof_options(vector), vector.suite, loader
    )
    assert config.decode() == _expected_text(vector, "proofCanon", config)


def _expected_text(vector, stem, produced: bytes) -> str:
    expected = vector.text(stem)
    if not produced.endswith(b"\n"):
        expected = expected.rstrip("\n")
    return expected


def test_hashes(vector, unsigned, loader):
    options = proof_options(vector)
    transformed = cryptosuites.transform(unsigned, options, vector.suite, loader)
    config = cryptosuites.proof_configuration(unsigned, options, vector.suite, loader)
    assert hashlib.sha256(transformed).hexdigest() == vector.text("docHash").strip()
    assert hashlib.sha256(config).hexdigest() == vector.text("proofHash").strip()
    assert cryptosuites.hash_data(transformed, config).hex() == (
        vector.text("combinedHash").strip()
    )


def test_signature_and_signed_document(vector, unsigned, loader, vector_private_key):
    options = proof_options(vector)
    proof = cryptosuites.create_proof(
        unsigned, options, vector_private_key, vector.suite, loader
    )
    signature = multibase.decode(proof["proofValue"])
    assert signature.hex() == vector.text("sigHex").strip()
    assert proof["proofValue"] == vector.text("sigBTC58").strip()
    assert {**unsigned, "proof": proof} == vector.json("signed")


def test_official_signed_document_verifies(vector, loader, vector_private_key):
    cryptosuites.verify_proof(
        vector.json("signed"), vector_private_key.public_key(), vector.suite, loader
    )


def test_jcs_proof_carries_the_document_context(unsigned, loader, vector_private_key):
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022"}
    proof = cryptosuites.create_proof(unsigned, options, vector_private_key, EDDSA_JCS_2022, loader)
    assert proof["@context"] == unsigned["@context"]
    proof = cryptosuites.create_proof(
        unsigned, {**options, "cryptosuite": "eddsa-rdfc-2022"},
        vector_private_key, EDDSA_RDFC_2022, loader,
    )
    assert "@context" not in proof


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"type": "Ed25519Signature2020"}, ProofTransformationError, "proof type"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ProofTransformationError, "cryptosuite"),
    ],
)
def test_transformation_rejects_other_suites(suite, unsigned, loader, change, error, message):
    options = {"type": "DataIntegrityProof", "cryptosuite": suite.name, **change}
    with pytest.raises(error, match=message):
        cryptosuites.transform(unsigned, options, suite, loader)
    with pytest.raises(ProofGenerationError, match=message):
        cryptosuites.proof_configuration(unsigned, options, suite, loader)


@pytest.mark.parametrize(
    "created", ["2023-02-30T00:00:00Z", "yesterday", "2023-02-24", "2023-02-24T25:00:00Z", 20230224]
)
def test_proof_configuration_rejects_invalid_created(suite, unsigned, loader, created):
    options = {"type": "DataIntegrityProof", "cryptosuite": suite.name, "created": created}
    with pytest.raises(ProofGenerationError, match="not a valid XML Schema dateTime"):
        cryptosuites.proof_configuration(unsigned, options, suite, loader)


@pytest.mark.parametrize(
    "value", ["2023-02-24T23:36:38Z", "2023-02-24T23:36:38.123+02:00", "2023-02-24T23:36:38"]
)
def test_valid_datetimes(value):
    assert cryptosuites.is_datetime(value)


def test_verification_rejects_a_proof_context_that_is_not_a_prefix(
    vector, loader, vector_private_key
):
    signed = vector.json("signed")
    signed["proof"]["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    with pytest.raises(ProofVerificationError, match="does not start with"):
        cryptosuites.verify_proof(signed, vector_private_key.public_key(), vector.suite, loader)


def test_rdfc_refuses_terms_the_context_does_not_define(loader, vector_private_key):
    # Undefined terms would be dropped from the RDF and so silently left unsigned.
    document = {"@context": {"name": "https://schema.org/name"}, "name": "x", "extra": 1}
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}
    with pytest.raises(ProofTransformationError, match="'extra' is not defined"):
        cryptosuites.transform(clone(document), options, EDDSA_RDFC_2022, loader)
