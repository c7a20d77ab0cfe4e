"""Credentials in the built sites: published byte for byte with a page and a QR code, the
matrix drawn from the credentials that count, the verifier's files, the fast skip."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest


from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.site.builder import BUILT, SKIPPED, build_cohort
from portfolio_gen.site.credentials import qr_svg

SLUG = "camille-martin"


@pytest.fixture
def workspace(built_demo, tmp_path) -> Path:
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


def html(site: Path, uri: str) -> str:
    return (site / uri).read_text("utf-8")


def test_each_credential_is_published_byte_for_byte_with_page_and_qr(built_demo):
    site = built_demo / "site" / SLUG
    sources = sorted((built_demo / "candidates" / SLUG / "credentials").glob("*.json"))
    assert len(sources) == 27
    manifest = json.loads((site / "verification.json").read_text("utf-8"))
    assert sorted(manifest["credentials"]) == [f"credentials/{p.name}" for p in sources]
    for source in sources:
        assert (site / "credentials" / source.name).read_bytes() == source.read_bytes()
        page = html(site, f"credentials/{source.stem}/index.html")
        assert 'data-status="valid"' in page and "data-pf-verify" in page
        assert (site / "credentials" / f"{source.stem}.svg").read_text("utf-8").startswith("<?xml")
    for name in ("did.json", "registry.json", "status/revocation-list.json"):
        assert (site / name).read_bytes() == (built_demo / name).read_bytes()
        assert (built_demo / "site" / name).read_bytes() == (built_demo / name).read_bytes()
    assert (built_demo / "site" / ".well-known" / "did.json").read_bytes() == (built_demo / "did.json").read_bytes()
    assert json.loads((site / "presentation.json").read_text("utf-8"))["type"] == ["VerifiablePresentation"]
    assert "pf-verify" in html(site, "verify/index.html")


def test_matrix_shows_validated_only_what_a_counting_credential_says(built_demo):
    matrix = html(built_demo / "site" / SLUG, "c2i2e/index.html")
    validated = matrix.count('data-state="validated"')
    counted = sum(1 for p in (built_demo / "candidates" / SLUG / "credentials").glob("*.json")
                  if '"humanCode": "c2i2e:' in p.read_text("utf-8"))
    assert validated == counted > 0
    assert 'class="pf-print-only pf-print-url"' in matrix and "verify-qr.svg" in matrix


def _target_code(credential: Path) -> str:
    return json.loads(credential.read_text("utf-8"))["credentialSubject"]["achievement"]["alignment"][0]["targetCode"]


def test_a_claim_without_a_counting_credential_is_not_validated(workspace):
    folder = workspace / "candidates" / SLUG / "credentials"
    # An item the public sees claimed: one claimed only in a private entry shows as missing.
    public_claims = {claim.item for entry in load_workspace(workspace).candidate(SLUG).public_entries
                     for claim in entry.claims if claim.framework == "c2i2e"}
    victim, code = next((p, c) for p in sorted(folder.glob("*.json")) if '"humanCode": "c2i2e:' in p.read_text("utf-8")
                        for c in [_target_code(p)] if c in public_claims)
    victim.unlink()
    # Another candidate's credential copied here: verified, but not about this candidate.
    other = next((workspace / "candidates" / "julien-moreau" / "credentials").glob("*.json"))
    shutil.copyfile(other, folder / other.name)
    results = build_cohort(workspace, [SLUG], workspace / "site", jobs=1)
    assert [r.status for r in results] == [BUILT]
    matrix = html(workspace / "site" / SLUG, "c2i2e/index.html")
    row = matrix.split(f'data-item="{code}"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-state="claimed"')
    page = html(workspace / "site" / SLUG, f"credentials/{other.stem}/index.html")
    assert 'data-status="untrusted"' in page


def test_unchanged_sites_are_skipped_and_trust_files_trigger_a_rebuild(workspace):
    output = workspace / "site"
    assert {r.status for r in build_cohort(workspace, None, output, jobs=1)} == {SKIPPED}  # as the demo left it
    registry = workspace / "registry.json"
    stat = registry.stat()
    os.utime(registry, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert {r.status for r in build_cohort(workspace, None, output, jobs=1)} == {BUILT}


def test_qr_codes_are_standalone_svg():
    svg = qr_svg("https://portfolios.example.org/x/credentials/y.json")
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
