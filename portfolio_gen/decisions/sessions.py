"""What a jury session decides on: who is ready by the rule, and which decisions may be taken.

Readiness is the commission's own verdict (workflow.candidate_decision: the framework's
rule over trusted validations and external results), so a session never disagrees with
`certify`. The checks on a decision are pure: the credential layer issues, the CLI asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Collection, Iterable, Mapping, Sequence

from ..core.model import Candidate, Framework, Validation
from ..core.problems import Problem
from ..core.rules import items_required
from ..core.sessions import (APPEAL_DISMISSED, ATTESTATION, CERTIFICATE, ITEMS_SHORT, MISSING_INPUT,
                             MISSING_MANDATORY, POSTPONEMENT, Appeal, Reason, Session, Standing, session_id)
from .rules import Decision
from .workflow import candidate_decision


def prepare_session(framework: Framework, candidates: Iterable[Candidate],
                    validations: Mapping[str, Sequence[Validation]], *, date: dt.date, prepared: dt.date,
                    certified: Collection[str] = (), appeals: Sequence[Appeal] = ()) -> Session:
    """Every candidate pursuing `framework` but those already `certified` in it (slugs),
    ready first, each with why they are not; and the `appeals` this session is to decide."""
    standings = []
    for candidate in candidates:
        if candidate.slug in certified or not any(p.framework == framework.id for p in candidate.frameworks):
            continue
        decision = candidate_decision(candidate, framework, validations.get(candidate.slug, ()))
        standings.append(Standing(candidate.slug, candidate.name, decision.met, len(decision.validated),
                                  candidate.unit, decision.level, not_ready_reasons(framework, decision)))
    standings.sort(key=lambda s: (not s.ready, s.candidate))
    return Session(session_id(framework.id, date), framework.id, date, prepared, tuple(standings),
                   appeals=tuple(appeals))


def appeal_problems(session: Session, slug: str, reason: str, lodged: Sequence[Appeal]) -> list[Problem]:
    """Why an appeal of `slug` against `session`'s decision cannot be recorded (empty: it can):
    there must be a decision to appeal, a reason, and no appeal of it lodged already."""
    if session.decision(slug) is None:
        return [Problem("session.appeal_no_decision", session.path, None, {"slug": slug, "session": session.id})]
    if not reason.strip():
        return [Problem("session.appeal_reason", None, None, {})]
    if any(a.candidate == slug and a.session == session.id for a in lodged):
        return [Problem("session.appeal_exists", session.path, None, {"slug": slug, "session": session.id})]
    return []


def not_ready_reasons(framework: Framework, decision: Decision) -> tuple[Reason, ...]:
    if decision.met:
        return ()
    reasons = []
    minimum = items_required(framework.rule)
    if minimum is not None and len(decision.validated) < minimum:
        reasons.append(Reason(ITEMS_SHORT, minimum - len(decision.validated)))
    if decision.missing_mandatory:
        reasons.append(Reason(MISSING_MANDATORY, ", ".join(decision.missing_mandatory)))
    reasons += [Reason(MISSING_INPUT, input_id) for input_id in decision.missing_inputs]
    return tuple(reasons)


def decision_problems(session: Session, slug: str, outcome: str, decision: Decision | None, *,
                      comment: str, override: str) -> list[Problem]:
    """Why the jury's decision cannot be recorded as asked (empty: it can).

    `decision` is the framework's rule applied now, for the candidate; a certificate the
    rule does not support needs `override` with the jury's reason, which the minutes show.
    """
    path = session.path
    if session.standing(slug) is None:
        return [Problem("session.not_in_session", path, None, {
            "slug": slug, "session": session.id, "known": ", ".join(s.candidate for s in session.candidates) or "-"})]
    if session.decision(slug) is not None:
        return [Problem("session.already_decided", path, None, {"slug": slug, "outcome": session.decision(slug).outcome})]
    if outcome == APPEAL_DISMISSED and session.appeal(slug) is None:
        return [Problem("session.no_appeal", path, None, {"slug": slug, "session": session.id})]
    if outcome in (ATTESTATION, POSTPONEMENT, APPEAL_DISMISSED) and not comment.strip():
        return [Problem("session.comment_required", None, None, {"outcome": outcome})]
    if outcome != CERTIFICATE:
        return [Problem("session.override_not_certificate", None, None, {})] if override else []
    if decision is not None and not decision.met and decision.missing_inputs:
        return [Problem("session.level_unknown", path, None, {
            "slug": slug, "inputs": ", ".join(decision.missing_inputs)})]
    if decision is not None and not decision.met and not override.strip():
        return [Problem("session.rule_not_met", path, None, {"slug": slug, "framework": session.framework})]
    if decision is not None and decision.met and override:
        return [Problem("session.override_not_needed", None, None, {"slug": slug})]
    return []
