"""Read candidate folders (candidate.yml, entries/*.md, evidence/) into `Candidate` values.

Every problem is collected with its file and line, so that `check` reports them all
at once; a candidate with problems is still returned when it can be, so that one bad
entry does not hide the rest of a portfolio.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import posixpath
import stat
from pathlib import Path, PurePosixPath
from typing import Mapping

from markdown.extensions.toc import slugify

from . import folders, i18n, schemas
from .model import Candidate, Claim, Entry, Evidence, Framework, Pursuit, SelfAssessment
from .problems import ERROR, WARNING, InputError, Problem, nearest
from .records import read_records
from .yamlfile import LineDict, load_front_matter, load_mapping

CANDIDATE_FILE = "candidate.yml"
ENTRIES_DIR = "entries"
SELF_ASSESSMENTS_DIR = "self-assessments"
# What a trace may be, for `check` (a warning: the file is already there, and active
# types are neutralised when published) and for the editor's uploads (refused before
# anything is written): one rule for both (issue 31). A kind a portfolio publishes, whose
# first bytes are what its extension says (a PDF starts with %PDF), under a size cap.
MAX_EVIDENCE_BYTES = 20 << 20  # 20 MiB: a scanned document, a short video clip
EVIDENCE_TYPES = {  # extension -> the bytes such a file starts with (b"": any, text)
    ".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",), ".svg": (b"",), ".txt": (b"",), ".md": (b"",),
    ".csv": (b"",), ".odt": (b"PK\x03\x04",), ".ods": (b"PK\x03\x04",), ".odp": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",), ".pptx": (b"PK\x03\x04",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3"), ".mp4": (b"",), ".zip": (b"PK\x03\x04",),
}
EVIDENCE_HEAD_BYTES = 8  # the longest signature above


def slug_for(name: str) -> str:
    """The URL-safe name of a folder or file: lowercase ASCII words joined by dashes."""
    return slugify(name, "-")


def candidate_folders(root: Path) -> list[Path]:
    """Candidate folders under `root`: every sub-folder holding a candidate.yml.

    Listed with scandir and sorted by name (the order of the paths): a stat and a Path
    comparison per folder took a second on 25,000 candidates, and every command lists them."""
    try:
        with os.scandir(root) as scan:
            names = sorted(entry.name for entry in scan
                           if not entry.name.startswith((".", "_")) and entry.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [root / name for name in names]


def index_listing(folder: Path) -> tuple[str, str] | None:
    """(name, slug) of a candidate who asked to be listed on the institution's home page
    (`publish_in_index: true` in a valid candidate.yml), else None. Reads candidate.yml
    only: the whole portfolio is read by its own build, which reports any problem."""
    path = folder / CANDIDATE_FILE
    if not path.is_file():  # a FIFO is never opened (the candidate's own read reports it)
        return None
    try:
        data = load_mapping(path)
    except InputError:
        return None
    if schemas.validate("candidate", data, path) or data.get("publish_in_index") is not True:
        return None
    return data["name"], folder.name


def read_candidate(folder: Path, frameworks: Mapping[str, Framework], *,
                   listing: folders.Listing | None = None) -> tuple[Candidate | None, list[Problem]]:
    """Read one candidate folder; returns the candidate (None if unusable) and all problems.

    `listing`: the folder's scan (`folders.scan`), when the caller took it already. Files
    are read from it, so that a link out of the folder or a FIFO is never opened, and
    what it refuses is reported (`folder_problems`)."""
    problems: list[Problem] = []
    listing = listing if listing is not None else folders.scan(folder)
    references: list[Reference] = []
    path = folder / CANDIDATE_FILE
    slug = folder.name
    if slug_for(slug) != slug:
        problems.append(Problem("candidate.bad_slug", folder, None, {"slug": slug, "suggestion": slug_for(slug)}))
    if path in _unusable(listing, folder):  # a FIFO, a link out of the folder: never opened
        return None, problems + [dataclasses.replace(p, severity=ERROR) if p.file == path else p
                                 for p in folder_problems(folder, listing, references)]
    try:
        data = load_mapping(path)
    except InputError as error:
        return None, problems + error.problems + folder_problems(folder, listing, references)
    shape = schemas.validate("candidate", data, path)
    if shape:
        return None, problems + shape + folder_problems(folder, listing, references)
    languages, language_problems = site_languages(data, path)
    problems.extend(language_problems)
    pursuits = []
    for index, pursuit in enumerate(data["frameworks"]):
        line = data["frameworks"].line_of(index)
        framework = frameworks.get(pursuit["id"])
        if framework is None:
            problems.append(unknown_framework_problem(pursuit["id"], frameworks, path, line))
        elif framework.mentions and "mention" not in pursuit:
            problems.append(Problem("candidate.mention_required", path, line, {
                "framework": framework.id, "allowed": ", ".join(map(str, framework.mentions))}))
        elif "mention" in pursuit and pursuit["mention"] not in framework.mentions \
                and framework.activity_for(pursuit["mention"]) is not None:
            # A mention the programme knows, not open in this version of its framework
            # (CRCNÉ: mention 4 is outside the 2022-2023 experiment).
            problems.append(Problem("candidate.mention_not_open", path, line, {
                "mention": pursuit["mention"], "framework": framework.id, "version": framework.version,
                "allowed": ", ".join(map(str, framework.mentions)) or "-"}))
        elif "mention" in pursuit and pursuit["mention"] not in framework.mentions:
            problems.append(Problem("candidate.bad_mention", path, line,
                                    {"mention": pursuit["mention"], "framework": framework.id,
                                     "allowed": ", ".join(map(str, framework.mentions)) or "-"}))
        pursuits.append(Pursuit(pursuit["id"], pursuit.get("mention")))
    problems.extend(_language_folder_problems(languages, data, path))
    pursued = {p.framework: p.mention for p in pursuits}
    entries, entry_problems = _read_entries(folder, listing, frameworks, pursued, references)
    problems.extend(entry_problems)
    assessments, assessment_problems = _read_self_assessments(folder, listing, frameworks, pursued)
    problems.extend(assessment_problems)
    records = read_records(folder, frameworks, {e.slug: e for e in entries}, listing=listing)
    problems.extend(records.problems)
    problems.extend(folder_problems(folder, listing, references))
    candidate = Candidate(
        slug=slug, name=data["name"], role=data["role"], institution=data["institution"],
        language=languages[0], frameworks=tuple(pursuits), entries=tuple(entries),
        self_assessments=tuple(assessments), requests=tuple(records.requests),
        refusals=tuple(records.refusals), results=tuple(records.results),
        site_url=data.get("site_url", ""), bio=data.get("bio", ""), unit=data.get("unit", ""),
        publish_in_index=bool(data.get("publish_in_index", False)),
        private=dict(data.get("private") or {}), folder=folder,
        languages=languages if len(languages) > 1 else (),
    )
    return candidate, problems


def site_languages(data: LineDict, path: Path) -> tuple[tuple[str, ...], list[Problem]]:
    """The languages a candidate's site is published in, its main one first (issue 30):
    `languages: [fr, ar]`, or `language: fr` alone. The schema has checked each code is one
    of the tool's (a hostile `../x` never reaches a folder name); a code given twice, the
    two keys disagreeing on the main language, or neither key, is a problem. Always returns
    at least one language, so the rest of the folder is still read."""
    single = data.get("language")
    listed = data.get("languages") or []
    problems = [Problem("candidate.language_repeated", path, listed.line_of(index), {"language": code})
                for index, code in _first_repeats(listed)]
    if single is not None and listed and listed[0] != single:
        problems.append(Problem("candidate.language_mismatch", path, data.line_of("language"),
                                {"language": single, "first": listed[0], "languages": ", ".join(listed)}))
    if single is None and not listed:
        problems.append(Problem("schema.required", path, data.line, {"field": "candidate", "missing": "language"}))
    languages = tuple(dict.fromkeys(listed)) or (single or i18n.DEFAULT_LANGUAGE,)
    return languages, problems


def _first_repeats(codes: list[str]) -> list[tuple[int, str]]:
    """(index, code) of each code's second occurrence: a list of 500 times 'ar' is one problem."""
    seen: set[str] = set()
    reported: set[str] = set()
    repeats = []
    for index, code in enumerate(codes):
        if code in seen and code not in reported:
            repeats.append((index, code))
            reported.add(code)
        seen.add(code)
    return repeats


