"""The candidates' editor fits a phone (issue 32: no page of any kind scrolls sideways at
390 px, "the editor if built"): one page of each of its templates, so that a new one
cannot escape, in Debian's chromium at 390×844. Two of them are the guides' screenshots of
the editor (scripts/doc-images)."""

from __future__ import annotations

import pytest

from conftest import REPO, shoot_for_docs

from .test_security import ENTRY, PUBLIC_ENTRY, SLUG, editor, open_problems_page  # noqa: F401 - editor is a fixture

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PAGES = {  # template -> where the editor shows it
    "home.html": "/",
    "profile.html": "/profile/new",
    "candidate.html": f"/c/{SLUG}",
    "entry.html": f"/c/{SLUG}/entries/{PUBLIC_ENTRY}",
    "self_assessment.html": f"/c/{SLUG}/self-assessment/crcne",
    "decisions.html": f"/c/{SLUG}/decisions",
    "publish.html": f"/c/{SLUG}/publish",
    "problems.html": None,  # the answer to a refused post, made below
}
WIDTH = "() => document.documentElement.scrollWidth"
SHOWN = {"candidate.html": "editor-candidate", "entry.html": "editor-entry"}  # in docs/editor*.md


def test_every_editor_page_fits_a_phone(editor, browser):
    templates = {p.name for p in (REPO / "themes" / "editor").glob("*.html") if p.name != "base.html"}
    assert templates == set(PAGES), "a template of themes/editor/ is not visited here"
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(editor.url)  # the session's cookie
    wide = {}
    for template, path in PAGES.items():
        if path is None:
            continue
        page.goto(editor.origin + path)
        if page.evaluate(WIDTH) > PHONE["width"]:
            wide[template] = page.evaluate(WIDTH)
        if template in SHOWN:
            shoot_for_docs(page, SHOWN[template])
    page.goto(editor.origin + f"/c/{SLUG}/entries/{ENTRY}")
    open_problems_page(page)
    if page.evaluate(WIDTH) > PHONE["width"]:
        wide["problems.html"] = page.evaluate(WIDTH)
    context.close()
    assert wide == {}
