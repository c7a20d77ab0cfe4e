"""The `portfolio` MkDocs plugin: generates a candidate's pages from the domain model.

Usable from a plain `mkdocs.yml`:

    plugins:
      - portfolio:
          workspace: ..            # folder holding referentiels/ and candidates/
          candidate: camille-martin
      - search

The builder preloads the model with `use()` (it has read and checked it already, and
holds validations from the credential layer); otherwise the plugin reads the workspace
itself. It never imports cryptography: validations arrive as plain `Validation` values.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Mapping

import jinja2
import jinja2.bccache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage

from ..core import i18n
from ..core.files import sha256_file
from ..core.model import Candidate, Framework, Validation
from ..core.workspace import CANDIDATES_DIR, FRAMEWORKS_DIR, load_workspace
from ..credentials.dids import DidResolutionError, parse_did_web
from .badges import baked_badge
from .certificate import Identity, certificate_pdf
from .credentials import PublishedCredentials, publish_credentials, qr_svg
from .pages import plan_site
from .previews import add_requests_page
from .structure import GeneratedFile, Page, SiteStructure
from .render import MARKDOWN_EXTENSIONS, Renderer, theme_dir
from .sanitize import clean_page, plain_text, theme_text

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
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
                           "frame-src 'none'; base-uri 'self'; form-action 'none'")
CSP_EXTRA_KEY = "portfolio_csp"


def content_security_policy(institution: str) -> str:
    """The policy of a candidate's pages: the in-page verifier also reads the institution's
    did.json, registry and status lists from the institution's own domain (a did:web's),
    not only the host's copies (issue 28), so `connect-src` names that origin too."""
    try:
        origin = f"https://{parse_did_web(institution).authority}"
    except DidResolutionError:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self';", f"connect-src 'self' {origin};")


def unneeded_theme_file(uri: str, language: str) -> bool:
    """Theme files no reader of this site can need: source maps, other languages' search.

    They weigh megabytes per site, and carry third-party authors' e-mail addresses,
    which the privacy scan of every output file rightly flags.
    """
    if uri.endswith(SOURCE_MAP):
        return True
    if not uri.startswith(LUNR_DIR):
        return False
    name = uri.rsplit("/", 1)[-1]
    kept = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", f"lunr.{language}.min.js"}
    return name.endswith(".js") and (name not in kept) and ("/min/" in uri or name in LUNR_SEGMENTERS)


class CompiledTemplates(jinja2.BytecodeCache):
    """Theme templates compiled once per process, shared by the builds it runs.

    MkDocs makes a new Jinja environment per build and would recompile Material's
    templates for every candidate (a third of a build's time). Jinja keys each entry by
    template and checks the source's checksum on load, so an edited theme is recompiled:
    nothing stale crosses from one build to the next.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()
log = logging.getLogger("mkdocs.plugins.portfolio")


def _toc_anchors(toc) -> Iterable:
    """Every entry of a page's table of contents (headings may come from a candidate)."""
    for anchor in toc:
        yield anchor
        yield from _toc_anchors(anchor.children)


class PortfolioConfig(base.Config):
    workspace = c.Dir(exists=True)
    candidate = c.Type(str)
    preview = c.Type(bool, default=False)  # `serve`: adds pages a built site never has


