"""Issue 33: the demo's sites built by MkDocs and by Zensical from the same generated
folders: the same pages, the same text on each page kind, the same credentials that
`verify` and the in-page verifier accept; the folder itself runs no tool code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from htmltree import parse
from hostile import SLUG as HOSTILE, add_hostile_candidate
from portfolio_gen.site.engines import ENGINES, ZensicalEngine
from portfolio_gen.site.fingerprint import shared_inputs
from portfolio_gen.site.render import entry_html, page_link
from sitefixtures import make_workspace, serve

VERIFIED = "sofia-benali"  # holds credentials of both cryptosuites
# Files an engine writes for its own theme or search: theirs, not the site's content.
ENGINE_FILES = re.compile(r"^(assets/(javascripts|stylesheets|images)/|search/|search\.json$|sitemap\.xml)")

pytestmark = pytest.mark.skipif(not ZensicalEngine().available(), reason="the zensical extra is not installed")


@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory) -> Path:
    """A copy of the session's demo (its sites built by MkDocs, the default engine), with
    the same candidates built again by Zensical into site-zensical/."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("engines") / "demo", symlinks=True))
    built = run_cli("--root", str(root), "build", "--engine", "zensical", "--output", str(root / "site-zensical"))
    assert built.returncode == 0, built.stdout + built.stderr
    return root


def sites(output: Path) -> dict[str, Path]:
    return {index.parent.name: index.parent for index in output.glob("*/index.html")
            if (index.parent / "verification.json").exists() or (index.parent / "entries").is_dir()}


def content_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and not ENGINE_FILES.match(p.relative_to(site).as_posix())}


def test_both_engines_publish_the_same_files_and_the_same_text_on_every_page(demo):
    mkdocs, zensical = sites(demo / "site"), sites(demo / "site-zensical")
    assert sorted(mkdocs) == sorted(zensical) and len(mkdocs) == 5
    kinds = set()
    for slug, site in mkdocs.items():
        other = zensical[slug]
        assert content_files(site) == content_files(other), slug  # pages, evidence, credentials, QR codes
        for page in sorted(site.rglob("index.html")):
            relative = page.relative_to(site)
            ours, theirs = parse(page), parse(other / relative)
            # The article is the tool's; around it, the theme's markup may differ (Zensical
            # titles the home page "Accueil - <name>", Material "<name>").
            assert ours.find("article").text == theirs.find("article").text, f"{slug}/{relative}"
            kinds.add(relative.parts[0] if len(relative.parts) > 1 else "home")
        for data in ("verification.json", "presentation.json"):
            if (site / data).exists():
                assert (site / data).read_bytes() == (other / data).read_bytes()
    # Every kind of page was compared: home, entries, frameworks (matrix, items), credentials, verify.
    assert {"home", "entries", "c2i2e", "crcne", "credentials", "verify"} <= kinds


def test_zensical_pages_keep_the_policy_the_scripts_and_the_print_header(demo):
    site = demo / "site-zensical" / VERIFIED
    for page in [site / "index.html", site / "verify" / "index.html", *sorted((site / "entries").rglob("index.html"))]:
        html = page.read_text("utf-8")
        head = html[:html.index("</head>")]
        assert head.index('http-equiv="Content-Security-Policy"') < head.index("<script"), page
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html), page  # no inline script
        assert 'src="' in html and "assets/verify.js" in html
        assert "Sofia" in parse(page).find("div", cls="pf-print-header").text
    assert "frame-guard.js" in (site / "verify" / "index.html").read_text("utf-8")
    assert not list(site.rglob("*.map"))  # the one step after the engine: trimmed as MkDocs' output is


@pytest.mark.parametrize("output", ["site", "site-zensical"])
def test_verify_accepts_both_builds(demo, output):
    result = run_cli("--root", str(demo), "verify", str(demo / output / VERIFIED))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout


@pytest.mark.browser
def test_the_in_page_verifier_runs_on_the_zensical_build(browser, demo, tmp_path):
    folder = Path(shutil.copytree(demo / "site-zensical" / VERIFIED, tmp_path / VERIFIED))
    for url in serve(folder):
        page = browser.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(url + "verify/")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
        found = page.locator("tr[data-credential] [data-pf-verify]")
        verdicts = {found.nth(i).get_attribute("data-verdict") for i in range(found.count())}
        assert found.count() > 1 and verdicts == {"valid"}
        assert violations == []


