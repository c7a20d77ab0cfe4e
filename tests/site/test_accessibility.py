"""axe-core (WCAG 2.1 A and AA rules) in Debian's chromium on every kind of page the tool
generates, in French and English (and in Arabic, right to left): a candidate's home, matrix, item, entry, credential,
credential list, diagnostic and verification pages, and the institution's home,
framework, item, award and verifier pages (the verifier with results shown), and the
steering dashboard's pages at a phone's width.

axe-core is installed by npm into $PORTFOLIO_GEN_NPM_CACHE/axe (kept between runs) or a
temporary folder, like the interop tests' JS stack; it runs in the page, nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import made_once_per_run
from sitefixtures import served  # noqa: F401 - served is a fixture

pytestmark = pytest.mark.browser
AXE_VERSION = "4.14.1"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CANDIDATES = {"fr": "camille-martin", "en": "thomas-lefevre"}
NOT_FRAMEWORKS = {"entries", "credentials", "verify", "search", "evidence", "assets", "status"}


@pytest.fixture(scope="module")
def axe_source(tmp_path_factory) -> str:
    return axe_script(tmp_path_factory).read_text("utf-8")


def axe_script(tmp_path_factory) -> Path:
    """axe.min.js, installed once for the whole run (seven modules and workers each ran npm)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: axe-core cannot be fetched")
    cache = os.environ.get("PORTFOLIO_GEN_NPM_CACHE")
    if cache:
        folder = Path(cache) / "axe"
        _install_axe(folder)
    else:
        folder = made_once_per_run(tmp_path_factory, "npm-axe", _install_axe)
    return folder / "node_modules" / "axe-core" / "axe.min.js"


def _install_axe(folder: Path) -> None:
    installed = folder / "node_modules" / "axe-core" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != AXE_VERSION:
        folder.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(folder),
                              f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def output(built_demo, tmp_path_factory) -> Path:
    """The demo's output, plus the institution's pages in English beside it (`en/`)."""
    from portfolio_gen.core.frameworks import load_frameworks
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.core.workspace import framework_files
    from portfolio_gen.site.institution import build_institution_site

    folder = Path(shutil.copytree(built_demo / "site", tmp_path_factory.mktemp("axe") / "site"))
    settings = load_settings(built_demo)
    english = type(settings)(settings.institution, settings.site_base_url, settings.achievements_base_url, "en")
    frameworks, _ = load_frameworks(framework_files(built_demo))
    build_institution_site(folder / "en", english, frameworks, [("Camille Martin", "camille-martin")], {})
    for name in ("registry.json", ".well-known"):  # the English verifier's trust files, one level down
        source = folder / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, folder / "en" / name)
    return folder


def candidate_pages(site: Path) -> list[str]:
    """One page of each kind of a candidate's site, as paths under the site."""
    manifest = json.loads((site / "verification.json").read_text("utf-8"))
    matrix = sorted(p.parent for p in site.glob("*/index.html") if p.parent.name not in NOT_FRAMEWORKS)[0]
    item = sorted(p.parent.name for p in matrix.glob("*/index.html") if p.parent.name != "diagnostic")[0]
    entry = sorted(p.parent.name for p in (site / "entries").glob("*/index.html"))[0]
    credential = Path(manifest["credentials"][0]).stem
    diagnostics = [f"{p.parent.parent.name}/diagnostic/" for p in sorted(site.glob("*/diagnostic/index.html"))]
    # An award's page too (its banner, hero card and share bar: issue 32), when the site has one.
    awards = [f"credentials/{Path(uri).stem}/" for uri in manifest["credentials"]
              if json.loads((site / uri).read_text("utf-8"))["credentialSubject"]["achievement"].get(
                  "achievementType") in ("Certificate", "Attestation")]
    return ["", f"{matrix.name}/", f"{matrix.name}/{item}/", f"entries/{entry}/", "credentials/",
            f"credentials/{credential}/", *awards[:1], "verify/", *diagnostics[:1]]


