"""The read cache: a second run reads nothing unchanged, and never misses a change or hides an error."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portfolio_gen.core import cachestore, folders, workspace as workspace_module, yamlfile
from portfolio_gen.core.workspace import load_workspace

from conftest import age

CAMILLE = "camille-martin"


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path_factory, monkeypatch):
    """Each test signs its rows with its own user key, as a different user would."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


class Counter:
    """Counts YAML parses and candidate folder reads while a workspace is loaded."""

    def __init__(self, monkeypatch):
        self.parses, self.folders = 0, []
        parse, read = yamlfile.parse_yaml, workspace_module.read_candidate

        def counting_parse(*args, **kwargs):
            self.parses += 1
            return parse(*args, **kwargs)

        def counting_read(folder, frameworks):
            self.folders.append(folder.name)
            return read(folder, frameworks)
        monkeypatch.setattr(yamlfile, "parse_yaml", counting_parse)
        monkeypatch.setattr(workspace_module, "read_candidate", counting_read)

    def reset(self):
        self.parses, self.folders = 0, []


def summary(workspace) -> tuple:
    return (sorted(workspace.frameworks), {slug: c for slug, c in workspace.candidates.items()},
            [(p.key, str(p.file), p.line, p.params) for p in workspace.problems])


@pytest.fixture(params=["fingerprints here", "fingerprints in a worker"])
def aged(demo_workspace: Path, request, monkeypatch) -> Path:
    """The demo, old enough to cache; every test runs with the folders' fingerprints taken
    in this process, and in a worker while this one decodes (a large cohort's way)."""
    if request.param.endswith("worker"):
        monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FINGERPRINTS", 0)
    age(demo_workspace)
    return demo_workspace


def test_second_load_parses_nothing_and_gives_the_same_workspace(aged: Path, monkeypatch):
    counter = Counter(monkeypatch)
    first = load_workspace(aged)
    assert counter.parses > 30 and len(counter.folders) == 5
    counter.reset()
    second = load_workspace(aged)
    assert counter.parses == 0 and counter.folders == []
    assert summary(second) == summary(first) == summary(load_workspace(aged, cache=False))
    assert (aged / ".portfolio-gen" / "cache.sqlite").is_file()


