"""Shell blocks of the docs that a test runs, so the guides cannot rot.

A block is runnable when the line before its opening fence is an HTML comment (invisible
in the built page; what runs is the block below it, which the reader sees):

    <!-- runnable -->            the ```sh block must succeed
    <!-- runnable exit=2 -->     the ```sh block must end with exit code 2
    <!-- runnable file -->       the block is a file's whole content: the reader writes it
                                 in the file its title names (```yaml title="evaluators.yml"),
                                 the test writes it there
    <!-- runnable edit -->       the ```diff block (title="FILE") replaces the file's lines
                                 marked `-` by the lines marked `+`: "change this line" (a
                                 comment after a line the guide names does not matter)

In a file or edit block, `did:key:z6Mk…` stands for the did:key the reader was told to
paste: the test pastes the last one a command printed.

The blocks of one page run in order, in one temporary folder, as a user would type them:
the working directory and exported variables carry over from one block to the next. To
keep them cheap (issue 27), the guides' tests give a copy of one demo for `portfolio-gen
demo DIR` and run blocks of plain `portfolio-gen` commands in process (see run_page).

Every guide runs from what its reader sees (issue 30): a hidden setup block
(`<!-- runnable-setup ... -->`) is refused, and so are `sed -i` and here-documents, which
readers on Windows do not have: the guide uses the tool's own commands, or a `file` or
`edit` block that says which file to write or which line to change.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


MARKER = re.compile(r"^<!--\s*runnable(?:\s+(?P<kind>file|edit)|\s+exit=(?P<exit>\d+))?\s*-->\s*$")
SETUP = re.compile(r"^<!--\s*runnable-setup\b")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w-]*)(?P<attrs>.*)$")
SHELL = ("sh", "bash", "console", "shell")
TITLE = re.compile(r'\btitle="(?P<title>[^"]+)"')
# What a reader on Windows cannot type (issue 30).
UNPORTABLE = re.compile(r"\bsed\s+-i|<<")
# What the reader pastes: the did:key a command printed before.
PLACEHOLDER = "did:key:z6Mk…"
DID_KEY = re.compile(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+")
# The practice workspace a guide makes first; the guides' own tests may give a copy of one
# made by the very same command (see run_page).
DEMO = re.compile(r"^portfolio-gen(?: --lang \w+)? demo (?P<folder>[\w.-]+)(?P<quiet> > /dev/null)?$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    code: str
    exit_code: int
    kind: str = "sh"  # "sh", "file" or "edit"
    path: str = ""  # the file a "file" or "edit" block writes, relative to the working folder

    def __str__(self) -> str:
        return f"{self.page.name}:{self.line}"


def runnable_blocks(page: Path) -> list[Block]:
    lines = page.read_text("utf-8").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if SETUP.match(line.strip()):
            raise ValueError(f"{page}:{number + 1}: a hidden setup block runs what the reader never sees; "
                             "make the practice workspace in a visible ```sh block instead")
        marker = MARKER.match(line.strip())
        if not marker or number + 1 >= len(lines):
            continue
        fence = FENCE.match(lines[number + 1].strip())
        kind = marker["kind"] or "sh"
        if not fence or (kind == "sh") != (fence["lang"] in SHELL) or (kind == "edit" and fence["lang"] != "diff"):
            raise ValueError(f"{page}:{number + 1}: a runnable marker must stand right before a ```sh fence "
                             "(runnable file: any fence with a title; runnable edit: a ```diff fence with a title)")
        end = next(i for i in range(number + 2, len(lines)) if lines[i].strip() == fence["fence"])
        code = "\n".join(lines[number + 2:end])
        title = TITLE.search(fence["attrs"])
        if kind != "sh" and not title:
            raise ValueError(f'{page}:{number + 2}: a runnable {kind} block names its file: title="PATH"')
        if kind == "sh" and UNPORTABLE.search(code):
            raise ValueError(f"{page}:{number + 2}: no sed -i or here-document in a guide (readers on Windows "
                             "have neither): use the tool's commands, or a runnable file or edit block")
        if kind == "edit":
            _check_diff(page, number + 2, code)
        blocks.append(Block(page, number + 2, code, int(marker["exit"] or 0), kind, title["title"] if title else ""))
    return blocks


def pages_with_blocks(docs: Path) -> list[Path]:
    return sorted(page for page in docs.rglob("*.md") if runnable_blocks(page))


# Runs `portfolio-gen ARGS` in `cwd` with these environment variables set, in this process.
Invoke = Callable[[list[str], Path, dict[str, str]], subprocess.CompletedProcess]


def run_page(page: Path, folder: Path, timeout: float = 300, *, demo: Path | None = None,
             bin_folder: Path | None = None, env: dict[str, str] | None = None,
             invoke: Invoke | None = None) -> list[str]:
    """Run every runnable block of `page` in order inside `folder`; fail on the first surprise.

    `demo`: a practice workspace already made by `portfolio-gen demo` (the test session's
    built demo); a block's `portfolio-gen demo DIR` line then copies it to DIR instead of
    playing the demo again: the same files for a tenth of the time (issue 27).
    `bin_folder`: where `portfolio-gen` is found (by default, beside this interpreter).
    `invoke`: runs the tool in this process; a block that is only `cd DIR` and
    `portfolio-gen ARGS [> FILE]` lines then runs through it, as bash would run it, without
    starting Python for every command (issue 27: a second or more each); any other block
    runs in bash. Returns each block's standard output."""
    return run_blocks(runnable_blocks(page), folder, timeout, demo=demo, bin_folder=bin_folder, env=env,
                      invoke=invoke)


