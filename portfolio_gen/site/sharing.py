"""How a credential travels beyond its page (issue 32): the link that adds it to a LinkedIn
profile, the preview a link shows on social networks, its date in words, and the
institution's identity (name, logo, colours) every site and certificate carries.

Pure functions over plain values: the pages (`themes/pages/credential.md.j2`, `home.md.j2`)
call them through `CredentialView`; nothing here reads a file or the network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from ..core import i18n

# LinkedIn's documented "Add to Profile" link for certifications: the member confirms on
# LinkedIn; nothing is sent from the site (a plain link, no script, no tracking).
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_add_url(*, name: str, organization: str, issued: str, cert_id: str, cert_url: str) -> str:
    """The "Add to profile" link prefilled with the certification's name, the organisation,
    the issue year and month (`issued`: ISO 8601), the credential's id and its page."""
    params = {"startTask": "CERTIFICATION_NAME", "name": name, "organizationName": organization}
    day = _day(issued)
    if day is not None:
        params |= {"issueYear": str(day.year), "issueMonth": str(day.month)}
    params |= {"certId": cert_id, "certUrl": cert_url}
    return f"{LINKEDIN_ADD}?{urlencode({k: v for k, v in params.items() if v})}"


def date_in_words(issued: str, language: str) -> str:
    """« 5 mars 2026 », "March 5, 2026" (CLDR's long date: core.i18n.format_date, Babel); ''
    for no date, the text itself when it is not one."""
    return i18n.format_date(issued, language)


def _day(issued: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(issued[:10]) if issued else None
    except ValueError:
        return None


DEFAULT_COLOUR = "#1f4e79"  # the certificates' ink without colours of the institution's own
LOGO = "assets/institution-logo"  # + the file's suffix, on the institution's and candidates' sites
IDENTITY_CSS = "assets/identity.css"


@dataclass(frozen=True)
class Identity:
    """The institution as its sites and certificates show it: its name; its logo file and
    colours (#rrggbb) when portfolio-gen.yml gives them (core/settings.py checks them)."""

    name: str
    logo: Path | None = None
    primary: str = ""
    accent: str = ""

    @property
    def colour(self) -> str:
        return self.primary or DEFAULT_COLOUR

    @property
    def logo_uri(self) -> str:
        """Where a site publishes the logo ('' without one)."""
        return f"{LOGO}{self.logo.suffix.lower()}" if self.logo is not None else ""


def identity_css(identity: Identity | None) -> str:
    """assets/identity.css of a site: the institution's colours as Material's custom
    properties (and the institution pages' own), its logo in Material's header. A file, as
    the sites' policy forbids inline styles; the colours come from the checked settings."""
    lines = ["/* The institution's identity (portfolio-gen.yml: institution.logo, institution.colours). */"]
    if identity is None:
        return lines[0] + "\n"
    properties = []
    if identity.primary:
        properties += [f"--md-primary-fg-color: {identity.primary};", f"--md-primary-fg-color--light: {identity.primary};",
                       f"--md-primary-fg-color--dark: {identity.primary};", f"--accent: {identity.primary};",
                       f"--pf-identity: {identity.primary};"]
    if identity.accent:
        properties.append(f"--md-accent-fg-color: {identity.accent};")
    if properties:
        lines.append(":root, body[data-md-color-primary], body[data-md-color-accent] { " + " ".join(properties) + " }")
    if identity.logo is not None:
        name = identity.logo_uri.rsplit("/", 1)[-1]  # beside this stylesheet, in assets/
        lines.append(f'.md-header__button.md-logo {{ background: url("{name}") center / contain no-repeat; '
                     "min-width: 2.4rem; }")
        lines.append(".md-header__button.md-logo > img, .md-header__button.md-logo > svg { visibility: hidden; }")
        lines.append(".pf-header__logo { height: 2.5rem; width: auto; vertical-align: middle; }")
    return "\n".join(lines) + "\n"
