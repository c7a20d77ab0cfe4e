"""Fuzzing every reader of user files (issue #15): any bytes give an answer (the file is
accepted or its problems reported), never an exception, never more than 2 s per file.

Inputs that once broke a reader are kept in `corpus/<reader>/` and replayed first.
FUZZ_EXAMPLES sets the examples per reader (default 40: the whole suite runs in CI in
about a minute; raise it for a longer hunt).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from readers import READERS, SEEDS, read_safely

CORPUS = Path(__file__).parent / "corpus"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
# Characters that mean something to YAML, Markdown, JSON or front matter.
SPECIAL = list("-:{}[],&*!|>'\"%@`#?\n\t \\/<>=$.") + ["---\n", "...\n", "\ufeff", "\u2028", "\x00", "\xff"]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed with a few edits: insertions, deletions, replacements, repeats."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        piece = draw(st.one_of(st.sampled_from(SPECIAL).map(lambda s: s.encode("utf-8", "surrogatepass")),
                               st.binary(min_size=1, max_size=8), st.text(max_size=8).map(str.encode)))
        if action == "insert":
            data[position:position] = piece
        elif action == "delete":
            del data[position:position + draw(st.integers(1, 20))]
        elif action == "replace":
            data[position:position + len(piece)] = piece
        else:
            data[position:position] = bytes(data[position:position + 40]) * draw(st.integers(2, 50))
    return bytes(data)


def inputs(kind: str) -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(SEEDS[kind]), st.binary(max_size=300))


def check(kind: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="portfolio-gen-fuzz-") as folder:
        read_safely(kind, Path(folder), data)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_reader_answers_any_bytes(kind: str):
    @settings(max_examples=EXAMPLES, deadline=2000, derandomize="CI" in os.environ,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=inputs(kind))
    def fuzz(data: bytes) -> None:
        check(kind, data)

    fuzz()


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.parent.name in READERS)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_inputs_that_once_failed_are_answered(path: Path):
    check(path.parent.name, path.read_bytes())


def test_seeds_are_read_without_problems_of_their_own():
    """The seeds are valid files: mutations start from what users really write."""
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("candidate", "entry", "framework", "settings"):
            shutil.rmtree(folder, ignore_errors=True)
            Path(folder).mkdir(exist_ok=True)
            result = read_safely(kind, Path(folder), SEEDS[kind])
            problems = result[1] if isinstance(result, tuple) else []
            assert [p for p in problems if p.is_error] == [], (kind, problems)


def test_the_command_line_answers_corpus_inputs_with_a_message(tmp_path: Path):
    """What a user sees for the worst of the corpus: an exit code 0, 1 or 2, a message, no traceback."""
    from conftest import copy_frameworks, run_cli
    from readers import CANDIDATE

    copy_frameworks(tmp_path)
    folder = tmp_path / "candidates" / "alex"
    (folder / "entries").mkdir(parents=True)
    (folder / "candidate.yml").write_text(CANDIDATE, "utf-8")
    shutil.copyfile(CORPUS / "entry" / "alias-bomb-9x9.md", folder / "entries" / "bombe.md")
    checked = run_cli("--root", str(tmp_path), "check")
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert "bombe.md:6" in checked.stderr and "alias" in checked.stderr
    verified = run_cli("verify", str(CORPUS / "credential" / "deep-json.json"))
    assert verified.returncode in (1, 2) and "Traceback" not in verified.stderr
    assert "not a readable JSON file" in verified.stdout + verified.stderr
