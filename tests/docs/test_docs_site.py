"""The project's documentation site builds with MkDocs in strict mode, in English and French,
and its command reference lists every command the CLI has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portfolio_gen.cli import main

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("docs-site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(REPO / "mkdocs.yml"),
                             "-d", str(output)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return output


def test_the_docs_build_strict_in_both_languages(docs_site: Path):
    for guide in ("candidate", "evaluator", "commission", "administrator", "steering", "employer"):
        assert (docs_site / "guides" / guide / "index.html").is_file()
        french = (docs_site / "fr" / "guides" / guide / "index.html").read_text("utf-8")
        assert 'lang="fr"' in french


def test_the_command_reference_is_generated_from_the_cli(docs_site: Path):
    reference = (docs_site / "reference" / "commands" / "index.html").read_text("utf-8")
    missing = [name for name in main.commands if f"portfolio-gen {name}" not in reference]
    assert missing == []
