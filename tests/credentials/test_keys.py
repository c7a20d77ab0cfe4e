import os
import stat

import pytest

from portfolio_gen.credentials import keys


def test_vector_key_pair_multikey_round_trip(vector_key_pair, vector_private_key):
    public = vector_private_key.public_key()
    assert keys.public_key_multibase(public) == vector_key_pair["publicKeyMultibase"]
    assert keys.private_key_multibase(vector_private_key) == vector_key_pair[
        "privateKeyMultibase"
    ]
    assert keys.public_key_multibase(
        keys.public_key_from_multibase(vector_key_pair["publicKeyMultibase"])
    ) == vector_key_pair["publicKeyMultibase"]


def test_generated_public_keys_are_z6mk():
    key = keys.generate_key()
    assert keys.public_key_multibase(key.public_key()).startswith("z6Mk")


@pytest.mark.parametrize(
    "value",
    ["z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "z6Mk", "nothing", "z0"],
)
def test_public_key_from_multibase_rejects_non_keys(value):
    # The first value is the vectors' *private* key: right length, wrong multicodec.
    with pytest.raises(keys.KeyEncodingError):
        keys.public_key_from_multibase(value)


def test_encrypted_pem_round_trip(tmp_path):
    key = keys.generate_key()
    path = keys.write_private_key(tmp_path / "issuer.key.pem", key, b"correct horse")
    text = path.read_text()
    assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = keys.load_private_key(path, b"correct horse")
    assert keys.private_key_multibase(loaded) == keys.private_key_multibase(key)


def test_unencrypted_pem_only_without_passphrase(tmp_path):
    key = keys.generate_key()
    path = keys.write_private_key(tmp_path / "k.pem", key, None)
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert keys.private_key_multibase(keys.load_private_key(path, None)) == (
        keys.private_key_multibase(key)
    )
    with pytest.raises(keys.KeyFileError, match="not encrypted"):
        keys.load_private_key(path, b"unexpected")


def test_wrong_passphrase(tmp_path):
    path = keys.write_private_key(tmp_path / "k.pem", keys.generate_key(), b"right")
    with pytest.raises(keys.KeyFileError, match="wrong passphrase"):
        keys.load_private_key(path, b"wrong")
    with pytest.raises(keys.KeyFileError, match="passphrase is needed"):
        keys.load_private_key(path, None)


def test_refuses_key_readable_by_others(tmp_path):
    path = keys.write_private_key(tmp_path / "k.pem", keys.generate_key(), b"pw")
    os.chmod(path, 0o644)
    with pytest.raises(keys.KeyFileError, match=f"chmod 600 {path}"):
        keys.load_private_key(path, b"pw")
    os.chmod(path, 0o640)
    with pytest.raises(keys.KeyFileError, match="group or others"):
        keys.load_private_key(path, b"pw")


def test_never_overwrites_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "k.pem"
    first = keys.generate_key()
    keys.write_private_key(path, first, b"pw")
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.write_private_key(path, keys.generate_key(), b"pw")
    assert keys.private_key_multibase(keys.load_private_key(path, b"pw")) == (
        keys.private_key_multibase(first)
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.pem"]


def test_mode_is_0600_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        path = keys.write_private_key(tmp_path / "k.pem", keys.generate_key(), b"pw")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_file(tmp_path):
    with pytest.raises(keys.KeyFileError, match="no such key file"):
        keys.load_private_key(tmp_path / "absent.pem", b"pw")
