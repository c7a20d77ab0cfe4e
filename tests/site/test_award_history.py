"""A candidate's site shows the current award of each framework, with its history on
request, and an award a jury gave against the rule says so, on its page and in `verify`
(issue 29, part A, finding 2: a superseded attestation showed as a red « révoquée » line)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import award_credentials, run_cli
from sitefixtures import served  # noqa: F401 - served is a fixture
from test_accessibility import axe_source, violations  # noqa: F401 - axe_source is a fixture

SESSION = "c2i2e-2026-06-20"
REASON = "B3.1 à B3.5 observés lors de la visite de classe du 18 juin"


def cli(root: Path, *args: str, lang: str = "en", code: int = 0):
    result = run_cli("--root", str(root), *args, lang=lang)
    assert result.returncode == code, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def uuid(credential_id: str) -> str:
    return credential_id.removeprefix("urn:uuid:")


def french_day(credential: dict) -> str:
    year, month, day = credential["validFrom"][:10].split("-")
    return f"{day}/{month}/{year}"


@pytest.fixture(scope="module")
def superseded(built_demo, tmp_path_factory) -> tuple[Path, str, str, str]:
    """The demo after a session certifies julien-moreau against the rule, superseding his
    attestation, and camille-martin's certificate is withdrawn for a reason of its own;
    sites rebuilt. Returns (root, attestation id, certificate id, camille's certificate id)."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("history") / "demo", symlinks=True))
    key = str(root / "keys/institution.key.pem")
    [attestation_id] = award_credentials(root, "julien-moreau")
    [camille_id] = award_credentials(root, "camille-martin")
    cli(root, "session", "new", "c2i2e", "--date", "2026-06-20")
    cli(root, "session", "decide", SESSION, "julien-moreau", "--outcome", "certificate", "--override", REASON,
        "--key", key)
    [certificate_id] = [i for i in award_credentials(root, "julien-moreau") if i != attestation_id]
    camille_file = root / "candidates/camille-martin/credentials" / f"{uuid(camille_id)}.json"
    cli(root, "revoke", str(camille_file), "--reason", "erreur de saisie du jury", "--key", key)
    cli(root, "build")
    return root, attestation_id, certificate_id, camille_id


def page(root: Path, slug: str, uri: str) -> str:
    return (root / "site" / slug / uri).read_text("utf-8")


def award_lines(html: str) -> list[str]:
    listing = re.search(r'<ul class="pf-awards">(.*?)</ul>', html, re.S)
    return re.findall(r"<li [^>]*>", listing.group(1)) if listing else []


def test_the_home_page_lists_the_current_award_and_the_superseded_one_as_history(superseded):
    root, attestation_id, certificate_id, _ = superseded
    held = award_credentials(root, "julien-moreau")
    home = page(root, "julien-moreau", "index.html")
    assert award_lines(home) == ['<li data-status="valid" data-kind="certificate">']
    assert 'data-status="revoked"' not in home
    history = re.search(r"<details class=\"pf-award-history\".*?</details>", home, re.S).group(0)
    assert "<summary>Historique : attributions remplacées (1)</summary>" in history
    line = re.search(rf'<li data-superseded="{uuid(attestation_id)}".*?</li>', history, re.S).group(0)
    words = re.sub(r"<[^>]+>", "", line)
    assert words == (f"attestation du {french_day(held[attestation_id])}, remplacée par "
                     f"le certificat du {french_day(held[certificate_id])}")
    assert f'href="credentials/{uuid(certificate_id)}/"' in line


def test_the_credentials_page_lists_validations_and_the_current_award_with_the_history(superseded):
    root, attestation_id, certificate_id, _ = superseded
    listing = page(root, "julien-moreau", "credentials/index.html")
    table = re.search(r'<table class="pf-credentials">.*?</table>', listing, re.S).group(0)
    assert f'data-credential="{uuid(certificate_id)}" data-status="valid"' in table
    assert uuid(attestation_id) not in table and 'data-status="revoked"' not in table
    history = re.search(r"<details class=\"pf-award-history\".*?</details>", listing, re.S).group(0)
    assert f'data-superseded="{uuid(attestation_id)}"' in history
    # The superseded award's own page says what took its place.
    own = page(root, "julien-moreau", f"credentials/{uuid(attestation_id)}/index.html")
    assert re.search(rf'class="pf-superseded".*?data-superseded-by="{uuid(certificate_id)}"', own)
    # The verifier page still checks every credential the site publishes.
    assert uuid(attestation_id) in page(root, "julien-moreau", "verify/index.html")


def test_a_credential_revoked_for_another_reason_still_shows_as_revoked(superseded):
    root, _, _, camille_id = superseded
    home = page(root, "camille-martin", "index.html")
    assert award_lines(home) == ['<li data-status="revoked" data-kind="certificate">']
    assert "pf-award-history" not in home
    listing = page(root, "camille-martin", "credentials/index.html")
    assert f'data-credential="{uuid(camille_id)}" data-status="revoked"' in listing


def test_an_override_certificate_page_shows_the_rule_not_met_the_reason_and_the_session(superseded):
    root, _, certificate_id, _ = superseded
    html = page(root, "julien-moreau", f"credentials/{uuid(certificate_id)}/index.html")
    block = re.search(r'<div class="pf-override" data-override data-session="(.*?)">(.*?)</div>', html, re.S)
    assert block and block.group(1) == SESSION
    words = re.sub(r"<[^>]+>", "", block.group(2))
    assert "Décerné par le jury contre la règle" in words
    assert "Règle non remplie" in words and "n'est PAS remplie : 18 items validés sur 27" in words.replace("&#39;", "'")
    assert f"Motif du jury{REASON}" in words and f"Session{SESSION}" in words


def test_verify_prints_the_override_of_a_certificate_in_the_users_language(superseded):
    root, attestation_id, certificate_id, _ = superseded
    certificate = root / "candidates/julien-moreau/credentials" / f"{uuid(certificate_id)}.json"
    trust = ("--did-document", str(root / "did.json"))
    said = cli(root, "verify", *trust, str(certificate), lang="fr").stdout
    assert f"décerné par le jury contre la règle, session {SESSION} : Certificat décerné" in said
    assert f"Motif du jury : {REASON}" in said
    said = cli(root, "verify", *trust, str(certificate), lang="en").stdout
    assert f"awarded by the jury against the rule, session {SESSION}" in said and REASON in said
    [row] = json.loads(cli(root, "verify", *trust, "--json", str(certificate)).stdout)
    assert row["override"]["session"] == SESSION and row["override"]["reason"] == REASON
    assert "18 items validés sur 27" in row["override"]["rule"]
    # A credential given by the rule has none; so verify --json says null.
    attestation = root / "candidates/julien-moreau/credentials" / f"{uuid(attestation_id)}.json"
    [row] = json.loads(cli(root, "verify", *trust, "--json", str(attestation)).stdout)
    assert row["override"] is None
    # On the published site, the certificate's row carries it too.
    site = json.loads(cli(root, "verify", "--json", str(root / "site" / "julien-moreau"), code=1).stdout)
    rows = {r["id"]: r for r in site["sites"][0]["credentials"]}
    assert rows[certificate_id]["override"] == {"session": SESSION, "rule": row_rule(certificate), "reason": REASON}
    assert rows[attestation_id]["status"] == "revoked" and rows[attestation_id]["override"] is None
    said = cli(root, "verify", str(root / "site" / "julien-moreau"), lang="fr", code=1).stdout
    assert f"décerné par le jury contre la règle, session {SESSION}" in said


def row_rule(path: Path) -> str:
    credential = json.loads(path.read_text("utf-8"))
    return next(e["description"] for e in credential["evidence"] if e.get("genre") == "JuryOverride")


@pytest.fixture(scope="module")
def output(superseded) -> Path:
    return superseded[0] / "site"


@pytest.mark.browser
def test_the_history_and_the_override_meet_wcag21_aa(browser, served, superseded, axe_source):
    """The history is a native <details>: its summary is a button to assistive technology;
    checked opened, with the override's block, in French."""
    _, attestation_id, certificate_id, _ = superseded
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in ("", "credentials/", f"credentials/{uuid(certificate_id)}/", f"credentials/{uuid(attestation_id)}/"):
        page.goto(f"{served}julien-moreau/{path}")
        page.wait_for_load_state("networkidle")
        if page.locator("details.pf-award-history").count():
            page.locator("details.pf-award-history > summary").click()
            assert page.locator("details.pf-award-history[open] li[data-superseded]").is_visible()
        problems = violations(page, axe_source)
        if problems:
            found[path] = problems
    assert found == {}
