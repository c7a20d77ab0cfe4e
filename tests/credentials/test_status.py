"""Bitstring Status List: encoding per the specification, entries, bounded decoding, checks."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given, strategies as st

from portfolio_gen.credentials.status import (DEFAULT_BITS, MINIMUM_BITS, Bitstring, StatusListError,
                                              check_status, revocation_entry, status_entry,
                                              status_list_credential)

LIST = "https://portfolios.example.org/status/revocation-list.json"


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = Bitstring(MINIMUM_BITS)
    bits.set(0)
    bits.set(9)
    raw = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and not any(raw[2:])


@given(st.sets(st.integers(0, DEFAULT_BITS - 1), max_size=50))
def test_encode_decode_round_trip(indices):
    bits = Bitstring()
    for index in indices:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert len(decoded) == DEFAULT_BITS
    assert {i for i in indices if decoded.get(i)} == indices
    assert sum(decoded.get(i) for i in range(0, DEFAULT_BITS, 997)) == sum(1 for i in indices if i % 997 == 0)


def test_encoding_is_reproducible_and_starts_with_the_multibase_prefix():
    a, b = Bitstring(), Bitstring()
    a.set(42), b.set(42)
    assert a.encode() == b.encode() and a.encode().startswith("u") and "=" not in a.encode()


@pytest.mark.parametrize("encoded, message", [
    ("zabc", "multibase"),
    ("u!!!", "base64url"),
    ("u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="), "GZIP"),
    ("u" + base64.urlsafe_b64encode(gzip.compress(bytes(100), mtime=0)).decode().rstrip("="), "shorter"),
])
def test_bad_lists_are_refused_with_a_reason(encoded, message):
    with pytest.raises(StatusListError, match=message):
        Bitstring.decode(encoded)


def test_a_gzip_bomb_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="16 MB"):
        Bitstring.decode(bomb)


def test_check_reads_the_bit_the_entry_points_at():
    bits = Bitstring()
    bits.set(1234)
    listing = status_list_credential(LIST, "did:web:portfolios.example.org", bits, "2026-01-01T00:00:00Z",
                                     "2026-01-31T00:00:00Z")
    assert check_status(status_entry(LIST, 1234), listing).revoked
    assert check_status(status_entry(LIST, 1235), listing).ok
    other = check_status(status_entry(LIST.replace("revocation", "other"), 1234), listing)
    assert not other.ok and "not the one" in other.reason
    assert "not available" in check_status(status_entry(LIST, 1), None).reason


def test_an_index_past_the_lists_end_has_its_own_code():
    """status.index, as the pages say it (issue 28), not the generic unknown status."""
    bits = Bitstring()
    listing = status_list_credential(LIST, "did:web:portfolios.example.org", bits, "2026-01-01T00:00:00Z",
                                     "2026-01-31T00:00:00Z")
    outside = check_status(status_entry(LIST, len(bits)), listing)
    assert not outside.ok and outside.code == "status.index" and "outside the list" in outside.reason
    assert check_status(status_entry(LIST, len(bits) - 1), listing).ok
    assert check_status(status_entry(LIST.replace("revocation", "other"), 1), listing).code is None


def test_revocation_entry_is_found_among_several_statuses():
    entry = status_entry(LIST, 7)
    credential = {"credentialStatus": [{"type": "Other"}, entry]}
    assert revocation_entry(credential) == entry and revocation_entry({}) is None
