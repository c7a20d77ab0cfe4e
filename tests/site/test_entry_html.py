"""site.render.entry_html: a candidate's Markdown as HTML outside MkDocs, never able to run code."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings, strategies as st

from portfolio_gen.site.render import entry_html

ATTACKS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
           "<iframe src='https://evil.example'></iframe>", "<a href='javascript:alert(1)'>a</a>",
           "<svg onload=alert(1)>", "<style>body{display:none}</style>", "<form action=/x><button>b</button></form>"]


def test_markdown_is_rendered_with_the_sites_extensions():
    html = str(entry_html("# Title\n\nSome **bold** [link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
    assert "<strong>bold</strong>" in html and "<table>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_active_content_is_removed():
    html = str(entry_html("\n\n".join(ATTACKS))).lower()
    for marker in ("<script", "onerror", "onload", "javascript:", "<iframe", "<style", "<form", "<svg"):
        assert marker not in html, marker


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ATTACKS + ["text", "**b**", "<", ">", "\"", "'", "\n\n", "<p>"]), max_size=12))
def test_no_mixture_of_markdown_and_markup_lets_a_script_through(parts):
    found = ActiveParts()
    found.feed(str(entry_html("".join(parts))))
    assert found.active == []


class ActiveParts(HTMLParser):
    """Elements and attributes a browser would run, as parsed (escaped text is harmless)."""

    def __init__(self):
        super().__init__()
        self.active = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style", "svg", "form"):
            self.active.append(tag)
        self.active += [name for name, value in attrs
                        if name.startswith("on") or (value or "").strip().lower().startswith("javascript:")]
