"""The programme's steering figures: who is certified, who is stuck, where work waits.

The people who run a certification read figures: candidates and certified per framework
and level, the gap between the level at entry and the level reached, the items most
often missing, candidates one or two items short of the rule, pending requests per
evaluator and their age, validations over time, candidates with no recent activity, and
the same broken down by institution unit. Everything is computed here, once, as plain
values that the JSON, the CSV and the HTML dashboard all render.

Pure functions of model values (candidates, frameworks, trusted validations, registry):
"today" is passed in, so that every figure is reproducible in a test.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping, Sequence

from ..core.model import Candidate, Framework, Item, Validation, title_in
from ..core.registry import Registry
from ..core.rules import items_required
from .awards import Award, certification
from .rules import Decision
from .workflow import PendingItem, candidate_decision, decided_report, entry_level, pending_items

# Age buckets of pending requests, in days: what waits less than two weeks, up to a
# month, and longer (the evaluator's backlog worth a reminder).
AGE_BUCKETS = ((14, "under_2_weeks"), (31, "2_weeks_to_1_month"), (None, "over_1_month"))
CLOSE_TO_RULE = 2  # a candidate "close to the rule" is at most this many items short
TOP_MISSING = 10


@dataclass(frozen=True)
class Filters:
    """What a steering view keeps; an empty field keeps everything."""

    framework: str = ""
    phase: str = ""
    role: str = ""
    unit: str = ""

    def keeps_candidate(self, candidate: Candidate) -> bool:
        return (not self.role or candidate.role == self.role) and (not self.unit or candidate.unit == self.unit)

    def keeps_framework(self, framework: Framework) -> bool:
        if self.framework and framework.id != self.framework:
            return False
        return not self.phase or any(p.code == self.phase for p in framework.phases)

    def keeps_item(self, item: Item) -> bool:
        return not self.phase or item.phase == self.phase

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class _Pursuit:
    """One candidate's standing on one framework, decided once for every figure."""

    candidate: Candidate
    framework: Framework
    decision: Decision
    entry_level: str
    # What certifies the candidate (awards.certification): the current, valid certificate,
    # or, for a framework certified outside the portfolio, its signed result (kind RESULT).
    certificate: Award | None = None

    @property
    def certified(self) -> bool:
        return self.certificate is not None

    @property
    def level(self) -> str:
        """The certified level ('' when not certified, or a framework without levels)."""
        return self.certificate.level if self.certificate is not None else ""


@dataclass
class SteeringFigures:
    filters: Filters
    today: dt.date
    inactive_weeks: int
    candidates: int = 0
    frameworks: dict = field(default_factory=dict)
    level_progress: dict = field(default_factory=dict)
    missing_items: dict = field(default_factory=dict)
    close_to_rule: list = field(default_factory=list)
    pending: list | None = None  # None: no registry, so no evaluator is known
    validations_by_month: list = field(default_factory=list)
    inactive: list = field(default_factory=list)
    units: list = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["filters"] = self.filters.as_dict()
        data["today"] = self.today.isoformat()
        return data


@dataclass(frozen=True)
class Cohort:
    """Every candidate's decision on every framework they pursue, and the work waiting for
    evaluators, computed once: each filtered view of the dashboard only selects from it."""

    pursuits: tuple[_Pursuit, ...]
    validations: Mapping[str, Sequence[Validation]]
    pending: tuple[PendingItem, ...] | None  # None without a registry
    registry: Registry | None


def assess_cohort(candidates: Iterable[Candidate], frameworks: Mapping[str, Framework],
                  validations: Mapping[str, Sequence[Validation]], registry: Registry | None,
                  awards: Mapping[str, Sequence[Award]] | None = None) -> Cohort:
    """Each candidate's standing on each framework they pursue: the rule's verdict on their
    validations (ready or not, what is missing), and the current certificate they hold
    among `awards` (per candidate): certified means holding one, never the rule's verdict
    (a jury may certify against it, or not yet have sat; issue 29), except for a framework
    certified outside the portfolio, where the signed result meeting the rule certifies
    (`awards.certification`; the candidates' results are taken as counted)."""
    candidates = list(candidates)
    awards = awards or {}
    pursuits = []
    for candidate in candidates:
        for pursuit in candidate.frameworks:
            framework = frameworks.get(pursuit.framework)
            if framework is not None:
                decision = candidate_decision(candidate, framework, validations.get(candidate.slug, ()))
                pursuits.append(_Pursuit(candidate, framework, decision, entry_level(candidate, framework),
                                         certification(awards.get(candidate.slug, ()), framework, decision,
                                                       candidate.results)))
    pending = tuple(pending_items(registry, candidates, validations)) if registry is not None else None
    return Cohort(tuple(pursuits), validations, pending, registry)


