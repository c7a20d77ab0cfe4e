"""Verification of OB 3.0 credentials: valid ones are never rejected, and every
alteration of a signed credential is rejected with a reason naming what is wrong."""

from __future__ import annotations

import copy
import datetime as dt
import shutil

import pytest

from portfolio_gen.credentials import dids, keys, openbadges
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.credentials.verify import verified_validations, verify_credential, verify_file

from .ob3 import NOW, Evaluator, build, demo, demo_cases, rich_case

SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
EVALUATOR = Evaluator()
LOADER = DocumentLoader()
SIGNATURE = "proof: signature does not match"


def verify(credential, **options):
    options.setdefault("resolver", DidResolver())
    return verify_credential(credential, loader=LOADER, now=NOW, **options)


def local_files():
    workspace, settings = demo()
    return openbadges.evidence_files(settings, workspace.candidates).get


@pytest.fixture(scope="module", params=SUITES)
def suite(request):
    return request.param


@pytest.fixture(scope="module")
def signed(suite):
    credential = build(rich_case(), EVALUATOR.did, valid_until=NOW + dt.timedelta(days=365))
    return EVALUATOR.sign(credential, suite, LOADER)


# --- valid credentials pass -------------------------------------------------------------

@pytest.mark.parametrize("case", demo_cases(), ids=lambda case: case.id)
def test_every_demo_claim_round_trips_in_both_suites(case):
    credential = build(case, EVALUATOR.did)
    for suite in SUITES:
        verdict = verify(EVALUATOR.sign(credential, suite, LOADER), evidence_files=local_files())
        assert verdict.ok, verdict.reason
        assert verdict.checks == ("schema", "proof", "dates", "evidence")
        assert verdict.unchecked_evidence == ()


def test_verdict_reports_identity_and_unchecked_evidence(signed):
    verdict = verify(signed)  # no local copies of the evidence files
    assert verdict.ok
    assert verdict.credential_id == signed["id"] and verdict.issuer == EVALUATOR.did
    # The entry's own text is pinned too, but never published: not an unchecked file.
    files = [e["id"] for e in signed["evidence"] if "digestMultibase" in e and e["genre"] != "Entry source"]
    assert files and list(verdict.unchecked_evidence) == files


@pytest.mark.parametrize("shift", [dt.timedelta(minutes=-4), dt.timedelta(minutes=4)])
def test_clock_skew_is_allowed(shift):
    # validFrom a little in the future, validUntil a little in the past: both tolerated.
    starts = build(rich_case(), EVALUATOR.did, valid_from=NOW + abs(shift))
    ends = build(rich_case(), EVALUATOR.did, valid_from=NOW - dt.timedelta(days=2),
                 valid_until=NOW - abs(shift))
    for credential in (starts, ends):
        assert verify(EVALUATOR.sign(credential, SUITES[0], LOADER)).ok


def test_did_web_issuer_with_rotated_keys(suite):
    _, settings = demo()
    did = settings.institution.id
    old, new = keys.generate_key(), keys.generate_key()
    document = dids.did_web_document(did, [old.public_key(), new.public_key()])
    for key in (old, new):
        credential = build(rich_case(), did, issuer_name=settings.institution.name)
        assert "parentOrg" not in credential["issuer"]
        method = f"{did}#{keys.public_key_multibase(key.public_key())}"
        signer = Evaluator()
        signer.key = key
        secured = signer.sign(credential, suite, LOADER, method)
        assert verify(secured, resolver=DidResolver({did: document})).ok
        missing = verify(secured).reason
        assert missing.startswith("proof: unknown verification method") and "no did.json" in missing


def test_verified_validations_skip_failures(tmp_path, signed):
    good, bad, broken = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "broken.json"
    good.write_text(openbadges.json.dumps(signed))
    tampered = copy.deepcopy(signed)
    tampered["name"] += "!"
    bad.write_text(openbadges.json.dumps(tampered))
    broken.write_text("{not json")
    validations, verdicts = verified_validations([good, bad, broken], resolver=DidResolver(),
                                                 loader=LOADER, now=NOW)
    assert [v.credential_id for v in validations] == [signed["id"]]
    assert verdicts[bad].reason == SIGNATURE
    assert verdicts[broken].reason.startswith("not a readable JSON file")
    assert verify_file(broken).reason.startswith("not a readable JSON file")


