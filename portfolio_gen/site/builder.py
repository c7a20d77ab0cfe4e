"""Build candidates' sites: one generated folder and one engine build per candidate,
swapped in atomically.

Orchestration only (like `mkdocs.commands.build`): the pages come from `source` (plain
files: Markdown, assets, mkdocs.yml), the site from the engine (`engines`: MkDocs or
Zensical, issue 33), the decisions from `rules`. A build writes into a temporary folder
beside `<output>/<slug>` and replaces the old site in one rename, so a reader never sees
half a site and a failed build leaves the previous one untouched. Unchanged candidates
are skipped (see `fingerprint`), the others are built in parallel processes.
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import yaml

from ..core import folders
from ..core.i18n import LANGUAGES
from ..core.frameworks import load_frameworks
from ..core.model import Candidate, Framework, Validation
from ..core.portfolios import candidate_folders, read_candidate
from ..core.problems import InputError, Problem
from ..core.workspace import CANDIDATES_DIR, framework_files, index_listings
from ..core.files import sha256_file, write_if_changed
from ..institution import trustfiles
from ..institution.context import CANDIDATE_REPOSITORY, load_institution
from ..institution.manifest import published_files, stale_manifest_files
from ..institution.revocation import list_files
from .credentials import (PublishedCredentials, publish_credentials, publish_root_files,
                          trust_stamp)
from ..core.settings import DEFAULT_ENGINE
from .engines import ENGINES, EngineError
from .institution import build_institution_site
from .sanitize import theme_text
from .source import THEME_FEATURES, PageError, trim_output, write_site_source
from .versions import other_versions
from .fingerprint import (SharedInputs, current_record, is_up_to_date, read_record, records_dir, shared_inputs,
                          validations_digest, write_record)

BUILT, SKIPPED, FAILED = "built", "skipped", "failed"

# Given a candidate's slug, not the candidate: the unchanged-candidate skip runs in the
# parent from stat calls alone, and must not read a folder to learn what it shows.
ValidationProvider = Callable[[str], list[Validation]]


def no_validations(slug: str) -> list[Validation]:
    """A provider for sites that show nothing validated (previews without credentials)."""
    return []


@dataclass(frozen=True)
class BuildResult:
    slug: str
    status: str  # BUILT | SKIPPED | FAILED
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()  # bad input, each with its file and line
    file: Path | None = None  # the input being processed when the build failed
    error: str = ""
    warnings: tuple[str, ...] = ()  # what the engine logged at WARNING or above


@dataclass(frozen=True)
class BuildSettings:
    """Everything a worker process needs; picklable (the provider must be a module-level function)."""

    root: Path
    output: Path
    shared: SharedInputs
    force: bool = False
    # None: the validations are those of the candidate's credentials that count (trust
    # layer, judged in the worker); a provider overrides them (tests, previews).
    validations: ValidationProvider | None = None
    trust: str = ""  # stat stamp of did.json, registry.json and the status list
    engine: str = DEFAULT_ENGINE  # a key of engines.ENGINES

    @cached_property
    def records(self) -> Path:  # resolves the output: once, not once per candidate
        return records_dir(self.root, self.output)


# --- one candidate ----------------------------------------------------------------------

_frameworks_cache: dict[tuple, Mapping[str, Framework]] = {}


def frameworks_for(root: Path, shared: SharedInputs) -> Mapping[str, Framework]:
    """Frameworks read once per worker process; keyed by their digests, so never stale."""
    key = (str(root.resolve()), tuple(sorted(shared.frameworks.items())))
    if key not in _frameworks_cache:
        _frameworks_cache.clear()
        frameworks, _ = load_frameworks(framework_files(root))
        _frameworks_cache[key] = frameworks
    return _frameworks_cache[key]


def build_candidate(slug: str, settings: BuildSettings) -> BuildResult:
    """Read, check and build one candidate; never raises for bad input or a failed build."""
    started = time.perf_counter()
    folder = settings.root / CANDIDATES_DIR / slug
    frameworks = frameworks_for(settings.root, settings.shared)
    listing = folders.scan(folder)  # once, for reading the candidate and for the record
    candidate, problems = read_candidate(folder, frameworks, listing=listing)
    errors = tuple(p for p in problems if p.is_error)
    if candidate is None or errors:
        return BuildResult(slug, FAILED, time.perf_counter() - started, problems=errors,
                           file=errors[0].file if errors else folder)
    provided = settings.validations(slug) if settings.validations is not None else None
    # Credentials are judged after the skip check: it needs only their files' digests
    # (they are in the candidate's folder) and the trust files' stamp.
    inputs = _validation_inputs(settings, provided)
    previous = read_record(settings.records, slug)
    used = {p.framework for p in candidate.frameworks}
    record = current_record(folder, used, settings.shared, inputs, previous, listing=listing)
    target = settings.output / slug
    if not settings.force and previous is not None and target.is_dir() and previous.same_inputs(record):
        return BuildResult(slug, SKIPPED, time.perf_counter() - started)
    published = publish_credentials(settings.root, candidate, frameworks)
    validations = published.counted if provided is None else provided
    digests = {folder / relative: stats[2] for relative, stats in record.files.items()}
    result = build_site(candidate, frameworks, validations, digests, target, published, engine=settings.engine)
    if result.status == BUILT:
        write_record(settings.records, slug, record)
    return BuildResult(slug, result.status, time.perf_counter() - started, file=result.file,
                       error=result.error, warnings=result.warnings)


def build_site(candidate: Candidate, frameworks: Mapping[str, Framework], validations: Iterable[Validation],
               digests: Mapping[Path, str], target: Path, published: PublishedCredentials | None = None, *,
               engine: str = DEFAULT_ENGINE) -> BuildResult:
    """Generate one site's folder, build it with `engine` in a temporary folder beside
    `target`, then swap it in."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.building-"))
    digest = _digester(digests)
    validations = list(validations)  # read once per version of the site
    try:
        output, warnings = _build_version(work / "source", candidate, frameworks, validations, digest, published,
                                          engine)
        # The site's versions in its other languages (site/versions.py) go inside the main
        # one, swapped in with it: a version the candidate dropped is gone with the old site.
        for version in other_versions(candidate):
            built, version_warnings = _build_version(work / f"source-{version.language}", version, frameworks,
                                                     validations, digest, published, engine)
            _move_version(built, output / version.language, candidate)
            warnings += version_warnings
        swap_in(output, target)
        return BuildResult(candidate.slug, BUILT, warnings=tuple(warnings))
    except PageError as error:
        return BuildResult(candidate.slug, FAILED, file=error.source or candidate.folder, error=str(error))
    except EngineError as error:
        return BuildResult(candidate.slug, FAILED, file=candidate.folder, error=f"{engine}: {error}")
    except OSError as error:
        # The output could not be written (full disk, read-only folder): say where.
        detail = f"cannot write {target}: {error.strerror or error}"
        return BuildResult(candidate.slug, FAILED, file=target, error=detail)
    except Exception as error:  # noqa: BLE001 - any failure is reported, the old site kept
        return BuildResult(candidate.slug, FAILED, file=candidate.folder, error=f"{type(error).__name__}: {error}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_version(folder: Path, candidate: Candidate, frameworks: Mapping[str, Framework],
                   validations: list[Validation], digest: Callable[[Path], str],
                   published: PublishedCredentials | None, engine: str) -> tuple[Path, list[str]]:
    """One version of the site (in `candidate.language`) built in `folder`: its output
    and the engine's warnings."""
    # 1. The pages, as plain files: everything the tool decides is done here.
    source = write_site_source(folder, candidate, frameworks, validations, digest, published)
    # 2. The engine, running no portfolio-gen code.
    warnings = ENGINES[engine].build(source.config_file)
    # 3. The one step after the engine, the same for both (see source.trim_output).
    trim_output(source.output, candidate.language)
    return source.output, list(warnings)


