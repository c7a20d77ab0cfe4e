"""No page of any kind scrolls sideways on a phone (issue 32), in Debian's chromium at
390×844: every kind of a candidate's page (one per template of themes/pages/, so a new
kind cannot escape this test), the institution's pages (one per template of
themes/institution/), its verifier with a portfolio's results, the candidate's own
preview (`serve`: the requests page), every page of the steering dashboard and a jury
session's minutes. The review
app is checked beside its other tests (tests/review/test_review_mobile.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from sitefixtures import route_institution, serve
from steering_cohort import AWARDS, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
THEMES = REPO / "themes"
# Where one built page of each template of themes/pages/ is, in the demo (site-relative,
# {framework}/{item}/{credential}/{entry} filled below). requests.md.j2 is the preview's.
CANDIDATE_KINDS = {
    "home.md.j2": ["camille-martin/", "sofia-benali/", "thomas-lefevre/", "julien-moreau/", "nadia-el-idrissi/"],
    "matrix.md.j2": ["camille-martin/c2i2e/", "sofia-benali/crcne/"],
    "item.md.j2": ["camille-martin/c2i2e/a3-3/", "sofia-benali/crcne/i1/"],  # A3.3: C2i2e's longest title
    "entry.md.j2": ["{entry}"],
    # Pages verifying every credential in the browser: the candidate with fewest (seconds each).
    "credential_list.md.j2": ["sofia-benali/credentials/"],
    "credential.md.j2": ["{credential}"],
    "verify.md.j2": ["sofia-benali/verify/"],
    "diagnostic.md.j2": ["{diagnostic}"],
    "requests.md.j2": [],  # only `serve` has it: test_the_candidates_preview_fits_a_phone
}
INSTITUTION_KINDS = {
    "home.html.j2": [""],
    "framework.html.j2": ["referentiels/{framework}/"],
    "item.html.j2": ["referentiels/c2i2e/A3.3/", "referentiels/pix-edu/D3/"],
    "award.html.j2": ["referentiels/c2i2e/certification/", "referentiels/crcne/attestation/"],
    "verify.html.j2": ["verify/", "verify/?url={base}sofia-benali/"],
}


def _templates(folder: Path, suffix: str) -> set[str]:
    return {p.name for p in folder.glob(f"*{suffix}") if not p.name.startswith("_") and p.name != "base.html.j2"}


def _wide(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _visit(page, url: str) -> int:
    page.goto(url)
    # Pages that verify credentials in the browser are measured with their results shown.
    if page.locator("[data-pf-verifier], [data-pf-verify]").count():
        page.wait_for_selector("html[data-pf-verified=done], html[data-pf-verified=ready]", state="attached",
                               timeout=120000)
    return _wide(page)


@pytest.fixture(scope="module")
def demo_site(built_demo):
    yield from serve(built_demo / "site")


def _candidate_paths(site: Path) -> list[str]:
    """The demo's pages of each candidate kind: one credential of each kind (validation,
    certificate, attestation), every candidate's newest entry and first diagnostic."""
    newest = {p.parent.parent.parent.name: p.parent.name for p in sorted(site.glob("*/entries/*/index.html"))}
    fill = {"entry": [f"{slug}/entries/{entry}/" for slug, entry in newest.items()],
            "diagnostic": [f"{p.parent.parent.parent.name}/{p.parent.parent.name}/diagnostic/"
                           for p in sorted(site.glob("*/*/diagnostic/index.html"))],
            "credential": []}
    kinds = set()
    for path in sorted(site.glob("*/credentials/*.json")):
        kind = json.loads(path.read_text("utf-8"))["credentialSubject"]["achievement"]["achievementType"]
        if kind not in kinds:
            kinds.add(kind)
            fill["credential"].append(f"{path.parent.parent.name}/credentials/{path.stem}/")
    assert len(kinds) >= 3 and fill["entry"] and fill["diagnostic"]
    paths = []
    for template, listed in CANDIDATE_KINDS.items():
        for path in listed:
            paths += fill[path[1:-1]] if path.startswith("{") else [path]
    return paths + ["camille-martin/404.html"]


