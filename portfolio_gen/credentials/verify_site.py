"""Verify a published portfolio site as an employer would: every credential it publishes.

The site is read through a `SiteSource` (a local folder, or an https URL when the user
allows the network) and trusted for nothing: its `verification.json` only says where
files are. The institution's key comes from its did.json — the site's copy offline, the
institution's own domain with the network (or a file the verifier supplies) — and every
other file is checked against it: the evaluator registry and the status list must be
signed by the institution, each credential by a key its issuer controls, each
validation's evaluator authorised by the registry, and each evidence file must be
published with the very bytes whose digest the credential signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Callable, Protocol

from ..core.frameworks import load_frameworks
from ..core.model import Framework
from ..core.registry import Registry, untrusted_reason
from . import openbadges
from .dids import DidResolver, did_web_url
from .loader import NETWORK_TIMEOUT_SECONDS, DocumentLoader
from .presentation import verify_presentation
from .registry_credential import RegistryCredentialError, verified_registry
from .status import StatusListError
from .trust import (ATTESTATION, CERTIFICATE, INVALID, REVOKED, UNTRUSTED, VALID, VALIDATION, kind_of)
from .verify import status_lists, verified_status_list, verify_credential

MANIFEST = "verification.json"  # written by the site builder (site/credentials.py)
MAX_BYTES = 50 * 1024 * 1024  # no published file of a portfolio should be larger


class SiteSource(Protocol):
    location: str

    def read(self, relative: str) -> bytes | None:
        """The published file at `relative` (a path under the site), or None."""

    def list_credentials(self) -> list[str]:
        """Credential files found without a manifest."""


class FolderSource:
    """A site on disk; paths never escape its folder."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.location = str(root)

    def read(self, relative: str) -> bytes | None:
        path = (self.root / relative.lstrip("/")).resolve()
        if self.root not in path.parents or not path.is_file():
            return None
        return path.read_bytes()

    def list_credentials(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.glob("credentials/*.json"))


class HttpSource:
    """A site over https, read only when the user allowed the network."""

    def __init__(self, url: str):
        if not url.startswith("https://"):
            raise ValueError(f"{url}: only https sites can be verified over the network")
        self.base = url if url.endswith("/") else url + "/"
        self.location = self.base

    def read(self, relative: str) -> bytes | None:
        url = urllib.parse.urljoin(self.base, relative.lstrip("/"))
        if not url.startswith(self.base):
            return None
        try:
            with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT_SECONDS) as reply:
                return reply.read(MAX_BYTES + 1)[:MAX_BYTES]
        except (OSError, ValueError):
            return None

    def list_credentials(self) -> list[str]:
        return []  # a web server lists nothing: the manifest is needed


@dataclass(frozen=True)
class CredentialReport:
    file: str
    status: str  # valid | invalid | untrusted | revoked
    kind: str = VALIDATION
    reason: str = ""
    id: str = ""
    name: str = ""
    what: str = ""  # humanCode: framework:item, or the framework of an award
    level: str = ""
    issuer: str = ""
    issuer_id: str = ""
    issued: str = ""
    checks: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == VALID


@dataclass(frozen=True)
class PresentationReport:
    ok: bool
    reason: str = ""
    holder: str = ""
    credentials: int = 0


