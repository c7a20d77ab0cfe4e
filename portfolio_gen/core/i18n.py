"""Translation of user-facing text (French and English) from the message catalog.

A message is a key with named parameters (`{count}`, `{path}`), so that the catalogues
convert one to one to gettext's `.po` files later (issue 30). A message that counts
something gives one text per CLDR plural category (`one`, `other`; French also has `many`
for millions, which falls back to `other` as gettext's Plural-Forms does), chosen by
Babel's plural rules, never by `count == 1`. Dates, numbers and file sizes are formatted
for the language by Babel too.
"""

from __future__ import annotations

import datetime as dt
import locale
import os
from functools import cache
from importlib import resources

import yaml

from .problems import Problem

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "en"
# CLDR plural categories a catalogue entry may give; `other` is required, the fallback.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def catalog() -> dict[str, dict[str, list[str] | str | dict[str, str]]]:
    """Every message, merged from the files of data/messages/ (one per part of the tool)."""
    merged: dict = {}
    folder = resources.files("portfolio_gen").joinpath("data/messages")
    for resource in sorted(folder.iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".yml"):
            # The tool's own files, not user input: libyaml's loader, many times faster than
            # the pure-Python one (it was half of `status` on a 1,000-candidate cohort).
            part = yaml.load(resource.read_text("utf-8"), Loader=_LOADER) or {}  # noqa: S506 - a safe loader
            duplicated = merged.keys() & part.keys()
            if duplicated:
                raise ValueError(f"message keys defined twice: {sorted(duplicated)}")
            merged.update(part)
    return merged


def user_language(explicit: str | None = None, setting: str | None = None) -> str:
    """The language to talk to the user in, decided in one place for the command line, the
    review app, the dashboard, the minutes and commit messages (issue 30): the explicit
    choice (`--lang`, or `PORTFOLIO_GEN_LANG`, its form for scripts), then the workspace's
    `language` setting (read by the caller: institution/trustfiles.language_setting), then the locale,
    then English."""
    if explicit in LANGUAGES:
        return explicit
    chosen = os.environ.get("PORTFOLIO_GEN_LANG", "")[:2]
    if chosen in LANGUAGES:
        return chosen
    if setting in LANGUAGES:
        return setting
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value[:2] in LANGUAGES:
            return value[:2]
    language = (locale.getlocale()[0] or "")[:2]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _entry(key: str, language: str) -> list[str] | str | dict[str, str]:
    messages = catalog().get(key)
    if messages is None:
        raise KeyError(f"no message {key!r} in the catalog")
    return messages.get(language) or messages[DEFAULT_LANGUAGE]


def text(key: str, language: str, **params: object) -> str:
    """A translated sentence; a message that counts takes its number as `count` (what the
    templates' `t('key', count=n)` passes) and is said in the number's plural form."""
    entry = _entry(key, language)
    if isinstance(entry, dict):
        if "count" not in params:
            raise TypeError(f"message {key!r} counts something: give it count=, or say it with i18n.plural")
        count = params.pop("count")
        return plural(key, language, count, **params)
    template = entry if isinstance(entry, str) else entry[0]
    return template.format(**params)


def plural(key: str, language: str, count: int, **params: object) -> str:
    """A sentence about `count` things, in the plural form `language` gives that number
    (« 1 candidat », « 0 candidat », « 2 candidats »; "0 candidates" in English).
    `{count}` in the message is the number formatted for the language."""
    entry = _entry(key, language)
    if not isinstance(entry, dict):
        raise TypeError(f"message {key!r} has no plural forms: say it with i18n.text")
    template = entry.get(plural_category(count, language)) or entry["other"]
    return template.format(count=format_number(count, language), **params)


@cache
def _locale(language: str):
    from babel import Locale  # CLDR data, loaded once per language and process
    return Locale.parse(language)


def plural_category(count: int, language: str) -> str:
    """The CLDR plural category of `count` in `language` (`one`, `many`, `other`...)."""
    return _locale(language).plural_form(abs(count))


def format_number(value: int | float, language: str) -> str:
    """12 345,5 in French, 12,345.5 in English."""
    from babel.numbers import format_decimal
    return format_decimal(value, locale=_locale(language))


def format_date(value: dt.date | dt.datetime | str, language: str) -> str:
    """A date in words (« 5 décembre 2026 », "December 5, 2026"); an ISO string is read
    first, and text that is not a date is returned as it is."""
    from babel.dates import format_date as babel_format_date
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_format_date(value, format="long", locale=_locale(language))


_SIZE_UNITS = (("digital-byte", 1), ("digital-kilobyte", 1 << 10), ("digital-megabyte", 1 << 20),
               ("digital-gigabyte", 1 << 30))


def format_size(size: int, language: str) -> str:
    """A file size with the language's units and decimal mark: « 34,1 ko », "34.1 kB"."""
    from babel.units import format_unit
    unit, scale = next((u, s) for u, s in reversed(_SIZE_UNITS) if size >= s or s == 1)
    value = size / scale
    # Bytes in words (« 787 octets », "787 bytes": CLDR's short English form is "787 byte").
    return format_unit(round(value, 1) if scale > 1 else int(size), unit, length="short" if scale > 1 else "long",
                       format="#,##0.#", locale=_locale(language))


class Said(str):
    """A sentence kept as its key and parameters, to be said in the user's language at the
    edge (`say`); where it is used as plain text (JSON reports, logs) it reads in English,
    as before. Parameters may be `Said` themselves (« sa clé vient de la copie du site »)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params: object) -> Said:
        said = super().__new__(cls, text(key, DEFAULT_LANGUAGE, **params))
        said.key, said.params = key, params
        return said

    def __reduce__(self):  # copies (dataclasses.asdict) keep the key, not only the English
        return (_said, (self.key, self.params))


def _said(key: str, params: dict) -> Said:
    return Said(key, **params)


def say(value: object, language: str) -> str:
    """`value` in `language` if it is `Said`, else as it is."""
    if not isinstance(value, Said):
        return "" if value is None else str(value)
    return text(value.key, language, **{name: say(param, language) if isinstance(param, Said) else param
                                        for name, param in value.params.items()})


def explain(problem: Problem, language: str) -> tuple[str, str]:
    """The problem's message and its hint, in `language`."""
    entry = _entry(problem.key, language)
    message, hint = (entry, "") if isinstance(entry, str) else (entry[0], entry[1] if len(entry) > 1 else "")
    params = {k: ("" if v is None else v) for k, v in problem.params.items()}
    return message.format(**params), hint.format(**params)
