"""What the review pages show, as plain values: the queue and one request under review.

The answers come from the same places as the command line's: `pending_for` says what
waits, the credential layer says which validations are verified and which count, the
registry says whether this evaluator may decide an item. Templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Mapping

from ..core.files import sha256_file
from ..core.model import Candidate, Entry, EvaluationRequest, Evidence, Framework, Validation, title_in
from ..core.registry import Registry, untrusted_reason
from ..core.workspace import Workspace
from ..institution.trust import UNTRUSTED, VALID, assess_candidate, workspace_context
from ..decisions.requests import still_authorised, trainer_problem
from ..decisions.workflow import PendingItem, answered_refusal, candidate_decision, pending_for
from ..site.render import entry_html
from .session import ReviewSession

# Traces a browser shows without running anything; SVG can carry scripts, so it is not one.
INLINE_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                 ".webp": "image/webp"}
INLINE_TEXT = frozenset({".txt", ".md", ".csv"})
INLINE_TEXT_LIMIT = 200_000  # bytes shown in the page; longer texts are downloaded
RECORDED = "recorded"  # a refusal record: a file in the candidate's folder, not a credential


@dataclass(frozen=True)
class Judged:
    """Per candidate, verified validations: those that count, and every decision taken."""

    counted: Mapping[str, list[Validation]]
    taken: Mapping[str, list[tuple[Validation, str]]]  # with their status: valid | untrusted


def judge(session: ReviewSession, workspace: Workspace) -> Judged:
    context = workspace_context(session.root, workspace, session.institution)
    counted, taken = {}, {}
    for slug, candidate in workspace.candidates.items():
        assessments = [a for a in assess_candidate(candidate, context)
                       if a.validation is not None and a.status in (VALID, UNTRUSTED)]
        counted[slug] = [a.validation for a in assessments if a.status == VALID]
        taken[slug] = [(a.validation, a.status) for a in assessments]
    return Judged(counted, taken)


def undecided(session: ReviewSession, workspace: Workspace, registry: Registry, judged: Judged) -> list[PendingItem]:
    """What was asked of this evaluator and they have not decided yet, authorised or not: a
    request page opened on an item the registry does not let them decide says why
    (`blocked_reason`), rather than calling it decided."""
    taken = {slug: [v for v, _ in rows] for slug, rows in judged.taken.items()}
    return pending_for(session.evaluator.id, registry, workspace.candidates.values(), taken)


def pending(session: ReviewSession, workspace: Workspace, registry: Registry, judged: Judged,
            today: dt.date | None = None) -> list[PendingItem]:
    """What waits for this evaluator and the registry still lets them decide today: their queue."""
    return still_authorised(undecided(session, workspace, registry, judged),
                            registry, workspace.candidates, workspace.frameworks, today or dt.date.today())


# --- the queue ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    framework: str
    title: str
    validated: int
    items: int
    required: int  # 0 when the rule is not a count of items
    missing: int  # items still to validate for the certificate
    missing_mandatory: tuple[str, ...]
    met: bool
    level: str
    has_rule: bool


@dataclass(frozen=True)
class RequestRow:
    request: EvaluationRequest
    entry_title: str
    items: tuple[str, ...]  # the items still waiting for this evaluator
    # Items asked again after this evaluator refused them (issue 31), with that refusal:
    # its date and comment are shown beside the item.
    refused_before: tuple[tuple[str, Validation], ...] = ()


@dataclass(frozen=True)
class CandidateGroup:
    slug: str
    name: str
    rows: tuple[RequestRow, ...]
    progress: tuple[Progress, ...]

    @property
    def pending(self) -> int:
        return sum(len(row.items) for row in self.rows)


@dataclass(frozen=True)
class Filters:
    framework: str = ""
    candidate: str = ""
    phase: str = ""


@dataclass(frozen=True)
class Queue:
    groups: tuple[CandidateGroup, ...]
    filters: Filters
    frameworks: tuple[str, ...]
    candidates: tuple[tuple[str, str], ...]  # slug, name
    phases: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(group.pending for group in self.groups)


def build_queue(session: ReviewSession, filters: Filters) -> Queue:
    workspace = session.workspace()
    registry = session.registry(workspace)
    judged = judge(session, workspace)
    waiting = pending(session, workspace, registry, judged)
    kept = [p for p in waiting if _matches(p, workspace, filters)]
    groups = []
    for slug in dict.fromkeys(p.candidate for p in kept):
        candidate = workspace.candidate(slug)
        rows = _request_rows(candidate, [p for p in kept if p.candidate == slug])
        groups.append(CandidateGroup(slug, candidate.name, rows,
                                     _progress(candidate, workspace.frameworks, judged.counted[slug], session.language)))
    return Queue(tuple(groups), filters,
                 frameworks=tuple(sorted({p.item.split(":", 1)[0] for p in waiting})),
                 candidates=tuple(sorted({(p.candidate, workspace.candidate(p.candidate).name) for p in waiting})),
                 phases=tuple(sorted({phase for p in waiting for phase in _phases(p, workspace) if phase})))


def _phases(item: PendingItem, workspace: Workspace) -> set[str]:
    """An item's phase (CRCNÉ items have one) and the phase its entry was written in."""
    framework_id, code = item.item.split(":", 1)
    framework = workspace.frameworks.get(framework_id)
    framework_item = framework.item_by_code.get(code) if framework else None
    entry = _entry(workspace.candidate(item.candidate), item.request.entry)
    return {framework_item.phase if framework_item else "", entry.phase if entry else ""}


