"""Faults lose nothing (issue #15): a full disk (ENOSPC), a read-only output folder, and a
process killed between writing its temp file and renaming it, during build, sign, certify
and revoke. Afterwards what existed is intact and readable, the error names what could not
be written and why, and the next run finishes the work.

The disk is real: a small tmpfs, filled up or remounted read-only (root only; skipped
otherwise). The kill is real too: SIGKILL sent by the process to itself at the rename.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli

ENTRY = """\
---
title: Activité pour les pannes
date: 2026-03-01
situation: professionnelle
claims: [c2i2e:A3.4]
visibility: public
---
Texte.
"""
# A3.4 is the one c2i2e item the demo leaves unvalidated for Camille: `sign` refuses to
# validate an item twice (issue 18).
SIGN = ("sign", "camille-martin", "2026-03-01-faults", "c2i2e:A3.4", "--key", "keys/marie-dupont.key.pem",
        "--evaluator-name", "Marie Dupont")
# julien-moreau holds the demo's attestation: a second one is a re-issue (issue 29).
CERTIFY = ("certify", "julien-moreau", "--framework", "c2i2e", "--key", "keys/institution.key.pem", "--reissue")
# Append-only ledgers: the source of truth of the status list, written before the list is
# re-signed. A failed run may leave one more line (an index allocated to a credential never
# written, a revocation whose list the next run re-signs); earlier lines never change.
LEDGERS = ("status/allocations.tsv", "status/revocations.tsv")
BUILD = ("build", "--force", "camille-martin")


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def disk(tmp_path: Path, built_demo: Path):
    """The built demo workspace on its own small tmpfs, with one entry left to sign."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mountpoint)):
        pytest.skip("needs root to mount a tmpfs (a real full or read-only disk)")
    try:
        root = mountpoint / "ws"
        # Without the read cache: commands run on the shared demo fill its SQLite journal,
        # and a checkpoint at the next command freed enough of the full disk for the write
        # to succeed, or not, by the order tests ran in (the flake of the random-order runs).
        shutil.copytree(built_demo, root, symlinks=True, ignore=shutil.ignore_patterns("cache.sqlite*"))
        (root / "candidates" / "camille-martin" / "entries" / "2026-03-01-faults.md").write_text(ENTRY, "utf-8")
        yield root
    finally:
        _mount("-o", "remount,rw", str(mountpoint))
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def fill(root: Path) -> Path:
    """Use up every free byte of the disk holding `root`; returns the filler file."""
    filler = root.parent / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1):  # big blocks, then the last few bytes
            try:
                while os.write(descriptor, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


def snapshot(root: Path) -> dict[str, str]:
    """Every file's digest (ledgers: their text); temp files of a killed process excepted
    (never read by anyone), and the read cache, which is safe to lose and rebuilt when it
    cannot be trusted (its own tests cover corruption)."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(".portfolio-gen/"):
            continue
        if path.is_file() and not path.name.endswith(".tmp") and ".building-" not in relative:
            data = path.read_bytes()
            files[relative] = data.decode("utf-8") if relative in LEDGERS else hashlib.sha256(data).hexdigest()
    return files


def assert_intact(before: dict[str, str], root: Path) -> None:
    after = snapshot(root)
    for ledger in LEDGERS:
        old, new = before.pop(ledger, ""), after.pop(ledger, "")
        assert new.startswith(old), ledger
        assert new.count("\n") - old.count("\n") <= 1, ledger
    assert after == before


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("--root", str(root), *args, cwd=root)


def assert_refused_and_intact(result: subprocess.CompletedProcess, before: dict, root: Path, reason: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert reason in result.stderr, result.stderr
    assert_intact(dict(before), root)
    assert not [p for p in root.rglob("*.tmp")], "temp files left behind"


@pytest.mark.parametrize("command", [BUILD, SIGN, CERTIFY, "revoke"], ids=["build", "sign", "certify", "revoke"])
def test_a_full_disk_keeps_everything_and_the_next_run_finishes(disk: Path, command):
    command = revoke_command(disk) if command == "revoke" else command
    before = snapshot(disk)
    filler = fill(disk)
    result = run(disk, *command)
    assert_refused_and_intact(result, before, disk, "No space left on device")
    filler.unlink()
    finished = run(disk, *command)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert snapshot(disk) != before
    assert run(disk, "audit").returncode in (0, 1)  # everything still reads


@pytest.mark.parametrize("command", [BUILD, SIGN, "revoke"], ids=["build", "sign", "revoke"])
def test_a_read_only_folder_keeps_everything_and_the_next_run_finishes(disk: Path, command):
    command = revoke_command(disk) if command == "revoke" else command
    before = snapshot(disk)
    assert _mount("-o", "remount,ro", str(disk.parent))
    result = run(disk, *command)
    assert _mount("-o", "remount,rw", str(disk.parent))
    assert_refused_and_intact(result, before, disk, "Read-only file system")
    finished = run(disk, *command)
    assert finished.returncode == 0, finished.stdout + finished.stderr


KILLER = textwrap.dedent("""\
    import os, signal, sys
    import portfolio_gen.core.files as files
    import portfolio_gen.site.builder as builder

    class _KillingOs:
        # os, except that the step making a written file visible kills the process first.
        def __getattr__(self, name):
            return getattr(os, name)
        def replace(self, *args):
            os.kill(os.getpid(), signal.SIGKILL)
        link = replace

    def _killing_swap(new, target):
        os.kill(os.getpid(), signal.SIGKILL)

    files.os = _KillingOs()
    builder.swap_in = _killing_swap
    from portfolio_gen.cli import main
    sys.exit(main(sys.argv[1:], prog_name="portfolio-gen"))
""")


@pytest.mark.parametrize("command", [BUILD, SIGN, CERTIFY, "revoke"], ids=["build", "sign", "certify", "revoke"])
def test_a_process_killed_before_its_rename_leaves_the_previous_state(disk: Path, command):
    command = revoke_command(disk) if command == "revoke" else command
    before = snapshot(disk)
    killed = subprocess.run([sys.executable, "-c", KILLER, "--root", str(disk), *command], cwd=disk,
                            capture_output=True, text=True, env={**os.environ, "PORTFOLIO_GEN_LANG": "en"})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert_intact(dict(before), disk)
    finished = run(disk, *command)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert run(disk, "audit").returncode in (0, 1)


def revoke_command(root: Path) -> tuple[str, ...]:
    credential = sorted((root / "candidates" / "camille-martin" / "credentials").glob("*.json"))[0]
    return ("revoke", str(credential.relative_to(root)), "--reason", "test de panne", "--key",
            "keys/institution.key.pem")