def test_every_candidate_and_institution_page_kind_fits_a_phone(browser, built_demo, demo_site):
    assert set(CANDIDATE_KINDS) == _templates(THEMES / "pages", ".md.j2"), "a page kind this test does not visit"
    assert set(INSTITUTION_KINDS) == _templates(THEMES / "institution", ".html.j2"), "an institution page kind"
    site = built_demo / "site"
    frameworks = sorted(p.parent.name for p in (site / "referentiels").glob("*/index.html"))
    institution = [path.format(base=demo_site, framework=framework)
                   for listed in INSTITUTION_KINDS.values() for path in listed for framework in frameworks
                   if "{framework}" in path or framework == frameworks[0]]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    route_institution(page, site)  # the candidates' pages read the institution's trust files
    wide = {path: width for path in _candidate_paths(site) + institution
            if (width := _visit(page, demo_site + path)) > PHONE["width"]}
    assert wide == {}
    # A long item title leaves the item's state on the first screen.
    _visit(page, demo_site + "camille-martin/c2i2e/a3-3/")
    state = page.locator(".pf-item-state").bounding_box()
    assert state["y"] + state["height"] <= PHONE["height"]
    context.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_candidates_preview_fits_a_phone(browser, built_demo, tmp_path):
    """`serve` adds the requests page to a candidate's own preview."""
    root = Path(shutil.copytree(built_demo, tmp_path / "demo", ignore=shutil.ignore_patterns("site")))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "portfolio_gen", "--root", str(root), "serve", "camille-martin",
                               "--dev-addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/camille-martin/requests/"
    try:
        deadline = time.monotonic() + 90
        while server.poll() is None:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"no page at {url}"
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read().decode()
        page = browser.new_page(viewport=PHONE)
        page.goto(url)
        assert page.locator("[data-request-item]").count() > 0
        assert _wide(page) <= PHONE["width"]
        page.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _minutes() -> str:
    """A jury session's minutes: decisions with their credentials, candidates not decided
    with their reasons, the signature's long identifiers."""
    from portfolio_gen.core.sessions import JuryDecision, Reason, Session, Standing
    from portfolio_gen.site.minutes import render_minutes

    day = dt.date(2026, 6, 20)
    credential = "candidates/{}/credentials/6071f9ba-774a-428b-a95b-dfa9176603b8.json"
    session = Session("c2i2e-2026-06-20", "c2i2e", day, day, (
        Standing("camille-martin", "Camille Martin", True, 23, "Site d'Amiens"),
        Standing("julien-moreau", "Julien Moreau", False, 19, "Site de Beauvais", reasons=(Reason("items_short", 4),)),
        Standing("nadia-el-idrissi", "Nadia El Idrissi", False, 12,
                 reasons=(Reason("items_short", 11), Reason("missing_mandatory", "A1.1, A2.3, B1.2")))), (
        JuryDecision("camille-martin", "certificate", day, comment="Portfolio complet et réflexif.",
                     credential=credential.format("camille-martin")),
        JuryDecision("julien-moreau", "attestation", day, credential=credential.format("julien-moreau"))))
    return render_minutes(session, FRAMEWORKS["c2i2e"], institution="INSPÉ de démonstration (fictif)",
                          credential_id="urn:uuid:79231faa-bf5d-471a-ad1a-786c087b49ea",
                          issuer="did:web:portfolios.example.org", created="2026-06-20T10:00:00Z",
                          method="did:web:portfolios.example.org#z6MknopYMXWi2VqupvzruavuAERSQa9zZHfFWwC8SjzAvLaz",
                          language="fr")


def test_every_dashboard_page_and_the_minutes_fit_a_phone(browser, tmp_path):
    from portfolio_gen.decisions.steering import assess_cohort
    from portfolio_gen.site.dashboard import write_dashboard

    cohort = assess_cohort(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, AWARDS)
    write_dashboard(tmp_path, cohort, FRAMEWORKS, today=TODAY, language="fr", institution="INSPÉ de test")
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) > 5
    page = browser.new_page(viewport=PHONE)
    wide = {}
    for path in pages:
        page.goto(path.as_uri())
        if _wide(page) > PHONE["width"]:
            wide[path.name] = _wide(page)
    # The summary opens each page: on the first screen.
    summary = page.locator("[data-figure=summary]").bounding_box()
    assert summary["y"] < PHONE["height"] / 2
    minutes = tmp_path / "minutes" / "c2i2e-2026-06-20.minutes.html"
    minutes.parent.mkdir()
    minutes.write_text(_minutes(), "utf-8")
    page.goto(minutes.as_uri())
    assert page.locator("tr[data-candidate]").count() == 3
    if _wide(page) > PHONE["width"]:
        wide[minutes.name] = _wide(page)
    assert wide == {}
    page.close()
