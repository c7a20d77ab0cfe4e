"""How a credential travels beyond its page (issue 32): the link that adds it to a LinkedIn
profile, the preview a link shows on social networks, and its date in words.

Pure functions over plain values: the pages (`themes/pages/credential.md.j2`, `home.md.j2`)
call them through `CredentialView`; nothing here reads a file or the network.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

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
    """« 5 mars 2026 », "March 5, 2026" (CLDR's long date, by Babel); '' for no date, the
    text itself when it is not one."""
    day = _day(issued)
    if day is None:
        return issued
    from babel.dates import format_date

    return format_date(day, format="long", locale=language)


def _day(issued: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(issued[:10]) if issued else None
    except ValueError:
        return None
