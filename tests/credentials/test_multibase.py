import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio_gen.credentials import multibase


@given(st.binary(max_size=96))
def test_round_trip(data):
    assert multibase.decode(multibase.encode(data)) == data


@given(st.integers(min_value=0, max_value=8), st.binary(max_size=40))
def test_leading_zero_bytes_become_ones(zeros, data):
    data = b"\0" * zeros + data.lstrip(b"\0")
    encoded = multibase.b58encode(data)
    assert len(encoded) - len(encoded.lstrip("1")) == zeros


def test_vector_signatures(vector):
    # The W3C vectors give each signature both in hex and as multibase base58btc.
    signature = bytes.fromhex(vector.text("sigHex").strip())
    assert multibase.encode(signature) == vector.text("sigBTC58").strip()
    assert multibase.decode(vector.text("sigBTC58").strip()) == signature


def test_known_values():
    assert multibase.b58encode(b"") == ""
    assert multibase.b58encode(b"\0\0") == "11"
    assert multibase.b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


@pytest.mark.parametrize("text", ["z0OIl", "zabc+", "f00", "", "abc"])
def test_rejects_invalid(text):
    with pytest.raises(multibase.MultibaseError):
        multibase.decode(text)
