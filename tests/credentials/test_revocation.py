"""Revocation with the Bitstring Status List: random unique allocation under a lock (two
processes signing at once lose nothing), no allocation left by a refused request,
revoke (exactly one bit, re-signed, idempotent), verification of the list and of
revoked credentials, union merge of the registers in git, and the CLI end to end."""

from __future__ import annotations

import base64
import gzip
import json
import multiprocessing
import subprocess
from pathlib import Path

import pytest

from portfolio_gen.credentials import dids, keys, openbadges, proofs
from portfolio_gen.institution import issuing, revocation
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations
from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.credentials.status import (DEFAULT_BITS, Bitstring, StatusListError, revocation_entry,
                                              status_list_credential)
from portfolio_gen.credentials.verify import (ACTIVE, REVOKED, STATUS, UNAVAILABLE,
                                              UNCHECKED, status_lists, verified_status_list,
                                              verify_credential)
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace

from credentials.ob3 import NOW
from credentials.test_cli_credentials import ENTRY, cli, demo, new_key, written  # noqa: F401

PER_PROCESS = 20


def sign_items(root: Path, key, *items: str, count: int = 1) -> list[Path]:
    workspace, settings = load_workspace(root, only=["camille-martin"]), load_settings(root)
    request = SigningRequest("camille-martin", ENTRY, items or ("c2i2e:A2.2",), "Jeanne Évaluatrice")
    return [path for _ in range(count)
            for path in issue_item_validations(workspace, settings, request, key, now=NOW, checked=False)]


