"""institution/audits.py: `audit` as values, a row per credential, from the demo workspace and its sites."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.institution.audits import AuditRow, audit, audit_sites, relative_to


def _credential_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "candidates").glob("*/credentials/*.json")}


def test_every_credential_of_the_demo_is_a_row_and_counts(built_demo: Path):
    rows = audit(built_demo, load_workspace(built_demo))
    assert {row.file for row in rows} == _credential_files(built_demo) and len(rows) == len(_credential_files(built_demo))
    assert all(row.counts and row.reason == "" for row in rows)
    assert {row.kind for row in rows} == {"validation", "certificate", "attestation"}
    validation = next(row for row in rows if row.kind == "validation")
    assert validation.item.startswith(("c2i2e:", "crcne:", "pix-edu:", "digcompedu:")) \
        and validation.issuer.startswith("did:key:") and dt.date.fromisoformat(validation.validated_on)
    assert all(row.item == "" for row in rows if row.kind != "validation")


def test_only_the_candidates_of_the_workspace_asked(built_demo: Path):
    rows = audit(built_demo, load_workspace(built_demo, only=["julien-moreau"]))
    assert rows and {row.candidate for row in rows} == {"julien-moreau"}


def test_credentials_are_judged_at_the_time_given(built_demo: Path):
    rows = audit(built_demo, load_workspace(built_demo, only=["camille-martin"]),
                 now=dt.datetime.now(dt.UTC) - dt.timedelta(days=365))
    assert rows and all(row.status == "invalid" and "not yet valid" in row.reason for row in rows)


def test_a_tampered_credential_is_a_row_that_does_not_count(built_demo: Path, tmp_path: Path):
    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, symlinks=True)
    rows = audit(root, load_workspace(root))
    target = next(row for row in rows if row.kind == "validation")
    path = root / target.file
    credential = json.loads(path.read_text("utf-8"))
    credential["validFrom"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(credential), "utf-8")
    judged = {row.file: row for row in audit(root, load_workspace(root))}
    assert judged[target.file].status == "invalid" and not judged[target.file].counts
    assert all(row.counts for file, row in judged.items() if file != target.file)


def test_the_sites_publish_the_same_verdicts_as_the_workspace(built_demo: Path, tmp_path: Path):
    listed = tmp_path / "sites.txt"
    sites = sorted(p.parent for p in (built_demo / "site").glob("*/verification.json"))
    listed.write_text("".join(os.path.relpath(site, tmp_path) + "\n" for site in sites), "utf-8")
    result = audit_sites(built_demo, listed)
    assert result.ok and result.shared_status_indices == {}
    ours = {(row.candidate, Path(row.file).name, row.status) for row in audit(built_demo, load_workspace(built_demo))}
    assert {(row.candidate, Path(row.file).name, row.status) for row in result.rows} == ours
    assert all(row.site and row.entry_modified is None for row in result.rows)
    only = audit_sites(built_demo, listed, slugs=["sofia-benali"])
    assert only.rows and {row.candidate for row in only.rows} == {"sofia-benali"}


def test_a_row_as_json_names_its_site_only_when_it_has_one():
    row = AuditRow("camille-martin", "candidates/camille-martin/credentials/a.json", "validation", "valid", "",
                   "c2i2e:A1.1", "did:key:z6Mk", False, "2026-03-20")
    assert list(row.as_dict()) == ["candidate", "file", "kind", "status", "reason", "item", "issuer",
                                   "entry_modified", "validated_on", "code", "params"]
    published = AuditRow(**{**row.as_dict(), "site": "https://example.org/camille-martin/"})
    assert list(published.as_dict())[:3] == ["candidate", "site", "file"]


@pytest.mark.parametrize("root, path, expected", [
    (".", "candidates/camille/credentials/a.json", "candidates/camille/credentials/a.json"),
    ("/srv/ws", "/srv/ws/candidates/a.json", "candidates/a.json"),
    ("ws", "ws/candidates/a.json", "candidates/a.json"),
    ("/", "/srv/a.json", "srv/a.json"),
])
def test_files_are_named_relative_to_the_workspace_as_path_does(root, path, expected):
    assert relative_to(Path(root))(Path(path)) == expected == str(Path(path).relative_to(root))


@pytest.mark.parametrize("root, path", [("/srv/ws", "/srv/wsx/a.json"), (".", "/srv/a.json")])
def test_a_path_outside_the_workspace_is_refused_as_path_does(root, path):
    with pytest.raises(ValueError):
        relative_to(Path(root))(Path(path))
