"""A candidate's site in several languages (issue 30): one version per language.

candidate.yml's `languages: [fr, ar]` publishes the site in its main language at
`<slug>/`, as a site in one language is, and the same site in each other language at
`<slug>/<code>/`: every word the tool writes in that language, the candidate's own texts
as written. Each page has a language switch (Material's `extra.alternate`, drawn by our
`partials/alternate.html`) leading to the same page in the other versions.

The credentials stay one set. Only the main version holds the files a verifier reads or
counts (the credentials' JSON, `verification.json`, the presentation, the trust files)
and those made from them (QR codes, baked badges, certificates), with the evidence: the
other versions hold their pages and theme assets alone, and link to those files in the
main version. So `report --sites`, `audit --sites` and `verify` read one manifest and
one copy of each signed file per candidate, whichever versions exist.
"""

from __future__ import annotations

from dataclasses import replace

from ..core import i18n
from ..core.model import Candidate
from .structure import SiteStructure

# A version's own files: the theme's (its pages link them from their own root), the
# institution's identity stylesheet and logo among them.
OWN_FILES_FOLDER = "assets/"


def is_main_version(candidate: Candidate) -> bool:
    return candidate.language == candidate.site_languages[0]


def other_versions(candidate: Candidate) -> list[Candidate]:
    """The candidate as each other version of their site says them (none for a site in
    one language)."""
    return [replace(candidate, language=language) for language in candidate.site_languages[1:]]


def version_folder(candidate: Candidate) -> str:
    """Where this version is published inside the main version's folder: '' for the main
    one, `ar/` for the Arabic one."""
    return "" if is_main_version(candidate) else f"{candidate.language}/"


def language_roots(candidate: Candidate) -> list[tuple[str, str]]:
    """(language, root of its version) for every version of the site, relative to the
    root of the version `candidate.language` is, in the order of candidate.yml."""
    main, here = candidate.site_languages[0], candidate.language
    up = "" if here == main else "../"
    return [(language, "./" if language == here else up if language == main else f"{up}{language}/")
            for language in candidate.site_languages]


def alternate_links(candidate: Candidate) -> list[dict[str, str]]:
    """Material's `extra.alternate`: each version named in its own language, its root
    relative to this version's (our partials/alternate.html adds the page's own path)."""
    if len(candidate.site_languages) < 2:
        return []
    return [{"name": i18n.text("site.language.own_name", language), "link": root, "lang": language}
            for language, root in language_roots(candidate)]


def version_site_url(candidate: Candidate) -> str:
    """The address of this version: the main site's, and its folder (canonical links)."""
    if not candidate.site_url:
        return ""
    return candidate.site_url.rstrip("/") + "/" + version_folder(candidate)


def as_other_version(site: SiteStructure) -> SiteStructure:
    """The pages of a version in another language than the main one, linking to the main
    version's files instead of holding copies (see the module's docstring)."""
    folder = version_folder(site.candidate)
    if not folder:
        return site
    linked = {f.uri for f in [*site.files, *site.generated] if not f.uri.startswith(OWN_FILES_FOLDER)}
    site.files = [f for f in site.files if f.uri not in linked]
    site.generated = [g for g in site.generated if g.uri not in linked]
    site.version_folder, site.in_main_version = folder, frozenset(linked)
    return site
