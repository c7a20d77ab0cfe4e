"""Read YAML files and Markdown front matter, remembering the line of every key.

Users edit these files by hand; an error must point at the line to fix. PyYAML knows
the line of each node while parsing, so the loader keeps it beside the values.
Parsing and composing nodes run in libyaml (C) when PyYAML was built with it, a few
times faster than the pure-Python parser it falls back to; construction stays in
Python either way, so both give the same values and lines.

Input is bounded (issue #15; the limits are documented in docs/formats.md): a file larger
than `MAX_FILE_BYTES`, front matter larger than `MAX_FRONT_MATTER_BYTES`, nesting deeper
than `MAX_DEPTH`, and any YAML anchor or alias are refused with their line, before a single
value is built. Aliases are refused everywhere, frameworks included (none needs them): an
alias bomb of a few hundred bytes otherwise expands to billions of values. The check reads
the parser's event stream, so it holds whatever Loader class does the loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import InputError, Problem


MAX_FILE_BYTES = 1 << 20  # 1 MiB: any YAML file or Markdown entry
MAX_FRONT_MATTER_BYTES = 64 << 10  # 64 KiB of metadata at the top of an entry
MAX_DEPTH = 20  # nested mappings and lists; frameworks use 6


class LineDict(dict):
    """A mapping from a YAML file that knows where it and each of its keys stand."""

    line: int | None = None
    key_lines: dict

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int | None = None
    item_lines: list

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# CSafeLoader = libyaml's parser and composer + the same SafeConstructor and Resolver.
_BaseLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _LineLoader(_BaseLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text so that an impossible one (2026-13-45) is reported by the schema
    # with its line instead of crashing the parser, and readers parse them once.
    return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, turning the usual failures into located problems."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more: the file may be huge
    except FileNotFoundError:
        raise InputError([Problem("file.missing", path)]) from None
    except OSError as error:
        raise InputError([Problem("file.unreadable", path, params={"reason": error.strerror})]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem("file.too_large", path, None, {"limit": _kib(MAX_FILE_BYTES)})])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([Problem("file.not_utf8", path, line)]) from None
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML text; `first_line` shifts line numbers for front matter inside a file."""
    try:
        _check_bounds(text, path, first_line)
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + first_line if mark else None
        if "maximum nesting depth" in (error.problem or ""):
            # libyaml >= 0.2.6 stops deep flow collections itself, while scanning ahead of
            # the events `_check_bounds` counts: the same limit, said the same way.
            raise InputError([Problem("yaml.too_deep", path, line, {"limit": MAX_DEPTH})]) from None
        raise InputError([Problem("yaml.syntax", path, line,
                                  {"reason": error.problem or str(error)})]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem("yaml.syntax", path, None, {"reason": str(error)})]) from None
    _shift_lines(data, first_line - 1)
    return data


def _check_bounds(text: str, path: Path, first_line: int) -> None:
    """Refuse anchors, aliases and deep nesting from the events, before anything is built."""
    depth = 0
    for event in yaml.parse(text, Loader=_LineLoader):
        line = event.start_mark.line + first_line if event.start_mark else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise InputError([Problem("yaml.alias", path, line, {"name": getattr(event, "anchor", "")})])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError([Problem("yaml.too_deep", path, line, {"limit": MAX_DEPTH})])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _kib(size: int) -> str:
    return f"{size // 1024} KiB" if size < 1 << 20 else f"{size // (1 << 20)} MiB"


def _shift_lines(value: Any, offset: int) -> None:
    if not offset:
        return
    if isinstance(value, LineDict):
        value.line = (value.line or 1) + offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, LineList):
        value.line = (value.line or 1) + offset
        value.item_lines = [v + offset for v in value.item_lines]
        for child in value:
            _shift_lines(child, offset)


def load_mapping(path: Path) -> LineDict:
    """Load a YAML file whose top level must be a mapping."""
    text = read_text(path)
    if not text.strip():
        raise InputError([Problem("file.empty", path)])
    data = parse_yaml(text, path)
    if not isinstance(data, LineDict):
        raise InputError([Problem("yaml.not_mapping", path, 1)])
    return data


@dataclass(frozen=True)
class FrontMatterDocument:
    meta: LineDict
    body: str
    body_line: int


def load_front_matter(path: Path) -> FrontMatterDocument:
    """Split a Markdown file into its YAML front matter (between `---` lines) and body."""
    text = read_text(path)
    if not text.strip():
        raise InputError([Problem("file.empty", path)])
    # Split on "\n" only: str.splitlines would also break on U+0085 or U+2028 inside
    # a title or the body, and shift every line number after it.
    lines = [line for line in re.split(r"(?<=\n)", text) if line]
    if not lines or lines[0].rstrip() != "---":
        raise InputError([Problem("frontmatter.missing", path, 1)])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            meta_text = "".join(lines[1:index])
            if len(meta_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
                raise InputError([Problem("frontmatter.too_large", path, 1,
                                          {"limit": _kib(MAX_FRONT_MATTER_BYTES)})])
            meta = parse_yaml(meta_text, path, first_line=2)
            if meta is None:
                meta = LineDict()
                meta.line, meta.key_lines = 2, {}
            if not isinstance(meta, LineDict):
                raise InputError([Problem("yaml.not_mapping", path, 2)])
            return FrontMatterDocument(meta, "".join(lines[index + 1:]), index + 2)
    raise InputError([Problem("frontmatter.unclosed", path, 1)])
