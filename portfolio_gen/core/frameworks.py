"""Read competency frameworks from YAML files into `Framework` values.

The shape is checked by the framework JSON Schema; this module adds what a schema
cannot say (unique codes, phases and levels that exist) and builds the tree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from . import schemas
from .model import Activity, Competence, Domain, Framework, Item, Level, Phase, Resource, Source, Titles
from .problems import InputError, Problem
from .rules import rule_from_data
from .yamlfile import LineDict, load_mapping


def load_framework(path: Path) -> Framework:
    """Read one framework file; raises InputError listing every problem in it."""
    data = load_mapping(path)
    problems = schemas.validate("framework", data, path)
    if problems:
        raise InputError(problems)
    framework = _build(data, path)
    problems = _consistency_problems(framework, data, path)
    if problems:
        raise InputError(problems)
    return framework


def load_frameworks(paths: Iterable[Path]) -> tuple[dict[str, Framework], list[Problem]]:
    """Read many framework files, collecting problems rather than stopping at the first."""
    frameworks: dict[str, Framework] = {}
    problems: list[Problem] = []
    for path in sorted(paths):
        try:
            framework = load_framework(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        if framework.id in frameworks:
            problems.append(Problem("framework.duplicate_id", path, 1,
                                    {"id": framework.id, "other": str(frameworks[framework.id].path)}))
            continue
        if framework.id != path.stem:
            problems.append(Problem("framework.id_not_file_name", path, 1,
                                    {"id": framework.id, "stem": path.stem}))
        frameworks[framework.id] = framework
    return frameworks, problems


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _titles(node: LineDict) -> Titles:
    """A node's titles in other languages: its `titles:`, with `title_en`, their older
    spelling, as the English one (when both say it differently, `_title_problems` reports
    it and the file is refused, so which one wins here never shows)."""
    titles = {language: _text(title) for language, title in (node.get("titles") or {}).items()}
    if node.get("title_en"):
        titles.setdefault("en", _text(node["title_en"]))
    return Titles(titles)


def _build(data: LineDict, path: Path) -> Framework:
    domains = tuple(_domain(d) for d in data["domains"])
    source = data["source"]
    return Framework(
        id=data["id"], title=data["title"], titles=_titles(data),
        version=_text(data["version"]), language=data["language"],
        source=Source(title=source["title"], reference=_text(source.get("reference")),
                      date=dt.date.fromisoformat(source["date"]) if source.get("date") else None,
                      url=_text(source.get("url")), note=_text(source.get("note"))),
        phases=tuple(Phase(p["code"], p["title"], _titles(p)) for p in data.get("phases", [])),
        mentions=tuple(data.get("mentions", [])),
        levels=tuple(Level(_text(lv["code"]), lv["title"], _titles(lv))
                     for lv in data.get("levels", [])),
        rule=rule_from_data(data.get("rule"), data["id"]),
        domains=domains,
        path=path,
        activities=tuple(Activity(a["code"], a["title"], _titles(a), tuple(a["mentions"]))
                         for a in data.get("activities", [])),
        evaluated_by=_text(data.get("evaluated_by")),
        criterion_rule=_text((data.get("assessment") or {}).get("item_level")),
        marks_required=(data.get("assessment") or {}).get("marks") == "required",
    )


def _resources(node: LineDict) -> tuple[Resource, ...]:
    return tuple(Resource(r["title"], _text(r.get("url")), _text(r.get("format")), _text(r.get("level")))
                 for r in node.get("resources", []))


def _item(node: LineDict, domain: str, competence: str, phase: str,
          inherited: tuple[Resource, ...] = ()) -> Item:
    """A leaf; training resources listed on its competence or domain apply to it too."""
    return Item(
        code=_text(node["code"]), title=node["title"], titles=_titles(node),
        description=_text(node.get("description")),
        criteria=tuple(node.get("criteria", [])), mandatory=bool(node.get("mandatory", False)),
        phase=_text(node.get("phase")) or phase, domain=domain, competence=competence,
        resources=_resources(node) + inherited,
    )


def _competence(node: LineDict, domain: str, phase: str, inherited: tuple[Resource, ...]) -> Competence:
    code = _text(node["code"])
    phase = _text(node.get("phase")) or phase
    if node.get("items"):
        shared = _resources(node) + inherited
        items = tuple(_item(i, domain, code, phase, shared) for i in node["items"])
    else:  # a competence without items is itself the claimable item
        items = (_item(node, domain, code, phase, inherited),)
    return Competence(code, node["title"], _titles(node),
                      _text(node.get("description")), items)


def _domain(node: LineDict) -> Domain:
    code = _text(node["code"])
    phase = _text(node.get("phase"))
    children = (node.get("competences") or []) + (node.get("items") or [])
    shared = _resources(node) if children else ()
    competences = tuple(_competence(c, code, phase, shared) for c in node.get("competences") or [])
    loose = tuple(_item(i, code, "", phase, shared) for i in node.get("items") or [])
    items = tuple(i for c in competences for i in c.items) + loose
    if not items:  # a domain with no children is itself the claimable item
        items = (_item(node, code, "", phase),)
    return Domain(code, node["title"], _titles(node), _text(node.get("description")),
                  competences, items)


def _consistency_problems(framework: Framework, data: LineDict, path: Path) -> list[Problem]:
    problems = []
    lines = _code_lines(data)
    seen: set[str] = set()
    for item in framework.items:
        if item.code in seen:
            problems.append(Problem("framework.duplicate_code", path, lines.get(item.code), {"code": item.code}))
        seen.add(item.code)
        phases = {p.code for p in framework.phases}
        if item.phase and item.phase not in phases:
            problems.append(Problem("framework.unknown_phase", path, lines.get(item.code),
                                    {"phase": item.phase, "allowed": ", ".join(sorted(phases)) or "-"}))
    level_codes = [lv.code for lv in framework.levels]
    if framework.criterion_rule and not framework.levels:  # marks are levels of the scale
        problems.append(Problem("framework.criteria_without_levels", path, data.line_of("assessment")))
    if len(set(level_codes)) != len(level_codes):
        problems.append(Problem("framework.duplicate_level", path, data.line_of("levels")))
    if framework.rule is not None:
        problems += [Problem(p.key, path, data.line_of("rule"), dict(p.params))
                     for p in framework.rule.problems(framework)]
    problems += _resource_level_problems(data, level_codes, path)
    problems += _title_problems(data, path)
    return problems


def _titled_nodes(data: LineDict) -> Iterable[LineDict]:
    """Every mapping of a framework file that has a title of the framework's own (not a
    resource's, the source's or a rule input's: those name documents and exams, as written)."""
    yield data
    for key in ("phases", "levels", "activities"):
        yield from data.get(key) or []

    def tree(node: LineDict) -> Iterable[LineDict]:
        yield node
        for key in ("competences", "items"):
            for child in node.get(key) or []:
                yield from tree(child)

    for domain in data["domains"]:
        yield from tree(domain)


