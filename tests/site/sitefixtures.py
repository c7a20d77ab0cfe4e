"""A small workspace for site tests: two candidates, one with draft and private content.

The secret markers must never appear in any built file; the public ones must.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
import urllib.parse
from pathlib import Path

import pytest

from conftest import artifacts_folder
from portfolio_gen.core.model import Validation

REPO = Path(__file__).resolve().parents[2]
SECRETS = ("SECRET-DRAFT-TITLE", "SECRET-DRAFT-BODY", "SECRET-DRAFT-FILE", "SECRET-PRIVATE-TITLE",
           "SECRET-PRIVATE-BODY", "SECRET-PHONE", "alice.durand@example.org", "secret-draft-entry", "secret-private-entry")
# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")

MINI = """\
id: mini
title: Mini référentiel de test
title_en: Mini test framework
version: "1"
language: fr
source: {title: Fixture des tests}
rule: {kind: min_items, min: 2}
domains:
  - code: D1
    title: Premier domaine
    title_en: First domain
    items:
      - {code: M1, title: Item obligatoire, title_en: Mandatory item, mandatory: true, criteria: [Critère un]}
      - {code: M2, title: Item facultatif, title_en: Optional item}
  - code: D2
    title: Second domaine
    items:
      - {code: M3, title: Item jamais revendiqué}
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), "utf-8")
    return path


def entry(title: str, body: str, visibility: str = "public", claims: str = "[]", evidence: str = "[]",
          phase: str = "") -> str:
    phase_line = f"phase: {phase}\n" if phase else ""
    return (f"---\ntitle: {title}\ndate: 2026-01-15\nsituation: professionnelle\n{phase_line}"
            f"claims: {claims}\nevidence: {evidence}\nvisibility: {visibility}\n---\n{body}\n")


def make_workspace(root: Path) -> Path:
    write(root / "referentiels" / "mini.yml", MINI)
    shutil.copyfile(REPO / "referentiels" / "crcne.yml", root / "referentiels" / "crcne.yml")
    alice = root / "candidates" / "alice-durand"
    write(alice / "candidate.yml", """\
        name: Alice Durand
        role: stagiaire
        institution: INSPÉ de test
        language: fr
        site_url: https://portfolios.example.org/alice-durand/
        frameworks:
          - id: mini
          - id: crcne
            mention: 1
        bio: Professeure **stagiaire** de démonstration.
        private:
          email: alice.durand@example.org
          phone: SECRET-PHONE
        """)
    write(alice / "evidence" / "carte.png", PNG)
    write(alice / "evidence" / "fiche.md", "# Fiche de séance\n\nPUBLIC-EVIDENCE-TEXT\n")
    write(alice / "evidence" / "draft-only.txt", "SECRET-DRAFT-FILE\n")
    write(alice / "entries" / "sequence-sig.md", entry(
        "Séquence SIG publique", "PUBLIC-BODY-TEXT décrit l'activité.\n\nRetour réflexif : PUBLIC-REFLECTION.",
        claims="[{item: 'mini:M1', justification: PUBLIC-JUSTIFICATION}, 'mini:M2', {item: 'crcne:I1', level: confirme}]",
        evidence="[{path: evidence/carte.png, title: Carte mentale}, {path: evidence/fiche.md, title: Fiche de séance},"
                 " {url: 'https://example.org/padlet', title: Mur collaboratif}]",
        phase="conception"))
    write(alice / "entries" / "secret-draft-entry.md", entry(
        "SECRET-DRAFT-TITLE", "SECRET-DRAFT-BODY", visibility="draft", claims="['mini:M3']",
        evidence="[{path: evidence/draft-only.txt, title: SECRET-DRAFT-TITLE}]"))
    write(alice / "entries" / "secret-private-entry.md", entry(
        "SECRET-PRIVATE-TITLE", "SECRET-PRIVATE-BODY", visibility="private", claims="['mini:M3']"))
    bob = root / "candidates" / "bob-smith"
    write(bob / "candidate.yml", """\
        name: Bob Smith
        role: formateur
        institution: Test institute
        language: en
        frameworks:
          - id: mini
        private:
          email: bob@example.org
        """)
    write(bob / "entries" / "workshop.md", entry("Peer feedback workshop", "BOB-BODY", claims="['mini:M2']"))
    return root


def validations_for(slug: str) -> list[Validation]:
    """Module-level (picklable) provider, by slug, as the credentials layer will give."""
    if slug != "alice-durand":
        return []
    return [Validation("mini", "M1", "Jury INSPÉ de test", dt.date(2026, 5, 4)),
            Validation("crcne", "I1", "Commission CRCNÉ", dt.date(2026, 5, 5), level="avance")]



@pytest.fixture
def site_workspace(tmp_path: Path) -> Path:
    """A fresh copy of the small workspace (tests import this fixture by name)."""
    return make_workspace(tmp_path / "ws")


# --- browser tests ---------------------------------------------------------------------------

ARTIFACTS = artifacts_folder()  # screenshots: see conftest


INSTITUTION_DOMAIN = "https://portfolios.example.org/"  # the demo institution's did:web


def route_institution(page, site: Path, *, reachable: bool = True) -> None:
    """The demo institution's domain as a page sees it: its published folder `site`, with the
    Access-Control-Allow-Origin header its site must send for candidates' pages to read its
    did.json, registry and status lists (issue 28); or, `reachable` false, no answer at all.
    Chromium reaches no such domain otherwise. (A missing CORS header cannot be tested with
    a fulfilled route: Playwright adds one.)"""
    cors = {"Access-Control-Allow-Origin": "*"}

    def fulfil(route) -> None:
        relative = urllib.parse.unquote(urllib.parse.urlsplit(route.request.url).path).lstrip("/")
        path = (site / relative).resolve()
        if not reachable:
            route.abort("internetdisconnected")
        elif path.is_relative_to(site.resolve()) and path.is_file():
            route.fulfill(path=path, headers={**cors, "Content-Type": "application/json"})
        else:
            route.fulfill(status=404, headers=cors, body="")

    page.route(f"{INSTITUTION_DOMAIN}**", fulfil)


def serve(folder: Path):
    """Serve `folder` over http on a free local port; yields its URL, stops afterwards."""
    import functools
    import http.server
    import sys
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output readable
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            # A page navigating away drops the transfers it no longer needs: not an error.
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def served(output):
    """The test module's `output` folder over http (tests import this fixture by name)."""
    yield from serve(output)