def _language_folder_problems(languages: tuple[str, ...], data: LineDict, path: Path) -> list[Problem]:
    """A version in another language is published in the site's folder of its code
    (`<slug>/ar/`), where a framework of that id publishes its pages too: refused, not
    one overwriting the other."""
    taken = [(index, pursuit["id"]) for index, pursuit in enumerate(data["frameworks"])
             if pursuit["id"] in languages[1:]]
    return [Problem("candidate.language_folder_taken", path, data["frameworks"].line_of(index),
                    {"language": framework_id}) for index, framework_id in taken]


def unknown_framework_problem(framework_id: str, frameworks: Mapping[str, Framework], path: Path,
                       line: int | None) -> Problem:
    return Problem("framework.unknown", path, line,
                   {"id": framework_id, "suggestions": ", ".join(nearest(framework_id, frameworks)) or
                    ", ".join(sorted(frameworks))})


# Where an entry names an evidence file: its path as written, normalised, the entry's file
# and line, and whether that reference was already reported.
Reference = tuple[str, Path, "int | None", bool]


def folder_problems(folder: Path, listing: folders.Listing, references: list[Reference]) -> list[Problem]:
    """What the folder's scan refused: links out of the folder, in a loop or dangling,
    special files, folders met twice. Each is reported where an entry names it (its file
    and line), once, or else at its own path, with no line."""
    problems = []
    for found in listing.refused_links() + listing.special():
        key, severity = _REFUSED[found.state or found.kind]
        params = {"path": found.relative, "target": found.target}
        naming = [r for r in references if r[0] == found.relative or r[0].startswith(found.relative + "/")]
        problems += [Problem(key, entry, line, params, severity) for _, entry, line, reported in naming
                     if not reported]
        if not naming:
            problems.append(Problem(key, folder / found.relative, None, params, severity))
    problems += [Problem("folder.loop", folder / relative, None, {"path": relative}) for relative in listing.looped]
    return problems


