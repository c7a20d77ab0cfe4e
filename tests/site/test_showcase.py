"""What a credential shows first and how it travels (issue 32), read from the session's
built demo: the verdict banner with the evaluator's role and the date in words, LinkedIn's
"Add to profile" link, Open Graph and Twitter preview tags with the badge as absolute image,
the certificate as the home page's hero, private evidence named instead of linked, and the
one-page PDF certificate (read back with pypdf), from the site and from `certificate-pdf`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import award_credentials, run_cli
from htmltree import parse

SLUG = "camille-martin"  # her C2i2e certificate, and a validation citing a private entry
SITE_URL = f"https://portfolios.example.org/{SLUG}/"


def uuid(credential_id: str) -> str:
    return credential_id.removeprefix("urn:uuid:")


@pytest.fixture(scope="module")
def award(built_demo) -> tuple[str, dict]:
    [(credential_id, credential)] = award_credentials(built_demo, SLUG).items()
    return uuid(credential_id), credential


def meta(page, name: str) -> str:
    found = page.find_all("meta", property=name) or page.find_all("meta", name=name)
    assert len(found) == 1, name
    return found[0].attrs["content"]


def test_an_award_page_opens_with_its_verdict_and_shares_to_linkedin(built_demo, award):
    identifier, credential = award
    site = built_demo / "site" / SLUG
    page = parse(site / "credentials" / identifier / "index.html")
    banner = page.find("section", cls="pf-banner")
    assert banner.attrs["data-verdict"] == "valid"
    assert banner.find("h1").text == credential["name"]
    assert banner.find("strong", data_pf_holder="").text == "Camille Martin"
    assert banner.find("strong", data_pf_institution="").text == "INSPÉ de démonstration (fictif)"
    issued = dt.date.fromisoformat(credential["validFrom"][:10])
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    assert banner.find("time").text == f"{issued.day} {months[issued.month - 1]} {issued.year}"  # not ISO with Z
    # The raw identifiers come after the banner, in the details.
    html = (site / "credentials" / identifier / "index.html").read_text("utf-8")
    digest = hashlib.sha256((site / "credentials" / f"{identifier}.json").read_bytes()).hexdigest()
    assert html.index('class="pf-banner"') < html.index(digest) and html.index('class="pf-banner"') < html.index(
        "did:web:portfolios.example.org")

    page_url = f"{SITE_URL}credentials/{identifier}/"
    link = urlsplit(page.find("a", data_pf_linkedin="").attrs["href"])
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(link.query) == {"startTask": ["CERTIFICATION_NAME"], "name": [credential["name"]],
                                    "organizationName": ["INSPÉ de démonstration (fictif)"],
                                    "issueYear": [str(issued.year)], "issueMonth": [str(issued.month)],
                                    "certId": [identifier], "certUrl": [page_url]}
    # Link previews: absolute URLs, the badge the credential is baked into as the image.
    image = f"{SITE_URL}credentials/{identifier}.badge.png"
    assert meta(page, "og:image") == meta(page, "twitter:image") == image
    assert (site / image.removeprefix(SITE_URL)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert meta(page, "og:url") == page_url
    assert meta(page, "og:title") == meta(page, "twitter:title") == credential["name"]
    assert "Camille Martin" in meta(page, "og:description")
    assert meta(page, "twitter:card") == "summary"
    # The copy-link button carries the page's address; the script that runs it is a file.
    assert page.find("button", data_pf_copy=page_url).attrs.get("hidden") is not None
    assert page.find_all("script", src="../../assets/share.js")


def test_a_validation_names_its_evaluator_with_the_role_the_signed_registry_gives(built_demo):
    site = built_demo / "site" / SLUG
    registry = json.loads((built_demo / "registry.json").read_text("utf-8"))
    roles = {e["name"]: e.get("role", "") for e in registry["credentialSubject"]["evaluators"]}
    checked = 0
    for path in sorted((site / "credentials").glob("*/index.html"))[:6]:
        banner = parse(path).find("section", cls="pf-banner")
        evaluator = banner.find_all("strong", data_pf_evaluator="")
        if evaluator:
            assert banner.find("span", data_pf_role="").text == roles[evaluator[0].text] != ""
            checked += 1
    assert checked


def test_the_home_page_has_the_certificate_as_hero_and_a_preview(built_demo, award):
    identifier, credential = award
    site = built_demo / "site" / SLUG
    home = parse(site / "index.html")
    hero = home.find("div", cls="pf-hero", data_pf_hero=identifier)
    assert credential["name"] in hero.text and "Camille Martin" in hero.text
    assert hero.find("img", cls="pf-hero__badge").attrs["src"] == f"credentials/{identifier}.badge.svg"
    assert hero.find_all("a", href=f"credentials/{identifier}.pdf")
    assert meta(home, "og:image") == f"{SITE_URL}credentials/{identifier}.badge.png"
    assert meta(home, "og:url") == SITE_URL and meta(home, "og:title") == "Camille Martin"
    # The whole portfolio as a signed presentation, for wallets.
    assert home.find("a", data_pf_presentation="").attrs["href"] == "presentation.json"
    assert json.loads((site / "presentation.json").read_text("utf-8"))["type"][0] == "VerifiablePresentation"


def test_private_evidence_is_named_never_a_dead_link(built_demo):
    site = built_demo / "site" / SLUG
    private = 0
    for path in sorted((site / "credentials").glob("*/index.html")):
        page = parse(path)
        for link in page.find("ul", cls="pf-cred-evidence").find_all("a") if page.find_all(
                "ul", cls="pf-cred-evidence") else []:
            href = link.attrs["href"].split("#")[0]
            if href.startswith(SITE_URL):  # every link into the site leads to a published file
                target = site / href.removeprefix(SITE_URL)
                assert (target / "index.html" if href.endswith("/") else target).is_file(), href
        for named in page.find_all("span", data_pf_private=""):
            assert "preuve non publiée (entrée privée)" in named.text
            private += 1
    assert private  # the demo's Camille cites an entry she keeps private
    matrix = parse(site / "c2i2e" / "index.html")
    for row in matrix.find_all("tr", data_state="validated"):
        cell = row.find("td", cls="pf-row__entries")
        assert not cell.find_all("span", cls="pf-none"), row.attrs["data-item"]  # never « Validé » beside « — »
    assert any(r.find("td", cls="pf-row__entries").find_all("span", data_pf_private="")
               for r in matrix.find_all("tr", data_state="validated"))


def pdf_text(data: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


def test_the_c2i2e_certificate_is_one_a4_page_with_the_holder_and_digest(built_demo, award):
    identifier, credential = award
    site = built_demo / "site" / SLUG
    pages, text = pdf_text((site / "credentials" / f"{identifier}.pdf").read_bytes())
    assert pages == 1
    digest = hashlib.sha256((site / "credentials" / f"{identifier}.json").read_bytes()).hexdigest()
    flat = "".join(text.split())
    assert "Camille Martin" in text and digest in flat
    assert "INSPÉ de démonstration (fictif)" in text and "Commission de démonstration" in text
    assert "A1.1" in text and "B4.3" in text  # the items
    assert "verify/?url=" in flat  # the QR code's address, printed beside it


def test_certificate_pdf_writes_the_same_sheet_and_refuses_clearly(built_demo, award, tmp_path):
    identifier, _ = award
    target = tmp_path / "certificat.pdf"
    done = run_cli("certificate-pdf", SLUG, "--output", str(target), cwd=built_demo, lang="fr")
    assert done.returncode == 0, done.stderr
    pages, text = pdf_text(target.read_bytes())
    digest = hashlib.sha256((built_demo / "candidates" / SLUG / "credentials" / f"{identifier}.json")
                            .read_bytes()).hexdigest()
    assert pages == 1 and digest in "".join(text.split())
    wrong = run_cli("certificate-pdf", SLUG, "--framework", "crcne", "--output", str(tmp_path / "no.pdf"),
                    cwd=built_demo, lang="fr")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    said = wrong.stdout + wrong.stderr
    assert f"candidates/{SLUG}" in said and "aucun certificat ni attestation en cours" in said and "c2i2e" in said
    assert not (tmp_path / "no.pdf").exists()


def test_the_institutions_logo_and_colours_are_on_its_site_and_every_candidates(built_demo):
    """portfolio-gen.yml gives the demo a logo and colours: the institution's pages and each
    candidate's carry them (a stylesheet: the policy forbids inline styles)."""
    site = built_demo / "site"
    logo = (built_demo / "assets" / "logo.svg").read_bytes()
    for slug in ("camille-martin", "thomas-lefevre"):
        css = (site / slug / "assets" / "identity.css").read_text("utf-8")
        assert "--md-primary-fg-color: #1f4e79;" in css and "--md-accent-fg-color: #7a1f5c;" in css
        assert 'url("institution-logo.svg")' in css
        assert (site / slug / "assets" / "institution-logo.svg").read_bytes() == logo
        home = parse(site / slug / "index.html")
        assert home.find_all("link", rel="stylesheet", href="assets/identity.css")
    institution = parse(site / "index.html")
    assert institution.find("img", cls="pf-header__logo").attrs["src"] == "assets/institution-logo.svg"
    assert institution.find_all("link", rel="stylesheet", href="assets/identity.css")
    assert "--accent: #1f4e79;" in (site / "assets" / "identity.css").read_text("utf-8")
    assert (site / "assets" / "institution-logo.svg").read_bytes() == logo


