"""Who a candidate may ask to evaluate an item (issue 29, finding 5).

A request goes only to an evaluator the registry authorises for the item's framework,
its phase and the candidate's mention, on the day it is made: a request to someone whose
validation would not count can only wait, in their queue, for nothing. Where a framework
says the trainer of the activity evaluates it (C2i2e, seed 003: « il demande l'évaluation
de ces items au formateur concerné par l'activité présentée », or one of the « référents
C2i2e »), the evaluator must also be the trainer the entry names (`trainer:`) or a
referent of the registry.

Pure: the registry is given (the signed one, where the institution has signed one), the
date too. Each refusal is a `Problem` whose key says why, in the catalogue's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..core.model import TRAINER_OR_REFERENT, Candidate, Entry, EvaluationRequest, Framework, Validation
from ..core.problems import Problem
from ..core.registry import REFERENT, Registry, grant_reason, has_role
from .workflow import PendingItem, pending_for, standing_refusal, validated_by

# The registry's reason for a validation, said of a request.
_REQUEST_KEYS = {"trust.self_validation": "request.self_validation", "trust.other_framework": "request.other_framework",
                 "trust.out_of_period": "request.out_of_period", "trust.other_phase": "request.other_phase",
                 "trust.other_mention": "request.other_mention"}


def request_problems(registry: Registry, evaluator_id: str, candidate: Candidate, entry: Entry,
                     frameworks: Mapping[str, Framework], items: Iterable[str], on: dt.date) -> list[Problem]:
    """Why `evaluator_id` may not be asked to evaluate `items` ("framework:code") of an
    entry on `on`: one problem per item refused, located at the entry; [] when they may."""
    evaluator = registry.by_id(evaluator_id)
    if evaluator is None:
        return [Problem("request.not_in_signed_registry", entry.path, None, {"evaluator": evaluator_id})]
    problems = []
    for ref in items:
        framework_id, _, code = ref.partition(":")
        framework = frameworks[framework_id]
        params = {"evaluator": evaluator_id, "item": ref, "framework": framework_id, "date": on.isoformat()}
        mention = next((p.mention for p in candidate.frameworks if p.framework == framework_id), None)
        phase = framework.item_by_code[code].phase if code in framework.item_by_code else ""
        reason = grant_reason(evaluator, candidate.slug, framework, phase, mention, on)
        if reason is not None:
            problems.append(Problem(_REQUEST_KEYS[reason], entry.path, None,
                                    {**params, "phase": phase or "-", "mention": mention or "-"}))
            continue
        trainer = trainer_problem(evaluator_id, registry, entry, framework, on)
        if trainer is not None:
            problems.append(Problem(trainer, entry.path, None, {**params, "trainer": entry.trainer or "-"}))
    return problems


def trainer_problem(evaluator_id: str, registry: Registry, entry: Entry, framework: Framework,
                    on: dt.date) -> str | None:
    """Where the framework has the trainer of the activity evaluate it: None when the
    evaluator is the trainer the entry names or a referent of the registry on that day;
    else `request.not_trainer` (the entry names someone else) or `request.trainer_missing`."""
    if framework.evaluated_by != TRAINER_OR_REFERENT:
        return None
    evaluator = registry.by_id(evaluator_id)
    if evaluator is not None and has_role(evaluator, framework.id, REFERENT, on):
        return None
    if not entry.trainer:
        return "request.trainer_missing"
    return None if entry.trainer == evaluator_id else "request.not_trainer"


def still_authorised(pending: Iterable[PendingItem], registry: Registry, candidates: Mapping[str, Candidate],
                     frameworks: Mapping[str, Framework], on: dt.date) -> list[PendingItem]:
    """The waiting items their evaluator may still decide on `on`: a request made before
    their rights ended, or to someone the registry never authorised, leaves their queue."""
    kept = []
    for item in pending:
        candidate = candidates.get(item.candidate)
        entry = next((e for e in candidate.entries if e.slug == item.request.entry), None) if candidate else None
        if entry is None or item.item.partition(":")[0] not in frameworks:
            continue
        if not request_problems(registry, item.request.evaluator, candidate, entry, frameworks, [item.item], on):
            kept.append(item)
    return kept


# --- asking, and asking again (issue 31) ------------------------------------------------

@dataclass(frozen=True)
class RequestPlan:
    """What a request for some items of an entry would ask, before anything is written.

    `ask`: the items to ask for; `waiting`: those already waiting for this evaluator (one
    pending request per item and evaluator: asking again writes nothing for them);
    `validated`: those this evaluator already validated, from any entry (not asked again);
    `reopens`: the evaluator's refusals of `ask` in this entry that the new request answers
    (the candidate improved the entry and asks again), each a `Validation` with its record
    and comment. Refusals answered no longer decide the item: it waits again for that
    evaluator, whose next decision counts without `sign --reconsider`."""

    entry: str
    evaluator: str
    ask: tuple[str, ...]
    waiting: tuple[str, ...]
    reopens: tuple[Validation, ...]
    validated: tuple[str, ...] = ()

    def request(self, on: dt.date, message: str = "") -> EvaluationRequest | None:
        """The request to write (`core.records.write_request`), or None: all already wait."""
        if not self.ask:
            return None
        return EvaluationRequest("", self.entry, self.evaluator, self.ask, on, message,
                                 reopens=tuple(dict.fromkeys(r.record for r in self.reopens if r.record)))


def plan_request(registry: Registry, candidate: Candidate, entry: Entry, evaluator_id: str,
                 items: Iterable[str], validations: Sequence[Validation]) -> RequestPlan:
    """Which of `items` ("framework:code", claimed by `entry`) a new request to
    `evaluator_id` asks for, and which refusals it reopens.

    `validations`: the candidate's decided validations (verified, trusted or not), so that
    an item the evaluator already validated is not counted as waiting. Who may be asked is
    `request_problems`' business, checked first."""
    waiting = {p.item for p in pending_for(evaluator_id, registry, [candidate], {candidate.slug: validations})
               if p.request.entry == entry.slug}
    evaluator = registry.by_id(evaluator_id)
    done = validated_by(evaluator_id, evaluator.keys if evaluator else (), validations)
    items = list(dict.fromkeys(items))
    ask = tuple(ref for ref in items if ref not in waiting and ref not in done)
    reopens = tuple(refusal for ref in ask
                    if (refusal := standing_refusal(candidate, entry.slug, evaluator_id, ref)) is not None)
    return RequestPlan(entry.slug, evaluator_id, ask, tuple(ref for ref in items if ref in waiting), reopens,
                       tuple(ref for ref in items if ref in done))


def validated_from(entry: Entry, validations: Iterable[Validation]) -> tuple[str, ...]:
    """The items ("framework:code") validated from this entry: each validation pinned the
    entry file's digest, so editing the entry (its text, its evidence list) marks them
    « entry modified after validation ». An entry with validated items is improved by
    writing a new one (docs/faq.md); one without can be edited and asked again."""
    return tuple(dict.fromkeys(f"{v.framework}:{v.item}" for v in validations
                               if v.accepted and v.entry == entry.slug))
