"""The verifier's memory of registries (institution/registry_memory.py; issue 26, finding 5).

Versions count per institution *and* signing key: a fresh workspace under the same
did:web starts again at 1 and must verify; an older version under the same key is a
replay, refused with what was seen, when, and how to forget it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.institution.registry_memory import FORMAT, RegistryMemory

DID = "did:web:portfolios.example.org"
SLUG = "sofia-benali"
DAY = dt.date(2026, 12, 1)


def memory_file() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "portfolio-gen" / "registries-seen.json"


# --- the memory on its own ----------------------------------------------------------------

def test_an_older_version_under_the_same_key_is_a_replay_with_what_was_seen(tmp_path):
    memory = RegistryMemory.load(tmp_path / "seen.json")
    assert memory.remember(DID, "z6MkA", f"{DID}#z6MkA", 3, DAY) is None
    assert memory.remember(DID, "z6MkA", f"{DID}#z6MkA", 3, DAY + dt.timedelta(days=5)) is None
    replay = memory.remember(DID, "z6MkA", f"{DID}#z6MkA", 2, DAY + dt.timedelta(days=9))
    assert replay is not None and replay.version == 2
    assert (replay.newest.version, replay.newest.firstSeen) == (3, "2026-12-01")  # first seen, not last


def test_a_fresh_key_under_the_same_did_starts_a_fresh_sequence(tmp_path):
    memory = RegistryMemory.load(tmp_path / "seen.json")
    memory.remember(DID, "z6MkA", f"{DID}#z6MkA", 5, DAY)
    assert memory.remember(DID, "z6MkB", f"{DID}#z6MkB", 1, DAY) is None
    assert [(s.key, s.version) for s in memory.sightings()] == [("z6MkA", 5), ("z6MkB", 1)]


def test_the_file_is_readable_json_and_round_trips(tmp_path):
    path = tmp_path / "cache" / "seen.json"
    memory = RegistryMemory.load(path)
    memory.remember(DID, "z6MkA", f"{DID}#z6MkA", 2, DAY)
    memory.save()
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == FORMAT and "--forget-registry" in data["about"]
    assert data["registries"] == [{"institution": DID, "key": "z6MkA", "verificationMethod": f"{DID}#z6MkA",
                                   "version": 2, "firstSeen": "2026-12-01"}]
    assert RegistryMemory.load(path).sightings() == memory.sightings()


def test_forget_drops_every_key_of_one_institution_only(tmp_path):
    memory = RegistryMemory.load(tmp_path / "seen.json")
    memory.remember(DID, "z6MkA", "", 5, DAY)
    memory.remember(DID, "z6MkB", "", 2, DAY)
    memory.remember("did:web:other.example", "z6MkC", "", 7, DAY)
    assert memory.forget(DID) == 2
    assert [s.institution for s in memory.sightings()] == ["did:web:other.example"]


def test_the_first_format_neither_crashes_nor_blocks(tmp_path):
    path = tmp_path / "seen.json"
    path.write_text(json.dumps({DID: {"version": 99, "seen": "2026-01-01"}}))
    memory = RegistryMemory.load(path)
    assert memory.old_entries == 1 and memory.sightings() == []
    assert memory.remember(DID, "z6MkA", "", 1, DAY) is None
    memory.save()
    assert json.loads(path.read_text("utf-8"))["format"] == FORMAT


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b"[" * 100_000, b'{"format": 2, "registries": 7}',
                                     b'{"format": 2, "registries": [{"institution": 1}, "x", null]}'])
def test_an_unreadable_memory_starts_again(tmp_path, content):
    path = tmp_path / "seen.json"
    path.write_bytes(content)
    memory = RegistryMemory.load(path)
    assert memory.sightings() == [] and memory.writable
    assert memory.remember(DID, "z6MkA", "", 1, DAY) is None


def test_a_newer_format_is_left_alone(tmp_path):
    path = tmp_path / "seen.json"
    path.write_text('{"format": 3, "whatever": []}')
    memory = RegistryMemory.load(path)
    memory.remember(DID, "z6MkA", "", 1, DAY)
    memory.save()
    assert path.read_text() == '{"format": 3, "whatever": []}'


# --- through `verify`, on the demo ------------------------------------------------------------

@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


def verify(demo: Path, *args: str, lang: str = "en"):
    return run_cli("verify", f"site/{SLUG}", *args, cwd=demo, lang=lang)


def test_a_replayed_registry_is_refused_naming_the_version_seen_when_and_how_to_reset(demo):
    old = (demo / "registry.json").read_text("utf-8")
    signed = run_cli("registry", "sign", "--key", "keys/institution.key.pem", cwd=demo)
    assert signed.returncode == 0, signed.stderr
    shutil.copyfile(demo / "registry.json", demo / "site" / SLUG / "registry.json")
    newer = json.loads((demo / "registry.json").read_text("utf-8"))["credentialSubject"]["version"]
    first = verify(demo)
    assert first.returncode == 0, first.stdout[-3000:]

    (demo / "site" / SLUG / "registry.json").write_text(old, "utf-8")  # the host serves the one of before
    replayed = verify(demo)
    assert replayed.returncode == 1
    problem = next(line for line in replayed.stdout.splitlines() if "PROBLEM" in line)
    today = dt.date.today().isoformat()
    assert f"version {newer - 1} is older than version {newer} this verifier first saw on {today}" in problem
    assert "same institution and key (did:web:portfolios.example.org#z6Mk" in problem
    assert f"--forget-registry {DID}" in problem and str(memory_file()) in problem
    french = verify(demo, lang="fr")
    assert f"plus ancienne que la version {newer} que ce vérificateur a vue pour la première fois le {today}" \
        in french.stdout

    # The reset the message names: forgotten, then the registry of before is the newest seen.
    forgot = verify(demo, "--forget-registry", DID)
    assert forgot.returncode == 0, forgot.stdout[-3000:]
    assert f"{DID}: 1 remembered registry versions forgotten" in forgot.stderr
    assert verify(demo).returncode == 0


def test_forget_registry_alone_only_forgets(demo):
    assert verify(demo).returncode == 0
    assert json.loads(memory_file().read_text("utf-8"))["registries"]
    alone = run_cli("verify", "--forget-registry", DID, cwd=demo)
    assert alone.returncode == 0 and "1 remembered registry versions forgotten" in alone.stderr
    assert json.loads(memory_file().read_text("utf-8"))["registries"] == []
    nothing = run_cli("verify", cwd=demo)
    assert nothing.returncode == 2 and "--forget-registry" in nothing.stderr


def test_a_memory_of_the_first_format_with_version_99_does_not_block(demo):
    memory_file().parent.mkdir(parents=True, exist_ok=True)
    memory_file().write_text(json.dumps({DID: {"version": 99, "seen": "2026-01-01"}}))
    result = verify(demo)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "written by an older portfolio-gen" in result.stderr and "1 entries are dropped" in result.stderr
    assert json.loads(memory_file().read_text("utf-8"))["format"] == FORMAT
