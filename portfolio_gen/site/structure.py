"""The shape of a candidate's site: its pages, its files, and where framework pages live.

The types every page planner fills (`pages` for the portfolio, `diagnostic` for the
self-assessment) and the renderer reads; plain values, no MkDocs, no HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ..core.model import Candidate, Framework, Item
from ..core.portfolios import slug_for
from .badges import Badge

if TYPE_CHECKING:  # only a type: the credential views are planned by `pages`
    from .credentials import PublishedCredentials


@dataclass(frozen=True)
class Page:
    """A page to generate: where it lives, what template renders it, with what."""

    uri: str
    title: str
    template: str
    context: Mapping[str, object]
    source: Path | None = None  # the input file it comes from, to name it when it fails
    in_nav: bool = True


@dataclass(frozen=True)
class CopiedFile:
    uri: str
    source: Path


@dataclass(frozen=True)
class GeneratedFile:
    """A published file made at build time: a QR code, the verification manifest, a
    credential baked into its badge."""

    uri: str
    kind: str  # "qr" (content: the encoded URL) | "manifest" | "baked" (PNG or SVG, by the uri) | "certificate"
    #   | "text" (content: the file itself, as the identity's stylesheet)
    content: str = ""  # "certificate": the institution verifier's link its QR code encodes
    badge: Badge | None = None  # "baked": the badge's design
    source: Path | None = None  # "baked": the credential file, baked byte for byte
    credential: object = None  # "certificate": the award's CredentialView (site/certificate.py)


@dataclass
class SiteStructure:
    candidate: Candidate
    language: str
    home: Page
    entries: list[Page] = field(default_factory=list)
    matrices: list[Page] = field(default_factory=list)
    items: list[Page] = field(default_factory=list)
    files: list[CopiedFile] = field(default_factory=list)
    diagnostics: list[Page] = field(default_factory=list)  # self-assessment pages (site/diagnostic.py)
    credentials: list[Page] = field(default_factory=list)  # the list, one page each, verify
    generated: list[GeneratedFile] = field(default_factory=list)
    baked: set[str] = field(default_factory=set)  # uuids of the credentials baked into their badge
    certificates: set[str] = field(default_factory=set)  # uuids of the awards with a one-page PDF
    published: PublishedCredentials | None = None
    previews: list[Page] = field(default_factory=list)  # `serve` only, never built: requests (site/previews.py), refusals
    # A version in another language than the site's main one (site/versions.py): its folder
    # inside the main version's (`ar/`), and the files its pages link to there, not copied.
    version_folder: str = ""
    in_main_version: frozenset[str] = frozenset()

    @property
    def pages(self) -> list[Page]:
        return [self.home, *self.entries, *self.matrices, *self.diagnostics, *self.items, *self.credentials,
                *self.previews]


def framework_uri(framework: Framework) -> str:
    return f"{framework.id}/index.md"


def item_uri(framework: Framework, item: Item) -> str:
    return f"{framework.id}/{slug_for(item.code.replace('.', '-')) or 'item'}.md"
