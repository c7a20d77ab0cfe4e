"""The institution context of a command: what the institution signed, loaded once, with where it came from.

Whoever can write a file in the working tree can change what a command believes, so a
command that signs for the institution first establishes, once, what the institution
itself signed, and refuses to run while the working tree says anything else (issue 26):

- In the institution's own workspace its files are its own: settings, frameworks,
  did.json and `evaluators.yml` are read as they are. Two checks still hold there. A
  signed manifest (`institution.json`) that no longer matches the settings or a
  framework means the rule was changed without being published: refused until the
  institution signs again. And a command holding the institution's key believes only a
  registry and a manifest signed with that very key, unless it is given the published
  site (`--institution-site`) to check other keys against: a key added to the
  workspace's did.json proves nothing by being there.
- In a candidate repository (`institution.lock` present) the candidate controls every
  file, the lock included. The authority is the institution's *published* did.json, read
  from its site (the lock's source, or `--institution-site`): the repository's did.json
  must be that document; the signed manifest, verified with it, is the only authority for
  the settings and the frameworks' digests; the registry must verify with it; an
  `evaluators.yml` is refused (only the signed registry names evaluators there). The lock
  only says where the site is.

Every problem is returned at once, each naming the file and what to do.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from typing import Mapping

from ..core.pinning import LOCK_FILE
from ..core.problems import InputError, Problem
from ..core.publishing import MANIFEST_FILE, WELL_KNOWN_DID
from ..core.registry import REGISTRY_FILE, Registry, load_registry
from ..core.settings import SETTINGS_FILE, Settings
from ..core.workspace import FRAMEWORKS_DIR
from ..credentials import keys, proofs
from ..credentials.dids import DidResolutionError, DidResolver
from ..credentials.loader import DocumentLoader
from ..credentials.verify import signed_document_problem
from . import revocation, trustfiles
from .manifest import CREDENTIAL_TYPE as MANIFEST_TYPE
from .registry_credential import RegistryCredentialError, verified_signed_registry
from .trustfiles import DID_DOCUMENT_FILE, REGISTRY_CREDENTIAL_FILE

WORKSPACE, CANDIDATE_REPOSITORY = "workspace", "candidate repository"


@dataclass(frozen=True)
class InstitutionContext:
    """What a command may believe about its institution, and where each part came from."""

    root: Path
    layout: str  # WORKSPACE or CANDIDATE_REPOSITORY
    settings: Settings
    did_document: dict  # the institution's keys, as the anchor says
    anchor: str  # where that did.json came from: the workspace's file, or the published site
    registry: Registry | None
    registry_problem: str
    problems: tuple[Problem, ...] = ()  # where the working tree differs from what the institution signed
    registry_credential: dict | None = None  # the signed registry as read, for verifiers that check it again

    @property
    def institution(self) -> str:
        return self.settings.institution.id

    @property
    def resolver(self) -> DidResolver:
        return DidResolver({self.did_document.get("id"): self.did_document})

    @property
    def origins(self) -> dict[str, str]:
        """Where each part of the context came from, for messages and tests."""
        signed = self.layout == CANDIDATE_REPOSITORY or trustfiles.has_manifest(self.root)
        frameworks = f"{FRAMEWORKS_DIR}/, " + ("digests listed in the signed institution.json" if signed
                                              else "the institution's own files (no signed institution.json)")
        return {"did.json": self.anchor, "settings": SETTINGS_FILE, "frameworks": frameworks,
                "registry": f"{REGISTRY_CREDENTIAL_FILE}, verified with the did.json of {self.anchor}",
                "status lists": f"{revocation.STATUS_DIR}/, signed by the institution, one per signing key"}

    @property
    def status_lists(self) -> dict[str, Path]:
        """The institution's signed status lists here: path under its site -> file."""
        return revocation.list_files(self.root)

    @property
    def trust_files(self) -> list[Path]:
        """The files whose state a remembered verdict depends on."""
        return trustfiles.paths(self.root)

    def require_signed(self) -> "InstitutionContext":
        """This context, or InputError naming every file that differs from what was signed."""
        if self.problems:
            raise InputError(list(self.problems))
        return self