def test_the_matrix_says_each_validation_date_in_words(built_demo):
    import re

    matrix = parse(built_demo / "site" / SLUG / "c2i2e" / "index.html")
    said = [row.find("span", cls="pf-validation").text for row in matrix.find_all("tr", data_state="validated")]
    assert said and all(re.search(r", le \d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
                                  r"octobre|novembre|décembre) \d{4}", text) for text in said), said[:2]
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", text) for text in said)


def test_every_candidate_page_names_the_institution_in_its_footer(built_demo):
    for path in ("index.html", "c2i2e/index.html", "credentials/index.html"):
        footer = parse(built_demo / "site" / SLUG / path).find("div", cls="md-copyright__highlight")
        assert footer.text == "Établissement : INSPÉ de démonstration (fictif)", path


def test_a_level_is_said_by_its_title_on_the_page_and_the_sheet(built_demo):
    """Sofia's CRCNÉ attestation carries a joint level: « Initié », the title the
    credential's own rubric gives it, never its code "initie" (issue 32)."""
    [(credential_id, credential)] = award_credentials(built_demo, "sofia-benali").items()
    site = built_demo / "site" / "sofia-benali" / "credentials"
    level = credential["credentialSubject"]["result"][0]["value"]
    [title] = [rubric["name"] for description in credential["credentialSubject"]["achievement"]["resultDescription"]
               for rubric in description["rubricCriterionLevel"] if rubric["level"] == level]
    assert title != level
    _, text = pdf_text((site / f"{uuid(credential_id)}.pdf").read_bytes())
    assert title in text.splitlines() and level not in text.splitlines()
    page = (site / uuid(credential_id) / "index.html").read_text("utf-8")
    assert f'<span class="pf-level">{title}</span>' in page


def test_a_name_the_credentials_do_not_bind_never_reaches_the_sheet(built_demo, tmp_path):
    """The attacker's case: the candidate writes someone else's name in candidate.yml. The
    credentials bind only the slug, so the one-page certificate (institution's logo, QR
    code) says the slug, as the institution's verifier does, never the unsigned name."""
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(built_demo, root, symlinks=True, ignore=shutil.ignore_patterns("site"))
    profile = root / "candidates" / SLUG / "candidate.yml"
    profile.write_text(profile.read_text("utf-8").replace("name: Camille Martin", "name: Marie Curie"), "utf-8")
    target = tmp_path / "certificat.pdf"
    done = run_cli("certificate-pdf", SLUG, "--output", str(target), cwd=root, lang="fr")
    assert done.returncode == 0, done.stderr
    _, text = pdf_text(target.read_bytes())
    assert "Marie Curie" not in text and SLUG in text.splitlines()
