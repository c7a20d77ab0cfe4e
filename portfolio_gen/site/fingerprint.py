"""Whether a candidate's site is up to date: a fingerprint of everything that shapes it.

The inputs are the candidate's folder (every file and link, as `core.folders` lists it:
links are not followed out of the folder, special files never opened), the frameworks it pursues, the theme,
the tool versions and the validations shown. File contents are hashed only when their
size or modification time changed since the last build, so checking a thousand
unchanged candidates costs a few stat calls each rather than reading every file.
Records live in the workspace's cache (`.cache/portfolio-gen/`, one folder per output
folder), never among published files: they list file names, drafts included.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable, Mapping

from .. import __version__
from ..core import folders
from ..core.files import sha256_file, write_atomic
from ..core.model import Validation
from ..core.workspace import framework_files
from .render import themes_dir

RECORDS_DIR = Path(".cache", "portfolio-gen")
# (size, mtime in ns, sha256) per file, keyed by its path relative to the candidate folder.
FileStats = dict[str, tuple[int, int, str]]


def tool_version() -> str:
    """Versions of the tools, and a digest of the site code and strings.

    The digest makes a development checkout rebuild when the code changes without a
    version bump; installed releases pay a few small reads for it.
    """
    package = Path(__file__).resolve().parent
    code = hashlib.sha256()
    # Every word a page says: the English source of every catalogue file (pages say
    # verdicts, awards and the footer too, not only site.yml's words) and the compiled
    # translations (issue 30: a translation corrected changes the pages of every version).
    words = sorted((package.parent / "data" / "messages").glob("*.yml"))
    translations = sorted((package.parent / "data" / "locale").glob("*/LC_MESSAGES/messages.mo"))
    for path in sorted(package.glob("*.py")) + words + translations:
        code.update(path.read_bytes())
    return (f"portfolio-gen {__version__}; mkdocs {version('mkdocs')}; "
            f"mkdocs-material {version('mkdocs-material')}; site code {code.hexdigest()[:16]}")


@dataclass(frozen=True)
class SharedInputs:
    """Inputs common to every candidate of a run, digested once per run."""

    tool: str
    theme: str
    frameworks: Mapping[str, str]  # framework id (its file stem) -> sha256


def engine_version(engine: str) -> str:
    """The engine that builds the sites: another engine, or another version of it, makes
    other pages (issue 33). MkDocs' own versions are in `tool_version` already."""
    if engine == "mkdocs":
        return "engine mkdocs"
    try:
        return f"engine {engine} {version(engine)}"
    except PackageNotFoundError:
        return f"engine {engine} (not installed)"


def shared_inputs(root: Path, engine: str = "mkdocs") -> SharedInputs:
    frameworks = {path.stem: sha256_file(path) for path in framework_files(root)}
    return SharedInputs(f"{tool_version()}; {engine_version(engine)}", tree_digest(themes_dir()), frameworks)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for relative, (_, _, sha) in sorted(scan_files(folder, listing=folders.scan(folder, ignore=["__pycache__"])).items()):
        digest.update(f"{relative}\0{sha}\n".encode())
    return digest.hexdigest()


def scan_files(folder: Path, known: FileStats | None = None, *, listing: folders.Listing | None = None,
               now: float | None = None) -> FileStats:
    """Every file under `folder` (`folders.scan`: a link to a file inside under its own
    name, nothing through a link to a folder, no special file), hashing only those whose
    size or mtime changed since `known`.

    A file changed within the last RACY_SECONDS is kept with no time: it may change
    again within the same mtime tick, so the next build hashes it again.
    """
    listing = listing if listing is not None else folders.scan(folder)
    known = known or {}
    found: FileStats = {}
    for entry in listing.files():
        relative, stat = entry.relative, entry.stat
        previous = known.get(relative)
        if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
            found[relative] = tuple(previous)
            continue
        try:
            sha = sha256_file(Path(entry.path))
        except OSError:
            continue  # removed, or unreadable, since it was listed: not part of the site
        found[relative] = (stat.st_size, -1 if folders.is_fresh(stat.st_mtime_ns, now) else stat.st_mtime_ns, sha)
    return found


def links_in(listing: folders.Listing) -> dict[str, str]:
    """Each link's target as written: re-pointing a link to a folder changes what the
    site shows without changing a file under the candidate folder."""
    return {entry.relative: entry.target for entry in listing.found if entry.kind == folders.LINK}


def validations_digest(validations: Iterable[Validation]) -> str:
    """Digest of the validations shown; '' when there are none, the common case."""
    lines = sorted(repr(v) for v in validations)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest() if lines else ""


@dataclass
class Record:
    """What a site was built from."""

    tool: str
    theme: str
    frameworks: dict[str, str]
    validations: str
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # each symbolic link's target

    def same_inputs(self, other: Record) -> bool:
        """Equal content, ignoring file times (a touched but unchanged file is unchanged)."""
        return (self.tool, self.theme, self.frameworks, self.validations, self.contents(), self.links) == \
               (other.tool, other.theme, other.frameworks, other.validations, other.contents(), other.links)

    def contents(self) -> dict[str, str]:
        return {relative: stats[2] for relative, stats in self.files.items()}


def records_dir(root: Path, output: Path) -> Path:
    """Where the records of the sites built into `output` are kept: one folder per output
    folder, named after its path relative to the workspace when it lies inside (the sites
    move with a workspace moved, copied or checked out elsewhere, and so do their records:
    a copy's `build` finds them up to date instead of building the cohort again), after
    its absolute path otherwise."""
    resolved = output.resolve()
    try:
        name = "./" + resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        name = str(resolved)
    return root / RECORDS_DIR / hashlib.sha256(name.encode()).hexdigest()[:16]


def record_path(records: Path, slug: str) -> Path:
    return records / f"{slug}.json"


def read_record(records: Path, slug: str) -> Record | None:
    """The record of the last successful build, or None (never built, or unreadable)."""
    try:
        data = json.loads(record_path(records, slug).read_text("utf-8"))
        data["files"] = {k: tuple(v) for k, v in data["files"].items()}
        return Record(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_record(records: Path, slug: str, record: Record) -> None:
    write_atomic(record_path(records, slug), json.dumps(asdict(record), sort_keys=True))


def current_record(folder: Path, framework_ids: Iterable[str], shared: SharedInputs,
                   validations: str, previous: Record | None, *, listing: folders.Listing | None = None) -> Record:
    """What the site of `folder` would be built from now; `listing`: the folder's scan,
    when the caller took it already (to read the candidate)."""
    listing = listing if listing is not None else folders.scan(folder)
    files = scan_files(folder, previous.files if previous else None, listing=listing)
    used = {fid: shared.frameworks.get(fid, "") for fid in sorted(framework_ids)}
    return Record(shared.tool, shared.theme, used, validations, files, links_in(listing))


def is_up_to_date(folder: Path, site: Path, previous: Record | None, shared: SharedInputs,
                  validations: str = "") -> bool:
    """Quick check from the last record: the frameworks used are those it lists."""
    if previous is None or not site.is_dir():
        return False
    current = current_record(folder, previous.frameworks, shared, validations, previous)
    return previous.same_inputs(current)
