"""A workspace: the folder holding `referentiels/` and `candidates/`, loaded as a whole.

This is the entry point of the pipeline (files -> model): it reads every framework and
every candidate and gathers all problems, so that one run of `check` reports them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .frameworks import load_frameworks
from .model import Candidate, Framework
from .portfolios import candidate_folders, read_candidate, slug_for
from .problems import InputError, Problem
from .registry import REGISTRY_FILE, load_registry

FRAMEWORKS_DIR = "referentiels"
CANDIDATES_DIR = "candidates"


@dataclass
class Workspace:
    root: Path
    frameworks: dict[str, Framework]
    candidates: dict[str, Candidate] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def candidate(self, slug: str) -> Candidate:
        return self.candidates[slug]


def framework_files(root: Path, extra: Iterable[Path] = ()) -> list[Path]:
    folder = root / FRAMEWORKS_DIR
    found = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return found + [Path(p) for p in extra]


def _registry_problems(root: Path, frameworks: dict[str, Framework]) -> list[Problem]:
    """The evaluator registry is checked with the rest when the workspace has one."""
    if not (root / REGISTRY_FILE).exists():
        return []
    try:
        load_registry(root, frameworks)
    except InputError as error:
        return error.problems
    return []


def load_workspace(root: Path, extra_frameworks: Iterable[Path] = (),
                   only: Iterable[str] | None = None) -> Workspace:
    """Read the workspace at `root`; `only` restricts reading to some candidate slugs."""
    frameworks, problems = load_frameworks(framework_files(root, extra_frameworks))
    workspace = Workspace(root, frameworks, problems=problems)
    wanted = set(only) if only is not None else None
    seen: dict[str, Path] = {}
    for folder in candidate_folders(root / CANDIDATES_DIR):
        if wanted is not None and folder.name not in wanted:
            continue
        slug = slug_for(folder.name)
        if slug in seen:
            workspace.problems.append(Problem("candidate.duplicate_slug", folder, None,
                                              {"slug": slug, "other": seen[slug].name}))
            continue
        seen[slug] = folder
        candidate, candidate_problems = read_candidate(folder, frameworks)
        workspace.problems.extend(candidate_problems)
        if candidate is not None:
            workspace.candidates[candidate.slug] = candidate
    if wanted is None:
        workspace.problems.extend(_registry_problems(root, frameworks))
    if wanted is not None:
        for slug in sorted(wanted - set(seen)):
            workspace.problems.append(Problem("candidate.unknown", root / CANDIDATES_DIR / slug, None,
                                              {"slug": slug, "known": ", ".join(sorted(seen))}))
    return workspace
