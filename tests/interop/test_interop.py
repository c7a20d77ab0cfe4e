"""portfolio-gen and digitalbazaar's reference JS stack verify each other's proofs,
both loading only the contexts bundled with portfolio-gen."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.loader import DocumentLoader

pytestmark = pytest.mark.interop

FIXTURE = Path(__file__).parents[1] / "credentials" / "fixtures" / "openbadge.json"
CREATED = "2024-06-14T09:31:00Z"
SUITES = sorted(CRYPTOSUITES)


@pytest.fixture(scope="module")
def loader():
    return DocumentLoader()


@pytest.fixture(scope="module")
def issuer_key():
    return keys.generate_key()


def credential_for(key, index=0):
    credential = json.loads(FIXTURE.read_text())
    credential["issuer"]["id"] = dids.did_key(key.public_key())
    credential["id"] = f"urn:uuid:6b1c3f9e-0000-4000-8000-{index:012d}"
    return credential


def python_sign(credential, key, suite_name, loader, as_array=False):
    return proofs.sign(
        credential, key, dids.did_key_verification_method_id(key.public_key()),
        suite=CRYPTOSUITES[suite_name], loader=loader, created=CREATED, as_array=as_array,
    )


def js_sign(js_stack, credentials, key, suite_name):
    return js_stack.sign(
        credentials, suite_name, keys.public_key_multibase(key.public_key()),
        keys.private_key_multibase(key), CREATED,
    )["signed"]


@pytest.mark.parametrize("suite_name", SUITES)
def test_python_signs_js_verifies(js_stack, issuer_key, suite_name, loader):
    signed = [python_sign(credential_for(issuer_key, i), issuer_key, suite_name, loader)
              for i in range(3)]
    results = js_stack.verify(signed)["results"]
    assert [r["verified"] for r in results] == [True] * 3, results


@pytest.mark.parametrize("suite_name", SUITES)
def test_js_verifies_a_proof_given_as_an_array_of_one(js_stack, issuer_key, suite_name, loader):
    # What the tool issues since the OB 3.0 VCDM 2.0 schema: `proof` as an array.
    signed = [python_sign(credential_for(issuer_key, i), issuer_key, suite_name, loader, as_array=True)
              for i in range(2)]
    assert all(isinstance(c["proof"], list) for c in signed)
    results = js_stack.verify(signed)["results"]
    assert [r["verified"] for r in results] == [True] * 2, results
    signed[1]["name"] = "altered"
    assert [r["verified"] for r in js_stack.verify(signed)["results"]] == [True, False]


@pytest.mark.parametrize("suite_name", SUITES)
def test_js_signs_python_verifies(js_stack, issuer_key, suite_name, loader):
    signed = js_sign(js_stack, [credential_for(issuer_key, i) for i in range(3)],
                     issuer_key, suite_name)
    for credential in signed:
        assert proofs.single_proof(credential)["cryptosuite"] == suite_name
        result = proofs.verify(
            credential, resolver=DidResolver(), loader=loader,
            expected_controller=proofs.issuer_id(credential),
        )
        assert result.verified, result.reason


@pytest.mark.parametrize("suite_name", SUITES)
def test_both_stacks_make_the_same_proof(js_stack, issuer_key, suite_name, loader):
    # Ed25519 is deterministic: same document, options and key give the same bytes.
    credential = credential_for(issuer_key)
    ours = python_sign(credential, issuer_key, suite_name, loader)
    [theirs] = js_sign(js_stack, [credential], issuer_key, suite_name)
    assert ours == theirs


@pytest.mark.parametrize("suite_name", SUITES)
def test_js_rejects_what_python_rejects(js_stack, issuer_key, suite_name, loader):
    signed = python_sign(credential_for(issuer_key), issuer_key, suite_name, loader)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    other = keys.generate_key()
    not_issuer = python_sign(credential_for(issuer_key), other, suite_name, loader)
    results = js_stack.verify([tampered, not_issuer])["results"]
    assert [r["verified"] for r in results] == [False, False]
    assert "issuer must match the verification method controller" in results[1]["error"]
    for credential in (tampered, not_issuer):
        result = proofs.verify(credential, resolver=DidResolver(), loader=loader,
                               expected_controller=proofs.issuer_id(credential))
        assert not result.verified


def test_did_web_issuer_with_rotated_keys(js_stack, loader):
    did = dids.did_web("inspe.example.org")
    old, new = keys.generate_key(), keys.generate_key()
    document = dids.did_web_document(did, [old.public_key(), new.public_key()])
    signed = []
    for key in (old, new):
        credential = credential_for(key)
        credential["issuer"]["id"] = did
        method = f"{did}#{keys.public_key_multibase(key.public_key())}"
        signed.append(proofs.sign(credential, key, method, suite=CRYPTOSUITES["eddsa-rdfc-2022"],
                                  loader=loader, created=CREATED))
    results = js_stack.verify(signed, {did: document})["results"]
    assert [r["verified"] for r in results] == [True, True], results


def test_js_side_loads_only_bundled_contexts(js_stack, issuer_key, loader):
    signed = python_sign(credential_for(issuer_key), issuer_key, "eddsa-rdfc-2022", loader)
    signed["@context"] = [*signed["@context"], "https://example.com/unbundled-context"]
    [result] = js_stack.verify([signed])["results"]
    assert not result["verified"]
    assert "refuses https://example.com/unbundled-context" in result["error"]
