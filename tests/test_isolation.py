"""The suite runs away from the developer's machine (issue 27): every environment variable
the tool reads is replaced for the session, and a poisoned real home changes nothing."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import conftest
from conftest import REPO

PACKAGE = REPO / "portfolio_gen"


def variables_read(module: Path) -> set[str]:
    """Names passed to os.environ.get / os.environ[...] / os.getenv in a module: literals,
    module-level constants, and loop variables over a literal tuple (i18n's locale list)."""
    tree = ast.parse(module.read_text("utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    loops: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and isinstance(node.iter, ast.Tuple):
            loops.setdefault(node.target.id, set()).update(
                element.value for element in node.iter.elts if isinstance(element, ast.Constant))
    found: set[str] = set()

    def resolve(argument: ast.expr) -> set[str]:
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return {argument.value}
        if isinstance(argument, ast.Name) and argument.id in constants:
            return {constants[argument.id]}
        if isinstance(argument, ast.Name) and argument.id in loops:
            return loops[argument.id]
        raise AssertionError(f"{module}:{argument.lineno}: an environment variable this test cannot name; "
                             "read it through a constant")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = ast.unparse(node.func)
            if name in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                found |= resolve(node.args[0])
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
            found |= resolve(node.slice)
    return found


def test_every_variable_the_tool_reads_is_replaced_for_the_session():
    read = set().union(*(variables_read(module) for module in PACKAGE.rglob("*.py")))
    assert {"PORTFOLIO_GEN_PASSPHRASE", "XDG_CACHE_HOME", "LC_ALL"} <= read  # the scan sees them
    isolated = [name for name in read if name in conftest.HOME_VARIABLES or name in conftest.LANGUAGE_VARIABLES
                or name.startswith(conftest.ISOLATED_PREFIXES)]
    assert sorted(read - set(isolated)) == []
    for name in read:
        if name.startswith("PORTFOLIO_GEN_"):
            assert name not in os.environ, name
    assert os.environ["HOME"] != conftest._saved_environment.get("HOME")
    assert Path.cwd() != REPO and REPO not in Path.cwd().parents


def test_the_scan_sees_a_variable_read_through_a_constant(tmp_path: Path):
    module = tmp_path / "probe.py"
    module.write_text('import os\nSECRET = "SOME_VARIABLE"\n\ndef f():\n    return os.environ.get(SECRET)\n')
    assert variables_read(module) == {"SOME_VARIABLE"}


def test_a_poisoned_real_home_changes_nothing(tmp_path: Path):
    """The issue's case: a home whose user cache says version 99 of every registry the demo
    signs. A run of tests that check, build and read workspaces passes and leaves that home
    as it was: had they used it, `check` would have created the read cache's key there
    (cache-key is left out on purpose) and the registry memory would have been rewritten."""
    home = tmp_path / "poisoned-home"
    cache = home / ".cache" / "portfolio-gen"
    cache.mkdir(parents=True)
    seen = [{"institution": did, "key": "z6MkpoisonedKeyNeverUsedByTheDemo", "verificationMethod": f"{did}#key-1",
             "version": 99, "firstSeen": "2020-01-01"}
            for did in ("did:web:portfolios.example.org", "did:web:example.org")]
    (cache / "registries-seen.json").write_text(json.dumps({"format": 2, "registries": seen}), "utf-8")
    state = home / ".local" / "state" / "portfolio-gen" / "status-counters"
    state.mkdir(parents=True)
    before = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("XDG_", "PYTEST_", "PORTFOLIO_GEN_")) and name != "HOME"}
    env["HOME"] = str(home)
    # --basetemp of its own: with pytest's default one, the nested run would number a new
    # folder under /tmp/pytest-of-<user> and delete all but the three newest there, earlier
    # runs' whole demo trees (tens of seconds of unlinking inside this test).
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                          f"--basetemp={tmp_path / 'nested'}", "tests/cli/test_cli.py", "-k", "demo_cohort"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
    after = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    assert after == before
