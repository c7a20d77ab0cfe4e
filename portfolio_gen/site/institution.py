"""The institution's own site, at the root of the build output beside the candidates'.

What an employer reaches without trusting any candidate's host: a home page naming the
institution (frameworks, the verifier, the portfolios that opted in with
`publish_in_index: true`), one page per framework and per item at exactly the URL the
credentials use as achievement id and alignment targetUrl, each framework as JSON beside
its page, and the verifier (`verify/`), whose trust root is the institution's did.json,
signed registry and status list published at this same root.

Pages are plain HTML from the templates of `data/themes/institution/` (no MkDocs: these
few fixed pages need no Markdown, search or navigation of their own), with every link
relative so the output works from any host or folder. Every file is written atomically.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterable, Mapping

from ..core import i18n
from ..core.files import write_if_changed
from ..core.model import Framework, Item
from ..core.publishing import ASSETS_DIR, VERIFY_DIR
from ..core.settings import BADGE_FILE, INSTITUTION_IMAGE, LEVELS_DIR, Settings
from ..credentials.openbadges import AWARD_CODES, rule_text
from . import badges
from .credentials import DID_FILE, REGISTRY_FILE, ROOT_ONLY, item_phases
from .sharing import IDENTITY_CSS, Identity, identity_css
from .render import environment, themes_dir

THEME = "institution"
ASSETS = ("institution.css",)
VERIFIER_FILES = ("verifier.js", "THIRD-PARTY-LICENSES.txt")


@dataclass(frozen=True)
class PortfolioLink:
    name: str
    slug: str


def theme_folder() -> Path:
    return themes_dir() / THEME


def framework_folder(settings: Settings, framework_id: str) -> str | None:
    """Where a framework's page lives in the output (posix, relative to the root), or None
    when the achievements are published outside the site's base URL."""
    base, achievements = settings.site_base_url, settings.achievements_base_url
    if not achievements.startswith(base):
        return None
    return f"{achievements[len(base):]}{framework_id}"


def item_folder(settings: Settings, framework_id: str, code: str) -> str | None:
    """The item's page folder: the path of `settings.achievement_id` under the base URL
    (a host serves `<id>` from `<id>/index.html`)."""
    folder = framework_folder(settings, framework_id)
    return None if folder is None else f"{folder}/{code}"


def build_institution_site(output: Path, settings: Settings, frameworks: Mapping[str, Framework],
                           portfolios: Iterable[tuple[str, str]], status_lists: Mapping[str, str]) -> list[Path]:
    """Write the institution's pages and verifier into `output`; the paths written.

    `portfolios` are the (name, slug) of the candidates who opted in to the index;
    `status_lists` maps each status list's URL to its path under `output`.
    """
    site = _Site(output, settings)
    listed = sorted((PortfolioLink(name, slug) for name, slug in portfolios), key=lambda link: link.name.casefold())
    published = {fid: fw for fid, fw in sorted(frameworks.items()) if framework_folder(settings, fid)}
    site.page("index.html", "home.html.j2", frameworks=published, portfolios=listed)
    for framework in published.values():
        folder = framework_folder(settings, framework.id)
        site.page(f"{folder}/index.html", "framework.html.j2", framework=framework,
                  data_file=f"{folder}.json")
        site.data(f"{folder}.json", framework_data(settings, framework))
        for item in framework.items:
            site.page(f"{item_folder(settings, framework.id, item.code)}/index.html", "item.html.j2",
                      framework=framework, item=item, achievement_id=settings.achievement_id(framework.id, item.code))
        if framework.rule is not None:  # the commission's certificate and attestation
            for code in AWARD_CODES:
                site.page(f"{item_folder(settings, framework.id, code)}/index.html", "award.html.j2",
                          framework=framework, award=code, rule=rule_text(framework),
                          achievement_id=settings.achievement_id(framework.id, code))
    _write_badges(site, published)
    site.page(f"{VERIFY_DIR}/index.html", "verify.html.j2")
    site.data(f"{VERIFY_DIR}/config.json", verifier_config(settings, frameworks, status_lists))
    for name in VERIFIER_FILES:
        site.copy(theme_folder() / VERIFY_DIR / name, f"{VERIFY_DIR}/{name}")
    for name in ASSETS:
        site.copy(theme_folder() / ASSETS_DIR / name, f"{ASSETS_DIR}/{name}")
    # The institution's logo and colours, as on every candidate's site (issue 32).
    site.text(IDENTITY_CSS, identity_css(site.identity))
    if site.identity.logo is not None:
        site.copy(site.identity.logo, site.identity.logo_uri)
    return site.written


