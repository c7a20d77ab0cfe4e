"""The institution's registry of evaluators: who may validate which framework, and when.

This module holds the trust rules as plain logic over the registry's content. The
registry travels as a credential signed by the institution (credentials/), so that an
employer can check it; here it is only data, read from `evaluators.yml` or from the
verified credential's subject.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from . import schemas
from .model import Framework
from .problems import InputError, Problem
from .yamlfile import load_mapping

REGISTRY_FILE = "evaluators.yml"


@dataclass(frozen=True)
class Authorization:
    """May validate `framework` (optionally only some phases or mentions) between two dates."""

    framework: str
    valid_from: dt.date
    valid_until: dt.date | None = None
    phases: tuple[str, ...] = ()
    mentions: tuple[int, ...] = ()
    role: str = ""  # one of ROLES: the part this grant plays in the programme's process


# The parts the C2i2e process gives its trainers (seed 003): the correspondant regulates and
# accompanies the courses, the module lead and the placement tutor are resource persons, and
# the referents may be chosen to validate items on the portfolios.
CORRESPONDANT, MODULE_LEAD, PLACEMENT_TUTOR, REFERENT = "correspondant", "responsable-module", "tuteur-stage", "referent"
ROLES = (CORRESPONDANT, MODULE_LEAD, PLACEMENT_TUTOR, REFERENT)


@dataclass(frozen=True)
class Evaluator:
    id: str
    name: str
    keys: tuple[str, ...]  # did:key identifiers
    authorizations: tuple[Authorization, ...]
    role: str = ""
    candidate: str = ""  # this person's own portfolio, never theirs to validate
    # (salt, identityHash) of that candidate's e-mail, as the signed registry carries it:
    # a verifier binds a site to a person by e-mail, never by a slug the site chooses.
    candidate_identity: tuple[str, str] = ()


@dataclass(frozen=True)
class Registry:
    evaluators: tuple[Evaluator, ...]

    def by_id(self, evaluator_id: str) -> Evaluator | None:
        return next((e for e in self.evaluators if e.id == evaluator_id), None)

    def by_key(self, did: str) -> Evaluator | None:
        """The evaluator holding a key; did:key ids and their `#fragment` method ids both match."""
        bare = did.split("#", 1)[0]
        return next((e for e in self.evaluators if bare in e.keys), None)


def untrusted_reason(registry: Registry, signer: str, candidate: str, framework: Framework,
                     item_phase: str, mention: int | None, signed_on: dt.date) -> str | None:
    """Why a validation signed by `signer` must not be trusted, or None if it may be.

    Reasons are stable keys (translated by the caller): the point is that a validation
    from outside the registry is reported as untrusted, never silently counted.
    """
    evaluator = registry.by_key(signer)
    if evaluator is None:
        return "trust.unregistered"
    return grant_reason(evaluator, candidate, framework, item_phase, mention, signed_on)


def grant_reason(evaluator: Evaluator, candidate: str, framework: Framework, item_phase: str,
                 mention: int | None, on: dt.date) -> str | None:
    """Why `evaluator`'s grants do not let them evaluate this candidate's item on `on`
    (a `trust.*` key), or None. The same rule judges a signed validation and a request."""
    if evaluator.candidate and evaluator.candidate == candidate:
        return "trust.self_validation"
    grants = [a for a in evaluator.authorizations if a.framework == framework.id]
    if not grants:
        return "trust.other_framework"
    in_period = current_grants(evaluator, framework.id, on)
    if not in_period:
        return "trust.out_of_period"
    if item_phase and not any(not a.phases or item_phase in a.phases for a in in_period):
        return "trust.other_phase"
    if mention is not None and not any(not a.mentions or mention in a.mentions for a in in_period):
        return "trust.other_mention"
    return None


def current_grants(evaluator: Evaluator, framework_id: str, on: dt.date) -> list[Authorization]:
    """The evaluator's grants for a framework that hold on a date."""
    return [a for a in evaluator.authorizations if a.framework == framework_id and a.valid_from <= on
            and (a.valid_until is None or on <= a.valid_until)]


def has_role(evaluator: Evaluator, framework_id: str, role: str, on: dt.date) -> bool:
    return any(a.role == role for a in current_grants(evaluator, framework_id, on))


def registry_from_data(data: Mapping) -> Registry:
    """Build a registry from its JSON/YAML form (the same in evaluators.yml and in the credential)."""
    return Registry(tuple(
        Evaluator(e["id"], e["name"], tuple(e["keys"]), tuple(
            Authorization(a["id"], dt.date.fromisoformat(str(a["from"])),
                          dt.date.fromisoformat(str(a["until"])) if a.get("until") else None,
                          tuple(a.get("phases", [])), tuple(a.get("mentions", [])), a.get("role", ""))
            for a in e["frameworks"]), e.get("role", ""), e.get("candidate", ""), _identity(e))
        for e in data["evaluators"]))


def _identity(evaluator: Mapping) -> tuple[str, str]:
    identity = evaluator.get("candidateIdentity")
    if identity is None:
        return ()
    return str(identity["salt"]), str(identity["identityHash"])


def registry_to_data(registry: Registry) -> dict:
    def authorization(a: Authorization) -> dict:
        data = {"id": a.framework, "from": a.valid_from.isoformat()}
        if a.valid_until:
            data["until"] = a.valid_until.isoformat()
        if a.phases:
            data["phases"] = list(a.phases)
        if a.mentions:
            data["mentions"] = list(a.mentions)
        if a.role:
            data["role"] = a.role
        return data

    def evaluator(e: Evaluator) -> dict:
        data = {"id": e.id, "name": e.name, "keys": list(e.keys),
                "frameworks": [authorization(a) for a in e.authorizations]}
        if e.role:
            data["role"] = e.role
        if e.candidate:
            data["candidate"] = e.candidate
        if e.candidate_identity:
            data["candidateIdentity"] = {"salt": e.candidate_identity[0], "identityHash": e.candidate_identity[1]}
        return data

    return {"evaluators": [evaluator(e) for e in registry.evaluators]}


def load_registry(root: Path, frameworks: Mapping[str, Framework]) -> Registry:
    """Read and check `evaluators.yml`; raises InputError with every problem."""
    path = root / REGISTRY_FILE
    data = load_mapping(path)
    problems = schemas.validate("registry", data, path)
    if problems:
        raise InputError(problems)
    problems = list(_consistency_problems(data, path, frameworks))
    if problems:
        raise InputError(problems)
    return registry_from_data(data)


def _consistency_problems(data, path: Path, frameworks: Mapping[str, Framework]) -> Iterable[Problem]:
    seen_ids: set[str] = set()
    seen_keys: dict[str, str] = {}
    for index, evaluator in enumerate(data["evaluators"]):
        line = data["evaluators"].line_of(index)
        if evaluator["id"] in seen_ids:
            yield Problem("registry.duplicate_id", path, line, {"id": evaluator["id"]})
        seen_ids.add(evaluator["id"])
        for key in evaluator["keys"]:
            if key in seen_keys and seen_keys[key] != evaluator["id"]:
                yield Problem("registry.shared_key", path, line, {"key": key, "other": seen_keys[key]})
            seen_keys[key] = evaluator["id"]
        for position, grant in enumerate(evaluator["frameworks"]):
            if grant["id"] not in frameworks:
                yield Problem("framework.unknown", path, evaluator["frameworks"].line_of(position),
                              {"id": grant["id"], "suggestions": ", ".join(sorted(frameworks))})
