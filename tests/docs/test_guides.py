"""Every runnable shell block of the docs runs, page by page, and does what the page says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from runnable import DEMO, Block, pages_with_blocks, run_page, runnable_blocks

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("page", pages_with_blocks(DOCS), ids=lambda p: str(p.relative_to(DOCS)))
def test_runnable_blocks_of_the_page_pass_in_order(page: Path, tmp_path: Path, built_demo: Path):
    # Issue 27, the guides cost a tenth of what they did: a guide's `portfolio-gen demo DIR`
    # gets a copy of the session's demo, made by that same command (one demo per worker,
    # not one per page), and blocks of plain portfolio-gen commands run in this process
    # (no Python start-up per command). Real processes and the real demo command run the
    # French candidate guide from the installed wheel (tests/test_install.py) and README's
    # tour (tests/test_readme_tour.py).
    # The copy is the one the reader's demo would be (_practice_demo): a `portfolio-gen
    # build` in it finds the sites up to date, as after a real demo.
    # Every guide's demo command is in a block of plain commands (the in-process shortcut).
    run_page(page, tmp_path, invoke=lambda args, cwd, env: _in_process(args, cwd, env, built_demo))


def _in_process(args: list[str], cwd: Path, env: dict[str, str], demo: Path):
    if DEMO.match(" ".join(["portfolio-gen", *args])):
        return _practice_demo(demo, cwd / args[-1])
    # The reader's locale (C) chooses the language, as in bash: no PORTFOLIO_GEN_LANG.
    return run_cli(*args, cwd=cwd, env={"PORTFOLIO_GEN_LANG": None, **env})


def _practice_demo(demo: Path, folder: Path) -> subprocess.CompletedProcess:
    """`portfolio-gen demo FOLDER`, made by the session's very same command: its copy (the
    records of the sites it built come with it, and find them up to date). The candidates' built
    sites are hard links: the tool replaces a site whole, never writes into one (built_demo's
    guard fails the run if a guide changed one of them); everything else is copied."""
    slugs = {path.name for path in (demo / "candidates").iterdir()}

    def copy(origin: str, target: str) -> None:
        parts = Path(origin).relative_to(demo).parts
        if len(parts) > 2 and parts[0] == "site" and parts[1] in slugs:
            try:
                return os.link(origin, target)
            except OSError:
                pass
        shutil.copy2(origin, target)

    shutil.copytree(demo, folder, symlinks=True, copy_function=copy)
    return subprocess.CompletedProcess(["portfolio-gen", "demo", str(folder)], 0, "", "")


def test_every_guide_makes_its_practice_workspace_where_the_reader_sees_it():
    """Issue 30: the first runnable block that works in a workspace is one that makes it,
    visibly (hidden setup blocks are refused by runnable_blocks): a key made on the
    reader's own machine needs none."""
    makes = re.compile(r"^portfolio-gen (?:--lang \w+ )?(?:demo|init)\b", re.M)
    for page in pages_with_blocks(DOCS):
        working = [b for b in runnable_blocks(page) if b.kind == "sh" and re.search(
            r"^portfolio-gen (?:--lang \w+ )?(?!keys )", b.code, re.M)]
        assert working and makes.search(working[0].code), f"{page}: its first block makes no workspace"


def test_the_guides_have_runnable_blocks_in_both_languages():
    pages = {str(p.relative_to(DOCS)) for p in pages_with_blocks(DOCS)}
    for guide in ("guides/candidate", "guides/evaluator", "guides/commission", "guides/administrator",
                  "guides/steering", "guides/employer", "repositories"):
        assert {f"{guide}.md", f"{guide}.fr.md"} <= pages
    # The English quick start is README's tour, run by tests/test_readme_tour.py.
    assert "quickstart.fr.md" in pages and "--8<-- \"README.md:tour\"" in (DOCS / "quickstart.md").read_text("utf-8")


def test_a_failing_block_fails_the_page(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```sh\ncd sub 2>/dev/null || mkdir sub && cd sub\nexport X=1\n```\n\n"
                    "<!-- runnable -->\n```sh\ntest \"$X\" = 1 && test \"$(basename \"$PWD\")\" = sub\n```\n\n"
                    "<!-- runnable exit=2 -->\n```sh\nexit 2\n```\n\n"
                    "<!-- runnable -->\n```sh\nfalse\necho never\n```\n", "utf-8")
    blocks = runnable_blocks(page)
    assert [b.exit_code for b in blocks] == [0, 0, 2, 0]
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(AssertionError, match=r"page.md:18: exit 1, the guide says 0"):
        run_page(page, work)


def test_a_hidden_setup_block_is_refused(tmp_path: Path):
    """Issue 30: the reader's commands failed on what a hidden block had made."""
    page = tmp_path / "page.md"
    page.write_text("Intro.\n\n<!-- runnable-setup\nmkdir given && cd given\n-->\n\n"
                    "<!-- runnable -->\n```sh\ntrue\n```\n", "utf-8")
    with pytest.raises(ValueError, match=r"page.md:3: a hidden setup block"):
        runnable_blocks(page)


