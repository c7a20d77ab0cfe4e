"""The README's main job: the demo plays the whole process and builds every site."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, run_cli

OFFICIAL_SCHEMA = REPO / "portfolio_gen" / "credentials" / "schemas" / "ob_v3p0_achievementcredential-vcdm2.json"


def test_every_demo_credential_counts(built_demo: Path):
    result = run_cli("--root", str(built_demo), "audit", "--json")
    rows = json.loads(result.stdout)
    assert result.returncode == 0
    kinds = sorted({row["kind"] for row in rows})
    assert kinds == ["attestation", "certificate", "validation"]
    assert all(row["status"] == "valid" for row in rows)


def test_every_issued_credential_passes_the_official_vcdm2_schema_as_published(built_demo: Path):
    # Straight jsonschema on the file as 1EdTech publishes it: no normalisation, so the
    # `proof` array the schema requires must be what the tool writes.
    schema = json.loads(OFFICIAL_SCHEMA.read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    paths = sorted(built_demo.glob("candidates/*/credentials/*.json"))
    assert len(paths) > 20
    for path in paths:
        credential = json.loads(path.read_text("utf-8"))
        assert [e.message for e in validator.iter_errors(credential)] == [], path
        assert isinstance(credential["proof"], list) and len(credential["proof"]) == 1


def test_every_candidate_has_a_site(built_demo: Path):
    candidates = sorted(p.name for p in (REPO / "candidates").iterdir() if p.is_dir())
    sites = sorted(p.name for p in (built_demo / "site").iterdir()
                   if (p / "index.html").exists() and (p / "verification.json").exists())
    assert sites == candidates
    # Beside them, the institution's own home page and verifier.
    assert (built_demo / "site" / "index.html").is_file() and (built_demo / "site" / "verify" / "index.html").is_file()


def test_keys_stay_private_and_out_of_the_sites(built_demo: Path):
    for key in (built_demo / "keys").iterdir():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((built_demo / "keys").stat().st_mode) == 0o700
    for path in (built_demo / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"PRIVATE KEY" not in data and b".key.pem" not in data, path


@pytest.fixture(scope="module")
def demo_played_again(built_demo: Path, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """`portfolio-gen demo` played again over a copy of the built demo, once for the module:
    (its result, the folder, the user cache it ran with). The replay is a whole second demo,
    with keys of its own: the two tests about a second demo share it (a demo is the
    costliest command of the suite). Read-only, as built_demo: a test that changes it
    works on a copy."""
    base = tmp_path_factory.mktemp("demo-again")
    previous = Path(shutil.copytree(built_demo, base / "previous", symlinks=True))
    (previous / "site" / "stale.html").write_text("from an earlier demo", "utf-8")
    user_cache = base / "user-cache"
    # From a folder holding no cohort (only the previous demo), with a user cache of its own.
    # One build at a time, in this process: the sites are the same, and the tests' own
    # workers already share the cores (a pool's workers would load MkDocs again, ~3 s).
    again = run_cli("demo", str(previous), "--jobs", "1", cwd=base, env={"XDG_CACHE_HOME": str(user_cache)})
    return again, previous, user_cache


def test_running_the_demo_again_replaces_it_but_never_another_folder(demo_played_again, tmp_path: Path):
    again, previous, _ = demo_played_again
    assert again.returncode == 0, again.stderr
    assert not (previous / "site" / "stale.html").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "mine.txt").write_text("keep me", "utf-8")
    refused = run_cli("demo", str(mine))
    assert refused.returncode == 2 and (mine / "mine.txt").exists()


def test_status_counts_validated_items_once_the_registry_is_signed(built_demo: Path):
    rows = json.loads(run_cli("--root", str(built_demo), "status", "--json").stdout)
    camille = next(r for r in rows if r["candidate"] == "camille-martin")
    assert camille["validated"] == camille["claimed"] == 26
    unsigned = json.loads(run_cli("status", "--json").stdout)
    assert all(row["validated"] is None for row in unsigned)  # the repo's cohort has no registry.json


def test_the_demo_attestation_says_it_is_one_and_verify_labels_it_so(built_demo: Path):
    """Julien (18 items acquired of 27) gets an attestation: it must not read like the
    certificate, neither in its achievement nor in `verify`'s output (issue 18)."""
    folder = built_demo / "candidates/julien-moreau/credentials"
    awards = [json.loads(p.read_text("utf-8")) for p in folder.glob("*.json")]
    [attestation] = [a for a in awards if a["credentialSubject"]["achievement"].get("achievementType") == "ext:Attestation"]
    achievement = attestation["credentialSubject"]["achievement"]
    assert achievement["description"].startswith("Attestation de 18 items acquis sur 27")
    assert "Ce n'est pas le certificat" in achievement["description"]
    # the certificate's rule may be quoted as what was not met, never stand as what is attested
    assert not achievement["criteria"]["narrative"].startswith("23 items validés")
    text = run_cli("verify", str(built_demo / "site/julien-moreau")).stdout
    assert "ATTESTED   attestation of items acquired in c2i2e, NOT the certificate" in text
    assert "CERTIFIED  attestation" not in text


