"""The build record (site/fingerprint.py), as the folder scanner lists a candidate folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import age
from portfolio_gen.site.fingerprint import Record, SharedInputs, current_record, read_record, scan_files

SHARED = SharedInputs("tool", "theme", {"c2i2e": "digest"})


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "alex"
    (folder / "evidence" / "v1").mkdir(parents=True)
    (folder / "evidence" / "v2").mkdir()
    (folder / "evidence" / "v1" / "plan.pdf").write_bytes(b"one")
    (folder / "evidence" / "v2" / "plan.pdf").write_bytes(b"two")
    (folder / "candidate.yml").write_text("name: Alex\n", "utf-8")
    os.symlink("v1", folder / "evidence" / "current")
    age(folder)
    return folder


def _record(folder: Path, previous: Record | None = None) -> Record:
    return current_record(folder, ["c2i2e"], SHARED, "", previous)


def test_a_touched_but_unchanged_file_keeps_the_record_contents(tmp_path: Path):
    folder = _folder(tmp_path)
    before = _record(folder)
    os.utime(folder / "candidate.yml", (time.time() - 60, time.time() - 60))
    after = _record(folder, before)
    assert after.files["candidate.yml"][1] != before.files["candidate.yml"][1]
    assert after.same_inputs(before)


def test_a_repointed_link_to_a_folder_changes_the_record(tmp_path: Path):
    """Not descended, the link's target is all that says which plan the site shows."""
    folder = _folder(tmp_path)
    before = _record(folder)
    assert before.links == {"evidence/current": "v1"}
    assert not any(name.startswith("evidence/current/") for name in before.files)
    os.unlink(folder / "evidence" / "current")
    os.symlink("v2", folder / "evidence" / "current")
    assert not _record(folder, before).same_inputs(before)


def test_a_link_to_a_file_is_hashed_under_its_own_name(tmp_path: Path):
    folder = _folder(tmp_path)
    os.symlink("v2/plan.pdf", folder / "evidence" / "plan.pdf")
    files = scan_files(folder)
    assert files["evidence/plan.pdf"][2] == files["evidence/v2/plan.pdf"][2]


def test_a_file_changed_within_the_racy_window_is_hashed_again_next_time(tmp_path: Path):
    """Its time is not kept: an edit within the same mtime tick, same size, is not missed."""
    folder = _folder(tmp_path)
    (folder / "candidate.yml").write_text("name: Alex\n", "utf-8")
    first = scan_files(folder)
    assert first["candidate.yml"][1] == -1
    (folder / "candidate.yml").write_text("name: Alix\n", "utf-8")
    assert scan_files(folder, first)["candidate.yml"][2] != first["candidate.yml"][2]


def test_a_record_written_before_links_were_recorded_still_reads(tmp_path: Path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "alex.json").write_text('{"tool": "t", "theme": "h", "frameworks": {}, "validations": "",'
                                       ' "files": {"a": [1, 2, "s"]}}', "utf-8")
    assert read_record(records, "alex") == Record("t", "h", {}, "", {"a": (1, 2, "s")}, {})


def test_the_tool_version_covers_every_word_a_page_says(monkeypatch):
    """A page says words of every catalogue file (verdicts, awards, the footer), in every
    language: a change to any of them must rebuild the sites, not only to site.yml's."""
    from portfolio_gen.site import fingerprint

    read, original = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or original(self))
    fingerprint.tool_version()
    data = Path(fingerprint.__file__).resolve().parent.parent / "data"
    words = {p.name for p in (data / "messages").glob("*.yml")} | {"messages.mo"}
    assert words - set(read) == set() and read.count("messages.mo") == len(list(data.glob("locale/*/LC_MESSAGES/messages.mo")))
