"""Workspace settings (portfolio-gen.yml): the institution and where things are published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from . import schemas
from .pinning import LOCK_FILE, read_lock
from .problems import WARNING, InputError, Problem
from .publishing import INSTITUTION_ROOT_NAMES
from .yamlfile import load_mapping

SETTINGS_FILE = "portfolio-gen.yml"
BADGE_FILE = "badge.svg"
LEVELS_DIR = "badge-levels"
INSTITUTION_IMAGE = "assets/institution-badge.svg"
ENGINES = ("mkdocs", "zensical")  # site/engines.py builds with each
DEFAULT_ENGINE = "mkdocs"


@dataclass(frozen=True)
class Institution:
    name: str
    id: str  # did:web
    url: str = ""
    image: str = ""  # its badge's URL on its own site (INSTITUTION_IMAGE), for its OB 3.0 Profile


@dataclass(frozen=True)
class Settings:
    institution: Institution
    site_base_url: str
    achievements_base_url: str
    language: str = "fr"  # of the institution's own pages
    # Where the institution itself publishes, as it signed: its verifier is there. A
    # candidate repository publishes at its own site_base_url, never moving the verifier.
    institution_site_url: str = ""
    # What builds the sites (`site.engine`): "mkdocs" (the design's default) or "zensical",
    # Material for MkDocs' successor (issue 33); `build --engine` overrides it for one run.
    engine: str = DEFAULT_ENGINE

    @property
    def institution_base_url(self) -> str:
        """Where the institution publishes (its verifier, its status list)."""
        return self.institution_site_url or self.site_base_url

    @property
    def verifier_url(self) -> str:
        """The institution's verifier page: every verification link and QR code leads there."""
        return f"{self.institution_base_url}verify/"

    def site_url(self, slug: str) -> str:
        return f"{self.site_base_url}{slug}/"

    def achievement_id(self, framework_id: str, code: str) -> str:
        """Stable URL of a framework item: the same for every candidate and every evaluator."""
        return f"{self.achievements_base_url}{framework_id}/{quote(code, safe='')}"

    # Badge images live beside what they picture, on the institution's site, where the
    # achievement ids resolve (site/institution.py writes them): one image per framework,
    # item (and award), the same for every candidate (issue 32); the framework's and its levels'
    # beside the framework's page (`<framework>/badge.svg`, `<framework>/badge-levels/<level>.svg`).
    def achievement_image(self, framework_id: str, code: str) -> str:
        """The badge of an item or award: `<achievement id>/badge.svg`."""
        return f"{self.achievement_id(framework_id, code)}/{BADGE_FILE}"


def load_settings(root: Path) -> Settings:
    """The settings as the institution wrote them; in a candidate repository, with the
    candidate's own publishing address (recorded in its lock by `init --site-base-url`):
    the file itself stays the institution's, byte for byte, so its signature still holds."""
    path = root / SETTINGS_FILE
    if not path.exists():
        raise InputError([Problem("settings.missing", path)])
    data = load_mapping(path)
    problems = schemas.validate("workspace", data, path)
    if problems:
        raise InputError(problems)
    institution = data["institution"]
    base = data["site_base_url"]
    return Settings(Institution(institution["name"], institution["id"], institution.get("url", ""),
                                f"{base}{INSTITUTION_IMAGE}"),
                    _candidate_site_base_url(root) or base, data.get("achievements_base_url", f"{base}referentiels/"),
                    data.get("language", "fr"), institution_site_url=base,
                    engine=data.get("site", {}).get("engine", DEFAULT_ENGINE))


def _candidate_site_base_url(root: Path) -> str:
    if not (root / LOCK_FILE).exists():
        return ""
    try:
        lock = read_lock(root)
    except InputError:
        return ""  # `check` reports the unreadable lock; the institution's address stands meanwhile
    return lock.site_base_url if lock is not None else ""


def site_url_problems(settings: Settings, candidates) -> list[Problem]:
    """Warn where a candidate.yml's site_url differs from the one the workspace publishes
    at (<site_base_url><slug>/), which credentials and the site use: it would be ignored."""
    return [Problem("candidate.site_url_ignored", c.folder / "candidate.yml" if c.folder else None, None,
                    {"given": c.site_url, "used": settings.site_url(c.slug)}, severity=WARNING)
            for c in candidates if c.site_url and c.site_url != settings.site_url(c.slug)]


def reserved_slugs(settings: Settings) -> frozenset[str]:
    """Folder names the institution's site takes at the root of the output: its pages,
    verifier and trust files, and the framework pages when published under the base URL."""
    names = set(INSTITUTION_ROOT_NAMES)
    if settings.achievements_base_url.startswith(settings.site_base_url):
        names.add(settings.achievements_base_url[len(settings.site_base_url):].split("/")[0])
    return frozenset(name for name in names if name)


def reserved_slug_problems(settings: Settings, folders: Iterable[Path]) -> list[Problem]:
    """Candidate folders named as the institution's site's own: one would overwrite the other."""
    reserved = reserved_slugs(settings)
    return [Problem("candidate.reserved_slug", folder, None, {"slug": folder.name, "reserved": ", ".join(sorted(reserved))})
            for folder in folders if folder.name in reserved]
