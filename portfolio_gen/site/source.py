"""A candidate's site as plain files, the folder an engine builds (issue 33).

    <folder>/mkdocs.yml   theme, navigation, Content-Security-Policy, scripts
    <folder>/docs/        every page as Markdown (candidate content already cleaned),
                          evidence, credentials, QR codes, baked badges
    <folder>/overrides/   the theme override folder (`custom_dir`): templates, assets

Nothing in it calls back into portfolio-gen: `mkdocs build -f <folder>/mkdocs.yml` and
`zensical build -f <folder>/mkdocs.yml` both build it into `<folder>/site/` (Zensical wants
the output inside the project). What the `portfolio` plugin used to do at build time is
done here, before any engine runs:

- candidate Markdown is rendered and cleaned when the page is written (`sanitize`), so
  the engine receives it as an HTML block it passes through untouched;
- the Content-Security-Policy, the print header and the in-page verifier reach the theme
  through `extra` and `extra_javascript`, read by the override templates;
- the generated files (QR codes, the verification manifest, baked badges) are written
  beside the pages, and evidence and credentials copied.

One step runs on the engine's output, the same for both engines: `trim_output` removes
theme files no reader needs (source maps, search languages other than the site's).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import yaml

from ..core import i18n
from ..core.model import Candidate, Framework, Validation
from ..credentials.dids import DidResolutionError, parse_did_web
from .badges import baked_badge
from .certificate import certificate_pdf
from .credentials import PublishedCredentials, qr_svg
from .pages import plan_site
from .render import MARKDOWN_EXTENSIONS, Renderer, theme_dir
from .sanitize import theme_text
from .structure import GeneratedFile, SiteStructure
from .versions import alternate_links, as_other_version, version_site_url

CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "docs"
OVERRIDES_DIR = "overrides"
SITE_DIR = "site"
STYLESHEET = "assets/portfolio.css"
# The in-browser verifier: acts only on pages holding [data-pf-verify] elements.
VERIFY_SCRIPT = "assets/verify.js"
SOURCE_MAP = ".map"
LUNR_DIR = "assets/javascripts/lunr/"
LUNR_SEGMENTERS = frozenset({"tinyseg.js", "wordcut.js"})  # Japanese, Thai
# Every page's policy (a <meta>: candidates' hosts are static). Only this site's own
# scripts, styles, images and fonts (Material inlines a few icons as data: URLs); no
# inline script or style attribute, no plugins, no frames, no form posts. `frame-ancestors`
# is ignored in a <meta>: verification pages carry frame-guard.js instead, and
# docs/security.md gives the headers a web server should add.
# One inline stylesheet is allowed, by its digest: the one Zensical's search (0.0.73, the
# version the `zensical` extra pins) puts in its shadow root; MkDocs' pages have none. Another
# Zensical version may need another digest: tests/site/test_engines.py fails on any violation.
ZENSICAL_SEARCH_STYLE = "'sha256-NwSx/R2V/U4jnW0Tq5pQ53Y/rzPVJ4dqE7D6UTA/J1k='"
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; "
                           f"style-src 'self' {ZENSICAL_SEARCH_STYLE}; img-src 'self' data:; "
                           "font-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
                           "frame-src 'none'; base-uri 'self'; form-action 'none'")
CSP_EXTRA_KEY = "portfolio_csp"
PORTFOLIO_EXTRA_KEY = "portfolio"  # the print header's candidate name (themes/portfolio/main.html)
THEME_FEATURES = ["navigation.top", "navigation.sections", "search.highlight", "toc.follow"]
# Zensical's variant that keeps Material's look (and its templates, which our overrides extend).
ZENSICAL_VARIANT = "classic"


def content_security_policy(institution: str) -> str:
    """The policy of a candidate's pages: the in-page verifier also reads the institution's
    did.json, registry and status lists from the institution's own domain (a did:web's),
    not only the host's copies (issue 28), so `connect-src` names that origin too."""
    try:
        origin = f"https://{parse_did_web(institution).authority}"
    except DidResolutionError:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self';", f"connect-src 'self' {origin};")