# Problem key and severity of each refused link, and of special files. A dangling link or
# a FIFO breaks nothing unless an entry names it (then the entry has an error): a warning.
_REFUSED = {folders.OUTSIDE: ("folder.link_outside", ERROR), folders.LOOP: ("folder.link_loop", ERROR),
            folders.DANGLING: ("folder.link_dangling", WARNING), folders.TO_SPECIAL: ("folder.special_file", WARNING),
            folders.SPECIAL: ("folder.special_file", WARNING)}


def _unusable(listing: folders.Listing, folder: Path) -> set[Path]:
    return {folder / found.relative for found in listing.refused_links() + listing.special()}


def _read_entries(folder: Path, listing: folders.Listing, frameworks: Mapping[str, Framework],
                  pursued: Mapping[str, int | None], references: list[Reference]) -> tuple[list[Entry], list[Problem]]:
    entries: list[Entry] = []
    problems: list[Problem] = []
    by_slug: dict[str, Path] = {}
    base = folder.resolve()  # once: every evidence path is compared with it
    for path in map(Path, listing.files_in(ENTRIES_DIR, ".md")):
        slug = slug_for(path.stem)
        if slug in by_slug:
            problems.append(Problem("entry.duplicate_slug", path, None,
                                    {"slug": slug, "other": by_slug[slug].name}))
            continue
        by_slug[slug] = path
        try:
            entry, entry_problems = _read_entry(path, slug, folder, base, frameworks, pursued, references)
        except InputError as error:
            problems.extend(error.problems)
            continue
        problems.extend(entry_problems)
        entries.append(entry)
    entries.sort(key=lambda e: (e.date, e.slug))
    return entries, problems