def test_an_edit_rereads_only_that_candidate(aged: Path, monkeypatch):
    load_workspace(aged)
    counter = Counter(monkeypatch)
    entry = next((aged / "candidates" / CAMILLE / "entries").glob("*.md"))
    entry.write_text(entry.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    loaded = load_workspace(aged)
    assert counter.folders == [CAMILLE]
    titles = [e.title for e in loaded.candidate(CAMILLE).entries]
    assert any(t.startswith("Edited —") for t in titles)


def test_an_edit_made_long_before_the_next_run_is_picked_up(aged: Path, monkeypatch):
    """The usual case: the folder's fingerprint is trusted, and differs from the stored one."""
    load_workspace(aged)
    profile = aged / "candidates" / CAMILLE / "candidate.yml"
    profile.write_text(profile.read_text("utf-8").replace("name:", "name: Edited", 1), "utf-8")
    os.utime(profile, (time.time() - 600, time.time() - 600))
    counter = Counter(monkeypatch)
    assert load_workspace(aged).candidate(CAMILLE).name.startswith("Edited")
    assert counter.folders == [CAMILLE]


def test_an_edit_within_the_same_second_is_not_missed(aged: Path):
    """A file written just before it is read may change again in the same mtime tick."""
    profile = aged / "candidates" / CAMILLE / "candidate.yml"
    text = profile.read_text("utf-8")
    profile.write_text(text.replace("name:", "name: Aa", 1), "utf-8")
    assert load_workspace(aged).candidate(CAMILLE).name.startswith("Aa")
    stat = profile.stat()
    profile.write_text(text.replace("name:", "name: Bb", 1), "utf-8")  # same size, maybe same mtime
    os.utime(profile, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_workspace(aged).candidate(CAMILLE).name.startswith("Bb")


def test_deleted_and_renamed_files_are_picked_up(aged: Path):
    entries = aged / "candidates" / CAMILLE / "entries"
    before = {e.slug for e in load_workspace(aged).candidate(CAMILLE).entries}
    first, second = sorted(entries.glob("*.md"))[:2]
    first.unlink()
    after_delete = {e.slug for e in load_workspace(aged).candidate(CAMILLE).entries}
    assert after_delete == before - {first.stem}
    second.rename(entries / "2026-05-01-renamed.md")
    after_rename = {e.slug for e in load_workspace(aged).candidate(CAMILLE).entries}
    assert after_rename == after_delete - {second.stem} | {"2026-05-01-renamed"}


def test_a_deleted_candidate_folder_leaves_the_workspace_and_the_cache(aged: Path):
    load_workspace(aged)
    (aged / "candidates" / CAMILLE).rename(aged / "candidates" / "_archived")
    assert CAMILLE not in load_workspace(aged).candidates
    with sqlite3.connect(aged / cachestore.CACHE_FILE) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM entries WHERE kind = 'candidate'")]
    assert len(names) == 4 and not any(CAMILLE in name for name in names)


def test_a_changed_framework_invalidates_every_candidate(aged: Path, monkeypatch):
    load_workspace(aged)
    counter = Counter(monkeypatch)
    framework = aged / "referentiels" / "c2i2e.yml"
    # Renaming an item every candidate may claim: claims of it become unknown items.
    text = framework.read_text("utf-8")
    framework.write_text(text.replace("code: B2.3", "code: B2.9", 1), "utf-8")
    loaded = load_workspace(aged)
    assert sorted(counter.folders) == sorted(p.name for p in (aged / "candidates").iterdir())
    assert "B2.9" in loaded.frameworks["c2i2e"].item_by_code
    assert summary(loaded) == summary(load_workspace(aged, cache=False))


def test_an_error_is_reported_on_every_run_until_fixed(aged: Path, monkeypatch):
    profile = aged / "candidates" / CAMILLE / "candidate.yml"
    good = profile.read_text("utf-8")
    profile.write_text(good.replace("role:", "rol:", 1), "utf-8")
    age(aged)
    first = [(p.key, p.line) for p in load_workspace(aged).errors]
    counter = Counter(monkeypatch)
    for _ in range(2):
        again = [(p.key, p.line) for p in load_workspace(aged).errors]
        assert again == first and first and counter.folders == []  # from the cache, still reported
    profile.write_text(good, "utf-8")
    assert load_workspace(aged).errors == []


def test_a_corrupted_cache_file_is_ignored_and_rebuilt(aged: Path, monkeypatch):
    expected = summary(load_workspace(aged, cache=False))
    path = aged / cachestore.CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all\0" * 100)
    assert summary(load_workspace(aged)) == expected
    counter = Counter(monkeypatch)
    assert summary(load_workspace(aged)) == expected and counter.folders == []  # rebuilt, then used


def test_a_cache_written_by_someone_else_is_never_trusted(aged: Path, monkeypatch, tmp_path):
    """A cache file committed to a repository (or forged) is signed with another key: all misses."""
    load_workspace(aged)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    counter = Counter(monkeypatch)
    load_workspace(aged)
    assert len(counter.folders) == 5


def test_a_tampered_row_is_a_miss(aged: Path, monkeypatch):
    load_workspace(aged)
    with sqlite3.connect(aged / cachestore.CACHE_FILE) as connection:
        connection.execute("UPDATE entries SET value = value || x'00' WHERE name LIKE ?", (f"%{CAMILLE}",))
    counter = Counter(monkeypatch)
    load_workspace(aged)
    assert counter.folders == [CAMILLE]


def test_a_foreign_sqlite_database_is_replaced(aged: Path):
    path = aged / cachestore.CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        connection.execute("INSERT INTO meta VALUES ('format', 'something else')")
    expected = summary(load_workspace(aged, cache=False))
    assert summary(load_workspace(aged)) == expected
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM meta").fetchone()[0] == cachestore.FORMAT



def test_a_cache_that_cannot_be_opened_now_is_kept(aged: Path, monkeypatch):
    """A full or read-only disk is no reason to delete the cache: deleting it would free
    space behind the user's back (a full-disk run would then half succeed) and lose it."""
    load_workspace(aged)
    path = aged / cachestore.CACHE_FILE
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"
        raise error

    monkeypatch.setattr(cachestore.sqlite3, "connect", disk_full)
    expected = summary(load_workspace(aged, cache=False))
    assert summary(load_workspace(aged)) == expected  # read without the cache
    assert path.read_bytes() == before

CONCURRENT_LOAD = """
import sys
from pathlib import Path
from portfolio_gen.core.workspace import load_workspace
for _ in range(5):
    workspace = load_workspace(Path(sys.argv[1]))
    assert len(workspace.candidates) == 5, workspace.problems
"""


def test_commands_running_at_once_never_corrupt_the_cache(aged: Path):
    processes = [subprocess.Popen([sys.executable, "-c", CONCURRENT_LOAD, str(aged)], stderr=subprocess.PIPE)
                 for _ in range(4)]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read().decode()
    with sqlite3.connect(aged / cachestore.CACHE_FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM entries WHERE kind = 'candidate'").fetchone()[0] == 5


def test_cold_reads_in_parallel_give_the_same_workspace(aged: Path, monkeypatch):
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FOLDERS", 2)
    parallel = load_workspace(aged, cache=False, jobs=2)
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FOLDERS", 10**9)
    assert summary(parallel) == summary(load_workspace(aged, cache=False))


def test_what_workers_read_is_stored_as_they_encoded_it_and_read_back_alike(aged: Path, monkeypatch):
    """Workers return rows encoded for the cache; the parent stores those bytes in batches."""
    monkeypatch.setattr(workspace_module, "PARALLEL_MIN_FOLDERS", 2)
    monkeypatch.setattr(workspace_module, "STORE_EVERY", 2)  # several transactions for 5 folders
    parallel = load_workspace(aged, jobs=2)
    counter = Counter(monkeypatch)
    again = load_workspace(aged)
    assert counter.folders == [] and counter.parses == 0
    assert summary(again) == summary(parallel) == summary(load_workspace(aged, cache=False))


def _use_inherited_cache(store, folder: str, fingerprint: str) -> None:
    assert store.get("candidate", folder, fingerprint) is not None  # through its own connection
    store.put_many([cachestore.Stored("probe", "child", "", {"from": "child"})])


def test_a_forked_worker_never_uses_its_parents_connection(aged: Path):
    """Build workers are forked while the parent may hold the cache open."""
    import multiprocessing

    load_workspace(aged)
    store = cachestore.CacheStore.open(aged, workspace_module.cache_context(workspace_module.files_digest(workspace_module.framework_files(aged))))
    folder = aged / "candidates" / CAMILLE
    fingerprint = folders.folder_fingerprint(folder)
    assert store.get("candidate", str(folder), fingerprint) is not None
    child = multiprocessing.get_context("fork").Process(target=_use_inherited_cache,
                                                        args=(store, str(folder), fingerprint))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert store.get("probe", "child", "") == {"from": "child"}  # the parent's connection still works
    store.close()
    with sqlite3.connect(aged / cachestore.CACHE_FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_paths_come_back_equal_whatever_their_shape():
    """Paths are stored as a shared directory and a name: every shape comes back as it went,
    and siblings store their directory once instead of each its own."""
    paths = [Path("/"), Path("."), Path("a"), Path("a/.."), Path("/srv/c/camille/e1.md"),
             Path("/srv/c/camille/e2.md"), Path("/srv/c/camille"), Path("../up"), Path("/srv/c/x y/é.md")]
    value = {"paths": paths, "nested": [(Path("/srv/c/camille/e3.md"), "text")]}
    back = cachestore.decode(cachestore.encode(value))
    assert back == value
    assert [str(p) for p in back["paths"]] == [str(p) for p in paths]
    assert all(type(p) is type(Path()) for p in back["paths"])
    assert cachestore.encode(value).count(b"/srv/c/camille") == 1


def test_many_rows_are_looked_up_at_once_each_as_get_would(tmp_path: Path):
    """More names than one query takes, with hits, misses, stale fingerprints and names
    not asked for (no fingerprint), each answered in order as `get` answers it."""
    store = cachestore.CacheStore.open(tmp_path, "context")
    count = cachestore._NAMES_PER_QUERY * 2 + 7
    store.put_many([cachestore.Stored("kind", f"n{i}", f"f{i}", {"i": i}) for i in range(0, count, 2)])
    wanted = [(f"n{i}", None if i % 5 == 0 else f"f{i}" if i % 3 else "stale") for i in range(count)]
    assert store.get_many("kind", wanted) == [store.get("kind", name, fingerprint) if fingerprint else None
                                              for name, fingerprint in wanted]
    assert sum(value is not None for value in store.get_many("kind", wanted)) > cachestore._NAMES_PER_QUERY // 2
    assert cachestore.CacheStore.disabled().get_many("kind", wanted) == [None] * count
    store.close()


def test_equal_claims_decode_to_one_shared_object_up_to_a_bound(monkeypatch):
    from portfolio_gen.core.model import Claim
    monkeypatch.setattr(cachestore, "_shared", {})
    first = cachestore.decode(cachestore.encode([Claim("c2i2e", "A1.3"), Claim("c2i2e", "A1.3", "", "why")]))
    again = cachestore.decode(cachestore.encode(Claim("c2i2e", "A1.3")))
    assert first == [Claim("c2i2e", "A1.3"), Claim("c2i2e", "A1.3", "", "why")]
    assert again is first[0] and first[1] is not first[0]
    monkeypatch.setattr(cachestore, "_SHARED_MAX", 2)
    beyond = cachestore.decode(cachestore.encode([Claim("crcne", "1.1"), Claim("crcne", "1.1")]))
    assert beyond == [Claim("crcne", "1.1")] * 2 and len(cachestore._shared) == 2  # built, not kept


def test_the_workspace_reached_from_inside_and_by_its_path_stays_cached_both_ways(aged: Path, monkeypatch):
    """`portfolio-gen status` in the folder and `--root /srv/ws` from elsewhere, in turn."""
    monkeypatch.chdir(aged)
    load_workspace(Path("."))
    load_workspace(aged)
    counter = Counter(monkeypatch)
    inside, outside = load_workspace(Path(".")), load_workspace(aged)
    assert counter.folders == [] and counter.parses == 0
    assert inside.candidate(CAMILLE).folder == Path("candidates", CAMILLE)
    assert outside.candidate(CAMILLE).folder == aged / "candidates" / CAMILLE
    shutil.rmtree(aged / "candidates" / "julien-moreau")
    assert "julien-moreau" not in load_workspace(Path(".")).candidates
    assert "julien-moreau" not in load_workspace(aged).candidates
