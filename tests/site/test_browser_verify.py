"""The in-page verification of a built demo site, in Debian's chromium: real credentials
of both cryptosuites read "valid", credentials altered in the built site read "invalid"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sitefixtures import ARTIFACTS, route_institution, serve

pytestmark = pytest.mark.browser
SLUG = "sofia-benali"  # holds eddsa-jcs-2022 (her CRCNÉ validations) and eddsa-rdfc-2022 (her award) credentials


@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory) -> Path:
    """A private copy of the session's built demo (its institution folder is routed)."""
    return Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("demo") / "demo", symlinks=True))


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo):
    """A private copy of the demo's built site for SLUG, served over http (on another origin
    than the institution's domain, which chromium cannot reach unless a test routes it)."""
    folder = tmp_path_factory.mktemp("served") / SLUG
    shutil.copytree(demo / "site" / SLUG, folder)
    for url in serve(folder):
        yield folder, url


def credential_of(folder: Path, suite: str) -> Path:
    return next(p for p in sorted((folder / "credentials").glob("*.json"))
                if json.loads(p.read_text("utf-8"))["proof"][0]["cryptosuite"] == suite)


def jcs_credential(folder: Path) -> Path:
    return credential_of(folder, "eddsa-jcs-2022")


def verdicts(page) -> dict[str, str]:
    page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
    rows = page.locator("tr[data-credential]")
    return {rows.nth(i).get_attribute("data-credential"):
            rows.nth(i).locator("[data-pf-verify]").get_attribute("data-verdict") for i in range(rows.count())}


def test_verification_page_checks_every_credential(browser, site):
    folder, url = site
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + "verify/")
    found = verdicts(page)
    manifest = json.loads((folder / "verification.json").read_text("utf-8"))
    assert len(found) == len(manifest["credentials"])
    # Both suites' proofs are recomputed in the page, with the institution verifier's core.
    assert found[jcs_credential(folder).stem] == "valid"
    assert found[credential_of(folder, "eddsa-rdfc-2022").stem] == "valid"
    assert set(found.values()) == {"valid"}
    assert "Aucun problème" in page.locator("[data-pf-verify-summary]").inner_text()
    assert "commodité" in page.locator(".pf-caveat").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "verify-page.png"), full_page=True)


@pytest.mark.parametrize("reachable", [True, False], ids=["institution-reached", "institution-unreachable"])
def test_the_page_reads_the_institutions_files_and_says_when_it_cannot(browser, site, demo, reachable):
    """The institution's did.json, registry and status lists come from its own domain; when
    they cannot be read there, the host's copies, as `verify` offline reads them, and every
    verdict says so."""
    _, url = site
    page = browser.new_page()
    route_institution(page, demo / "site", reachable=reachable)
    page.goto(url + "verify/")
    assert set(verdicts(page).values()) == {"valid"}
    marked = page.locator("[data-pf-verify][data-checked-against=host-copy]")
    summary = page.locator("[data-pf-verify-summary]")
    if reachable:
        assert marked.count() == 0 and summary.get_attribute("data-checked-against") is None
    else:
        assert marked.count() == page.locator("[data-pf-verify]").count() > 0
        assert summary.get_attribute("data-checked-against") == "host-copy"
        assert "injoignable" in summary.locator(".pf-verdict__caveat").inner_text()
    page.close()


def test_credential_page_shows_its_verdict_and_qr(browser, site):
    folder, url = site
    uuid = jcs_credential(folder).stem
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + f"credentials/{uuid}/")
    page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
    assert page.locator("[data-pf-verify]").get_attribute("data-verdict") == "valid"
    qr = page.locator(".pf-qr img")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    # The credential's JSON, and beside it the same credential baked in a PNG and an SVG badge.
    downloads = [page.locator(".pf-qr a.pf-download").nth(i).get_attribute("href")
                 for i in range(page.locator(".pf-qr a.pf-download").count())]
    assert sorted(href.rsplit("/", 1)[-1] for href in downloads) == \
           sorted([f"{uuid}.json", f"{uuid}.badge.png", f"{uuid}.badge.svg"])
    page.screenshot(path=str(ARTIFACTS / "credential-page.png"), full_page=True)


