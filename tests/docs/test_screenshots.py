"""Screenshots of the real pages for the guides, taken in Debian's chromium from the demo:
every page kind, at a desktop's width (1280 px: NAME.png) and a phone's (390 px:
NAME-390.png), issue 32.

They land in the run's artifacts (docs-images/) on every run; `scripts/doc-images` runs
this module, the review app's (tests/review/test_review_mobile.py) and the editor's
(tests/editor/test_editor_mobile.py) with
PORTFOLIO_GEN_SCREENSHOTS=1 to refresh the committed ones in docs/images/, so the pictures
in the guides follow the product.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import DOC_IMAGE_SIZES, shoot_for_docs

sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
from sitefixtures import route_institution, serve  # noqa: E402

DOCS = Path(__file__).parents[2] / "docs"
SLUG = "camille-martin"
# Each page kind of the candidate's and the institution's sites: where it is in the demo,
# and what it must show before it is taken ({certificate}: Camille's certificate's page).
PAGES = {
    "site-home": (f"{SLUG}/", "h1"),
    "site-matrix": (f"{SLUG}/c2i2e/", "tr.pf-row[data-state=validated]"),
    "site-item": (f"{SLUG}/c2i2e/b2-3/", ".pf-item-state"),
    "site-entry": (f"{SLUG}/entries/2025-10-14-sequence-sig-5e/", "h1"),
    "site-diagnostic": (f"{SLUG}/c2i2e/diagnostic/", ".pf-chart svg"),
    "site-credentials": (f"{SLUG}/credentials/", "table.pf-credentials"),
    "site-credential": ("{certificate}", "h1"),
    "site-verify": (f"{SLUG}/verify/", "[data-pf-verify]"),
    "institution-home": ("", "h1"),
    "institution-framework": ("referentiels/c2i2e/", "h1"),
    "institution-item": ("referentiels/c2i2e/B2.3/", "h1"),
    "institution-award": ("referentiels/c2i2e/certification/", "h1"),
    "institution-verifier": (f"verify/?url={{base}}{SLUG}/", "[data-pf-headline]"),
}
DASHBOARD = {"dashboard": "index.html", "dashboard-framework": "framework-c2i2e.html"}


@pytest.fixture(scope="module")
def site_url(built_demo: Path):
    yield from serve(built_demo / "site")


def _certificate(site: Path) -> str:
    for path in sorted((site / "credentials").glob("*.json")):
        if json.loads(path.read_text("utf-8"))["credentialSubject"]["achievement"]["achievementType"] == "Certificate":
            return f"{SLUG}/credentials/{path.stem}/"
    raise AssertionError("the demo's Camille has no certificate")


@pytest.mark.browser
def test_screenshots_of_every_page_kind(browser, built_demo, site_url):
    site = built_demo / "site"
    page = browser.new_page()
    route_institution(page, site)  # the candidate's pages check against the institution's files
    taken = []
    for name, (path, shows) in PAGES.items():
        page.goto(site_url + path.format(base=site_url, certificate=_certificate(site / SLUG)))
        page.locator(shows).first.wait_for()
        if page.locator("[data-pf-verify], [data-pf-verifier]").count():  # verdicts shown, not "checking…"
            page.wait_for_selector("html[data-pf-verified=done]", state="attached", timeout=120000)
        taken += shoot_for_docs(page, name)
    assert page.locator("[data-pf-holder]").inner_text() == "Portfolio de Camille Martin"
    page.close()
    assert sorted(taken) == sorted(f"{name}{suffix}.png" for name in PAGES for suffix in DOC_IMAGE_SIZES)


@pytest.mark.browser
def test_screenshots_of_the_dashboard(browser, tmp_path):
    from portfolio_gen.decisions.steering import assess_cohort
    from portfolio_gen.site.dashboard import write_dashboard
    from steering_cohort import AWARDS, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS

    cohort = assess_cohort(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, AWARDS)
    write_dashboard(tmp_path, cohort, FRAMEWORKS, today=TODAY, language="fr", institution="INSPÉ de démonstration")
    page = browser.new_page()
    for name, file in DASHBOARD.items():
        page.goto((tmp_path / file).as_uri())
        page.locator("[data-figure=summary]").wait_for()
        shoot_for_docs(page, name)
    page.close()


def test_every_image_the_docs_show_is_committed():
    shown = {match for page in DOCS.rglob("*.md")
             for match in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text("utf-8"))}
    missing = [image for image in shown if not (DOCS / "guides" / image).resolve().is_file()
               and not (DOCS / image).resolve().is_file()]
    assert shown and missing == []


def test_the_docs_show_each_page_kind_at_both_widths():
    """Issue 32: each screenshot this module takes is shown by a page of the docs."""
    shown = {Path(match).name for page in DOCS.rglob("*.md")
             for match in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text("utf-8"))}
    expected = {f"{name}{suffix}.png" for name in [*PAGES, *DASHBOARD, "review-queue", "review-request",
                                                   "editor-candidate", "editor-entry"]
                for suffix in DOC_IMAGE_SIZES}
    assert sorted(expected - shown) == []
