"""Jury sessions: the file that records who was examined and what the jury decided.

A session file (`sessions/<framework>-<date>.yml`) is prepared with every candidate
pursuing the framework, ready by its rule or not and why, then receives the jury's
decisions one by one. Once the institution signs its minutes the session is closed:
the minutes carry the whole file's content, so any later edit is detected.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from . import schemas
from .files import write_atomic
from .problems import InputError, Problem
from .yamlfile import load_mapping

SESSIONS_DIR = "sessions"
CERTIFICATE, ATTESTATION, POSTPONEMENT = "certificate", "attestation", "postponement"
# An appeal the jury rejects: the decision appealed against stands, nothing is issued.
APPEAL_DISMISSED = "appeal-dismissed"
OUTCOMES = (CERTIFICATE, ATTESTATION, POSTPONEMENT, APPEAL_DISMISSED)
APPEALS_FILE = "appeals.yml"  # in SESSIONS_DIR: appeals lodged, until a session takes them up
ITEMS_SHORT, MISSING_MANDATORY, MISSING_INPUT = "items_short", "missing_mandatory", "missing_input"


@dataclass(frozen=True)
class Reason:
    """Why a candidate is not ready: a code, and the count or names it is about."""

    code: str
    value: str | int


@dataclass(frozen=True)
class Standing:
    """A candidate as the session found them: ready by the framework's rule, or not and why."""

    candidate: str
    name: str
    ready: bool
    validated: int
    unit: str = ""
    level: str = ""
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class JuryDecision:
    candidate: str
    outcome: str
    date: dt.date
    level: str = ""
    comment: str = ""
    override: str = ""  # the jury's reason for certifying although the rule is not met
    credential: str = ""  # the issued credential's path, relative to the workspace
    appeal: str = ""  # the session whose decision this one decides an appeal against


@dataclass(frozen=True)
class Appeal:
    """A candidate's appeal (recours) against a session's decision, to be decided by a later session."""

    candidate: str
    session: str  # the session whose decision is appealed
    outcome: str  # the decision appealed against
    lodged: dt.date
    reason: str


@dataclass(frozen=True)
class Session:
    id: str
    framework: str
    date: dt.date
    prepared: dt.date
    candidates: tuple[Standing, ...]
    decisions: tuple[JuryDecision, ...] = ()
    path: Path | None = None
    appeals: tuple[Appeal, ...] = ()  # the appeals this session decides

    def appeal(self, slug: str) -> Appeal | None:
        return next((a for a in self.appeals if a.candidate == slug), None)

    def standing(self, slug: str) -> Standing | None:
        return next((s for s in self.candidates if s.candidate == slug), None)

    def decision(self, slug: str) -> JuryDecision | None:
        return next((d for d in self.decisions if d.candidate == slug), None)

    def with_decision(self, decision: JuryDecision) -> Session:
        return replace(self, decisions=self.decisions + (decision,))


def session_id(framework_id: str, date: dt.date) -> str:
    return f"{framework_id}-{date.isoformat()}"


def session_path(root: Path, identifier: str) -> Path:
    return root / SESSIONS_DIR / f"{identifier}.yml"


def session_to_data(session: Session) -> dict:
    """The session as plain JSON-compatible data: what is written, and what the minutes sign."""
    def standing(s: Standing) -> dict:
        data = {"candidate": s.candidate, "name": s.name, "unit": s.unit, "ready": s.ready,
                "validated": s.validated, "level": s.level,
                "reasons": [{"code": r.code, "value": r.value} for r in s.reasons]}
        return {k: v for k, v in data.items() if v not in ("", [])}

    def decision(d: JuryDecision) -> dict:
        data = {"candidate": d.candidate, "outcome": d.outcome, "date": d.date.isoformat(), "level": d.level,
                "comment": d.comment, "override": d.override, "credential": d.credential, "appeal": d.appeal}
        return {k: v for k, v in data.items() if v != ""}

    data = {"id": session.id, "framework": session.framework, "date": session.date.isoformat(),
            "prepared": session.prepared.isoformat(), "candidates": [standing(s) for s in session.candidates],
            "decisions": [decision(d) for d in session.decisions]}
    if session.appeals:  # absent when none: minutes signed before appeals existed still match
        data["appeals"] = [appeal_to_data(a) for a in session.appeals]
    return data


def appeal_to_data(appeal: Appeal) -> dict:
    return {"candidate": appeal.candidate, "session": appeal.session, "outcome": appeal.outcome,
            "lodged": appeal.lodged.isoformat(), "reason": appeal.reason}


def appeal_from_data(data: dict) -> Appeal:
    return Appeal(data["candidate"], data["session"], data["outcome"], dt.date.fromisoformat(data["lodged"]),
                  data["reason"])


def session_from_data(data: dict, path: Path | None = None) -> Session:
    """A session from data already checked against the session schema."""
    standings = tuple(Standing(s["candidate"], s["name"], s["ready"], s["validated"], s.get("unit", ""),
                               s.get("level", ""), tuple(Reason(r["code"], r["value"]) for r in s.get("reasons", ())))
                      for s in data["candidates"])
    decisions = tuple(JuryDecision(d["candidate"], d["outcome"], dt.date.fromisoformat(d["date"]), d.get("level", ""),
                                   d.get("comment", ""), d.get("override", ""), d.get("credential", ""),
                                   d.get("appeal", ""))
                      for d in data["decisions"])
    return Session(data["id"], data["framework"], dt.date.fromisoformat(data["date"]),
                   dt.date.fromisoformat(data["prepared"]), standings, decisions, path,
                   tuple(appeal_from_data(a) for a in data.get("appeals", ())))


def read_session(path: Path) -> Session:
    """Read a session file; every shape problem is raised with its line."""
    if not path.is_file():
        raise InputError([Problem("session.unknown", path, None, {"known": _known(path.parent)})])
    data = load_mapping(path)
    problems = schemas.validate("session", data, path)
    if problems:
        raise InputError(problems)
    return session_from_data(json.loads(json.dumps(data)), path)


def write_session(path: Path, session: Session, *, overwrite: bool = True) -> Path:
    header = "# Jury session prepared by `portfolio-gen session new`; decisions are added by `session decide`.\n"
    text = header + yaml.safe_dump(session_to_data(session), allow_unicode=True, sort_keys=False)
    write_atomic(path, text, overwrite=overwrite)
    return path


def appeals_path(root: Path) -> Path:
    return root / SESSIONS_DIR / APPEALS_FILE


def read_appeals(root: Path) -> list[Appeal]:
    """The appeals lodged (sessions/appeals.yml), oldest first; every shape problem located."""
    path = appeals_path(root)
    if not path.is_file():
        return []
    data = load_mapping(path)
    problems = schemas.validate("appeals", data, path)
    if problems:
        raise InputError(problems)
    return [appeal_from_data(a) for a in json.loads(json.dumps(data)).get("appeals", [])]


def write_appeals(root: Path, appeals: list[Appeal]) -> Path:
    path = appeals_path(root)
    header = "# Appeals lodged with `portfolio-gen session appeal`; a later session of the framework decides each.\n"
    write_atomic(path, header + yaml.safe_dump({"appeals": [appeal_to_data(a) for a in appeals]},
                                                allow_unicode=True, sort_keys=False))
    return path


def _known(folder: Path) -> str:
    names = sorted(p.stem for p in folder.glob("*.yml") if p.name != APPEALS_FILE) if folder.is_dir() else []
    return ", ".join(names) or "-"
