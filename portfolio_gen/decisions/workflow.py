"""The certification workflow over a cohort: what waits for whom, what each rule decides.

Inputs are model values: candidates (with their requests, refusals and external
results) and the trusted validations of each, which the credential layer derives from
verified credentials. Everything here is pure, so the commission, the review queue,
the report and the site agree on one answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .diagnostic import assessed_entry_level
from ..core.model import Candidate, EvaluationRequest, Framework, Validation
from ..core.records import level_on_scale
from ..core.registry import Registry
from .awards import Award, certification, latest_result
from .rules import Decision, decide, evaluation_level


def input_levels(candidate: Candidate, framework: Framework,
                 validations: Sequence[Validation]) -> dict[str, str | None]:
    """Each rule input's level: the portfolio's own evaluation from validations, the
    external ones from results, the latest one counting.

    An external input is filled by the results recorded for it under this framework, or
    under the framework it is named after (CRCNÉ's `pix-edu` input reads the Pix+Édu
    certification's own results); a level is read as a code of this framework's scale or
    as its rank (Pix+Édu level 2 is CRCNÉ's second level, Confirmé).
    """
    if framework.rule is None:
        return {}
    levels: dict[str, str | None] = {}
    for rule_input in framework.rule.inputs:
        if rule_input.external:
            result = latest_result(candidate.results, framework.id, rule_input.id)
            levels[rule_input.id] = level_on_scale(framework, result.level) if result else None
        else:
            levels[rule_input.id] = evaluation_level(framework, validations)
    return levels


def candidate_decision(candidate: Candidate, framework: Framework,
                       validations: Sequence[Validation]) -> Decision:
    """The framework's rule applied to a candidate's trusted validations and results."""
    return decide(framework, validations, input_levels(candidate, framework, validations))


@dataclass(frozen=True)
class PendingItem:
    candidate: str
    request: EvaluationRequest
    item: str  # "framework:code"


def reopened_refusals(candidate: Candidate, evaluator_id: str | None = None) -> frozenset[str]:
    """The refusal records the candidate's requests answer (`EvaluationRequest.reopens`),
    of one evaluator's requests or of all: a refusal so answered was the answer to an
    earlier request, and no longer decides the item (issue 31)."""
    return frozenset(record for request in candidate.requests
                     if evaluator_id is None or request.evaluator == evaluator_id for record in request.reopens)


def standing_refusals(candidate: Candidate, evaluator_id: str | None = None) -> list[Validation]:
    """The candidate's refusals (one evaluator's, or all) that no later request reopened."""
    reopened = reopened_refusals(candidate, evaluator_id)
    return [r for r in candidate.refusals
            if (evaluator_id is None or r.evaluator == evaluator_id) and r.record not in reopened]


def standing_refusal(candidate: Candidate, entry: str, evaluator_id: str, ref: str) -> Validation | None:
    """The evaluator's latest refusal of `ref` ("framework:code") in this entry, unless the
    candidate asked again since: the refusal a new decision would contradict."""
    return next((r for r in reversed(standing_refusals(candidate, evaluator_id))
                 if r.entry == entry and f"{r.framework}:{r.item}" == ref), None)


def answered_refusal(candidate: Candidate, request: EvaluationRequest, ref: str) -> Validation | None:
    """The latest refusal of `ref` in the request's entry that this request answers (it asks
    again after it), or None: shown beside the item, what the evaluator asked to improve."""
    return max((r for r in candidate.refusals if r.record in request.reopens and r.entry == request.entry
                and f"{r.framework}:{r.item}" == ref), key=lambda r: r.date, default=None)


def _decided_by(evaluator_keys: Iterable[str], evaluator_id: str, candidate: Candidate,
                validations: Sequence[Validation]) -> set[tuple[str, str]]:
    """(entry, item ref) pairs this evaluator already decided for this candidate: refused
    with no request since that asks again, or validated. An item they validated is decided
    from every entry (`ANY_ENTRY`): signing refuses to validate it twice (issue 18), so
    asking it again from another entry could only wait for nothing (issue 31)."""
    decided = {(v.entry, f"{v.framework}:{v.item}") for v in standing_refusals(candidate, evaluator_id)}
    decided |= {(ANY_ENTRY, ref) for ref in validated_by(evaluator_id, evaluator_keys, validations)}
    return decided


ANY_ENTRY = ""  # in `_decided_by`'s pairs: decided whichever entry asks


def validated_by(evaluator_id: str, evaluator_keys: Iterable[str], validations: Sequence[Validation]) -> set[str]:
    """The items ("framework:code") this evaluator validated, among `validations`."""
    signers = {evaluator_id, *evaluator_keys}
    return {f"{v.framework}:{v.item}" for v in validations if v.accepted and v.evaluator.split("#", 1)[0] in signers}


def pending_for(evaluator_id: str, registry: Registry, candidates: Iterable[Candidate],
                validations: Mapping[str, Sequence[Validation]]) -> list[PendingItem]:
    """Items requested from an evaluator that they have neither validated nor refused."""
    return pending_items(registry, candidates, validations, only=evaluator_id)


def pending_items(registry: Registry, candidates: Iterable[Candidate],
                  validations: Mapping[str, Sequence[Validation]], only: str | None = None) -> list[PendingItem]:
    """Every requested item its evaluator has neither validated nor refused, in one pass
    over the cohort (`only`: one evaluator's). An item asked several times of the same
    evaluator for the same entry waits once, under the latest request (issue 31)."""
    pending = []
    for candidate in candidates:
        decided: dict[str, set[tuple[str, str]]] = {}
        latest = _latest_requests(candidate)
        for request in candidate.requests:
            if only is not None and request.evaluator != only:
                continue
            if request.evaluator not in decided:
                evaluator = registry.by_id(request.evaluator)
                decided[request.evaluator] = _decided_by(evaluator.keys if evaluator else (), request.evaluator,
                                                         candidate, validations.get(candidate.slug, ()))
            pending += [PendingItem(candidate.slug, request, ref) for ref in request.items
                        if (request.entry, ref) not in decided[request.evaluator]
                        and (ANY_ENTRY, ref) not in decided[request.evaluator]
                        and latest[request.entry, request.evaluator, ref] is request]
    return pending


def _latest_requests(candidate: Candidate) -> dict[tuple[str, str, str], EvaluationRequest]:
    """(entry, evaluator, item ref) -> the latest request asking it: by date, then by the
    record's suffix (`…-marie`, `…-marie-2`, …, `…-marie-10`: shorter ids first)."""
    latest: dict[tuple[str, str, str], EvaluationRequest] = {}
    for request in sorted(candidate.requests, key=lambda r: (r.date, len(r.id), r.id)):
        for ref in request.items:
            latest[request.entry, request.evaluator, ref] = request
    return latest


WAITING, VALIDATED, REFUSED_ITEM = "waiting", "validated", "refused"


@dataclass(frozen=True)
class RequestedItem:
    """Where one requested item stands, as its candidate sees it."""

    request: EvaluationRequest
    item: str  # "framework:code"
    state: str  # WAITING | VALIDATED | REFUSED_ITEM
    decision: Validation | None = None  # the latest decision on it, when there is one


def request_states(candidate: Candidate, validations: Sequence[Validation]) -> list[RequestedItem]:
    """Each requested item with the latest decision taken on it for its entry: a validation
    (from the credentials given) or a refusal the evaluator asked recorded; else it waits.
    A request that asks again after a refusal (`reopens`) waits until the next decision:
    the refusal it answers is the earlier request's."""
    states = []
    for request in sorted(candidate.requests, key=lambda r: r.date, reverse=True):
        for ref in request.items:
            decisions = [v for v in validations if v.entry == request.entry and f"{v.framework}:{v.item}" == ref]
            decisions += [v for v in candidate.refusals if v.entry == request.entry and v.evaluator == request.evaluator
                          and f"{v.framework}:{v.item}" == ref and v.record not in request.reopens]
            latest = max(decisions, key=lambda v: v.date, default=None)
            state = WAITING if latest is None else VALIDATED if latest.accepted else REFUSED_ITEM
            states.append(RequestedItem(request, ref, state, latest))
    return states


# --- cohort report ----------------------------------------------------------------------

@dataclass(frozen=True)
class CandidateRow:
    candidate: str
    role: str
    framework: str
    certified: bool  # holds what certifies (awards.certification): a current certificate, or a signed result
    level: str  # the certified level
    validated: int
    items: int
    missing_mandatory: tuple[str, ...]
    entry_level: str  # from the first self-assessment, when it gives one
    level_gain: int | None  # certified rank - entry rank, for level frameworks
    unit: str = ""  # the candidate's institution unit, for breakdowns
    ready: bool = False  # the rule is met: certified, or for the next session to decide
    override: bool = False  # certified by the jury although the rule is not met


def _decisions(candidates: Iterable[Candidate], frameworks: Mapping[str, Framework],
               validations: Mapping[str, Sequence[Validation]]) -> list[tuple[Candidate, Framework, Decision]]:
    """Every candidate's decision for every framework they pursue, computed once."""
    return [(candidate, frameworks[p.framework],
             candidate_decision(candidate, frameworks[p.framework], validations.get(candidate.slug, ())))
            for candidate in candidates for p in candidate.frameworks]


def _row(candidate: Candidate, framework: Framework, decision: Decision, entry: str,
         certificate: Award | None) -> CandidateRow:
    """`certificate`: what certifies the candidate (`awards.certification`), or None."""
    level = certificate.level if certificate is not None else ""
    gain = framework.level_rank(level) - framework.level_rank(entry) if level and entry else None
    return CandidateRow(candidate.slug, candidate.role, framework.id, certificate is not None, level,
                        len(decision.validated), len(framework.items), decision.missing_mandatory,
                        entry, gain, candidate.unit, decision.met,
                        certificate is not None and bool(certificate.override))


def cohort_rows(candidates: Iterable[Candidate], frameworks: Mapping[str, Framework],
                validations: Mapping[str, Sequence[Validation]],
                awards: Mapping[str, Sequence[Award]] | None = None) -> list[CandidateRow]:
    return [_row(c, f, d, entry_level(c, f), certification((awards or {}).get(c.slug, ()), f, d, c.results))
            for c, f, d in _decisions(candidates, frameworks, validations)]


def entry_level(candidate: Candidate, framework: Framework) -> str:
    """The level at entry: the whole-grid level of the first self-assessment, if it gives one."""
    assessments = candidate.assessments_for(framework.id)
    if not assessments:
        return ""
    return assessed_entry_level(framework, assessments[0]) or ""  # no full diagnosis needed


def cohort_report(candidates: Sequence[Candidate], frameworks: Mapping[str, Framework],
                  validations: Mapping[str, Sequence[Validation]], registry: Registry | None,
                  awards: Mapping[str, Sequence[Award]] | None = None) -> dict:
    """Steering statistics: certified per framework and level (`awards.certification`: a
    current, valid certificate among `awards`, per candidate, or the signed result of a
    framework certified outside), missing items, pending work. The candidates' results
    are taken as counted: only signed ones should be given."""
    decided = [(c, f, d, entry_level(c, f), certification((awards or {}).get(c.slug, ()), f, d, c.results))
               for c, f, d in _decisions(candidates, frameworks, validations)]
    pending = pending_items(registry, candidates, validations) if registry is not None else None
    return decided_report(len(candidates), decided, pending, registry)


def decided_report(candidates: int, decided: Sequence[tuple[Candidate, Framework, Decision, str, Award | None]],
                   pending: Iterable[PendingItem] | None, registry: Registry | None) -> dict:
    """`cohort_report` from decisions already taken: each (candidate, framework, decision,
    entry level, what certifies them or None), and the items waiting for evaluators (None
    without a registry)."""
    rows = [_row(*d) for d in decided]
    missing: dict[str, Counter] = {}
    for _, framework, decision, _, _ in decided:
        missing.setdefault(framework.id, Counter()).update(
            i.code for i in framework.items if i.code not in decision.validated)
    summary: dict[str, dict] = {}
    for framework_id in sorted({r.framework for r in rows}):
        subset = [r for r in rows if r.framework == framework_id]
        gains = [r.level_gain for r in subset if r.level_gain is not None]
        summary[framework_id] = {
            "candidates": len(subset),
            "certified": sum(r.certified for r in subset),
            "ready": sum(r.ready and not r.certified for r in subset),
            "certified_by_level": dict(Counter(r.level for r in subset if r.certified and r.level)),
            "items_most_often_missing": missing[framework_id].most_common(5),
            "mean_level_gain": round(sum(gains) / len(gains), 2) if gains else None,
        }
    waiting: Counter = Counter()
    if registry is not None:  # one pass over the cohort, not one per evaluator
        waiting.update({evaluator.id: 0 for evaluator in registry.evaluators})
        waiting.update(p.request.evaluator for p in pending or () if p.request.evaluator in waiting)
    return {"candidates": candidates, "frameworks": summary,
            "pending_by_evaluator": dict(waiting), "rows": [row.__dict__ for row in rows]}
