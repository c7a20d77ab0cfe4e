"""Certification rules: one class per kind, behind one protocol and one lookup table.

A framework file names its rule's `kind`; `RULES` maps each kind to the class that reads
it (`from_data`), checks it against its framework (`problems`) and decides on what a
candidate has (`decide`). Nothing else switches on a rule's kind, so a new programme's
rule is one class added here and its shape added to the framework schema (issue 29,
after Pelican's readers keyed by file extension).

Pure arithmetic over values: nothing here reads a file, signs or renders; a rule only
says itself in words (`describe`, the French sentence credentials carry). A rule reads of
its framework only what `Scale` names, so this module needs nothing of the model. What the
steering figures, the commission's session, the diagnostic and the credentials ask of a
rule is asked through this protocol (`items_required`, `inputs`, `describe`), never by
testing its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Protocol, Sequence

INPUT_LEVELS = Mapping[str, "str | None"]


class Scale(Protocol):
    """What a rule reads of its framework."""

    id: str

    @property
    def levels(self) -> Sequence[Any]: ...

    @property
    def items(self) -> Sequence[Any]: ...

    def level_rank(self, code: str) -> int: ...


@dataclass(frozen=True)
class Decision:
    """What a framework's rule says about a candidate's validated items and levels."""

    framework: str
    has_rule: bool
    met: bool
    validated: tuple[str, ...]  # item codes, in framework order
    missing_mandatory: tuple[str, ...] = ()
    required: int = 0
    level: str = ""  # certified level, for level rules
    input_levels: Mapping[str, str | None] | None = None
    missing_inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleInput:
    """A level a rule reads: the portfolio's own evaluation, or an external result
    (`external`: entered by staff, signed, never read from the portfolio)."""

    id: str
    title: str
    external: bool = False


@dataclass(frozen=True)
class RuleProblem:
    """What is wrong with a rule for its framework: a problem key and its parameters."""

    key: str
    params: Mapping[str, object]


class Rule(Protocol):
    """The contract of every rule kind.

    `kind` is the name framework files give it. `inputs` are the levels it reads, in the
    order they are shown; the external ones are filled by signed results (`result`,
    `import-results`). `decide` takes the items taken as validated (`codes`, in framework
    order) and each input's level, and never reads a file or a date. `items_required` is
    the number of validated items a rule counts (None when it reads levels, not a count),
    which the steering figures and the session's reasons say is still short; `describe`
    is the rule in words, in French, as the credentials state it."""

    kind: ClassVar[str]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], framework_id: str) -> Rule: ...

    @property
    def inputs(self) -> tuple[RuleInput, ...]: ...

    def problems(self, framework: Scale) -> list[RuleProblem]: ...

    def decide(self, framework: Scale, codes: tuple[str, ...], input_levels: INPUT_LEVELS) -> Decision: ...

    @property
    def items_required(self) -> int | None: ...

    def describe(self, framework: Scale) -> str: ...


@dataclass(frozen=True)
class MinItemsRule:
    """Certified when at least `minimum` items are validated, every mandatory one included (C2i2e)."""

    minimum: int
    kind: ClassVar[str] = "min_items"

    @classmethod
    def from_data(cls, data: Mapping[str, Any], framework_id: str) -> MinItemsRule:
        return cls(minimum=int(data["min"]))

    @property
    def inputs(self) -> tuple[RuleInput, ...]:
        return ()

    def problems(self, framework: Scale) -> list[RuleProblem]:
        if self.minimum > len(framework.items):
            return [RuleProblem("framework.rule_impossible", {"min": self.minimum, "count": len(framework.items)})]
        return []

    def decide(self, framework: Scale, codes: tuple[str, ...], input_levels: INPUT_LEVELS) -> Decision:
        best = set(codes)
        missing = tuple(item.code for item in framework.items if item.mandatory and item.code not in best)
        met = len(codes) >= self.minimum and not missing
        return Decision(framework.id, True, met, codes, missing, self.minimum)

    @property
    def items_required(self) -> int | None:
        return self.minimum

    def describe(self, framework: Scale) -> str:
        return f"{self.minimum} items validés sur {len(framework.items)}, dont tous les items obligatoires."


def _levelled_problems(kind: str, framework: Scale) -> list[RuleProblem]:
    return [] if framework.levels else [RuleProblem("framework.rule_without_levels", {"kind": kind})]


def _levels_decision(framework: Scale, codes: tuple[str, ...], inputs: tuple[RuleInput, ...],
                     input_levels: INPUT_LEVELS) -> Decision:
    """The highest level every input recognises (the lowest of theirs), or which are missing."""
    levels = {i.id: input_levels.get(i.id) or None for i in inputs}
    missing = tuple(input_id for input_id, level in levels.items() if level is None)
    if missing:
        return Decision(framework.id, True, False, codes, input_levels=levels, missing_inputs=missing)
    joint = min(levels.values(), key=framework.level_rank)  # type: ignore[arg-type]  # none is None here
    return Decision(framework.id, True, True, codes, level=joint, input_levels=levels)


def _levels_text(inputs: tuple[RuleInput, ...]) -> str:
    return f"Niveau le plus élevé reconnu conjointement par : {' et '.join(i.title for i in inputs)}."


@dataclass(frozen=True)
class JointLevelRule:
    """The certified level is the highest level recognised by every input: the lowest of
    theirs (CRCNÉ: the teachers' or jury's evaluation and the Pix+Édu session)."""

    inputs: tuple[RuleInput, ...]
    kind: ClassVar[str] = "joint_level"

    @classmethod
    def from_data(cls, data: Mapping[str, Any], framework_id: str) -> JointLevelRule:
        return cls(tuple(RuleInput(str(i["id"]), str(i["title"]), bool(i.get("external")))
                         for i in data["inputs"]))

    def problems(self, framework: Scale) -> list[RuleProblem]:
        return _levelled_problems(self.kind, framework)

    def decide(self, framework: Scale, codes: tuple[str, ...], input_levels: INPUT_LEVELS) -> Decision:
        return _levels_decision(framework, codes, self.inputs, input_levels)

    items_required = None  # a level rule: it counts no items

    def describe(self, framework: Scale) -> str:
        return _levels_text(self.inputs)


@dataclass(frozen=True)
class ExternalRule:
    """Certified outside the portfolio, at the level of the latest signed result (Pix+Édu:
    an automated session, levels 1 to 4). The one input is named after the framework, so
    a level rule of another framework can read the same results (CRCNÉ's `pix-edu`)."""

    input: RuleInput
    kind: ClassVar[str] = "external"

    @classmethod
    def from_data(cls, data: Mapping[str, Any], framework_id: str) -> ExternalRule:
        return cls(RuleInput(framework_id, str(data.get("title") or framework_id), external=True))

    @property
    def inputs(self) -> tuple[RuleInput, ...]:
        return (self.input,)

    def problems(self, framework: Scale) -> list[RuleProblem]:
        return _levelled_problems(self.kind, framework)

    def decide(self, framework: Scale, codes: tuple[str, ...], input_levels: INPUT_LEVELS) -> Decision:
        return _levels_decision(framework, codes, self.inputs, input_levels)

    items_required = None  # a level rule: it counts no items

    def describe(self, framework: Scale) -> str:
        return _levels_text(self.inputs)


# The lookup table: a framework file's `rule.kind` -> the class that reads it.
RULES: Mapping[str, type[Rule]] = {rule.kind: rule for rule in (MinItemsRule, JointLevelRule, ExternalRule)}


def rule_from_data(data: Mapping[str, Any] | None, framework_id: str) -> Rule | None:
    """The rule a framework file's `rule:` describes (its shape already checked by the schema)."""
    if data is None:
        return None
    return RULES[data["kind"]].from_data(data, framework_id)


def external_inputs(rule: Rule | None) -> tuple[str, ...]:
    """The inputs of `rule` that signed external results fill."""
    return tuple(i.id for i in rule.inputs if i.external) if rule is not None else ()


def portfolio_inputs(rule: Rule | None) -> tuple[str, ...]:
    """The inputs of `rule` the portfolio's own evaluation fills (CRCNÉ's jury level)."""
    return tuple(i.id for i in rule.inputs if not i.external) if rule is not None else ()


def items_required(rule: Rule | None) -> int | None:
    """How many validated items `rule` counts, or None (no rule, or a level rule)."""
    return rule.items_required if rule is not None else None


def certified_outside(rule: Rule | None) -> bool:
    """Whether a framework with `rule` is certified outside the portfolio: every input of
    its rule is an external result (Pix+Édu's automated session). The commission signs
    nothing for it; its signed result, meeting the rule, is what certifies (issue 29)."""
    return rule is not None and bool(rule.inputs) and all(i.external for i in rule.inputs)