class PortfolioPlugin(BasePlugin[PortfolioConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.candidate: Candidate | None = None
        self.frameworks: Mapping[str, Framework] = {}
        self.validations: list[Validation] = []
        self.digests: dict[Path, str] = {}
        self.published: PublishedCredentials | None = None
        self.structure: SiteStructure | None = None
        self.current_source: Path | None = None  # the input being rendered, named on failure
        self._sources: dict[str, Path | None] = {}

    def use(self, candidate: Candidate, frameworks: Mapping[str, Framework],
            validations: Iterable[Validation] = (), digests: Mapping[Path, str] | None = None,
            published: PublishedCredentials | None = None) -> None:
        """Give the plugin an already-read model (and known file digests, to hash once), and
        the credentials to publish with their verdicts (judged by the builder)."""
        self.candidate, self.frameworks = candidate, frameworks
        self.validations = list(validations)
        self.digests = dict(digests or {})
        self.published = published

    # --- events ------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.candidate is None:
            self._read_workspace()
        self._refuse_candidate_as_docs(config)
        config.theme["language"] = self.candidate.language
        if str(theme_dir()) not in config.theme.dirs:
            # After a user's own custom_dir, before Material's templates.
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(theme_dir()))
        config.extra[CSP_EXTRA_KEY] = content_security_policy(self.published.institution if self.published else "")
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if VERIFY_SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(VERIFY_SCRIPT)
        for extension in MARKDOWN_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for unneeded in [f for f in files if unneeded_theme_file(f.src_uri, self.candidate.language)]:
            files.remove(unneeded)
        self.structure = plan_site(self.candidate, self.frameworks, self.validations, self._digest, self.published)
        if self.config.preview:
            add_requests_page(self.structure, self.frameworks, self._preview_validations())
        renderer = Renderer(self.structure, config.use_directory_urls)
        for page in self.structure.pages:
            self.current_source = page.source
            self._replace(files, File.generated(config, page.uri, content=renderer.render(page),
                                                inclusion=self._inclusion(page)))
            self._sources[page.uri] = page.source
        for copied in self.structure.files:
            self._replace(files, File.generated(config, copied.uri, abs_src_path=str(copied.source)))
            self._sources[copied.uri] = copied.source
        for generated in self.structure.generated:
            self._replace(files, File.generated(config, generated.uri, content=self._generated(generated)))
        self.current_source = None
        config.nav = self._nav()
        return files

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        env.bytecode_cache = COMPILED_TEMPLATES
        # The theme's own words in the site's language (issue 30): Material says some in
        # English whatever its `language` (the 404 title); our overrides ask the catalogue.
        language = config.theme["language"]
        env.globals["pf_t"] = lambda key, **params: i18n.text(key, language, **params)
        return env

    def on_page_markdown(self, markdown: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        self.current_source = self._sources.get(page.file.src_uri)
        return markdown

    def on_page_content(self, html: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str:
        # Candidate Markdown becomes data here, before the theme and the search index see it.
        html, broken = clean_page(html)
        if broken:
            log.warning("portfolio: %s: candidate content left its markers; the whole page was cleaned",
                        page.file.src_uri)
        for anchor in _toc_anchors(page.toc):
            anchor.title = plain_text(anchor.title)
        return html

    def on_page_context(self, context, *, page: MkDocsPage, config: MkDocsConfig, nav):
        context["portfolio"] = {"candidate": theme_text(self.candidate.name), "language": self.candidate.language}
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.current_source = None

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        """Live reload on edits to the candidate's folder, the frameworks and the theme."""
        root = Path(self.config.workspace or ".")
        for folder in (self.candidate.folder, root / FRAMEWORKS_DIR, theme_dir().parent):
            if folder is not None and folder.is_dir():
                server.watch(str(folder))
        return server

    # --- helpers -----------------------------------------------------------------------

    def _read_workspace(self) -> None:
        if not self.config.workspace or not self.config.candidate:
            raise PluginError("portfolio: set both 'workspace' (the folder holding referentiels/ and "
                              "candidates/) and 'candidate' (a folder name under candidates/)")
        workspace = load_workspace(Path(self.config.workspace), only=[self.config.candidate])
        if workspace.errors:
            lines = [f"{p.location()}: {i18n.explain(p, 'en')[0]}" for p in workspace.errors]
            raise PluginError("portfolio: the candidate has errors (run portfolio-gen check):\n" + "\n".join(lines))
        self.use(workspace.candidate(self.config.candidate), workspace.frameworks)

    def _refuse_candidate_as_docs(self, config: MkDocsConfig) -> None:
        """A docs_dir inside the candidate folder would publish drafts and private files."""
        docs = Path(config.docs_dir).resolve()
        folder = self.candidate.folder.resolve() if self.candidate.folder else None
        if folder is not None and (docs == folder or folder in docs.parents or docs in folder.parents):
            raise PluginError(f"portfolio: docs_dir {docs} overlaps the candidate folder {folder}; "
                              f"use an empty folder (or one with extra public pages) outside {CANDIDATES_DIR}/")

    def _preview_validations(self) -> list[Validation]:
        """In a preview, the credentials that count, judged as a build would."""
        if self.validations or not self.config.workspace:
            return self.validations
        return publish_credentials(Path(self.config.workspace), self.candidate, self.frameworks).counted

    def _generated(self, generated: GeneratedFile) -> str | bytes:
        if generated.kind == "qr":
            return qr_svg(generated.content)
        if generated.kind == "baked":
            return baked_badge(generated.uri, generated.badge, generated.source.read_bytes())
        if generated.kind == "certificate":  # issue 32: an award as a one-page PDF
            return certificate_pdf(generated.credential, Identity(self.published.institution_name if self.published
                                                                  else ""), generated.content, self.candidate.language)
        return self.structure.published.manifest()

    def _digest(self, path: Path) -> str:
        if path not in self.digests:
            self.digests[path] = sha256_file(path)
        return self.digests[path]

    @staticmethod
    def _replace(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)

    @staticmethod
    def _inclusion(page: Page) -> InclusionLevel:
        return InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV

    def _nav(self) -> list:
        site, language = self.structure, self.candidate.language
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