def _title_problems(data: LineDict, path: Path) -> list[Problem]:
    """Titles that contradict each other: `title_en` and `titles: {en: ...}` saying two
    things, or `titles:` giving the framework's own language another title than `title`.
    Either way a page would show one of them and nobody would know which one was meant."""
    problems = []
    own = data["language"]
    for node in _titled_nodes(data):
        titles = node.get("titles") or {}
        english, given_english = _text(node.get("title_en")), _text(titles.get("en"))
        if english and given_english and english != given_english:
            problems.append(Problem("framework.title_en_conflict", path, node.line_of("title_en"),
                                    {"title_en": english, "titles_en": given_english}))
        if own in titles and _text(titles[own]) != _text(node["title"]):
            problems.append(Problem("framework.title_own_language", path, titles.line_of(own),
                                    {"language": own, "given": _text(titles[own]), "title": _text(node["title"])}))
    return problems


def _resource_level_problems(data: LineDict, level_codes: list[str], path: Path) -> list[Problem]:
    """A resource's level must be on the framework's scale; a framework without levels takes none.

    The diagnostic suggests a levelled resource only between a candidate's current and
    target level (decisions/diagnostic.py), so a misspelt level would silently hide it or,
    worse, show it to everyone (issue 29)."""
    problems = []

    def visit(node: LineDict) -> None:
        for resource in node.get("resources") or []:
            if "level" in resource and _text(resource["level"]) not in level_codes:
                problems.append(Problem("framework.unknown_resource_level", path, resource.line_of("level"),
                                        {"level": _text(resource["level"]),
                                         "allowed": ", ".join(level_codes) or "-"}))
        for key in ("competences", "items"):
            for child in node.get(key) or []:
                visit(child)

    for domain in data["domains"]:
        visit(domain)
    return problems


def _code_lines(data: LineDict) -> dict[str, int]:
    """Line of each node's `code`, for locating problems found after building the tree."""
    lines: dict[str, int] = {}

    def visit(node: object) -> None:
        if isinstance(node, LineDict):
            if "code" in node:
                lines.setdefault(_text(node["code"]), node.line_of("code"))
            for key in ("competences", "items"):
                for child in node.get(key) or []:
                    visit(child)

    for domain in data["domains"]:
        visit(domain)
    return lines
