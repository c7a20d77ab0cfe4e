"""Issue 30: a candidate who works in two languages (`languages: [fr, ar]` in candidate.yml)
gets their site in both, each page with a switch to the same page in the other version.

The demo's Camille Martin, made bilingual, is built once for the module (a real MkDocs
build); the tests that build again work on a copy of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import run_cli
from htmltree import parse
from portfolio_gen.core import i18n
from portfolio_gen.core.frameworks import load_frameworks
from portfolio_gen.core.portfolios import read_candidate
from portfolio_gen.core.workspace import framework_files
from portfolio_gen.site.credentials import published_candidate_sites
from portfolio_gen.site.engines import ZensicalEngine
from portfolio_gen.site.render import page_link
from sitefixtures import MINI, serve

SLUG = "camille-martin"
CANDIDATE = Path("candidates", SLUG, "candidate.yml")
SINGLE, BOTH = "\nlanguage: fr\n", "\nlanguages: [fr, ar]\n"
# What only the main version holds: the files a verifier reads or counts, those made from
# them, and the evidence (site/versions.py).
MAIN_ONLY = re.compile(r"(^|/)(verification\.json|presentation\.json|did\.json|registry\.json|status/.*|"
                       r"credentials/[^/]+\.(json|svg|png|pdf)|evidence/.*|verify-qr\.svg)$")


def make_bilingual(root: Path) -> None:
    path = root / CANDIDATE
    text = path.read_text("utf-8")
    assert SINGLE in text
    path.write_text(text.replace(SINGLE, BOTH), "utf-8")


def build(root: Path, *args: str) -> str:
    result = run_cli("--root", str(root), "build", SLUG, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def bilingual(built_demo: Path, tmp_path_factory) -> Path:
    """A copy of the built demo where Camille Martin's site is in French and Arabic, built."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("bilingual") / "demo", symlinks=True))
    make_bilingual(root)
    assert "1 built" in build(root)
    return root


def pages(version: Path) -> dict[str, Path]:
    """The version's HTML pages by their path in it, another version's folder left out."""
    found = {}
    for page in version.rglob("*.html"):
        relative = page.relative_to(version).as_posix()
        if not relative.startswith(("ar/", "fr/", "en/")):
            found[relative] = page
    return found


def resolved(page: Path, href: str) -> Path:
    """The file a relative link of `page` leads to (a folder's index.html)."""
    assert not re.match(r"^[a-z]+:|^/", href), href  # relative: the site works from any host and offline
    target = Path(os.path.normpath(page.parent / href))
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


def switch(page: Path, language: str) -> str:
    return parse(page).find("a", cls="md-select__link", hreflang=language).attrs["href"]


# --- both versions, each in its language ---------------------------------------------------

def test_the_site_is_published_in_its_main_language_and_in_arabic_in_its_folder(bilingual: Path):
    main, arabic = bilingual / "site" / SLUG, bilingual / "site" / SLUG / "ar"
    assert pages(main).keys() == pages(arabic).keys() and len(pages(main)) > 20  # the same pages
    for version, language, direction in ((main, "fr", "ltr"), (arabic, "ar", "rtl")):
        for relative, page in pages(version).items():
            tree = parse(page)
            assert tree.find("html").attrs["lang"] == language, relative
            assert tree.find("body").attrs["dir"] == direction, relative
        home = parse(version / "index.html").text
        # The tool's words in the version's language; the candidate's own texts as written.
        assert i18n.text("site.nav.home", language) in home
        assert i18n.text("site.home.entries", language) in home
        assert "Professeure stagiaire d'histoire-géographie" in home
    assert i18n.text("site.nav.home", "ar") != i18n.text("site.nav.home", "fr")
    entry = next(p for r, p in pages(arabic).items() if r.startswith("entries/"))
    french_title = parse(main / entry.relative_to(arabic)).find("h1").text
    assert parse(entry).find("h1").text == french_title  # the entry's title: the candidate's, not translated


