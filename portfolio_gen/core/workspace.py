"""A workspace: the folder holding `referentiels/` and `candidates/`, loaded as a whole.

This is the entry point of the pipeline (files -> model): it reads every framework and
every candidate and gathers all problems, so that one run of `check` reports them all.
Candidates unchanged since the last run come from the read cache, with their problems;
the others are read, in parallel processes when there are many. The read cache is rows of
the workspace's cache store (`cachestore`): each candidate folder's read, under the
folder's fingerprint (name, size, time of every file: `folders`) and a context naming the
reading code, the schemas and the framework files; anything else is a miss and the folder
is read again. Problems are stored with the candidate and returned on every run, so the
cache never hides an error.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import yaml

from .. import __version__
from .cachestore import CacheStore, Stored, decode, encode, share_by_value
from .folders import file_fingerprint, folder_fingerprint
from .frameworks import load_frameworks
from .model import Candidate, Claim, Framework
from .portfolios import CANDIDATE_FILE, candidate_folders, index_listing, read_candidate, slug_for
from .problems import InputError, Problem
from .registry import REGISTRY_FILE, load_registry

FRAMEWORKS_DIR = "referentiels"
CANDIDATES_DIR = "candidates"
# Kinds of rows in the read cache.
CANDIDATE_ROWS, FRAMEWORK_ROWS, LISTING_ROWS = "candidate", "frameworks", "index listing"
# A claim recurs across a cohort (most candidates claim c2i2e's A1.3): decoded as one
# object per distinct value (bench/cohort.py: a fifth of a national cohort's memory).
share_by_value(Claim)
# Below this many folders to read, starting processes costs more than it saves.
PARALLEL_MIN_FOLDERS = 200
PARALLEL_MIN_FINGERPRINTS = 1000  # a fingerprint takes about 0.1 ms; a worker, tens of ms
STORE_EVERY = 500  # rows written to the read cache per transaction on a cold read

ReadResult = tuple[Candidate | None, list[Problem]]


@dataclass
class Workspace:
    root: Path
    frameworks: dict[str, Framework]
    candidates: dict[str, Candidate] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # What each candidate was read from: its folder's fingerprint (see folders.folder_fingerprint), for
    # caches of what is derived from a folder; only folders the read cache could trust.
    fingerprints: dict[str, str] = field(default_factory=dict)
    frameworks_digest: str = ""  # of the framework files' contents

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def candidate(self, slug: str) -> Candidate:
        return self.candidates[slug]


def is_workspace(folder: Path) -> bool:
    """A folder portfolio-gen works in: it holds `portfolio-gen.yml` (a cohort workspace, a
    candidate repository) or, as workspaces did before settings existed, `referentiels/`."""
    from .settings import SETTINGS_FILE
    return (folder / SETTINGS_FILE).is_file() or (folder / FRAMEWORKS_DIR).is_dir()


def nearest_workspace(folder: Path) -> Path | None:
    """The closest folder above `folder` that is a workspace (issue 31: a command run from
    a candidate's folder, or from `site/`, names where to go); None when there is none."""
    for parent in folder.resolve().parents:
        try:
            if is_workspace(parent):
                return parent
        except OSError:  # an unreadable parent: look no further up
            return None
    return None


def not_a_workspace(folder: Path) -> Problem | None:
    """Why a command needing a workspace cannot run in `folder`, or None: it is one."""
    if is_workspace(folder):
        return None
    nearest = nearest_workspace(folder)
    if nearest is None:
        return Problem("workspace.none", None, None, {"folder": str(folder.resolve())})
    return Problem("workspace.elsewhere", None, None, {"folder": str(folder.resolve()), "nearest": str(nearest)})


def framework_files(root: Path, extra: Iterable[Path] = ()) -> list[Path]:
    folder = root / FRAMEWORKS_DIR
    found = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return found + [Path(p) for p in extra]


def _registry_problems(root: Path, frameworks: dict[str, Framework]) -> list[Problem]:
    """The evaluator registry is checked with the rest when the workspace has one."""
    if not (root / REGISTRY_FILE).exists():
        return []
    try:
        load_registry(root, frameworks)
    except InputError as error:
        return error.problems
    return []


def load_workspace(root: Path, extra_frameworks: Iterable[Path] = (),
                   only: Iterable[str] | None = None, *, cache: bool = True,
                   jobs: int | None = None) -> Workspace:
    """Read the workspace at `root`; `only` restricts reading to some candidate slugs.

    `cache=False` reads every file (and leaves the cache alone); `jobs` caps the
    processes used for cold reads (default: one per core).
    """
    paths = framework_files(root, extra_frameworks)
    frameworks_digest = files_digest(paths)
    store = CacheStore.open(root, cache_context(frameworks_digest)) if cache else CacheStore.disabled()
    try:
        return _load(root, paths, frameworks_digest, only, store, jobs)
    finally:
        store.close()


def _load(root: Path, paths: list[Path], frameworks_digest: str, only: Iterable[str] | None,
          store: CacheStore, jobs: int | None) -> Workspace:
    frameworks, problems = _frameworks(paths, frameworks_digest, store)
    workspace = Workspace(root, frameworks, problems=list(problems), frameworks_digest=frameworks_digest)
    wanted = set(only) if only is not None else None
    seen: dict[str, Path] = {}
    folders = candidate_folders(root / CANDIDATES_DIR)
    for folder in folders:
        if wanted is not None and folder.name not in wanted:
            continue
        slug = slug_for(folder.name)
        if slug in seen:
            workspace.problems.append(Problem("candidate.duplicate_slug", folder, None,
                                              {"slug": slug, "other": seen[slug].name}))
            continue
        seen[slug] = folder
    results, fingerprints = _read_candidates(list(seen.values()), frameworks, store, jobs)
    if wanted is None:
        # Rows are named by the folder as this run spells it (the model holds paths so
        # spelled): the same workspace reached another way (`--root /srv/ws` and, from
        # inside it, the default `.`) keeps its own rows instead of deleting these.
        store.forget_others(CANDIDATE_ROWS, (str(folder) for folder in seen.values()),
                            within=os.path.join(str(root / CANDIDATES_DIR), ""))
    for (candidate, candidate_problems), fingerprint in zip(results, fingerprints):
        workspace.problems.extend(candidate_problems)
        if candidate is not None:
            workspace.candidates[candidate.slug] = candidate
            if fingerprint is not None:
                workspace.fingerprints[candidate.slug] = fingerprint
    if wanted is None:
        workspace.problems.extend(_registry_problems(root, frameworks))
    if wanted is not None:
        # The hint lists the workspace's candidates, not those asked for (`seen`): it was
        # empty for every command that reads one candidate (`status x`, `sign x`...).
        known = ", ".join(folder.name for folder in folders) or "—"
        for slug in sorted(wanted - set(seen)):
            workspace.problems.append(Problem("candidate.unknown", root / CANDIDATES_DIR / slug, None,
                                              {"slug": slug, "known": known}))
    return workspace


def index_listings(root: Path, slugs: Iterable[str]) -> list[tuple[str, str]]:
    """(name, slug) of the candidates among `slugs` who asked to be on the institution's
    home page, each read from candidate.yml alone (`index_listing`) and remembered while
    that file is unchanged: every build lists the whole cohort."""
    store = CacheStore.open(root, cache_context(LISTING_ROWS))
    listings, fresh = [], []
    base = str(root / CANDIDATES_DIR)
    slugs = list(slugs)
    names = [os.path.join(base, slug, CANDIDATE_FILE) for slug in slugs]  # str(folder / CANDIDATE_FILE)
    fingerprints = [file_fingerprint(name) for name in names]
    try:
        for slug, name, fingerprint, cached in zip(slugs, names, fingerprints,
                                                   store.get_many(LISTING_ROWS, list(zip(names, fingerprints)))):
            if cached is None:
                cached = (index_listing(Path(base, slug)),)  # a tuple: None (not listed) is worth keeping
                if fingerprint:
                    fresh.append(Stored(LISTING_ROWS, name, fingerprint, cached))
            if cached[0] is not None:
                listings.append(cached[0])
        store.put_many(fresh)
    finally:
        store.close()
    return listings


def _frameworks(paths: list[Path], digest: str, store: CacheStore) -> tuple[dict[str, Framework], list[Problem]]:
    """The frameworks and their problems, read again only when a framework file changed."""
    name = "\0".join(map(str, paths))
    cached = store.get(FRAMEWORK_ROWS, name, digest)
    if cached is not None:
        return cached
    frameworks, problems = load_frameworks(paths)
    store.put_many([Stored(FRAMEWORK_ROWS, name, digest, (frameworks, problems))])
    return frameworks, problems


def _read_candidates(folders: list[Path], frameworks: Mapping[str, Framework], store: CacheStore,
                     jobs: int | None) -> tuple[list[ReadResult], list[str | None]]:
    """Each folder's candidate and problems, in order, from the cache when unchanged; and
    each folder's fingerprint (None when the cache is off or a file is too fresh)."""
    fingerprints, results = _cached_reads(folders, store, jobs)
    missing = [index for index, result in enumerate(results) if result is None]
    rows: list[Stored] = []
    for index, (result, blob) in zip(missing, _read_folders([folders[i] for i in missing], frameworks, jobs)):
        results[index] = result
        # A folder whose files are too fresh to trust their mtime has no fingerprint: not stored.
        if fingerprints[index] is not None:
            rows.append(Stored(CANDIDATE_ROWS, str(folders[index]), fingerprints[index], result, blob))
        if len(rows) >= STORE_EVERY:  # a cohort's encoded rows are not all held at once
            store.put_many(rows)
            rows = []
    store.put_many(rows)
    return results, fingerprints


def _cached_reads(folders: list[Path], store: CacheStore,
                  jobs: int | None) -> tuple[list[str | None], list[ReadResult | None]]:
    """Each folder's fingerprint, and its cached read where that is still the folder's.

    On a large cohort the fingerprints, a stat of every file, are taken in another
    process while this one decodes the stored rows, and compared after: each was close
    to half of a warm load, and the two need nothing from each other."""
    if not store.enabled:
        return [None] * len(folders), [None] * len(folders)
    names = [str(folder) for folder in folders]
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1)
    if workers <= 1 or len(folders) < PARALLEL_MIN_FINGERPRINTS:
        fingerprints = _fingerprints(folders)
        return fingerprints, store.get_many(CANDIDATE_ROWS, list(zip(names, fingerprints)))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        taking = pool.submit(_fingerprints, folders)
        stored = store.stored_many(CANDIDATE_ROWS, names)
        fingerprints = taking.result()
    return fingerprints, [row[1] if row is not None and fingerprint is not None and row[0] == fingerprint else None
                          for row, fingerprint in zip(stored, fingerprints)]


