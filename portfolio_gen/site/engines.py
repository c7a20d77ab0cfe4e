"""The engines that turn a generated folder (`source`) into a site: MkDocs or Zensical.

Each runs as its own command would (`mkdocs build`, `zensical build`) on the folder's
mkdocs.yml and runs no portfolio-gen code: the folder is plain files (issue 33). The
one contract (`Engine.build`) returns the engine's warnings and raises `EngineError`;
engines are looked up by name in `ENGINES`, as `site.engine` and `--engine` name them.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Iterator, Protocol

import jinja2
import jinja2.bccache

from ..core.settings import ENGINES as ENGINE_NAMES

MKDOCS, ZENSICAL = ENGINE_NAMES
# Material for MkDocs prints its end-of-life banner from its `mkdocs` command; the tool says
# it once itself (cli/site.py), so the banner stays out of every build's output.
QUIET_ENVIRONMENT = {"NO_MKDOCS_2_WARNING": "1"}
ZENSICAL_TIMEOUT = 600  # seconds: one candidate's site, far above any real build


class EngineError(Exception):
    """The engine failed on a generated folder; the message is the engine's own."""


class Engine(Protocol):
    name: str

    def available(self) -> bool:
        """Whether this engine is installed (Zensical is an optional extra)."""

    def build(self, config_file: Path) -> list[str]:
        """Build the folder of `config_file` into its `site/`; the warnings. EngineError on failure."""

    def command(self, config_file: str) -> str:
        """The shell command a CI runs for the same build."""


class CompiledTemplates(jinja2.BytecodeCache):
    """Theme templates compiled once per process, shared by the MkDocs builds it runs.

    MkDocs makes a new Jinja environment per build and would recompile Material's
    templates for every candidate (a third of a build's time). Jinja keys each entry by
    template and checks the source's checksum on load, so an edited theme is recompiled:
    nothing stale crosses from one build to the next, and the pages are those
    `mkdocs build` writes.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


class MkDocsEngine:
    """MkDocs' own build function, in this process (a new process per site would cost
    more than the build): what `mkdocs build -f <folder>/mkdocs.yml` does."""

    name = MKDOCS

    def available(self) -> bool:
        return find_spec("mkdocs") is not None and find_spec("material") is not None

    def build(self, config_file: Path) -> list[str]:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        with mkdocs_log() as messages:
            try:
                config = load_config(str(config_file))
                theme = config.theme
                new_env = theme.get_env
                theme.get_env = lambda: _cached(new_env())  # speed only: the same templates
                build(config)
            except Exception as error:  # noqa: BLE001 - the engine's failure, with its last words
                raise EngineError("; ".join([f"{type(error).__name__}: {error}", *messages[-3:]])) from error
        return messages

    def command(self, config_file: str) -> str:
        return f"mkdocs build -f {config_file}"


class ZensicalEngine:
    """Zensical's command, in a process of its own (its runtime keeps state per process)."""

    name = ZENSICAL

    def available(self) -> bool:
        return find_spec("zensical") is not None

    def build(self, config_file: Path) -> list[str]:
        run = subprocess.run([sys.executable, "-m", "zensical", "build", "-f", str(config_file)],
                             cwd=config_file.parent, capture_output=True, text=True, timeout=ZENSICAL_TIMEOUT,
                             env={**os.environ, **QUIET_ENVIRONMENT}, stdin=subprocess.DEVNULL)
        output = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
        if run.returncode != 0 or not (config_file.parent / "site" / "index.html").is_file():
            raise EngineError("; ".join([f"zensical build exited {run.returncode}", *output[-3:]]))
        return [line for line in output if "warning" in line.lower() or "error" in line.lower()]

    def command(self, config_file: str) -> str:
        return f"zensical build -f {config_file}"


ENGINES: dict[str, Engine] = {MKDOCS: MkDocsEngine(), ZENSICAL: ZensicalEngine()}


def _cached(env: jinja2.Environment) -> jinja2.Environment:
    env.bytecode_cache = COMPILED_TEMPLATES
    return env


@contextmanager
def mkdocs_log() -> Iterator[list[str]]:
    """Collect MkDocs' warnings instead of printing them; restore the logger afterwards.

    MkDocs logs through the 'mkdocs' logger; building many sites in one process must
    neither print nor pile up handlers.
    """
    logger = logging.getLogger("mkdocs")
    messages: list[str] = []
    handler = _ListHandler(messages)
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = saved


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]):
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