def _read_entry(path: Path, slug: str, folder: Path, base: Path, frameworks: Mapping[str, Framework],
                pursued: Mapping[str, int | None], references: list[Reference]) -> tuple[Entry, list[Problem]]:
    document = load_front_matter(path)
    meta = document.meta
    shape = schemas.validate("entry", meta, path)
    if shape:
        raise InputError(shape)
    claims, problems = _claims(meta, path, frameworks, pursued)
    evidence, evidence_problems = _evidence(meta, path, folder, base, references)
    problems += evidence_problems
    phase = str(meta.get("phase", ""))
    problems += _phase_problems(phase, claims, frameworks, path, meta)
    activity = str(meta.get("activity", ""))
    problems += _activity_problems(activity, claims, frameworks, pursued, path, meta)
    entry = Entry(
        slug=slug, title=meta["title"], date=dt.date.fromisoformat(meta["date"]),
        situation=meta["situation"], body=document.body, claims=tuple(claims),
        evidence=tuple(evidence), phase=phase, visibility=meta["visibility"],
        tags=tuple(str(t) for t in meta.get("tags", [])), path=path,
        activity=activity, trainer=str(meta.get("trainer", "")),
    )
    if entry.claims and not entry.evidence and not entry.body.strip():
        problems.append(Problem("entry.no_trace", path, meta.line, severity=WARNING))
    return entry, problems


def _claims(meta: LineDict, path: Path, frameworks: Mapping[str, Framework],
            pursued: Mapping[str, int | None]) -> tuple[list[Claim], list[Problem]]:
    claims: list[Claim] = []
    problems: list[Problem] = []
    raw_claims = meta.get("claims") or []
    for index, raw in enumerate(raw_claims):
        line = raw_claims.line_of(index)
        if isinstance(raw, str):
            raw = {"item": raw}
        framework_id, _, code = raw["item"].partition(":")
        level = "" if raw.get("level") is None else str(raw["level"])
        framework = frameworks.get(framework_id)
        if framework is None:
            problems.append(unknown_framework_problem(framework_id, frameworks, path, line))
            continue
        if code not in framework.item_by_code:
            problems.append(Problem("claim.unknown_item", path, line, {
                "code": code, "framework": framework_id,
                "suggestions": ", ".join(f"{framework_id}:{c}" for c in nearest(code, framework.item_by_code))}))
            continue
        if framework_id not in pursued:
            problems.append(Problem("claim.framework_not_pursued", path, line, {"framework": framework_id}))
        if level and not framework.levels:
            problems.append(Problem("claim.no_levels", path, line, {"framework": framework_id}))
            level = ""
        elif level and level not in {lv.code for lv in framework.levels}:
            problems.append(Problem("claim.unknown_level", path, line, {
                "level": level, "framework": framework_id,
                "allowed": ", ".join(lv.code for lv in framework.levels) or "-"}))
            level = ""
        claims.append(Claim(framework_id, code, level, str(raw.get("justification", ""))))
    return claims, problems


def _phase_problems(phase: str, claims: list[Claim], frameworks: Mapping[str, Framework],
                    path: Path, meta: LineDict) -> list[Problem]:
    if not phase:
        return []
    allowed = {p.code for c in claims for p in frameworks[c.framework].phases}
    if phase not in allowed:
        return [Problem("entry.unknown_phase", path, meta.line_of("phase"),
                        {"phase": phase, "allowed": ", ".join(sorted(allowed)) or "-"})]
    # An entry documents one phase: claiming an item evaluated in another phase is a slip.
    return [Problem("claim.other_phase", path, meta.line_of("claims"),
                    {"item": c.ref, "item_phase": item.phase, "phase": phase})
            for c in claims
            for item in [frameworks[c.framework].item_by_code[c.item]]
            if frameworks[c.framework].phases and item.phase and item.phase != phase]


