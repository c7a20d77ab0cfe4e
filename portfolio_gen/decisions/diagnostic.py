"""The self-assessment diagnostic: gaps against a target, training to close them, readiness.

Pix+Édu's first step is an individual diagnostic that identifies training needs; a
candidate whose diagnostic shows strong proficiency may go straight to certification.
This module turns a dated self-assessment into those answers, using the same rules
the commission applies (rules.decide), so "ready" here means what it means there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..core.model import Framework, Item, Resource, SelfAssessment, Validation
from ..core.rules import items_required, portfolio_inputs
from .rules import decide


@dataclass(frozen=True)
class Gap:
    """An item assessed below the target (or not assessed), with training that fits."""

    item: Item
    current: str | None
    target: str
    resources: tuple[Resource, ...]


@dataclass(frozen=True)
class Diagnostic:
    framework: str
    assessment: SelfAssessment
    gaps: tuple[Gap, ...]
    ready: bool
    entry_level: str | None  # lowest level over the whole framework, once every item is assessed

    @property
    def at_target(self) -> int:
        return len(self.assessment.levels) - sum(1 for g in self.gaps if g.current is not None)


def rank(framework: Framework, level: str | None) -> int:
    """Position on the framework's assessment scale; -1 for "not assessed"."""
    codes = [lv.code for lv in framework.assessment_scale]
    return codes.index(level) if level in codes else -1


def diagnose(framework: Framework, assessment: SelfAssessment) -> Diagnostic:
    target_rank = rank(framework, assessment.target)
    gaps = tuple(
        Gap(item, assessment.levels.get(item.code), assessment.target,
            _fitting_resources(framework, item, assessment.levels.get(item.code), target_rank))
        for item in framework.items
        if rank(framework, assessment.levels.get(item.code)) < target_rank
    )
    return Diagnostic(framework.id, assessment, gaps, _ready(framework, assessment, gaps),
                      assessed_entry_level(framework, assessment))


def _fitting_resources(framework: Framework, item: Item, current: str | None,
                       target_rank: int) -> tuple[Resource, ...]:
    """Resources above the current level and up to the target; unlevelled ones always fit.

    A resource's level is checked against the scale when the framework is read
    (core/frameworks.py), so a level off the scale never reaches here as "fits everyone"."""
    current_rank = rank(framework, current)

    def fits(resource: Resource) -> bool:
        return not resource.level or current_rank < rank(framework, resource.level) <= target_rank

    return tuple(r for r in item.resources if fits(r))


def _ready(framework: Framework, assessment: SelfAssessment, gaps: Sequence[Gap]) -> bool:
    """Would the framework's rule be met if the self-assessment were confirmed?"""
    if items_required(framework.rule) is not None:  # a count of items: would the count be met?
        gap_codes = {g.item.code for g in gaps}
        confirmed = [Validation(framework.id, code, "self", assessment.date)
                     for code in assessment.levels if code not in gap_codes]
        return decide(framework, confirmed).met
    # Level rules and positioning frameworks: every item must reach the target.
    # A rule reading the portfolio's own level (CRCNÉ's jury) needs levels self-assessed.
    return not gaps and (not portfolio_inputs(framework.rule) or bool(assessment.levels))


def assessed_entry_level(framework: Framework, assessment: SelfAssessment) -> str | None:
    """The lowest level over the whole framework, once every item is assessed (else None)."""
    if not framework.levels or len(assessment.levels) < len(framework.items):
        return None
    return min(assessment.levels.values(), key=framework.level_rank)


def progress(framework: Framework, assessments: Sequence[SelfAssessment]) -> list[tuple[SelfAssessment, int]]:
    """For each dated self-assessment, how many items reached its target: progress over time."""
    return [(a, len(framework.items) - len(diagnose(framework, a).gaps)) for a in assessments]
