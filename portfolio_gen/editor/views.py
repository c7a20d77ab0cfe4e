"""What the editor's pages show, as values: a candidate's frameworks as trees with each
item's standing, their entries, the evaluators they may ask, and the decisions taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..core.model import Candidate, Entry, Framework, Item, Validation, title_in
from ..core.registry import Registry
from ..core.workspace import Workspace
from ..decisions.requests import request_problems
from ..decisions.workflow import request_states, standing_refusals


@dataclass(frozen=True)
class ItemView:
    ref: str
    item: Item
    title: str
    state: str  # "" | "validated" | "refused" | "waiting"
    comment: str = ""


@dataclass(frozen=True)
class DomainView:
    code: str
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class FrameworkView:
    framework: Framework
    title: str
    mention: int | None
    domains: tuple[DomainView, ...]


def standings(candidate: Candidate, validations: Sequence[Validation]) -> dict[str, tuple[str, str]]:
    """Item ref -> (state, evaluator's comment): validated wins, then a standing refusal,
    then a request waiting."""
    found: dict[str, tuple[str, str]] = {}
    for state in request_states(candidate, validations):
        if state.state == "waiting":
            found.setdefault(state.item, ("waiting", ""))
    for refusal in standing_refusals(candidate):
        found[f"{refusal.framework}:{refusal.item}"] = ("refused", refusal.comment)
    for validation in validations:
        if validation.accepted:
            found[f"{validation.framework}:{validation.item}"] = ("validated", "")
    return found


def framework_trees(candidate: Candidate, frameworks: Mapping[str, Framework], validations: Sequence[Validation],
                    language: str) -> list[FrameworkView]:
    marks = standings(candidate, validations)
    trees = []
    for pursuit in candidate.frameworks:
        framework = frameworks.get(pursuit.framework)
        if framework is None:
            continue
        domains = tuple(DomainView(d.code, title_in(d, language), tuple(
            ItemView(ref, i, title_in(i, language), *marks.get(ref, ("", "")))
            for i in d.items for ref in [f"{framework.id}:{i.code}"])) for d in framework.domains)
        trees.append(FrameworkView(framework, title_in(framework, language), pursuit.mention, domains))
    return trees


def authority(root: Path, workspace: Workspace) -> Registry:
    """The registry a request is checked against, as `request` checks it."""
    from ..institution.context import request_registry
    return request_registry(root, workspace.frameworks)


@dataclass(frozen=True)
class Offer:
    id: str
    name: str


def evaluators_for(registry: Registry, candidate: Candidate, entry: Entry, frameworks: Mapping[str, Framework],
                   on: dt.date) -> list[Offer]:
    """The evaluators the registry authorises, on `on`, for every item the entry claims
    (framework, phase, mention and who evaluates): the only ones the page offers."""
    items = [c.ref for c in entry.claims]
    if not items:
        return []
    return [Offer(e.id, e.name) for e in registry.evaluators
            if e.candidate != candidate.slug
            and not request_problems(registry, e.id, candidate, entry, frameworks, items, on)]


def validations_of(root: Path, workspace: Workspace, slug: str) -> list[Validation]:
    """The candidate's validations that count (verified, authorised by the signed registry)."""
    from ..institution.trust import candidate_validations
    return candidate_validations(root, workspace, trusted_only=True).get(slug, [])