def run_blocks(blocks: list[Block], folder: Path, timeout: float = 300, *, demo: Path | None = None,
               bin_folder: Path | None = None, env: dict[str, str] | None = None,
               invoke: Invoke | None = None) -> list[str]:
    state = folder / ".runnable-state"
    state.mkdir()
    (state / "cwd").write_text(str(folder))
    (state / "env").write_text("")
    bin_folder = bin_folder or Path(sys.executable).parent
    base = dict(os.environ if env is None else env)
    reader = {"HOME": str(folder), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
              # The guides say a prompt asks for it; a test has no terminal.
              "PORTFOLIO_GEN_PASSPHRASE": "correct horse battery staple"}
    env = {**base, "PATH": f"{bin_folder}{os.pathsep}{base.get('PATH', '')}", **reader}
    outputs: list[str] = []
    exported = False
    for block in blocks:
        cwd = Path((state / "cwd").read_text().strip())
        if block.kind == "file":
            _write(cwd / block.path, _placeholders(block.code, "".join(outputs)) + "\n")
            outputs.append("")
            continue
        if block.kind == "edit":
            _apply(block, cwd / block.path, "".join(outputs))
            outputs.append("")
            continue
        # A variable the page exported may matter to the tool: from then on, bash only.
        exported = exported or "export " in block.code
        commands = _simple(block.code) if invoke and not exported else None
        if commands is not None:
            code, stdout, stderr, cwd = _in_process(commands, cwd, invoke, reader, demo)
            (state / "cwd").write_text(str(cwd))
            if code != block.exit_code:
                raise AssertionError(f"{block}: exit {code}, the guide says {block.exit_code}\n--- block\n{block.code}"
                                     f"\n--- stdout\n{stdout[-4000:]}\n--- stderr\n{stderr[-4000:]}")
            outputs.append(stdout)
            continue
        script = (f'cd "$(cat {state}/cwd)"; . {state}/env\n'
                  f"trap 'pwd > {state}/cwd; export -p > {state}/env' EXIT\n"
                  f"set -eo pipefail\n{_with_demo(block.code, demo)}\n")
        result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        if result.returncode != block.exit_code:
            raise AssertionError(
                f"{block}: exit {result.returncode}, the guide says {block.exit_code}\n"
                f"--- block\n{block.code}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}")
        outputs.append(result.stdout)
    return outputs


