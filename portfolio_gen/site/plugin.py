"""The `portfolio` MkDocs plugin: a thin wrapper over the pages `source` generates.

`portfolio-gen build` no longer uses it: it writes each site as plain files that MkDocs
or Zensical builds without running tool code (site/source.py, issue 33). The plugin stays
for those who build a candidate's site from their own `mkdocs.yml`, and for the live
preview (`serve`):

    plugins:
      - portfolio:
          workspace: ..            # folder holding referentiels/ and candidates/
          candidate: camille-martin
      - search

It adds the same pages (candidate content already cleaned when rendered), the same theme
overrides, policy and scripts; it never imports cryptography: validations arrive as
plain `Validation` values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from ..core import i18n
from ..core.model import Candidate, Framework, Validation
from ..core.workspace import CANDIDATES_DIR, FRAMEWORKS_DIR, load_workspace
from .credentials import publish_credentials
from .builder import _digester
from .engines import COMPILED_TEMPLATES
from .pages import plan_site
from .previews import add_requests_page
from .render import MARKDOWN_EXTENSIONS, theme_dir
from .sanitize import theme_text
from .source import (CSP_EXTRA_KEY, PORTFOLIO_EXTRA_KEY, STYLESHEET, VERIFY_SCRIPT, PageError,
                     content_security_policy, site_contents, site_nav, unneeded_theme_file)
from .structure import Page, SiteStructure


class PortfolioConfig(base.Config):
    workspace = c.Dir(exists=True)
    candidate = c.Type(str)
    preview = c.Type(bool, default=False)  # `serve`: adds pages a built site never has


class PortfolioPlugin(BasePlugin[PortfolioConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.candidate: Candidate | None = None
        self.frameworks: Mapping[str, Framework] = {}
        self.digest = _digester({})
        self.structure: SiteStructure | None = None
        self.current_source: Path | None = None  # the input being rendered, named on failure

    def use(self, candidate: Candidate, frameworks: Mapping[str, Framework]) -> None:
        """Give the plugin an already-read model."""
        self.candidate, self.frameworks = candidate, frameworks

    # --- events ------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.candidate is None:
            self._read_workspace()
        self._refuse_candidate_as_docs(config)
        config.theme["language"] = self.candidate.language
        if str(theme_dir()) not in config.theme.dirs:
            # After a user's own custom_dir, before Material's templates.
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(theme_dir()))
        # What the generated mkdocs.yml says (source.site_config), read by the overrides.
        config.extra[CSP_EXTRA_KEY] = content_security_policy("")
        config.extra[PORTFOLIO_EXTRA_KEY] = {"candidate": theme_text(self.candidate.name),
                                             "language": self.candidate.language}
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
        self.structure = plan_site(self.candidate, self.frameworks, [], self.digest, None)
        if self.config.preview:
            add_requests_page(self.structure, self.frameworks, self._preview_validations())
        inclusion = {page.uri: self._inclusion(page) for page in self.structure.pages}
        try:
            for uri, content in site_contents(self.structure, use_directory_urls=config.use_directory_urls):
                if isinstance(content, Path):
                    file = File.generated(config, uri, abs_src_path=str(content))
                else:
                    file = File.generated(config, uri, content=content,
                                          inclusion=inclusion.get(uri, InclusionLevel.UNDEFINED))
                self._replace(files, file)
        except PageError as error:
            self.current_source = error.source
            raise
        config.nav = site_nav(self.structure)
        return files

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        env.bytecode_cache = COMPILED_TEMPLATES
        # The theme's own words in the site's language (issue 30): Material says some in
        # English whatever its `language` (the 404 title); our overrides ask the catalogue.
        language = config.theme["language"]
        env.globals["pf_t"] = lambda key, **params: i18n.text(key, language, **params)
        return env

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
        if not self.config.workspace:
            return []
        return publish_credentials(Path(self.config.workspace), self.candidate, self.frameworks).counted

    @staticmethod
    def _replace(files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)

    @staticmethod
    def _inclusion(page: Page) -> InclusionLevel:
        return InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
