"""site/sharing.py: LinkedIn's "Add to profile" link carries any name and organisation intact
(property-based: quotes, ampersands, accents, « guillemets »), dates read in words in both
languages, and the identity stylesheet holds only the checked colours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from hypothesis import given, strategies as st

from portfolio_gen.site.sharing import Identity, date_in_words, identity_css, linkedin_add_url

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(str.strip)


@given(name=TEXT, organization=TEXT, day=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)))
def test_the_linkedin_link_carries_every_field_intact(name, organization, day):
    link = urlsplit(linkedin_add_url(name=name, organization=organization, issued=f"{day.isoformat()}T10:00:00Z",
                                     cert_id="36539bb6", cert_url="https://example.org/a/credentials/36539bb6/"))
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(link.query, keep_blank_values=True, strict_parsing=True) == {
        "startTask": ["CERTIFICATION_NAME"], "name": [name], "organizationName": [organization],
        "issueYear": [str(day.year)], "issueMonth": [str(day.month)], "certId": ["36539bb6"],
        "certUrl": ["https://example.org/a/credentials/36539bb6/"]}


def test_a_credential_without_a_date_gives_no_issue_date():
    query = parse_qs(urlsplit(linkedin_add_url(name="n", organization="o", issued="", cert_id="i",
                                               cert_url="https://e.org/")).query)
    assert "issueYear" not in query and "issueMonth" not in query


@given(day=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
def test_dates_read_in_words(day):
    french, english = (date_in_words(f"{day.isoformat()}T11:25:59Z", lang) for lang in ("fr", "en"))
    assert french.startswith(f"{day.day} ") and french.endswith(str(day.year)) and "T" not in french
    assert str(day.year) in english and "Z" not in english


def test_dates_in_words_as_cldr_says_them():
    assert date_in_words("2026-03-05T09:00:00Z", "fr") == "5 mars 2026"
    assert date_in_words("2026-03-05", "en") == "March 5, 2026"
    assert date_in_words("not a date", "fr") == "not a date"


def test_the_identity_stylesheet_holds_the_colours_and_the_logo_only_when_set():
    assert "{" not in identity_css(None) and "{" not in identity_css(Identity("INSPÉ"))
    css = identity_css(Identity("INSPÉ", Path("/w/assets/logo.png"), "#1f4e79", "#7a1f5c"))
    assert "--md-primary-fg-color: #1f4e79;" in css and "--md-accent-fg-color: #7a1f5c;" in css
    assert 'url("institution-logo.png")' in css
    assert Identity("INSPÉ", Path("/w/Logo.SVG")).logo_uri == "assets/institution-logo.svg"
