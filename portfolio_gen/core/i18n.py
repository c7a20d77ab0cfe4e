"""Translation of user-facing text (French and English) from the message catalog."""

from __future__ import annotations

import locale
import os
from functools import cache
from importlib import resources

import yaml

from .problems import Problem

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "en"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def catalog() -> dict[str, dict[str, list[str] | str]]:
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


def user_language(explicit: str | None = None) -> str:
    """The language to talk to the user in: explicit choice, then the locale, then English."""
    if explicit in LANGUAGES:
        return explicit
    for variable in ("PORTFOLIO_GEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value[:2] in LANGUAGES:
            return value[:2]
    language = (locale.getlocale()[0] or "")[:2]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _entry(key: str, language: str) -> list[str] | str:
    messages = catalog().get(key)
    if messages is None:
        raise KeyError(f"no message {key!r} in the catalog")
    return messages.get(language) or messages[DEFAULT_LANGUAGE]


def text(key: str, language: str, **params: object) -> str:
    """A translated sentence (catalog entries that are plain strings)."""
    entry = _entry(key, language)
    template = entry if isinstance(entry, str) else entry[0]
    return template.format(**params)


def explain(problem: Problem, language: str) -> tuple[str, str]:
    """The problem's message and its hint, in `language`."""
    entry = _entry(problem.key, language)
    message, hint = (entry, "") if isinstance(entry, str) else (entry[0], entry[1] if len(entry) > 1 else "")
    params = {k: ("" if v is None else v) for k, v in problem.params.items()}
    return message.format(**params), hint.format(**params)
