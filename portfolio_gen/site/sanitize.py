"""Candidates' Markdown is data, never code: the HTML it produces goes through `nh3`.

Python-Markdown passes raw HTML through, so an entry body or a bio may hold `<script>`,
event handlers, `javascript:` links or frames; every candidate's site shares one origin
with the institution's `did.json`, registry and verification pages (issue #15).

A candidate's Markdown is rendered on its own and cleaned with a strict allow-list before
the page holding it is written (`render.candidate_block`), so the engine that builds the
site (MkDocs or Zensical, issue 33) never receives anything of theirs it could act on.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable

import nh3

# What portfolios need: structure, tables, images, links, code. No forms, frames, media
# players, styles or classes (Material's classes could overlay or hide our own content).
CANDIDATE_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp", "var",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr",
    "th", "td", "a", "img", "figure", "figcaption", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark",
    "sub", "sup", "small", "abbr", "cite", "q", "span", "div", "details", "summary", "time",
})
CANDIDATE_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "td": {"colspan", "rowspan", "align"},
    "col": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "abbr": {"title"},
    "time": {"datetime"},
    "details": {"open"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
# No data: (an HTML document in a link) nor javascript:; relative URLs stay allowed.
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Heading anchors from the `toc` extension. Material's own elements have ids starting
# with "__" (#__config, #__drawer, ...): a candidate's id must not shadow them.
_HEADING_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}\Z")

def _keep_attribute(tag: str, attribute: str, value: str, link: Callable[[str], str] | None = None) -> str | None:
    if attribute == "id":
        return value if _HEADING_ID.match(value) else None
    if link is not None and (tag, attribute) in _LINKS:
        return link(value)
    return value


_LINKS = frozenset({("a", "href"), ("img", "src")})


def clean_candidate_html(html: str, link: Callable[[str], str] | None = None) -> str:
    """HTML written or produced by a candidate, reduced to what a portfolio needs.

    `link` rewrites each kept link and image address (a relative one, to where the page is
    published: what MkDocs did to the Markdown it parsed, issue 33)."""
    return nh3.clean(html, tags=set(CANDIDATE_TAGS), attributes={k: set(v) for k, v in CANDIDATE_ATTRIBUTES.items()},
                     attribute_filter=partial(_keep_attribute, link=link), url_schemes=set(URL_SCHEMES),
                     link_rel=LINK_REL, strip_comments=True)


# Material prints the site name and navigation titles without escaping them, in text and
# in attributes: their markup characters become look-alikes that can never be markup.
_THEME_TEXT = str.maketrans({"<": "\u2039", ">": "\u203a", '"': "\u201d"})


def theme_text(text: str) -> str:
    """A candidate's text (name, entry title) as the theme may print it raw."""
    return text.translate(_THEME_TEXT)
