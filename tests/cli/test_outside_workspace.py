"""Every command refuses a folder that is not a workspace: exit 2, « ce dossier n'est pas
un espace portfolio-gen », where to go, and nothing written there (issue 31).

The commands are found by walking the click command tree, so a new command is tested
without being named here; only the commands that legitimately run anywhere
(`cli.core.OUTSIDE_WORKSPACE`) are exempt, and each of them is checked to run."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from conftest import run_cli
from portfolio_gen.cli import main
from portfolio_gen.cli.core import OUTSIDE_WORKSPACE


def leaf_commands(group: click.Group = main, path: tuple[str, ...] = ()) -> dict[str, click.Command]:
    found = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(leaf_commands(command, path + (name,)))
        else:
            found[" ".join(path + (name,))] = command
    return found


COMMANDS = leaf_commands()


def plausible_arguments(command: click.Command, existing: Path) -> list[str]:
    """Values for the command's required parameters that pass click's parsing (an existing
    file where a path must exist), so that the command itself runs."""
    words = []
    for param in command.params:
        if isinstance(param, click.Argument):
            if param.required or param.nargs == -1:
                words += [_value(param.type, existing)] * (1 if param.nargs == -1 else param.nargs)
        elif param.required:
            words += [param.opts[0], _value(param.type, existing)]
    return words


def _value(kind: click.ParamType, existing: Path) -> str:
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, (click.IntRange, click.types.IntParamType)):
        return str(getattr(kind, "min", None) or 1)
    if isinstance(kind, click.DateTime):
        return "2026-01-15"
    if isinstance(kind, (click.Path, click.File)):
        return str(existing)
    return "x"


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An empty folder, and an existing file elsewhere for options whose path must exist."""
    empty = tmp_path_factory.mktemp("not-a-workspace")
    existing = tmp_path_factory.mktemp("elsewhere") / "some-file.json"
    existing.write_text("{}", "utf-8")
    return empty, existing


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - OUTSIDE_WORKSPACE))
def test_a_command_refuses_a_folder_that_is_no_workspace_and_writes_nothing(name: str, outside):
    empty, existing = outside
    args = [*name.split(), *plausible_arguments(COMMANDS[name], existing)]
    result = run_cli("--root", str(empty), *args, cwd=empty, lang="fr")
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert "ce dossier n'est pas un espace portfolio-gen" in result.stderr, (args, result.stderr)
    assert "Traceback" not in result.stderr
    assert list(empty.iterdir()) == []  # no .portfolio-gen/, no site/, nothing


def test_the_refusal_names_the_nearest_workspace_above(tmp_path: Path):
    (tmp_path / "portfolio-gen.yml").write_text("{}\n", "utf-8")
    inside = tmp_path / "candidates" / "alex"
    inside.mkdir(parents=True)
    result = run_cli("status", cwd=inside, lang="en")
    assert result.returncode == 2
    assert "this folder is not a portfolio-gen workspace" in result.stderr
    assert f'cd "{tmp_path.resolve()}"' in result.stderr
    assert list(inside.iterdir()) == []


def test_the_exemptions_are_commands_that_exist():
    assert OUTSIDE_WORKSPACE <= set(COMMANDS)


def test_the_exempt_commands_run_outside_a_workspace(tmp_path: Path):
    """init makes a workspace, keys makes a key, schemas writes schemas, verify reads the
    file it is given: none needs a workspace to run in."""
    created = run_cli("init", "ws", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "ws" / "portfolio-gen.yml").is_file()
    key = run_cli("keys", "new", "evaluator.pem", "--no-passphrase", cwd=tmp_path)
    assert key.returncode == 0, key.stderr
    assert run_cli("schemas", "schemas-out", cwd=tmp_path).returncode == 0
    assert (tmp_path / "schemas-out").is_dir()
    (tmp_path / "forged.json").write_text(json.dumps({"type": ["VerifiableCredential"]}), "utf-8")
    checked = run_cli("verify", "forged.json", cwd=tmp_path)
    assert checked.returncode == 1 and "not a portfolio-gen workspace" not in checked.stderr, checked.stderr
    assert "Traceback" not in checked.stderr


def test_help_and_version_answer_anywhere(outside):
    empty, _ = outside
    for args in (("--version",), ("--help",), ("check", "--help"), ("new", "self-assessment", "--help")):
        result = run_cli(*args, cwd=empty)
        assert result.returncode == 0 and "not a portfolio-gen workspace" not in result.stderr, (args, result.stderr)
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("args", [("audit",), ("certify", "alex", "--framework", "c2i2e", "--key", "KEY")])
def test_a_workspace_without_settings_gets_the_problem_not_a_traceback(workspace: Path, args):
    """audit and certify printed InputError: settings.missing (issue 31)."""
    key = workspace / "institution.pem"
    assert run_cli("keys", "new", str(key), "--no-passphrase").returncode == 0
    result = run_cli("--root", str(workspace), *[str(key) if a == "KEY" else a for a in args], lang="fr")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "portfolio-gen.yml" in result.stderr


# Commands that start a server or play the whole demo: run by their own tests.
LONG_RUNNING = {"demo", "edit", "serve"}


@pytest.fixture(scope="module")
def without_settings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace as they were before settings existed: frameworks, no portfolio-gen.yml."""
    from conftest import copy_frameworks
    root = tmp_path_factory.mktemp("without-settings")
    copy_frameworks(root)
    (root / "candidates").mkdir()
    return root


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if n.split()[0] not in LONG_RUNNING | {"init"}))
def test_no_command_prints_a_traceback_in_a_workspace_without_settings(name: str, without_settings, outside):
    _, existing = outside
    args = [*name.split(), *plausible_arguments(COMMANDS[name], existing)]
    result = run_cli("--root", str(without_settings), *args, cwd=without_settings)
    assert "Traceback" not in result.stderr, (args, result.stderr)
    assert result.returncode in (0, 1, 2), (args, result.returncode)