def institution_pages(root: Path, prefix: str) -> list[str]:
    return [prefix, f"{prefix}referentiels/crcne/", f"{prefix}referentiels/crcne/{_first_item(root)}/",
            f"{prefix}referentiels/crcne/certification/", f"{prefix}verify/"]


def _first_item(root: Path) -> str:
    data = json.loads((root / "referentiels" / "crcne.json").read_text("utf-8"))
    return data["domains"][0]["items"][0]["code"]


def violations(page, axe: str) -> list[str]:
    page.add_script_tag(content=axe)
    result = page.evaluate("options => axe.run(document, options)",
                           {"runOnly": {"type": "tag", "values": WCAG21_AA}, "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
            for v in result["violations"]]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_candidate_pages_have_no_wcag21_aa_violation(browser, served, output, axe_source, language):
    site = output / CANDIDATES[language]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in candidate_pages(site):
        page.goto(f"{served}{site.name}/{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == language
        problems = violations(page, axe_source)
        if problems:
            found[path] = problems
    assert found == {}


@pytest.mark.parametrize("language, prefix", [("fr", ""), ("en", "en/")])
def test_institution_pages_have_no_wcag21_aa_violation(browser, served, output, axe_source, language, prefix):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in institution_pages(output, prefix):
        url = f"{served}{path}"
        if path.endswith("verify/"):  # with results of every verdict kind shown
            url += f"?url={served}{CANDIDATES[language]}/"
        page.goto(url)
        if path.endswith("verify/"):
            page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
            assert page.locator("[data-verdict]").count() > 0
        assert page.evaluate("document.documentElement.lang") == language
        problems = violations(page, axe_source)
        if problems:
            found[path] = problems
    assert found == {}


def test_arabic_pages_run_right_to_left_with_no_wcag21_aa_violation(browser, arabic_demo, axe_source):
    """Arabic, the third language (issue 30): a candidate's pages and the institution's,
    the verifier with its results shown, each `lang="ar"` and laid out right to left."""
    from sitefixtures import serve

    site = arabic_demo / "site"
    server = serve(site)
    url = next(server)
    try:
        page = browser.new_context(bypass_csp=True).new_page()
        found = {}
        paths = [f"camille-martin/{path}" for path in candidate_pages(site / "camille-martin")]
        for path in paths + institution_pages(site, ""):
            page.goto(f"{url}{path}" + (f"?url={url}camille-martin/" if path == "verify/" else ""))
            if path == "verify/":
                page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
                assert page.locator("[data-verdict]").count() > 0
            else:
                page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == "ar", path
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", path
            if problems := violations(page, axe_source):
                found[path] = problems
        assert found == {}
    finally:
        next(server, None)


def test_dashboard_pages_have_no_wcag21_aa_violation(browser, axe_source, tmp_path):
    """The steering dashboard's index and each of its pages per framework, phase, role and
    unit (issue 32 split it), in French, at a phone's width where tables scroll in their own
    regions (tests/site/test_dashboard.py runs axe on three of them at a desktop's)."""
    from portfolio_gen.decisions.steering import assess_cohort
    from portfolio_gen.site.dashboard import write_dashboard
    from steering_cohort import AWARDS, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS

    cohort = assess_cohort(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, AWARDS)
    write_dashboard(tmp_path, cohort, FRAMEWORKS, today=TODAY, language="fr", institution="INSPÉ de test")
    # One page of each view: the index, then the first page per framework, phase, role, unit.
    pages = list({path.name.split("-")[0]: path for path in sorted(tmp_path.glob("*.html"), reverse=True)}.values())
    assert {"index.html", "framework-c2i2e.html", "unit-amiens.html"} <= {p.name for p in pages}
    page = browser.new_page(viewport={"width": 390, "height": 844})
    found = {}
    for path in pages:
        page.goto(path.as_uri())
        if problems := violations(page, axe_source):
            found[path.name] = problems
    assert found == {}
    page.close()
