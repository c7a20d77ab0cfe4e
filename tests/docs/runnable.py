"""Shell blocks of the docs that a test runs, so the guides cannot rot.

A block is runnable when the line before its opening fence is an HTML comment (invisible
in the built page):

    <!-- runnable -->            the block must succeed
    <!-- runnable exit=2 -->     the block must end with exit code 2

The blocks of one page run in order, in one temporary folder, as a user would type them:
the working directory and exported variables carry over from one block to the next.

What someone else did before the reader arrives (the institution registered the
evaluators, say) goes in a hidden setup block, run first and shown to nobody:

    <!-- runnable-setup
    portfolio-gen demo practice
    -->
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


MARKER = re.compile(r"^<!--\s*runnable(?:\s+exit=(?P<exit>\d+))?\s*-->\s*$")
SETUP = re.compile(r"^<!--\s*runnable-setup\s*$")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?:sh|bash|console|shell)\b")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence (of the comment, for a setup block), 1-based
    code: str
    exit_code: int

    def __str__(self) -> str:
        return f"{self.page.name}:{self.line}"


def runnable_blocks(page: Path) -> list[Block]:
    lines = page.read_text("utf-8").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if SETUP.match(line.strip()):
            end = next(i for i in range(number + 1, len(lines)) if lines[i].strip() == "-->")
            blocks.append(Block(page, number + 1, "\n".join(lines[number + 1:end]), 0))
            continue
        marker = MARKER.match(line.strip())
        if not marker or number + 1 >= len(lines):
            continue
        fence = FENCE.match(lines[number + 1].strip())
        if not fence:
            raise ValueError(f"{page}:{number + 1}: a runnable marker must stand right before a ```sh fence")
        end = next(i for i in range(number + 2, len(lines)) if lines[i].strip().startswith(fence["fence"]))
        code = "\n".join(lines[number + 2:end])
        blocks.append(Block(page, number + 2, code, int(marker["exit"] or 0)))
    return blocks


def pages_with_blocks(docs: Path) -> list[Path]:
    return sorted(page for page in docs.rglob("*.md") if runnable_blocks(page))


def run_page(page: Path, folder: Path, timeout: float = 300) -> None:
    """Run every runnable block of `page` in order inside `folder`; fail on the first surprise."""
    state = folder / ".runnable-state"
    state.mkdir()
    (state / "cwd").write_text(str(folder))
    (state / "env").write_text("")
    env = {**os.environ,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": str(folder), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
           # The guides say a prompt asks for it; a test has no terminal.
           "PORTFOLIO_GEN_PASSPHRASE": "correct horse battery staple"}
    for block in runnable_blocks(page):
        script = (f'cd "$(cat {state}/cwd)"; . {state}/env\n'
                  f"trap 'pwd > {state}/cwd; export -p > {state}/env' EXIT\n"
                  f"set -eo pipefail\n{block.code}\n")
        result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        if result.returncode != block.exit_code:
            raise AssertionError(
                f"{block}: exit {result.returncode}, the guide says {block.exit_code}\n"
                f"--- block\n{block.code}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}")
