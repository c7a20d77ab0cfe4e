"""The editor's protections (issue 31), those of the review app (`review.web`): a forged
post (no CSRF token, a wrong one, another origin) changes nothing; a Host that is not
loopback and a request without the session are refused; a path in an evidence file name,
a slug or an entry name never reaches the disk; a candidate's hostile Markdown is
neutralised in the live preview, by the sites' own sanitizer and by the page's CSP. And
what the page refuses as it is typed is never written, nor a request to an evaluator it
does not offer.
"""

from __future__ import annotations

import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from review.conftest import stop

from .conftest import start_editor

sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
from test_accessibility import violations  # noqa: E402 - axe_source: tests/editor/conftest.py

pytestmark = pytest.mark.browser
SLUG, ENTRY = "lea-petit", "2026-03-10-lecture"
PROFILE = """name: Léa Petit
role: etudiant-meef
institution: INSPÉ
language: fr
frameworks:
- id: crcne
  mention: 1
"""
ENTRY_TEXT = """---
title: Lecture
date: 2026-03-10
situation: professionnelle
claims: []
visibility: draft
---
Texte.
"""
PUBLIC_ENTRY, PUBLIC_TEXT = "2026-03-12-fluence", """---
title: Fluence
date: 2026-03-12
situation: professionnelle
phase: conception
claims:
- item: crcne:I1
  justification: Le lecteur audio.
visibility: public
---
Texte.
"""
HOSTILE = ("<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
           "[lien](javascript:document.title='pwned') <iframe src=\"https://example.org\"></iframe>")


@pytest.fixture(scope="module")
def editor(built_demo, tmp_path_factory):
    root = tmp_path_factory.mktemp("editor-security") / "demo"
    shutil.copytree(built_demo, root, ignore=shutil.ignore_patterns("site", "candidates"))
    folder = root / "candidates" / SLUG
    (folder / "entries").mkdir(parents=True)
    (folder / "candidate.yml").write_text(PROFILE, "utf-8")
    (folder / "entries" / f"{ENTRY}.md").write_text(ENTRY_TEXT, "utf-8")
    (folder / "entries" / f"{PUBLIC_ENTRY}.md").write_text(PUBLIC_TEXT, "utf-8")
    app = start_editor(root, "en")
    try:
        yield app
    finally:
        stop(app.process)


@pytest.fixture(scope="module")
def session(editor, browser):
    """A page holding the session's cookie, and the CSRF token its forms carry."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(editor.url)
    page.goto(editor.origin + f"/c/{SLUG}/entries/{ENTRY}")
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    yield context, page, csrf
    context.close()


def open_problems_page(page) -> None:
    """From an entry's page, ask again for an item nobody refused: the page of problems."""
    with page.expect_navigation():
        page.evaluate("""() => {
        const form = document.createElement("form");
        form.method = "post"; form.action = location.pathname.replace(/entries.*/, "ask-again");
        for (const [name, value] of [["csrf", document.querySelector("input[name=csrf]").value],
                                     ["entry", "2026-03-12-fluence"], ["item", "crcne:I9"], ["evaluator", "nobody"]]) {
            const input = document.createElement("input"); input.name = name; input.value = value; form.append(input);
        }
        document.body.append(form); form.submit();
    }""")
    assert page.locator("[data-page-problems]").count() == 1


def _files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".portfolio-gen" not in p.parts)


def _save(context, editor, csrf: str | None, origin: str | None = None, **extra):
    form = {"title": "Changée", "date": "2026-03-10", "situation": "professionnelle", "visibility": "draft",
            "body": "x", **extra}
    if csrf is not None:
        form["csrf"] = csrf
    return context.request.post(editor.origin + f"/c/{SLUG}/entries/{ENTRY}", multipart=form,
                                headers={"Origin": origin or editor.origin}, max_redirects=0)


@pytest.mark.parametrize("csrf, origin", [(None, None), ("wrong", None), ("right", "http://evil.example")],
                         ids=["no-token", "wrong-token", "other-origin"])
def test_a_forged_post_is_refused_and_writes_nothing(editor, session, csrf, origin):
    context, _, token = session
    before = (editor.root / "candidates" / SLUG / "entries" / f"{ENTRY}.md").read_text("utf-8")
    answer = _save(context, editor, token if csrf == "right" else csrf, origin)
    assert answer.status == 403
    assert (editor.root / "candidates" / SLUG / "entries" / f"{ENTRY}.md").read_text("utf-8") == before


