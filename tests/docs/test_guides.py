"""Every runnable shell block of the docs runs, page by page, and does what the page says."""

from __future__ import annotations

from pathlib import Path

import pytest

from runnable import Block, pages_with_blocks, run_page, runnable_blocks

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("page", pages_with_blocks(DOCS), ids=lambda p: str(p.relative_to(DOCS)))
def test_runnable_blocks_of_the_page_pass_in_order(page: Path, tmp_path: Path):
    run_page(page, tmp_path)


def test_the_guides_have_runnable_blocks_in_both_languages():
    pages = {str(p.relative_to(DOCS)) for p in pages_with_blocks(DOCS)}
    for guide in ("guides/candidate", "guides/evaluator", "guides/commission", "guides/administrator"):
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


def test_a_hidden_setup_block_runs_first(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("Intro.\n\n<!-- runnable-setup\nmkdir given && cd given\necho ready > state\n-->\n\n"
                    "<!-- runnable -->\n```sh\ntest \"$(cat state)\" = ready\n```\n", "utf-8")
    assert [b.line for b in runnable_blocks(page)] == [3, 9]
    work = tmp_path / "work"
    work.mkdir()
    run_page(page, work)
    assert (work / "given" / "state").is_file()


def test_a_marker_must_precede_a_shell_fence(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("<!-- runnable -->\n```yaml\na: 1\n```\n", "utf-8")
    with pytest.raises(ValueError, match="page.md:1"):
        runnable_blocks(page)


def test_block_names_its_page_and_line():
    assert str(Block(Path("docs/guides/candidate.fr.md"), 12, "true", 0)) == "candidate.fr.md:12"
