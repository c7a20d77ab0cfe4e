"""The catalogue's run-time side: plural forms by CLDR rules, locale formats, and the one
rule that picks the language (issue 30)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portfolio_gen.core import i18n
from portfolio_gen.institution import trustfiles


@pytest.mark.parametrize(("language", "count", "expected"), [
    ("fr", 0, "0 candidat"), ("fr", 1, "1 candidat"), ("fr", 2, "2 candidats"),
    ("fr", 1_000_000, "1\u202f000\u202f000 candidats"),  # CLDR's `many`, said with `other`
    ("en", 0, "0 candidates"), ("en", 1, "1 candidate"), ("en", 1234, "1,234 candidates"),
])
def test_plural_picks_the_cldr_form_of_the_language(language: str, count: int, expected: str):
    assert i18n.plural("cli.count.candidates", language, count) == expected


def test_a_plural_message_is_not_a_plain_one_and_back():
    with pytest.raises(TypeError):
        i18n.text("cli.count.candidates", "fr")
    assert i18n.text("cli.count.candidates", "fr", count=1) == "1 candidat"  # templates' t(key, count=n)
    with pytest.raises(TypeError):
        i18n.plural("verdict.valid", "fr", 2)


def test_dates_numbers_and_sizes_are_formatted_for_the_language():
    assert i18n.format_date(dt.date(2026, 3, 5), "fr") == "5 mars 2026"
    assert i18n.format_date("2026-03-05T10:00:00Z", "en") == "March 5, 2026"
    assert i18n.format_date("not a date", "fr") == "not a date"
    assert i18n.format_number(12345.5, "fr") == "12\u202f345,5"
    assert i18n.format_size(34_918, "fr") == "34,1\u202fko"
    assert i18n.format_size(34_918, "en") == "34.1 kB"
    assert i18n.format_size(787, "fr") == "787\u00a0octets"


def test_the_language_is_the_explicit_one_then_the_workspace_then_the_locale(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    for variable in ("PORTFOLIO_GEN_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    (tmp_path / "portfolio-gen.yml").write_text("language: fr\n", "utf-8")
    setting = trustfiles.language_setting(tmp_path)
    assert trustfiles.language_setting(tmp_path / "elsewhere") is None
    assert i18n.user_language(None, None) == "en"  # no settings: the locale
    assert i18n.user_language(None, setting) == "fr"  # the workspace's setting beats the locale
    assert i18n.user_language("en", setting) == "en"  # --lang beats both
    monkeypatch.setenv("PORTFOLIO_GEN_LANG", "en")
    assert i18n.user_language(None, setting) == "en"  # so does its environment form
    monkeypatch.delenv("PORTFOLIO_GEN_LANG")
    (tmp_path / "portfolio-gen.yml").write_text("language: [broken\n", "utf-8")
    assert trustfiles.language_setting(tmp_path) is None  # unreadable settings: `check` says why
    assert i18n.user_language(None, "xx") == "en"  # a language the tool does not speak: the locale
