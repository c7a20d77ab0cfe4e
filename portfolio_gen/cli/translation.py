"""click in the user's language (issue 30): its own messages and our help texts.

click marks its own words (« Usage: », « Error: … », « does not match the format … »)
with gettext's `_()`, bound at import to `gettext.gettext`, which follows the process
environment only. The language here is chosen per invocation (`--lang`, then the workspace's
`language` setting, then the locale: `i18n.user_language`), after click has started
parsing, so click's modules get a `_` that asks the translation of that language:
data/locale/<language>/LC_MESSAGES/click.po, shipped in the package with its compiled .mo (scripts/messages).
The environment and gettext's global domain are left alone: git and the other
libraries this process runs keep theirs.

Our help texts are written in English in the code (the command reference of the docs reads
them there) and translated at format time, when the language is known: `help.<command
path>` for a command, `help.<command path>.<parameter>` or `help.opt.<parameter>` (an
option several commands share) for an option, in data/messages/help.yml.
"""

from __future__ import annotations

import gettext
import importlib
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Iterator

import click

from ..core import i18n

# The language click speaks in, for this invocation (PortfolioGroup.main sets and resets it).
_LANGUAGE: ContextVar[str] = ContextVar("portfolio_gen_click_language", default=i18n.DEFAULT_LANGUAGE)
# click's help of --help, its msgid.
CLICK_HELP = "Show this message and exit."
# click's modules that bind gettext's functions at import.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui",
                  "types", "utils")


def click_translation(language: str) -> gettext.NullTranslations:
    """click's messages in `language`: data/locale/<language>/LC_MESSAGES/click.mo."""
    return i18n.translations(language, "click")


def _gettext(message: str) -> str:
    return click_translation(_LANGUAGE.get()).gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return click_translation(_LANGUAGE.get()).ngettext(singular, plural, count)


@cache
def install() -> None:
    """Route click's `_` and `ngettext` to the invocation's language (once per process)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _gettext
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _ngettext


def language() -> str:
    return _LANGUAGE.get()


def set_language(chosen: str) -> None:
    _LANGUAGE.set(chosen)


@contextmanager
def speaking(chosen: str) -> Iterator[None]:
    """click speaks `chosen` inside the block, and what it spoke before after it."""
    token = _LANGUAGE.set(chosen)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


# --- our help texts -----------------------------------------------------------------------

def command_key(path: list[str]) -> str:
    """`help.new.entry` for `portfolio-gen new entry`, `help.main` for the tool itself."""
    return "help." + (".".join(part.replace("-", "_") for part in path) or "main")


def help_text(key: str, english: str | None, chosen: str) -> str | None:
    """The catalogue's text for `key` in `chosen`, or the code's English if it has none."""
    if not english or not i18n.known(key):
        return english
    return i18n.text(key, chosen)


def option_help(command: str, param: click.Parameter, chosen: str) -> str | None:
    """An option's help: its own message, the shared one, or click's own (--help, --version)."""
    for key in (f"{command}.{param.name}", f"help.opt.{param.name}"):
        if i18n.known(key):
            return help_text(key, param.help, chosen)
    return click_translation(chosen).gettext(param.help) if getattr(param, "help", None) else None


def _path(ctx: click.Context) -> list[str]:
    return ctx.command_path.split()[1:]


@contextmanager
def _translated(command: click.Command, path: list[str], ctx: click.Context | None) -> Iterator[None]:
    """The command's and its options' help in the invocation's language while click formats
    them; the English of the code stays the command's own."""
    chosen, key = _LANGUAGE.get(), command_key(path)
    params = command.get_params(ctx) if ctx is not None else command.params
    # click makes a command's --help option once and keeps it, its help in the language of
    # that first invocation: it is said from click's English words each time.
    help_option = command.get_help_option(ctx) if ctx is not None else None
    saved = (command.help, [(param, getattr(param, "help", None)) for param in params])
    try:
        command.help = help_text(key, command.help, chosen)
        for param in params:
            if param is help_option:
                param.help = click_translation(chosen).gettext(CLICK_HELP)
            elif isinstance(param, click.Option):
                param.help = option_help(key, param, chosen)
        yield
    finally:
        command.help = saved[0]
        for param, text in saved[1]:
            if isinstance(param, click.Option):
                param.help = text


class TranslatedCommand(click.Command):
    """A command whose help is said in the invocation's language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, _path(ctx), ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        parent = click.get_current_context(silent=True)
        path = (_path(parent) if parent is not None else []) + [self.name or ""]
        with _translated(self, path, None):
            return super().get_short_help_str(limit)


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group whose help, and its commands' and subgroups', is said in the invocation's language."""

    command_class = TranslatedCommand
    group_class = type  # subgroups are of the group's own class