def test_altered_credentials_read_invalid(browser, site):
    folder, url = site
    jcs, rdfc = jcs_credential(folder), credential_of(folder, "eddsa-rdfc-2022")
    originals = {path: path.read_bytes() for path in (jcs, rdfc)}
    altered = json.loads(originals[jcs])
    altered["credentialSubject"]["result"][0]["value"] = "4"  # a better level than signed
    jcs.write_text(json.dumps(altered, indent=2), "utf-8")
    altered = json.loads(originals[rdfc])
    altered["credentialSubject"]["achievement"]["name"] = "Autre chose"
    rdfc.write_text(json.dumps(altered, indent=2), "utf-8")
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "verify/")
        found = verdicts(page)
        # An award pins the validations it rests on by digest: it fails with them.
        citing = {p.stem for p in (folder / "credentials").glob("*.json")
                  if any(f"{altered.stem}.json" in str(e.get("id", ""))
                         for e in json.loads(p.read_text("utf-8")).get("evidence", []) for altered in (jcs, rdfc))}
        failing = {jcs.stem, rdfc.stem} | citing  # the altered award may itself cite the altered validation
        assert {u for u, verdict in found.items() if verdict == "invalid"} == failing
        assert page.locator("[data-pf-verify-summary]").get_attribute("data-failed") == str(len(failing))
        # The page is in the candidate's language (French): so is the reason.
        detail = page.locator(f'tr[data-credential="{rdfc.stem}"] .pf-verdict__detail').inner_text()
        assert detail.startswith("la signature ne correspond pas au contenu")
        page.screenshot(path=str(ARTIFACTS / "verify-page-tampered.png"), full_page=True)
    finally:
        for path, original in originals.items():
            path.write_bytes(original)


def test_matrix_printout_names_credentials(browser, site):
    _, url = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + "crcne/")
    page.emulate_media(media="print")
    printed = page.locator(".pf-print-url").first
    assert printed.is_visible() and "…" in printed.inner_text()
    assert page.locator(".pf-matrix-verify img").is_visible()
    page.pdf(path=str(ARTIFACTS / "matrix-print.pdf"))
    page.screenshot(path=str(ARTIFACTS / "matrix-print.png"), full_page=True)


def test_pages_run_under_the_content_security_policy_without_violations(browser, site):
    """Material and our scripts work with no inline script: search, verification, navigation."""
    _, url = site
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    for uri in ("", "verify/", "crcne/"):
        page.goto(url + uri)
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof __md_get") == "function"  # Material's helpers, now from a file
    page.goto(url + "verify/")
    verdicts(page)
    page.keyboard.press("s")  # Material's shortcut to the search box
    page.keyboard.type("crcne")
    page.wait_for_selector(".md-search-result__item", timeout=10000)  # the search worker runs
    assert violations == []
    page.close()


def test_verification_pages_refuse_to_be_framed(browser, site, tmp_path):
    """A <meta> CSP cannot say frame-ancestors: the frame guard keeps a framed page hidden."""
    folder, url = site
    credential = next((folder / "credentials").glob("*/index.html")).parent.name
    page = browser.new_page()
    page.set_content(f'<iframe sandbox="allow-scripts allow-same-origin" src="{url}verify/"></iframe>'
                     f'<iframe sandbox="allow-scripts allow-same-origin" src="{url}credentials/{credential}/">'
                     '</iframe>')
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
        assert frame.evaluate("getComputedStyle(document.body).display") == "none"
    page.close()
    top = browser.new_page()
    top.goto(url + "verify/")
    assert top.locator("h1").is_visible()  # not framed: shown
    top.goto(url)  # ordinary pages are not guarded (a school may embed a portfolio)
    assert top.evaluate("document.querySelector('link[href$=\"frame-guard.css\"]')") is None
    top.close()



def test_opened_from_disk_the_page_says_to_serve_it_in_its_language(browser, site):
    """file:// forbids reading the site's files: the page explains what to do, in French
    on a French site, instead of a bare "Failed to fetch" (issue 18)."""
    folder, _ = site
    page = browser.new_page()
    page.goto((folder / "verify" / "index.html").as_uri())
    found = verdicts(page)
    assert found and set(found.values()) == {"error"}
    detail = page.locator("[data-pf-verify] .pf-verdict__detail").first.inner_text()
    assert "portfolio-gen serve" in detail and "disque" in detail and "Failed to fetch" not in detail
    # the commission's award is labelled by its kind on the verification page
    kinds = page.locator(".pf-kind")
    assert kinds.count() == 1 and kinds.first.get_attribute("data-kind") in ("certificate", "attestation")
