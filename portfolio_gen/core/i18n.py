"""Translation of user-facing text (French, English, Arabic) through gettext catalogues.

A message is a key with named parameters (`{count}`, `{path}`). Its English words are the
source catalogue, data/messages/*.yml, one file per part of the tool (key -> text, a
[message, hint] list, or {one, other} for a message that counts). The translations are
gettext catalogues, data/locale/<language>/LC_MESSAGES/messages.po, compiled to .mo,
which translators edit with their usual tools (Poedit, Weblate): each message's context
(msgctxt) is its key (`key#1` for a hint), its msgid the English. `scripts/messages`
extracts the template with Babel (babel.cfg names `extract_catalogue` below), merges it
into every .po (a changed English sentence becomes fuzzy there) and compiles them. A
message not translated yet reads in English, as gettext does. Counts take the language's
plural forms from its catalogue (Babel's CLDR rules: French « 0 candidat », Arabic's six
forms), never `count == 1`. Dates, numbers and sizes are formatted by Babel.
"""

from __future__ import annotations

import datetime as dt
import gettext
import locale
import os
from functools import cache
from importlib import resources

import yaml

from .model import LANGUAGES
from .problems import Problem

DEFAULT_LANGUAGE = "en"
# Written right to left: pages take dir="rtl" and mirror their layout.
RIGHT_TO_LEFT = frozenset({"ar"})
# Babel's locale for each language: Arabic as read in Morocco (GENIE's 148 centres), with
# Latin digits and the Moroccan month names.
_BABEL_LOCALES = {"fr": "fr", "en": "en", "ar": "ar_MA"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CATALOGUE_DOMAIN = "messages"


@cache
def catalog() -> dict[str, list[str] | str | dict[str, str]]:
    """Every message's English words, merged from the files of data/messages/."""
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


def known(key: str) -> bool:
    """Whether the catalogue has a message `key`."""
    return key in catalog()


def direction(language: str) -> str:
    """`rtl` or `ltr`, for a page's `dir` attribute."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


@cache
def translations(language: str, domain: str = _CATALOGUE_DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue of `language` (English needs none: it is the source); `click`
    is the domain of click's own words (cli/translation)."""
    folder = resources.files("portfolio_gen").joinpath("data/locale")
    with resources.as_file(folder) as localedir:
        return gettext.translation(domain, localedir, [language], fallback=True)


def context(key: str, part: int = 0) -> str:
    """A message part's gettext context: its key, `key#1` for the hint of a [message, hint]."""
    return key if part == 0 else f"{key}#{part}"


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


def _english(key: str) -> list[str] | str | dict[str, str]:
    english = catalog().get(key)
    if english is None:
        raise KeyError(f"no message {key!r} in the catalog")
    return english


def part(key: str, language: str, index: int = 0) -> str:
    """One part of a message in `language`: the message (0) or its hint (1)."""
    english = _english(key)
    if isinstance(english, dict):
        raise TypeError(f"message {key!r} counts something: say it with i18n.plural")
    parts = [english] if isinstance(english, str) else english
    if index >= len(parts):
        return ""
    return translations(language).pgettext(context(key, index), parts[index])


def text(key: str, language: str, **params: object) -> str:
    """A translated sentence; a message that counts takes its number as `count` (what the
    templates' `t('key', count=n)` passes) and is said in the number's plural form."""
    if isinstance(_english(key), dict):
        if "count" not in params:
            raise TypeError(f"message {key!r} counts something: give it count=, or say it with i18n.plural")
        count = params.pop("count")
        return plural(key, language, count, **params)
    return part(key, language).format(**params)


def plural(key: str, language: str, count: int, **params: object) -> str:
    """A sentence about `count` things, in the plural form `language` gives that number
    (« 1 candidat », « 0 candidat », « 2 candidats »; "0 candidates" in English).
    `{count}` in the message is the number formatted for the language."""
    english = _english(key)
    if not isinstance(english, dict):
        raise TypeError(f"message {key!r} has no plural forms: say it with i18n.text")
    singular = english.get("one") or english["other"]
    template = translations(language).npgettext(context(key), singular, english["other"], abs(count))
    return template.format(count=format_number(count, language), **params)


@cache
def _locale(language: str):
    from babel import Locale  # CLDR data, loaded once per language and process
    return Locale.parse(_BABEL_LOCALES.get(language, language))


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
    params = {k: ("" if v is None else v) for k, v in problem.params.items()}
    return (part(problem.key, language).format(**params), part(problem.key, language, 1).format(**params))


# --- the catalogue's template, for translators ---------------------------------------------

def extract_catalogue(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for a source file of data/messages/ (babel.cfg): every
    message as gettext sees it, its key as context, with a note for the translator when it
    is a hint or has placeholders to keep. `pybabel extract` calls it."""
    document = yaml.compose(fileobj.read().decode("utf-8"))
    for key_node, value_node in getattr(document, "value", None) or []:
        key, line, english = key_node.value, key_node.start_mark.line + 1, yaml.safe_load(yaml.serialize(value_node))
        if isinstance(english, dict):
            yield line, "npgettext", (key, english.get("one") or english["other"], english["other"]), \
                _translator_note(english["other"])
            continue
        for index, words in enumerate([english] if isinstance(english, str) else english):
            note = (["how to fix it, or what the word means"] if index else []) + _translator_note(words)
            yield line, "pgettext", (context(key, index), words), note


def _translator_note(words: str) -> list[str]:
    import string
    names = sorted({field for _, field, _, _ in string.Formatter().parse(words) if field})
    return [f"keep the placeholders {', '.join('{' + name + '}' for name in names)}"] if names else []
