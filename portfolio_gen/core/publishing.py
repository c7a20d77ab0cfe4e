"""Where a candidate's entries and evidence files are published inside their site, and
what the institution's own site takes at the root of the output beside the candidates'.

One layout, shared by the site generator (which writes there) and the credential layer
(whose evidence points there), so that neither depends on the other.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .model import Candidate, Evidence, Pursuit

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
WELL_KNOWN_DID = ".well-known/did.json"  # where did:web resolves the institution's document
# The institution's signed manifest and the files it lists, for candidate repositories.
MANIFEST_FILE, MANIFEST_FILES_DIR = "institution.json", "institution"
INSTITUTION_ROOT_NAMES = frozenset({"index.html", VERIFY_DIR, ASSETS_DIR, WELL_KNOWN_DID.split("/")[0], "did.json",
                                    "registry.json", "status", MANIFEST_FILES_DIR, MANIFEST_FILE})


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


# --- what a site says of its candidate (verification.json "candidate") ------------------
# Enough for the institution to count a cohort from its published sites when the
# portfolios live in separate repositories (issue 12): who the site is of, their role and
# unit, the frameworks they pursue. Never the e-mail, nor anything under `private:`.

def candidate_card(candidate: Candidate) -> dict:
    """The candidate as their site's verification.json describes them."""
    # The name is the one the site's pages show; the verifier says whose portfolio it is (issue 32).
    return {"slug": candidate.slug, "name": candidate.name, "role": candidate.role, "unit": candidate.unit,
            "frameworks": [{"id": p.framework, **({"mention": p.mention} if p.mention is not None else {})}
                           for p in candidate.frameworks]}


def candidate_from_card(card: object) -> Candidate | None:
    """The candidate a published card describes (read from a site: trusted for nothing),
    or None when it is not a well-formed card."""
    if not isinstance(card, dict) or not all(isinstance(card.get(k), str) for k in ("slug", "role", "unit")):
        return None
    frameworks = card.get("frameworks")
    if not card["slug"] or not isinstance(frameworks, list) or not all(_pursuit_card(p) for p in frameworks):
        return None
    pursuits = tuple(Pursuit(p["id"], p.get("mention")) for p in frameworks)
    return Candidate(card["slug"], "", card["role"], "", "", pursuits, unit=card["unit"])


def _pursuit_card(value: object) -> bool:
    mention = value.get("mention") if isinstance(value, dict) else None
    return isinstance(value, dict) and isinstance(value.get("id"), str) and bool(value["id"]) \
        and (mention is None or (isinstance(mention, int) and not isinstance(mention, bool)))