def test_a_second_demo_with_fresh_keys_verifies_with_the_same_user_cache(built_demo: Path, demo_played_again,
                                                                        tmp_path: Path):
    """Two demos on one machine share the did:web but not the keys; the verifier's memory
    counts registry versions per key, so the second is not taken for a replay of the first,
    even after the first signed a newer registry (issue 26, finding 5). Every `run_cli`
    of a test shares its user cache ($XDG_CACHE_HOME). The second demo is the module's
    replay (demo_played_again): its user cache becomes this test's before anything runs,
    so both demos and every `verify` share one cache, as on one machine (`demo` itself
    never reads the verifier's memory, only `verify` does)."""
    slug = "sofia-benali"
    made, played, demo_cache = demo_played_again
    assert made.returncode == 0, made.stderr
    assert not (demo_cache / "portfolio-gen" / "registries-seen.json").exists()
    if demo_cache.exists():  # the read cache's signing key, when the demo made one
        shutil.copytree(demo_cache, os.environ["XDG_CACHE_HOME"], dirs_exist_ok=True)
    first = Path(shutil.copytree(built_demo, tmp_path / "first", symlinks=True))
    assert run_cli("registry", "sign", "--key", "keys/institution.key.pem", cwd=first).returncode == 0
    shutil.copyfile(first / "registry.json", first / "site" / slug / "registry.json")
    verified = run_cli("verify", f"site/{slug}", cwd=first)
    assert verified.returncode == 0, verified.stdout[-3000:]
    assert "registry version 2" in verified.stdout

    second = Path(shutil.copytree(played, tmp_path / "second", symlinks=True))
    assert (second / "keys/institution.key.pem").read_bytes() != (first / "keys/institution.key.pem").read_bytes()
    again = run_cli("verify", f"site/{slug}", cwd=second)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "registry version 1" in again.stdout and "older than" not in again.stdout
    last = again.stdout.strip().splitlines()[-1]
    assert last.endswith("everything verified"), last


def test_the_demo_plays_the_cohort_shipped_in_the_package_and_root_names_another(tmp_path: Path):
    """Without --root the cohort comes from the package (data/demo), wherever the command
    runs (issue 30); --root names a custom cohort, refused when it holds none."""
    from portfolio_gen.demo import packaged_cohort

    shipped = packaged_cohort()
    assert sorted(p.name for p in (shipped / "candidates").iterdir()) == sorted(
        p.name for p in (REPO / "candidates").iterdir())
    assert not (shipped / ".portfolio-gen").exists()  # read without writing a cache beside the package
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = run_cli("--root", str(empty), "demo", str(tmp_path / "practice"))
    assert refused.returncode == 2 and "holds no demo cohort" in refused.stderr
    assert "ne contient pas de cohorte" in run_cli("--root", str(empty), "demo", str(tmp_path / "p"), lang="fr").stderr
    assert not (tmp_path / "practice").exists()
