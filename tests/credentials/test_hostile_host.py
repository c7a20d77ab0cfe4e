"""Issue 19: a hostile web host (or candidate) against `verify`, with the demo's real keys.

Each test reproduces one attack of the security review on the built demo, shows where it
matters that the attack itself is real (the proof alone still verifies), and checks that
the verifier refuses it or reports it as untrusted or unknown, with the reason.

A test that only reads the demo reads the session's `built_demo` (`shared`; the session
checks nobody wrote to it); one that changes a candidate's published site works on a copy
of that site only (`site`, a fraction of the demo); one that changes the workspace on a
copy of the demo (`demo`). What several tests start from is made once per module: the
demo with one credential revoked (`revoked`), and the registry signed again (`resigned`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.core.registry import Registry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.verdicts import UNKNOWN_STATUS
from portfolio_gen.credentials import keys, proofs
from portfolio_gen.institution import revocation
from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
from portfolio_gen.credentials.dids import DidResolutionError, DidResolver, did_web_url, parse_did_web
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.institution.registry_credential import RegistryCredentialError, verified_signed_registry
from portfolio_gen.credentials.status import StatusListError, check_status, status_entry
from portfolio_gen.credentials.verify import (REVOKED, status_lists, verified_status_list,
                                              verify_credential)
from portfolio_gen.institution.verify_site import FolderSource, flag_replayed_registries, verify_site

SLUG = "camille-martin"
INSTITUTION = "did:web:portfolios.example.org"
VC = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
LOADER = DocumentLoader()


@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    """A private copy of the built demo, for a test that changes the workspace."""
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


@pytest.fixture
def shared(built_demo) -> Path:
    """The built demo itself, for a test that only reads it."""
    return built_demo


def copy_site(built_demo: Path, tmp_path: Path, slug: str = SLUG) -> Path:
    """A private copy of one candidate's published site (what a host serves)."""
    return Path(shutil.copytree(built_demo / "site" / slug, tmp_path / "site" / slug, symlinks=True))


@pytest.fixture
def site(built_demo, tmp_path) -> Path:
    """A private copy of Camille's published site, for a test that changes the site only."""
    return copy_site(built_demo, tmp_path)


@pytest.fixture(scope="module")
def revoked(built_demo, tmp_path_factory):
    """A copy of the demo in which Camille's first validation is revoked: (workspace, the
    credential's file, the credential as read before, the status list revoke signed)."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("revoked") / "demo", symlinks=True))
    path = validations(root)[0]
    credential = read(path)
    signed_list = revocation.revoke(root, load_settings(root), copy.deepcopy(credential), "test",
                                    key(root, "institution"))
    return root, path, credential, signed_list


@pytest.fixture(scope="module")
def resigned(built_demo, tmp_path_factory) -> tuple[dict, dict]:
    """The demo's registry, and the next version the institution signs: (old, newer)."""
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.institution.registry_credential import sign_registry

    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("resigned") / "demo", symlinks=True))
    old = read(root / "registry.json")
    registry = load_registry(root, load_workspace(root, only=[]).frameworks)
    sign_registry(root, load_settings(root), registry, key(root, "institution"))
    return old, read(root / "registry.json")