def cohort_report_of(cohort: Cohort, candidates: int) -> dict:
    """`decisions.workflow.cohort_report` of a cohort already assessed, without deciding
    every candidate again (`report` shows both, and that was a tenth of it)."""
    return decided_report(candidates, [(p.candidate, p.framework, p.decision, p.entry_level, p.certificate)
                                       for p in cohort.pursuits], cohort.pending, cohort.registry)


def split_cohort(cohort: Cohort, dimension: str) -> dict[str, Cohort]:
    """The cohort cut along one filter dimension in a single pass, so that a dashboard with
    a page per unit (148 GENIE centres) does not rescan 25,000 candidates per page."""
    def values(p: _Pursuit) -> tuple[str, ...]:
        if dimension == "framework":
            return (p.framework.id,)
        if dimension == "phase":
            return tuple(phase.code for phase in p.framework.phases)
        return (getattr(p.candidate, dimension),)

    groups: dict[str, list[_Pursuit]] = defaultdict(list)
    for p in cohort.pursuits:
        for value in values(p):
            groups[value].append(p)
    waiting: dict[str, list[PendingItem]] = defaultdict(list)
    for pending in cohort.pending or ():
        waiting[pending.candidate].append(pending)
    parts = {}
    for value, pursuits in groups.items():
        slugs = dict.fromkeys(p.candidate.slug for p in pursuits)
        pending = None if cohort.pending is None else tuple(x for slug in slugs for x in waiting[slug])
        parts[value] = Cohort(tuple(pursuits), cohort.validations, pending, cohort.registry)
    return parts


def steering_figures(candidates: Iterable[Candidate], frameworks: Mapping[str, Framework],
                     validations: Mapping[str, Sequence[Validation]], registry: Registry | None, *,
                     today: dt.date, filters: Filters = Filters(), inactive_weeks: int = 8,
                     awards: Mapping[str, Sequence[Award]] | None = None) -> SteeringFigures:
    """Every figure of the dashboard for the candidates and frameworks the filters keep."""
    cohort = assess_cohort(candidates, frameworks, validations, registry, awards)
    return cohort_figures(cohort, frameworks, today=today, filters=filters, inactive_weeks=inactive_weeks)


def cohort_figures(cohort: Cohort, frameworks: Mapping[str, Framework], *, today: dt.date,
                   filters: Filters = Filters(), inactive_weeks: int = 8) -> SteeringFigures:
    """The figures of one filtered view of an assessed cohort."""
    pursuits = [p for p in cohort.pursuits
                if filters.keeps_candidate(p.candidate) and filters.keeps_framework(p.framework)]
    validations = cohort.validations
    figures = SteeringFigures(filters, today, inactive_weeks, candidates=len({p.candidate.slug for p in pursuits}))
    figures.frameworks = _per_framework(pursuits)
    figures.level_progress = _level_progress(pursuits)
    figures.missing_items = _missing_items(pursuits, filters)
    figures.close_to_rule = _close_to_rule(pursuits)
    if cohort.pending is not None:
        kept = {p.candidate.slug for p in pursuits}
        figures.pending = _pending(cohort.registry, [p for p in cohort.pending if p.candidate in kept],
                                   frameworks, filters, today)
    figures.validations_by_month = _validations_by_month(pursuits, validations, filters)
    figures.inactive = _inactive(pursuits, validations, today, inactive_weeks)
    figures.units = _units(pursuits)
    return figures


def _per_framework(pursuits: Sequence[_Pursuit]) -> dict:
    summary: dict[str, dict] = {}
    for framework_id, group in _by_framework(pursuits).items():
        framework = group[0].framework
        levels = Counter(p.level for p in group if p.level)
        summary[framework_id] = {
            # title_en kept for the readers of the figures' JSON written before titles
            "title": framework.title, "title_en": title_in(framework, "en"), "titles": dict(framework.titles),
            "candidates": len(group), "certified": sum(p.certified for p in group),
            # Rule met, no certificate yet: what the next session has to decide.
            "ready": sum(p.decision.met and not p.certified for p in group),
            "has_rule": framework.rule is not None,
            "certified_by_level": [[level.code, levels[level.code]] for level in framework.levels],
        }
    return summary


