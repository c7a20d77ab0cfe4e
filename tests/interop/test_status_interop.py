"""Our Bitstring Status List interoperates with digitalbazaar's
@digitalbazaar/vc-bitstring-status-list: it decodes our encodedList to the same bits,
verifies the list the institution signs, and reads a revoked credential as revoked."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from portfolio_gen.credentials import dids, keys
from portfolio_gen.institution import revocation, trustfiles
from portfolio_gen.credentials.status import DEFAULT_BITS, Bitstring

from credentials.ob3 import NOW, Evaluator, build, demo, rich_case

pytestmark = pytest.mark.interop


def test_js_decodes_our_encoded_list_to_the_same_bits(js_stack):
    chosen = random.Random(5).sample(range(DEFAULT_BITS), 40)
    bits = Bitstring()
    for index in chosen:
        bits.set(index)
    probes = chosen + [0, 1, 7, 8, DEFAULT_BITS - 1] + [i + 1 for i in chosen if i + 1 < DEFAULT_BITS]
    reply = js_stack.decode_list(bits.encode(), probes)
    assert reply["length"] == DEFAULT_BITS
    assert reply["statuses"] == [bits.get(i) for i in probes]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_js_reads_our_signed_list_and_finds_the_revoked_credential(js_stack, tmp_path, suite):
    from portfolio_gen.credentials.loader import DocumentLoader

    _, settings = demo()
    institution = keys.generate_key()
    did_document = dids.did_web_document(settings.institution.id, [institution.public_key()])
    (tmp_path / trustfiles.DID_DOCUMENT_FILE).write_text(json.dumps(did_document), "utf-8")  # as `keys did-web` does
    evaluator = Evaluator()
    unsigned = revocation.with_statuses(tmp_path, settings, [build(rich_case(), evaluator.did)
                                                             for _ in range(3)], evaluator.key.public_key(),
                                        counters=tmp_path / "state")
    signed = [evaluator.sign(credential, suite, DocumentLoader()) for credential in unsigned]
    # Signed at the fixed test date: a validity reaching past today keeps the list fresh
    # for the JS verifier, which (rightly) refuses a lapsed one.
    revocation.revoke(tmp_path, settings, signed[1], "interop", institution, now=NOW,
                      validity=dt.timedelta(days=3650))
    status_list = revocation.load_status_list(tmp_path, revocation.signer_list_name(evaluator.key.public_key()))
    reply = js_stack.check_status(signed, {status_list["id"]: status_list},
                                  {settings.institution.id: did_document})
    assert [(r["verified"], r["status"]) for r in reply["results"]] == \
        [(True, False), (True, True), (True, False)], reply
    tampered = dict(status_list, credentialSubject={**status_list["credentialSubject"],
                                                    "encodedList": Bitstring().encode()})
    reply = js_stack.check_status(signed[1:2], {status_list["id"]: tampered},
                                  {settings.institution.id: did_document})
    assert reply["results"][0]["verified"] is False, reply


def test_js_reads_a_signers_million_entry_list_at_its_far_end(js_stack, tmp_path):
    """Issue 26: a list of more than 1,000,000 entries, as `status-list publish` signs it,
    verified by digitalbazaar's library, with indices near its end read right."""
    from portfolio_gen.credentials.loader import DocumentLoader

    _, settings = demo()
    institution = keys.generate_key()
    did_document = dids.did_web_document(settings.institution.id, [institution.public_key()])
    (tmp_path / trustfiles.DID_DOCUMENT_FILE).write_text(json.dumps(did_document), "utf-8")
    evaluator = Evaluator()
    counters = tmp_path / "state"
    # The signer has already used nearly all of its list: the next indices are its last.
    counter = revocation.SignerCounter.for_key(evaluator.key.public_key(), counters)
    counter.take(DEFAULT_BITS - 3)
    unsigned = revocation.with_statuses(tmp_path, settings, [build(rich_case(), evaluator.did) for _ in range(3)],
                                        evaluator.key.public_key(), counters=counters)
    assert [int(c["credentialStatus"]["statusListIndex"]) for c in unsigned] == \
        [DEFAULT_BITS - 3, DEFAULT_BITS - 2, DEFAULT_BITS - 1]
    signed = [evaluator.sign(credential, "eddsa-rdfc-2022", DocumentLoader()) for credential in unsigned]
    revocation.revoke(tmp_path, settings, signed[2], "interop", institution, now=NOW,
                      validity=dt.timedelta(days=3650))
    status_list = revocation.load_status_list(tmp_path, revocation.signer_list_name(evaluator.key.public_key()))
    reply = js_stack.decode_list(status_list["credentialSubject"]["encodedList"], [DEFAULT_BITS - 1])
    assert reply["length"] == DEFAULT_BITS >= 1_000_000
    reply = js_stack.check_status(signed, {status_list["id"]: status_list}, {settings.institution.id: did_document})
    assert [(r["verified"], r["status"]) for r in reply["results"]] == \
        [(True, False), (True, False), (True, True)], reply