def read(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def index_of(credential: dict) -> int:
    return int(revocation_entry(credential)["statusListIndex"])


def allocation_lines(root: Path) -> list[list[str]]:
    path = root / revocation.ALLOCATIONS
    return [line.split("\t") for line in path.read_text().splitlines()] if path.exists() else []


def set_bits(list_credential: dict) -> set[int]:
    encoded = list_credential["credentialSubject"]["encodedList"][1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return {byte * 8 + bit for byte, value in enumerate(raw) if value
            for bit in range(8) if value & (0x80 >> bit)}


@pytest.fixture
def institution(demo):
    """The institution's key and a resolver holding its did.json (did:web of the settings)."""
    key = keys.generate_key()
    did = load_settings(demo).institution.id
    document = dids.did_web_document(did, [key.public_key()])
    (demo / dids.DID_DOCUMENT_FILE).write_text(json.dumps(document), "utf-8")  # as `keys did-web` writes it
    return key, DidResolver({did: document})


# --- allocation ---------------------------------------------------------------------------

def test_allocation_is_random_unique_and_recorded(tmp_path):
    ids = [f"urn:uuid:{n}" for n in range(300)]
    indices = revocation.allocate_indices(tmp_path, ids[:150]) + \
        [revocation.allocate_index(tmp_path, i) for i in ids[150:]]
    assert len(set(indices)) == 300 and all(0 <= i < DEFAULT_BITS for i in indices)
    assert indices != sorted(indices) and max(indices) - min(indices) > DEFAULT_BITS // 2
    lines = allocation_lines(tmp_path)
    assert [(int(index), cid) for index, cid, _ in lines] == list(zip(indices, ids))
    assert (tmp_path / ".gitattributes").read_text().count(revocation.GITATTRIBUTES_RULE) == 1
    assert (tmp_path / "status/.gitignore").read_text() == ".lock\n"


def test_a_full_list_is_refused(tmp_path):
    assert sorted(revocation.allocate_indices(tmp_path, ["a", "b"], bits=2)) == [0, 1]
    with pytest.raises(revocation.RevocationError, match="full"):
        revocation.allocate_index(tmp_path, "c", bits=2)
    assert len(allocation_lines(tmp_path)) == 2


def _sign_concurrently(root: str, start, count: int) -> None:
    key = keys.generate_key()
    start.wait()
    sign_items(Path(root), key, count=count)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_two_processes_signing_at_once_lose_nothing(demo, method):
    context = multiprocessing.get_context(method)
    start = context.Barrier(2)
    workers = [context.Process(target=_sign_concurrently, args=(str(demo), start, PER_PROCESS))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert [worker.exitcode for worker in workers] == [0, 0]
    files = issuing.credential_files(load_workspace(demo).candidates["camille-martin"])
    signed = [read(path) for path in files if "credentialStatus" in path.read_text()]
    assert len(signed) == 2 * PER_PROCESS
    indices = {credential["id"]: index_of(credential) for credential in signed}
    assert len(set(indices.values())) == 2 * PER_PROCESS
    lines = allocation_lines(demo)
    assert len(lines) == 2 * PER_PROCESS and {cid: int(i) for i, cid, _ in lines} == indices


def _allocate(root: str) -> None:
    revocation.allocate_index(Path(root), "urn:uuid:waiting")


def test_allocation_waits_for_the_lock(tmp_path):
    # Random indices rarely collide, so the test above would pass by luck without the
    # lock: show the exclusion itself.
    process = multiprocessing.get_context("spawn").Process(target=_allocate, args=(str(tmp_path),))
    with revocation.locked(tmp_path):
        process.start()
        process.join(timeout=3)
        assert process.is_alive() and allocation_lines(tmp_path) == []
    process.join(timeout=60)
    assert process.exitcode == 0 and [cid for _, cid, _ in allocation_lines(tmp_path)] == ["urn:uuid:waiting"]


def test_each_credential_points_at_the_workspace_list(demo):
    credential = read(sign_items(demo, keys.generate_key())[0])
    entry = revocation_entry(credential)
    url = revocation.status_list_url(load_settings(demo))
    assert url == "https://portfolios.example.org/status/revocation-list.json"
    assert entry == {"id": f"{url}#{index_of(credential)}", "type": "BitstringStatusListEntry",
                     "statusPurpose": "revocation", "statusListIndex": str(index_of(credential)),
                     "statusListCredential": url}
    assert not openbadges.validate_against_schema(credential)


def test_a_refused_request_leaves_no_allocation(demo):
    with pytest.raises(InputError):
        sign_items(demo, keys.generate_key(), "c2i2e:A2.2", "c2i2e:Z9.9")
    assert allocation_lines(demo) == []


def test_a_failure_after_allocation_gives_the_indices_back(demo, monkeypatch):
    sign_items(demo, keys.generate_key())
    kept = allocation_lines(demo)
    calls = []

    def failing_sign(*args, **kwargs):
        calls.append(args[0]["credentialStatus"])
        if len(calls) == 2:
            raise proofs.ProofCreationError("disk on fire")
        return original(*args, **kwargs)

    original = proofs.sign
    monkeypatch.setattr(proofs, "sign", failing_sign)
    with pytest.raises(proofs.ProofCreationError):
        sign_items(demo, keys.generate_key(), "c2i2e:A2.2", "A2.3")
    assert len(calls) == 2 and allocation_lines(demo) == kept


# --- revocation ---------------------------------------------------------------------------

def test_publish_signs_an_empty_list_the_first_time(demo, institution):
    key, resolver = institution
    settings = load_settings(demo)
    assert revocation.load_status_list(demo) is None
    path = revocation.publish_status_list(demo, settings, key, now=NOW)
    assert path == demo / revocation.LIST_FILE
    listed = verified_status_list(path, resolver, settings.institution.id, now=NOW)
    assert listed == revocation.load_status_list(demo) and set_bits(listed) == set()
    assert listed["id"] == revocation.status_list_url(settings)


def test_revoke_sets_exactly_that_bit_re_signs_and_is_idempotent(demo, institution):
    key, resolver = institution
    settings = load_settings(demo)
    credentials = [read(p) for p in sign_items(demo, keys.generate_key(), "c2i2e:A2.2", "A2.3")]
    revocation.publish_status_list(demo, settings, key, now=NOW)
    for _ in range(2):
        revocation.revoke(demo, settings, credentials[0], "fraude\tavérée\n", key, now=NOW)
    listed = verified_status_list(revocation.load_status_list(demo), resolver,
                                  settings.institution.id, now=NOW)
    assert set_bits(listed) == {index_of(credentials[0])}
    lines = (demo / revocation.REVOCATIONS).read_text().splitlines()
    assert lines == [f"{index_of(credentials[0])}\t{credentials[0]['id']}\t2026-03-20T10:00:00Z"
                     "\tfraude avérée"]
    assert revocation.revoked_indices(demo) == {index_of(credentials[0])}


@pytest.mark.parametrize("change, message", [
    (lambda c: c.pop("credentialStatus"), "no revocation status entry"),
    (lambda c: c["credentialStatus"].update(statusListCredential="https://elsewhere.example/l.json"),
     "not this workspace's"),
    (lambda c: c["credentialStatus"].update(statusListIndex="-1"), "not usable"),
])
def test_revoke_refuses_credentials_of_other_lists(demo, institution, change, message):
    credential = read(sign_items(demo, keys.generate_key())[0])
    change(credential)
    with pytest.raises(revocation.RevocationError, match=message):
        revocation.revoke(demo, load_settings(demo), credential, "reason", institution[0])
    assert not (demo / revocation.REVOCATIONS).exists()


def test_revoke_refuses_an_index_a_merge_left_shared(demo, institution):
    credential = read(sign_items(demo, keys.generate_key())[0])
    with (demo / revocation.ALLOCATIONS).open("a") as register:
        register.write(f"{index_of(credential)}\turn:uuid:other-clone\t2026-03-20T10:00:00Z\n")
    with pytest.raises(revocation.RevocationError, match="other-clone"):
        revocation.revoke(demo, load_settings(demo), credential, "reason", institution[0])


def test_revoke_needs_a_reason(demo, institution):
    credential = read(sign_items(demo, keys.generate_key())[0])
    with pytest.raises(revocation.RevocationError, match="reason"):
        revocation.revoke(demo, load_settings(demo), credential, " \n", institution[0])


def test_registers_merge_without_conflict_across_clones(tmp_path):
    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True,
                              text=True, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                                              "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
                                              "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})

    git("init", "-q", "-b", "main")
    revocation.allocate_index(tmp_path, "urn:uuid:first")
    git("add", "-A"), git("commit", "-qm", "first")
    git("checkout", "-qb", "other")
    revocation.allocate_index(tmp_path, "urn:uuid:other")
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    revocation.allocate_index(tmp_path, "urn:uuid:main")
    git("commit", "-qam", "main")
    git("merge", "-q", "--no-edit", "other")  # check=True: a conflict would fail here
    assert sorted(cid for _, cid, _ in allocation_lines(tmp_path)) == \
        ["urn:uuid:first", "urn:uuid:main", "urn:uuid:other"]
    assert git("status", "--porcelain").stdout == ""  # .lock is ignored


# --- verification -------------------------------------------------------------------------

@pytest.fixture
def revoked_and_active(demo, institution):
    """Three credentials, the first revoked; the verified list; the resolver."""
    key, resolver = institution
    settings = load_settings(demo)
    credentials = [read(p) for p in sign_items(demo, keys.generate_key(), "c2i2e:A2.2", "A2.3", count=2)]
    revocation.publish_status_list(demo, settings, key, now=NOW)
    revocation.revoke(demo, settings, credentials[0], "erreur de saisie", key, now=NOW)
    listed = verified_status_list(demo / revocation.LIST_FILE, resolver, settings.institution.id, now=NOW)
    return credentials, listed, resolver


def test_verify_fails_the_revoked_credential_and_passes_the_others(revoked_and_active):
    credentials, listed, resolver = revoked_and_active
    verdicts = [verify_credential(c, resolver=resolver, now=NOW, status_list=status_lists([listed]))
                for c in credentials]
    assert not verdicts[0].ok and verdicts[0].reason == "status: revoked"
    assert verdicts[0].status == REVOKED
    assert all(v.ok and v.status == ACTIVE and STATUS in v.checks for v in verdicts[1:])


def test_status_is_unchecked_without_lists_and_unavailable_only_when_tolerated(revoked_and_active):
    credentials, _, resolver = revoked_and_active
    verdict = verify_credential(credentials[0], resolver=resolver, now=NOW)
    assert verdict.ok and verdict.status == UNCHECKED and STATUS not in verdict.checks
    missing = verify_credential(credentials[1], resolver=resolver, now=NOW, status_list=lambda url: None)
    assert not missing.ok and missing.reason.startswith("status: status list") and "not available" in missing.reason
    tolerated = verify_credential(credentials[1], resolver=resolver, now=NOW,
                                  status_list=lambda url: None, require_status=False)
    assert tolerated.ok and tolerated.status == UNAVAILABLE


def test_a_status_list_that_cannot_be_had_is_a_refusal_not_a_crash(revoked_and_active):
    credentials, _, resolver = revoked_and_active

    def unreachable(url):
        raise StatusListError("could not fetch it: timed out")

    verdict = verify_credential(credentials[1], resolver=resolver, now=NOW, status_list=unreachable)
    assert not verdict.ok and "timed out" in verdict.reason


def test_a_credential_without_status_entry_is_refused_when_status_is_checked(
        revoked_and_active, openbadge, vector_private_key):
    # Issue 19, attack 8: a credential that cannot be revoked must not read as active.
    _, listed, _ = revoked_and_active
    method = dids.did_key_verification_method_id(vector_private_key.public_key())
    signed = proofs.sign(openbadge, vector_private_key, method, suite=EDDSA_RDFC_2022,
                         loader=DocumentLoader(), created=openbadge["validFrom"])
    verdict = verify_credential(signed, resolver=DidResolver(), status_list=status_lists([listed]))
    assert not verdict.ok and STATUS not in verdict.checks
    assert verdict.reason == "status: the credential carries no revocation status entry (credentialStatus)"


def test_a_list_signed_by_another_key_or_issuer_is_refused(demo, institution):
    _, resolver = institution
    settings = load_settings(demo)
    intruder = keys.generate_key()
    with pytest.raises(InputError) as refused:  # the tool never signs a list with a key did.json lacks
        revocation.publish_status_list(demo, settings, intruder, now=NOW)
    assert refused.value.problems[0].key == "sign.key_not_in_did"
    forged = proofs.sign(status_list_credential(revocation.status_list_url(settings), settings.institution.id,
                                                Bitstring(DEFAULT_BITS), "2026-03-01T10:00:00Z", "2026-04-01T10:00:00Z"),
                         intruder, f"{settings.institution.id}#{keys.public_key_multibase(intruder.public_key())}",
                         suite=EDDSA_RDFC_2022, loader=DocumentLoader())
    with pytest.raises(StatusListError, match="not listed"):
        verified_status_list(forged, resolver, settings.institution.id, now=NOW)
    unsigned = {k: v for k, v in forged.items() if k != "proof"}
    unsigned["issuer"] = dids.did_key(intruder.public_key())
    self_signed = proofs.sign(unsigned, intruder, dids.did_key_verification_method_id(intruder.public_key()),
                              suite=EDDSA_RDFC_2022, loader=DocumentLoader())
    with pytest.raises(StatusListError, match="not by did:web"):
        verified_status_list(self_signed, resolver, settings.institution.id, now=NOW)


def test_an_edited_list_is_refused(revoked_and_active):
    _, listed, resolver = revoked_and_active
    cleared = json.loads(json.dumps(listed))
    cleared["credentialSubject"]["encodedList"] = Bitstring().encode()
    with pytest.raises(StatusListError, match="proof"):
        verified_status_list(cleared, resolver, listed["issuer"], now=NOW)
    with pytest.raises(StatusListError, match="BitstringStatusListCredential"):
        verified_status_list({"type": ["VerifiableCredential"]}, resolver, listed["issuer"])


# --- the command line ---------------------------------------------------------------------

def test_cli_keys_did_web_publish_sign_revoke_verify(demo):
    evaluator, _ = new_key(demo, "eval.key.pem")
    institution_key, identifiers = new_key(demo, "institution.key.pem")
    did_json = demo / "did.json"
    made = cli(demo, "keys", "did-web", "portfolios.example.org", identifiers["public Multikey"],
               "--output", str(did_json))
    assert made.returncode == 0, made.stderr
    key_options = ("--key", str(institution_key), "--passphrase-file", str(demo / "passphrase"))
    published = cli(demo, "status-list", "publish", *key_options)
    assert published.returncode == 0, published.stderr
    assert "status/revocation-list.json" in published.stdout
    signed = cli(demo, "sign", "camille-martin", ENTRY, "c2i2e:A2.2", "A2.3", "--key", str(evaluator),
                 "--evaluator-name", "Jeanne", "--passphrase-file", str(demo / "passphrase"))
    assert signed.returncode == 0, signed.stderr
    first, second = (demo / p for p in written(signed))
    for _ in range(2):
        revoked = cli(demo, "revoke", str(first), "--reason", "signé par erreur", *key_options)
        assert revoked.returncode == 0, revoked.stderr
    assert len((demo / revocation.REVOCATIONS).read_text().splitlines()) == 1
    check = ("verify", "--did-document", str(did_json), "--status-list", str(demo / revocation.LIST_FILE))
    refused = cli(demo, *check, str(first))
    assert refused.returncode == 1 and "status: revoked" in refused.stdout
    accepted = cli(demo, *check, str(second))
    assert accepted.returncode == 0, accepted.stdout
    assert "schema, proof, dates, status, evidence" in accepted.stdout
    assert cli(demo, "verify", str(first)).returncode == 0  # without a list: status unchecked


def test_cli_refuses_a_list_not_signed_by_the_institution(demo):
    evaluator, identifiers = new_key(demo, "eval.key.pem")
    did_json = demo / "did.json"
    refused = cli(demo, "status-list", "publish", "--key", str(evaluator), "--passphrase-file", str(demo / "passphrase"))
    assert refused.returncode == 2 and "keys did-web" in refused.stderr and not (demo / revocation.LIST_FILE).exists()
    listed = dids.did_web_document("did:web:portfolios.example.org",
                                   [keys.public_key_from_multibase(identifiers["public Multikey"])])
    did_json.write_text(json.dumps(listed))
    assert cli(demo, "status-list", "publish", "--key", str(evaluator), "--passphrase-file",
               str(demo / "passphrase")).returncode == 0
    other = dids.did_web_document("did:web:portfolios.example.org", [keys.generate_key().public_key()])
    did_json.write_text(json.dumps(other))
    result = cli(demo, "verify", "--did-document", str(did_json), "--status-list",
                 str(demo / revocation.LIST_FILE), str(demo / "portfolio-gen.yml"))
    assert result.returncode == 2 and "cannot use status list" in result.stderr + result.stdout


def test_cli_revoke_refuses_a_credential_of_another_list(demo):
    key, identifiers = new_key(demo, "institution.key.pem")
    # The institution's key, as its did.json lists it: revoke checks that before the credential.
    assert cli(demo, "keys", "did-web", "portfolios.example.org", identifiers["public Multikey"],
               "--output", str(demo / "did.json")).returncode == 0
    stray = demo / "stray.json"
    stray.write_text(json.dumps({"id": "urn:uuid:x"}))
    result = cli(demo, "revoke", str(stray), "--reason", "x", "--key", str(key),
                 "--passphrase-file", str(demo / "passphrase"))
    assert result.returncode == 2 and "no revocation status entry" in result.stderr + result.stdout