def _write_badges(site: _Site, frameworks: Mapping[str, Framework]) -> None:
    """The badge images, where the credentials' Image URLs (`Settings.*_image`) point:
    beside each framework's and achievement's page, and the institution's own."""
    settings, name = site.settings, site.settings.institution.name
    site.text(INSTITUTION_IMAGE, badges.badge_svg(badges.institution_badge(name)))
    for framework in frameworks.values():
        folder = framework_folder(settings, framework.id)
        site.text(f"{folder}/{BADGE_FILE}", badges.badge_svg(badges.framework_badge(framework, name)))
        for item in framework.items:
            site.text(f"{item_folder(settings, framework.id, item.code)}/{BADGE_FILE}",
                      badges.badge_svg(badges.item_badge(framework, item, name)))
        for code in AWARD_CODES if framework.rule is not None else ():
            site.text(f"{item_folder(settings, framework.id, code)}/{BADGE_FILE}",
                      badges.badge_svg(badges.award_badge(framework, code, name, site.language)))
        for level in framework.levels:
            site.text(f"{folder}/{LEVELS_DIR}/{level.code}.svg",
                      badges.badge_svg(badges.level_badge(framework, level, name)))


def framework_data(settings: Settings, framework: Framework) -> dict:
    """A framework as published data: items with their achievement URL, criteria, phase.
    Each title in the framework's language (`title`), in others (`titles`), and `title_en`
    as it was published before `titles` (its readers keep working)."""
    source = framework.source
    return {
        "id": framework.id, "title": framework.title, "title_en": framework.titles.get("en", ""),
        "titles": dict(framework.titles),
        "version": framework.version, "language": framework.language,
        "source": {"title": source.title, "reference": source.reference, "url": source.url,
                   "date": source.date.isoformat() if source.date else None},
        "levels": [{"code": lv.code, "title": lv.title, "titles": dict(lv.titles)} for lv in framework.levels],
        "domains": [{"code": d.code, "title": d.title, "titles": dict(d.titles),
                     "items": [_item_data(settings, framework, i) for i in d.items]}
                    for d in framework.domains],
    }


def _item_data(settings: Settings, framework: Framework, item: Item) -> dict:
    return {"code": item.code, "id": settings.achievement_id(framework.id, item.code), "title": item.title,
            "title_en": item.titles.get("en", ""), "titles": dict(item.titles),
            "description": item.description, "criteria": list(item.criteria),
            "mandatory": item.mandatory, "phase": item.phase}


def verifier_config(settings: Settings, frameworks: Mapping[str, Framework],
                    status_lists: Mapping[str, str]) -> dict:
    """What the verifier page reads first: whose site this is and where its trust files
    are (relative to the root); item phases for the registry's phase rule."""
    return {
        "institution": settings.institution.id,
        "siteBaseUrl": settings.site_base_url,
        "didDocument": ROOT_ONLY[DID_FILE][0],
        "registry": REGISTRY_FILE,
        "statusLists": dict(status_lists),
        "phases": item_phases(frameworks),
    }


class _Site:
    """Writes pages with links relative to each page, so the output is portable."""

    def __init__(self, output: Path, settings: Settings):
        self.output = output
        self.settings = settings
        self.language = settings.language
        self.env = environment(theme_folder())
        self.written: list[Path] = []
        institution = settings.institution
        self.identity = Identity(institution.name, institution.logo, institution.primary, institution.accent)

    def page(self, uri: str, template: str, **context: object) -> None:
        here = posixpath.dirname(uri)
        html = self.env.get_template(template).render(
            settings=self.settings, institution=self.settings.institution, identity=self.identity,
            language=self.language,
            t=partial(i18n.text, language=self.language), href=partial(_href, here), uri=uri,
            framework_href=partial(_framework_href, self.settings, here),
            item_href=partial(_item_href, self.settings, here), **context)
        self._write(uri, html)

    def text(self, uri: str, text: str) -> None:
        self._write(uri, text)

    def data(self, uri: str, data: dict) -> None:
        self._write(uri, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def copy(self, source: Path, uri: str) -> None:
        write_if_changed(self.output / uri, source.read_bytes())
        self.written.append(self.output / uri)

    def _write(self, uri: str, text: str) -> None:
        write_if_changed(self.output / uri, text.encode("utf-8"))
        self.written.append(self.output / uri)


def _href(here: str, target: str) -> str:
    """A relative link from the folder `here` to `target` (a folder ends with /)."""
    relative = posixpath.relpath(target.rstrip("/") or ".", here or ".")
    return relative + "/" if target.endswith("/") and relative != "." else ("./" if relative == "." else relative)


def _framework_href(settings: Settings, here: str, framework_id: str) -> str:
    return _href(here, f"{framework_folder(settings, framework_id)}/")


def _item_href(settings: Settings, here: str, framework_id: str, code: str) -> str:
    return _href(here, f"{item_folder(settings, framework_id, code)}/")