def test_each_page_switches_to_the_same_page_of_the_other_version(bilingual: Path):
    main, arabic = bilingual / "site" / SLUG, bilingual / "site" / SLUG / "ar"
    checked = 0
    for here, there, language in ((main, arabic, "ar"), (arabic, main, "fr")):
        for relative, page in pages(here).items():
            if relative == "404.html":  # served at any address: its links are the host's business
                continue
            target = resolved(page, switch(page, language))
            assert target.is_file(), (relative, switch(page, language))
            assert target == there / relative, relative
            checked += 1
    assert checked > 40
    # Each language is named in its own words, and marked as such for screen readers.
    link = parse(main / "index.html").find("a", cls="md-select__link", hreflang="ar")
    assert link.text == "العربية" and link.attrs["lang"] == "ar"
    assert parse(arabic / "index.html").find("a", cls="md-select__link", hreflang="fr").text == "Français"


def test_a_site_in_one_language_has_no_switch_and_no_language_folder(bilingual: Path):
    other = bilingual / "site" / "sofia-benali"
    assert "md-select__link" not in (other / "index.html").read_text("utf-8")
    assert not any((other / language).exists() for language in i18n.LANGUAGES)


# --- one set of credentials --------------------------------------------------------------------

def test_the_arabic_version_links_the_main_versions_credentials_and_evidence(bilingual: Path):
    """The second version holds no signed file, no manifest, no evidence: its pages link to
    the main version's, which exist; the in-page verifier reads the main version's
    verification.json."""
    main, arabic = bilingual / "site" / SLUG, bilingual / "site" / SLUG / "ar"
    held = [p.relative_to(arabic).as_posix() for p in arabic.rglob("*") if p.is_file()]
    assert held and not [relative for relative in held if MAIN_ONLY.search(relative)]
    linked = set()
    for relative, page in pages(arabic).items():
        for node in parse(page).iter():
            for attribute in ("href", "src", "data-credential"):
                value = node.attrs.get(attribute, "")
                if not value or re.match(r"^[a-z]+:|^#|^/", value):
                    continue
                target = resolved(page, value.split("#")[0])
                if MAIN_ONLY.search(target.as_posix()):
                    assert target.is_file() and main in target.parents and arabic not in target.parents, \
                        (relative, value)
                    linked.add(target.relative_to(main).as_posix())
            if "data-root" in node.attrs:
                assert (resolved(page, node.attrs["data-root"]).parent / "verification.json").is_file()
                assert Path(os.path.normpath(page.parent / node.attrs["data-root"])) == main
    manifest = json.loads((main / "verification.json").read_text("utf-8"))
    assert set(manifest["credentials"]) <= linked  # every credential reached from the Arabic pages
    assert any(uri.startswith("evidence/") for uri in linked)


def test_a_link_the_candidate_wrote_to_an_evidence_file_leads_to_the_main_versions_copy():
    arabic = SimpleNamespace(in_main_version=frozenset({"evidence/carte.png"}), version_folder="ar/")
    assert page_link("entries/x.md", "../evidence/carte.png") == "../../evidence/carte.png"
    assert page_link("entries/x.md", "../evidence/carte.png", arabic) == "../../../evidence/carte.png"
    assert page_link("entries/x.md", "y.md#part", arabic) == "../y/#part"  # a page: the version's own


