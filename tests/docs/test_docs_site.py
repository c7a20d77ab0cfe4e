"""The project's documentation site builds with MkDocs in strict mode, in English and French,
and its command reference lists every command the CLI has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio_gen.cli import main

REPO = Path(__file__).parents[2]


def strict_build(config: Path, output: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict`, without `-q`: quiet mode drops the warnings below ERROR
    before strict mode counts them, so a broken link passed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(output)],
                          capture_output=True, text=True, cwd=config.parent, env=env)


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("docs-site")
    result = strict_build(REPO / "mkdocs.yml", output)
    assert result.returncode == 0, result.stderr
    return output


def test_the_strict_build_fails_on_a_broken_link(tmp_path: Path):
    """The check above can fail: the same build, on a page linking to a missing one."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [the guide](missing.md).\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: probe\n", "utf-8")
    result = strict_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "missing.md" in result.stderr


def test_the_docs_build_strict_in_both_languages(docs_site: Path):
    for guide in ("candidate", "evaluator", "commission", "administrator", "steering", "employer"):
        assert (docs_site / "guides" / guide / "index.html").is_file()
        french = (docs_site / "fr" / "guides" / guide / "index.html").read_text("utf-8")
        assert 'lang="fr"' in french


def test_the_command_reference_is_generated_from_the_cli(docs_site: Path):
    reference = (docs_site / "reference" / "commands" / "index.html").read_text("utf-8")
    missing = [name for name in main.commands if f"portfolio-gen {name}" not in reference]
    assert missing == []