def _level_progress(pursuits: Sequence[_Pursuit]) -> dict:
    """For level frameworks: how many certified candidates went from each entry level to
    each level reached, and the distribution of the gain in levels."""
    progress = {}
    for framework_id, group in _by_framework(pursuits).items():
        framework = group[0].framework
        if not framework.levels:
            continue
        pairs = Counter((p.entry_level, p.level) for p in group if p.level and p.entry_level)
        gains = Counter(framework.level_rank(reached) - framework.level_rank(entry) for entry, reached in pairs.elements())
        progress[framework_id] = {
            "pairs": [{"entry": entry, "reached": reached, "count": pairs[entry, reached]}
                      for entry in (lv.code for lv in framework.levels)
                      for reached in (lv.code for lv in framework.levels) if pairs[entry, reached]],
            "gains": [[gain, gains[gain]] for gain in sorted(gains)],
            "without_entry_level": sum(1 for p in group if p.level and not p.entry_level),
        }
    return progress


def _missing_items(pursuits: Sequence[_Pursuit], filters: Filters) -> dict:
    missing = {}
    for framework_id, group in _by_framework(pursuits).items():
        framework = group[0].framework
        counts = Counter(item.code for p in group if not p.certified for item in framework.items
                         if filters.keeps_item(item) and item.code not in p.decision.validated)
        # Most often missing first; framework order breaks ties, so the list is stable.
        order = {item.code: index for index, item in enumerate(framework.items)}
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], order[pair[0]]))
        missing[framework_id] = [[code, count] for code, count in ranked[:TOP_MISSING]]
    return missing


def items_short(framework: Framework, decision: Decision) -> int | None:
    """How many more validated items a count rule needs: the mandatory items still missing,
    and enough others to reach the minimum. None for rules that are not a count."""
    minimum = items_required(framework.rule)
    if minimum is None:
        return None
    if decision.met:
        return 0
    return max(len(decision.missing_mandatory), minimum - len(decision.validated))


def _close_to_rule(pursuits: Sequence[_Pursuit]) -> list[dict]:
    close = []
    for p in pursuits:
        short = None if p.certified else items_short(p.framework, p.decision)
        if short and short <= CLOSE_TO_RULE:
            close.append({"candidate": p.candidate.slug, "name": p.candidate.name, "unit": p.candidate.unit,
                          "framework": p.framework.id, "short": short, "validated": len(p.decision.validated),
                          "missing_mandatory": list(p.decision.missing_mandatory)})
    return sorted(close, key=lambda row: (row["short"], row["framework"], row["candidate"]))


def _age_bucket(days: int) -> str:
    return next(name for limit, name in AGE_BUCKETS if limit is None or days < limit)


def _pending(registry: Registry, waiting: Sequence[PendingItem], frameworks: Mapping[str, Framework],
             filters: Filters, today: dt.date) -> list[dict]:
    by_evaluator: dict[str, list[PendingItem]] = defaultdict(list)
    for pending in waiting:
        if _keeps_ref(pending.item, frameworks, filters):
            by_evaluator[pending.request.evaluator].append(pending)
    rows = []
    for evaluator in registry.evaluators:
        waiting = by_evaluator.get(evaluator.id, [])
        if not waiting:
            continue  # no backlog: 200 evaluators with nothing waiting would bury those who have one
        ages = [(today - p.request.date).days for p in waiting]
        buckets = Counter(_age_bucket(age) for age in ages)
        rows.append({"evaluator": evaluator.id, "name": evaluator.name, "items": len(waiting),
                     "candidates": len({p.candidate for p in waiting}), "oldest_days": max(ages, default=None),
                     "by_age": {name: buckets[name] for _, name in AGE_BUCKETS}})
    return sorted(rows, key=lambda row: (-row["items"], row["evaluator"]))


def _keeps_ref(ref: str, frameworks: Mapping[str, Framework], filters: Filters) -> bool:
    framework_id, _, code = ref.partition(":")
    framework = frameworks.get(framework_id)
    if framework is None or not filters.keeps_framework(framework):
        return False
    item = framework.item_by_code.get(code)
    return item is not None and filters.keeps_item(item)