def load_institution(root: Path, *, signer: Ed25519PrivateKey | None = None, site: str | None = None,
                     allow_network: bool = False, local_anchor: bool = False, verify_signed: bool = True,
                     loader: DocumentLoader | None = None, now: dt.datetime | None = None) -> InstitutionContext:
    """The institution context of the workspace or candidate repository at `root`.

    `signer`: the institution's key a command is about to sign with; it must be one the
    anchor lists. `site`: the institution's published site (a folder, or an https URL
    read with `allow_network`), the anchor for its did.json; a candidate repository uses
    its lock's source when none is given. InputError when the settings, the lock or the
    published site cannot be read; the differences from what was signed are in `problems`.
    `local_anchor`: believe the working tree's did.json (never for a command that signs).
    `verify_signed=False`: for commands that only read and judge (status, report, audit,
    build): the working tree's did.json is the anchor, only the registry's signature is
    checked, and nothing else is compared with what was signed.
    """
    loader = loader or DocumentLoader()
    settings = trustfiles.settings(root)
    lock = trustfiles.lock(root)
    did_path = root / DID_DOCUMENT_FILE
    local = trustfiles.did_document(root)
    credential = trustfiles.registry_credential(root)
    if not verify_signed:
        resolver = DidResolver({local.get("id"): local} if local else {})
        registry, registry_problem, _ = _registry(root, credential, settings, resolver, WORKSPACE, None, loader, now)
        return InstitutionContext(root, CANDIDATE_REPOSITORY if lock is not None else WORKSPACE, settings, local or {},
                                  DID_DOCUMENT_FILE, registry, registry_problem, registry_credential=credential)
    problems: list[Problem] = []
    if (lock is not None or site) and not local_anchor:
        source = site or lock.source
        anchor_document = _published_did_document(root, source, lock.institution if lock else settings.institution.id,
                                                  allow_network)
        anchor = source
        if local != anchor_document:
            problems.append(Problem("institution.did_differs", did_path, None, {"source": source}))
    else:
        anchor_document, anchor = local or {}, WORKSPACE if lock is None else DID_DOCUMENT_FILE
    layout = CANDIDATE_REPOSITORY if lock is not None else WORKSPACE
    resolver = DidResolver({anchor_document.get("id"): anchor_document})
    own_key = signer is not None and anchor == WORKSPACE
    if signer is not None:
        problems += _signer_problems(signer, settings, anchor_document, did_path if anchor == WORKSPACE else None,
                                     anchor)
    problems += _manifest_problems(root, settings, resolver, layout, signer if own_key else None, loader, now)
    registry, registry_problem, registry_problems = _registry(root, credential, settings, resolver, layout,
                                                              signer if own_key else None, loader, now)
    problems += registry_problems
    if layout == CANDIDATE_REPOSITORY and (root / REGISTRY_FILE).exists():
        problems.append(Problem("institution.own_evaluators", root / REGISTRY_FILE, None, {}))
    return InstitutionContext(root, layout, settings, anchor_document, anchor, registry, registry_problem,
                              tuple(problems), credential)


def workspace_registry(root: Path, frameworks: Mapping[str, object]) -> Registry:
    """The registry that signing and reviewing check against, before anything is signed.

    A cohort workspace holds the institution's own `evaluators.yml`. A candidate's
    repository (`init --candidate`) holds no such file, only the institution's signed
    `registry.json` and did.json pinned from its site: that one is then read, once its
    proof, dates and issuer check out (signing commands have first compared both with
    what the institution publishes). Trust itself always comes from the signed one."""
    if trustfiles.has_evaluators_file(root) or not (root / REGISTRY_CREDENTIAL_FILE).exists():
        return load_registry(root, frameworks)
    return _signed_registry(root)


