"""The review app on a phone (issue 32): its queue, a request's page and what a decision
wrote never scroll sideways at 390x844 in Debian's chromium. The first two are the
guides' screenshots of the review app, at 1280 and 390 px."""

from __future__ import annotations

import pytest

from conftest import shoot_for_docs

from .conftest import REFUSED_ITEM, SLUG

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_the_queue_and_a_request_fit_a_phone(review_app, browser):
    page = browser.new_page(viewport=PHONE)
    page.goto(review_app.url)
    group = page.locator(f'[data-candidate="{SLUG}"]')
    assert group.locator("tr[data-request]").count() == 1
    widths = {"queue": page.evaluate("document.documentElement.scrollWidth")}
    shoot_for_docs(page, "review-queue")
    group.locator("tr[data-request] a").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-action=validate]").count() > 0  # the request's page, with its form
    widths["request"] = page.evaluate("document.documentElement.scrollWidth")
    shoot_for_docs(page, "review-request")
    page.locator(f'[data-action="refuse"][data-item="{REFUSED_ITEM}"]').check()
    page.fill(f'[data-comment="{REFUSED_ITEM}"]', "Ajoutez une trace du travail des élèves.")
    page.click("[data-submit]")
    page.wait_for_load_state("load")
    assert page.locator(f'[data-written="refuse"][data-item="{REFUSED_ITEM}"]').count() == 1
    widths["batch"] = page.evaluate("document.documentElement.scrollWidth")  # what was written, git status
    assert widths == {"queue": 390, "request": 390, "batch": 390}
    page.close()
