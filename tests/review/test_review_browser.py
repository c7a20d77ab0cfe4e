"""The issue's "done when": an evaluator validates and refuses through the page, in Debian's chromium.

Then `portfolio-gen verify` and digitalbazaar's JS verifier accept the new credential,
the refusal is recorded, `review` no longer lists either item, and the batch is
committed from the page. The review page's screenshot is kept in $PORTFOLIO_GEN_TEST_ARTIFACTS, and
written to docs/images/review-app.png when PORTFOLIO_GEN_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from conftest import REPO, artifacts_folder, run_cli
from portfolio_gen.core.settings import load_settings
from portfolio_gen.institution import revocation

from .conftest import ENTRY, EVALUATOR, REFUSED_ITEM, SLUG, VALIDATED_ITEM, written_files

ARTIFACTS = artifacts_folder()  # screenshots: see conftest
README_SCREENSHOT = REPO / "docs" / "images" / "review-app.png"
COMMENT = "Le scénario ne traite pas le droit à l'image des élèves enregistrés : ajoutez-le."


def test_an_evaluator_validates_and_refuses_in_the_page(review_app, browser, js_stack):
    root = review_app.root
    before = written_files(root)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB")

    page.goto(review_app.url)  # the token moves to a cookie and leaves the address bar
    assert "token=" not in page.url
    group = page.locator(f'[data-candidate="{SLUG}"]')
    assert group.locator("tr[data-request]").count() == 1
    assert group.locator('[data-framework="crcne"]').get_attribute("data-validated") == "0"  # a new candidate
    group.locator("tr[data-request] a").click()

    validate = page.locator(f'[data-action="validate"][data-item="{VALIDATED_ITEM}"]')
    refuse = page.locator(f'[data-action="refuse"][data-item="{REFUSED_ITEM}"]')
    # The click starts a navigation; counting at once could read a page still loading.
    page.wait_for_load_state("load")
    assert validate.count() == 1 and refuse.count() == 1
    # The image trace is served inline (the app's own origin, allowed by its CSP).
    page.wait_for_function("() => document.querySelector('[data-trace=\"image\"] img').naturalWidth > 0",
                           timeout=30_000)
    # The level offered first is the one the candidate claimed.
    assert page.locator(f'[data-level="{REFUSED_ITEM}"]').input_value() == "confirme"
    validate.check()
    page.select_option(f'[data-level="{VALIDATED_ITEM}"]', "avance")
    refuse.check()
    page.fill(f'[data-comment="{REFUSED_ITEM}"]', COMMENT)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-app.png"), full_page=True)
    if os.environ.get("PORTFOLIO_GEN_SCREENSHOTS") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 1500})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(README_SCREENSHOT), full_page=False)
    assert page.title() != "pwned"  # the entry's script and the SVG's never ran

    page.click("[data-submit]")
    page.wait_for_load_state("load")
    assert page.locator(f'[data-written="validate"][data-item="{VALIDATED_ITEM}"]').count() == 1
    assert page.locator(f'[data-written="refuse"][data-item="{REFUSED_ITEM}"]').count() == 1
    assert f"?? candidates/{SLUG}/credentials/" in page.locator("[data-git-status]").inner_text()
    page.click('[data-action="commit"]')
    commit = page.locator("[data-commit]").get_attribute("data-commit")

    new = sorted(written_files(root) - before)
    [credential_file] = [p for p in new if p.suffix == ".json"]
    [refusal_file] = [p for p in new if p.suffix == ".yml"]

    # The commit holds exactly what the batch wrote, nothing pushed, nothing else taken.
    shown = subprocess.run(["git", "-C", str(root), "show", "--name-only", "--format=%B", commit],
                           capture_output=True, text=True, check=True).stdout
    assert f"Review by Marie Dupont ({EVALUATOR}): {SLUG}, {ENTRY}" in shown
    assert str(credential_file.relative_to(root)) in shown and str(refusal_file.relative_to(root)) in shown

    # portfolio-gen verify accepts the credential: proof, dates, status (in the list of the
    # evaluator's key, there since the registry named it), evidence.
    credential = json.loads(credential_file.read_text("utf-8"))
    own_list = root / revocation.list_path(revocation.list_name_of(
        load_settings(root), credential["credentialStatus"]["statusListCredential"]))
    verified = run_cli("--root", str(root), "verify", str(credential_file), "--did-document", str(root / "did.json"),
                       "--status-list", str(own_list), "--json", cwd=root)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # ... and so does digitalbazaar's JS stack, proof and revocation status (the list verified too).
    status_list = json.loads(own_list.read_text("utf-8"))
    did_document = json.loads((root / "did.json").read_text("utf-8"))
    [result] = js_stack.verify([credential], {did_document["id"]: did_document},
                               {status_list["id"]: status_list})["results"]
    assert result["verified"], result
    [status] = js_stack.check_status([credential], {status_list["id"]: status_list},
                                     {did_document["id"]: did_document})["results"]
    assert status == {"verified": True, "status": False, "error": None}, status

    refusal = yaml.safe_load(refusal_file.read_text("utf-8"))
    assert refusal == {"entry": ENTRY, "evaluator": EVALUATOR, "items": [REFUSED_ITEM],
                       "date": refusal["date"], "comment": COMMENT}

    queue = run_cli("--root", str(root), "review", "--evaluator", EVALUATOR, "--json")
    assert queue.returncode == 0, queue.stderr
    assert [row for row in json.loads(queue.stdout) if row["entry"] == ENTRY] == []
    audit = run_cli("--root", str(root), "audit", SLUG, "--json")
    assert {"file": str(credential_file.relative_to(root)), "status": "valid"}.items() <= next(
        row for row in json.loads(audit.stdout) if row["file"] == str(credential_file.relative_to(root))).items()
