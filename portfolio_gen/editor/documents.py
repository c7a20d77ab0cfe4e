"""Files as the candidate left them: YAML read and written back with its comments and key
order (ruamel.yaml's round-trip mode), and Markdown entries split at their front matter.

Only the values the editor changes are touched: a comment the candidate or the scaffold
wrote beside a key stays beside it, and keys keep their places.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$")


class _Constructor(RoundTripConstructor):
    """An impossible date (2026-02-30) stays text, for `check` to report at its line, as
    the tool's own reader does (core/yamlfile.py), instead of failing the whole file."""

    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long title or justification
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> CommentedMap:
    """A YAML mapping in round-trip form (ValueError when the text is not one)."""
    try:
        data = _yaml().load(text) if text.strip() else CommentedMap()
    except YAMLError as error:
        raise ValueError(str(error)) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ValueError("not a mapping")
    return data


def dump(data: CommentedMap) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


@dataclass
class EntryDocument:
    meta: CommentedMap
    body: str

    @classmethod
    def parse(cls, text: str) -> "EntryDocument":
        lines = text.removeprefix("\ufeff").split("\n")
        if not lines or lines[0].rstrip() != "---":
            raise ValueError("no front matter")
        for index in range(1, len(lines)):
            if _FENCE.match(lines[index]):
                return cls(load("\n".join(lines[1:index]) + "\n"), "\n".join(lines[index + 1:]))
        raise ValueError("front matter not closed")

    def text(self) -> str:
        # Files keep Unix line ends, whoever fills the body: a form posts CRLF.
        body = self.body.replace("\r\n", "\n")
        body = body if body.endswith("\n") or not body else body + "\n"
        return "---\n" + dump(self.meta) + "---\n" + body


# Characters YAML 1.1 (PyYAML, the tool's reader) takes for line breaks, which ruamel.yaml
# (YAML 1.2) writes as they are: a title holding one would be read back changed.
_YAML11_BREAKS = frozenset("\x85\u2028\u2029")


def text(value: str) -> str:
    """A string to write: in double quotes, escaped, when a YAML 1.1 reader would read it
    otherwise (tests/editor/test_documents.py reads every typed value back with PyYAML)."""
    return DoubleQuotedScalarString(value) if _YAML11_BREAKS & set(value) else value


def set_value(data: CommentedMap, key: str, value: Any, *, after: str | None = None) -> None:
    """Set `key`, keeping its place when it exists; a new key goes after `after` (when the
    mapping has it) so that files read in the order the scaffold writes them."""
    if key in data or after is None or after not in data:
        data[key] = value
        return
    data.insert(list(data).index(after) + 1, key, value)


def drop(data: CommentedMap, key: str) -> None:
    if key in data:
        del data[key]


def date_value(text: str) -> dt.date | str:
    """A date as YAML writes it unquoted when it is one; otherwise the text, for `check`
    to report (an impossible date is never silently changed)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def sequence(items: list) -> CommentedSeq:
    return CommentedSeq(items)


def mapping(**values: Any) -> CommentedMap:
    return CommentedMap(values)
