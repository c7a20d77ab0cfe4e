"""Built sites, read back with an HTML parser: matrix, entries, evidence, privacy."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from portfolio_gen.site.builder import BUILT, build_cohort

from sitefixtures import PNG, REPO, SECRETS, make_workspace, validations_for
from htmltree import parse

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_workspace(tmp_path_factory.mktemp("built") / "ws")
    results = build_cohort(root, output=root / "site", jobs=2, validations=validations_for)
    assert [r.status for r in results] == [BUILT, BUILT], results
    return root / "site"


def rows(site: Path, framework: str) -> dict:
    page = parse(site / "alice-durand" / framework / "index.html")
    return {row.attrs["data-item"]: row for row in page.find_all("tr", cls="pf-row")}


def test_matrix_lists_every_item_in_framework_order_with_its_state(built):
    matrix = rows(built, "mini")
    assert list(matrix) == ["M1", "M2", "M3"]
    assert {code: row.attrs["data-state"] for code, row in matrix.items()} == \
        {"M1": "validated", "M2": "claimed", "M3": "missing"}


def test_matrix_says_who_validated_and_marks_mandatory_items(built):
    matrix = rows(built, "mini")
    assert "Jury INSPÉ de test" in matrix["M1"].find(cls="pf-validation").text
    assert matrix["M1"].find_all(cls="pf-mandatory") and not matrix["M2"].find_all(cls="pf-mandatory")
    assert "Validé" in matrix["M1"].find(cls="pf-state").text  # French UI for a French candidate


def test_matrix_shows_validated_level_and_links_claiming_entries(built):
    crcne = rows(built, "crcne")
    assert "Avancé" in crcne["I1"].find(cls="pf-validation").text
    links = crcne["I1"].find(cls="pf-row__entries").find_all("a")
    assert [a.text for a in links] == ["Séquence SIG publique"]
    assert (built / "alice-durand" / "crcne" / links[0].attrs["href"] / "index.html").resolve().is_file()
    assert crcne["I8"].attrs["data-state"] == "missing"


def test_home_shows_progress_per_framework(built):
    home = parse(built / "alice-durand" / "index.html")
    card = home.find(cls="pf-progress__card", data_framework="mini")
    figures = {dd.attrs["data-figure"]: dd.text for dd in card.find_all("dd")}
    assert figures["claimed"] == "2 / 3" and figures["validated"] == "1 / 3"
    assert "2 items" in figures["required"]
    crcne = home.find(cls="pf-progress__card", data_framework="crcne")
    level = crcne.find("dd", data_figure="level").text
    assert "en attente" in level  # Pix+Édu, the external input, is not there yet
    assert "Professeure" in home.text and "stagiaire" in home.find("strong").text  # bio rendered as Markdown


def test_entry_page_links_items_and_evidence_with_hashes(built):
    page = parse(built / "alice-durand" / "entries" / "sequence-sig" / "index.html")
    claims = {li.attrs["data-item"]: li for li in page.find_all("li", cls=None) if "data-item" in li.attrs}
    assert set(claims) == {"mini:M1", "mini:M2", "crcne:I1"}
    item_href = claims["mini:M1"].find("a").attrs["href"]
    assert (built / "alice-durand" / "entries" / "sequence-sig" / item_href / "index.html").resolve() == \
        (built / "alice-durand" / "mini" / "m1" / "index.html").resolve()
    image = page.find("img", alt="Carte mentale")
    image_file = (built / "alice-durand" / "entries" / "sequence-sig" / image.attrs["src"]).resolve()
    assert image_file.read_bytes() == PNG
    hashes = [code.attrs["data-sha256"] for code in page.find_all("code") if "data-sha256" in code.attrs]
    assert hashlib.sha256(PNG).hexdigest() in hashes
    download = page.find("a", cls="pf-download")
    copied = (built / "alice-durand" / "entries" / "sequence-sig" / download.attrs["href"]).resolve()
    assert copied.name == "fiche.md.txt"  # served as a file, never rendered as a page
    assert hashlib.sha256(copied.read_bytes()).hexdigest() in hashes
    assert page.find("a", cls="pf-link").attrs["href"] == "https://example.org/padlet"
    assert "PUBLIC-REFLECTION" in page.text and "Conception" in page.text


def test_item_page_lists_evidence_across_entries(built):
    page = parse(built / "alice-durand" / "mini" / "m1" / "index.html")
    claim = page.find("section", cls="pf-claim")
    assert claim.attrs["data-entry"] == "sequence-sig"
    assert "PUBLIC-JUSTIFICATION" in claim.text
    assert claim.find_all("img") and claim.find_all("a", cls="pf-download")
    assert "Critère un" in page.text


def test_english_candidate_gets_english_ui(built):
    page = parse(built / "bob-smith" / "mini" / "index.html")
    assert page.find("html").attrs["lang"] == "en"
    assert "Competence matrix" in page.text and "Claimed" in page.text


def test_no_draft_private_or_email_in_any_output_file(built):
    output_files = [p for p in built.rglob("*") if p.is_file()]
    assert len(output_files) > 20
    # The vendored verifier bundle, copied as it is, carries JSON-LD contexts' examples.
    vendored = {(REPO / "themes/portfolio/assets" / name).read_bytes()
                for name in ("verify-core.js", "verify-core.LICENSES.txt")}
    for path in output_files:
        data = path.read_bytes()
        if data in vendored:
            continue
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} leaked into {path}"
        assert not EMAIL.search(data), f"e-mail address in {path}: {EMAIL.search(data).group()}"
    assert not list(built.glob("alice-durand/**/draft-only*"))


def test_search_index_covers_generated_pages(built):
    index = (built / "alice-durand" / "search" / "search_index.json").read_text("utf-8")
    assert "PUBLIC-BODY-TEXT" in index and "Item obligatoire" in index
