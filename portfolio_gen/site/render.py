"""Turn the pages of a `SiteStructure` into Markdown through the templates of `themes/pages/`.

Pages are generated as Markdown (with HTML blocks for tables and figures) rather than
rendered by theme templates alone, so that the engine's search indexes them, the table of
contents lists their sections, and MkDocs or Zensical builds the same files (issue 33).
Templates autoescape: candidate text can never inject markup, except the entry and bio
bodies, which are the candidate's own Markdown: the `candidate_markdown` filter renders
and cleans them (`sanitize`) before the page is written, as an HTML block the engine
passes through untouched.
"""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import jinja2
import markdown
from markupsafe import Markup, escape
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from ..core import i18n
from ..core.model import title_in
from .sanitize import clean_candidate_html
from .structure import Page, SiteStructure

# Characters Python-Markdown gives a meaning to in inline text; a backslash neutralises them.
MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|")
# The Python-Markdown extensions every site's pages are written for.
MARKDOWN_EXTENSIONS = ("attr_list", "md_in_html", "tables", "toc")


def themes_dir() -> Path:
    """`themes/` of the repository, reached through the package so installs find it too."""
    return Path(str(resources.files("portfolio_gen").joinpath("data/themes")))


def theme_dir() -> Path:
    """The Material `custom_dir` holding our overrides and stylesheet."""
    return themes_dir() / "portfolio"


def pages_dir() -> Path:
    """Templates of the generated Markdown pages (outside `custom_dir`: never copied to sites)."""
    return themes_dir() / "pages"


def markdown_text(value: object) -> Markup:
    """Text safe to place in Markdown: HTML-escaped, Markdown punctuation neutralised."""
    escaped = str(escape(value))
    return Markup("".join("\\" + char if char in MARKDOWN_SPECIALS else char for char in escaped))


@jinja2.pass_context
def file_size(context, size: int) -> str:
    """A file's size in the page's language (« 34,1 ko », "34.1 kB")."""
    return i18n.format_size(size, context.get("language") or i18n.DEFAULT_LANGUAGE)


@jinja2.pass_context
def date_in_words(context, value) -> str:
    """A date in the page's language, in words (« 5 décembre 2026 »); the ISO form stays in
    `<time datetime>` for machines."""
    return i18n.format_date(value, context.get("language") or i18n.DEFAULT_LANGUAGE)


@cache
def environment(folder: Path) -> jinja2.Environment:
    """One environment per template folder and process: compiled templates are reused.

    The cache key is the folder; templates are checked for changes (auto_reload), so a
    long-lived `serve` process still sees edits to the theme.
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, auto_reload=True)
    env.filters["md"] = markdown_text
    env.filters["filesize"] = file_size
    env.filters["words_date"] = date_in_words
    env.filters["candidate_markdown"] = candidate_block
    env.globals["direction"] = i18n.direction  # dir="rtl" for Arabic
    env.globals["title_in"] = title_in  # a framework object's title in the page's language
    return env


class Renderer:
    """Renders the pages of one site; knows its URL scheme so links are relative and portable."""

    def __init__(self, site: SiteStructure, use_directory_urls: bool, folder: Path | None = None):
        self.site = site
        self.use_directory_urls = use_directory_urls
        self.env = environment(folder or pages_dir())

    def url(self, uri: str) -> str:
        return File(uri, None, "", self.use_directory_urls).url

    def href(self, target: str, *, current: str) -> str:
        """Link from page `current` to `target` (both URIs as in the docs folder)."""
        if target in self.site.in_main_version:
            return self.main_version_href(target, current=current)
        return get_relative_url(self.url(target), self.url(current))

    def main_version_href(self, target: str, *, current: str) -> str:
        """Link to `target` in the site's main version, which alone holds the credentials
        and evidence (site/versions.py): from where `current` stands inside it."""
        return get_relative_url(self.url(target), self.site.version_folder + self.url(current))

    def render(self, page: Page) -> str:
        template = self.env.get_template(page.template)
        return template.render(
            page=page, site=self.site, candidate=self.site.candidate, language=self.site.language,
            t=partial(self.translate, self.site.language), href=partial(self.href, current=page.uri),
            # Where the in-page verifier reads verification.json and the trust files.
            verifier_root=partial(self.main_version_href, "index.md", current=page.uri),
            **page.context)

    @staticmethod
    def translate(language: str, key: str, **params: object) -> str:
        return i18n.text(key, language, **params)


def entry_html(body: str, link: Callable[[str], str] | None = None) -> Markup:
    """A candidate's own Markdown as HTML, rendered with the sites' extensions (for a
    site's page, and for the evaluators' review app).

    The body is the candidate's: it goes through the sites' own sanitizer (the same tags,
    attributes and URL schemes as a published page) before it may be trusted as HTML.
    """
    html = markdown.markdown(body, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    return Markup(clean_candidate_html(html, link))


def page_link(page_uri: str, url: str, site: SiteStructure | None = None) -> str:
    """A relative address written in a candidate's Markdown, as MkDocs rewrote those it
    parsed: relative to the page's source (`entries/x.md`), to its published place
    (`entries/x/`); `.md` targets become their page's URL. Anything else is left as is.
    On a version in another language (`site`), a file only the main version holds (an
    evidence file) is linked there."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return url
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_uri), parts.path))
    if target.startswith("../") or target == "..":
        return url
    here = File(page_uri, None, "", True).url
    if site is not None and target in site.in_main_version:
        here = site.version_folder + here
    relative = get_relative_url(File(target, None, "", True).url, here)
    return urlunsplit(("", "", relative, parts.query, parts.fragment))


