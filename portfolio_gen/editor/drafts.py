"""A form turned into a file, checked as `check` checks it, written only when it holds.

Each draft is written to a scratch file first and read back by the very functions `check`
uses (`core.portfolios`), so the page reports every problem `check` would report for that
file, in the page's language, beside the field it is about. Only a draft without errors
reaches the candidate's folder, atomically (`core.files.write_atomic`), the file it
replaces keeping its comments and key order (`documents`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import jinja2

from ..core.files import write_atomic
from ..core.model import Framework
from ..core.portfolios import (CANDIDATE_FILE, ENTRIES_DIR, SELF_ASSESSMENTS_DIR, read_candidate, read_entry,
                               slug_for)
from ..core.problems import Problem
from ..core.scaffold import entry_prompts
from . import documents
from .documents import EntryDocument, drop, mapping, sequence, set_value

# Problems said of a part of the form rather than of a line: by their key's first words.
_FIELD_OF_KEY = {"claim.": "claims", "evidence.": "evidence", "entry.no_trace": "evidence",
                 "entry.unknown_phase": "phase", "entry.unknown_activity": "activity",
                 "entry.activity_mismatch": "activity", "candidate.mention_required": "frameworks",
                 "request.not_trainer": "trainer", "request.trainer_missing": "trainer",
                 "candidate.mention_not_open": "frameworks",
                 "candidate.bad_mention": "frameworks", "framework.unknown": "frameworks",
                 "editor.upload": "evidence"}
GENERAL = "form"


@cache
def _scaffold() -> jinja2.Environment:
    """The scaffold's own templates (`new entry`, `new candidate`): the same comments."""
    folder = resources.files("portfolio_gen").joinpath("data/scaffold")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined, autoescape=False)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- entries ------------------------------------------------------------------------------

@dataclass
class EntryForm:
    """An entry as the page sends it: canonical values (the page shows them translated)."""

    title: str = ""
    date: str = ""
    situation: str = "professionnelle"
    # None: not on the page (no framework of the candidate has phases, activities, trainers):
    # the file keeps what it says.
    phase: str | None = ""
    activity: str | None = ""
    trainer: str | None = ""  # evaluator id, where a framework has the activity's trainer evaluate it (C2i2e)
    visibility: str = "draft"
    body: str = ""
    claims: list[str] = field(default_factory=list)
    justifications: dict[str, str] = field(default_factory=dict)
    removed_evidence: set[str] = field(default_factory=set)

    @classmethod
    def from_form(cls, form) -> "EntryForm":
        claims = list(dict.fromkeys(str(value) for value in form.getlist("claims")))
        return cls(title=str(form.get("title", "")).strip(), date=str(form.get("date", "")).strip(),
                   situation=str(form.get("situation", "")), phase=_optional(form, "phase"),
                   activity=_optional(form, "activity"), trainer=_optional(form, "trainer"),
                   visibility=str(form.get("visibility", "")),
                   body=str(form.get("body", "")).replace("\r\n", "\n"), claims=claims,
                   justifications={ref: str(form.get(f"justification:{ref}", "")).strip() for ref in claims},
                   removed_evidence={str(v) for v in form.getlist("remove_evidence")})


def _optional(form, name: str) -> str | None:
    value = form.get(name)
    return None if value is None else str(value)


def entry_file_name(form: EntryForm) -> str:
    """A new entry's file: its date and title, as `new entry` names it."""
    return f"{form.date}-{slug_for(form.title) or 'entry'}.md"


def entry_text(form: EntryForm, existing: str | None, language: str,
               added_evidence: Iterable[tuple[str, str]] = ()) -> str:
    """The entry file `form` describes: the existing file with these values, or the
    scaffold's. A claim keeps the level it had; evidence not removed stays, new files follow."""
    if existing is None:
        existing = _scaffold().get_template("entry.md.j2").render(
            title=_quoted(form.title or "-"), date=form.date or dt.date.today().isoformat(), claims=(),
            phase="", situation="professionnelle", **entry_prompts(language))  # values set below, comments kept
    document = EntryDocument.parse(existing)
    meta = document.meta
    meta["title"] = documents.text(form.title)
    meta["date"] = documents.date_value(form.date)
    meta["situation"] = form.situation
    for key, value, after in (("phase", form.phase, ("situation",)),
                              ("activity", form.activity, ("phase", "situation")),
                              ("trainer", form.trainer, ("activity", "phase", "situation"))):
        if value:
            set_value(meta, key, value, after=next((k for k in after if k in meta), None))
        elif value is not None:
            drop(meta, key)
    before = {}
    for raw in meta.get("claims") or []:
        ref = raw if isinstance(raw, str) else raw.get("item")
        before[ref] = raw
    claims = []
    for ref in form.claims:
        claim = before.get(ref)
        if not hasattr(claim, "get"):  # new, or written as a bare "framework:code"
            claim = mapping(item=ref)
        claim["justification"] = documents.text(form.justifications.get(ref, ""))  # its level and comments stay
        claims.append(claim)
    set_value(meta, "claims", sequence(claims), after="situation")
    evidence = [e for e in (meta.get("evidence") or []) if str(e.get("path", e.get("url", ""))) not in
                form.removed_evidence]
    evidence += [mapping(path=path, title=documents.text(title)) for path, title in added_evidence]
    set_value(meta, "evidence", sequence(evidence), after="claims")
    meta["visibility"] = form.visibility
    document.body = form.body
    return document.text()