def _matches(item: PendingItem, workspace: Workspace, filters: Filters) -> bool:
    return ((not filters.framework or item.item.split(":", 1)[0] == filters.framework)
            and (not filters.candidate or item.candidate == filters.candidate)
            and (not filters.phase or filters.phase in _phases(item, workspace)))


def _request_rows(candidate: Candidate, waiting: list[PendingItem]) -> tuple[RequestRow, ...]:
    rows = []
    for request_id in dict.fromkeys(p.request.id for p in waiting):
        items = [p for p in waiting if p.request.id == request_id]
        request = items[0].request
        entry = _entry(candidate, request.entry)
        refused_before = tuple((p.item, refusal) for p in items
                               if (refusal := answered_refusal(candidate, request, p.item)) is not None)
        rows.append(RequestRow(request, entry.title if entry else request.entry, tuple(p.item for p in items),
                               refused_before))
    return tuple(rows)


def _progress(candidate: Candidate, frameworks: Mapping[str, Framework], counted: list[Validation],
              language: str) -> tuple[Progress, ...]:
    progress = []
    for pursuit in candidate.frameworks:
        framework = frameworks[pursuit.framework]
        decision = candidate_decision(candidate, framework, counted)
        missing = max(decision.required - len(decision.validated), len(decision.missing_mandatory), 0) \
            if decision.required else len(framework.items) - len(decision.validated)
        progress.append(Progress(framework.id, title_in(framework, language), len(decision.validated),
                                 len(framework.items), decision.required, missing, decision.missing_mandatory,
                                 decision.met, decision.level, decision.has_rule))
    return tuple(progress)


def _entry(candidate: Candidate, slug: str) -> Entry | None:
    return next((e for e in candidate.entries if e.slug == slug), None)


# --- one request under review -------------------------------------------------------------

@dataclass(frozen=True)
class TraceView:
    title: str
    kind: str  # "image" | "text" | "download" | "url"
    index: int  # position in the entry's evidence, for the trace route
    name: str = ""
    sha256: str = ""
    size: int = 0
    url: str = ""
    text: str = ""


@dataclass(frozen=True)
class EarlierDecision:
    evaluator: str
    date: dt.date
    accepted: bool
    level: str
    comment: str
    status: str  # valid | untrusted (credentials) | recorded (refusal records)


@dataclass(frozen=True)
class ItemReview:
    ref: str
    framework: Framework
    title: str
    description: str
    criteria: tuple[str, ...]
    justification: str
    claimed_level: str  # a code of the framework's scale, or ""
    claimed_level_title: str
    levels: tuple[tuple[str, str], ...]  # the framework's scale, code and title; empty when none
    earlier: tuple[EarlierDecision, ...]
    waiting: bool  # still waits for this evaluator
    blocked: str = ""  # why the registry does not let this evaluator decide it (a message key)
    # Each criterion's code where the framework assesses items per criterion (the form marks
    # each one, and the item's level follows); empty otherwise.
    criterion_codes: tuple[str, ...] = ()

    @property
    def marked_criteria(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.criterion_codes, self.criteria))


@dataclass(frozen=True)
class RequestReview:
    candidate: Candidate
    request: EvaluationRequest
    entry: Entry
    body: str  # sanitized HTML
    entry_digest: str
    traces: tuple[TraceView, ...]
    items: tuple[ItemReview, ...]

    @property
    def decidable(self) -> tuple[ItemReview, ...]:
        return tuple(item for item in self.items if item.waiting and not item.blocked)


class NotFound(LookupError):
    """No such candidate, request or entry (any more): the page says so."""


def build_request_review(session: ReviewSession, slug: str, request_id: str, *,
                         today: dt.date | None = None) -> RequestReview:
    workspace = session.workspace()
    candidate = workspace.candidates.get(slug)
    request = next((r for r in candidate.requests if r.id == request_id), None) if candidate else None
    entry = _entry(candidate, request.entry) if request else None
    if entry is None or request.evaluator != session.evaluator.id:
        raise NotFound(f"{slug}/{request_id}")
    registry = session.registry(workspace)
    judged = judge(session, workspace)
    # Undecided, authorised or not: an item the registry does not let them decide is shown
    # with the reason (`blocked`), never as already decided (issue 29, finding 5).
    waiting = {p.item for p in undecided(session, workspace, registry, judged)
               if p.candidate == slug and p.request.entry == entry.slug}
    items = tuple(_item_review(session, registry, workspace, candidate, entry, ref, judged.taken[slug],
                               ref in waiting, today or dt.date.today())
                  for ref in request.items)
    return RequestReview(candidate, request, entry, str(entry_html(entry.body)), sha256_file(entry.path),
                         tuple(trace_view(evidence, index) for index, evidence in enumerate(entry.evidence)),
                         items)


