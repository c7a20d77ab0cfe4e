"""The real OB 3.0 credentials portfolio-gen builds (from the demo cohort) verify in
digitalbazaar's reference stack, and a tampered one is refused there too."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from portfolio_gen.credentials import dids, keys, openbadges, proofs
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.credentials.verify import verify_credential

from credentials.ob3 import NOW, Evaluator, build, demo, demo_cases, rich_case

pytestmark = pytest.mark.interop
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]


@pytest.fixture(scope="module")
def loader():
    return DocumentLoader()


@pytest.mark.parametrize("suite", SUITES)
def test_python_signed_ob3_credentials_verify_in_js(js_stack, loader, suite):
    evaluator = Evaluator()
    # One credential per framework of the demo cohort, with and without levels/files.
    by_framework = {case.claim.framework: case for case in demo_cases()}
    signed = [evaluator.sign(build(case, evaluator.did), suite, loader)
              for case in [*by_framework.values(), rich_case()]]
    results = js_stack.verify(signed)["results"]
    assert [r["verified"] for r in results] == [True] * len(signed), results


@pytest.mark.parametrize("suite", SUITES)
def test_js_refuses_a_tampered_ob3_credential(js_stack, loader, suite):
    evaluator = Evaluator()
    signed = evaluator.sign(build(rich_case(), evaluator.did), suite, loader)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][0]["value"] = "C2"
    [result] = js_stack.verify([tampered])["results"]
    assert not result["verified"]


def test_institution_did_web_ob3_credential_verifies_in_js(js_stack, loader):
    _, settings = demo()
    did = settings.institution.id
    key = keys.generate_key()
    signer = Evaluator()
    signer.key = key
    credential = build(rich_case(), did, issuer_name=settings.institution.name)
    secured = signer.sign(credential, SUITES[0], loader,
                          f"{did}#{keys.public_key_multibase(key.public_key())}")
    document = dids.did_web_document(did, [key.public_key()])
    [result] = js_stack.verify([secured], {did: document})["results"]
    assert result["verified"], result


@pytest.mark.parametrize("suite", SUITES)
def test_a_foreign_credential_dated_a_year_before_its_signature_verifies(js_stack, loader, suite):
    """VCDM 2.0 lets an award be dated before it is signed (re-issued, or signed late):
    digitalbazaar signs it, and `verify_credential` accepts it (issue 28, finding 3)."""
    evaluator = Evaluator()
    credential = build(rich_case(), evaluator.did, valid_from=NOW - dt.timedelta(days=365))
    [signed] = js_stack.sign([credential], suite, keys.public_key_multibase(evaluator.key.public_key()),
                             keys.private_key_multibase(evaluator.key),
                             openbadges.datetime_stamp(NOW - dt.timedelta(hours=1)))["signed"]
    assert openbadges.parse_datetime(signed["validFrom"]) < openbadges.parse_datetime(proofs.single_proof(signed)["created"])
    verdict = verify_credential(signed, resolver=dids.DidResolver(), loader=loader, now=NOW)
    assert verdict.ok, verdict.reason