class PageError(Exception):
    """A page could not be written; `source` names the input it came from."""

    def __init__(self, source: Path | None, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")
        self.source = source


@dataclass
class SiteSource:
    """What `write_site_source` wrote: the folder, its config and the pages' structure."""

    folder: Path
    structure: SiteStructure
    written: list[str] = field(default_factory=list)  # docs URIs

    @property
    def config_file(self) -> Path:
        return self.folder / CONFIG_FILE

    @property
    def output(self) -> Path:
        return self.folder / SITE_DIR


def write_site_source(folder: Path, candidate: Candidate, frameworks: Mapping[str, Framework],
                      validations: Iterable[Validation], digest: Callable[[Path], str],
                      published: PublishedCredentials | None = None, *,
                      structure: SiteStructure | None = None) -> SiteSource:
    """Write the candidate's site as plain files into `folder` (created, or emptied of a
    previous generation's pages); raises PageError naming the input of a page that fails.

    `structure`: pages already planned (the `serve` preview adds its own to them).
    """
    site = as_other_version(structure or plan_site(candidate, frameworks, validations, digest, published))
    docs = folder / DOCS_DIR
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    source = SiteSource(folder, site)
    for uri, content in site_contents(site, use_directory_urls=True):
        if isinstance(content, Path):
            _link_or_copy(content, docs / uri)
        else:
            _write(docs / uri, content)
        source.written.append(uri)
    _copy_overrides(folder / OVERRIDES_DIR)
    config = site_config(candidate, site, published)
    _write(source.config_file, "# Written by portfolio-gen: build with `mkdocs build` or `zensical build`.\n"
           + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return source


def site_config(candidate: Candidate, site: SiteStructure, published: PublishedCredentials | None) -> dict:
    """The mkdocs.yml of a candidate's generated folder, read as it is by both engines."""
    language = candidate.language
    config = {
        "site_name": theme_text(candidate.name),  # Material prints it unescaped
        "docs_dir": DOCS_DIR,
        "site_dir": SITE_DIR,
        "use_directory_urls": True,
        "theme": {
            "name": "material",
            "variant": ZENSICAL_VARIANT,  # read by Zensical; MkDocs passes it to the theme, unused
            "custom_dir": OVERRIDES_DIR,
            "language": language,
            "font": False,  # no Google Fonts request: sites work offline and leak no visits
            "features": list(THEME_FEATURES),
            "palette": {"primary": "indigo", "accent": "indigo"},
        },
        "extra": {
            CSP_EXTRA_KEY: content_security_policy(published.institution if published else ""),
            PORTFOLIO_EXTRA_KEY: {"candidate": theme_text(candidate.name), "language": language},
            # Issue 30: the theme's own words Material says in English whatever `language`
            # (the 404 title), from the catalogue, for themes/portfolio/404.html.
            "portfolio_words": {"not_found": i18n.text("site.theme.not_found", language),
                                "language_switch": i18n.text("site.language.switch", language)},
        },
        "extra_css": [STYLESHEET],
        "extra_javascript": [VERIFY_SCRIPT],
        "markdown_extensions": list(MARKDOWN_EXTENSIONS),
        "plugins": ["search"],
        "nav": site_nav(site),
    }
    if candidate.site_url:
        config["site_url"] = version_site_url(candidate)
    if len(candidate.site_languages) > 1:  # issue 30: the language switch (site/versions.py)
        config["extra"]["alternate"] = alternate_links(candidate)
    if published is not None and published.institution_name:
        # Issue 32: the institution's name in every page's footer (Material's copyright line);
        # its logo and colours come with assets/identity.css.
        config["copyright"] = theme_text(i18n.text("identity.footer", language,
                                                   institution=published.institution_name))
    return config


def site_nav(site: SiteStructure) -> list:
    language = site.language
    nav: list = [{i18n.text("site.nav.home", language): site.home.uri}]  # titles: see theme_text
    if site.matrices:
        nav.append({i18n.text("site.nav.frameworks", language): [{theme_text(p.title): p.uri} for p in site.matrices]})
    if site.entries:
        nav.append({i18n.text("site.nav.entries", language): [{theme_text(p.title): p.uri} for p in site.entries]})
    listed = [p for p in site.credentials if p.in_nav]
    if listed:
        nav.append({i18n.text("site.nav.credentials", language): [{theme_text(p.title): p.uri} for p in listed]})
    nav += [{theme_text(p.title): p.uri} for p in site.previews]
    return nav


def trim_output(site: Path, language: str) -> None:
    """After either engine: remove theme files no reader of this site can need (source
    maps, other languages' search). They weigh megabytes per site, and carry third-party
    authors' e-mail addresses, which the privacy scan of every output file rightly flags."""
    for path in sorted(site.rglob("*")):
        if path.is_file() and unneeded_theme_file(path.relative_to(site).as_posix(), language):
            path.unlink()


def unneeded_theme_file(uri: str, language: str) -> bool:
    if uri.endswith(SOURCE_MAP):
        return True
    if not uri.startswith(LUNR_DIR):
        return False
    name = uri.rsplit("/", 1)[-1]
    kept = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", f"lunr.{language}.min.js"}
    return name.endswith(".js") and (name not in kept) and ("/min/" in uri or name in LUNR_SEGMENTERS)


def site_contents(site: SiteStructure, *, use_directory_urls: bool) -> Iterator[tuple[str, str | bytes | Path]]:
    """Every file of the site's docs folder, by URI: a page's Markdown, a generated file's
    bytes, or the path of a file published as it is (evidence, credentials). The one
    place pages are made, for the generated folder and for the `portfolio` plugin."""
    renderer = Renderer(site, use_directory_urls)
    for page in site.pages:
        try:
            content = renderer.render(page)
        except Exception as error:  # noqa: BLE001 - named by its input, reported by the builder
            raise PageError(page.source, error) from error
        yield page.uri, content
    for copied in site.files:
        yield copied.uri, copied.source
    for generated in site.generated:
        yield generated.uri, generated_content(site, generated)


def generated_content(site: SiteStructure, generated: GeneratedFile) -> str | bytes:
    """The bytes of a file the site makes: a QR code, a baked badge, the manifest."""
    if generated.kind == "qr":
        return qr_svg(generated.content)
    if generated.kind == "baked":
        return baked_badge(generated.uri, generated.badge, generated.source.read_bytes())
    if generated.kind == "certificate":  # issue 32: the award as a PDF, planned only where it can be made
        return certificate_pdf(generated.credential, site.published.identity, generated.content, site.language)
    if generated.kind == "text":  # issue 32: the institution's identity stylesheet
        return generated.content
    return site.published.manifest()


def _copy_overrides(target: Path) -> None:
    """The theme override folder, copied so the generated folder stands on its own."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(theme_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    else:
        path.write_bytes(content)


def _link_or_copy(source: Path, target: Path) -> None:
    """Evidence and credentials as a hard link when the file system allows (a copy of a
    portfolio's files per build would double its I/O), else a copy. Engines only read them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
