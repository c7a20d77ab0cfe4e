"""Building OB 3.0 item-validation credentials from the model, and the schema checks."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from portfolio_gen.credentials import openbadges
from portfolio_gen.core.model import ACCEPTED
from portfolio_gen.core.publishing import evidence_uri

from .ob3 import NOW, Evaluator, build, demo, demo_cases, level_for, rich_case

EVALUATOR = Evaluator()


@pytest.fixture(scope="module")
def rich():
    return build(rich_case(), EVALUATOR.did, valid_until=NOW + dt.timedelta(days=365))


@pytest.mark.parametrize("case", demo_cases(), ids=lambda case: case.id)
def test_every_demo_claim_builds_a_schema_valid_credential(case):
    credential = build(case, EVALUATOR.did)
    assert openbadges.validate_against_schema(credential) == []


def test_shape_of_a_credential(rich):
    workspace, settings = demo()
    case = rich_case()
    framework = workspace.frameworks[case.claim.framework]
    achievement = rich["credentialSubject"]["achievement"]
    assert rich["@context"] == list(openbadges.CONTEXTS)
    assert rich["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert rich["id"].startswith("urn:uuid:")
    assert rich["issuer"]["id"] == EVALUATOR.did
    assert rich["issuer"]["parentOrg"]["id"] == settings.institution.id
    assert achievement["id"] == settings.achievement_id(framework.id, case.claim.item)
    assert achievement["humanCode"] == case.claim.ref
    [alignment] = achievement["alignment"]
    assert alignment["targetCode"] == case.claim.item
    assert alignment["targetFramework"] == framework.title
    assert alignment["targetUrl"] == achievement["id"]
    assert rich["credentialSubject"]["result"][0]["value"] == level_for(case)
    assert achievement["resultDescription"][0]["allowedValue"] == [lv.code for lv in framework.levels]
    assert rich["validUntil"] == "2027-03-20T10:00:00Z"


def test_evidence_points_at_the_site_with_file_digests(rich):
    _, settings = demo()
    case = rich_case()
    page, *files, source_text = rich["evidence"]
    assert page["id"] == f"{settings.site_url(case.candidate.slug)}entries/{case.entry.slug}/"
    assert page["narrative"] == "Démarche solide."
    # Last, the entry's text as the evaluator saw it (issue 12).
    assert source_text["id"] == page["id"] + "#source" and source_text["genre"] == openbadges.ENTRY_SOURCE_GENRE
    assert source_text["digestMultibase"] == openbadges.digest_multibase(case.entry.path.read_bytes())
    sources = list(case.entry.evidence)
    assert len(files) == len(sources)
    for evidence, source in zip(files, sources):
        if source.is_file:
            # Where the site generator copies it (Markdown gets .txt so it is not rendered).
            assert evidence["id"] == settings.site_url(case.candidate.slug) + evidence_uri(source)
            digest = hashlib.sha256(source.file.read_bytes()).digest()
            assert evidence["digestMultibase"] == openbadges.digest_multibase(source.file.read_bytes())
            assert openbadges.multibase.decode(evidence["digestMultibase"])[2:] == digest
        else:
            assert evidence["id"] == source.url


def test_identity_is_a_salted_hash_of_the_email(rich):
    case = rich_case()
    [identity] = rich["credentialSubject"]["identifier"]
    email = case.candidate.private["email"]
    assert identity["identityHash"] == openbadges.identity_hash(email, identity["salt"])
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    again = build(case, EVALUATOR.did)["credentialSubject"]["identifier"][0]
    # One salted identity per candidate (issue 28): a site's credentials can be seen to
    # name one subject, bound by the signature to the slug the site claims.
    assert again == identity
    assert identity["salt"] == openbadges.subject_salt(demo()[1].institution.id, case.candidate.slug)


@pytest.mark.parametrize("case", demo_cases(), ids=lambda case: case.id)
def test_the_email_never_appears_in_a_credential(case):
    text = json.dumps(build(case, EVALUATOR.did), ensure_ascii=False).lower()
    email = case.candidate.private["email"].lower()
    assert email not in text
    assert email.split("@")[0] not in text


def test_identity_hash_matches_the_spec_example():
    # OB 3.0 IdentityHash example: 'a@example.com' salted with 'Kosher'.
    assert openbadges.identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")


def test_validation_read_back(rich):
    case = rich_case()
    validation = openbadges.validation_from_credential(rich)
    assert (validation.framework, validation.item) == (case.claim.framework, case.claim.item)
    assert validation.evaluator == EVALUATOR.did
    assert validation.entry == case.entry.slug
    assert validation.level == level_for(case)
    assert validation.comment == "Démarche solide."
    assert validation.decision == ACCEPTED
    assert validation.date == (NOW - dt.timedelta(days=1)).date()
    assert validation.credential_id == rich["id"]


def test_validation_read_back_refuses_inconsistent_codes(rich):
    broken = copy.deepcopy(rich)
    broken["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "other"
    with pytest.raises(openbadges.CredentialError, match="disagree"):
        openbadges.validation_from_credential(broken)
    with pytest.raises(openbadges.CredentialError):
        openbadges.validation_from_credential({"credentialSubject": {}})


def test_refuses_levels_off_the_scale_and_missing_email():
    case = rich_case()
    workspace, settings = demo()
    framework = workspace.frameworks[case.claim.framework]
    item = framework.item_by_code[case.claim.item]
    issuer = openbadges.IssuerProfile(EVALUATOR.did, "E")
    options = {"valid_from": NOW}
    with pytest.raises(openbadges.CredentialError, match="is not a level of"):
        openbadges.build_item_validation(settings, framework, item, case.candidate, case.entry,
                                         issuer, level="Z9", **options)
    with pytest.raises(openbadges.CredentialError, match="one must be given"):
        openbadges.build_item_validation(settings, framework, item, case.candidate, case.entry,
                                         issuer, **options)
    anonymous = dataclasses.replace(case.candidate, private={})
    with pytest.raises(openbadges.CredentialError, match="no private e-mail"):
        openbadges.build_item_validation(settings, framework, item, anonymous, case.entry,
                                         issuer, level=level_for(case), **options)
    with pytest.raises(openbadges.CredentialError, match="validUntil must be after"):
        openbadges.build_item_validation(settings, framework, item, case.candidate, case.entry,
                                         issuer, level=level_for(case), valid_until=NOW, **options)


def test_the_bundled_schema_is_the_vcdm2_revision_unchanged():
    schema = openbadges.official_schema()
    shipped = json.loads((Path(__file__).parents[2] / "portfolio_gen" / "credentials" / "schemas"
                          / openbadges.SCHEMA_FILE).read_text("utf-8"))
    assert schema == shipped
    assert schema["$id"] == ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                             "ob_v3p0_achievementcredential-jsonschema1.json")
    assert "validFrom" in schema["required"] and "issuanceDate" not in schema["properties"]
    assert schema["properties"]["proof"]["type"] == "array"


def test_proof_as_one_object_or_an_array_of_one_is_valid_but_not_two_types(rich):
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
             "created": "2026-01-01T00:00:00Z", "proofPurpose": "assertionMethod",
             "verificationMethod": "did:key:z6Mk#z6Mk", "proofValue": "z1"}
    assert openbadges.validate_against_schema({**rich, "proof": [proof]}) == []
    assert openbadges.validate_against_schema({**rich, "proof": proof}) == []
    problems = openbadges.validate_against_schema({**rich, "proof": "z1"})
    assert problems and problems[0].startswith("proof:")


@pytest.mark.parametrize("change, reason", [
    (lambda c: c.pop("validFrom"), "'validFrom' is a required property"),
    (lambda c: c.__setitem__("issuanceDate", "2026-01-01T00:00:00Z"), "issuanceDate: VCDM 1.1"),
    (lambda c: c.__setitem__("validFrom", "2026-01-01T00:00:00"), "not a dateTime with a timezone"),
    (lambda c: c.__setitem__("validUntil", "2020-01-01T00:00:00Z"), "validUntil: must be after"),
    (lambda c: c["credentialSubject"]["achievement"].pop("criteria"), "'criteria' is a required"),
    (lambda c: c["credentialSubject"]["identifier"][0].update(hashed=False, identityHash="a@b.c"),
     "must be hashed, never given in clear"),
    (lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="sha256$abc"),
     "identityHash: must be sha256$"),
    (lambda c: c["credentialSubject"].pop("identifier"), "needs an id or at least one identifier"),
    (lambda c: c["@context"].pop(), "@context: must be exactly"),
    (lambda c: c["type"].remove("OpenBadgeCredential"), "type: must include"),
    (lambda c: c.__setitem__("id", "https://example.org/1"), "id: must be a urn:uuid"),
    (lambda c: c["issuer"].__setitem__("id", "https://example.org/me"), "issuer.id: must be a did"),
    (lambda c: c.__setitem__("issuer", "did:key:z6Mk"), "issuer: must be a Profile object"),
    (lambda c: c["evidence"][1].__setitem__("digestMultibase", "z1111"), "not a SHA-256 multihash"),
    (lambda c: c["evidence"][1].__setitem__("digestMultibase", "m0OI"), "digestMultibase: expected"),
    (lambda c: c["credentialSubject"]["achievement"]["alignment"][0].pop("targetUrl"),
     "'targetUrl' is a required property"),
])
def test_schema_and_structure_refusals(rich, change, reason):
    credential = copy.deepcopy(rich)
    change(credential)
    problems = openbadges.validate_against_schema(credential)
    assert any(reason in problem for problem in problems), problems


def test_not_an_object():
    assert openbadges.validate_against_schema([]) == ["credential is not a JSON object"]


def test_schema_problems_are_remembered_by_content_and_handed_out_as_new_lists(rich):
    credential = copy.deepcopy(rich)
    credential.pop("validFrom")
    first = openbadges.validate_against_schema(credential)
    assert any("validFrom" in problem for problem in first)
    first.clear()  # the caller's own list: the remembered problems stay whole
    assert openbadges.validate_against_schema(copy.deepcopy(credential)) != []
    credential["validFrom"] = rich["validFrom"]  # mended in place: judged again
    assert openbadges.validate_against_schema(credential) == []
