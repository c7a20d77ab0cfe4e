"""A batch of decisions on one entry: check them all, then write them all.

Validations are signed by `issue_item_validations` and refusals written by
`write_refusal`, the very calls behind `sign` and `refuse`, so the app writes the same
credentials, status entries and records and inherits every check added there. What is
checked here is only what the page adds: the entry has not changed since it was read,
each item still waits for this evaluator, the registry lets them decide it, a refusal
says why. Every check runs, and every level is planned, before the first file is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.files import sha256_file
from ..core.problems import InputError, Problem
from ..core.records import write_refusal
from ..institution.issuing import SigningRequest, issue_item_validations, plan_items
from .queue import blocked_reason, judge, undecided
from .session import ReviewSession

VALIDATE, REFUSE = "validate", "refuse"


@dataclass(frozen=True)
class ItemDecision:
    ref: str  # framework:code
    action: str  # VALIDATE | REFUSE
    level: str = ""
    comment: str = ""
    criteria: tuple[tuple[str, str], ...] = ()  # (criterion code, level): the item's level follows


@dataclass(frozen=True)
class Batch:
    candidate: str
    entry: str
    entry_digest: str  # of the entry file when the page was rendered
    decisions: tuple[ItemDecision, ...]


@dataclass(frozen=True)
class Written:
    """What one batch wrote: credentials and refusal records, by item."""

    batch: Batch
    validated: tuple[tuple[str, Path], ...]
    refused: tuple[tuple[str, Path], ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys(path for _, path in (*self.validated, *self.refused)))


def apply_batch(session: ReviewSession, batch: Batch, *, now: dt.datetime | None = None) -> Written:
    """Write every decision of the batch, or nothing and InputError with every reason."""
    now = now or dt.datetime.now(dt.UTC)
    workspace = session.workspace(only=[batch.candidate])
    candidate = workspace.candidates.get(batch.candidate)
    entry = next((e for e in candidate.entries if e.slug == batch.entry), None) if candidate else None
    if entry is None:
        raise InputError([Problem("review.gone", None, None, {"what": f"{batch.candidate}/{batch.entry}"})])
    _check(session, workspace, candidate, entry, batch, now.date())
    settings = session.settings()
    signing = [_signing_request(session, batch, group) for group in _by_level_and_comment(batch)]
    for request in signing:  # the library's own level and claim checks, before any signature
        plan_items(workspace, entry, request)
    validated = []
    for request in signing:
        paths = issue_item_validations(workspace, settings, request, session.private_key, now=now)
        validated += zip(request.items, paths)
    refused = []
    for comment, refs in _refusals_by_comment(batch).items():
        path = write_refusal(candidate.folder, entry.slug, session.evaluator.id, refs, now.date(), comment)
        refused += [(ref, path) for ref in refs]
    return Written(batch, tuple(validated), tuple(refused))


def _check(session: ReviewSession, workspace, candidate, entry, batch: Batch, today: dt.date) -> None:
    problems = []
    if sha256_file(entry.path) != batch.entry_digest:
        problems.append(Problem("review.entry_changed", entry.path, None, {"entry": entry.slug}))
    registry = session.registry(workspace)
    # Undecided, authorised or not: what the registry does not let them decide is refused
    # below with its reason (`blocked_reason`), not as "not waiting".
    waiting = {p.item for p in undecided(session, workspace, registry, judge(session, workspace))
               if p.candidate == candidate.slug and p.request.entry == entry.slug}
    seen = set()
    for decision in batch.decisions:
        if decision.ref in seen:
            problems.append(Problem("review.twice", None, None, {"item": decision.ref}))
        seen.add(decision.ref)
        problems += _item_problems(session, registry, workspace, candidate, entry, decision, waiting, today)
    if not batch.decisions:
        problems.append(Problem("review.nothing_decided"))
    if problems:
        raise InputError(problems)


def _item_problems(session, registry, workspace, candidate, entry, decision: ItemDecision,
                   waiting: set[str], today: dt.date) -> list[Problem]:
    if decision.action not in (VALIDATE, REFUSE):
        return [Problem("review.unknown_action", None, None, {"action": decision.action})]
    if decision.ref not in waiting:
        return [Problem("review.not_waiting", entry.path, None, {"item": decision.ref, "entry": entry.slug})]
    framework_id, code = decision.ref.split(":", 1)
    reason = blocked_reason(session, registry, candidate, entry, workspace.frameworks[framework_id], code, today)
    if reason:
        return [Problem(reason, None, None, {"entry": entry.slug})]
    if decision.action == REFUSE and not decision.comment.strip():
        return [Problem("review.comment_required", None, None, {"item": decision.ref})]
    return []


def _by_level_and_comment(batch: Batch) -> list[list[ItemDecision]]:
    """One signing request per level and comment: a request carries one of each (and the
    marks of its items' criteria, whose codes name their item)."""
    groups: dict[tuple[str, str], list[ItemDecision]] = {}
    for decision in batch.decisions:
        if decision.action == VALIDATE:
            groups.setdefault((decision.level, decision.comment.strip()), []).append(decision)
    return list(groups.values())


def _signing_request(session: ReviewSession, batch: Batch, group: list[ItemDecision]) -> SigningRequest:
    return SigningRequest(batch.candidate, batch.entry, tuple(d.ref for d in group), session.evaluator.name,
                          level=group[0].level, comment=group[0].comment.strip(),
                          criteria=tuple(mark for d in group for mark in d.criteria))


def _refusals_by_comment(batch: Batch) -> dict[str, list[str]]:
    refusals: dict[str, list[str]] = {}
    for decision in batch.decisions:
        if decision.action == REFUSE:
            refusals.setdefault(decision.comment.strip(), []).append(decision.ref)
    return refusals
