"""decisions.workflow.request_states: where each requested item stands, for its candidate."""

from __future__ import annotations

import datetime as dt

from portfolio_gen.core.model import REFUSED, Candidate, EvaluationRequest, Pursuit, Validation
from portfolio_gen.decisions.workflow import REFUSED_ITEM, VALIDATED, WAITING, request_states

DAY = dt.date(2026, 3, 1)


def candidate(refusals=()) -> Candidate:
    requests = (EvaluationRequest("r1", "e1", "marie", ("crcne:I1", "crcne:I2", "crcne:I3"), DAY),
                EvaluationRequest("r2", "e2", "jean", ("crcne:I1",), DAY + dt.timedelta(days=1)))
    return Candidate("c", "C", "stagiaire", "", "fr", (Pursuit("crcne", 1),), requests=requests,
                     refusals=tuple(refusals))


def test_each_item_waits_until_decided_for_its_own_entry():
    validated = Validation("crcne", "I1", "did:key:z6Mk", DAY, level="avance", entry="e1")
    refused = Validation("crcne", "I2", "marie", DAY, decision=REFUSED, comment="why", entry="e1")
    other_evaluator = Validation("crcne", "I3", "jean", DAY, decision=REFUSED, comment="not mine", entry="e1")
    states = {(s.request.id, s.item): s for s in request_states(candidate([refused, other_evaluator]), [validated])}
    assert states[("r1", "crcne:I1")].state == VALIDATED
    assert states[("r1", "crcne:I2")].state == REFUSED_ITEM
    assert states[("r1", "crcne:I2")].decision.comment == "why"
    assert states[("r1", "crcne:I3")].state == WAITING  # refused by someone it was not asked of
    assert states[("r2", "crcne:I1")].state == WAITING  # validated for another entry only


def test_a_later_validation_follows_a_refusal():
    refused = Validation("crcne", "I1", "marie", DAY, decision=REFUSED, comment="why", entry="e1")
    later = Validation("crcne", "I1", "did:key:z6Mk", DAY + dt.timedelta(days=5), entry="e1")
    states = {(s.request.id, s.item): s.state for s in request_states(candidate([refused]), [later])}
    assert states[("r1", "crcne:I1")] == VALIDATED