def test_the_right_token_from_the_page_saves(editor, session):
    context, _, token = session
    answer = _save(context, editor, token, body="Texte relu.")
    assert answer.status == 303
    text = (editor.root / "candidates" / SLUG / "entries" / f"{ENTRY}.md").read_text("utf-8")
    assert "Texte relu." in text and "title: Changée" in text


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "192.168.1.10"])
def test_a_host_that_is_not_loopback_is_refused(editor, host):
    request = urllib.request.Request(editor.url, headers={"Host": host})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_without_the_session_nothing_is_served(editor):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(editor.origin + f"/c/{SLUG}", timeout=10)
    assert refused.value.code == 401


def _save_with_evidence(session, editor, name: str, mime: str, data: bytes):
    """The entry's form posted with one evidence file, as the page's file input sends it."""
    context, _, token = session
    return context.request.post(
        editor.origin + f"/c/{SLUG}/entries/{ENTRY}", headers={"Origin": editor.origin}, max_redirects=0,
        multipart={"csrf": token, "title": "Lecture", "date": "2026-03-10", "situation": "professionnelle",
                   "visibility": "draft", "body": "x", "evidence": {"name": name, "mimeType": mime, "buffer": data}})


@pytest.mark.parametrize("name", ["../../../evil.pdf", "..\\..\\evil.pdf", "/etc/evil.pdf", ".hidden.pdf",
                                  "C:evil.pdf", "evidence/../../evil.pdf"])
def test_a_path_in_an_evidence_file_name_is_refused(editor, session, name):
    before = _files(editor.root.parent)
    answer = _save_with_evidence(session, editor, name, "application/pdf", b"%PDF-1.4\n")
    assert answer.status == 422
    assert "holds a path" in answer.text()
    assert _files(editor.root.parent) == before


def test_a_file_that_is_not_what_its_name_says_is_refused(editor, session):
    before = _files(editor.root.parent)
    answer = _save_with_evidence(session, editor, "photo.png", "image/png", b"<html><script>x</script>")
    assert answer.status == 422 and "not what its extension says" in answer.text()
    assert _files(editor.root.parent) == before


@pytest.mark.parametrize("path", ["/c/..%2F..%2Fetc/profile", "/c/%2e%2e/profile", f"/c/{SLUG}/entries/..%2Fcandidate",
                                  f"/c/{SLUG}/entries/%2e%2e%2f%2e%2e%2fportfolio-gen",
                                  f"/c/{SLUG}/self-assessment/..%2F..%2Fevaluators",
                                  f"/c/{SLUG}/site/..%2F..%2F..%2Fetc%2Fpasswd", f"/c/{SLUG}/site/%2e%2e/%2e%2e/keys",
                                  "/static/..%2Feditor%2Fbase.html"])
def test_a_path_in_a_slug_or_name_is_refused(editor, session, path):
    context, _, _ = session
    answer = context.request.get(editor.origin + path, max_redirects=0)
    assert answer.status == 404, (path, answer.status)


def test_hostile_markdown_is_neutralised_in_the_live_preview(editor, session):
    context, page, token = session
    answer = context.request.post(editor.origin + f"/c/{SLUG}/check", headers={"Origin": editor.origin},
                                  form={"csrf": token, "entry": ENTRY, "title": "Lecture", "date": "2026-03-10",
                                        "situation": "professionnelle", "visibility": "draft", "body": HOSTILE})
    preview = answer.json()["preview"]
    for forbidden in ("<script", "onerror", "javascript:", "<iframe"):
        assert forbidden not in preview
    # In the page: the preview is updated as typed, and nothing of it runs.
    page.goto(editor.origin + f"/c/{SLUG}/entries/{ENTRY}")
    title = page.title()
    page.fill('[name="body"]', HOSTILE + "\n\n**gras**")
    page.locator("[data-preview] strong").wait_for()
    assert page.title() == title != "pwned"
    assert page.locator("[data-preview] script, [data-preview] iframe, [data-preview] [onerror]").count() == 0


