"""Revocation with the Bitstring Status List: each signing key's own list, its indices
taken in turn from the signer's counter under a lock (two processes signing at once lose
nothing), no allocation left by a refused request,
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
from portfolio_gen.institution import issuing, revocation, trustfiles
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations
from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.credentials.status import (DEFAULT_BITS, Bitstring, StatusListError, revocation_entry,
                                              status_list_credential)
from portfolio_gen.credentials.verify import (ACTIVE, OTHER_LIST, REVOKED, STATUS, UNAVAILABLE,
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
    (demo / trustfiles.DID_DOCUMENT_FILE).write_text(json.dumps(document), "utf-8")  # as `keys did-web` writes it
    return key, DidResolver({did: document})


# --- allocation ---------------------------------------------------------------------------

def list_name(key) -> str:
    return revocation.signer_list_name(key.public_key())


def test_allocation_takes_the_signers_next_indices_and_records_them(tmp_path):
    signer, other = keys.generate_key().public_key(), keys.generate_key().public_key()
    counters = tmp_path / "state"
    ids = [f"urn:uuid:{n}" for n in range(300)]
    indices = revocation.allocate_indices(tmp_path, signer, ids[:150], counters=counters) + \
        [revocation.allocate_index(tmp_path, signer, i, counters=counters) for i in ids[150:]]
    assert indices == list(range(300))
    # Another key has a list of its own: its indices start again, and never meet these.
    assert revocation.allocate_indices(tmp_path, other, ["urn:uuid:x"], counters=counters) == [0]
    lines = allocation_lines(tmp_path)
    name = revocation.signer_list_name(signer)
    assert [(int(index), cid, list_) for index, cid, _, list_ in lines[:300]] == \
        [(i, c, name) for i, c in zip(indices, ids)]
    assert (counters / f"{name}.next").read_text() == "300\n"
    assert (tmp_path / ".gitattributes").read_text().count(revocation.GITATTRIBUTES_RULE) == 1
    assert (tmp_path / "status/.gitignore").read_text() == ".lock\n"


def test_the_counter_is_the_signers_across_repositories(tmp_path):
    """The same key signing in two repositories on one machine never reuses an index:
    the counter lives with the signer, not in the repository."""
    signer = keys.generate_key().public_key()
    first, second = tmp_path / "elise", tmp_path / "paul"
    taken = [revocation.allocate_index(root, signer, f"urn:uuid:{root.name}-{n}", counters=tmp_path / "state")
             for n in range(3) for root in (first, second)]
    assert taken == list(range(6))


def test_a_full_list_is_refused(tmp_path):
    signer = keys.generate_key().public_key()
    counters = tmp_path / "state"
    assert revocation.allocate_indices(tmp_path, signer, ["a", "b"], bits=2, counters=counters) == [0, 1]
    with pytest.raises(InputError) as refused:
        revocation.allocate_index(tmp_path, signer, "c", bits=2, counters=counters)
    assert [p.key for p in refused.value.problems] == ["status.list_full"]
    assert len(allocation_lines(tmp_path)) == 2


def test_a_damaged_counter_is_refused_rather_than_restarted(tmp_path):
    signer = keys.generate_key().public_key()
    counter = revocation.SignerCounter.for_key(signer, tmp_path)
    counter.path.write_text("12x\n")
    with pytest.raises(InputError) as refused:
        counter.take(1)
    assert [(p.key, p.file) for p in refused.value.problems] == [("status.counter_damaged", counter.path)]


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
    bits = {credential["id"]: (revocation_entry(credential)["statusListCredential"].rsplit("/", 1)[1][:-5],
                               index_of(credential)) for credential in signed}
    assert len(set(bits.values())) == 2 * PER_PROCESS  # two keys: two lists, 0..19 in each
    lines = allocation_lines(demo)
    assert len(lines) == 2 * PER_PROCESS and {line[1]: (line[3], int(line[0])) for line in lines} == bits


def _allocate(root: str, counters: str) -> None:
    revocation.allocate_index(Path(root), keys.generate_key().public_key(), "urn:uuid:waiting",
                              counters=Path(counters))


def test_allocation_waits_for_the_lock(tmp_path):
    # Show the exclusion on the register itself.
    process = multiprocessing.get_context("spawn").Process(target=_allocate,
                                                           args=(str(tmp_path), str(tmp_path / "state")))
    with revocation.locked(tmp_path):
        process.start()
        process.join(timeout=3)
        assert process.is_alive() and allocation_lines(tmp_path) == []
    process.join(timeout=60)
    assert process.exitcode == 0 and [line[1] for line in allocation_lines(tmp_path)] == ["urn:uuid:waiting"]


def _take_from_counter(counters: str, public: str, start, count: int, results) -> None:
    counter = revocation.SignerCounter.for_key(keys.public_key_from_multibase(public), Path(counters))
    start.wait()
    results.put([index for _ in range(count) for index in counter.take(1)])


def test_two_processes_sharing_a_counter_never_get_the_same_index(tmp_path):
    # One evaluator signing in two repositories at once, on one machine.
    public = keys.public_key_multibase(keys.generate_key().public_key())
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_take_from_counter, args=(str(tmp_path), public, start, 200, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    taken = results.get(timeout=120) + results.get(timeout=120)
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(taken) == list(range(400))


def test_each_credential_points_at_its_signers_list(demo):
    key = keys.generate_key()
    credential = read(sign_items(demo, key)[0])
    entry = revocation_entry(credential)
    url = revocation.status_list_url(load_settings(demo), list_name(key))
    assert url == f"https://portfolios.example.org/status/lists/{list_name(key)}.json"
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
    # The institution's own key has a list too, for the certificates it signs.
    own = revocation.load_status_list(demo, list_name(key))
    assert verified_status_list(own, resolver, settings.institution.id, now=NOW)["id"] == \
        revocation.status_list_url(settings, list_name(key))


def test_revoke_sets_exactly_that_bit_re_signs_and_is_idempotent(demo, institution):
    key, resolver = institution
    settings = load_settings(demo)
    evaluator = keys.generate_key()
    credentials = [read(p) for p in sign_items(demo, evaluator, "c2i2e:A2.2", "A2.3")]
    revocation.publish_status_list(demo, settings, key, now=NOW, signers=[list_name(evaluator)])
    for _ in range(2):
        revocation.revoke(demo, settings, credentials[0], "fraude\tavérée\n", key, now=NOW)
    listed = verified_status_list(revocation.load_status_list(demo, list_name(evaluator)), resolver,
                                  settings.institution.id, now=NOW)
    assert set_bits(listed) == {index_of(credentials[0])}
    assert set_bits(revocation.load_status_list(demo)) == set()  # the old shared list: untouched
    lines = (demo / revocation.REVOCATIONS).read_text().splitlines()
    assert lines == [f"{index_of(credentials[0])}\t{credentials[0]['id']}\t2026-03-20T10:00:00Z"
                     f"\tfraude avérée\t{list_name(evaluator)}"]
    assert revocation.revoked_indices(demo, list_name(evaluator)) == {index_of(credentials[0])}
    assert revocation.revoked_indices(demo) == set()


@pytest.mark.parametrize("change, message", [
    (lambda c: c.pop("credentialStatus"), "no revocation status entry"),
    (lambda c: c["credentialStatus"].update(statusListCredential="https://elsewhere.example/l.json"),
     "not one of this workspace's"),
    (lambda c: c["credentialStatus"].update(statusListIndex="-1"), "not usable"),
])
def test_revoke_refuses_credentials_of_other_lists(demo, institution, change, message):
    credential = read(sign_items(demo, keys.generate_key())[0])
    change(credential)
    with pytest.raises(revocation.RevocationError, match=message):
        revocation.revoke(demo, load_settings(demo), credential, "reason", institution[0])
    assert not (demo / revocation.REVOCATIONS).exists()


def test_revoke_refuses_a_credential_naming_another_keys_list(demo, institution):
    # Setting that bit would revoke the credential of the key whose list it is.
    other = keys.generate_key()
    credential = read(sign_items(demo, keys.generate_key())[0])
    url = revocation.status_list_url(load_settings(demo), list_name(other))
    credential["credentialStatus"].update(statusListCredential=url, id=f"{url}#0")
    with pytest.raises(revocation.RevocationError, match="another key"):
        revocation.revoke(demo, load_settings(demo), credential, "reason", institution[0])


def test_revoke_refuses_an_index_a_merge_left_shared(demo, institution):
    key = keys.generate_key()
    credential = read(sign_items(demo, key)[0])
    with (demo / revocation.ALLOCATIONS).open("a") as register:
        register.write(f"{index_of(credential)}\turn:uuid:other-clone\t2026-03-20T10:00:00Z\t{list_name(key)}\n")
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
    signer, counters = keys.generate_key().public_key(), tmp_path / "state"
    (tmp_path / ".gitignore").write_text("state/\n")
    revocation.allocate_index(tmp_path, signer, "urn:uuid:first", counters=counters)
    git("add", "-A"), git("commit", "-qm", "first")
    git("checkout", "-qb", "other")
    revocation.allocate_index(tmp_path, signer, "urn:uuid:other", counters=counters)
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    revocation.allocate_index(tmp_path, signer, "urn:uuid:main", counters=counters)
    git("commit", "-qam", "main")
    git("merge", "-q", "--no-edit", "other")  # check=True: a conflict would fail here
    assert sorted(line[1] for line in allocation_lines(tmp_path)) == \
        ["urn:uuid:first", "urn:uuid:main", "urn:uuid:other"]
    assert git("status", "--porcelain").stdout == ""  # .lock is ignored


# --- verification -------------------------------------------------------------------------

@pytest.fixture
def revoked_and_active(demo, institution):
    """Three credentials, the first revoked; the verified list; the resolver."""
    key, resolver = institution
    settings = load_settings(demo)
    evaluator = keys.generate_key()
    credentials = [read(p) for p in sign_items(demo, evaluator, "c2i2e:A2.2", "A2.3", count=2)]
    revocation.publish_status_list(demo, settings, key, now=NOW, signers=[list_name(evaluator)])
    revocation.revoke(demo, settings, credentials[0], "erreur de saisie", key, now=NOW)
    listed = verified_status_list(demo / revocation.list_path(list_name(evaluator)), resolver,
                                  settings.institution.id, now=NOW)
    return credentials, listed, resolver


def test_verify_fails_the_revoked_credential_and_passes_the_others(revoked_and_active):
    credentials, listed, resolver = revoked_and_active
    verdicts = [verify_credential(c, resolver=resolver, now=NOW, status_list=status_lists([listed]))
                for c in credentials]
    assert not verdicts[0].ok and verdicts[0].reason == "status: revoked"
    assert verdicts[0].status == REVOKED
    assert all(v.ok and v.status == ACTIVE and STATUS in v.checks for v in verdicts[1:])


def _signed_by(credential: dict, key, issuer: str, method: str, list_url: str) -> dict:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": issuer}
    unsigned["credentialStatus"] = {**unsigned["credentialStatus"], "statusListCredential": list_url,
                                    "id": f"{list_url}#{unsigned['credentialStatus']['statusListIndex']}"}
    return proofs.sign(unsigned, key, method, suite=EDDSA_RDFC_2022, loader=DocumentLoader(),
                       created=unsigned["validFrom"])


def test_a_credential_naming_another_signers_list_is_refused(demo, institution, revoked_and_active):
    """A signer cannot point its credential at a list where the institution would never
    revoke it (another key's): refused before any list is read, lists given or not."""
    credentials, listed, resolver = revoked_and_active
    key, _ = institution
    settings = load_settings(demo)
    intruder = keys.generate_key()  # signs with its own did:key, names the evaluator's list
    forged = _signed_by(credentials[1], intruder, dids.did_key(intruder.public_key()),
                        dids.did_key_verification_method_id(intruder.public_key()), listed["id"])
    issuer, method = dids.signer(key, settings.institution.id)  # the institution's did:web key, alike
    certified = _signed_by(credentials[1], key, issuer, method, listed["id"])
    for credential in (forged, certified):
        for lists in (status_lists([listed]), None):
            verdict = verify_credential(credential, resolver=resolver, now=NOW, status_list=lists)
            assert not verdict.ok and verdict.status == OTHER_LIST and STATUS not in verdict.checks
            assert verdict.reason.startswith("status: its status list ") and "list of another key" in verdict.reason
    # Its own key's list, and the old shared list of the credentials issued before, are its to name.
    revocation.publish_status_list(demo, settings, key, now=NOW)
    own = [verified_status_list(demo / revocation.list_path(name), resolver, settings.institution.id, now=NOW)
           for name in ("", list_name(key))]
    for url in (revocation.status_list_url(settings), revocation.status_list_url(settings, list_name(key))):
        verdict = verify_credential(_signed_by(credentials[1], key, issuer, method, url), resolver=resolver,
                                    now=NOW, status_list=status_lists(own))
        assert verdict.ok and verdict.status == ACTIVE, verdict.reason


def test_cli_registry_sign_signs_an_empty_list_for_each_key_it_registers(demo):
    """A registered evaluator can sign at once: their list is there from `registry sign`
    on, never "status unknown" until the next `status-list publish`."""
    evaluator, ids = new_key(demo, "eval.key.pem")  # listed in evaluators.yml
    institution_key, own = new_key(demo, "institution.key.pem")
    did_json = demo / "did.json"
    assert cli(demo, "keys", "did-web", "portfolios.example.org", own["public Multikey"],
               "--output", str(did_json)).returncode == 0
    key_options = ("--key", str(institution_key), "--passphrase-file", str(demo / "passphrase"))
    registered = cli(demo, "registry", "sign", *key_options)
    assert registered.returncode == 0, registered.stderr
    lists = {name: demo / revocation.list_path(name) for name in (ids["public Multikey"], own["public Multikey"])}
    assert all(str(path) in registered.stdout for path in lists.values())
    resolver = DidResolver({"did:web:portfolios.example.org": read(did_json)})
    for path in lists.values():
        assert set_bits(verified_status_list(path, resolver, "did:web:portfolios.example.org")) == set()
    signed = cli(demo, "sign", "camille-martin", ENTRY, "c2i2e:A2.2", "--key", str(evaluator),
                 "--evaluator-name", "Jeanne", "--passphrase-file", str(demo / "passphrase"))
    assert signed.returncode == 0, signed.stderr
    [credential] = (demo / p for p in written(signed))
    checked = cli(demo, "verify", "--did-document", str(did_json), "--status-list", str(lists[ids["public Multikey"]]),
                  str(credential))
    assert checked.returncode == 0 and "status" in checked.stdout, checked.stdout
    before = {path: path.read_bytes() for path in lists.values()}
    again = cli(demo, "registry", "sign", *key_options)  # lists already there are left alone
    assert again.returncode == 0 and {path: path.read_bytes() for path in lists.values()} == before
    # ... and kept by status-list publish and refresh, as every list in status/lists/.
    assert cli(demo, "status-list", "publish", *key_options).returncode == 0
    assert all(path.is_file() for path in lists.values())


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
    evaluator_list = revocation.list_path(revocation.signer_list_name(keys.public_key_from_multibase(
        json.loads(first.read_text())["proof"][0]["verificationMethod"].split("#")[1])))
    check = ("verify", "--did-document", str(did_json), "--status-list", str(demo / revocation.LIST_FILE),
             "--status-list", str(demo / evaluator_list))
    # The evaluator's own list, published and read by the CLI: more than 1,000,000 entries.
    assert len(Bitstring.decode(read(demo / evaluator_list)["credentialSubject"]["encodedList"])) >= 1_000_000
    refused = cli(demo, *check, str(first))
    assert refused.returncode == 1 and "REVOKED" in refused.stdout and "the institution withdrew it" in refused.stdout
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
