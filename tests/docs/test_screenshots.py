"""Screenshots of the real pages for the guides, taken in Debian's chromium from the demo.

They land in test-artifacts/docs-images/ on every run; `scripts/doc-images` runs this
module with PORTFOLIO_GEN_DOC_IMAGES=docs/images to refresh the committed ones, so the
pictures in the guides follow the product.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
from sitefixtures import ARTIFACTS, serve  # noqa: E402

DOCS = Path(__file__).parents[2] / "docs"
SLUG = "camille-martin"


@pytest.fixture(scope="module")
def site_url(built_demo: Path):
    yield from serve(built_demo / "site" / SLUG)


def _target() -> Path:
    folder = Path(os.environ.get("PORTFOLIO_GEN_DOC_IMAGES") or ARTIFACTS / "docs-images")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.browser
def test_screenshots_of_the_candidate_site(browser, site_url):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(site_url)
    assert page.locator("h1").first.inner_text() == "Camille Martin"
    page.screenshot(path=str(_target() / "site-home.png"))
    page.goto(site_url + "c2i2e/")
    assert page.locator("tr.pf-row[data-state=validated]").count() > 0
    page.screenshot(path=str(_target() / "site-matrix.png"))
    page.close()


def test_every_image_the_docs_show_is_committed():
    shown = {match for page in DOCS.rglob("*.md")
             for match in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text("utf-8"))}
    missing = [image for image in shown if not (DOCS / "guides" / image).resolve().is_file()
               and not (DOCS / image).resolve().is_file()]
    assert shown and missing == []
