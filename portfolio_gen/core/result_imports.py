"""Read a file of external results: the slug-keyed CSV, or a Pix certification export.

Two shapes are read, told apart by their header:

- `candidate,level,date[,source]`: one row per candidate folder (the original format);
- a Pix certification export: a name (`prénom` + `nom`, or `nom complet`), an e-mail
  and/or a birth date, the certification number, the level and the date, under the
  French or English column names Pix and spreadsheets give them, separated by `,` or `;`.

A Pix row names a person, not a folder, so it is matched to a candidate: by e-mail first
(the candidate's private e-mail, case ignored); else by name and birth date, when both the
row and the candidate file (`private: {birth_date: …}`) have one. A name alone is never
enough (two people may share it). Names are compared without accents, case, hyphens or
extra spaces. A row matching nobody, or more than one candidate, is returned as a located
problem: never skipped in silence (issue 29).

Pure: reads one file and the candidates given, signs nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .model import Candidate
from .problems import Problem

SLUG_KEYED, PIX_EXPORT = "slug", "pix"

# Column names as Pix exports and spreadsheets write them, normalised by `_column`.
_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "adresse e mail", "adresse email", "courriel", "mail"),
    "first_name": ("prenom", "first name", "firstname", "given name"),
    "last_name": ("nom", "nom de naissance", "nom de famille", "last name", "lastname", "family name",
                  "surname"),
    "name": ("name", "nom complet", "full name", "nom prenom"),
    "birth_date": ("date de naissance", "birth date", "birthdate", "date of birth", "naissance"),
    "number": ("numero de certification", "n de certification", "no de certification", "certification number",
               "certification id", "numero", "id de certification", "identifiant de certification"),
    "level": ("niveau", "level", "niveau pix edu", "niveau certifie", "certified level"),
    "date": ("date de passage de la certification", "date de certification", "date de passage",
             "date de session", "certification date", "date"),
}
_PIX_REQUIRED = ("number", "level", "date")


@dataclass(frozen=True)
class ImportedRow:
    """One row read and, for a Pix export, matched: whose result, at what level, when."""

    line: int
    slug: str
    level: str
    date: str
    source: str


def read_results_file(path: Path, candidates: Iterable[Candidate]) -> tuple[str, list[ImportedRow], list[Problem],
                                                                           list[Problem]]:
    """(format, rows, problems, unmatched): the rows to record; the problems that make the
    file unusable (a missing column); and one located problem per Pix row matching no
    candidate, or several."""
    text = path.read_text("utf-8-sig")
    delimiter = ";" if text.partition("\n")[0].count(";") > text.partition("\n")[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    if "candidate" in (cell.strip().lower() for cell in header):
        return SLUG_KEYED, _slug_rows(path, header, reader), [], []
    columns = {_COLUMNS_BY_NAME[name]: index for index, name in enumerate(map(_column, header))
               if name in _COLUMNS_BY_NAME}
    missing = [field for field in _PIX_REQUIRED if field not in columns]
    if "name" not in columns and not {"first_name", "last_name"} <= set(columns) and "email" not in columns:
        missing.append("email | name")
    if missing:
        return PIX_EXPORT, [], [Problem("result.import_columns", path, 1, {
            "missing": ", ".join(missing), "found": ", ".join(cell.strip() for cell in header) or "-"})], []
    matcher = _Matcher(candidates)
    rows, unmatched = [], []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = {field: cells[index].strip() if index < len(cells) else "" for field, index in columns.items()}
        who = row.get("name") or " ".join(filter(None, (row.get("first_name"), row.get("last_name"))))
        slugs = matcher.match(row.get("email", ""), who, _iso_date(row.get("birth_date", "")))
        if len(slugs) != 1:
            key = "result.unmatched" if not slugs else "result.ambiguous"
            unmatched.append(Problem(key, path, line, {
                "name": who or "-", "email": row.get("email") or "-", "number": row.get("number") or "-",
                "candidates": ", ".join(slugs)}))
            continue
        rows.append(ImportedRow(line, slugs[0], row["level"], _iso_date(row["date"]) or row["date"],
                                f"Pix+Édu n° {row['number']}" if row.get("number") else f"{path.name}, ligne {line}"))
    return PIX_EXPORT, rows, [], unmatched


def _slug_rows(path: Path, header: list[str], reader) -> list[ImportedRow]:
    names = [cell.strip().lower() for cell in header]
    rows = []
    for line, cells in enumerate(reader, start=2):
        row = dict(zip(names, (cell.strip() for cell in cells)))
        rows.append(ImportedRow(line, row.get("candidate", ""), row.get("level", ""), row.get("date", ""),
                                row.get("source") or f"{path.name}, ligne {line}"))
    return rows


def normal_name(text: str) -> str:
    """A name as compared: no accents, no case, hyphens and apostrophes as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[-'’.,_]", " ", bare).split())


def _column(header: str) -> str:
    return normal_name(header).replace("°", " ").replace("  ", " ").strip()


_COLUMNS_BY_NAME = {_column(name): field for field, names in _COLUMNS.items() for name in names}

_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _iso_date(text: str) -> str:
    """YYYY-MM-DD from YYYY-MM-DD or DD/MM/YYYY (Pix's French exports); '' if neither."""
    text = text.strip()
    french = _FRENCH_DATE.match(text)
    if french:
        day, month, year = (int(part) for part in french.groups())
        text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return ""


class _Matcher:
    """Candidates indexed once by e-mail and by (name, birth date): a thousand rows, one pass."""

    def __init__(self, candidates: Iterable[Candidate]):
        self.by_email: dict[str, list[str]] = {}
        self.by_name_birth: dict[tuple[str, str], list[str]] = {}
        for candidate in candidates:
            email = str(candidate.private.get("email") or "").strip().casefold()
            if email:
                self.by_email.setdefault(email, []).append(candidate.slug)
            birth = _iso_date(str(candidate.private.get("birth_date") or ""))
            if birth:
                self.by_name_birth.setdefault((_sorted_name(candidate.name), birth), []).append(candidate.slug)

    def match(self, email: str, name: str, birth: str) -> list[str]:
        found = self.by_email.get(email.strip().casefold()) if email.strip() else None
        if found:
            return found
        if name and birth:
            return self.by_name_birth.get((_sorted_name(name), birth), [])
        return []


def _sorted_name(name: str) -> str:
    """Word order ignored: Pix writes « Nom Prénom » where candidate.yml has « Prénom Nom »."""
    return " ".join(sorted(normal_name(name).split()))