def read(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")


def resolver(root: Path) -> DidResolver:
    return DidResolver({INSTITUTION: read(root / "did.json")})


def key(root: Path, name: str):
    return keys.load_private_key(root / "keys" / f"{name}.key.pem", None)


def validations(root: Path) -> list[Path]:
    return [p for p in sorted((root / "candidates" / SLUG / "credentials").glob("*.json"))
            if read(p)["credentialSubject"]["achievement"]["achievementType"] == "Competency"]


def proof_holds(document: dict, root: Path) -> bool:
    """The attack is real: the signature alone still verifies after the change."""
    return proofs.verify(document, resolver=resolver(root), loader=LOADER,
                         expected_controller=proofs.issuer_id(document)).verified


def resign(document: dict, private_key, method: str, created: str) -> dict:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return proofs.sign(unsigned, private_key, method, suite=EDDSA_RDFC_2022, loader=LOADER, created=created)


# --- 1. signed fields hidden from the checks ------------------------------------------

def hide(credential: dict, key_name: str, how: str) -> dict:
    """Move a signed statement where the checks do not read it, same RDF graph."""
    hidden = copy.deepcopy(credential)
    value = hidden.pop(key_name)
    if key_name == "validUntil":  # the term types it; the full IRI must say so itself
        value = {"@value": value, "@type": XSD_DATETIME}
    if how == "full IRI":
        hidden[VC + key_name] = value
    elif how == "@nest":
        hidden["@nest"] = {key_name: credential[key_name]}
    else:  # an alias defined by an inline context
        hidden["@context"] = [*hidden["@context"], {"hidden": VC + key_name}]
        hidden["hidden"] = value
    return hidden


@pytest.mark.parametrize("how", ["full IRI", "@nest", "alias"])
def test_a_revoked_credential_cannot_hide_its_status(revoked, how):
    # The list of the key that signed it: the one revoke re-signed.
    demo, _, credential, signed_list = revoked
    credential = copy.deepcopy(credential)
    listed = verified_status_list(signed_list, resolver(demo), INSTITUTION)
    options = {"resolver": resolver(demo), "loader": LOADER, "status_list": status_lists([listed])}
    assert verify_credential(credential, **options).status == REVOKED
    hidden = hide(credential, "credentialStatus", how)
    assert proof_holds(hidden, demo)
    verdict = verify_credential(hidden, **options)
    assert not verdict.ok and verdict.status != "active"
    # An OB credential's @context is fixed by the schema check; the form check catches the rest.
    assert verdict.reason.startswith(("proof: ", "schema: @context: must be exactly"))
    assert any(word in verdict.reason for word in ("credentialStatus", "@nest", "@context"))


@pytest.mark.parametrize("how", ["full IRI", "@nest", "alias"])
def test_a_swapped_evidence_file_cannot_hide_its_digest(shared, how):
    demo = shared
    credential = next(read(p) for p in validations(demo)
                      if any("digestMultibase" in e for e in read(p)["evidence"]))
    hidden = hide(credential, "evidence", how)
    assert proof_holds(hidden, demo)
    verdict = verify_credential(hidden, resolver=resolver(demo), loader=LOADER,
                                evidence_files=lambda url: demo / "portfolio-gen.yml")  # any other file
    assert not verdict.ok and verdict.reason.startswith(("proof: ", "schema: @context: must be exactly"))


def test_an_expired_credential_cannot_hide_its_validuntil(shared):
    demo = shared
    credential = read(validations(demo)[0])
    credential["validUntil"] = "2026-01-02T00:00:00Z"
    credential["validFrom"] = "2026-01-01T00:00:00Z"
    evaluator = key(demo, "marie-dupont")
    signed = resign(credential, evaluator, proofs.single_proof(credential)["verificationMethod"], "2026-01-01T00:00:00Z")
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    expired = verify_credential(signed, resolver=resolver(demo), loader=LOADER, now=now)
    assert expired.reason.startswith("dates: expired")
    hidden = hide(signed, "validUntil", "full IRI")
    assert proof_holds(hidden, demo)
    verdict = verify_credential(hidden, resolver=resolver(demo), loader=LOADER, now=now)
    assert not verdict.ok and "is an IRI" in verdict.reason


def test_the_cli_says_revoked_before_and_refuses_after_hiding(revoked, tmp_path):
    demo, path, _, signed_list = revoked
    args = ("--root", str(demo), "verify", "--did-document", str(demo / "did.json"),
            "--status-list", str(signed_list))
    before = run_cli(*args, str(path))
    assert before.returncode == 1 and "revoked" in before.stdout
    hidden = tmp_path / "hidden.json"
    write(hidden, hide(read(path), "credentialStatus", "full IRI"))
    after = run_cli(*args, str(hidden))
    assert after.returncode == 1 and "is an IRI" in after.stdout, after.stdout


def test_a_presentation_cannot_hide_a_credential_either(shared):
    """An eddsa-rdfc-2022 presentation whose second credential sits in @nest still has a
    valid proof (same graph), but the checks would see one credential only."""
    from portfolio_gen.credentials import cryptosuites, dids
    from portfolio_gen.credentials.presentation import build_presentation, verify_presentation

    demo = shared
    holder = keys.generate_key()
    credentials = [read(path) for path in validations(demo)[:2]]
    presentation = build_presentation(credentials, dids.did_key(holder.public_key()))
    options = {"type": cryptosuites.PROOF_TYPE, "cryptosuite": EDDSA_RDFC_2022.name,
               "created": "2026-11-24T00:00:00Z", "proofPurpose": "authentication",
               "verificationMethod": dids.did_key_verification_method_id(holder.public_key())}
    signed = {**presentation, "proof": cryptosuites.create_proof(presentation, options, holder, EDDSA_RDFC_2022, LOADER)}
    assert verify_presentation(signed, resolver(demo), loader=LOADER).ok
    hidden = copy.deepcopy(signed)
    hidden["verifiableCredential"] = credentials[:1]
    hidden["@nest"] = {"verifiableCredential": credentials[1:]}
    # The graph is the same, so the holder's proof still holds; the verdict must not.
    assert proofs.verify(hidden, resolver=resolver(demo), loader=LOADER, expected_purpose="authentication",
                         expected_controller=hidden["holder"]).verified
    verdict = verify_presentation(hidden, resolver(demo), loader=LOADER)
    assert not verdict.ok and "@nest" in verdict.reason


def test_a_registry_cannot_alias_its_terms_either(shared):
    from portfolio_gen.credentials.signed_form import signed_form_problem

    registry = read(shared / "registry.json")
    registry["@context"] = [*registry["@context"], {"until": VC + "validUntil"}]
    assert "alias of " + VC + "validUntil" in signed_form_problem(registry, LOADER)


# --- 2. the site chooses its own institution -----------------------------------------

def test_a_site_naming_another_institution_is_untrusted(shared, site, tmp_path):
    demo = shared
    evil = "did:web:portfolios.example.org%40evil.example"
    attacker = keys.generate_key()
    manifest = read(site / "verification.json")
    manifest["institution"] = evil
    write(site / "verification.json", manifest)
    document = read(site / "did.json")
    document["id"] = evil
    document["verificationMethod"][0]["publicKeyMultibase"] = keys.public_key_multibase(attacker.public_key())
    write(site / "did.json", document)
    report = verify_site(FolderSource(site), trusted=[INSTITUTION],
                         did_documents={INSTITUTION: read(demo / "did.json")})
    assert not report.ok and report.institution == INSTITUTION
    assert any("not one you trust" in p and evil in p for p in report.problems)
    result = run_cli("verify", str(site), "--did-document", str(demo / "did.json"), cwd=tmp_path)
    assert result.returncode == 1 and "not one you trust" in result.stdout


def test_an_award_file_from_an_institution_not_named_is_untrusted(shared):
    from portfolio_gen.institution.trust import verify_file_trusting

    demo = shared
    award = next(p for p in sorted((demo / "candidates" / SLUG / "credentials").glob("*.json"))
                 if read(p)["credentialSubject"]["achievement"]["achievementType"] == "Certificate")
    assert verify_file_trusting(award, [INSTITUTION], resolver=resolver(demo), loader=LOADER).ok
    verdict = verify_file_trusting(award, ["did:web:other.example"], resolver=resolver(demo), loader=LOADER)
    assert not verdict.ok and verdict.reason.startswith(f"untrusted: issued by {INSTITUTION}")


@pytest.mark.parametrize("did", [
    "did:web:portfolios.example.org%40evil.example",  # userinfo-like: would resolve at evil.example
    "did:web:user@evil.example",
    "did:web:evil.example%2Fportfolios.example.org",
    "did:web:Portfolios.Example.org",
    "did:web:portfolios.example.org:..:x",
    "did:web:portfolios.example.org%3A99999",
    "did:web:",
])
def test_did_web_identifiers_are_parsed_strictly(did):
    with pytest.raises(DidResolutionError):
        parse_did_web(did)
    with pytest.raises(DidResolutionError):
        DidResolver(fetch=lambda url: pytest.fail(f"fetched {url}")).resolve(did)


def test_a_well_formed_did_web_keeps_its_port_and_path():
    assert did_web_url("did:web:example.org%3A8443:inspe:lyon") == "https://example.org:8443/inspe/lyon/did.json"
    assert parse_did_web("did:web:example.org").document_url == "https://example.org/.well-known/did.json"


def test_the_cli_refuses_a_malformed_trusted_institution(shared):
    result = run_cli("verify", str(shared / "site" / SLUG), "--institution", "did:web:a.org%40b.org")
    assert result.returncode == 2 and "percent-encoded" in result.stderr


def test_without_any_trust_root_nothing_is_believed(shared):
    report = verify_site(FolderSource(shared / "site" / SLUG))
    assert not report.ok and any("no trusted institution" in p for p in report.problems)
    awards = [c for c in report.credentials if c.kind != "validation"]
    assert awards and all(c.status != "valid" for c in awards)


# --- 3. the status list comes from where the credential says, and must be fresh ------

def test_lists_are_fetched_only_from_the_credentials_own_url(shared, site):
    demo = shared
    manifest = read(site / "verification.json")
    real = dict(manifest["statusLists"])  # each signer's list the site's credentials name
    manifest["statusLists"] = {"https://evil.example/old-list.json": next(iter(real.values()))}
    write(site / "verification.json", manifest)
    fetched = []

    def fetch(url):
        fetched.append(url)
        if url in real:
            return read(site / real[url])
        raise OSError("unreachable")

    report = verify_site(FolderSource(site), trusted=[INSTITUTION], fetch=fetch,
                         did_documents={INSTITUTION: read(demo / "did.json")})
    assert set(real) <= set(fetched) and "https://evil.example/old-list.json" not in fetched
    assert all(c.status == "valid" for c in report.credentials if c.kind == "validation")


def test_an_unreachable_list_gives_status_unknown_never_active(shared):
    demo = shared
    report = verify_site(FolderSource(demo / "site" / SLUG), trusted=[INSTITUTION],
                         did_documents={INSTITUTION: read(demo / "did.json")},
                         fetch=lambda url: (_ for _ in ()).throw(OSError("down")))
    assert report.credentials and all(c.status == UNKNOWN_STATUS and c.code == "status.unknown"
                                      for c in report.credentials)
    assert not report.ok and "could not be fetched" in report.credentials[0].reason


def test_a_list_without_validuntil_or_lapsed_is_unknown(demo):
    settings = load_settings(demo)
    institution = key(demo, "institution")
    listed = read(demo / revocation.LIST_FILE)
    stale = resign({k: v for k, v in listed.items() if k != "validUntil"}, institution,
                   proofs.single_proof(listed)["verificationMethod"], listed["validFrom"])
    with pytest.raises(StatusListError, match="no validUntil"):
        verified_status_list(stale, resolver(demo), INSTITUTION)
    with pytest.raises(StatusListError, match="expired"):
        verified_status_list(listed, resolver(demo), INSTITUTION,
                             now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    assert revocation.refresh_status_list(demo, settings, institution) is None  # still fresh
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=25)
    assert revocation.refresh_status_list(demo, settings, institution, now=later) is not None
    assert read(demo / revocation.LIST_FILE)["validUntil"] > listed["validUntil"]


def test_an_old_fresh_list_copied_into_the_site_is_reported_with_its_date(shared):
    report = verify_site(FolderSource(shared / "site" / SLUG), trusted=[INSTITUTION])
    assert any("signed " in line and "valid until" in line for line in report.status_lists)


def test_a_list_off_the_institutions_domain_is_unknown(shared, site):
    demo = shared
    path = validations(demo)[0]
    credential = read(path)
    credential["credentialStatus"] = status_entry("https://evil.example/list.json", 5)
    signed = resign(credential, key(demo, "marie-dupont"), proofs.single_proof(credential)["verificationMethod"],
                    proofs.single_proof(credential)["created"])
    write(site / "credentials" / path.name, signed)
    manifest = read(site / "verification.json")
    manifest["statusLists"]["https://evil.example/list.json"] = "status/revocation-list.json"
    write(site / "verification.json", manifest)
    report = verify_site(FolderSource(site), trusted=[INSTITUTION])
    row = next(c for c in report.credentials if c.file.endswith(path.name))
    assert row.status == UNKNOWN_STATUS and "not on the domain" in row.params["detail"]


# --- 4. an old registry replayed -------------------------------------------------------

def test_a_registry_older_than_one_seen_is_reported(built_demo, resigned, tmp_path):
    old, newer = resigned
    assert newer["credentialSubject"]["version"] == old["credentialSubject"]["version"] + 1
    sites = copy_site(built_demo, tmp_path).parent
    copy_site(built_demo, tmp_path, "sofia-benali")
    write(sites / SLUG / "registry.json", old)
    for slug in ("sofia-benali",):
        write(sites / slug / "registry.json", newer)
    reports = [verify_site(FolderSource(sites / slug), trusted=[INSTITUTION]) for slug in (SLUG, "sofia-benali")]
    flag_replayed_registries(reports)
    assert any("older than version" in p for p in reports[0].problems)
    assert not any("older than version" in p for p in reports[1].problems)


def test_a_registry_older_than_one_seen_in_an_earlier_run_is_reported(resigned, site):
    old, newer = resigned
    write(site / "registry.json", newer)
    first = run_cli("verify", str(site), "--institution", INSTITUTION, "--json")
    assert "older than version" not in first.stdout
    write(site / "registry.json", old)  # the host serves the registry of before, in a later run
    later = run_cli("verify", str(site), "--institution", INSTITUTION, "--json")
    assert later.returncode == 1
    problems = json.loads(later.stdout)["sites"][0]["problems"]
    assert any(f"older than version {old['credentialSubject']['version'] + 1} this verifier first saw on" in p
               for p in problems), problems


def test_a_lapsed_or_unversioned_registry_is_refused(shared):
    demo = shared
    registry = read(demo / "registry.json")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=91)
    with pytest.raises(RegistryCredentialError, match="expired"):
        verified_signed_registry(registry, INSTITUTION, resolver(demo), LOADER, later)
    unversioned = copy.deepcopy(registry)
    del unversioned["credentialSubject"]["version"]
    unversioned = resign(unversioned, key(demo, "institution"), proofs.single_proof(registry)["verificationMethod"],
                         proofs.single_proof(registry)["created"])
    with pytest.raises(RegistryCredentialError, match="no version"):
        verified_signed_registry(unversioned, INSTITUTION, resolver(demo), LOADER)


