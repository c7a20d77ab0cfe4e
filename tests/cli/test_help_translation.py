"""click speaks the user's language (issue 30): our help texts through the catalogue, click's
own words (usage, parser errors) through the .po shipped for its gettext domain."""

from __future__ import annotations

import inspect

import click
import pytest

from conftest import run_cli
from portfolio_gen.cli import main
from portfolio_gen.cli.translation import click_translation, command_key
from portfolio_gen.core import i18n


def commands(command: click.Command = main, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))


def test_every_help_text_is_in_the_catalogue_as_the_code_says_it():
    """A command or option added (or reworded) without its catalogue entry would show its
    English help to a French user; an entry out of step would translate older words."""
    catalogue, problems = i18n.catalog(), []
    for path, command in commands():
        key = command_key(list(path))
        if command.help and catalogue.get(key) != inspect.cleandoc(command.help):
            problems.append(f"{key}: {inspect.cleandoc(command.help)!r}")
        for param in command.params:
            if not isinstance(param, click.Option) or not param.help or param.help == "Show the version and exit.":
                continue
            english = catalogue.get(f"{key}.{param.name}") or catalogue.get(f"help.opt.{param.name}")
            if english != inspect.cleandoc(param.help):
                problems.append(f"{key}.{param.name} (or help.opt.{param.name}): {param.help!r}")
    assert not problems, "help texts missing from data/messages/help.yml, or different:\n" + "\n".join(problems)


def test_clicks_own_french_covers_what_users_meet():
    french = click_translation("fr")
    for message in ("Usage:", "Commands", "Error: {message}", "Show this message and exit.",
                    "Invalid value for {param_hint}: {message}", "No such command {name!r}.", "required"):
        assert french.gettext(message) != message, message
    assert french.ngettext("{value!r} does not match the format {format}.",
                           "{value!r} does not match the formats {formats}.", 1).startswith("{value!r} ne correspond")


@pytest.mark.parametrize("args", [("--lang", "fr", "--help"), ("--lang", "fr", "new", "entry", "--help")])
def test_help_is_french_with_lang_fr(args):
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "Utilisation :" in result.stdout and "Afficher ce message et quitter." in result.stdout
    assert "Usage:" not in result.stdout and "Show this message" not in result.stdout
    if "entry" in args:
        assert "Créer une entrée brouillon pour le candidat SLUG." in result.stdout
    else:
        assert "Commandes" in result.stdout and "Lister et afficher les référentiels de compétences." in result.stdout


def test_a_parser_error_is_french_and_the_next_english_command_is_english(workspace):
    result = run_cli("--lang", "fr", "new", "entry", "someone", "Titre", "--date", "05/03/2026", cwd=workspace)
    assert result.returncode == 2
    assert "Erreur : Valeur invalide pour '--date' : '05/03/2026' ne correspond pas au format" in result.stderr
    assert "does not match" not in result.stderr
    # The language is the invocation's: nothing French stays behind for the next one.
    english = run_cli("new", "entry", "someone", "Title", "--date", "05/03/2026", cwd=workspace)
    assert "Error: Invalid value for '--date': '05/03/2026' does not match the format" in english.stderr


def test_the_workspaces_language_setting_speaks_when_no_lang_is_given(workspace, monkeypatch):
    (workspace / "portfolio-gen.yml").write_text("language: fr\n", "utf-8")
    from click.testing import CliRunner
    monkeypatch.chdir(workspace)
    result = CliRunner().invoke(main, ["new", "--help"], env={"PORTFOLIO_GEN_LANG": None, "LC_ALL": None,
                                                              "LC_MESSAGES": None, "LANG": "en_US.UTF-8"})
    assert "Créer un candidat ou une entrée à partir d'un modèle." in result.stdout, result.stdout


def test_an_existing_entry_is_named_not_errno_17(demo_workspace):
    slug, workspace = "camille-martin", demo_workspace
    assert run_cli("new", "entry", slug, "Séquence", "--date", "2026-03-05", cwd=workspace).returncode == 0
    again = run_cli("--lang", "fr", "new", "entry", slug, "Séquence", "--date", "2026-03-05", cwd=workspace)
    assert again.returncode == 2
    assert "2026-03-05-sequence.md: erreur: existe déjà" in again.stderr, again.stderr
    assert "17" not in again.stderr


def test_a_missing_path_is_said_in_french(tmp_path):
    """click fixes a path's kind ("File") in English when the option is declared: the French
    message names the path alone."""
    result = run_cli("--lang", "fr", "keys", "did-key", str(tmp_path / "k.pem"), "--passphrase-file",
                     str(tmp_path / "absent.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"'{tmp_path / 'absent.txt'}' introuvable." in result.stderr and "File" not in result.stderr


def test_help_is_arabic_with_lang_ar():
    """Arabic as a third language (issue 30): click's words and ours, from the catalogues."""
    arabic = click_translation("ar")
    result = run_cli("--lang", "ar", "new", "entry", "--help")
    assert result.returncode == 0, result.stderr
    assert arabic.gettext("Usage:") in result.stdout and arabic.gettext("Usage:") != "Usage:"
    assert "Usage:" not in result.stdout and "Show this message" not in result.stdout
    summary = i18n.text("help.new.entry", "ar").split("\n")[0].split(".")[0].split("،")[0][:30]
    assert summary and summary in " ".join(result.stdout.split()), result.stdout
    # Six plural forms (zero, one, two, few, many, other), picked by the catalogue's rule.
    said = {n: i18n.plural("cli.count.candidates", "ar", n) for n in (0, 1, 2, 5, 11, 100)}
    assert len(set(said.values())) == 6, said


def test_help_of_help_follows_each_invocation_in_one_process():
    """click makes a command's --help option once and keeps it: its words stayed in the
    language of the first invocation of the process (Arabic, then in a French --help)."""
    from click.testing import CliRunner
    runner, said = CliRunner(), {}
    for language in ("ar", "fr", "en"):
        output = runner.invoke(main, ["--lang", language, "session", "new", "--help"]).output
        said[language] = next(line for line in output.splitlines() if "--help" in line).split("--help", 1)[1].strip()
    assert said == {language: click_translation(language).gettext("Show this message and exit.")
                    for language in ("ar", "fr", "en")}
