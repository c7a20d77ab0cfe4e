"""The issue's "done when": a candidate goes from nothing to a validated item in the page,
with no file edited by hand, in French and in English (issue 31).

Profile; an entry with two claims and two traces (a PDF picked, a PNG dropped); a self-assessment; a
request; a refusal by the evaluator in the review app; the entry improved and asked again;
the validation; the site previewed; published (a commit); `verify` passes on the built
site. axe-core finds no WCAG 2.1 AA violation on any editor page met on the way.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
from test_accessibility import violations  # noqa: E402 - axe_source: tests/editor/conftest.py

pytestmark = pytest.mark.browser
ITEMS = ("crcne:I1", "crcne:I2")
PEOPLE = {"fr": ("Léa Martin", "lea-martin", "Remédiation en lecture", "Commit attendu"),
          "en": ("Sam Taylor", "sam-taylor", "Reading remediation", "Expected commit")}
COMMENT = {"fr": "Ajoutez la grille d'observation des élèves.", "en": "Add the pupils' observation grid."}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _load(page) -> None:
    page.wait_for_load_state("load")


def _accessible(page, axe: str, seen: dict) -> None:
    found = violations(page, axe)
    if found:
        seen[page.url] = found


def _review(reviewer, browser, slug: str, decide, requests: int) -> None:
    """Open the candidate's first `requests` waiting requests in the review app and decide them."""
    page = browser.new_page(locale="en-GB")
    page.goto(reviewer.url)
    for _ in range(requests):
        rows = page.locator(f'[data-candidate="{slug}"] tr[data-request] a')
        if rows.count() == 0:
            break
        rows.first.click()
        _load(page)
        decide(page)
        page.click("[data-submit]")
        _load(page)
        page.goto(reviewer.origin + "/")
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_candidate_goes_from_nothing_to_a_validated_item_in_the_page(lang, editors, reviewer, browser,
                                                                       axe_source, tmp_path):
    root = editors[lang].root
    name, slug, title, _ = PEOPLE[lang]
    folder = root / "candidates" / slug
    context = browser.new_context(bypass_csp=True, locale="fr-FR" if lang == "fr" else "en-GB")
    page = context.new_page()
    seen: dict = {}

    # The profile, from the home page.
    page.goto(editors[lang].url)
    _accessible(page, axe_source, seen)
    page.click('[data-action="new-profile"]')
    _load(page)
    _accessible(page, axe_source, seen)
    page.fill("#name", name)
    page.select_option("#role", "stagiaire")
    page.fill("#institution", "INSPÉ")
    page.fill("#email", f"{slug}@example.fr")
    page.check("#fw-crcne")
    page.select_option("#mention-crcne", "1")
    page.click('[data-action="save"]')
    _load(page)
    profile = yaml.safe_load((folder / "candidate.yml").read_text("utf-8"))
    assert profile["frameworks"] == [{"id": "crcne", "mention": 1}] and profile["private"]["email"]
    _accessible(page, axe_source, seen)
    page.goto(editors[lang].origin + f"/c/{slug}/profile")
    assert page.input_value("#name") == name
    _accessible(page, axe_source, seen)
    page.goto(editors[lang].origin + f"/c/{slug}")

    # An entry: two claims, a PDF and a PNG, its body previewed as typed.
    page.click('[data-action="new-entry"]')
    _load(page)
    page.fill('[name="title"]', title)
    page.fill('[name="date"]', "2026-03-10")
    page.select_option("#phase", "conception")
    page.fill('[name="body"]', "Trois séances de **remédiation**.")
    page.locator("[data-preview] strong").wait_for()
    for ref in ITEMS:
        page.check(f'[name="claims"][value="{ref}"]')
        page.fill(f'[name="justification:{ref}"]', f"Justification {ref}")
    pdf = tmp_path / "Grille séance 1.pdf"
    pdf.write_bytes(PDF)
    png = root.parent / "fluence-avant-apres.png"
    page.set_input_files('[name="evidence"]', [str(pdf)])  # the picker, then the PNG dropped beside it
    page.evaluate("""([name, bytes]) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, {type: "image/png"}));
        document.querySelector("[data-drop]").dispatchEvent(
            new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", [png.name, list(png.read_bytes())])
    assert page.evaluate("() => [...document.querySelector('[name=evidence]').files].map(f => f.name)") == [
        pdf.name, png.name]
    page.select_option("#visibility", "public")
    _accessible(page, axe_source, seen)
    page.click('form[data-form="entry"] [data-action="save"]')
    _load(page)
    entries = list((folder / "entries").glob("*.md"))
    assert len(entries) == 1, page.content()
    entry_slug = entries[0].stem
    text = entries[0].read_text("utf-8")
    assert "# yaml-language-server" in text and "# public | private | draft" in text  # the scaffold's comments
    assert [p.name for p in sorted((folder / "evidence").iterdir())] == ["fluence-avant-apres.png",
                                                                         "grille-seance-1.pdf"]
    assert run_cli("--root", str(root), "check", slug).returncode == 0

    # A self-assessment.
    page.goto(editors[lang].origin + f"/c/{slug}/self-assessment/crcne")
    _accessible(page, axe_source, seen)
    page.select_option("#level-I1", index=2)
    page.select_option("#level-I2", index=1)
    page.click('[data-action="save"]')
    _load(page)
    assessment = next((folder / "self-assessments").glob("*-crcne.yml"))
    assert set(yaml.safe_load(assessment.read_text("utf-8"))["levels"]) == {"I1", "I2"}

    # A request, to an evaluator the page offers.
    page.goto(editors[lang].origin + f"/c/{slug}/entries/{entry_slug}")
    _accessible(page, axe_source, seen)
    assert page.locator('[name="evaluator"] option').all_inner_texts() == ["Marie Dupont"]
    page.click('[data-action="request"]')
    _load(page)
    assert len(list((folder / "requests").glob("*.yml"))) == 1

    # The evaluator refuses I2 in the review app.
    def refuse(review):
        review.check(f'[data-action="refuse"][data-item="{ITEMS[1]}"]')
        review.fill(f'[data-comment="{ITEMS[1]}"]', COMMENT[lang])
    _review(reviewer, context.browser, slug, refuse, 1)
    page.goto(editors[lang].origin + f"/c/{slug}/decisions")
    _accessible(page, axe_source, seen)
    refused = page.locator(f'[data-decision="{ITEMS[1]}"][data-state="refused"]')
    assert COMMENT[lang] in refused.inner_text()

    # Improve the entry, and ask again.
    page.goto(editors[lang].origin + f"/c/{slug}/entries/{entry_slug}")
    page.fill('[name="body"]', "Trois séances de **remédiation**, avec la grille d'observation.")
    page.click('form[data-form="entry"] [data-action="save"]')
    _load(page)
    page.goto(editors[lang].origin + f"/c/{slug}/decisions")
    page.locator(f'[data-decision="{ITEMS[1]}"] [data-action="ask-again"]').click()
    _load(page)
    again = [yaml.safe_load(p.read_text("utf-8")) for p in (folder / "requests").glob("*.yml")]
    assert any(r.get("reopens") and r["items"] == [ITEMS[1]] for r in again), again

    # The evaluator validates both items.
    def validate(review):
        for ref in ITEMS:
            if review.locator(f'[data-action="validate"][data-item="{ref}"]').count():
                review.check(f'[data-action="validate"][data-item="{ref}"]')
                review.select_option(f'[data-level="{ref}"]', "avance")
    _review(reviewer, context.browser, slug, validate, 3)
    page.goto(editors[lang].origin + f"/c/{slug}")
    _accessible(page, axe_source, seen)
    for ref in ITEMS:
        assert page.locator(f'[data-standing="{ref}"]').get_attribute("data-state") == "validated"
    page.goto(editors[lang].origin + f"/c/{slug}/entries/{entry_slug}")  # now pinned by two credentials
    assert all(ref in page.locator("[data-validated-entry]").inner_text() for ref in ITEMS)
    _accessible(page, axe_source, seen)
    page.goto(editors[lang].origin + f"/c/{slug}")

    # Preview: the built site, served by the editor.
    page.click('[data-action="preview"]')
    _load(page)
    assert f"/c/{slug}/site/" in page.url and name in page.content()

    # Publish: what changed, then a commit in the page's language.
    page.goto(editors[lang].origin + f"/c/{slug}/publish")
    _accessible(page, axe_source, seen)
    assert f"candidates/{slug}/" in page.locator("[data-changes]").inner_text()
    page.click('[data-action="publish"]')
    _load(page)
    assert page.locator("[data-commit]").count() == 1
    _accessible(page, axe_source, seen)
    message = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%s"], capture_output=True,
                             text=True).stdout
    assert message.startswith("Portfolio de" if lang == "fr" else "Portfolio of"), message
    pushed = subprocess.run(["git", "-C", str(root.parent / "shared.git"), "log", "--format=%s"], capture_output=True,
                            text=True).stdout
    assert message in pushed  # the repository has a remote: the commit went to it
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", f"candidates/{slug}"],
                            capture_output=True, text=True).stdout
    assert status == ""

    # An employer's check of the built site.
    output = tmp_path / "site"
    assert run_cli("--root", str(root), "build", slug, "--output", str(output)).returncode == 0
    verified = run_cli("--root", str(root), "verify", str(output / slug))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert seen == {}
    context.close()
