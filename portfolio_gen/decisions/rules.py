"""Certification decisions: apply a framework's rule to a candidate's validations.

Pure arithmetic over the model, so that every rule can be unit-tested exhaustively
and the commission, the site and the report all reach the same verdict.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ..core.model import Framework, Validation
from ..core.rules import Decision

__all__ = ["Decision", "decide", "decide_items", "evaluation_level", "validated_items"]


def validated_items(framework: Framework, validations: Iterable[Validation]) -> dict[str, Validation]:
    """Latest accepted validation per item; a later refusal does not erase an acceptance.

    Items validated at several levels keep the highest level, since a validation records
    a competence observed, and a later weaker activity does not un-observe it.
    """
    best: dict[str, Validation] = {}
    for validation in validations:
        if validation.framework != framework.id or not validation.accepted:
            continue
        if validation.item not in framework.item_by_code:
            continue
        current = best.get(validation.item)
        if current is None or _level_key(framework, validation) > _level_key(framework, current):
            best[validation.item] = validation
    return {code: best[code] for code in framework.item_by_code if code in best}


def _level_key(framework: Framework, validation: Validation) -> tuple[int, object]:
    rank = framework.level_rank(validation.level) if validation.level and framework.levels else -1
    return rank, validation.date


def evaluation_level(framework: Framework, validations: Iterable[Validation]) -> str | None:
    """The level an evaluation recognises over the whole grid: the lowest item level.

    A level is recognised for the activity only when every item of the grid has been
    validated with a level; otherwise the evaluation has not concluded (None).
    """
    best = validated_items(framework, validations)
    if not framework.levels or len(best) < len(framework.items):
        return None
    if any(not v.level for v in best.values()):
        return None
    return min((v.level for v in best.values()), key=framework.level_rank)


def decide(framework: Framework, validations: Iterable[Validation],
           input_levels: Mapping[str, str | None] | None = None) -> Decision:
    """Apply the framework's rule. `input_levels` gives each joint-level input's level."""
    return decide_items(framework, tuple(validated_items(framework, validations)), input_levels)


def decide_items(framework: Framework, codes: tuple[str, ...],
                 input_levels: Mapping[str, str | None] | None = None) -> Decision:
    """The rule applied to items taken as validated (`codes`, in framework order): what
    `decide` does once it has each item's best validation, whose level no rule reads
    (a joint-level rule takes its levels from `input_levels`)."""
    if framework.rule is None:
        return Decision(framework.id, False, False, codes)
    return framework.rule.decide(framework, codes, input_levels or {})
