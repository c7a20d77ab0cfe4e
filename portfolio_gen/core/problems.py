"""Problems found in user input, as values with a location and a hint.

Library code never prints: it returns or raises problems, and the CLI renders them
in the user's language. A problem carries a message key and parameters rather than a
finished sentence so that the same problem reads well in French and in English.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence


ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is, and how to fix it."""

    key: str
    file: Path | None = None
    line: int | None = None
    params: dict = field(default_factory=dict, compare=False, hash=False)
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self, root: Path | None = None) -> str:
        if self.file is None:
            return ""
        path = self.file
        if root is not None:
            try:
                # The folder resolved, not the file: the file may be a link, out of the
                # workspace or in a loop, and its own name is the one to show.
                path = self.file.parent.resolve().joinpath(self.file.name).relative_to(root.resolve())
            except (ValueError, RuntimeError):
                pass
        return f"{path}:{self.line}" if self.line else str(path)


class InputError(Exception):
    """Raised when input cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.key for p in self.problems))


def nearest(word: str, candidates: Iterable[str], count: int = 3) -> list[str]:
    """The valid names closest to a misspelt one, best first (for "did you mean")."""
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=count, cutoff=0.5)
    if close:
        return close
    # Codes such as "B2.9" are short: fall back to those sharing the same prefix.
    prefix = word.split(".")[0]
    return [c for c in pool if c.startswith(prefix)][:count]
