"""`keys new` and passphrases (issue 26): at least 12 characters for every key, or one
made by the command and shown once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_gen.cli import main
from portfolio_gen.credentials import keys


def keys_new(tmp_path: Path, *args: str, passphrase: str | None = None, lang: str = "en", env=None):
    command = ["--lang", lang, "keys", "new", str(tmp_path / "k.key.pem"), *args]
    if passphrase is not None:
        (tmp_path / "passphrase").write_text(passphrase + "\n", "utf-8")
        command += ["--passphrase-file", str(tmp_path / "passphrase")]
    return CliRunner().invoke(main, command, env=env, catch_exceptions=False)


@pytest.mark.parametrize("passphrase", ["", "x", "correct hor", "ééééééééééé"])  # 0, 1, 11, 11 characters
def test_a_passphrase_shorter_than_12_characters_is_refused(tmp_path, passphrase):
    result = keys_new(tmp_path, passphrase=passphrase)
    assert result.exit_code == 2
    assert f"a passphrase of {len(passphrase)} characters is too short for a signing key: it needs at least 12" \
        in result.stderr
    assert "--generate-passphrase" in result.stderr
    assert not (tmp_path / "k.key.pem").exists()


def test_a_short_passphrase_from_the_environment_is_refused_too(tmp_path):
    result = keys_new(tmp_path, env={"PORTFOLIO_GEN_PASSPHRASE": "short"})
    assert result.exit_code == 2 and "too short" in result.stderr
    assert not (tmp_path / "k.key.pem").exists()


def test_the_refusal_in_french(tmp_path):
    result = keys_new(tmp_path, passphrase="court", lang="fr")
    assert result.exit_code == 2
    assert "une phrase de passe de 5 caractères est trop courte" in result.stderr
    assert "--generate-passphrase" in result.stderr


def test_12_characters_are_enough_and_counted_as_characters_not_bytes(tmp_path):
    result = keys_new(tmp_path, passphrase="éléphantéléph"[:12])  # 12 characters, 16 bytes
    assert result.exit_code == 0, result.stderr
    assert keys.load_private_key(tmp_path / "k.key.pem", "éléphantéléph"[:12].encode())


def test_a_generated_passphrase_is_shown_once_on_stderr_and_opens_the_key(tmp_path):
    result = keys_new(tmp_path, "--generate-passphrase", env={"PORTFOLIO_GEN_PASSPHRASE": "ignored: the flag wins"})
    assert result.exit_code == 0, result.stderr
    shown = re.search(r"shown only this once .*: (\S+)$", result.stderr, re.M)
    assert shown, result.stderr
    passphrase = shown.group(1)
    assert passphrase not in result.stdout  # stdout (the public identifiers) may go to a file or a pipe
    assert len(passphrase) >= keys.MIN_PASSPHRASE_LENGTH
    assert keys.load_private_key(tmp_path / "k.key.pem", passphrase.encode())
    with pytest.raises(keys.KeyFileError):
        keys.load_private_key(tmp_path / "k.key.pem", None)
    assert "did:key:" in result.stdout


@pytest.mark.parametrize("other", [["--no-passphrase"], ["--passphrase-file", "PASSPHRASE"]])
def test_generate_passphrase_goes_alone(tmp_path, other):
    (tmp_path / "PASSPHRASE").write_text("a long enough passphrase")
    other = [str(tmp_path / "PASSPHRASE") if value == "PASSPHRASE" else value for value in other]
    result = keys_new(tmp_path, "--generate-passphrase", *other)
    assert result.exit_code == 2 and "--generate-passphrase makes the passphrase" in result.stderr
    assert not (tmp_path / "k.key.pem").exists()


def test_no_passphrase_stays_an_explicit_choice(tmp_path):
    result = keys_new(tmp_path, "--no-passphrase")
    assert result.exit_code == 0
    assert keys.load_private_key(tmp_path / "k.key.pem", None)


def test_generated_passphrases_are_strong_and_drawn_from_the_given_source():
    made = keys.generate_passphrase()
    assert re.fullmatch(r"([abcdefghijkmnpqrstuvwxyz2-9]{5}-){4}[abcdefghijkmnpqrstuvwxyz2-9]{5}", made)
    assert len({keys.generate_passphrase() for _ in range(50)}) == 50
    assert keys.generate_passphrase(choice=lambda alphabet: alphabet[0]) == "aaaaa-aaaaa-aaaaa-aaaaa-aaaaa"