# --- the tamper suite: every field changed, removed, added -------------------------------

def leaves(node, path=()):
    """Paths to every value in the document (objects, lists and scalars)."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))


def _parent(document, path):
    for part in path[:-1]:
        document = document[part]
    return document


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [*value, value[0]] if value else ["x"]
    if isinstance(value, dict):
        return {**value, "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    return value + 1


def mutations(signed):
    for path in leaves(signed):
        if not path:
            continue
        yield path, "changed"
        yield path, "removed"
    for path in leaves(signed):
        if isinstance(_get(signed, path), dict):
            yield path, "added"


def _get(document, path):
    for part in path:
        document = document[part]
    return document


def mutate(signed, path, kind):
    document = copy.deepcopy(signed)
    if kind == "added":
        _get(document, path)["extraField"] = "not signed"
        return document
    parent = _parent(document, path)
    if kind == "removed":
        del parent[path[-1]]
    else:
        parent[path[-1]] = changed(parent[path[-1]])
    return document


# Reasons a tampered credential may be refused with, by the check that catches it: the
# schema/structure (naming the field), or the proof (naming what failed).
PROOF_REASONS = (
    SIGNATURE, "proof: document has no proof", "proof: proof type", "proof: unsupported cryptosuite",
    "proof: proof purpose", "proof: proof has no proofValue", "proof: proof created",
    "proof: unknown verification method", "proof: proofValue", "proof: property",
    "proof: document @context does not start", "proof: key controller",
    "proof: verification method", "proof: eddsa-jcs-2022 proof @context differs",
)


def expected_reason(path, kind, reason):
    if reason.startswith("schema: "):
        return True
    return reason.startswith(PROOF_REASONS)


def test_tamper_suite_rejects_every_mutation_with_a_specific_reason(signed):
    assert verify(signed).ok
    outcomes = {}
    for path, kind in mutations(signed):
        verdict = verify(mutate(signed, path, kind))
        outcomes[(path, kind)] = verdict
    accepted = [key for key, verdict in outcomes.items() if verdict.ok]
    assert accepted == [], f"tampered credentials accepted: {accepted}"
    vague = [(key, v.reason) for key, v in outcomes.items()
             if not expected_reason(*key, v.reason)]
    assert vague == []
    assert len(outcomes) > 150


@pytest.mark.parametrize("path, kind, reason", [
    (("name",), "changed", SIGNATURE),
    (("credentialSubject", "achievement", "humanCode"), "changed", SIGNATURE),
    (("credentialSubject", "result", 0, "value"), "changed", SIGNATURE),
    (("credentialSubject", "identifier", 0, "salt"), "changed", SIGNATURE),
    (("evidence", 1, "digestMultibase"), "removed", SIGNATURE),
    (("evidence", 1), "removed", SIGNATURE),
    (("validFrom",), "removed", "schema: credential: 'validFrom' is a required property"),
    (("credentialSubject", "identifier", 0), "added",
     "schema: credentialSubject.identifier[0]: Additional properties are not allowed"),
    (("credentialSubject", "identifier", 0, "hashed"), "changed",
     "schema: credentialSubject.identifier[0]: an e-mail address must be hashed"),
    (("@context", 1), "changed", "schema: @context[1]: "),
    (("proof", "proofValue"), "removed", "proof: proof has no proofValue"),
    (("proof", "cryptosuite"), "changed", "proof: unsupported cryptosuite"),
    (("proof", "proofPurpose"), "changed", "proof: proof purpose"),
    (("proof", "type"), "changed", "proof: proof type 'DataIntegrityProofx' is not"),
    (("type",), "changed", "schema: type: repeats an item"),
    (("evidence",), "changed", "schema: evidence: repeats an item"),
    (("proof",), "removed", "proof: document has no proof"),
    (("proof", "verificationMethod"), "changed", "proof: unknown verification method"),
    (("proof", "created"), "changed", "proof: proof created '2026-03-19T10:00:00Zx' is not"),
])
def test_specific_reasons(signed, path, kind, reason):
    verdict = verify(mutate(signed, path, kind))
    assert not verdict.ok
    assert verdict.reason.startswith(reason), verdict.reason


def test_jcs_proof_context_removed():
    credential = build(rich_case(), EVALUATOR.did)
    signed = EVALUATOR.sign(credential, "eddsa-jcs-2022", LOADER)
    del signed["proof"]["@context"]
    assert verify(signed).reason == "proof: eddsa-jcs-2022 proof @context differs from the credential's"


def test_context_changed_to_another_ob_version(signed):
    tampered = copy.deepcopy(signed)
    tampered["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    assert verify(tampered).reason.startswith("schema: @context: must be exactly")


def test_proof_moved_to_another_credential(signed, suite):
    other = EVALUATOR.sign(build(rich_case(), EVALUATOR.did), suite, LOADER)
    moved = {**other, "proof": signed["proof"]}
    assert verify(moved).reason == SIGNATURE


def test_wrong_key_claiming_the_issuer_key(signed, suite):
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    intruder = Evaluator()
    proof = intruder.sign(unsigned, suite, LOADER)["proof"]
    proof["verificationMethod"] = EVALUATOR.method
    assert verify({**unsigned, "proof": proof}).reason == SIGNATURE


def test_signed_by_a_key_that_is_not_the_issuers(signed, suite):
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    intruder = Evaluator()
    verdict = verify(intruder.sign(unsigned, suite, LOADER))
    assert verdict.reason == f"proof: key controller {intruder.did} is not the issuer {EVALUATOR.did}"


def test_issuer_swapped(signed, suite):
    swapped = copy.deepcopy(signed)
    swapped["issuer"]["id"] = Evaluator().did
    assert verify(swapped).reason == SIGNATURE
    # Signed by the evaluator in the institution's name: the binding check refuses it.
    _, settings = demo()
    in_name_of = EVALUATOR.sign(build(rich_case(), settings.institution.id), suite, LOADER)
    assert verify(in_name_of).reason == (
        f"proof: key controller {EVALUATOR.did} is not the issuer {settings.institution.id}")


def test_evidence_file_edited(signed, tmp_path):
    files = local_files()
    target = next(e["id"] for e in signed["evidence"] if "digestMultibase" in e)
    copy_of = tmp_path / "evidence"
    shutil.copyfile(files(target), copy_of)
    assert verify(signed, evidence_files={target: copy_of}.get).ok
    copy_of.write_bytes(copy_of.read_bytes() + b"\n")
    verdict = verify(signed, evidence_files={target: copy_of}.get)
    assert verdict.reason == (f"evidence: {target}: the file does not match the digest "
                              "signed in the credential")  # no local path: it may be a verifier's temp file
    assert verdict.checks == ("schema", "proof", "dates")
    # The pages' code and the catalogue's (issue 28), not the generic evidence.invalid.
    assert (verdict.code, verdict.params) == ("evidence.mismatch", {"id": target})


def test_expired(suite):
    credential = build(rich_case(), EVALUATOR.did, valid_from=NOW - dt.timedelta(days=30),
                       valid_until=NOW - dt.timedelta(days=1))
    verdict = verify(EVALUATOR.sign(credential, suite, LOADER))
    assert verdict.reason == f"dates: expired: validUntil was {credential['validUntil']}"


def test_not_yet_valid(suite):
    credential = build(rich_case(), EVALUATOR.did, valid_from=NOW + dt.timedelta(days=1))
    verdict = verify(EVALUATOR.sign(credential, suite, LOADER))
    assert verdict.reason == f"dates: not yet valid: validFrom is {credential['validFrom']}"


@pytest.mark.parametrize("document", [None, [], "text", 3, {}, {"proof": {}}])
def test_garbage_never_raises(document):
    verdict = verify(document)
    assert not verdict.ok and verdict.reason.startswith("schema: ")
