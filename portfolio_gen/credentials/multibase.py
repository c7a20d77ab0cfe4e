"""Multibase base58btc ("z" prefix) encoding, as used by Multikey and proofValue.

A small local implementation: the `base58` package on PyPI has had no release since
2021, and the algorithm is a few lines that the tests check against the W3C vectors and
with property tests.
"""

from __future__ import annotations
from .errors import CredentialsError

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}
BASE58BTC_PREFIX = "z"


class MultibaseError(CredentialsError, ValueError):
    """A string is not valid multibase base58btc."""


def b58encode(data: bytes) -> str:
    # Leading zero bytes have no weight in the big number: base58 keeps them as "1"s.
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _INDEX[char]
        except KeyError:
            raise MultibaseError(f"{char!r} is not a base58btc character") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    """Multibase base58btc: 'z' followed by the base58 (Bitcoin alphabet) text."""
    return BASE58BTC_PREFIX + b58encode(data)


def decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith(BASE58BTC_PREFIX):
        raise MultibaseError("expected a multibase base58btc string starting with 'z'")
    return b58decode(text[1:])
