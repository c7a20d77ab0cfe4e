"""Workflow records kept in a candidate folder: evaluation requests, refusals, external results.

They are small YAML files so that they travel in git with the portfolio: a request is
naturally reviewed as a pull/merge request, and the history says who asked what when.
Signed validations are credentials (see credentials/), not records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml

from . import folders, schemas
from .files import write_atomic
from .model import REFUSED, Entry, EvaluationRequest, ExternalResult, Framework, Validation
from .problems import InputError, Problem
from .rules import external_inputs
from .yamlfile import LineDict, load_mapping

REQUESTS_DIR, DECISIONS_DIR, RESULTS_DIR = "requests", "decisions", "results"
_LEADING_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass
class Records:
    requests: list[EvaluationRequest] = field(default_factory=list)
    refusals: list[Validation] = field(default_factory=list)
    results: list[ExternalResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_records(folder: Path, frameworks: Mapping[str, Framework], entries: Mapping[str, Entry], *,
                 listing: folders.Listing | None = None) -> Records:
    """The folder's records; `listing`: its scan, when the caller took it (`folders.scan`)."""
    records = Records()
    listing = listing if listing is not None else folders.scan(folder)
    for path in _files(listing, REQUESTS_DIR):
        data = _load(path, "request", records)
        if data is not None and _items_claimed(data, path, entries, records):
            records.requests.append(EvaluationRequest(
                path.stem, data["entry"], data["evaluator"], tuple(data["items"]),
                dt.date.fromisoformat(data["date"]), data.get("message", ""), path,
                tuple(data.get("reopens", ()))))
    for path in _files(listing, DECISIONS_DIR):
        data = _load(path, "refusal", records)
        if data is not None and _items_claimed(data, path, entries, records):
            date = dt.date.fromisoformat(data["date"])
            records.refusals += [Validation(*ref.split(":", 1), data["evaluator"], date, decision=REFUSED,
                                            comment=data["comment"], entry=data["entry"], record=path.stem)
                                 for ref in data["items"]]
    for path in _files(listing, RESULTS_DIR):
        data = _load(path, "result", records)
        if data is not None:
            result = _external_result(data, path, frameworks, records)
            if result is not None:
                records.results.append(result)
    return records


def _files(listing: folders.Listing, directory: str) -> list[Path]:
    return [Path(path) for path in listing.files_in(directory, ".yml")]


def _load(path: Path, schema: str, records: Records) -> LineDict | None:
    try:
        data = load_mapping(path)
    except InputError as error:
        records.problems.extend(error.problems)
        return None
    problems = schemas.validate(schema, data, path)
    records.problems.extend(problems)
    return None if problems else data


def _items_claimed(data: LineDict, path: Path, entries: Mapping[str, Entry], records: Records) -> bool:
    """A request or decision may only bear on items its entry claims."""
    entry = entries.get(data["entry"])
    if entry is None:
        records.problems.append(Problem("record.unknown_entry", path, data.line_of("entry"),
                                        {"entry": data["entry"], "known": ", ".join(sorted(entries)) or "-"}))
        return False
    claimed = {claim.ref for claim in entry.claims}
    for index, ref in enumerate(data["items"]):
        if ref not in claimed:
            records.problems.append(Problem("record.item_not_claimed", path, data["items"].line_of(index),
                                            {"item": ref, "entry": entry.slug}))
    return all(ref in claimed for ref in data["items"])


def level_on_scale(framework: Framework, level: object) -> str | None:
    """A level code of the framework's scale, given as a code, a title (whatever its case
    and accents: `Confirmé`) or as its rank 1..N.

    External certifications number their levels (Pix+Édu: 1 to 4) where the framework
    names them (CRCNÉ: Initié to Expert); both scales are ordered, so rank N is level N.
    """
    codes = [lv.code for lv in framework.levels]
    text = str(level)
    if text in codes:
        return text
    if text.isdigit() and 1 <= int(text) <= len(codes):
        return codes[int(text) - 1]
    return framework.level_code(text)


def result_problem(frameworks: Mapping[str, Framework], framework_id: str, input_id: str,
                   level: object) -> tuple[str, str, dict] | None:
    """Why an external result cannot fill a rule input: (field, problem key, params), or None.

    One check for results read from files, typed on the command line or imported from CSV.
    """
    framework = frameworks.get(framework_id)
    if framework is None:
        return "framework", "framework.unknown", {"id": framework_id, "suggestions": ", ".join(sorted(frameworks))}
    inputs = external_inputs(framework.rule)  # a portfolio's own evaluation is never entered as a result
    if input_id not in inputs:
        return "input", "result.unknown_input", {"input": input_id, "framework": framework.id,
                                                  "allowed": ", ".join(inputs) or "-"}
    if level_on_scale(framework, level) is None:
        return "level", "claim.unknown_level", {"level": level, "framework": framework.id,
                                                "allowed": ", ".join(lv.code for lv in framework.levels)}
    return None


def _external_result(data: LineDict, path: Path, frameworks: Mapping[str, Framework],
                     records: Records) -> ExternalResult | None:
    problem = result_problem(frameworks, data["framework"], data["input"], data["level"])
    if problem is not None:
        field, key, params = problem
        records.problems.append(Problem(key, path, data.line_of(field), params))
        return None
    level = level_on_scale(frameworks[data["framework"]], data["level"])
    return ExternalResult(data["framework"], data["input"], level, dt.date.fromisoformat(data["date"]),
                          data["source"], path)


# --- writing ----------------------------------------------------------------------------

def _write_record(folder: Path, stem: str, schema: str, data: dict) -> Path:
    """Write a new record, never replacing one: a second record the same day gets a suffix.

    The record is checked against the schema its readers use before anything is written:
    the tool never writes a file that `check` would then reject."""
    problems = schemas.validate(schema, data, folder / f"{stem}.yml")
    if problems:
        raise InputError(problems)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.yml" if attempt == 1 else f"{stem}-{attempt}.yml")
        try:
            write_atomic(path, text, overwrite=False)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(folder / stem)


def _dated(date: dt.date, entry: str) -> str:
    """`<record date>-<entry>`, without the entry id's own leading date (`2026-11-23-2026-01-15-...`
    reads as a typo); the record itself names the entry exactly."""
    return f"{date.isoformat()}-{_LEADING_DATE.sub('', entry) or entry}"


def _items_given(items: list[str], entry: str, path: Path) -> None:
    if not items:
        raise InputError([Problem("record.no_items", path, None, {"entry": entry})])


def write_request(candidate_folder: Path, request: EvaluationRequest) -> Path:
    folder = candidate_folder / REQUESTS_DIR
    _items_given(list(request.items), request.entry, folder)
    data = {"entry": request.entry, "evaluator": request.evaluator, "items": list(request.items),
            "date": request.date.isoformat()}
    if request.message:
        data["message"] = request.message
    if request.reopens:
        data["reopens"] = list(request.reopens)
    return _write_record(folder, f"{_dated(request.date, request.entry)}-{request.evaluator}", "request", data)


def write_refusal(candidate_folder: Path, entry: str, evaluator: str, items: list[str],
                  date: dt.date, comment: str) -> Path:
    folder = candidate_folder / DECISIONS_DIR
    _items_given(items, entry, folder)
    data = {"entry": entry, "evaluator": evaluator, "items": items, "date": date.isoformat(), "comment": comment}
    return _write_record(folder, f"{_dated(date, entry)}-{evaluator}-refus", "refusal", data)
