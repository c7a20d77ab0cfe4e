"""Verdicts cached between runs: nothing verified twice while unchanged, every change seen."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from portfolio_gen.core import verdicts
from portfolio_gen.core.cachestore import CacheStore
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.institution import trust
from portfolio_gen.institution.verdicts import VerdictCache
from portfolio_gen.credentials.verify import Verdict

from conftest import age, run_cli


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def demo(built_demo: Path, tmp_path: Path) -> Path:
    root = Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))
    age(root)  # else, run alone right after the demo is built, nothing could be cached yet
    return root


class CountingVerifier:
    """Counts the credentials verified (every check but the status, the costly part)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        verify = trust.verify_except_status

        def counting(*args, **kwargs):
            self.calls += 1
            return verify(*args, **kwargs)
        monkeypatch.setattr(trust, "verify_except_status", counting)


# The demo signed its credentials minutes ago; verdicts are not cached while a date is
# that close to now (it could still flip within the clock skew), so judge an hour later.
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)


def audit(root: Path) -> dict[str, tuple[str, str]]:
    """Every credential's status and reason, as `audit` judges them (a fresh context: a new run)."""
    workspace = load_workspace(root)
    context = dataclasses.replace(trust.workspace_context(root, workspace), now=LATER)
    return {str(a.path.relative_to(root)): (a.status, a.reason)
            for candidate in workspace.candidates.values() for a in trust.assess_candidate(candidate, context)}


def test_a_second_run_verifies_nothing_and_judges_the_same(demo: Path, monkeypatch):
    first = audit(demo)
    counter = CountingVerifier(monkeypatch)
    assert audit(demo) == first and counter.calls == 0
    assert first and all(status == trust.VALID for status, _ in first.values())


def test_a_revocation_is_seen_on_the_next_run_without_verifying_any_signature_again(demo: Path, monkeypatch):
    before = audit(demo)
    revoked = sorted(before)[0]
    result = run_cli("--root", str(demo), "revoke", str(demo / revoked), "--reason", "error",
                     "--key", str(demo / "keys" / "institution.key.pem"))
    assert result.returncode == 0, result.stderr
    counter = CountingVerifier(monkeypatch)
    after = audit(demo)
    # The status list changed, not the credentials: each status is read again, no proof.
    assert after[revoked][0] == verdicts.REVOKED and counter.calls == 0
    assert {k: v for k, v in after.items() if k != revoked} == {k: v for k, v in before.items() if k != revoked}


def test_a_changed_registry_or_did_document_invalidates_every_verdict(demo: Path, monkeypatch):
    before = audit(demo)
    counter = CountingVerifier(monkeypatch)
    did = demo / "did.json"
    document = json.loads(did.read_text("utf-8"))
    document["verificationMethod"] = []  # the institution's key withdrawn
    did.write_text(json.dumps(document), "utf-8")
    after = audit(demo)
    assert counter.calls == len(before)
    assert any(status != trust.VALID for status, _ in after.values())


def test_an_edited_credential_is_verified_again(demo: Path, monkeypatch):
    before = audit(demo)
    path = demo / sorted(before)[0]
    credential = json.loads(path.read_text("utf-8"))
    credential["name"] = "Forged name"
    path.write_text(json.dumps(credential), "utf-8")
    counter = CountingVerifier(monkeypatch)
    assert audit(demo)[sorted(before)[0]][0] == trust.INVALID and counter.calls == 1


NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("valid_until, cached", [
    ("2026-06-01T15:00:00Z", False),   # expires later today: recomputed until then
    ("2026-06-01", False),             # a bare date today
    ("2026-06-02T00:05:00Z", False),   # within the skew after midnight
    ("2026-05-20T00:00:00Z", True),    # long past: cannot flip any more
    ("2027-01-01T00:00:00Z", True),    # far ahead
])
def test_a_verdict_is_not_cached_across_a_date_boundary_of_the_day(tmp_path: Path, valid_until, cached):
    cache = VerdictCache(CacheStore.open(tmp_path, "test"), [])
    calls = []
    raw = json.dumps({"validFrom": "2026-01-01T00:00:00Z", "validUntil": valid_until}).encode()
    for _ in range(2):
        cache.verify(raw, [], NOW, lambda: calls.append(1) or Verdict(True))
        cache.flush()
    assert len(calls) == (1 if cached else 2)
    cache.verify(raw, [], NOW + dt.timedelta(days=1), lambda: calls.append(1) or Verdict(True))
    assert len(calls) == (2 if cached else 3)  # a new day is a new key


def test_verdicts_of_past_days_are_dropped_when_the_cache_opens(tmp_path: Path):
    """Keys hold their day, so without pruning the file would grow by a cohort a day."""
    import sqlite3

    cache = VerdictCache.open(tmp_path, [])
    raw = json.dumps({"validFrom": "2026-01-01T00:00:00Z"}).encode()
    for moment in (NOW, dt.datetime.now(dt.UTC) + dt.timedelta(days=3)):
        cache.verify(raw, [], moment, lambda: Verdict(True))
    cache.flush()
    VerdictCache.open(tmp_path, [])
    with sqlite3.connect(tmp_path / ".portfolio-gen" / "cache.sqlite") as connection:
        days = [row[0].split()[0] for row in connection.execute("SELECT name FROM entries WHERE kind = 'verdict'")]
    assert days == [(dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()]


class CountingAssessor:
    """Counts the credential files opened: a folder remembered whole opens none."""

    def __init__(self, monkeypatch):
        self.files: list[Path] = []
        assess = trust.assess_file

        def counting(path, *args, **kwargs):
            self.files.append(path)
            return assess(path, *args, **kwargs)
        monkeypatch.setattr(trust, "assess_file", counting)


def test_an_unchanged_folder_is_judged_without_opening_its_credentials(demo: Path, monkeypatch):
    first = audit(demo)
    counter = CountingAssessor(monkeypatch)
    assert audit(demo) == first and counter.files == []
    # One entry edited (an hour ago, as a commit checked out is): only that folder is opened.
    entry = next((demo / "candidates" / "camille-martin" / "entries").glob("*.md"))
    entry.write_text(entry.read_text("utf-8") + "\nUne phrase ajoutée.\n", "utf-8")
    hour_ago = dt.datetime.now().timestamp() - 3600
    os.utime(entry, (hour_ago, hour_ago))
    after = audit(demo)
    assert counter.files and {p.parent.parent.name for p in counter.files} == {"camille-martin"}
    assert {k for k in after if after[k] != first[k]} <= {k for k in after if "camille-martin" in k}


def test_a_folder_that_depends_on_something_outside_it_is_judged_every_run(tmp_path: Path):
    cache = VerdictCache(CacheStore.open(tmp_path, "test"), [])
    judged = []

    def judge(elsewhere: bool):
        judged.append(1)
        if elsewhere:
            cache.elsewhere()
        return ["assessment"]
    for elsewhere, expected in ((False, [1]), (False, [1]), (True, [1, 1]), (True, [1, 1, 1])):
        assert cache.for_folder(tmp_path / "a" if not elsewhere else tmp_path / "b", "fingerprint", NOW,
                                lambda: judge(elsewhere)) == ["assessment"]
        cache.flush()
        assert judged == expected
    cache.for_folder(tmp_path / "a", "another fingerprint", NOW, lambda: judge(False))
    assert len(judged) == 4  # a changed folder is judged again


def test_what_a_folder_row_may_rest_on(demo: Path):
    """Evidence inside the candidate's folder, or a URL only that folder could ever answer."""
    from portfolio_gen.core.settings import load_settings

    settings = load_settings(demo)
    candidate = load_workspace(demo).candidates["camille-martin"]
    own, other = settings.site_url("camille-martin"), settings.site_url("julien-moreau")
    inside = candidate.folder / "evidence" / "x.png"
    beside = demo / "candidates" / "julien-moreau" / "evidence" / "x.png"
    decided = trust._decided_in_folder
    assert decided(own + "evidence/x.png", inside, candidate, settings)
    assert not decided(other + "evidence/x.png", beside, candidate, settings)
    assert decided(own + "credentials/c.json", None, candidate, settings)
    assert decided("https://elsewhere.example/x.png", None, candidate, settings)
    assert not decided(other + "evidence/missing.png", None, candidate, settings)  # julien's folder could add it
    assert not decided(settings.site_base_url + "new-candidate/x.png", None, candidate, settings)


def test_a_folder_with_a_verdict_near_a_date_is_not_remembered(tmp_path: Path):
    cache = VerdictCache(CacheStore.open(tmp_path, "test"), [])
    raw = json.dumps({"validUntil": "2026-06-01T15:00:00Z"}).encode()  # expires later today
    judged = []
    for _ in range(2):
        cache.for_folder(tmp_path, "fingerprint", NOW,
                         lambda: judged.append(1) or [cache.verify(raw, [], NOW, lambda: Verdict(True))])
        cache.flush()
    assert len(judged) == 2


def test_a_tampered_status_list_fails_every_credential_even_from_the_cache(demo: Path, monkeypatch):
    """Cached verdicts hold no status: a status list that no longer verifies is an unknown
    status for every credential that names it (never "not revoked"), without a signature
    re-verified. Each signing key has a list of its own: every one is tampered with here."""
    from portfolio_gen.institution import revocation

    before = audit(demo)
    for path in revocation.list_files(demo).values():
        status_list = json.loads(path.read_text("utf-8"))
        status_list["credentialSubject"]["encodedList"] = status_list["credentialSubject"]["encodedList"][:-4] + "AAAA"
        path.write_text(json.dumps(status_list), "utf-8")
    counter = CountingVerifier(monkeypatch)
    after = audit(demo)
    assert counter.calls == 0 and set(after) == set(before)
    assert all(status == verdicts.UNKNOWN_STATUS and "status" in reason for status, reason in after.values())


def test_a_cohort_judged_in_worker_processes_is_judged_alike_and_remembered(demo: Path, monkeypatch):
    """The first run of a cohort spreads verification over the cores; what the workers
    judged is what one process judges, and stored for the next run."""
    monkeypatch.setattr(trust, "PARALLEL_MIN_CANDIDATES", 1)
    workspace = load_workspace(demo)
    uncached = dataclasses.replace(trust.workspace_context(demo, workspace), now=LATER, verdicts=None)
    alone = {c.slug: trust.assess_candidate(c, uncached) for c in workspace.candidates.values()}
    context = dataclasses.replace(trust.workspace_context(demo, workspace), now=LATER)
    parallel = dict((c.slug, found) for c, found in trust.assess_candidates(workspace.candidates.values(), context,
                                                                             jobs=2))
    assert list(parallel) == list(workspace.candidates) and parallel == alone
    assert sum(map(len, parallel.values())) > 10
    counter = CountingAssessor(monkeypatch)
    assert audit(demo) == {str(a.path.relative_to(demo)): (a.status, a.reason)
                           for found in parallel.values() for a in found}
    assert counter.files == []  # the workers' judgements came back from the cache


def test_a_changed_check_anywhere_in_the_judging_code_is_a_new_key():
    """The verdict keys digest the standards stack and the trust rules, not just the
    folder verdicts.py lives in: a changed rule in credentials/verify.py is a miss."""
    from portfolio_gen.institution import verdicts

    names = {(path.parent.name, path.name) for path in verdicts.judging_code()}
    assert {("credentials", "verify.py"), ("credentials", "proofs.py"), ("institution", "trust.py")} <= names
