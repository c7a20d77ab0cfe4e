"""report --sites and audit --sites: a cohort read from its published sites (issue 12).

The demo's built sites are listed in a file; what they publish, judged against the demo
workspace's trust root, must give the figures and verdicts the workspace itself gives.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.core.model import Candidate, Pursuit
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.publishing import candidate_card, candidate_from_card
from portfolio_gen.institution.cohort_sites import read_sites_file

# Figures no site publishes the files of: said unavailable, never compared.
UNAVAILABLE_ROW_FIELDS = {"entry_level", "level_gain"}


def sites(built_demo: Path) -> list[Path]:
    return sorted(p.parent for p in (built_demo / "site").glob("*/verification.json"))


def sites_file(folder: Path, lines: list[str]) -> Path:
    path = folder / "sites.txt"
    path.write_text("# the cohort's published sites\n\n" + "\n".join(lines) + "\n", "utf-8")
    return path


def relative_lines(built_demo: Path, folder: Path) -> list[str]:
    """The demo's sites, written relative to the sites file's folder."""
    return [os.path.relpath(site, folder) for site in sites(built_demo)]


def run(built_demo: Path, *args: str, lang: str = "en"):
    return run_cli("--root", str(built_demo), *args, lang=lang)


def test_the_manifest_says_whose_site_it_is_and_nothing_private(built_demo: Path):
    for site in sites(built_demo):
        card = json.loads((site / "verification.json").read_text("utf-8"))["candidate"]
        assert card["slug"] == site.name
        assert "@" not in json.dumps(card) and "email" not in json.dumps(card)
        assert candidate_from_card(card).slug == site.name


def test_candidate_card_round_trips_and_refuses_malformed_cards():
    candidate = Candidate("alice", "Alice", "enseignant", "X", "fr", (Pursuit("crcne", 1), Pursuit("c2i2e")),
                          unit="Nord", private={"email": "alice@example.org"})
    card = candidate_card(candidate)
    assert "alice@example.org" not in json.dumps(card)
    read = candidate_from_card(json.loads(json.dumps(card)))
    assert (read.slug, read.role, read.unit, read.frameworks) == ("alice", "enseignant", "Nord", candidate.frameworks)
    for broken in (None, [], {**card, "slug": ""}, {**card, "frameworks": [{"id": 3}]},
                   {**card, "frameworks": [{"id": "crcne", "mention": True}]}, {**card, "role": None}):
        assert candidate_from_card(broken) is None


def test_sites_file_skips_comments_and_blank_lines_and_refuses_an_empty_one(tmp_path: Path):
    path = sites_file(tmp_path, ["  site/a  ", "# not a site", "", "https://example.org/b/"])
    assert [(s.line, s.target) for s in read_sites_file(path)] == [(3, "site/a"), (6, "https://example.org/b/")]
    empty = sites_file(tmp_path, ["# nothing yet"])
    with pytest.raises(InputError) as error:
        read_sites_file(empty)
    assert error.value.problems[0].key == "report.sites.empty" and error.value.problems[0].file == empty


def test_report_from_sites_gives_the_workspace_report_figures(built_demo: Path, tmp_path: Path):
    listed = sites_file(tmp_path, relative_lines(built_demo, tmp_path)[::-1])  # any order
    from_sites = run(built_demo, "report", "--sites", str(listed))
    assert from_sites.returncode == 0, from_sites.stderr
    workspace = run(built_demo, "report")
    assert workspace.returncode == 0, workspace.stderr
    ours, theirs = json.loads(from_sites.stdout), json.loads(workspace.stdout)
    assert ours["candidates"] == theirs["candidates"] == len(sites(built_demo))
    assert ours["frameworks"].keys() == theirs["frameworks"].keys()
    for framework, summary in theirs["frameworks"].items():
        for figure in ("candidates", "certified", "certified_by_level", "items_most_often_missing"):
            assert ours["frameworks"][framework][figure] == summary[figure], (framework, figure)
        assert ours["frameworks"][framework]["mean_level_gain"] is None
    assert any(s["certified"] for s in theirs["frameworks"].values())  # something to agree on
    strip = lambda rows: [{k: v for k, v in row.items() if k not in UNAVAILABLE_ROW_FIELDS} for row in rows]
    assert strip(ours["rows"]) == strip(theirs["rows"])
    # The level of a joint-level framework rests on an external result the award cites.
    assert any(row["level"] for row in ours["rows"])
    # What sites cannot tell is said, never a silent zero.
    assert ours["pending_by_evaluator"] is None and ours["steering"] is None
    assert all(row["entry_level"] is None and row["level_gain"] is None for row in ours["rows"])
    unavailable = {"pending_by_evaluator", "entry_level", "level_gain", "mean_level_gain", "steering"}
    assert unavailable <= set(ours["unavailable"])
    assert all(ours["unavailable"].values()) and ours["unreadable"] == []


def test_report_from_sites_as_csv_and_filtered(built_demo: Path, tmp_path: Path):
    listed = sites_file(tmp_path, relative_lines(built_demo, tmp_path))
    ours = run(built_demo, "report", "--sites", str(listed), "--format", "csv", "--framework", "c2i2e")
    theirs = run(built_demo, "report", "--format", "csv", "--framework", "c2i2e")
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    rows, expected = (list(csv.DictReader(io.StringIO(r.stdout))) for r in (ours, theirs))
    assert rows and len(rows) == len(expected)
    for row, other in zip(rows, expected):
        assert {k: v for k, v in row.items() if k not in UNAVAILABLE_ROW_FIELDS} == \
               {k: v for k, v in other.items() if k not in UNAVAILABLE_ROW_FIELDS}
        assert row["entry_level"] == row["level_gain"] == "n/a"
    assert "entry_level: not available from published sites" in ours.stderr


def test_audit_from_sites_gives_the_workspace_audit_verdicts(built_demo: Path, tmp_path: Path):
    listed = sites_file(tmp_path, relative_lines(built_demo, tmp_path))
    from_sites = run(built_demo, "audit", "--sites", str(listed), "--json")
    workspace = run(built_demo, "audit", "--json")
    assert from_sites.returncode == workspace.returncode
    verdicts = lambda rows: {Path(r["file"]).name: (r["candidate"], r["kind"], r["status"], r["item"]) for r in rows}
    ours = verdicts(json.loads(from_sites.stdout)["credentials"])
    theirs = verdicts(json.loads(workspace.stdout))
    assert ours == theirs and len(ours) > 50


def test_a_listed_folder_that_is_not_a_site_is_reported_and_the_others_counted(built_demo: Path, tmp_path: Path):
    (tmp_path / "not-a-site").mkdir()
    listed = sites_file(tmp_path, ["not-a-site", "missing-folder", *relative_lines(built_demo, tmp_path)])
    report = run(built_demo, "report", "--sites", str(listed))
    assert report.returncode == 1
    data = json.loads(report.stdout)
    assert [(u["line"], u["target"], u["code"]) for u in data["unreadable"]] == [
        (3, "not-a-site", "report.sites.no_manifest"), (4, "missing-folder", "report.sites.no_folder")]
    assert data["candidates"] == len(sites(built_demo))
    audit = run(built_demo, "audit", "--sites", str(listed))
    assert audit.returncode == 1
    assert f"{listed}:3: not-a-site: not read: no verification.json" in audit.stderr
    assert audit.stdout.count("valid ") == len(json.loads(run(built_demo, "audit", "--json").stdout))


def test_a_tampered_credential_on_one_site_shows_invalid(built_demo: Path, tmp_path: Path):
    slug = "camille-martin"
    copy = Path(shutil.copytree(built_demo / "site" / slug, tmp_path / slug))
    manifest = json.loads((copy / "verification.json").read_text("utf-8"))
    # An item's credential, not the certificate: the file names are random UUIDs, and
    # taking the first failed the count below whenever the certificate sorted first.
    tampered, credential = next((path, data) for path, data in
                                ((copy / name, json.loads((copy / name).read_text("utf-8")))
                                 for name in manifest["credentials"])
                                if data["credentialSubject"]["achievement"]["achievementType"] == "Competency")
    credential["credentialSubject"]["achievement"]["name"] += " (edited)"
    tampered.write_text(json.dumps(credential), "utf-8")
    others = [line for line in relative_lines(built_demo, tmp_path) if not line.endswith(slug)]
    listed = sites_file(tmp_path, [slug, *others])
    audit = run(built_demo, "audit", "--sites", str(listed), "--json")
    assert audit.returncode == 1
    rows = json.loads(audit.stdout)["credentials"]
    bad = {Path(r["file"]).name: r for r in rows if r["status"] != "valid"}
    assert bad[tampered.name]["status"] == "invalid" and bad[tampered.name]["reason"]
    # Beside it, only the commission's award, which pins that credential's bytes.
    assert {(r["candidate"], r["kind"]) for name, r in bad.items() if name != tampered.name} <= \
           {(slug, "certificate"), (slug, "attestation")}
    # The report counts one item fewer for that candidate than the workspace does.
    ours = json.loads(run(built_demo, "report", "--sites", str(listed)).stdout)
    theirs = json.loads(run(built_demo, "report").stdout)
    validated = lambda data: {r["candidate"]: r["validated"] for r in data["rows"]}
    assert validated(ours)[slug] == validated(theirs)[slug] - 1


def test_a_url_without_allow_network_is_listed_unread(built_demo: Path, tmp_path: Path):
    url = "https://portfolios.example.org/camille-martin/"
    listed = sites_file(tmp_path, [url, *relative_lines(built_demo, tmp_path)[1:]])
    report = run(built_demo, "report", "--sites", str(listed))
    assert report.returncode == 1
    unread = json.loads(report.stdout)["unreadable"]
    assert unread == [{"line": 3, "target": url, "code": "report.sites.network",
                       "reason": "network not allowed: pass --allow-network"}]
    audit = run(built_demo, "audit", "--sites", str(listed), lang="fr")
    assert audit.returncode == 1 and "réseau non autorisé : ajoutez --allow-network" in audit.stderr


@pytest.mark.parametrize("command", ["report", "audit"])
def test_a_missing_or_empty_sites_file_is_bad_input(built_demo: Path, tmp_path: Path, command: str):
    missing = tmp_path / "no-such-list.txt"
    result = run(built_demo, command, "--sites", str(missing))
    assert result.returncode == 2 and "no-such-list.txt" in result.stderr and "cannot read" in result.stderr
    empty = sites_file(tmp_path, ["# nobody yet"])
    result = run(built_demo, command, "--sites", str(empty), lang="fr")
    assert result.returncode == 2 and "sites.txt" in result.stderr and "aucun site" in result.stderr


def test_steering_only_options_are_refused_with_sites(built_demo: Path, tmp_path: Path):
    listed = sites_file(tmp_path, relative_lines(built_demo, tmp_path))
    result = run(built_demo, "report", "--sites", str(listed), "--html", str(tmp_path / "dashboard"))
    assert result.returncode == 2 and "--html cannot be used with --sites" in result.stderr


def test_audit_sites_warns_of_a_status_index_held_by_two_credentials(built_demo: Path, tmp_path: Path):
    """Should a status bit be held by two credentials (the old shared list's random draws
    in candidate repositories; a signer's counter lost), revoking either would revoke
    both. audit --sites names them; with no such meeting it says nothing."""
    root = tmp_path / "institution"
    shutil.copytree(built_demo, root, symlinks=True)
    listed = sites_file(tmp_path, relative_lines(root, tmp_path))
    clean = run(root, "audit", "--sites", str(listed), "--json")
    assert json.loads(clean.stdout)["shared_status_indices"] == {}
    site = root / "site" / "camille-martin"
    published = sorted((site / "credentials").glob("*.json"))[0]
    status = json.loads(published.read_text("utf-8"))["credentialStatus"]
    index, signer = status["statusListIndex"], status["statusListCredential"].rsplit("/", 1)[1].removesuffix(".json")
    with (root / "status" / "allocations.tsv").open("a", encoding="utf-8") as ledger:
        # Another list's bit of the same number is another bit: no warning.
        ledger.write(f"{index}\turn:uuid:00000000-0000-4000-8000-00000000000a\t2026-03-20T10:00:00Z\n")
    assert json.loads(run(root, "audit", "--sites", str(listed), "--json").stdout)["shared_status_indices"] == {}
    with (root / "status" / "allocations.tsv").open("a", encoding="utf-8") as ledger:
        ledger.write(f"{index}\turn:uuid:00000000-0000-4000-8000-000000000000\t2026-03-20T10:00:00Z\t{signer}\n")
    warned = run(root, "audit", "--sites", str(listed))
    assert f"status index {signer}#{index} is held by several credentials" in warned.stderr
    assert published.name in warned.stderr and "urn:uuid:00000000-0000-4000-8000-000000000000" in warned.stderr
    shared = json.loads(run(root, "audit", "--sites", str(listed), "--json").stdout)["shared_status_indices"]
    assert list(shared) == [f"{signer}#{index}"]


def _forged(built_demo: Path, folder: Path, victim: str, claimed: str) -> Path:
    """`victim`'s site republished whole as `claimed`'s: only the unsigned card changes."""
    forged = Path(shutil.copytree(built_demo / "site" / victim, folder / "forged"))
    manifest = json.loads((forged / "verification.json").read_text("utf-8"))
    claimed_card = json.loads((built_demo / "site" / claimed / "verification.json").read_text("utf-8"))["candidate"]
    (forged / "verification.json").write_text(json.dumps({**manifest, "candidate": claimed_card}), "utf-8")
    return forged


@pytest.mark.parametrize("forged_first", [False, True])
def test_a_site_republishing_another_candidates_credentials_credits_no_one_twice(built_demo: Path, tmp_path: Path,
                                                                                 forged_first: bool):
    """Issue 28: camille's credentials and evidence republished as thomas's site. The
    card is unsigned; each credential's salted identity names camille, so thomas is
    credited with nothing and each credential counts once, whichever line comes first."""
    _forged(built_demo, tmp_path, "camille-martin", "thomas-lefevre")
    others = [line for line in relative_lines(built_demo, tmp_path) if not line.endswith("thomas-lefevre")]
    lines = ["forged", *others] if forged_first else [*others, "forged"]
    listed = sites_file(tmp_path, lines)
    forged_line = 3 + lines.index("forged")
    camille_line = 3 + next(i for i, line in enumerate(lines) if line.endswith("camille-martin"))
    report = run(built_demo, "report", "--sites", str(listed))
    assert report.returncode == 1
    data = json.loads(report.stdout)
    rows = {(r["candidate"], r["framework"]): r for r in data["rows"]}
    assert not any(r["certified"] or r["validated"] for (slug, _), r in rows.items() if slug == "thomas-lefevre")
    theirs = {(r["candidate"], r["framework"]): r for r in json.loads(run(built_demo, "report").stdout)["rows"]}
    assert rows["camille-martin", "c2i2e"]["validated"] == theirs["camille-martin", "c2i2e"]["validated"]
    assert data["frameworks"]["c2i2e"]["certified"] == json.loads(run(built_demo, "report").stdout)[
        "frameworks"]["c2i2e"]["certified"]
    findings = {s["line"]: {f["code"] for f in s["findings"]} for s in data["sites"]}
    assert findings[forged_line] == {"report.sites.subject.other", "report.sites.subject.shared_credential",
                                     "report.sites.subject.shared_subject"}
    assert findings[camille_line] == {"report.sites.subject.shared_credential", "report.sites.subject.shared_subject"}
    audit = run(built_demo, "audit", "--sites", str(listed), "--json")
    assert audit.returncode == 1
    credentials = json.loads(audit.stdout)["credentials"]
    valid = [Path(r["file"]).name for r in credentials if r["status"] == "valid"]
    assert len(valid) == len(set(valid)), "a credential counted on two sites"
    forged_rows = [r for r in credentials if "/forged/" in r["file"] or r["file"].startswith("forged")]
    assert forged_rows and {(r["candidate"], r["status"]) for r in forged_rows} == {("thomas-lefevre", "untrusted")}
    assert "about someone else" in forged_rows[0]["reason"]
    french = run(built_demo, "audit", "--sites", str(listed), lang="fr")
    assert "ne concernent pas thomas-lefevre" in french.stderr and "aussi publiées" in french.stderr
