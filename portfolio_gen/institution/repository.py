"""Candidate repositories made from the institution's published site: taken, checked, updated.

`init --candidate` and `institution update` take nothing the institution's signature
(its manifest, manifest.py) and the digests do not vouch for, together with the
institution's did.json, signed registry and status lists, and pin what they wrote in
`institution.lock` (core/pinning.py). Whatever fails, nothing is written.

What a folder source cannot prove: that it is the institution's site. Over the network
the did:web must name the host the files come from; a local copy is believed to be the
institution's because the user said so, and the DID it names is printed for them to see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Sequence

import yaml

from ..core import scaffold, toolwheel
from ..core.files import write_atomic
from ..core.pinning import LOCK_FILE, Lock, pinned_problems, read_lock, write_lock
from ..core.problems import InputError, Problem
from ..core.publishing import MANIFEST_FILE, MANIFEST_FILES_DIR, WELL_KNOWN_DID
from ..core.registry import Registry
from ..core.settings import DEFAULT_ENGINE, LOGO_SUFFIXES, SETTINGS_FILE
from ..core.workspace import FRAMEWORKS_DIR
from ..credentials import proofs
from ..credentials.dids import DidResolutionError, DidResolver, parse_did_web, \
    under_did_web_domain
from ..credentials.loader import DocumentLoader
from ..credentials.status import StatusListError
from ..credentials.verify import signed_document_problem, verified_status_list
from .manifest import CREDENTIAL_TYPE
from .registry_credential import REGISTRY_CREDENTIAL_FILE, RegistryCredentialError, verified_signed_registry
from .revocation import list_path
from .trustfiles import DID_DOCUMENT_FILE, listed_files, listed_tool
from .verify_site import FolderSource, HttpSource, SiteSource, SiteUnavailable, open_site, read_json_file


class SourceError(ValueError):
    """The institution's source cannot be trusted or read; the message says why."""


@dataclass(frozen=True)
class InstitutionCopy:
    """Everything a candidate repository takes from the institution, checked."""

    source: str
    institution: str
    manifest: dict  # the signed manifest, kept so the copy can be checked again offline
    manifest_version: int
    files: dict[str, bytes]  # settings and framework files, by workspace path
    did_document: dict
    registry_credential: dict
    registry: Registry
    registry_version: int
    frameworks: dict[str, str] = field(default_factory=dict)  # framework id -> its version
    # The signed revocation lists the site has and that are usable (the old shared one, and
    # one per signing key: see `revocation`), by workspace path: not pinned (re-signed every
    # few weeks), refreshed by each `institution update`, published by `build`.
    status_lists: dict[str, dict] = field(default_factory=dict)
    # The portfolio-gen wheel the institution publishes and signed, and its public URL: what
    # the repository's CI installs (requirements.txt). None from a manifest naming none.
    tool: toolwheel.ToolWheel | None = None
    tool_url: str = ""


_UNAVAILABLE = {
    SiteUnavailable.NETWORK: "{target} is on the network: pass --allow-network to read it, "
                             "or give a local copy of the institution's site (a folder)",
    SiteUnavailable.NOT_HTTPS: "{target}: only an https site can be read over the network",
    SiteUnavailable.NO_FOLDER: "{target}: no such folder (give the institution's built site, "
                               "or its https URL with --allow-network)",
}


def open_source(location: str, *, allow_network: bool) -> SiteSource:
    try:
        source = open_site(location, allow_network=allow_network)
    except SiteUnavailable as error:
        raise SourceError(_UNAVAILABLE[error.code].format(target=error.target)) from None
    # A folder is named absolutely, so the lock finds it wherever the command runs later.
    return FolderSource(source.root) if isinstance(source, FolderSource) else source