def _simple(code: str) -> list[list[str]] | None:
    """The block's commands when each is `cd DIR` or `portfolio-gen ARGS [> FILE]` with
    nothing for a shell to expand; None when bash is needed."""
    commands = []
    for line in code.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            words = list(lexer)
        except ValueError:
            return None
        if not words:
            continue
        if any(c in word for word in words for c in "$`~*?[") or "=" in words[0]:
            return None
        operators = [i for i, word in enumerate(words) if set(word) <= set("();<>|&")]
        simple = (words[0] == "cd" and len(words) == 2 and not operators) or (
            words[0] == "portfolio-gen" and (not operators or (operators == [len(words) - 2] and words[-2] == ">")))
        if not simple:
            return None
        commands.append(words)
    return commands


def _in_process(commands: list[list[str]], cwd: Path, invoke: Invoke, env: dict[str, str],
                demo: Path | None) -> tuple[int, str, str, Path]:
    """Run the commands of a simple block as `set -e` bash would: stop at the first failure."""
    stdout, stderr = [], []
    for words in commands:
        if words[0] == "cd":
            target = (cwd / words[1]).resolve()
            if not target.is_dir():
                return 1, "".join(stdout), "".join(stderr) + f"cd: {words[1]}: No such file or directory\n", cwd
            cwd = target
            continue
        args, into = (words[1:-2], words[-1]) if words[-2:-1] == [">"] else (words[1:], None)
        made = DEMO.match(" ".join(words)) if demo is not None else None
        if made:
            shutil.copytree(demo, cwd / made["folder"], symlinks=True)
            continue
        result = invoke(args, cwd, env)
        if into is not None:
            (cwd / into).write_text(result.stdout, "utf-8")
        else:
            stdout.append(result.stdout)
        stderr.append(result.stderr)
        if result.returncode:
            return result.returncode, "".join(stdout), "".join(stderr), cwd
    return 0, "".join(stdout), "".join(stderr), cwd


def _with_demo(code: str, demo: Path | None) -> str:
    if demo is None:
        return code
    lines = []
    for line in code.splitlines():
        made = DEMO.match(line.strip())
        lines.append(f'cp -a "{demo}" "{made["folder"]}"' if made else line)
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def _check_diff(page: Path, line: int, code: str) -> None:
    signs = [row[:1] for row in code.splitlines()]
    if not signs or set(signs) - {"-", "+"} or "-" not in signs or signs != sorted(signs, reverse=True):
        raise ValueError(f"{page}:{line}: a runnable edit block lists the lines to change (-) then their "
                         "replacement (+), nothing else")


def _apply(block: Block, path: Path, printed: str) -> None:
    rows = _placeholders(block.code, printed).splitlines()
    old = [row[1:] for row in rows if row.startswith("-")]
    new = [row[1:] for row in rows if row.startswith("+")]
    lines = path.read_text("utf-8").splitlines() if path.is_file() else []
    found = [i for i in range(len(lines) - len(old) + 1)
             if all(_same_line(lines[i + j], want) for j, want in enumerate(old))]
    if len(found) != 1:
        raise AssertionError(f"{block}: {path.name} has {len(found)} places where the lines to change stand, "
                             f"the guide says one\n--- block\n{block.code}\n--- {path}\n" + "\n".join(lines)[:3000])
    _write(path, "\n".join(lines[:found[0]] + new + lines[found[0] + len(old):]) + "\n")


def _same_line(line: str, wanted: str) -> bool:
    """The line the guide names, whatever comment the tool wrote after it."""
    rest = line.removeprefix(wanted) if line.startswith(wanted) else None
    return rest is not None and (not rest.strip() or (rest[:1].isspace() and rest.strip().startswith("#")))


def _placeholders(code: str, printed: str) -> str:
    """`did:key:z6Mk…` in a file or edit block stands for the did:key a command printed
    before (the guide tells the reader to paste it): the last one printed."""
    if PLACEHOLDER not in code:
        return code
    dids = DID_KEY.findall(printed)
    if not dids:
        raise AssertionError(f"the guide pastes a did:key, but no command before printed one:\n{code}")
    return code.replace(PLACEHOLDER, dids[-1])