def test_reports_and_audits_from_sites_count_the_credentials_once(bilingual: Path, tmp_path: Path):
    """Reading the published folder finds one site per candidate; listing the Arabic version
    as a site of its own finds no second manifest to count."""
    output = bilingual / "site"
    assert [p.name for p in published_candidate_sites(output)].count(SLUG) == 1
    listed = [os.path.relpath(site, tmp_path) for site in published_candidate_sites(output)]
    arabic = os.path.relpath(output / SLUG / "ar", tmp_path)
    sites_file = tmp_path / "sites.txt"
    sites_file.write_text("\n".join([*listed, arabic]) + "\n", "utf-8")
    from_sites = run_cli("--root", str(bilingual), "report", "--sites", str(sites_file))
    workspace = run_cli("--root", str(bilingual), "report")
    ours, theirs = json.loads(from_sites.stdout), json.loads(workspace.stdout)
    assert ours["candidates"] == theirs["candidates"] == len(listed)
    assert [(u["target"], u["code"]) for u in ours["unreadable"]] == [(arabic, "report.sites.no_manifest")]
    validated = lambda data: {r["candidate"]: r["validated"] for r in data["rows"]}
    assert validated(ours)[SLUG] == validated(theirs)[SLUG] > 0
    audit = run_cli("--root", str(bilingual), "audit", "--sites", str(sites_file), "--json")
    rows = [r for r in json.loads(audit.stdout)["credentials"] if r["candidate"] == SLUG]
    names = [Path(r["file"]).name for r in rows]
    workspace_rows = [r for r in json.loads(run_cli("--root", str(bilingual), "audit", "--json").stdout)
                      if r["candidate"] == SLUG]
    assert len(names) == len(set(names)) == len(workspace_rows) > 10


@pytest.mark.browser
def test_the_arabic_verification_page_checks_the_main_versions_credentials_in_the_browser(bilingual: Path,
                                                                                          browser, tmp_path: Path):
    """The in-page verifier of the Arabic version reads the main version's manifest and
    credentials: every credential reads valid, its verdict said in Arabic."""
    folder = Path(shutil.copytree(bilingual / "site" / SLUG, tmp_path / SLUG))
    manifest = json.loads((folder / "verification.json").read_text("utf-8"))
    for url in serve(folder):
        page = browser.new_page()
        page.goto(url + "ar/verify/")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
        marks = page.locator("tr[data-credential] [data-pf-verify]")
        found = [marks.nth(i).get_attribute("data-verdict") for i in range(marks.count())]
        assert found == ["valid"] * len(manifest["credentials"])
        assert "صالحة" in marks.nth(0).inner_text()
        page.close()


# --- incremental builds ------------------------------------------------------------------------

def test_a_change_rebuilds_both_versions_and_a_dropped_language_leaves_no_folder(bilingual: Path, tmp_path: Path):
    root = Path(shutil.copytree(bilingual, tmp_path / "demo", symlinks=True))
    site = root / "site" / SLUG
    assert "1 unchanged" in build(root)  # the records moved with the copy: nothing to build
    entry = next(path for path in sorted((root / "candidates" / SLUG / "entries").glob("*.md"))
                 if "\nvisibility: public" in path.read_text("utf-8"))
    text = entry.read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1)
    entry.write_text(text.replace(f"title: {title}", "title: Un titre corrigé", 1), "utf-8")
    assert "1 built" in build(root)
    for version in (site, site / "ar"):
        assert "Un titre corrigé" in (version / "index.html").read_text("utf-8")
    (root / CANDIDATE).write_text((root / CANDIDATE).read_text("utf-8").replace(BOTH, SINGLE), "utf-8")
    assert "1 built" in build(root)
    assert not (site / "ar").exists() and (site / "index.html").is_file()
    assert "md-select__link" not in (site / "index.html").read_text("utf-8")
    assert not list((root / "site").glob(f".{SLUG}*"))  # no build folder left beside it


@pytest.mark.skipif(not ZensicalEngine().available(), reason="the zensical extra is not installed")
def test_zensical_draws_the_same_switch(bilingual: Path, tmp_path: Path):
    root = Path(shutil.copytree(bilingual, tmp_path / "demo", symlinks=True))
    build(root, "--engine", "zensical", "--output", str(root / "site-zensical"))
    main = root / "site-zensical" / SLUG
    arabic = main / "ar"
    assert pages(main).keys() == pages(arabic).keys()
    for here, there, language in ((main, arabic, "ar"), (arabic, main, "fr")):
        for relative, page in pages(here).items():
            if relative != "404.html":
                assert resolved(page, switch(page, language)) == there / relative, relative
    assert parse(arabic / "index.html").find("body").attrs["dir"] == "rtl"
    assert not (arabic / "verification.json").exists()