def fetch_institution(source: SiteSource, *, now: dt.datetime | None = None,
                      loader: DocumentLoader | None = None) -> InstitutionCopy:
    """The institution's files from its site, once the manifest's signature, every
    listed file's digest, the did.json and the signed registry check out."""
    loader = loader or DocumentLoader()
    manifest = _required_json(source, MANIFEST_FILE, "the institution has not signed its published files "
                              "(portfolio-gen institution sign --key ..., then build)")
    institution = proofs.issuer_id(manifest)
    if CREDENTIAL_TYPE not in (manifest.get("type") or []) or not isinstance(institution, str):
        raise SourceError(f"{MANIFEST_FILE} is not an {CREDENTIAL_TYPE}")
    try:
        parse_did_web(institution)
    except DidResolutionError as error:
        raise SourceError(f"{MANIFEST_FILE}: its issuer is not a usable did:web ({error})") from None
    if isinstance(source, HttpSource) and not under_did_web_domain(source.base, institution):
        raise SourceError(f"{source.base} is not on the domain of {institution}, which signed {MANIFEST_FILE}: "
                          "give the institution's own site")
    did_document = _required_json(source, WELL_KNOWN_DID, "the institution's site publishes its did.json there")
    if did_document.get("id") != institution:
        raise SourceError(f"{WELL_KNOWN_DID} is the document of {did_document.get('id')!r}, not of {institution}")
    resolver = DidResolver({institution: did_document})
    problem = signed_document_problem(manifest, resolver, loader=loader, now=now)
    if problem:
        raise SourceError(f"{MANIFEST_FILE}: {problem}")
    listed_by_path = {listed["path"]: listed for listed in listed_files(manifest)}
    if SETTINGS_FILE not in listed_by_path:
        raise SourceError(f"{MANIFEST_FILE} lists no {SETTINGS_FILE}")
    settings = _settings_of(_checked_file(source, listed_by_path[SETTINGS_FILE], ""))
    logo = _signed_logo(settings)
    files = {relative: _checked_file(source, listed, logo) for relative, listed in listed_by_path.items()}
    if settings.get("institution", {}).get("id") != institution:
        raise SourceError(f"{SETTINGS_FILE} names {settings.get('institution', {}).get('id')!r}, "
                          f"not {institution}, which signed it")
    registry_credential = _required_json(source, REGISTRY_CREDENTIAL_FILE,
                                         "the institution signs its evaluators (portfolio-gen registry sign)")
    try:
        signed = verified_signed_registry(registry_credential, institution, resolver, loader, now)
    except RegistryCredentialError as error:
        raise SourceError(f"{REGISTRY_CREDENTIAL_FILE}: {error}") from None
    tool, tool_url = _published_tool(source, manifest, settings)
    return InstitutionCopy(source.location, institution, manifest, manifest["credentialSubject"]["version"],
                           files, did_document, registry_credential, signed.registry, signed.version,
                           _framework_versions(files),
                           _status_lists(source, institution, resolver, loader, now, signed.registry, did_document),
                           tool, tool_url)