@dataclass
class SiteReport:
    location: str
    site_url: str = ""
    institution: str = ""
    key_source: str = ""  # where the institution's did.json came from
    problems: list[str] = field(default_factory=list)  # site-level: registry, status list...
    credentials: list[CredentialReport] = field(default_factory=list)
    presentation: PresentationReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.credentials) and all(c.ok for c in self.credentials) \
            and (self.presentation is None or self.presentation.ok)

    @property
    def failed(self) -> list[CredentialReport]:
        return [c for c in self.credentials if not c.ok]

    @property
    def certified(self) -> list[CredentialReport]:
        return [c for c in self.credentials if c.ok and c.kind in (CERTIFICATE, ATTESTATION)]

    def as_json(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass
class _Context:
    source: SiteSource
    manifest: dict
    resolver: DidResolver
    loader: DocumentLoader
    registry: Registry | None
    registry_problem: str
    status_list: Callable[[str], dict | None]
    evidence: Callable[[str], Path | None]
    slug: str
    email: str | None
    now: dt.datetime | None


def verify_site(source: SiteSource, *, did_documents: dict[str, dict] | None = None,
                fetch: Callable[[str], dict] | None = None, email: str | None = None,
                now: dt.datetime | None = None) -> SiteReport:
    """Verify every credential `source` publishes; never raises for a bad site.

    `did_documents` are did.json documents the verifier trusts (by DID); `fetch`
    (network allowed) gets the institution's did.json from its own domain and fresher
    status lists; otherwise the site's copies are used, and the report says so.
    """
    report = SiteReport(source.location)
    manifest = _json(source.read(MANIFEST))
    if not isinstance(manifest, dict):
        # Without the map, credentials are found by listing (a folder) and evidence
        # cannot be located: those credentials then fail on their evidence.
        manifest = {"credentials": source.list_credentials()}
        report.problems.append(f"no {MANIFEST} on this site: is it a portfolio-gen site?")
    report.site_url = str(manifest.get("site") or "")
    report.institution = str(manifest.get("institution") or "")
    with tempfile.TemporaryDirectory(prefix="portfolio-gen-verify-") as scratch:
        context = _context(source, manifest, report, did_documents or {}, fetch, email, now, Path(scratch))
        report.credentials = [_verify_file(relative, context) for relative in manifest.get("credentials") or []]
        if manifest.get("presentation"):
            report.presentation = _verify_presentation(manifest["presentation"], context, report)
    if not report.credentials and not report.problems:
        report.problems.append("no credential is published on this site")
    return report


def _json(data: bytes | None) -> object:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _context(source: SiteSource, manifest: dict, report: SiteReport, supplied: dict[str, dict],
             fetch: Callable[[str], dict] | None, email: str | None, now: dt.datetime | None,
             scratch: Path) -> _Context:
    resolver = DidResolver(_did_documents(source, manifest, report, supplied, fetch), fetch=fetch)
    loader = DocumentLoader()
    registry, problem = _registry(source, manifest, report, resolver, loader)
    lists = _status_lists(source, manifest, report, resolver, loader, fetch)
    slug = PurePosixPath(urllib.parse.urlparse(report.site_url).path).name
    return _Context(source, manifest, resolver, loader, registry, problem, status_lists(lists),
                    _evidence_reader(source, report.site_url, scratch), slug, email, now)


def _did_documents(source: SiteSource, manifest: dict, report: SiteReport, supplied: dict[str, dict],
                   fetch: Callable[[str], dict] | None) -> dict[str, dict]:
    """The institution's did.json: supplied by the verifier, else fetched from the
    institution's domain (network allowed), else the site's own copy (said plainly)."""
    institution = report.institution
    if institution in supplied:
        report.key_source = "the did.json the verifier supplied"
        return dict(supplied)
    if fetch is not None and institution.startswith("did:web:"):
        report.key_source = did_web_url(institution)
        return dict(supplied)  # the resolver fetches it from there
    documents = dict(supplied)
    for relative in manifest.get("didDocuments") or []:
        document = _json(source.read(relative))
        if isinstance(document, dict) and document.get("id") == institution:
            documents[institution] = document
            report.key_source = f"the site's copy ({relative}), not checked against {did_web_url(institution)}" \
                if institution.startswith("did:web:") else f"the site's copy ({relative})"
    if institution not in documents:
        report.problems.append(f"no did.json of the institution {institution or '(unnamed)'} on this site")
    return documents


def _registry(source: SiteSource, manifest: dict, report: SiteReport, resolver: DidResolver,
              loader: DocumentLoader) -> tuple[Registry | None, str]:
    relative = manifest.get("registry")
    credential = _json(source.read(relative)) if relative else None
    if credential is None:
        return None, "registry: the site publishes no evaluator registry"
    try:
        return verified_registry(credential, report.institution, resolver, loader), ""
    except RegistryCredentialError as error:
        report.problems.append(f"registry: {error}")
        return None, f"registry: {error}"


def _status_lists(source: SiteSource, manifest: dict, report: SiteReport, resolver: DidResolver,
                  loader: DocumentLoader, fetch: Callable[[str], dict] | None) -> list[dict]:
    """Each list the site names, verified as the institution's: fetched from its URL when
    the network is allowed (it may be fresher than the site's copy), else the copy."""
    lists = []
    for url, relative in (manifest.get("statusLists") or {}).items():
        document = None
        if fetch is not None:
            try:
                document = fetch(url)
            except Exception:  # noqa: BLE001 - unreachable: fall back on the site's copy
                document = None
        document = document or _json(source.read(relative))
        try:
            lists.append(verified_status_list(document, resolver, report.institution, loader=loader))
        except StatusListError as error:
            report.problems.append(f"status list {url}: {error}")
    return lists


def _evidence_reader(source: SiteSource, site_url: str, scratch: Path) -> Callable[[str], Path | None]:
    """Evidence URL -> a local file with the published bytes (under the site only)."""

    @cache
    def read(url: str) -> Path | None:
        if not site_url or not url.startswith(site_url):
            return None
        relative = urllib.parse.unquote(url[len(site_url):])
        data = source.read(relative)
        if data is None:
            return None
        path = scratch / hashlib.sha256(url.encode()).hexdigest()
        path.write_bytes(data)
        return path

    return read


def _verify_file(relative: str, context: _Context) -> CredentialReport:
    credential = _json(context.source.read(relative))
    if not isinstance(credential, dict):
        return CredentialReport(relative, INVALID, reason="missing or not a JSON object")
    described = {"file": relative, **describe_credential(credential)}
    verdict = verify_credential(credential, resolver=context.resolver, loader=context.loader, now=context.now,
                                evidence_files=context.evidence, status_list=context.status_list)
    if not verdict.ok:
        status = REVOKED if verdict.status == "revoked" else INVALID
        return CredentialReport(**{**described, "status": status, "reason": verdict.reason or "",
                                   "checks": verdict.checks})
    if verdict.unchecked_evidence:
        return CredentialReport(**{**described, "status": INVALID, "checks": verdict.checks,
                                   "reason": "evidence not published on this site: " +
                                             ", ".join(verdict.unchecked_evidence)})
    reason = _untrusted_reason(credential, described["kind"], context)
    return CredentialReport(**{**described, "status": UNTRUSTED if reason else VALID, "reason": reason,
                               "checks": verdict.checks})


def describe_credential(credential: dict) -> dict:
    """What a credential says, for people: kind, what, level, issuer, date (unverified)."""
    issuer = credential.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": str(issuer or "")}
    subject = credential.get("credentialSubject") if isinstance(credential.get("credentialSubject"), dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    results = subject.get("result") if isinstance(subject.get("result"), list) else [{}]
    result = results[0] if results and isinstance(results[0], dict) else {}
    return {"kind": kind_of(credential), "id": str(credential.get("id", "")),
            "name": str(credential.get("name", "")), "what": str(achievement.get("humanCode", "")),
            "level": str(result.get("value", "")), "issuer": str(issuer.get("name", "")),
            "issuer_id": str(issuer.get("id", "")), "issued": str(credential.get("validFrom", ""))}


def _untrusted_reason(credential: dict, kind: str, context: _Context) -> str:
    if context.email is not None and not _is_about(credential, context.email):
        return "trust.other_subject"
    if kind != VALIDATION:
        issuer = credential["issuer"]["id"] if isinstance(credential.get("issuer"), dict) else credential.get("issuer")
        return "" if issuer == context.manifest.get("institution") else "trust.not_institution"
    if context.registry is None:
        return context.registry_problem
    try:
        validation = openbadges.validation_from_credential(credential)
    except openbadges.CredentialError as error:
        return str(error)
    framework = _frameworks().get(validation.framework)
    item = framework.item_by_code.get(validation.item) if framework else None
    # A framework this tool does not ship is judged on key, framework and period only;
    # the candidate's mention is not published, so mention limits are the audit's job.
    return untrusted_reason(context.registry, validation.evaluator, context.slug,
                            framework or _Unknown(validation.framework), item.phase if item else "",
                            None, validation.date) or ""


@dataclass(frozen=True)
class _Unknown:
    id: str


def _is_about(credential: dict, email: str) -> bool:
    identities = (credential.get("credentialSubject") or {}).get("identifier") or []
    return any(isinstance(i, dict) and i.get("identityHash") == openbadges.identity_hash(email, i.get("salt", ""))
               for i in identities)


@cache
def _frameworks() -> dict[str, Framework]:
    """The frameworks shipped with the tool: item phases for the registry's rules."""
    folder = Path(str(resources.files("portfolio_gen").joinpath("data/referentiels")))
    frameworks, _ = load_frameworks(folder.glob("*.yml"))
    return frameworks


def _verify_presentation(relative: str, context: _Context, report: SiteReport) -> PresentationReport:
    verdict = verify_presentation(_json(context.source.read(relative)), context.resolver, loader=context.loader)
    if not verdict.ok:
        return PresentationReport(False, verdict.reason or "", verdict.holder or "")
    published = {c.id: c for c in report.credentials}
    for credential in verdict.credentials:
        counted = published.get(credential.get("id"))
        if counted is None or not counted.ok or _json(context.source.read(counted.file)) != credential:
            return PresentationReport(False, f"presents {credential.get('id')}, which is not a valid credential "
                                             "published on this site", verdict.holder or "", len(verdict.credentials))
    return PresentationReport(True, "", verdict.holder or "", len(verdict.credentials))


def site_sources(folder: Path) -> list[FolderSource]:
    """The candidate sites in `folder`: itself, or the sites of a built cohort."""
    if (folder / MANIFEST).is_file() or (folder / "credentials").is_dir():
        return [FolderSource(folder)]
    return [FolderSource(path.parent) for path in sorted(folder.glob(f"*/{MANIFEST}"))]
