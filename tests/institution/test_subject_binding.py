"""cohort_sites.bind_subjects (issue 28): a site is bound to the one subject its
credentials sign for; several subjects, another's credentials, and credentials or
subjects on several sites are findings on each site concerned, and counted once."""

from __future__ import annotations

from portfolio_gen.core.model import Candidate
from portfolio_gen.credentials.openbadges import identity_hash, subject_salt
from portfolio_gen.institution.cohort_sites import (OTHER_SUBJECT, SEVERAL_SUBJECTS, SHARED_CREDENTIAL,
                                                    SHARED_SUBJECT, PublishedSite, bind_subjects)
from portfolio_gen.institution.verify_site import CredentialReport, SiteReport, names_claimed_subject

INSTITUTION = "did:web:portfolios.example.org"


def credential(number: int, slug: str, email: str) -> dict:
    salt = subject_salt(INSTITUTION, slug)
    return {"id": f"urn:uuid:{number}", "credentialSubject": {"identifier": [
        {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress", "salt": salt,
         "identityHash": identity_hash(email, salt)}]}}


def site(line: int, slug: str, credentials: list[dict]) -> PublishedSite:
    rows = [CredentialReport(f"credentials/{number}.json", "valid", id=str(c.get("id")))
            for number, c in enumerate(credentials)]
    report = SiteReport(f"site-{line}", credentials=rows)
    return PublishedSite(line, f"site-{line}", report, Candidate(slug, "", "enseignant", "", "", ()),
                         published=list(zip(rows, credentials)))


def codes(published: PublishedSite) -> set[str]:
    return {finding.code for finding in published.findings}


def test_a_site_whose_credentials_name_its_candidate_is_bound_and_counts_all():
    alice = site(1, "alice", [credential(1, "alice", "alice@example.org"), credential(2, "alice", "Alice@example.org ")])
    bind_subjects([alice], INSTITUTION)
    assert alice.findings == [] and all(row.ok for row in alice.report.credentials)


def test_credentials_about_someone_else_do_not_count_for_the_claimed_candidate():
    thomas = site(1, "thomas", [credential(1, "thomas", "thomas@example.org"),
                                credential(2, "camille", "camille@example.org")])
    bind_subjects([thomas], INSTITUTION)
    assert codes(thomas) == {OTHER_SUBJECT}
    assert [row.status for row in thomas.report.credentials] == ["valid", "untrusted"]
    assert thomas.report.credentials[1].reason == "trust.other_subject"


def test_a_copy_verify_site_already_refused_is_still_a_finding_of_its_site():
    """verify_site binds a site to the slug its card names (trust.other_subject, issue 28):
    the row comes here untrusted already, and the site still says why."""
    thomas = site(1, "thomas", [credential(1, "thomas", "thomas@example.org"),
                                credential(2, "camille", "camille@example.org")])
    row, copied = thomas.published[1]
    refused = CredentialReport(row.file, "untrusted", id=row.id, code="trust.other_subject")
    thomas.published[1] = (refused, copied)
    thomas.report.credentials[1] = refused
    bind_subjects([thomas], INSTITUTION)
    assert [(f.code, f.params["count"]) for f in thomas.findings] == [(OTHER_SUBJECT, "1")]
    assert [row.status for row in thomas.report.credentials] == ["valid", "untrusted"]


def test_verify_site_names_the_claimed_subject_by_the_slugs_salt_only():
    camille = credential(1, "camille", "camille@example.org")
    assert names_claimed_subject(camille, INSTITUTION, "camille")
    assert not names_claimed_subject(camille, INSTITUTION, "thomas")
    assert not names_claimed_subject(camille, "did:web:other.example.org", "camille")
    assert not names_claimed_subject({"credentialSubject": {"identifier": "camille"}}, INSTITUTION, "camille")


def test_a_site_naming_several_subjects_counts_none_of_them():
    mixed = site(1, "alice", [credential(1, "alice", "alice@example.org"), credential(2, "alice", "eve@example.org")])
    bind_subjects([mixed], INSTITUTION)
    assert codes(mixed) == {SEVERAL_SUBJECTS}
    assert {row.status for row in mixed.report.credentials} == {"untrusted"}
    assert not mixed.ok


def test_a_credential_on_two_sites_is_reported_on_both_and_counted_once():
    shared = credential(1, "alice", "alice@example.org")
    first, second = site(3, "alice", [shared]), site(7, "alice", [shared, credential(2, "alice", "alice@example.org")])
    bind_subjects([first, second], INSTITUTION)
    assert codes(first) == codes(second) == {SHARED_CREDENTIAL, SHARED_SUBJECT}
    assert [f.params["lines"] for f in first.findings] == ["7", "7"]
    assert [row.status for row in first.report.credentials] == ["valid"]
    assert [row.status for row in second.report.credentials] == ["untrusted", "valid"]
    assert second.report.credentials[0].reason == "trust.counted_on_another_site"


def test_malformed_identifiers_bind_nothing():
    hostile = [{"id": "urn:uuid:1", "credentialSubject": {"identifier": [None, {"salt": 3}, "x"]}},
               {"id": ["not", "a", "string"], "credentialSubject": []}, {"credentialSubject": {"identifier": {}}}]
    odd = site(1, "alice", hostile)
    bind_subjects([odd], INSTITUTION)
    assert codes(odd) == {OTHER_SUBJECT} and {row.status for row in odd.report.credentials} == {"untrusted"}
