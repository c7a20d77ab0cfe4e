"""The one folder scanner (core/folders.py): links, loops, special files, fresh files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import age
from portfolio_gen.core import folders
from portfolio_gen.core.folders import folder_fingerprint
from portfolio_gen.site.fingerprint import scan_files


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small candidate folder, old enough to be fingerprinted."""
    root = tmp_path / "alex"
    (root / "entries").mkdir(parents=True)
    (root / "evidence").mkdir()
    (root / "candidate.yml").write_text("name: Alex\n", "utf-8")
    (root / "entries" / "b.md").write_text("b", "utf-8")
    (root / "entries" / "a.md").write_text("a", "utf-8")
    (root / "evidence" / "plan.pdf").write_bytes(b"%PDF")
    age(root)
    return root


def _kinds(listing: folders.Listing) -> dict[str, tuple[str, str]]:
    return {f.relative: (f.kind, f.state) for f in listing.found}


def test_lists_files_and_folders_by_name_with_their_stat(folder: Path):
    listing = folders.scan(folder)
    assert [f.relative for f in listing.found] == [
        "candidate.yml", "entries", "evidence", "evidence/plan.pdf", "entries/a.md", "entries/b.md"]
    assert listing.complete and not listing.refused_links() and not listing.special()
    plan = next(f for f in listing.found if f.relative == "evidence/plan.pdf")
    assert plan.kind == folders.FILE and plan.stat.st_size == 4 and plan.path == str(folder / "evidence/plan.pdf")
    assert listing.files_in("entries", ".md") == [str(folder / "entries/a.md"), str(folder / "entries/b.md")]


def test_a_link_to_a_file_inside_is_listed_under_its_own_name_with_its_target(folder: Path):
    os.symlink("plan.pdf", folder / "evidence" / "copy.pdf")
    listing = folders.scan(folder)
    link = next(f for f in listing.found if f.relative == "evidence/copy.pdf")
    assert (link.kind, link.state, link.target) == (folders.LINK, folders.TO_FILE, "plan.pdf")
    assert link.stat.st_size == 4
    assert "evidence/copy.pdf" in [f.relative for f in listing.files()]
    assert not listing.refused_links()


def test_a_link_to_a_folder_inside_is_recorded_not_descended(folder: Path):
    os.symlink("../entries", folder / "evidence" / "notes")
    kinds = _kinds(folders.scan(folder))
    assert kinds["evidence/notes"] == (folders.LINK, folders.TO_FOLDER)
    assert not any(name.startswith("evidence/notes/") for name in kinds)


@pytest.mark.parametrize("links, refused", [
    ({"evidence/loop": "."}, {"evidence/loop": folders.LOOP}),
    ({"evidence/up": "../.."}, {"evidence/up": folders.OUTSIDE}),
    ({"evidence/top": ".."}, {"evidence/top": folders.LOOP}),
    ({"evidence/a": "b", "evidence/b": "a"}, {"evidence/a": folders.LOOP, "evidence/b": folders.LOOP}),
    ({"evidence/self": "self"}, {"evidence/self": folders.LOOP}),
    ({"evidence/etc": "/etc"}, {"evidence/etc": folders.OUTSIDE}),
    ({"evidence/hosts": "/etc/hostname"}, {"evidence/hosts": folders.OUTSIDE}),
    ({"evidence/gone": "nowhere.pdf"}, {"evidence/gone": folders.DANGLING}),
    ({"evidence/gone": "/nowhere/at/all"}, {"evidence/gone": folders.OUTSIDE}),
])
def test_links_out_of_the_folder_dangling_or_looping_are_refused(folder: Path, links, refused):
    for name, target in links.items():
        os.symlink(target, folder / name)
    listing = folders.scan(folder)  # returns: a walk that does not follow links cannot loop
    assert {f.relative: f.state for f in listing.refused_links()} == refused
    assert {f.relative: f.target for f in listing.refused_links()} == {name: links[name] for name in refused}
    assert listing.complete
    assert len(listing.found) == 6 + len(links)  # nothing listed through a link


def test_special_files_are_listed_never_opened(folder: Path):
    os.mkfifo(folder / "evidence" / "pipe")  # opening it would block the scan forever
    os.mkfifo(folder / "entries" / "c.md")
    listing = folders.scan(folder)
    assert {f.relative for f in listing.special()} == {"evidence/pipe", "entries/c.md"}
    assert "entries/c.md" not in [f.relative for f in listing.files()]
    assert listing.files_in("entries", ".md") == [str(folder / "entries/a.md"), str(folder / "entries/b.md")]
    assert scan_files(folder).keys() == {"candidate.yml", "entries/a.md", "entries/b.md", "evidence/plan.pdf"}


def test_a_file_changed_within_the_racy_window_makes_the_folder_too_fresh(folder: Path):
    now = time.time()
    assert not folders.scan(folder).too_fresh(now)
    assert folder_fingerprint(folder, now) is not None
    (folder / "entries" / "a.md").write_text("edited", "utf-8")
    assert folders.scan(folder).too_fresh(time.time())
    assert folder_fingerprint(folder) is None
    assert not folders.scan(folder).too_fresh(time.time() + folders.RACY_SECONDS + 1)


def test_a_missing_or_unreadable_folder_is_incomplete(tmp_path: Path, folder: Path):
    assert not folders.scan(tmp_path / "absent").complete
    assert folder_fingerprint(tmp_path / "absent") is None
    if os.geteuid() == 0:
        pytest.skip("root lists any folder")
    (folder / "evidence").chmod(0)
    try:
        assert folders.scan(folder).unreadable == ["evidence"]
        assert folder_fingerprint(folder) is None
    finally:
        (folder / "evidence").chmod(0o755)


def test_the_fingerprint_changes_with_a_repointed_link_not_with_a_listing(folder: Path):
    (folder / "evidence" / "other.pdf").write_bytes(b"%PDF")
    os.symlink("plan.pdf", folder / "evidence" / "link.pdf")
    age(folder)
    first = folder_fingerprint(folder)
    assert folder_fingerprint(folder) == first
    os.unlink(folder / "evidence" / "link.pdf")
    os.symlink("other.pdf", folder / "evidence" / "link.pdf")
    assert folder_fingerprint(folder) not in (None, first)


def test_the_fingerprint_changes_when_a_special_file_appears(folder: Path):
    first = folder_fingerprint(folder)
    os.mkfifo(folder / "evidence" / "pipe")
    assert folder_fingerprint(folder) not in (None, first)


def test_a_folder_reached_twice_is_listed_once(folder: Path, monkeypatch):
    """A bind mount of a folder inside itself cannot be made without privileges: `evidence`
    is given the inode and stat of `entries`, as a mount would show them."""
    real_stat, real_inode = os.stat, folders._inode
    entries = real_stat(folder / "entries")

    def stat(path, *args, **kwargs):
        return entries if str(path).endswith("/evidence") else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(folders.os, "stat", stat)
    monkeypatch.setattr(folders, "_inode", lambda e: entries.st_ino if e.name == "evidence" else real_inode(e))
    listing = folders.scan(folder)
    assert listing.looped == ["evidence"]
    assert [f.relative for f in listing.found] == ["candidate.yml", "entries", "evidence", "entries/a.md", "entries/b.md"]


def test_two_folders_with_the_same_inode_on_two_devices_are_both_listed(folder: Path, monkeypatch):
    real_inode = folders._inode
    monkeypatch.setattr(folders, "_inode", lambda e: 7 if e.is_dir() else real_inode(e))
    listing = folders.scan(folder)
    assert not listing.looped and len(listing.found) == 6