def _item_review(session: ReviewSession, registry: Registry, workspace: Workspace, candidate: Candidate,
                 entry: Entry, ref: str, taken: list[tuple[Validation, str]], waiting: bool,
                 today: dt.date) -> ItemReview:
    framework_id, code = ref.split(":", 1)
    framework = workspace.frameworks[framework_id]
    item = framework.item_by_code[code]
    claim = next((c for c in entry.claims if c.ref == ref), None)
    levels = {level.code for level in framework.levels}
    return ItemReview(
        ref, framework, title_in(item, session.language), item.description, item.criteria,
        claim.justification if claim else "", claim.level if claim and claim.level in levels else "",
        title_in(framework.level(claim.level), session.language) if claim and claim.level in levels else "",
        tuple((level.code, title_in(level, session.language)) for level in framework.levels),
        _readable(earlier_decisions(candidate, framework_id, code, taken), registry, framework, session.language),
        waiting,
        blocked_reason(session, registry, candidate, entry, framework, code, today) or "",
        item.criterion_codes if framework.criterion_rule and framework.levels else ())


def blocked_reason(session: ReviewSession, registry: Registry, candidate: Candidate, entry: Entry,
                   framework: Framework, code: str, today: dt.date) -> str | None:
    """Why this evaluator may not decide the item, as a message key; None when they may.

    The registry's own rule (`untrusted_reason`) judged for a credential signed today by
    this session's key: what it would refuse to count is not offered.
    """
    if entry.is_draft:
        return "review.draft_entry"
    mention = next((p.mention for p in candidate.frameworks if p.framework == framework.id), None)
    return untrusted_reason(registry, session.signer, candidate.slug, framework,
                            framework.item_by_code[code].phase, mention, today) \
        or _REVIEW_KEYS.get(trainer_problem(session.evaluator.id, registry, entry, framework, today))


# The trainer rule's reasons, as the review page says them (no parameters: the page names the item).
_REVIEW_KEYS = {"request.not_trainer": "review.not_trainer", "request.trainer_missing": "review.trainer_missing"}


def earlier_decisions(candidate: Candidate, framework_id: str, code: str,
                      taken: list[tuple[Validation, str]]) -> tuple[EarlierDecision, ...]:
    """Every decision on the item, by anyone, oldest first: verified credentials and refusal records."""
    found = [EarlierDecision(v.evaluator, v.date, v.accepted, v.level, v.comment, status)
             for v, status in taken if (v.framework, v.item) == (framework_id, code)]
    found += [EarlierDecision(v.evaluator, v.date, False, v.level, v.comment, RECORDED)
              for v in candidate.refusals if (v.framework, v.item) == (framework_id, code)]
    return tuple(sorted(found, key=lambda d: d.date))


def _readable(decisions: tuple[EarlierDecision, ...], registry: Registry, framework: Framework,
              language: str) -> tuple[EarlierDecision, ...]:
    """Signers as the registry names them (credentials carry a did:key, records an id), and
    levels by their titles."""
    def name(signer: str) -> str:
        evaluator = registry.by_key(signer) or registry.by_id(signer)
        return evaluator.name if evaluator else signer

    def level(code: str) -> str:
        known = {lv.code: lv for lv in framework.levels}
        return title_in(known[code], language) if code in known else code
    return tuple(replace(d, evaluator=name(d.evaluator), level=level(d.level)) for d in decisions)


def trace_view(evidence: Evidence, index: int) -> TraceView:
    if not evidence.is_file or evidence.file is None:
        return TraceView(evidence.title, "url", index, url=evidence.url)
    suffix = PurePosixPath(evidence.path).suffix.lower()
    size = evidence.file.stat().st_size
    common = dict(name=PurePosixPath(evidence.path).name, sha256=sha256_file(evidence.file), size=size)
    if suffix in INLINE_IMAGES:
        return TraceView(evidence.title, "image", index, **common)
    if suffix in INLINE_TEXT and size <= INLINE_TEXT_LIMIT:
        text = evidence.file.read_text("utf-8", errors="replace")
        return TraceView(evidence.title, "text", index, text=text, **common)
    return TraceView(evidence.title, "download", index, **common)


def trace_file(session: ReviewSession, slug: str, entry_slug: str, index: int) -> tuple[Path, str | None]:
    """The file of an entry's trace and its inline media type (None: download only).

    Only traces the model knows are served: their paths were checked to stay inside
    the candidate's folder when it was read.
    """
    workspace = session.workspace(only=[slug])
    candidate = workspace.candidates.get(slug)
    entry = _entry(candidate, entry_slug) if candidate else None
    if entry is None or not 0 <= index < len(entry.evidence) or entry.evidence[index].file is None:
        raise NotFound(f"{slug}/{entry_slug}/{index}")
    evidence = entry.evidence[index]
    return evidence.file, INLINE_IMAGES.get(PurePosixPath(evidence.path).suffix.lower())
