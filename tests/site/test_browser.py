"""A reader's path through a built site in Debian's chromium: home, matrix, item, entry, evidence."""

from __future__ import annotations

import hashlib

import pytest

from portfolio_gen.site.builder import BUILT, build_cohort
from sitefixtures import ARTIFACTS, make_workspace, serve, validations_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("browser") / "ws")
    assert build_cohort(root, ["alice-durand"], root / "site", validations=validations_for)[0].status == BUILT
    yield from serve(root / "site" / "alice-durand")


def test_reader_goes_from_home_to_evidence(browser, site_url, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(site_url)
    assert page.locator("h1").first.inner_text() == "Alice Durand"
    card = page.locator(".pf-progress__card[data-framework=mini]")
    assert "1 / 3" in card.locator("[data-figure=validated]").inner_text()

    card.locator("h3 a").click()
    page.wait_for_url("**/mini/")
    rows = page.locator("tr.pf-row")
    assert rows.count() == 3
    m1 = page.locator("tr[data-item=M1]")
    assert "Validé" in m1.inner_text() and "Jury INSPÉ de test" in m1.inner_text()
    assert m1.locator(".pf-mandatory").is_visible()
    assert "Manquant" in page.locator("tr[data-item=M3]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "matrix-desktop.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".md-sidebar--primary").is_visible()  # the jury's printout has no navigation
    page.emulate_media(media="screen")

    m1.locator("th a").click()
    page.wait_for_url("**/mini/m1/")
    assert "M1" in page.locator("h1").inner_text()
    page.locator(".pf-claim__title a").first.click()
    page.wait_for_url("**/entries/sequence-sig/")
    assert page.locator("h1").inner_text() == "Séquence SIG publique"
    image = page.locator("img[alt='Carte mentale']")
    assert image.is_visible() and image.evaluate("img => img.complete && img.naturalWidth > 0")

    link = page.locator("a.pf-download")
    shown_hash = link.locator("xpath=..").locator("code").inner_text()
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "download"
    download_info.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == shown_hash
    page.close()


def test_matrix_reads_on_a_phone(browser, site_url):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(site_url + "mini/")
    row = page.locator("tr[data-item=M2]")
    assert row.bounding_box()["width"] <= 390  # one card per item, no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "matrix-phone.png"), full_page=True)
    page.close()
