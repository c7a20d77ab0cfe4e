"""Where a candidate's entries and evidence files are published inside their site, and
what the institution's own site takes at the root of the output beside the candidates'.

One layout, shared by the site generator (which writes there) and the credential layer
(whose evidence points there), so that neither depends on the other.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .model import Evidence

ENTRIES_DIR = "entries"
# MkDocs would render a Markdown evidence file as a page; published as .txt it stays a file.
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd"})
# Files a browser would run in the site's origin if opened from it (issue #15): HTML and
# XML documents (XHTML, SVG and XSLT can hold scripts), scripts, and legacy active types.
# Published with a neutral ".txt" added (served as text/plain) and offered as downloads.
ACTIVE_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml", ".xht", ".svg", ".svgz", ".xml", ".xsl", ".xslt",
                             ".js", ".mjs", ".cjs", ".swf", ".mht", ".mhtml", ".hta", ".rdf", ".wasm", ".appcache"})
NEUTRAL_SUFFIX = ".txt"

# The institution's site at the output root (site/institution.py, site/credentials.py):
# a candidate folder of one of these names would be written over, or write over it.
VERIFY_DIR = "verify"
ASSETS_DIR = "assets"
INSTITUTION_ROOT_NAMES = frozenset({"index.html", VERIFY_DIR, ASSETS_DIR, ".well-known", "did.json",
                                    "registry.json", "status"})


def is_active(path: PurePosixPath) -> bool:
    return path.suffix.lower() in ACTIVE_SUFFIXES


def entry_path(entry_slug: str) -> str:
    """The entry's page, relative to the candidate's site URL."""
    return f"{ENTRIES_DIR}/{entry_slug}/"


def evidence_uri(evidence: Evidence) -> str:
    """Where a file is published: its path in the candidate folder, never as a page nor
    as a document that could run; the bytes stay the candidate's (same digest)."""
    path = PurePosixPath(evidence.path)
    if path.suffix.lower() in MARKDOWN_SUFFIXES or is_active(path):
        path = path.with_name(path.name + NEUTRAL_SUFFIX)
    return str(path)
