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
    # Its identity on every site it publishes and on its certificates (issue 32): the logo
    # file (resolved inside the workspace; None where the file is not at hand, as in a
    # candidate's repository) and its colours as #rrggbb ('' for the sites' defaults).
    logo: Path | None = None
    primary: str = ""
    accent: str = ""
    logo_setting: str = ""  # the path as written, to say so when the file is not there


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
    colours = institution.get("colours", {})
    problems = _identity_problems(root, path, institution)
    if problems:
        raise InputError(problems)
    return Settings(Institution(institution["name"], institution["id"], institution.get("url", ""),
                                f"{base}{INSTITUTION_IMAGE}", _logo_file(root, institution.get("logo", "")),
                                colours.get("primary", "").lower(), colours.get("accent", "").lower(),
                                institution.get("logo", "")),
                    _candidate_site_base_url(root) or base, data.get("achievements_base_url", f"{base}referentiels/"),
                    data.get("language", "fr"), institution_site_url=base,
                    engine=data.get("site", {}).get("engine", DEFAULT_ENGINE))


# White text on the primary colour (the sites' header), links in it on white: WCAG AA.
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
LOGO_MAX_BYTES = 512 * 1024
LOGO_SUFFIXES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp"})


def _identity_problems(root: Path, path: Path, institution) -> list[Problem]:
    """The logo must be a file of the workspace (not outside it, not too large) and each
    colour readable against white; the schema has checked their forms already."""
    problems = []
    logo = institution.get("logo", "")
    if logo:
        target = (root / logo).resolve()
        line = institution.line_of("logo")
        if Path(logo).is_absolute() or root.resolve() not in target.parents:
            problems.append(Problem("settings.logo_outside", path, line, {"logo": logo}))
        elif target.suffix.lower() not in LOGO_SUFFIXES:
            problems.append(Problem("settings.logo_type", path, line, {"logo": logo}))
        elif target.is_file() and target.stat().st_size > LOGO_MAX_BYTES:
            problems.append(Problem("settings.logo_size", path, line,
                                    {"logo": logo, "size": target.stat().st_size // 1024, "max": LOGO_MAX_BYTES // 1024}))
    colours = institution.get("colours", {})
    for name in ("primary", "accent"):
        colour = colours.get(name, "")
        if colour and contrast_with_white(colour) < AA_NORMAL_TEXT:
            problems.append(Problem("settings.colour_contrast", path, colours.line_of(name),
                                    {"name": name, "colour": colour, "ratio": f"{contrast_with_white(colour):.1f}"}))
    return problems


def logo_problems(settings: Settings, root: Path) -> list[Problem]:
    """A warning when the logo the settings name is not there: the sites are then built
    without it. Not an error: a candidate's repository, or any copy of the settings alone,
    carries the settings without the institution's logo file."""
    institution = settings.institution
    if not institution.logo_setting or institution.logo is not None or (root / LOCK_FILE).exists():
        return []
    return [Problem("settings.logo_missing", root / SETTINGS_FILE, None, {"logo": institution.logo_setting},
                    severity=WARNING)]


def _logo_file(root: Path, logo: str) -> Path | None:
    target = (root / logo).resolve() if logo else None
    return target if target is not None and target.is_file() else None


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours (1 to 21): the institution's colours
    here, the badges' in site/badges.py."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_with_white(colour: str) -> float:
    return contrast_ratio(WHITE, colour)


def _luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


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