# --- what check says of the languages ----------------------------------------------------------

def problems_for(root: Path, languages: str) -> list[tuple[str, str, int | None, dict]]:
    """The errors of Camille's folder read with `languages` (the lines that say them, or
    none) instead of their `language: fr`."""
    path, original = root / CANDIDATE, root / "candidate.yml.original"
    if not original.exists():
        shutil.copyfile(path, original)
    path.write_text(original.read_text("utf-8").replace(SINGLE, "\n" + languages), "utf-8")
    frameworks, _ = load_frameworks(framework_files(root))
    _, problems = read_candidate(root / "candidates" / SLUG, frameworks)
    return [(p.key, p.file.name, p.line, p.params) for p in problems if p.is_error]


def line_of(root: Path, prefix: str) -> int:
    lines = (root / CANDIDATE).read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(prefix))


def test_check_locates_every_language_problem(demo_workspace: Path):
    root = demo_workspace
    assert problems_for(root, "languages: [fr, ar]\n") == []
    assert problems_for(root, "language: fr\nlanguages: [fr, ar]\n") == []  # both, agreeing
    found = problems_for(root, "language: ar\nlanguages: [fr, ar]\n")
    assert [(key, name, line) for key, name, line, _ in found] == \
        [("candidate.language_mismatch", "candidate.yml", line_of(root, "language:"))]
    assert found[0][3]["first"] == "fr"
    # Hostile lists: a code repeated 500 times is one problem, at its second place.
    found = problems_for(root, "languages:\n" + "  - ar\n" * 500)
    first = line_of(root, "  - ar")
    assert [(key, line) for key, _, line, _ in found] == [("candidate.language_repeated", first + 1)]
    found = problems_for(root, "languages:\n  - fr\n  - ../x\n")
    assert [(key, line) for key, _, line, _ in found] in ([("schema.enum", line_of(root, "  - ../x"))],
                                                           [("schema.enum_suggest", line_of(root, "  - ../x"))])
    found = problems_for(root, "")
    assert [(key, params["missing"]) for key, _, _, params in found] == [("schema.required", "language")]


def test_check_refuses_a_version_folder_a_framework_publishes_in(demo_workspace: Path):
    root = demo_workspace
    (root / "referentiels" / "ar.yml").write_text(MINI.replace("id: mini", "id: ar"), "utf-8")
    path = root / CANDIDATE
    path.write_text(path.read_text("utf-8").replace("- id: c2i2e", "- id: c2i2e\n- id: ar"), "utf-8")
    found = problems_for(root, "languages: [fr, ar]\n")
    assert [(key, line) for key, _, line, _ in found] == [("candidate.language_folder_taken", line_of(root, "- id: ar"))]
    assert problems_for(root, "languages: [ar, fr]\n") == []  # Arabic is the main version: no ar/ folder


def test_check_says_what_is_wrong_and_how_to_fix_it_in_the_users_language(demo_workspace: Path):
    path = demo_workspace / CANDIDATE
    path.write_text(path.read_text("utf-8").replace(SINGLE, "\nlanguage: en\nlanguages: [fr, ar]\n"), "utf-8")
    result = run_cli("--root", str(demo_workspace), "check", SLUG, lang="fr")
    assert result.returncode != 0
    line = line_of(demo_workspace, "language:")
    assert f"candidates/{SLUG}/candidate.yml:{line}" in result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "« language » indique « en », mais « languages » commence par « fr »" in said
    assert "gardez seulement « languages: [fr, ar] »" in said