def create_candidate_repository(directory: Path, copy: InstitutionCopy, name: str, *,
                                frameworks: Sequence[str] = (), email: str = "", role: str = "enseignant",
                                language: str = "fr", site_base_url: str = "", mentions: Sequence[str] = ()) -> list[Path]:
    """A one-candidate workspace in `directory`, written whole or not at all: built in a
    temporary folder beside it, then renamed into place."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(directory)
    chosen = list(frameworks) or sorted(copy.frameworks)
    unknown = [f for f in chosen if f not in copy.frameworks]
    if unknown:
        raise SourceError(f"the institution publishes no framework {', '.join(unknown)} "
                          f"(it publishes: {', '.join(sorted(copy.frameworks)) or 'none'})")
    if copy.tool is None:  # the repository's CI would have nothing to install
        raise InputError([Problem("institution.no_tool", None, None, {"source": copy.source})])
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        _write_copy(staging, copy, site_base_url)
        # Refreshing from the network in CI is possible only from an https source.
        settings = _settings_of(copy.files[SETTINGS_FILE])
        # Its CI builds the site's folder with the engine's own command (issue 33), the
        # institution's choice of engine to start with.
        scaffold.write_workspace_files(staging, refresh_from=copy.source if copy.source.startswith("https://") else "",
                                       candidate=True, engine=settings.get("site", {}).get("engine", DEFAULT_ENGINE))
        toolwheel.pin(staging, toolwheel.requirement(copy.tool_url, copy.tool))
        institution_name = settings["institution"]["name"]
        created = scaffold.new_candidate(staging, name, role, institution_name, chosen, language, email=email,
                                         mentions=mentions)
        if directory.exists():
            directory.rmdir()
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [directory / path.relative_to(staging) for path in created] + [directory / LOCK_FILE]


@dataclass(frozen=True)
class Changes:
    """What `institution update` changed, for the user to read."""

    frameworks: list[str]  # "c2i2e: 2006 -> 2026", "+ digcompedu", "- pix-edu"
    evaluators_added: list[str]
    evaluators_removed: list[str]
    files: list[str]  # every pinned file rewritten

    @property
    def any(self) -> bool:
        return bool(self.files)


def update_repository(root: Path, copy: InstitutionCopy) -> Changes:
    """Replace the pinned copy with a newer one from the same institution; refuses an
    older registry or manifest (a replay) and a pinned file edited by hand."""
    lock = read_lock(root)
    if lock is None:
        raise SourceError(f"{root / LOCK_FILE} is missing: this is not a candidate repository made by "
                          "`portfolio-gen init --candidate`")
    if copy.institution != lock.institution:
        raise SourceError(f"the source is signed by {copy.institution}, this repository belongs to {lock.institution}")
    if copy.registry_version < lock.registry_version:
        raise SourceError(f"the source's registry is version {copy.registry_version}, older than the pinned "
                          f"version {lock.registry_version}: an old copy of the site?")
    if copy.manifest_version < lock.manifest_version:
        raise SourceError(f"the source's manifest is version {copy.manifest_version}, older than the pinned "
                          f"version {lock.manifest_version}: an old copy of the site?")
    edited = [p.params["path"] for p in pinned_problems(root) if p.key == "pinned.modified"]
    if edited:
        raise SourceError(f"pinned files were edited by hand: {', '.join(sorted(edited))}; restore them "
                          "(git checkout) before updating")
    old_registry = _registry_ids(root)
    old_frameworks = _framework_versions({p: (root / p).read_bytes() for p in lock.files
                                          if p.startswith(f"{FRAMEWORKS_DIR}/") and (root / p).is_file()})
    before = dict(lock.files)
    staging = Path(tempfile.mkdtemp(prefix=".update.", dir=root))
    try:
        written = _write_copy(staging, copy, lock.site_base_url)
        for stale in set(before) - set(written.files):
            (root / stale).unlink(missing_ok=True)
        for relative in written.files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, root / relative)
        for relative in copy.status_lists:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, root / relative)
        os.replace(staging / LOCK_FILE, root / LOCK_FILE)  # last: the lock names what is now there
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pinned_tool = []
    if copy.tool is not None and toolwheel.pinned_line(root) != toolwheel.requirement(copy.tool_url, copy.tool):
        toolwheel.pin(root, toolwheel.requirement(copy.tool_url, copy.tool))  # the CI installs the newer tool
        pinned_tool.append(toolwheel.REQUIREMENTS_FILE)
    new_registry = {e.id for e in copy.registry.evaluators}
    return Changes(_framework_changes(old_frameworks, copy.frameworks), sorted(new_registry - old_registry),
                   sorted(old_registry - new_registry),
                   sorted(p for p in written.files.keys() | before.keys() if written.files.get(p) != before.get(p))
                   + pinned_tool)


def _write_copy(root: Path, copy: InstitutionCopy, site_base_url: str) -> Lock:
    """Write the institution's files into `root` with their lock; the lock."""
    # The settings stay the institution's, byte for byte, so that their signature holds;
    # the candidate's own publishing address lives in the lock (core/settings.py reads it).
    files = dict(copy.files)
    site_base_url = site_base_url if not site_base_url or site_base_url.endswith("/") else site_base_url + "/"
    files[DID_DOCUMENT_FILE] = _json_bytes(copy.did_document)
    files[REGISTRY_CREDENTIAL_FILE] = _json_bytes(copy.registry_credential)
    files[MANIFEST_FILE] = _json_bytes(copy.manifest)
    for relative, data in files.items():
        write_atomic(root / relative, data)
    for relative, status_list in copy.status_lists.items():
        write_atomic(root / relative, _json_bytes(status_list))
    lock = Lock(copy.source, copy.institution, copy.manifest_version, copy.registry_version,
                {relative: hashlib.sha256(data).hexdigest() for relative, data in files.items()}, site_base_url)
    write_lock(root, lock)
    return lock


def _published_tool(source: SiteSource, manifest: dict,
                    settings: dict) -> tuple[toolwheel.ToolWheel | None, str]:
    """The wheel the manifest names, once the site serves exactly it, and its public URL:
    under the https site given, or under the institution's site_base_url for a local copy."""
    listed = listed_tool(manifest)
    if listed is None:
        return None, ""
    relative = f"{MANIFEST_FILES_DIR}/{listed['path']}"
    data = source.read(relative)
    if data is None:
        raise SourceError(f"{source.location}: {relative} is listed in {MANIFEST_FILE} but missing")
    if hashlib.sha256(data).hexdigest() != listed["sha256"]:
        raise SourceError(f"{relative} is not the file the institution signed (its digest differs)")
    base = source.base if isinstance(source, HttpSource) else str(settings.get("site_base_url") or "")
    if not base.startswith("https://"):
        raise SourceError(f"{SETTINGS_FILE}: site_base_url {base!r} is not an https address to install the tool from")
    base = base if base.endswith("/") else base + "/"
    return toolwheel.ToolWheel(listed["path"].rsplit("/", 1)[1], listed["sha256"]), base + relative


