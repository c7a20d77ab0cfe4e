"""W3C Bitstring Status List v1.0: the bitstring, status entries, the list credential, checks.

A credential carries a `BitstringStatusListEntry` pointing at one bit of a list that
the institution signs and publishes with the sites; revoking sets the bit and re-signs
the list. Encoding per the specification: GZIP the bitstring, base64url without
padding, multibase prefix "u"; bit 0 is the most significant bit of the first byte.
"""

from __future__ import annotations

import base64
import gzip
import re
import zlib
from dataclasses import dataclass
from .errors import CredentialsError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
REVOCATION = "revocation"
# The specification's minimum (16 KB) gives herd privacy: one list hides which
# credential a verifier asks about. 2**20 bits (128 KB raw, about 1 KB gzipped while
# sparse) covers a national programme's ~700,000 item validations in one list.
MINIMUM_BITS = 16 * 1024 * 8
DEFAULT_BITS = 2 ** 20
# A list is fetched from a web host the verifier does not trust: refuse to inflate more
# than this, so a hostile list cannot exhaust memory (a "gzip bomb").
MAXIMUM_BYTES = 16 * 1024 * 1024
# The specification's statusListIndex is a string of digits: "+445975" or "21_6265",
# which int() reads, name other bits than they seem to.
STATUS_INDEX = re.compile(r"[0-9]+")
# A signer's own list (issue 26): portfolio-gen gives every signing key a list named after
# the key, `<institution site>status/lists/<multibase Ed25519 public key>.json`, and the
# institution revokes a credential only in the list of the key that signed it.
SIGNER_LIST_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^?#]*/status/lists/(z6Mk[1-9A-HJ-NP-Za-km-z]{40,50})\.json")


# The reason code of an entry whose index lies past its list's end (core.verdicts, verdicts.yml).
STATUS_INDEX_OUTSIDE = "status.index"


class StatusListError(CredentialsError, ValueError):
    """A status list or status entry that cannot be used, with the reason."""


class Bitstring:
    """A fixed-length string of bits, indexed from the left as the specification says."""

    def __init__(self, length_bits: int = DEFAULT_BITS, data: bytes | None = None):
        if length_bits < MINIMUM_BITS or length_bits % 8:
            raise StatusListError(f"a status list needs a multiple of 8 bits, at least {MINIMUM_BITS}")
        self._bytes = bytearray(data if data is not None else length_bits // 8)
        if len(self._bytes) * 8 != length_bits:
            raise StatusListError("bitstring data does not match its length")

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self):
            raise StatusListError(f"status index {index} is outside the list (0..{len(self) - 1})",
                                  key=STATUS_INDEX_OUTSIDE, index=index)
        return index // 8, 7 - index % 8

    def get(self, index: int) -> bool:
        byte, bit = self._locate(index)
        return bool(self._bytes[byte] >> bit & 1)

    def set(self, index: int, value: bool = True) -> None:
        byte, bit = self._locate(index)
        if value:
            self._bytes[byte] |= 1 << bit
        else:
            self._bytes[byte] &= ~(1 << bit) & 0xFF

    def encode(self) -> str:
        # mtime=0 keeps the encoding reproducible: the same list always signs the same.
        compressed = gzip.compress(bytes(self._bytes), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> "Bitstring":
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError('encodedList must be multibase base64url (starting with "u")')
        body = encoded[1:]
        try:
            # validate=True: the default silently drops foreign characters and decodes garbage.
            compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        except ValueError:
            raise StatusListError("encodedList is not valid base64url") from None
        return cls._from_bytes(_gunzip_bounded(compressed))

    @classmethod
    def _from_bytes(cls, data: bytes) -> "Bitstring":
        if len(data) * 8 < MINIMUM_BITS:
            raise StatusListError(f"status list is shorter than the {MINIMUM_BITS}-bit minimum")
        return cls(len(data) * 8, data)


def _gunzip_bounded(compressed: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(compressed, MAXIMUM_BYTES + 1)
    except zlib.error:
        raise StatusListError("encodedList is not GZIP data") from None
    if len(data) > MAXIMUM_BYTES or decompressor.unconsumed_tail:
        raise StatusListError("status list is larger than 16 MB once inflated; refusing it")
    return data


def status_entry(list_url: str, index: int) -> dict:
    """The `credentialStatus` a credential carries: which bit of which list."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": REVOCATION, "statusListIndex": str(index), "statusListCredential": list_url}


def status_list_credential(list_url: str, issuer: str, bits: Bitstring, valid_from: str,
                           valid_until: str) -> dict:
    """The unsigned BitstringStatusListCredential; the institution signs it with proofs.sign.

    `valid_until` is short (days): a verifier refuses a lapsed list, so an old list
    replayed by a web host cannot hide a later revocation for longer than that.
    """
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": REVOCATION, "encodedList": bits.encode()},
    }


@dataclass(frozen=True)
class StatusCheck:
    revoked: bool
    reason: str | None = None  # set when the status could not be established
    code: str | None = None  # the reason's code when it is more than "unknown": STATUS_INDEX_OUTSIDE

    @property
    def ok(self) -> bool:
        return not self.revoked and self.reason is None


def revocation_entry(credential: dict) -> dict | None:
    """The credential's revocation status entry, if it has one."""
    statuses = credential.get("credentialStatus")
    for status in statuses if isinstance(statuses, list) else [statuses]:
        if isinstance(status, dict) and status.get("type") == "BitstringStatusListEntry" \
                and status.get("statusPurpose") == REVOCATION:
            return status
    return None


def signer_list_key(url: object) -> str | None:
    """The public key (multibase) whose own list `url` is, or None when `url` names no
    signer's list (the institution's old shared list, another issuer's)."""
    found = SIGNER_LIST_URL.fullmatch(url) if isinstance(url, str) else None
    return found.group(1) if found else None


def other_signers_list(url: object, signer_key: str | None) -> str | None:
    """Why a credential signed with `signer_key` may not take its status from `url`: the
    list is another key's, where the institution would never revoke it; None when it may."""
    owner = signer_list_key(url)
    if owner is None or owner == signer_key:
        return None
    return (f"its status list {url} is the list of another key ({owner}), not of the key that signed it "
            f"({signer_key or 'unknown'}): the institution could never revoke it there")


def check_status(entry: dict, list_credential: dict | None) -> StatusCheck:
    """Read the bit an entry points at in an already verified status list credential.

    The caller verifies the list's proof and who signed it first: this function only
    checks that the list is the one named, serves the same purpose, and reads the bit.
    """
    if list_credential is None:
        return StatusCheck(False, f"status list {entry.get('statusListCredential')} is not available")
    if list_credential.get("id") != entry.get("statusListCredential"):
        return StatusCheck(False, "status list credential is not the one the entry names")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList" or subject.get("statusPurpose") != entry.get("statusPurpose"):
        return StatusCheck(False, "status list has another type or purpose than the entry")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not STATUS_INDEX.fullmatch(index_text):
        return StatusCheck(False, f"statusListIndex {index_text!r} is not a string of digits")
    try:
        index = int(index_text)
        revoked = Bitstring.decode(subject.get("encodedList")).get(index)
    except StatusListError as error:
        return StatusCheck(False, f"status list unusable: {error}",
                           STATUS_INDEX_OUTSIDE if error.key == STATUS_INDEX_OUTSIDE else None)
    except ValueError as error:
        return StatusCheck(False, f"status list unusable: {error}")
    return StatusCheck(revoked)