def request_registry(root: Path, frameworks: Mapping[str, object]) -> Registry:
    """The registry a request is checked against (`request`, the editor's "ask for an
    evaluation"): the one the institution signed, where it has signed one, since only the
    validations it authorises count; before it first signs, its own evaluators.yml."""
    if not (root / REGISTRY_CREDENTIAL_FILE).exists():
        return workspace_registry(root, frameworks)
    return _signed_registry(root)


def _signed_registry(root: Path) -> Registry:
    """The registry the institution signed, once its proof, dates and issuer check out
    against the working tree's did.json; InputError saying why when they do not."""
    context = load_institution(root, verify_signed=False)
    if context.registry is None:
        raise InputError([Problem("registry.signed_unusable", root / REGISTRY_CREDENTIAL_FILE, None,
                                  {"reason": context.registry_problem.removeprefix("registry: ")})])
    return context.registry


def institution_problems(root: Path) -> list[Problem]:
    """What `check` reports: in a candidate repository, every difference from what the
    institution signed, checked against its published did.json when the site can be read
    here, else against the repository's own (the candidate's convenience: signing commands
    will insist on the published one); in a workspace, as warnings, the changes the
    institution has not signed yet (trustfiles.unpublished_changes)."""
    if trustfiles.lock(root) is None:
        return trustfiles.unpublished_changes(root)
    try:
        context = load_institution(root)
    except InputError:
        try:
            context = load_institution(root, local_anchor=True)
        except InputError as error:
            return error.problems
    return list(context.problems)


def signing_institution(root: Path, **options) -> InstitutionContext:
    """`load_institution`, refused (InputError) wherever the working tree differs from
    what the institution signed: for the commands that sign."""
    return load_institution(root, **options).require_signed()


# --- the anchor ----------------------------------------------------------------------------

def _published_did_document(root: Path, source: str, institution: str, allow_network: bool) -> dict:
    from ..credentials.dids import under_did_web_domain
    from .verify_site import FolderSource, SiteUnavailable, open_site  # verify_site -> trust -> this module

    params = {"source": source, "did": institution}
    try:
        site = open_site(source, allow_network=allow_network)
    except SiteUnavailable as error:
        key = "institution.published_network" if error.code == SiteUnavailable.NETWORK \
            else "institution.published_unreachable"
        raise InputError([Problem(key, root / LOCK_FILE, None, params)]) from None
    # The anchor must not come from whoever wrote the repository: the lock names the
    # source, and the lock is theirs. A folder inside the repository vouches for nothing;
    # over the network, only the did:web's own host speaks for it.
    if isinstance(site, FolderSource) and (site.root == root.resolve() or root.resolve() in site.root.parents):
        raise InputError([Problem("institution.anchor_in_repository", root / LOCK_FILE, None, params)])
    if not isinstance(site, FolderSource) and not under_did_web_domain(site.base, institution):
        raise InputError([Problem("institution.anchor_off_domain", root / LOCK_FILE, None, params)])
    data = site.read(WELL_KNOWN_DID)
    try:
        document = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or document.get("id") != institution:
        raise InputError([Problem("institution.published_unreachable", root / LOCK_FILE, None, params)])
    return document


def _signer_problems(signer: Ed25519PrivateKey, settings: Settings, document: dict, path: Path | None,
                     anchor: str) -> list[Problem]:
    multikey = keys.public_key_multibase(signer.public_key())
    listed = {m.get("publicKeyMultibase") for m in document.get("verificationMethod", []) if isinstance(m, dict)}
    if document.get("id") == settings.institution.id and multikey in listed:
        return []
    where = path.name if path is not None else f"{WELL_KNOWN_DID} ({anchor})"
    return [Problem("sign.key_not_in_did", path, None,
                    {"did": settings.institution.id, "multikey": multikey, "path": where})]


