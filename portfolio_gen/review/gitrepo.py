"""After a batch: what git sees of the files it wrote, and a commit of those files only.

Runs the user's own `git` (their identity, hooks and configuration apply). The review app
never pushes: sharing the commit stays the evaluator's decision. The candidates' editor
pushes when its "publish" is asked and the repository has a remote (issue 31).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..core import i18n
from ..institution.revocation import ALLOCATIONS
from .decide import Written


class GitError(RuntimeError):
    """git refused; the message is git's own."""


@dataclass(frozen=True)
class Change:
    status: str  # git's two-letter porcelain code, e.g. "??" for a new file
    path: str  # relative to the workspace


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60)


def is_repository(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
    except (OSError, subprocess.TimeoutExpired):
        return False


def batch_paths(root: Path, written: Written) -> list[str]:
    """The batch's files, and the status allocations its credentials took, relative to root."""
    paths = [str(path.resolve().relative_to(root.resolve())) for path in written.paths]
    if written.validated and (root / ALLOCATIONS).exists():
        paths.append(ALLOCATIONS)
    return paths


def changes(root: Path, paths: Sequence[str]) -> list[Change]:
    run = _git(root, "status", "--porcelain=v1", "--untracked-files=all", "--", *paths)
    if run.returncode:
        raise GitError(run.stderr.strip())
    return [Change(line[:2], line[3:]) for line in run.stdout.splitlines() if line.strip()]


def commit_message(written: Written, evaluator_name: str, evaluator_id: str, language: str = "en") -> str:
    """The batch's commit message, in the review session's language (issue 30)."""
    batch = written.batch
    say = lambda key, **params: i18n.text(key, language, **params)  # noqa: E731
    lines = [say("review.commit.title", name=evaluator_name, id=evaluator_id, candidate=batch.candidate,
                 entry=batch.entry), ""]
    by_item = {d.ref: d for d in batch.decisions}
    for ref, _ in written.validated:
        level = by_item[ref].level
        lines.append(say("review.commit.validated_level", item=ref, level=level) if level
                     else say("review.commit.validated", item=ref))
    for ref, _ in written.refused:
        lines.append(say("review.commit.refused", item=ref, comment=by_item[ref].comment.strip()))
    return "\n".join(lines) + "\n"


def commit(root: Path, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (whatever else is staged stays staged); the new commit's id."""
    for args in (("add", "--", *paths), ("commit", "--only", "-m", message, "--", *paths)):
        run = _git(root, *args)
        if run.returncode:
            raise GitError((run.stderr or run.stdout).strip())
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()


def remotes(root: Path) -> list[str]:
    run = _git(root, "remote")
    return run.stdout.split() if run.returncode == 0 else []


def push(root: Path) -> None:
    """Push the current branch to its upstream, or to the first remote under its own name."""
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    args = ("push",) if upstream.returncode == 0 else ("push", "--set-upstream", remotes(root)[0], "HEAD")
    run = _git(root, *args)
    if run.returncode:
        raise GitError((run.stderr or run.stdout).strip())