def _activity_problems(activity: str, claims: list[Claim], frameworks: Mapping[str, Framework],
                       pursued: Mapping[str, int | None], path: Path, meta: LineDict) -> list[Problem]:
    """Each mention is checked against the kind of activity it requires (CRCNÉ, seed 001:
    teaching for mentions 1-2, educational for 3, adult training for 4). `activity:` is
    optional, as it was before frameworks said which one a mention requires: an entry
    that names one must name the kind its candidate's mention requires."""
    problems: list[Problem] = []
    # By id: a Framework hashes all its items, and this runs for every entry of a cohort
    # (it was a tenth of a cold `check`).
    for framework in (frameworks[framework_id] for framework_id in dict.fromkeys(c.framework for c in claims)):
        if not framework.activities:
            continue
        line = meta.line_of("activity") if "activity" in meta else meta.line
        if activity and activity not in {a.code for a in framework.activities}:
            problems.append(Problem("entry.unknown_activity", path, line, {
                "activity": activity, "framework": framework.id,
                "allowed": ", ".join(a.code for a in framework.activities)}))
            continue
        mention = pursued.get(framework.id)
        required = framework.activity_for(mention)
        if required is None:
            continue
        if activity and activity != required.code:
            problems.append(Problem("entry.activity_mismatch", path, line, {
                "framework": framework.id, "mention": mention, "required": required.code, "activity": activity}))
    return problems


def _read_self_assessments(folder: Path, listing: folders.Listing, frameworks: Mapping[str, Framework],
                           pursued: Mapping[str, int | None]) -> tuple[list[SelfAssessment], list[Problem]]:
    assessments: list[SelfAssessment] = []
    problems: list[Problem] = []
    for path in map(Path, listing.files_in(SELF_ASSESSMENTS_DIR, ".yml")):
        try:
            assessment, found = _read_self_assessment(path, frameworks, pursued)
        except InputError as error:
            problems.extend(error.problems)
            continue
        problems.extend(found)
        if assessment is not None:
            assessments.append(assessment)
    assessments.sort(key=lambda a: (a.date, a.framework))
    return assessments, problems


def _read_self_assessment(path: Path, frameworks: Mapping[str, Framework],
                          pursued: Mapping[str, int | None]) -> tuple[SelfAssessment | None, list[Problem]]:
    data = load_mapping(path)
    shape = schemas.validate("self-assessment", data, path)
    if shape:
        raise InputError(shape)
    framework = frameworks.get(data["framework"])
    if framework is None:
        return None, [unknown_framework_problem(data["framework"], frameworks, path, data.line_of("framework"))]
    problems = []
    if framework.id not in pursued:
        problems.append(Problem("claim.framework_not_pursued", path, data.line_of("framework"),
                                {"framework": framework.id}))
    scale = [lv.code for lv in framework.assessment_scale]
    target = str(data.get("target", scale[0] if framework.levels else scale[-1]))
    if target not in scale:
        problems.append(_unknown_level(target, framework, scale, path, data.line_of("target")))
    levels: dict[str, str] = {}
    # Groups first, then items, so that a more specific code overrides its group's level.
    raw = data["levels"]
    for code in sorted(raw, key=lambda c: -len(framework.group_items(str(c)))):
        level, line = str(raw[code]), raw.line_of(code)
        items = framework.group_items(str(code))
        if not items:
            problems.append(Problem("claim.unknown_item", path, line, {
                "code": code, "framework": framework.id,
                "suggestions": ", ".join(nearest(str(code), framework.item_by_code))}))
        elif level not in scale:
            problems.append(_unknown_level(level, framework, scale, path, line))
        else:
            levels.update({item.code: level for item in items})
    date = dt.date.fromisoformat(data["date"])
    return SelfAssessment(framework.id, date, target, levels, path), problems


