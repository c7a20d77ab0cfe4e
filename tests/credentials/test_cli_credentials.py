"""The credential commands end to end, as an evaluator runs them: keys new -> sign ->
verify, key file permissions, never overwriting, bad requests (exit 2), failures (exit 1)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from portfolio_gen.credentials import dids, keys
from portfolio_gen.institution import issuing
from portfolio_gen.core.settings import load_settings
from portfolio_gen.credentials.dids import DidResolver
from portfolio_gen.core.workspace import load_workspace

from conftest import REPO, run_cli

ENTRY = "2026-02-10-veille-et-recherche"  # camille-martin, claims c2i2e:A2.2 and A2.3, one file
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    for name in ("portfolio-gen.yml", "referentiels", "candidates"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, tmp_path / name)
    (tmp_path / "passphrase").write_text(PASSPHRASE + "\n")
    return tmp_path


def cli(root: Path, *args: str, lang: str = "en"):
    return run_cli("--root", str(root), *args, cwd=root, lang=lang)


def new_key(root: Path, name: str = "eval.key.pem", *extra: str) -> tuple[Path, dict]:
    result = cli(root, "keys", "new", str(root / name), "--passphrase-file", str(root / "passphrase"),
                 *extra)
    assert result.returncode == 0, result.stderr
    # "label:   value" lines; the label may itself contain a colon (did:key).
    identifiers = dict(re.fullmatch(r"(.*?):\s+(\S+)", line).groups() for line in result.stdout.splitlines())
    register(root, identifiers["did:key"])
    return root / name, identifiers


def register(root: Path, did_key: str, frameworks: tuple[str, ...] = ("c2i2e", "pix-edu")) -> None:
    """List the key in evaluators.yml, as the institution does before an evaluator signs."""
    import yaml

    path = root / "evaluators.yml"
    registry = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {"evaluators": []}
    registry["evaluators"].append({"id": f"evaluator-{len(registry['evaluators']) + 1}", "name": "Évaluatrice",
                                   "keys": [did_key], "frameworks": [_grant(f) for f in frameworks]})
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")


def _grant(framework: str) -> dict:
    # C2i2e is evaluated by the trainer of the activity or a referent (seed 003): the
    # evaluator these tests sign with is a referent, whom any trainee may ask.
    return {"id": framework, "from": "2025-09-01", **({"role": "referent"} if framework == "c2i2e" else {})}


def sign(root: Path, key: Path, *items: str, extra: tuple[str, ...] = ()):
    return cli(root, "sign", "camille-martin", ENTRY, *(items or ("c2i2e:A2.2",)), "--key", str(key),
               "--evaluator-name", "Jeanne Évaluatrice", "--passphrase-file", str(root / "passphrase"),
               *extra)


def written(result) -> list[Path]:
    return [Path(line.rsplit(": ", 1)[1]) for line in result.stdout.splitlines()]


def test_round_trip_keys_sign_verify(demo):
    key, identifiers = new_key(demo)
    assert (key.stat().st_mode & 0o777) == 0o600
    assert key.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    signed = sign(demo, key, "c2i2e:A2.2", "A2.3", extra=("--comment", "Veille bien organisée"))
    assert signed.returncode == 0, signed.stderr
    paths = [demo / p for p in written(signed)]
    assert len(paths) == 2 and all(p.parent.name == "credentials" for p in paths)
    credential = json.loads(paths[0].read_text())
    assert credential["issuer"]["id"] == identifiers["did:key"]
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    email = "camille.martin@example.org"
    assert all(email not in p.read_text() for p in paths)
    verified = cli(demo, "verify", *map(str, paths))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.count("OK ") == 2 and "schema, proof, dates, evidence" in verified.stdout
    assert "not checked" not in verified.stdout  # the evidence file was found and checked
    as_json = json.loads(cli(demo, "verify", "--json", str(paths[0])).stdout)
    assert as_json[0]["ok"] and as_json[0]["issuer"] == identifiers["did:key"]


def test_jcs_and_valid_until(demo):
    key, _ = new_key(demo, "k.key.pem", "--no-passphrase")
    assert "ENCRYPTED" not in key.read_text()
    past = sign(demo, key, extra=("--valid-until", "2020-01-31"))
    assert past.returncode == 2 and "validUntil must be after validFrom" in past.stderr
    signed = sign(demo, key, extra=("--cryptosuite", "eddsa-jcs-2022", "--valid-until", "2099-01-31"))
    assert signed.returncode == 0, signed.stderr
    credential = json.loads((demo / written(signed)[0]).read_text())
    assert credential["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["validUntil"] == "2099-01-31T23:59:59Z"
    assert cli(demo, "verify", str(demo / written(signed)[0])).returncode == 0


def test_verify_reports_each_failure_and_exits_1(demo):
    key, _ = new_key(demo, "k.key.pem", "--no-passphrase")
    path = demo / written(sign(demo, key))[0]
    tampered = demo / "tampered.json"
    credential = json.loads(path.read_text())
    credential["credentialSubject"]["achievement"]["name"] = "Autre chose"
    tampered.write_text(json.dumps(credential))
    (demo / "garbage.json").write_text("[")
    result = cli(demo, "verify", str(path), str(tampered), str(demo / "garbage.json"))
    assert result.returncode == 1
    assert f"INVALID  {tampered}: the signature does not match the content" in result.stdout
    assert "not a readable JSON file" in result.stdout
    assert "1 verified, 2 failed" in result.stdout
    # The same verdicts as codes, and in French (issue 28).
    verdicts = json.loads(cli(demo, "verify", "--json", str(path), str(tampered), str(demo / "garbage.json")).stdout)
    assert [(v["ok"], v["verdict"], v["code"]) for v in verdicts] == [
        (True, "valid", None), (False, "invalid", "proof.mismatch"), (False, "invalid", "schema.not_json")]
    french = cli(demo, "verify", str(tampered), lang="fr").stdout
    assert f"INVALIDE  {tampered} : la signature ne correspond pas au contenu" in french
    evidence = demo / "candidates/camille-martin/evidence/carte-mentale-veille.svg"
    evidence.write_text(evidence.read_text() + "<!-- edited -->")
    result = cli(demo, "verify", str(path))
    assert result.returncode == 1 and "does not match the digest signed" in result.stdout


def test_refuses_a_key_file_readable_by_others(demo):
    key, _ = new_key(demo)
    os.chmod(key, 0o640)
    result = sign(demo, key)
    assert result.returncode == 2
    assert "accessible by group or others (mode 0640)" in result.stderr
    assert "chmod 600" in result.stderr
    assert not (demo / "candidates/camille-martin/credentials").exists()


def test_wrong_passphrase(demo):
    key, _ = new_key(demo)
    (demo / "passphrase").write_text("nope")
    result = sign(demo, key)
    assert result.returncode == 2 and "wrong passphrase" in result.stderr


def test_never_overwrites(demo):
    key, _ = new_key(demo)
    again = cli(demo, "keys", "new", str(key), "--no-passphrase")
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


def test_credential_files_are_never_overwritten(demo):
    credential = {"id": "urn:uuid:11111111-2222-4333-8444-555555555555"}
    candidate = load_workspace(demo, only=["camille-martin"]).candidate("camille-martin")
    path = issuing._write(candidate, credential)
    with pytest.raises(FileExistsError):
        issuing._write(candidate, {**credential, "name": "other"})
    assert json.loads(path.read_text()) == credential


@pytest.mark.parametrize("items, extra, message", [
    (("c2i2e:B2.2",), (), "does not claim c2i2e:B2.2"),
    (("c2i2e:ZZ9",), (), "is not an item of any framework"),
    (("c2i2e:A2.2",), ("--level", "B1"), "c2i2e has no level scale"),
])
def test_bad_requests_exit_2_and_write_nothing(demo, items, extra, message):
    key, _ = new_key(demo)
    result = sign(demo, key, *items, extra=extra)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (demo / "candidates/camille-martin/credentials").exists()


def test_level_off_the_scale_is_refused_in_french(demo):
    key, _ = new_key(demo)
    # sofia-benali's entries claim crcne items, a framework with levels.
    entry = next(p.stem for p in (demo / "candidates/sofia-benali/entries").glob("*.md")
                 if "crcne:" in p.read_text() and "visibility: draft" not in p.read_text())
    item = next(line.split("item:")[1].strip() for line in
                (demo / f"candidates/sofia-benali/entries/{entry}.md").read_text().splitlines()
                if "item: crcne:" in line)
    result = cli(demo, "sign", "sofia-benali", entry, item, "--key", str(key), "--evaluator-name", "E",
                 "--level", "Z9", "--passphrase-file", str(demo / "passphrase"), lang="fr")
    assert result.returncode == 2
    assert "« Z9 » n'est pas un niveau de crcne" in result.stderr


def test_did_web_issuer_with_rotation(demo):
    old, old_ids = new_key(demo, "old.key.pem")
    new, new_ids = new_key(demo, "new.key.pem")
    did = "did:web:portfolios.example.org"
    out = demo / "did.json"
    made = cli(demo, "keys", "did-web", "portfolios.example.org", str(old), new_ids["public Multikey"],
               "--output", str(out), "--passphrase-file", str(demo / "passphrase"))
    assert made.returncode == 0, made.stderr
    assert "https://portfolios.example.org/.well-known/did.json" in made.stdout
    document = json.loads(out.read_text())
    assert document["id"] == did and len(document["verificationMethod"]) == 2
    # An item validation issued as the did:web could not count (the registry lists evaluators'
    # did:keys): `sign` refuses it, so the rotation is checked on credentials made by the library.
    refused = sign(demo, old, extra=("--issuer", did))
    assert refused.returncode == 2 and "not in the institution's evaluator registry" in refused.stderr
    paths = [str(p) for key in (old, new) for p in issuing.issue_item_validations(
        load_workspace(demo), load_settings(demo), issuing.SigningRequest(
            "camille-martin", ENTRY, ("c2i2e:A2.2",), "Institution", issuer=did),
        keys.load_private_key(key, PASSPHRASE.encode()), checked=False)]
    assert cli(demo, "verify", *paths, "--did-document", str(out)).returncode == 0
    offline = cli(demo, "verify", paths[0])
    assert offline.returncode == 1 and "no did.json was supplied" in offline.stdout
    other = sign(demo, old, extra=("--issuer", new_ids["did:key"]))
    assert other.returncode == 2 and ", not the issuer did:key:" in other.stderr


def test_did_resolver_fetches_only_when_allowed():
    fetched = []

    def fetch(url):
        fetched.append(url)
        return {"id": "did:web:example.org", "verificationMethod": []}

    assert DidResolver(fetch=fetch).resolve("did:web:example.org")["id"] == "did:web:example.org"
    assert fetched == ["https://example.org/.well-known/did.json"]
    with pytest.raises(dids.DidResolutionError, match="could not fetch"):
        DidResolver(fetch=lambda url: 1 / 0).resolve("did:web:example.org")
    with pytest.raises(dids.DidResolutionError, match="no did.json was supplied"):
        DidResolver().resolve("did:web:example.org")