def _validations_by_month(pursuits: Sequence[_Pursuit], validations: Mapping[str, Sequence[Validation]],
                          filters: Filters) -> list[list]:
    months: Counter = Counter()
    kept_codes: dict[str, frozenset[str]] = {}
    for p in pursuits:
        framework = p.framework
        if framework.id not in kept_codes:
            kept_codes[framework.id] = frozenset(i.code for i in framework.items if filters.keeps_item(i))
        codes = kept_codes[framework.id]
        months.update((v.date.year, v.date.month) for v in validations.get(p.candidate.slug, ())
                      if v.framework == framework.id and v.item in codes and v.accepted)
    labels = {f"{year:04d}-{month:02d}": months[year, month] for year, month in months}
    return [[month, labels.get(month, 0)] for month in _month_range(sorted(labels))]


def _month_range(months: list[str]) -> list[str]:
    """Every month from the first to the last, so that a quiet month shows as zero."""
    if not months:
        return []
    year, month = map(int, months[0].split("-"))
    last = tuple(map(int, months[-1].split("-")))
    found = []
    while (year, month) <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def last_activity(candidate: Candidate, validations: Sequence[Validation]) -> dt.date | None:
    """The latest dated thing in a portfolio: entry, self-assessment, request, decision, result."""
    dates = [e.date for e in candidate.entries] + [a.date for a in candidate.self_assessments]
    dates += [r.date for r in candidate.requests] + [r.date for r in candidate.refusals]
    dates += [r.date for r in candidate.results] + [v.date for v in validations]
    return max(dates, default=None)


def _inactive(pursuits: Sequence[_Pursuit], validations: Mapping[str, Sequence[Validation]],
              today: dt.date, weeks: int) -> list[dict]:
    """Candidates not yet certified everywhere they are kept, quiet for `weeks` weeks or more."""
    open_work: dict[str, Candidate] = {}
    for p in pursuits:
        if not p.certified:
            open_work[p.candidate.slug] = p.candidate
    rows = []
    for slug, candidate in sorted(open_work.items()):
        last = last_activity(candidate, validations.get(slug, ()))
        idle = (today - last).days // 7 if last else None
        if idle is None or idle >= weeks:
            rows.append({"candidate": slug, "name": candidate.name, "unit": candidate.unit,
                         "last_activity": last.isoformat() if last else None, "weeks": idle})
    return sorted(rows, key=lambda row: (-(row["weeks"] if row["weeks"] is not None else 10**6), row["candidate"]))


def _units(pursuits: Sequence[_Pursuit]) -> list[dict]:
    groups: dict[tuple[str, str], list[_Pursuit]] = defaultdict(list)
    for p in pursuits:
        groups[p.candidate.unit, p.framework.id].append(p)
    return [{"unit": unit, "framework": framework_id, "candidates": len(group),
             "certified": sum(p.certified for p in group)}
            for (unit, framework_id), group in sorted(groups.items())]


def _by_framework(pursuits: Sequence[_Pursuit]) -> dict[str, list[_Pursuit]]:
    groups: dict[str, list[_Pursuit]] = defaultdict(list)
    for p in pursuits:
        groups[p.framework.id].append(p)
    return dict(sorted(groups.items()))


def figure_rows(figures: SteeringFigures) -> list[dict]:
    """The figures as one long table (figure, framework, key, value), for CSV."""
    rows: list[dict] = []

    def add(figure: str, framework: str, key: object, value: object) -> None:
        rows.append({"figure": figure, "framework": framework, "key": key, "value": value})

    for framework_id, summary in figures.frameworks.items():
        add("candidates", framework_id, "", summary["candidates"])
        add("certified", framework_id, "", summary["certified"])
        for level, count in summary["certified_by_level"]:
            add("certified_by_level", framework_id, level, count)
    for framework_id, progress in figures.level_progress.items():
        for pair in progress["pairs"]:
            add("entry_to_reached", framework_id, f"{pair['entry']}->{pair['reached']}", pair["count"])
        for gain, count in progress["gains"]:
            add("level_gain", framework_id, gain, count)
    for framework_id, items in figures.missing_items.items():
        for code, count in items:
            add("missing_item", framework_id, code, count)
    for row in figures.close_to_rule:
        add("close_to_rule", row["framework"], row["candidate"], row["short"])
    for row in figures.pending or ():
        add("pending_items", "", row["evaluator"], row["items"])
        add("pending_oldest_days", "", row["evaluator"], row["oldest_days"])
    for month, count in figures.validations_by_month:
        add("validations", "", month, count)
    for row in figures.inactive:
        add("inactive_weeks", "", row["candidate"], row["weeks"])
    for row in figures.units:
        add("unit_candidates", row["framework"], row["unit"], row["candidates"])
        add("unit_certified", row["framework"], row["unit"], row["certified"])
    return rows
