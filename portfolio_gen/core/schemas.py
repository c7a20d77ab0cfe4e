"""JSON Schemas of the hand-edited files, used both by editors and to validate input.

Declaring the shape of candidate.yml, entry front matter and framework files once, as
JSON Schema, gives editors (VS Code's YAML extension) completion and gives `check` its
first pass; domain checks that a schema cannot express live in the readers.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import fastjsonschema
import jsonschema

from .model import folded
from .problems import Problem, nearest
from .yamlfile import LineDict, LineList

SCHEMA_NAMES = ("candidate", "entry", "framework", "self-assessment", "workspace",
                "request", "refusal", "result", "registry", "session")


@cache
def schema(name: str) -> dict:
    text = resources.files("portfolio_gen").joinpath(f"data/schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name), format_checker=jsonschema.FormatChecker())


_FORMATS = jsonschema.FormatChecker()


@cache
def _compiled(name: str) -> Callable[[Any], Any]:
    """The schema compiled to Python code (fastjsonschema), once per process.

    jsonschema walks the schema anew for every document: it was half of reading a
    cohort. The compiled check answers "valid?" several times faster; a document it
    rejects is then explained by jsonschema, which locates every error. The schemas use
    only keywords both read alike (draft 7's), and formats are jsonschema's own checks,
    so the two never disagree on validity (a test holds them to it).
    """
    draft7 = {**schema(name), "$schema": "http://json-schema.org/draft-07/schema#"}
    formats = {fmt: (lambda value, fmt=fmt: _FORMATS.conforms(value, fmt)) for fmt in _FORMATS.checkers}
    return fastjsonschema.compile(draft7, formats=formats)


def is_valid(name: str, data: Any) -> bool:
    try:
        _compiled(name)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def export_schemas(folder: Path) -> list[Path]:
    """Write every schema as `<name>.schema.json` into `folder` (for editors)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_NAMES:
        target = folder / f"{name}.schema.json"
        target.write_text(json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(target)
    return written


def validate(name: str, data: Any, file: Path) -> list[Problem]:
    """Problems with `data` against schema `name`, each located at the offending line."""
    if is_valid(name, data):
        return []
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [_problem(error, data, file, name) for error in _most_specific(errors)]


def _most_specific(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """For a failed alternative, report the branch that got furthest, not the whole anyOf.

    A oneOf whose branches each only ask for a key (evidence: `path` or `url`) is kept
    whole, because the useful message there is "exactly one of".
    """
    result = []
    for error in errors:
        branches = error.context or []
        only_required = branches and all(b.validator == "required" for b in branches)
        if error.validator in ("anyOf", "oneOf") and branches and not only_required:
            result.append(jsonschema.exceptions.best_match(branches))
        else:
            result.append(error)
    return result


def _problem(error: jsonschema.ValidationError, data: Any, file: Path, name: str) -> Problem:
    path = list(error.absolute_path)
    field = ".".join(str(p) for p in path) or name
    line = line_of(data, path)
    validator = error.validator
    params: dict[str, Any] = {"field": field}
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        params["missing"] = missing
        key = "schema.required"
    elif validator in ("additionalProperties", "unevaluatedProperties"):
        extra = [k for k in (error.instance or {}) if k not in error.schema.get("properties", {})]
        unknown = str(extra[0]) if extra else ""  # a YAML key may be null or a number
        known = list(error.schema.get("properties", {}))
        params.update(unknown=unknown, suggestions=", ".join(nearest(unknown, known)) or ", ".join(known))
        line = line_of(data, path + [unknown]) or line
        key = "schema.unknown_key"
    elif validator == "enum":
        params.update(value=error.instance, allowed=", ".join(map(str, error.validator_value)))
        suggestion = canonical_value(error.instance, error.validator_value)
        key = "schema.enum"
        if suggestion is not None:
            params["suggestion"] = suggestion
            key = "schema.enum_suggest"
    elif validator == "type":
        params.update(expected=_type_name(error.validator_value), value=error.instance)
        key = "schema.type"
    elif validator == "format":
        params.update(value=error.instance, format=error.validator_value)
        key = "schema.format"
    elif validator == "maxItems":
        params.update(count=len(error.instance), limit=error.validator_value)
        key = "schema.too_many"
    elif validator == "oneOf":
        choices = [b.validator_value[0] for b in error.context or [] if b.validator == "required"]
        params["choices"] = ", ".join(choices)
        key = "schema.one_of"
    else:
        params["reason"] = error.message
        key = "schema.invalid"
    return Problem(key, file, line, params)


# Field values are canonical codes, some English (visibility), some French (situation):
# what a user writes in their own language, or in the other, names one of them (issue 31:
# `visibility: publique`). A lookup table, by folded spelling (case and accents aside).
VALUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "public": ("publique", "publie", "publiee", "published"),
    "private": ("prive", "privee", "privat"),
    "draft": ("brouillon", "ebauche"),
    "professionnelle": ("professionnel", "professional", "pro", "work", "at-work", "travail", "en-poste"),
    "formation": ("training", "in-training", "en-formation", "stage"),
    "fr": ("francais", "french"),
    "en": ("anglais", "english"),
    "enseignant": ("enseignante", "teacher", "professeur", "professeure", "prof"),
    "stagiaire": ("trainee", "intern", "professeur-stagiaire", "fonctionnaire-stagiaire"),
    "inspecteur": ("inspectrice", "inspector"),
    "directeur": ("directrice", "director", "head", "principal", "headteacher"),
    "administratif": ("administrative", "staff", "administration"),
    "etudiant-meef": ("etudiant", "etudiante", "etudiante-meef", "student", "meef"),
    "formateur": ("formatrice", "trainer"),
    "autre": ("other",),
}


def canonical_value(value: Any, allowed: Any) -> str | None:
    """The allowed value `value` was meant to be: the same but for case and accents, a
    synonym in French or English (VALUE_SYNONYMS), or a close spelling; None if none."""
    choices = [str(a) for a in allowed]
    wanted = folded(str(value))
    for choice in choices:
        if wanted == folded(choice) or wanted in VALUE_SYNONYMS.get(choice, ()):
            return choice
    close = nearest(wanted, choices, count=1)
    return close[0] if close else None


def _type_name(value: Any) -> str:
    return " or ".join(value) if isinstance(value, list) else str(value)


def line_of(data: Any, path: list) -> int | None:
    """Line of the deepest node on `path` that the YAML loader located."""
    node, line = data, getattr(data, "line", None)
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.line_of(step)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.line_of(step)
            node = node[step]
        else:
            break
    return line