def test_every_answer_carries_the_csp(editor, session):
    context, _, _ = session
    headers = context.request.get(editor.origin + f"/c/{SLUG}").headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_an_invalid_entry_is_never_written_and_its_problems_sit_beside_their_fields(editor, session):
    _, page, _ = session
    path = editor.root / "candidates" / SLUG / "entries" / f"{ENTRY}.md"
    before = path.read_text("utf-8")
    page.goto(editor.origin + f"/c/{SLUG}/entries/{ENTRY}")
    page.select_option("#phase", "mise-en-oeuvre")
    page.check('[name="claims"][value="crcne:I1"]')  # an item of the conception phase
    live = page.locator('[data-problems-for="claims"] li')
    live.first.wait_for()  # as typed, before anything is saved
    assert "crcne:I1" in live.first.inner_text() and "mise-en-oeuvre" in live.first.inner_text()
    page.click('form[data-form="entry"] [data-action="save"]')
    page.wait_for_load_state("load")
    assert "crcne:I1" in page.locator('[data-problems-for="claims"]').inner_text()
    assert page.locator('[name="claims"][value="crcne:I1"]').is_checked()  # what was typed stays in the form
    assert path.read_text("utf-8") == before


@pytest.mark.parametrize("evaluator", ["jean-leroy", "nobody"])
def test_a_request_to_an_evaluator_the_page_does_not_offer_is_refused(editor, session, evaluator):
    context, page, token = session
    page.goto(editor.origin + f"/c/{SLUG}/entries/{PUBLIC_ENTRY}")
    assert page.locator('[name="evaluator"] option').all_inner_texts() == ["Marie Dupont"]
    answer = context.request.post(editor.origin + f"/c/{SLUG}/entries/{PUBLIC_ENTRY}/request", max_redirects=0,
                                  headers={"Origin": editor.origin}, form={"csrf": token, "evaluator": evaluator})
    assert answer.status == 422
    assert evaluator in answer.text()
    assert not (editor.root / "candidates" / SLUG / "requests").exists()


def test_the_pages_the_journey_does_not_meet_have_no_wcag21_aa_violation(editor, browser, axe_source):
    """Refusals and empty states: a profile with errors, an entry with errors, no decision
    yet, a workspace that is not a git repository, the problems page."""
    context = browser.new_context(bypass_csp=True, locale="en-GB")  # axe is injected into the page
    page = context.new_page()
    page.goto(editor.url)
    found = {}

    def audit(name):
        problems = violations(page, axe_source)
        if problems:
            found[name] = problems

    page.goto(editor.origin + "/profile/new")
    page.fill("#name", "Zoé Durand")
    page.fill("#institution", "INSPÉ")
    page.click('[data-action="save"]')  # no framework
    page.wait_for_load_state("load")
    assert page.locator(".ed-error").count() >= 1
    audit("profile with errors")
    page.goto(editor.origin + f"/c/{SLUG}/entries/{ENTRY}")
    page.select_option("#phase", "mise-en-oeuvre")
    page.check('[name="claims"][value="crcne:I1"]')
    page.click('form[data-form="entry"] [data-action="save"]')
    page.wait_for_load_state("load")
    audit("entry with errors")
    for path in (f"/c/{SLUG}/decisions", f"/c/{SLUG}/publish", f"/c/{SLUG}/entries/{PUBLIC_ENTRY}"):
        page.goto(editor.origin + path)
        audit(path)
    open_problems_page(page)
    audit("problems")
    context.close()
    assert found == {}


def test_the_profile_says_what_is_missing_as_it_is_typed_and_writes_nothing_invalid(editor, session):
    _, page, _ = session
    before = _files(editor.root.parent)
    page.goto(editor.origin + "/profile/new")
    page.fill("#name", "Zoé Durand")
    page.fill("#institution", "INSPÉ")
    page.check("#fw-crcne")  # CRCNÉ is organised by mention: none chosen yet
    live = page.locator('[data-problems-for="frameworks"] li')
    live.first.wait_for()
    assert "mention" in live.first.inner_text()
    page.click('[data-action="save"]')
    page.wait_for_load_state("load")
    assert "mention" in page.locator('[data-problems-for="frameworks"]').inner_text()
    assert _files(editor.root.parent) == before