def _unknown_level(level: str, framework: Framework, scale: list[str], path: Path, line: int | None) -> Problem:
    return Problem("claim.unknown_level", path, line,
                   {"level": level, "framework": framework.id, "allowed": ", ".join(scale)})


def _evidence(meta: LineDict, path: Path, folder: Path, base: Path,
              references: list[Reference]) -> tuple[list[Evidence], list[Problem]]:
    evidence: list[Evidence] = []
    problems: list[Problem] = []
    raw_list = meta.get("evidence") or []
    for index, raw in enumerate(raw_list):
        line = raw_list.line_of(index)
        if "url" in raw:
            evidence.append(Evidence(title=raw["title"], url=raw["url"]))
            continue
        relative = raw["path"]
        file, problem = resolve_inside(folder, relative, base)
        references.append((posixpath.normpath(relative.replace("\\", "/")), path, line, bool(problem)))
        if problem:
            problems.append(Problem(problem, path, line, {"path": relative}))
            continue
        evidence.append(Evidence(title=raw["title"], path=PurePosixPath(relative).as_posix(), file=file))
        unfit = _unfit_file(file)
        if unfit:
            problems.append(Problem(f"evidence.{unfit}", path, line, evidence_rule_params(relative), severity=WARNING))
    return evidence, problems


def unfit_evidence(name: str, size: int, head: bytes) -> str:
    """Why a file of this name, size and first bytes is not a trace: 'bad_type',
    'too_large', 'empty' or 'not_what_it_says' ('' when it is one)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        return "bad_type"
    if size > MAX_EVIDENCE_BYTES:
        return "too_large"
    if size == 0:
        return "empty"
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        return "not_what_it_says"
    return ""


def evidence_rule_params(name: str) -> dict[str, str]:
    return {"name": name, "path": name, "allowed": ", ".join(sorted(EVIDENCE_TYPES)), "limit": "20 MiB"}


def _unfit_file(file: Path) -> str:
    try:
        with file.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(EVIDENCE_HEAD_BYTES)
    except OSError:
        return ""  # resolve_inside found it a moment ago; the build reports what it cannot read
    return unfit_evidence(file.name, size, head)


def resolve_inside(folder: Path, relative: str, base: Path | None = None) -> tuple[Path | None, str]:
    """Resolve an evidence path, refusing anything that leaves the candidate folder.

    Both `..` and symbolic links are followed before comparing, so that neither a
    crafted path nor a link to /etc/passwd can publish a file from outside. `base` is
    the folder resolved, when the caller has it.
    """
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or relative.startswith(("/", "~")) or ":" in pure.parts[0]:
        return None, "evidence.absolute"
    base = base or folder.resolve()
    target = (folder / pure)
    resolved = Path(os.path.realpath(target))
    if resolved != base and base not in resolved.parents:
        return None, "evidence.outside"
    try:
        mode = os.stat(resolved).st_mode  # never opened: it may be a FIFO
    except OSError as error:
        return None, "evidence.loop" if error.errno == errno.ELOOP else "evidence.missing"
    if not stat.S_ISREG(mode):
        return None, "evidence.not_file"
    return target, ""


def read_entry(path: Path, folder: Path, frameworks: Mapping[str, Framework], pursued: Mapping[str, int | None],
               *, slug: str | None = None) -> tuple[Entry | None, list[Problem]]:
    """One entry file read as `check` reads it in its candidate's folder, with every problem
    `check` reports for it. `path` may lie outside `folder` (the editor checks a draft in a
    scratch file before writing it, issue 31): evidence still resolves in `folder`, and
    `slug` names the entry the draft becomes."""
    try:
        return _read_entry(path, slug or slug_for(path.stem), folder, folder.resolve(), frameworks, pursued, [])
    except InputError as error:
        return None, error.problems