@pytest.mark.parametrize("command", ["sed -i 's/a/b/' f", "cat > f <<EOF\na\nEOF", "cat > f <<'FIN'\na\nFIN"])
def test_what_windows_readers_cannot_type_is_refused(tmp_path: Path, command: str):
    page = tmp_path / "page.md"
    page.write_text(f"<!-- runnable -->\n```sh\n{command}\n```\n", "utf-8")
    with pytest.raises(ValueError, match=r"page.md:2: no sed -i or here-document"):
        runnable_blocks(page)


def test_file_and_edit_blocks_write_what_the_reader_is_told_to(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- runnable -->\n```sh\nmkdir ws && cd ws\necho 'made did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'\n```\n"
        "Write `a/entry.md`:\n\n<!-- runnable file -->\n```markdown title=\"a/entry.md\"\n---\n"
        "visibility: draft   # public | draft\nkeys: [did:key:z6Mk…]\n---\nText.\n```\n\n"
        "In `a/entry.md`, change the line:\n\n<!-- runnable edit -->\n```diff title=\"a/entry.md\"\n"
        "-visibility: draft\n+visibility: public\n```\n", "utf-8")
    assert [b.kind for b in runnable_blocks(page)] == ["sh", "file", "edit"]
    work = tmp_path / "work"
    work.mkdir()
    run_page(page, work)
    assert (work / "ws/a/entry.md").read_text("utf-8") == (
        "---\nvisibility: public\nkeys: [did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK]\n---\nText.\n")


def test_an_edit_whose_line_is_not_there_once_fails_the_page(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```sh\necho 'visibility: public' > f.yml\n```\n\n"
                    "<!-- runnable edit -->\n```diff title=\"f.yml\"\n-visibility: draft\n+visibility: public\n```\n",
                    "utf-8")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(AssertionError, match=r"page.md:7: f.yml has 0 places"):
        run_page(page, work)


def test_the_practice_demo_is_the_sessions_copy_only_for_the_exact_command(tmp_path: Path):
    """The shortcut copies a demo made by the same command; anything else runs as written."""
    given = tmp_path / "made"
    given.mkdir()
    (given / "marker").write_text("demo", "utf-8")
    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```sh\nportfolio-gen demo practice\ncd practice\ncat marker\n```\n", "utf-8")
    work = tmp_path / "work"
    work.mkdir()
    assert run_page(page, work, demo=given) == ["demo"]


def test_a_marker_must_precede_a_shell_fence(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```yaml\na: 1\n```\n", "utf-8")
    with pytest.raises(ValueError, match="page.md:1"):
        runnable_blocks(page)


def test_block_names_its_page_and_line():
    assert str(Block(Path("docs/guides/candidate.fr.md"), 12, "true", 0)) == "candidate.fr.md:12"


def test_plain_blocks_run_in_process_as_bash_would_and_the_rest_in_bash(tmp_path: Path):
    """The in-process shortcut takes only `cd` and `portfolio-gen ARGS [> FILE]` lines, in
    the block's folder, with the reader's variables; it stops at the first failure, as
    `set -e` does; anything else is bash's."""
    import subprocess

    calls = []

    def invoke(args, cwd, env):
        calls.append((args, cwd.name, env["HOME"]))
        return subprocess.CompletedProcess(args, 2 if args == ["check"] else 0, f"out {args[0]}\n", "")

    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```sh\nmkdir ws\n```\n\n"
                    "<!-- runnable -->\n```sh\ncd ws\nportfolio-gen new candidate \"Élise Durand\" \\\n"
                    "    --email e@example.fr   # a comment\nportfolio-gen report --format csv > cohort.csv\n```\n\n"
                    "<!-- runnable exit=2 -->\n```sh\nportfolio-gen check\nportfolio-gen never\n```\n\n"
                    "<!-- runnable -->\n```sh\nportfolio-gen status || true\n```\n", "utf-8")
    work = tmp_path / "work"
    work.mkdir()
    outputs = run_page(page, work, invoke=invoke, bin_folder=_fake_tool(tmp_path))
    assert calls == [(["new", "candidate", "Élise Durand", "--email", "e@example.fr"], "ws", str(work)),
                     (["report", "--format", "csv"], "ws", str(work)), (["check"], "ws", str(work))]
    assert (work / "ws/cohort.csv").read_text("utf-8") == "out report\n"
    assert outputs == ["", "out new\n", "out check\n", "bash status\n"]


def _fake_tool(folder: Path) -> Path:
    """A `portfolio-gen` on PATH for the blocks bash runs."""
    bin_folder = folder / "bin"
    bin_folder.mkdir()
    tool = bin_folder / "portfolio-gen"
    tool.write_text('#!/bin/sh\necho "bash $1"\n', "utf-8")
    tool.chmod(0o755)
    return bin_folder
