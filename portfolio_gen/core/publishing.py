"""Where a candidate's entries and evidence files are published inside their site.

One layout, shared by the site generator (which writes there) and the credential layer
(whose evidence points there), so that neither depends on the other.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .model import Evidence

ENTRIES_DIR = "entries"
# MkDocs would render a Markdown evidence file as a page; published as .txt it stays a file.
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd"})


def entry_path(entry_slug: str) -> str:
    """The entry's page, relative to the candidate's site URL."""
    return f"{ENTRIES_DIR}/{entry_slug}/"


def evidence_uri(evidence: Evidence) -> str:
    """Where a file is published: its path in the candidate folder, never as a page."""
    path = PurePosixPath(evidence.path)
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        path = path.with_name(path.name + ".txt")
    return str(path)