def test_the_generated_folder_names_no_tool_code_and_holds_no_candidate_markup(tmp_path):
    root = make_workspace(tmp_path / "ws")
    add_hostile_candidate(root)
    result = run_cli("--root", str(root), "build", HOSTILE, "--generate", str(tmp_path / "sources"),
                     "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "sources" / HOSTILE
    config = yaml.safe_load((folder / "mkdocs.yml").read_text("utf-8"))
    assert config["plugins"] == ["search"] and config["theme"]["custom_dir"] == "overrides"
    assert (folder / "overrides" / "main.html").is_file() and (folder / "overrides" / "assets" / "verify.js").is_file()
    markdown = "\n".join(p.read_text("utf-8") for p in (folder / "docs").rglob("*.md"))
    # The candidate's Markdown was rendered and cleaned when written: the engine gets no markup of theirs.
    for markup in (r"<script", r"<iframe", r"<form", r"<style", r"<object", r"<embed", r"<[^>]*\son[a-z]+\s*=",
                   r"<[^>]*\sstyle\s*=", r"(href|src)=\"?\s*javascript:", r"id=\"__config"):
        assert not re.search(markup, markdown, re.IGNORECASE), markup
    assert "Intro <strong>bold</strong> text" in markdown
    assert not (tmp_path / "out" / HOSTILE).exists()  # no engine ran


def test_candidate_links_are_rewritten_as_mkdocs_did():
    assert page_link("entries/x.md", "../evidence/carte.png") == "../../evidence/carte.png"
    assert page_link("entries/x.md", "y.md#plan") == "../y/#plan"
    assert page_link("index.md", "entries/x.md") == "entries/x/"
    for kept in ("https://example.org/a", "#plan", "mailto:a@example.org", "/abs", "../../../outside"):
        assert page_link("entries/x.md", kept) == kept
    html = entry_html("![carte](../evidence/carte.png) [b](javascript:alert(1))",
                      lambda url: page_link("entries/x.md", url))
    assert 'src="../../evidence/carte.png"' in html and "javascript" not in html


def test_material_end_of_life_is_told_once_and_zensical_must_be_installed(workspace, monkeypatch):
    (workspace / "portfolio-gen.yml").write_text(
        "institution: {name: INSPÉ, id: 'did:web:portfolios.example.org'}\n"
        "site_base_url: https://portfolios.example.org/\n", "utf-8")
    first = run_cli("--root", str(workspace), "build", lang="fr")
    again = run_cli("--root", str(workspace), "build", lang="fr")
    assert first.returncode == again.returncode == 0, first.stderr
    assert "5 mai 2027" in first.stderr and "--engine zensical" in first.stderr
    assert "2027" not in again.stderr
    monkeypatch.setattr(ZensicalEngine, "available", lambda self: False)
    missing = run_cli("--root", str(workspace), "build", "--engine", "zensical")
    assert missing.returncode == 2 and "portfolio-gen[zensical]" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_site_engine_setting_is_read_and_checked(workspace):
    settings = workspace / "portfolio-gen.yml"
    settings.write_text("institution: {name: INSPÉ, id: 'did:web:portfolios.example.org'}\n"
                        "site_base_url: https://portfolios.example.org/\nsite: {engine: zensical}\n", "utf-8")
    from portfolio_gen.core.settings import load_settings
    assert load_settings(workspace).engine == "zensical"
    settings.write_text(settings.read_text("utf-8").replace("zensical}", "hugo}"), "utf-8")
    bad = run_cli("--root", str(workspace), "check")
    assert bad.returncode == 2 and "portfolio-gen.yml" in bad.stdout + bad.stderr
    # Another engine, or another version of it, makes other pages: every site is rebuilt.
    assert shared_inputs(workspace, "zensical").tool != shared_inputs(workspace, "mkdocs").tool
    assert set(ENGINES) == {"mkdocs", "zensical"}


def test_candidate_headings_stay_in_the_table_of_contents_as_plain_text(tmp_path):
    """Cleaned before the engine sees it, a body's top-level headings come back as Markdown
    headings of their text: the engine lists them; nothing else of theirs is parsed."""
    import markdown

    from portfolio_gen.site.render import MARKDOWN_EXTENSIONS, environment
    from portfolio_gen.site.structure import Page

    (tmp_path / "t.md.j2").write_text("# Title\n\n{{ body|candidate_markdown }}\n", "utf-8")
    body = ("Intro\n\n## Séquence <img src=x onerror=alert(1)> & {: onclick=x} plan\n\ntext\n\n"
            "<div>\n<h3>nested</h3>\n</div>\n\n### Bilan {#plan}\n\nend")
    page = Page("entries/x.md", "x", "t.md.j2", {})
    written = environment(tmp_path).get_template("t.md.j2").render(body=body, page=page)
    engine = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    html = engine.convert(written)
    def flat(tokens):
        for token in tokens:
            yield token["level"], token["name"]
            yield from flat(token["children"])
    titles = list(flat(engine.toc_tokens))
    assert titles == [(1, "Title"), (2, "Séquence &amp; {: onclick=x} plan"), (3, "Bilan")], titles
    assert "onerror" not in html and "onclick=" not in html.replace("{: onclick=x}", "")
    assert "<h3>nested</h3>" in html  # inside another element: left in its block
    assert html.count('<div class="pf-candidate">') == 3
