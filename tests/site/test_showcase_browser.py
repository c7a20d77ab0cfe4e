"""The verdict banner, the copy-link button and the printed credential page, in Debian's
chromium (issue 32): the banner says the browser's own verdict, valid or, for a file altered
after the build, « invalide » alone; the copy button puts the page's address on the
clipboard; a certificate's page printed from the browser fits on one A4 sheet."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from sitefixtures import serve

pytestmark = pytest.mark.browser
SLUG = "sofia-benali"  # eddsa-jcs-2022 validations and an eddsa-rdfc-2022 certificate


@pytest.fixture(scope="module")
def site(built_demo, tmp_path_factory):
    """A private copy of the built demo's site for SLUG (tests alter files in it)."""
    folder = tmp_path_factory.mktemp("showcase") / SLUG
    shutil.copytree(built_demo / "site" / SLUG, folder)
    for url in serve(folder):
        yield folder, url


def credentials_of(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((folder / "credentials").glob("*.json"))}


def award_of(folder: Path) -> str:
    return next(uuid for uuid, c in credentials_of(folder).items()
                if c["credentialSubject"]["achievement"].get("achievementType") in ("Certificate", "Attestation"))


def validation_of(folder: Path) -> str:
    return next(uuid for uuid, c in credentials_of(folder).items() if c["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
                and c["credentialSubject"]["achievement"].get("achievementType") not in ("Certificate", "Attestation"))


def checked_banner(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
    return page, page.locator("section.pf-banner")


@pytest.mark.parametrize("kind", ["validation", "award"])
def test_the_banner_says_the_browsers_verdict_valid_then_invalid_once_altered(browser, site, kind):
    folder, url = site
    uuid = validation_of(folder) if kind == "validation" else award_of(folder)
    page, banner = checked_banner(browser, f"{url}credentials/{uuid}/")
    assert (banner.get_attribute("data-verdict"), banner.get_attribute("data-checked")) == ("valid", "browser")
    assert banner.locator("[data-pf-banner-built]").is_hidden()  # one verdict, not two
    assert banner.locator(".pf-banner__verdict").inner_text().lower().startswith("valide")
    page.close()
    path = folder / "credentials" / f"{uuid}.json"
    original = path.read_bytes()
    altered = json.loads(original)
    altered["credentialSubject"]["achievement"]["name"] = "Autre chose"
    path.write_text(json.dumps(altered, indent=2), "utf-8")
    try:
        page, banner = checked_banner(browser, f"{url}credentials/{uuid}/")
        assert banner.get_attribute("data-verdict") == "invalid"
        verdict = banner.locator(".pf-banner__verdict").inner_text().lower()
        assert verdict.startswith("invalide") and "construction" not in verdict
        assert banner.locator("[data-pf-banner-built]").is_hidden()  # the build said valid: no longer shown
        colour = banner.evaluate("b => getComputedStyle(b).borderLeftColor")
        assert colour == "rgb(185, 28, 28)"  # the red of every failed verdict, not the valid green
        page.close()
    finally:
        path.write_bytes(original)


def test_the_copy_button_puts_the_pages_address_on_the_clipboard(browser, site):
    folder, url = site
    uuid = award_of(folder)
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{url}credentials/{uuid}/")
    button = page.locator("button[data-pf-copy]")
    button.click()  # shown by assets/share.js (hidden without JavaScript)
    page.wait_for_selector("button[data-pf-copied=true]")
    assert page.evaluate("navigator.clipboard.readText()") == f"https://portfolios.example.org/{SLUG}/credentials/{uuid}/"
    assert page.locator("[data-pf-copy-status]").inner_text() == "Lien copié"
    context.close()


def test_a_certificates_page_printed_from_the_browser_fits_on_one_sheet(browser, site):
    from pypdf import PdfReader

    folder, url = site
    page = browser.new_page()
    page.goto(f"{url}credentials/{award_of(folder)}/")
    page.emulate_media(media="print")
    assert page.locator("section.pf-banner").is_visible() and page.locator(".pf-share").is_hidden()
    printed = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(printed.pages) == 1
    assert "Sofia" in printed.pages[0].extract_text()
    page.close()