# --- 5. an award dated before its signature; a grant judged when the key signed ---------

def test_a_credential_dated_before_its_signature_verifies(shared):
    """VC Data Model 2.0: `validFrom` may precede the proof's `created` (an award dated
    2024 signed or re-issued today); digitalbazaar's and DCC's verifiers accept it (issue 28)."""
    demo = shared
    credential = read(validations(demo)[0])
    credential["validFrom"] = "2025-11-23T10:00:00Z"  # a year before the key signed
    signed = resign(credential, key(demo, "marie-dupont"), proofs.single_proof(credential)["verificationMethod"],
                    "2026-11-23T10:00:00Z")
    verdict = verify_credential(signed, resolver=resolver(demo), loader=LOADER,
                                now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    assert verdict.ok, verdict.reason


@pytest.mark.parametrize(("valid_from", "created", "verdict"), [
    # Marie's c2i2e grant starts on 2025-09-01: a validFrom before it, signed inside it, counts...
    ("2025-06-01T00:00:00Z", "2026-01-10T10:00:00Z", ("valid", "")),
    # ...and a validFrom inside it cannot carry a signature made before it into it.
    ("2026-01-10T10:00:00Z", "2025-06-01T00:00:00Z", ("untrusted", "trust.out_of_period")),
])
def test_the_evaluators_grant_is_judged_when_the_key_signed(shared, site, valid_from, created, verdict):
    demo = shared
    path = next(p for p in sorted((site / "credentials").glob("*.json"))
                if read(p)["credentialSubject"]["achievement"]["achievementType"] == "Competency")
    credential = read(path)
    credential["validFrom"] = valid_from
    write(path, resign(credential, key(demo, "marie-dupont"), proofs.single_proof(credential)["verificationMethod"],
                       created))
    report = verify_site(FolderSource(site), trusted=[INSTITUTION])
    judged = next(c for c in report.credentials if c.file == path.relative_to(site).as_posix())
    assert (judged.status, judged.reason) == verdict


def test_the_grant_period_is_judged_on_the_utc_signing_day():
    from portfolio_gen.credentials.openbadges import _signed_on

    credential = {"validFrom": "2026-06-30T23:59:59-12:00"}
    assert _signed_on(credential) == dt.date(2026, 7, 1)
    credential["proof"] = {"created": "2026-11-23T01:00:00+03:00"}
    assert _signed_on(credential) == dt.date(2026, 11, 22)


# --- 6, 7. subject binding -------------------------------------------------------------

def test_without_email_the_report_says_whose_credentials_was_not_checked(shared):
    demo = shared
    report = verify_site(FolderSource(demo / "site" / SLUG), trusted=[INSTITUTION])
    assert not report.subject_checked
    assert any("whose credentials these are was not checked" in note for note in report.notes)
    result = run_cli("verify", str(demo / "site" / SLUG), cwd=demo)
    assert "NOT CHECKED  whose credentials" in result.stdout


def test_a_credential_copied_from_another_portfolio_is_untrusted_with_email(shared):
    site = shared / "site" / SLUG
    report = verify_site(FolderSource(site), trusted=[INSTITUTION], email="someone.else@example.org")
    assert report.credentials and all(c.reason == "trust.other_subject" for c in report.credentials)


def test_self_validation_is_found_by_the_registrys_candidate_identity(demo):
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.institution.registry_credential import candidate_emails, sign_registry

    workspace = load_workspace(demo)
    registry = load_registry(demo, workspace.frameworks)
    marie = registry.by_id("marie-dupont")
    email = workspace.candidates[SLUG].private["email"]
    # The evaluator who validated Camille's items is Camille herself, per the registry.
    registry = Registry(tuple(replace(e, candidate=SLUG) if e is marie else e for e in registry.evaluators))
    site = demo / "site" / SLUG
    before = verify_site(FolderSource(site), trusted=[INSTITUTION], email=email)
    assert {c.status for c in before.credentials} == {"valid"}
    sign_registry(demo, load_settings(demo), registry, key(demo, "institution"),
                  candidate_emails=candidate_emails(registry, workspace.candidates))
    shutil.copyfile(demo / "registry.json", site / "registry.json")
    report = verify_site(FolderSource(site), trusted=[INSTITUTION], email=email)
    statuses = {c.reason for c in report.credentials if c.kind == "validation"}
    assert statuses == {"trust.self_validation"}


# --- 8. status entries ------------------------------------------------------------------

@pytest.mark.parametrize("index", ["+445975", "21_6265", " 12", "١٢", "12\n", 12])
def test_a_status_index_must_be_a_string_of_digits(shared, index):
    listed = read(shared / revocation.LIST_FILE)
    entry = {**status_entry(listed["id"], 12), "statusListIndex": index}
    check = check_status(entry, listed)
    assert not check.ok and "not a string of digits" in check.reason


def test_a_validation_without_status_entry_is_refused(shared):
    demo = shared
    credential = read(validations(demo)[0])
    del credential["credentialStatus"]
    signed = resign(credential, key(demo, "marie-dupont"), proofs.single_proof(credential)["verificationMethod"],
                    proofs.single_proof(credential)["created"])
    listed = verified_status_list(demo / revocation.LIST_FILE, resolver(demo), INSTITUTION)
    verdict = verify_credential(signed, resolver=resolver(demo), loader=LOADER, status_list=status_lists([listed]))
    assert not verdict.ok and "no revocation status entry" in verdict.reason


def test_a_status_entry_naming_no_url_is_refused_not_crashing(shared):
    demo = shared
    credential = read(validations(demo)[0])
    credential["credentialStatus"]["statusListCredential"] = {"id": "https://portfolios.example.org/x"}
    signed = resign(credential, key(demo, "marie-dupont"), proofs.single_proof(credential)["verificationMethod"],
                    proofs.single_proof(credential)["created"])
    verdict = verify_credential(signed, resolver=resolver(demo), loader=LOADER, status_list=lambda url: None)
    # Refused by the form check (the term is an IRI), else by the status check: never a crash.
    assert not verdict.ok and "statusListCredential" in verdict.reason
    assert not verdict.reason.startswith("unexpected error")


def test_a_list_with_a_malformed_subject_is_unusable(shared):
    listed = read(shared / revocation.LIST_FILE)
    listed["credentialSubject"] = [listed["credentialSubject"]]
    check = check_status(status_entry(listed["id"], 12), listed)
    assert not check.ok and "type or purpose" in check.reason


# --- 9. malformed verification.json ----------------------------------------------------

@pytest.mark.parametrize("damage", [
    {"credentials": [1, None, {"a": 1}]},
    {"institution": 5},
    {"statusLists": ["x"]},
    {"didDocuments": "did.json"},
    {"registry": ["registry.json"]},
    {"presentation": 7},
])
def test_a_malformed_manifest_is_reported_and_the_rest_checked(site, damage):
    manifest = read(site / "verification.json")
    for key_name, value in damage.items():
        manifest[key_name] = (manifest[key_name] + value) if key_name == "credentials" else value
    write(site / "verification.json", manifest)
    report = verify_site(FolderSource(site), trusted=[INSTITUTION])
    assert not report.ok and any("verification.json" in p for p in report.problems)
    assert len(report.credentials) >= 27


def test_a_deeply_nested_manifest_does_not_crash(site):
    (site / "verification.json").write_text("[" * 100000 + "]" * 100000, "utf-8")
    report = verify_site(FolderSource(site), trusted=[INSTITUTION])
    assert not report.ok and any("verification.json" in p for p in report.problems)