# --- what the institution signed -------------------------------------------------------------

def _manifest_problems(root: Path, settings: Settings, resolver: DidResolver, layout: str,
                       own_key: Ed25519PrivateKey | None, loader: DocumentLoader,
                       now: dt.datetime | None) -> list[Problem]:
    """The settings and frameworks against the signed manifest: required in a candidate
    repository, checked in a workspace once the institution has signed one."""
    path = root / MANIFEST_FILE
    manifest = trustfiles.manifest(root)
    if manifest is None:
        if layout == WORKSPACE and not path.exists():
            return []
        return [Problem("institution.manifest_unsigned", path, None, {"reason": "missing or not JSON"})]
    reason = _signed_problem(manifest, MANIFEST_TYPE, settings.institution.id, resolver, loader, now)
    if reason:
        return [Problem("institution.manifest_unsigned", path, None, {"reason": reason})]
    method = _other_key(manifest, resolver, own_key)
    if method:
        return [Problem("institution.signed_with_other_key", path, None, {"path": path.name, "method": method})]
    return _unsigned_files(root, manifest, layout)


def _unsigned_files(root: Path, manifest: dict, layout: str) -> list[Problem]:
    """The settings and framework files whose digest is not the one the manifest lists."""
    key = "institution.unsigned_file" if layout == CANDIDATE_REPOSITORY else "institution.unpublished_change"
    return [Problem(key, root / relative, None, {"path": relative}) for relative in trustfiles.unsigned_files(root, manifest)]


def _registry(root: Path, credential: dict | None, settings: Settings, resolver: DidResolver, layout: str,
              own_key: Ed25519PrivateKey | None, loader: DocumentLoader,
              now: dt.datetime | None) -> tuple[Registry | None, str, list[Problem]]:
    """The signed registry, or why there is none that counts. A workspace that has no
    registry.json yet is not a problem here (evaluators.yml is its own list)."""
    path = root / REGISTRY_CREDENTIAL_FILE
    if credential is None:
        unreadable = f"{path}: cannot read the registry credential (missing, or not a JSON object)"
        if layout == WORKSPACE and not path.exists():
            return None, f"registry: {unreadable}", []
        return None, f"registry: {unreadable}", [
            Problem("institution.registry_unsigned", path, None, {"reason": unreadable})]
    try:
        signed = verified_signed_registry(credential, settings.institution.id, resolver, loader, now)
    except RegistryCredentialError as error:
        return None, f"registry: {error}", [Problem("institution.registry_unsigned", path, None,
                                                    {"reason": str(error)})]
    method = _other_key(credential, resolver, own_key)
    if method:
        return None, f"registry: signed with {method}, not with the key this command signs with", [
            Problem("institution.signed_with_other_key", path, None, {"path": path.name, "method": method})]
    return signed.registry, "", []


def _signed_problem(document: dict, kind: str, institution: str, resolver: DidResolver,
                    loader: DocumentLoader, now: dt.datetime | None) -> str:
    if kind not in (document.get("type") or []):
        return f"not an {kind}"
    if proofs.issuer_id(document) != institution:
        return f"issued by {proofs.issuer_id(document)}, not by {institution}"
    return signed_document_problem(document, resolver, loader=loader, now=now) or ""


def _other_key(document: dict, resolver: DidResolver, own_key: Ed25519PrivateKey | None) -> str:
    """The verification method that signed `document`, when it is not `own_key` (else '').
    In a workspace, a command holding the institution's key believes only what that key
    signed: another key in the workspace's did.json may have been added by anyone who
    could write the file."""
    if own_key is None:
        return ""
    named = (proofs.single_proof(document) or {}).get("verificationMethod")
    try:
        method = resolver.verification_method(named)
    except DidResolutionError:
        return str(named)
    return "" if method.public_key_multibase == keys.public_key_multibase(own_key.public_key()) else str(named)