def _move_version(built: Path, place: Path, candidate: Candidate) -> None:
    """A version into its folder of the main version's output; never over a folder the
    main version publishes (`check` refuses a framework of that id; an evidence folder so
    named is refused here)."""
    if place.exists():
        raise PageError(candidate.folder, FileExistsError(
            f"the site already publishes a folder {place.name}/, where its version in {place.name} goes"))
    os.rename(built, place)


def _digester(digests: Mapping[Path, str]) -> Callable[[Path], str]:
    """Each file's SHA-256, from the fingerprint's record when it has it (hashed once)."""
    known = dict(digests)

    def digest(path: Path) -> str:
        if path not in known:
            known[path] = sha256_file(path)
        return known[path]
    return digest


# --- atomic replacement -----------------------------------------------------------------

RENAME_EXCHANGE = 2  # linux/fs.h


def swap_in(new: Path, target: Path) -> None:
    """Put `new` at `target` in one step; the previous `target` is removed afterwards."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # `new` now holds the previous site
        return
    # No renameat2 (not Linux, old libc): two renames, the gap lasting microseconds.
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0


# --- a whole cohort ---------------------------------------------------------------------

@dataclass
class CohortPlan:
    slugs: list[str]
    unknown: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # every candidate of the workspace


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based, as CI matrices number their jobs)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`K/N` with 1 <= K <= N; ValueError otherwise."""
        index, slash, count = text.partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"{text!r} is not K/N")
        shard = cls(int(index), int(count))
        if not 1 <= shard.index <= shard.count:
            raise ValueError(f"{text!r}: K must be between 1 and N")
        return shard

    def holds(self, slug: str) -> bool:
        """Whether this shard builds `slug`: a hash of the slug alone, so every candidate is
        in exactly one shard, the same on every run and machine whatever the folder order."""
        digest = hashlib.sha256(slug.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1


def plan_cohort(root: Path, slugs: Iterable[str] | None, shard: Shard | None = None) -> CohortPlan:
    known = [folder.name for folder in candidate_folders(root / CANDIDATES_DIR)]
    if not slugs:
        plan = CohortPlan(known, known=known)
    else:
        wanted = list(dict.fromkeys(slugs))
        plan = CohortPlan([s for s in wanted if s in known], [s for s in wanted if s not in known], known)
    if shard is not None:
        plan.slugs = [slug for slug in plan.slugs if shard.holds(slug)]
    return plan


def build_cohort(root: Path, slugs: Iterable[str] | None = None, output: Path = Path("site"), *,
                 jobs: int | None = None, force: bool = False, validations: ValidationProvider | None = None,
                 on_result: Callable[[BuildResult], None] | None = None,
                 shard: Shard | None = None, engine: str = DEFAULT_ENGINE) -> list[BuildResult]:
    """Build the given candidates (all by default) with `engine` (engines.ENGINES); returns
    one result per candidate, by slug.

    `on_result` is called as each candidate finishes (a progress bar); `validations`
    gives each candidate's validations and must be picklable to reach worker processes.
    With `shard`, only that shard's candidates are built: shards write disjoint
    `<output>/<slug>` folders (and identical root files), merged by copying.
    """
    notify = on_result or (lambda result: None)
    plan = plan_cohort(root, slugs, shard)
    results = [BuildResult(slug, FAILED, problems=(unknown_problem(root, slug, plan),)) for slug in plan.unknown]
    settings = BuildSettings(root, output, shared_inputs(root, engine), force, validations, trust_stamp(root),
                             engine)
    publish_root_files(root, output)
    _publish_institution_site(root, output, plan.known)  # the whole cohort, whoever is built now
    pending = []
    unchanged = [False] * len(plan.slugs) if force else _unchanged_many(plan.slugs, settings, jobs)
    for slug, skip in zip(plan.slugs, unchanged):
        if skip:
            results.append(BuildResult(slug, SKIPPED))
            notify(results[-1])
        else:
            pending.append(slug)
    for result in _run(pending, settings, jobs or os.cpu_count() or 1):
        results.append(result)
        notify(result)
    return sorted(results, key=lambda r: r.slug)


def _publish_institution_site(root: Path, output: Path, slugs: Iterable[str]) -> None:
    """The institution's pages and verifier at the output's root; a workspace without
    settings (no institution to speak for) publishes candidates' sites only, and so does a
    candidate repository: a verifier served from the candidate's host, reading the
    candidate's copy of the trust files, would prove nothing (its links lead to the
    institution's own verifier instead)."""
    try:
        institution = load_institution(root, verify_signed=False)
    except InputError:
        return
    if institution.layout == CANDIDATE_REPOSITORY:
        return
    settings = institution.settings
    frameworks, _ = load_frameworks(framework_files(root))
    listed = index_listings(root, slugs)
    # Each signing key's list and the old shared one, at the path their URLs name.
    status_lists = {settings.institution_base_url + relative: relative for relative in list_files(root)}
    build_institution_site(output, settings, frameworks, listed, status_lists)
    publish_manifest(root, output)


def publish_manifest(root: Path, output: Path) -> bool:
    """The institution's signed manifest at the output root, with the files it lists
    under `institution/`, for candidate repositories to be made from (issue 12); only
    while it matches the workspace: a stale one is taken down, never served."""
    if not trustfiles.has_manifest(root):
        return False
    targets = published_files(root)
    if stale_manifest_files(root):
        for relative in targets:
            (output / relative).unlink(missing_ok=True)
        return False
    for relative, source in targets.items():
        write_if_changed(output / relative, source.read_bytes())
    return True


def unknown_problem(root: Path, slug: str, plan: CohortPlan) -> Problem:
    # The hint lists the workspace's candidates, not those asked for (issue #15: it was empty).
    return Problem("candidate.unknown", root / CANDIDATES_DIR / slug, None,
                   {"slug": slug, "known": ", ".join(sorted(plan.known)) or "—"})


# Below this many candidates to check, starting processes costs more than it saves.
PARALLEL_MIN_CHECKS = 2000


def _unchanged_many(slugs: list[str], settings: BuildSettings, jobs: int | None) -> list[bool]:
    """`_unchanged` for each slug, in order; spread over the cores on a large cohort, where
    a stat of every file and a record per candidate made most of a build with one edit."""
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1)
    if workers <= 1 or len(slugs) < PARALLEL_MIN_CHECKS:
        return [_unchanged(slug, settings) for slug in slugs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_unchanged, slugs, itertools.repeat(settings),
                             chunksize=max(1, len(slugs) // (workers * 8))))


def _unchanged(slug: str, settings: BuildSettings) -> bool:
    """The stat-based pre-check, before any build: no build worker started for nothing."""
    folder = settings.root / CANDIDATES_DIR / slug
    provided = settings.validations(slug) if settings.validations is not None else None
    return is_up_to_date(folder, settings.output / slug, read_record(settings.records, slug), settings.shared,
                         _validation_inputs(settings, provided))


def _validation_inputs(settings: BuildSettings, provided: list[Validation] | None) -> str:
    """What the validations shown depend on: the trust files' stamp, or those provided."""
    return f"trust {settings.trust}" if provided is None else validations_digest(provided)


def _run(slugs: list[str], settings: BuildSettings, jobs: int) -> Iterator[BuildResult]:
    if jobs <= 1 or len(slugs) <= 1:
        for slug in slugs:
            yield build_candidate(slug, settings)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(slugs))) as pool:
        futures = [pool.submit(build_candidate, slug, settings) for slug in slugs]
        for future in as_completed(futures):
            yield future.result()