@jinja2.pass_context
def candidate_block(context: jinja2.runtime.Context, body: str) -> Markup:
    """Jinja filter: a candidate's own Markdown (entry body, bio), rendered and cleaned now,
    as raw HTML blocks: neither engine parses what is inside them, so nothing the candidate
    wrote reaches the engine as Markdown or HTML it could act on (issue 33). Each top-level
    heading between them is given back as a Markdown heading of its plain text (and its
    anchor), so that the page's table of contents still lists the candidate's sections."""
    page = context.get("page")
    site = context.get("site")
    link = partial(page_link, page.uri, site=site if isinstance(site, SiteStructure) else None) \
        if isinstance(page, Page) else None
    parts = []
    for kind, text in _split_headings(str(entry_html(body, link))):
        if kind == "html":
            parts.append(f'<div class="pf-candidate">\n{text}\n</div>' if text.strip() else "")
        else:
            parts.append(text)
    return Markup("\n" + "\n\n".join(part for part in parts if part) + "\n")


class _Headings(HTMLParser):
    """The top-level headings of a cleaned fragment: (start, end, level, id, text), with
    offsets into the fragment as fed. Only the standard library's parser; nothing inside
    another element counts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, int, int, str, str]] = []
        self._depth = 0
        self._open: tuple[int, int, str] | None = None  # start, level, id
        self._text: list[str] = []
        self._offsets: list[int] = [0]

    def feed_all(self, html: str) -> list[tuple[int, int, int, str, str]]:
        for line in html.splitlines(keepends=True):
            self._offsets.append(self._offsets[-1] + len(line))
        self.feed(html)
        self.close()
        return self.found

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._offsets[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self._depth == 0 and tag in _HEADING_TAGS:
            self._open, self._text = (self._offset(), int(tag[1]), dict(attrs).get("id") or ""), []
        if tag not in _VOID_TAGS:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        self._depth = max(0, self._depth - 1)
        if self._depth == 0 and self._open is not None and tag == f"h{self._open[1]}":
            end = self._offset() + len(f"</{tag}>")
            self.found.append((self._open[0], end, self._open[1], self._open[2], " ".join("".join(self._text).split())))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID_TAGS = frozenset({"br", "hr", "img", "col", "wbr"})


def _split_headings(html: str) -> list[tuple[str, str]]:
    """A cleaned fragment as ("html", chunk) and ("heading", Markdown heading) parts."""
    parts, position = [], 0
    for start, end, level, anchor, text in _Headings().feed_all(html):
        parts.append(("html", html[position:start]))
        suffix = f" {{#{anchor}}}" if anchor else ""
        parts.append(("heading", f"{'#' * level} {markdown_text(text) or '—'}{suffix}"))
        position = end
    parts.append(("html", html[position:]))
    return parts