def _status_lists(source: SiteSource, institution: str, resolver: DidResolver, loader: DocumentLoader,
                  now: dt.datetime | None, registry: Registry, did_document: dict) -> dict[str, dict]:
    """The institution's status lists the site has and it signed: the old shared one, the
    list of each key of its registry and of its own did.json. A missing or unusable one is
    left out: verifiers then say "status unknown" until the next update brings it, never
    "not revoked"."""
    names = {""} | {key.removeprefix("did:key:") for e in registry.evaluators for key in e.keys}
    methods = did_document.get("verificationMethod") if isinstance(did_document, dict) else None
    names |= {m.get("publicKeyMultibase") for m in methods or [] if isinstance(m, dict)}
    found = {}
    for name in sorted(n for n in names if isinstance(n, str)):
        try:
            relative = list_path(name)
            data = source.read(relative)
            if data:
                found[relative] = verified_status_list(json.loads(data), resolver, institution, loader=loader, now=now)
        except (ValueError, RecursionError, StatusListError):
            continue
    return found


def _required_json(source: SiteSource, relative: str, hint: str) -> dict:
    data = source.read(relative)
    if data is None:
        failure = source.failure(relative)
        raise SourceError(f"{source.location}: no {relative} ({failure or hint})")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise SourceError(f"{relative}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise SourceError(f"{relative}: not a JSON object")
    return document


def _signed_logo(settings: dict) -> str:
    """The logo the signed settings name, if it is a path a repository may hold: relative,
    inside, of an image type (the one file besides settings and frameworks it takes)."""
    institution = settings.get("institution") if isinstance(settings.get("institution"), dict) else {}
    logo = institution.get("logo")
    if not isinstance(logo, str) or PurePosixPath(logo).suffix.lower() not in LOGO_SUFFIXES:
        return ""
    return logo


def _checked_file(source: SiteSource, listed: dict, logo: str) -> bytes:
    relative = listed["path"]
    parts = relative.split("/")
    if relative.startswith("/") or any(part in ("", ".", "..") for part in parts) or \
            not (relative in (SETTINGS_FILE, logo) or (len(parts) == 2 and parts[0] == FRAMEWORKS_DIR)):
        raise SourceError(f"{MANIFEST_FILE} lists {relative!r}, which is not a settings, framework or logo file")
    data = source.read(f"{MANIFEST_FILES_DIR}/{relative}")
    if data is None:
        raise SourceError(f"{source.location}: {MANIFEST_FILES_DIR}/{relative} is listed in {MANIFEST_FILE} but missing")
    if hashlib.sha256(data).hexdigest() != listed["sha256"]:
        raise SourceError(f"{MANIFEST_FILES_DIR}/{relative} is not the file the institution signed (its digest differs)")
    return data


def _settings_of(data: bytes) -> dict:
    try:
        settings = yaml.safe_load(data)
    except yaml.YAMLError as error:
        raise SourceError(f"{SETTINGS_FILE}: not YAML ({error})") from None
    if not isinstance(settings, dict) or not isinstance(settings.get("institution"), dict):
        raise SourceError(f"{SETTINGS_FILE}: no institution in it")
    return settings


def _framework_versions(files: dict[str, bytes]) -> dict[str, str]:
    versions = {}
    for relative, data in files.items():
        if not relative.startswith(f"{FRAMEWORKS_DIR}/"):
            continue
        try:
            framework = yaml.safe_load(data)
        except yaml.YAMLError:
            continue
        if isinstance(framework, dict) and isinstance(framework.get("id"), str):
            versions[framework["id"]] = str(framework.get("version", ""))
    return versions


def _framework_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    changes = [f"+ {fid} ({new[fid]})" for fid in sorted(new.keys() - old.keys())]
    changes += [f"- {fid}" for fid in sorted(old.keys() - new.keys())]
    changes += [f"{fid}: {old[fid]} -> {new[fid]}" for fid in sorted(old.keys() & new.keys()) if old[fid] != new[fid]]
    return changes


def _registry_ids(root: Path) -> set[str]:
    credential = read_json_file(root / REGISTRY_CREDENTIAL_FILE)
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    evaluators = subject.get("evaluators") if isinstance(subject, dict) else None
    return {e["id"] for e in evaluators or [] if isinstance(e, dict) and isinstance(e.get("id"), str)}


def _json_bytes(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def problem(error: SourceError, source: str) -> Problem:
    """The located problem the command line reports for a refused source."""
    return Problem("institution.source_refused", None, None, {"source": source, "reason": str(error)})