# --- generated folders (no engine) ---------------------------------------------------------

def generate_cohort(root: Path, slugs: Iterable[str] | None, output: Path, sources: Path, *,
                    shard: Shard | None = None) -> list[BuildResult]:
    """Write each candidate's generated folder under `sources/<slug>/` and the root files
    into `output`, running no engine: a CI then builds each folder with the engine's own
    command (`mkdocs build -f sources/<slug>/mkdocs.yml`, or `zensical build -f ...`) and
    moves its `site/` to `output/<slug>/` (issue 33). Results are BUILT for folders written."""
    plan = plan_cohort(root, slugs, shard)
    results = [BuildResult(slug, FAILED, problems=(unknown_problem(root, slug, plan),)) for slug in plan.unknown]
    publish_root_files(root, output)
    _publish_institution_site(root, output, plan.known)  # the whole cohort, whoever is built now
    frameworks, _ = load_frameworks(framework_files(root))
    for slug in plan.slugs:
        results.append(_generate_one(root, slug, frameworks, sources / slug))
    return sorted(results, key=lambda r: r.slug)


def _generate_one(root: Path, slug: str, frameworks: Mapping[str, Framework], folder: Path) -> BuildResult:
    started = time.perf_counter()
    candidate, problems = read_candidate(root / CANDIDATES_DIR / slug, frameworks)
    errors = tuple(p for p in problems if p.is_error)
    if candidate is None or errors:
        return BuildResult(slug, FAILED, problems=errors, file=errors[0].file if errors else root / CANDIDATES_DIR / slug)
    published = publish_credentials(root, candidate, frameworks)
    digest = _digester({})
    try:
        write_site_source(folder, candidate, frameworks, published.counted, digest, published)
        # The other languages' versions (site/versions.py) in `<folder>/<code>/`, which the
        # CI files `init` writes build into the main site's `<code>/`; a version the
        # candidate dropped is removed, never built again from an old generation.
        versions = {version.language: version for version in other_versions(candidate)}
        for language in LANGUAGES:
            if language not in versions:
                shutil.rmtree(folder / language, ignore_errors=True)
        for language, version in versions.items():
            write_site_source(folder / language, version, frameworks, published.counted, digest, published)
    except PageError as error:
        return BuildResult(slug, FAILED, file=error.source or candidate.folder, error=str(error))
    return BuildResult(slug, BUILT, time.perf_counter() - started)


