"""Ed25519 key material: generation, private key files, Multikey encodings.

Key files are PKCS#8 PEM, encrypted with a passphrase unless the caller explicitly
passes none, created with mode 0600 in one atomic step and never overwritten.
"""

from __future__ import annotations

import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import CredentialsError
from ..core.files import write_atomic
from . import multibase

# Multicodec varint prefixes (https://github.com/multiformats/multicodec):
# ed25519-pub = 0xed, ed25519-priv = 0x1300, both varint-encoded.
ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_PRIVATE_PREFIX = b"\x80\x26"


# A key's passphrase is all that protects it once the file leaks (a lost laptop, a backup):
# twelve characters is the least `keys new` accepts (issue 26).
MIN_PASSPHRASE_LENGTH = 12
# 32 symbols, none mistaken for another when copied by hand (no l, 1, o, 0).
_PASSPHRASE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def generate_passphrase(choice: Callable[[str], str] = secrets.choice) -> str:
    """A strong passphrase: five groups of five symbols drawn by `choice` (the OS's
    CSPRNG by default) from 32, 125 bits, e.g. `k7qm2-x9fpt-...`."""
    return "-".join("".join(choice(_PASSPHRASE_ALPHABET) for _ in range(5)) for _ in range(5))


class KeyFileError(CredentialsError):
    """A key file cannot be written or used; the message says how to fix it."""


PASSPHRASE_NEEDED = "credential.key.passphrase_needed"  # KeyFileError's key for an encrypted key read without one


class KeyEncodingError(CredentialsError, ValueError):
    """A Multikey value is not an Ed25519 key."""


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase.encode(ED25519_PUBLIC_PREFIX + raw)


def private_key_multibase(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return multibase.encode(ED25519_PRIVATE_PREFIX + raw)


def _strip_prefix(value: str, prefix: bytes, what: str) -> bytes:
    try:
        data = multibase.decode(value)
    except multibase.MultibaseError as error:
        raise KeyEncodingError(f"{what} {value!r}: {error}") from None
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise KeyEncodingError(
            f"{what} {value!r} is not a Multikey Ed25519 key "
            f"(expected prefix 0x{prefix.hex()} and 32 key bytes)"
        )
    return data[len(prefix) :]


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    raw = _strip_prefix(value, ED25519_PUBLIC_PREFIX, "public key")
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    raw = _strip_prefix(value, ED25519_PRIVATE_PREFIX, "private key")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key_pem(key: Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def write_private_key(
    path: Path | str, key: Ed25519PrivateKey, passphrase: bytes | None
) -> Path:
    """Write `key` to a new file `path`, mode 0600, refusing to replace a file.

    The PEM goes to a 0600 temporary file in the same folder which is then linked to
    its final name (files.write_atomic): no reader ever sees a partial or
    world-readable key, and the link fails instead of overwriting an existing name.
    """
    path = Path(path)
    if path.exists():
        raise KeyFileError(f"{path}: already exists; refusing to overwrite a key")
    # A folder made for keys is private to its owner, like the key itself.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        write_atomic(path, private_key_pem(key, passphrase), mode=0o600, overwrite=False)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists; refusing to overwrite a key") from None
    return path


def check_key_file_permissions(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{path}: private key file is accessible by group or others "
            f"(mode {stat.S_IMODE(mode):04o}); fix it with: chmod 600 {path}",
            key="credential.key.too_open", path=str(path), mode=f"{stat.S_IMODE(mode):04o}"
        )


def load_private_key(path: Path | str, passphrase: bytes | None) -> Ed25519PrivateKey:
    path = Path(path)
    if not path.is_file():
        raise KeyFileError(f"{path}: no such key file", key="credential.key.missing", path=str(path))
    check_key_file_permissions(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
    except TypeError:
        # cryptography raises TypeError for a missing or unexpected passphrase.
        if passphrase:
            raise KeyFileError(
                f"{path}: key is not encrypted; load it without a passphrase",
                key="credential.key.not_encrypted", path=str(path)
            ) from None
        raise KeyFileError(f"{path}: key is encrypted; a passphrase is needed", key=PASSPHRASE_NEEDED,
                           path=str(path)) from None
    except ValueError:
        raise KeyFileError(f"{path}: wrong passphrase, or not a PKCS#8 PEM private key",
                           key="credential.key.wrong_passphrase", path=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key", key="credential.key.not_ed25519", path=str(path))
    return key