def check_entry(text: str, target: Path, folder: Path, frameworks: Mapping[str, Framework],
                pursued: Mapping[str, int | None]) -> list[Problem]:
    """Every problem `check` reports for `text` as the entry file `target`, said of `target`."""
    with tempfile.TemporaryDirectory(prefix="portfolio-gen-editor-") as scratch:
        draft = Path(scratch) / target.name
        draft.write_text(text, "utf-8")
        _, problems = read_entry(draft, folder, frameworks, pursued, slug=slug_for(target.stem))
    return [replace(p, file=target) if p.file == draft else p for p in problems]


def fields(problems: Iterable[Problem], text: str | None = None, first_line: int = 2) -> dict[str, list[Problem]]:
    """Problems by the form field they are about: by their key, else by the key of the
    line they name in `text` (the YAML of the file, from `first_line`), else the form's."""
    lines: list[tuple[int, str]] = []
    if text is not None:
        try:
            meta = EntryDocument.parse(text).meta if text.startswith("---") else documents.load(text)
            lines = sorted((meta.lc.key(key)[0] + first_line, str(key)) for key in meta)
        except (ValueError, KeyError):
            lines = []
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        name = next((f for prefix, f in _FIELD_OF_KEY.items() if problem.key.startswith(prefix)), None)
        if name is None and problem.line is not None:
            name = next((key for line, key in reversed(lines) if line <= problem.line), None)
        found.setdefault(name or GENERAL, []).append(problem)
    return found


# --- the profile --------------------------------------------------------------------------

@dataclass
class ProfileForm:
    name: str = ""
    role: str = "enseignant"
    institution: str = ""
    email: str = ""
    language: str = "fr"
    frameworks: dict[str, int | None] = field(default_factory=dict)  # id -> mention

    @classmethod
    def from_form(cls, form) -> "ProfileForm":
        chosen: dict[str, int | None] = {}
        for framework_id in form.getlist("frameworks"):
            mention = str(form.get(f"mention:{framework_id}", "")).strip()
            chosen[str(framework_id)] = int(mention) if mention.isdigit() else None
        return cls(name=str(form.get("name", "")).strip(), role=str(form.get("role", "")),
                   institution=str(form.get("institution", "")).strip(), email=str(form.get("email", "")).strip(),
                   language=str(form.get("language", "fr")), frameworks=chosen)


def profile_text(form: ProfileForm, existing: str | None, slug: str) -> str:
    if existing is None:
        existing = _scaffold().get_template("candidate.yml.j2").render(
            name=_quoted(form.name or "-"), role=form.role or "enseignant",
            institution=_quoted(form.institution or "-"),
            language=form.language or "fr", slug=slug, frameworks=list(form.frameworks) or ["none"], email="",
            mentions={f: m for f, m in form.frameworks.items() if m is not None})
    data = documents.load(existing)
    data["name"], data["role"] = documents.text(form.name), form.role
    data["institution"] = documents.text(form.institution)
    data["language"] = form.language
    before = {str(p.get("id")): p for p in data.get("frameworks") or [] if hasattr(p, "get")}
    pursuits = []
    for framework_id, mention in form.frameworks.items():
        pursuit = before.get(framework_id) or mapping(id=framework_id)
        if mention is None:
            drop(pursuit, "mention")
        else:
            pursuit["mention"] = mention
        pursuits.append(pursuit)
    data["frameworks"] = sequence(pursuits)
    private = data.get("private")
    if form.email:
        if not hasattr(private, "get"):
            private = mapping()
            data["private"] = private
        private["email"] = documents.text(form.email)
    elif hasattr(private, "get"):
        drop(private, "email")
    return documents.dump(data)


def check_candidate_files(folder: Path, frameworks: Mapping[str, Framework], files: Mapping[str, str],
                          profile: str | None = None) -> list[Problem]:
    """Problems `check` reports for `files` (relative path -> text) in a copy of the
    candidate's folder holding only its profile (`profile`, or the one on disk) and them."""
    with tempfile.TemporaryDirectory(prefix="portfolio-gen-editor-") as scratch:
        copy = Path(scratch) / folder.name
        copy.mkdir()
        (copy / CANDIDATE_FILE).write_text(profile if profile is not None else
                                           (folder / CANDIDATE_FILE).read_text("utf-8"), "utf-8")
        for relative, text in files.items():
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            (copy / relative).write_text(text, "utf-8")
        _, problems = read_candidate(copy, frameworks)
        wanted = {copy / CANDIDATE_FILE: folder / CANDIDATE_FILE} if profile is not None else {}
        wanted.update({copy / relative: folder / relative for relative in files})
        return [replace(p, file=wanted[p.file]) for p in problems if p.file in wanted or p.file is None]


def write(path: Path, text: str) -> None:
    write_atomic(path, text)


def create_folder(folder: Path, profile: str) -> None:
    """A new candidate's folder, whole or not at all: built beside it, then renamed."""
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        write_atomic(scratch / CANDIDATE_FILE, profile)
        for sub in (ENTRIES_DIR, "evidence"):
            (scratch / sub).mkdir()
        scratch.rename(folder)  # fails if the folder appeared meanwhile: nothing overwritten
    finally:
        if scratch.exists():
            shutil.rmtree(scratch)


# --- self-assessments ---------------------------------------------------------------------

def self_assessment_path(folder: Path, framework_id: str, on: dt.date) -> Path:
    return folder / SELF_ASSESSMENTS_DIR / f"{on.isoformat()}-{framework_id}.yml"


def self_assessment_text(framework: Framework, levels: Mapping[str, str], on: dt.date, existing: str | None) -> str:
    data = documents.load(existing) if existing else mapping()
    data["framework"] = framework.id
    data["date"] = on
    data["levels"] = mapping(**{code: level for code, level in levels.items() if level})
    return documents.dump(data)