# --- preview ------------------------------------------------------------------------------

def serve_config(root: Path, candidate: Candidate, folder: Path) -> dict:
    """The mkdocs.yml of `serve`'s live preview: the `portfolio` plugin reads the workspace
    on every change and adds the pages only the candidate's own preview shows."""
    config = {
        "site_name": theme_text(candidate.name),
        "docs_dir": str(folder / "docs"),
        "site_dir": str(folder / "site"),
        "theme": {"name": "material", "language": candidate.language, "font": False,
                  "features": list(THEME_FEATURES), "palette": {"primary": "indigo", "accent": "indigo"}},
        "plugins": [{"portfolio": {"workspace": str(root.resolve()), "candidate": candidate.slug, "preview": True}},
                    "search"],
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "toc"],
    }
    if candidate.site_url:
        config["site_url"] = candidate.site_url  # served under its path, as published
    return config


def serve_candidate(root: Path, candidate: Candidate, dev_addr: str = "127.0.0.1:8000") -> None:
    """Run `mkdocs serve` on one candidate's site, with live reload on its files.

    The config is written to a temporary mkdocs.yml because MkDocs reloads it on each
    change; the plugin then reads the workspace itself.
    """
    from mkdocs.commands.serve import serve

    with tempfile.TemporaryDirectory(prefix=f"portfolio-gen-serve-{candidate.slug}-") as work:
        folder = Path(work)
        (folder / "docs").mkdir()
        config_file = folder / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(serve_config(root, candidate, folder), allow_unicode=True), "utf-8")
        serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr)