def _fingerprints(folders: list[Path]) -> list[str | None]:
    return [folder_fingerprint(folder) for folder in folders]


def _read_folders(folders: list[Path], frameworks: Mapping[str, Framework],
                  jobs: int | None) -> Iterator[tuple[ReadResult, bytes | None]]:
    """Each folder read, in order, with its result encoded for the cache when a worker read it."""
    workers = min(jobs or os.cpu_count() or 1, os.cpu_count() or 1)
    if workers <= 1 or len(folders) < PARALLEL_MIN_FOLDERS:
        for folder in folders:
            yield read_candidate(folder, frameworks), None
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_set_worker_frameworks,
                             initargs=(frameworks,)) as pool:
        # Encoded by the worker: the parent, which every result passes through, decodes
        # each once and stores the same bytes, instead of decoding and encoding again.
        for blob in pool.map(_read_in_worker, folders, chunksize=max(1, len(folders) // (workers * 8))):
            yield decode(blob), blob


_worker_frameworks: Mapping[str, Framework] = {}


def _set_worker_frameworks(frameworks: Mapping[str, Framework]) -> None:
    global _worker_frameworks
    _worker_frameworks = frameworks


def _read_in_worker(folder: Path) -> bytes:
    return encode(read_candidate(folder, _worker_frameworks))


_code_version: str | None = None


def cache_context(*parts: str) -> str:
    """The context of cached values computed by this code from `parts` (digests of the
    files they depend on)."""
    return hashlib.sha256("\0".join([code_version(), *parts]).encode()).hexdigest()


def code_version() -> str:
    """The tool's version and a digest of the reading code and schemas.

    A development checkout changes code without a version bump; a stale row built by
    older readers must then be a miss, not a silently different answer.
    """
    global _code_version
    if _code_version is None:
        digest = hashlib.sha256(f"{__version__} {yaml.__version__} {yaml.__with_libyaml__}".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.glob("*.py")):
            digest.update(path.read_bytes())
        schemas = resources.files("portfolio_gen").joinpath("data/schemas")
        for entry in sorted(schemas.iterdir(), key=lambda e: e.name):
            digest.update(entry.read_bytes())
        _code_version = digest.hexdigest()
    return _code_version


def files_digest(paths: Iterable[Path]) -> str:
    """Digest of the contents of a few small files (frameworks), by name."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        digest.update(f"{path}\0{len(data)}\0".encode("utf-8", "surrogateescape") + data)
    return digest.hexdigest()
