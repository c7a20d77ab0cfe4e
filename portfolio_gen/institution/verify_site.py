"""Verify a published portfolio site as an employer would: every credential it publishes.

The site is read through a `SiteSource` (a local folder, or an https URL when the user
allows the network) and trusted for nothing: its `verification.json` only says where
files are. The institution's key comes from its did.json — the site's copy offline, the
institution's own domain with the network (or a file the verifier supplies) — and every
other file is checked against it: the evaluator registry and the status list must be
signed by the institution, each credential by a key its issuer controls, each
validation's evaluator authorised by the registry, and each evidence file must be
published with the very bytes whose digest the credential signed. When `verification.json`
names its candidate (a slug), every credential must name that candidate's subject, by the
salt the institution derives from the slug: a credential republished from another
candidate's site is untrusted there (issue 28), as `audit --sites` judges it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import ssl
import tempfile
import urllib.parse
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Callable, Protocol, Sequence

from ..core.frameworks import load_frameworks
from ..core.i18n import Said
from ..core.http import FetchError, fetch as http_fetch
from ..core.model import Framework
from ..core.registry import Registry, untrusted_reason
from ..credentials import openbadges
from ..credentials.dids import DidResolutionError, DidResolver, did_web_url, parse_did_web, under_did_web_domain
from ..credentials.loader import DocumentLoader
from ..credentials.presentation import verify_presentation
from .registry_credential import REGISTRY_CREDENTIAL_FILE, RegistryCredentialError, verified_signed_registry
from ..credentials.status import StatusListError
from .trust import ATTESTATION, CERTIFICATE, VALIDATION, kind_of
from ..core.verdicts import INVALID, UNKNOWN_STATUS, UNTRUSTED, VALID
from ..credentials.verify import verified_status_list, verify_credential

UNKNOWN = UNKNOWN_STATUS  # a credential whose revocation status could not be established (the older name)

MANIFEST = "verification.json"  # written by the site builder (site/credentials.py)
NO_CREDENTIALS = "no credential is published on this site"


class SiteSource(Protocol):
    location: str

    def read(self, relative: str) -> bytes | None:
        """The published file at `relative` (a path under the site), or None."""

    def list_credentials(self) -> list[str]:
        """Credential files found without a manifest."""

    def failure(self, relative: str) -> str | None:
        """Why reading `relative` failed, when it was more than "not there" (network)."""


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

    def failure(self, relative: str) -> str | None:
        return None


class HttpSource:
    """A site over https, read only when the user allowed the network."""

    def __init__(self, url: str, *, ssl_context: ssl.SSLContext | None = None):
        if not url.startswith("https://"):
            raise ValueError(f"{url}: only https sites can be verified over the network")
        self.base = url if url.endswith("/") else url + "/"
        self.location = self.base
        self.ssl_context = ssl_context  # None: the system's trusted authorities
        self._failures: dict[str, str] = {}

    def read(self, relative: str) -> bytes | None:
        url = urllib.parse.urljoin(self.base, relative.lstrip("/"))
        if not url.startswith(self.base):
            return None
        try:
            # The package's one HTTP client (core/http.py): a file over its size limit is
            # refused, not cut short, and a redirect off https is not followed (issue 28).
            return http_fetch(url, ssl_context=self.ssl_context)
        except FetchError as error:
            self._failures[relative] = str(error)
            return None

    def list_credentials(self) -> list[str]:
        return []  # a web server lists nothing: the manifest is needed

    def failure(self, relative: str) -> str | None:
        return self._failures.get(relative)


class SiteUnavailable(ValueError):
    """A site the user named that cannot be opened; `code` says which case, `target` what."""

    NETWORK, NOT_HTTPS, NO_FOLDER = "network", "not_https", "no_folder"

    def __init__(self, code: str, target: str):
        super().__init__(f"{target}: {code}")
        self.code, self.target = code, target


def open_site(target: str, *, allow_network: bool, base: Path | None = None) -> FolderSource | HttpSource:
    """The site `target` names: an https URL, read only when the user allowed the network,
    or a folder (relative to `base` when given); SiteUnavailable otherwise."""
    if target.startswith(("https://", "http://")):
        if not allow_network:
            raise SiteUnavailable(SiteUnavailable.NETWORK, target)
        if not target.startswith("https://"):
            raise SiteUnavailable(SiteUnavailable.NOT_HTTPS, target)
        return HttpSource(target)
    folder = Path(target).expanduser()
    folder = base / folder if base is not None and not folder.is_absolute() else folder
    if not folder.is_dir():
        raise SiteUnavailable(SiteUnavailable.NO_FOLDER, str(folder))
    return FolderSource(folder)


@dataclass(frozen=True)
class CredentialReport:
    file: str
    status: str  # the verdict: one of core.verdicts.VERDICTS
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
    # The verdict's reason code and parameters (core.verdicts), "" and {} when valid.
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)
    # A valid award a jury gave against the rule: its session, rule and reason (issue 29).
    override: dict | None = field(default=None, compare=False, hash=False)

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
    institution: str = ""  # the trust root the credentials were judged against
    key_source: str = ""  # where the institution's did.json came from
    trusted: list[str] = field(default_factory=list)  # the institutions the verifier named
    registry: dict = field(default_factory=dict)  # version, validFrom, validUntil, source
    status_lists: list[str] = field(default_factory=list)  # where each list came from, how fresh
    subject_checked: bool = False  # whether --email bound the credentials to a person
    notes: list[str] = field(default_factory=list)  # what was not checked, said plainly
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
    institution: str
    resolver: DidResolver
    loader: DocumentLoader
    registry: Registry | None
    registry_problem: str
    status_list: Callable[[str], dict | None]
    evidence: Callable[[str], Path | None]
    email: str | None
    now: dt.datetime | None


def verify_site(source: SiteSource, *, trusted: Sequence[str] = (), did_documents: dict[str, dict] | None = None,
                fetch: Callable[[str], dict] | None = None, email: str | None = None,
                now: dt.datetime | None = None) -> SiteReport:
    """Verify every credential `source` publishes; never raises for a bad site.

    `trusted` names the institutions (DIDs) the verifier trusts: the site's own choice
    of institution is never believed. `did_documents` are did.json documents the
    verifier supplies (by DID); `fetch` (network allowed) gets the institution's
    did.json, registry and status lists from the institution's own domain; otherwise
    the site's copies are used, and the report says so.
    """
    report = SiteReport(source.location, trusted=list(trusted), subject_checked=email is not None)
    manifest = _manifest(source, report)
    report.site_url = manifest.get("site", "")
    report.institution = _trust_root(manifest.get("institution", ""), list(trusted), report)
    if email is None and manifest.get("slug"):
        report.notes.append(Said("verify.note.subject_named", slug=manifest["slug"]))
    elif email is None:
        report.notes.append(Said("verify.note.subject_any"))
    with tempfile.TemporaryDirectory(prefix="portfolio-gen-verify-") as scratch:
        context = _context(source, manifest, report, did_documents or {}, fetch, email, now, Path(scratch))
        report.credentials = [_verify_file(relative, context) for relative in manifest["credentials"]]
        if manifest.get("presentation"):
            report.presentation = _verify_presentation(manifest["presentation"], context, report)
    if not report.credentials and not report.problems:
        report.problems.append(NO_CREDENTIALS)
    return report


def flag_replayed_registries(reports: Sequence[SiteReport]) -> None:
    """Across the sites of one run, a registry older than one already seen for the same
    institution and signing key is reported: a host may serve an old registry that still
    trusted an evaluator since removed (issue 19, attack 4). Versions count per key
    (`registry_memory`), so sites of two workspaces under one did:web are not compared.
    Across runs, `registry_memory` remembers what was seen."""
    newest: dict[tuple[str, str], int] = {}
    for report in reports:
        if report.registry.get("version"):
            sequence = (report.institution, report.registry.get("publicKeyMultibase", ""))
            newest[sequence] = max(newest.get(sequence, 0), report.registry["version"])
    for report in reports:
        version = report.registry.get("version")
        seen = newest.get((report.institution, report.registry.get("publicKeyMultibase", "")), 0)
        if version and version < seen:
            report.problems.append(f"registry: version {version} is older than version {seen} "
                                   "seen on another site of this institution")


def parse_json(data: bytes | None) -> object:
    """The JSON in `data`, or None when there is none or it is not JSON: what a site (or a
    workspace) holds is read to be judged, never trusted to parse."""
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: a hostile [[[[...
        return None


def read_json_file(path: Path) -> object:
    """`parse_json` of a file's bytes; None when it cannot be read."""
    try:
        return parse_json(path.read_bytes())
    except OSError:
        return None


def _manifest(source: SiteSource, report: SiteReport) -> dict:
    """The site's map, keeping only well-formed entries; each malformed one is reported
    and skipped, so one bad entry never stops the rest of the check."""
    data = parse_json(source.read(MANIFEST))
    if not isinstance(data, dict):
        # Without the map, credentials are found by listing (a folder) and evidence
        # cannot be located: those credentials then fail on their evidence.
        failure = source.failure(MANIFEST)
        report.problems.append(f"{MANIFEST} could not be read: {failure}" if failure
                               else f"no readable {MANIFEST} on this site: is it a portfolio-gen site?")
        return {"credentials": source.list_credentials(), "didDocuments": [], "statusLists": {}}
    manifest: dict = {}
    for key in ("site", "institution", "registry", "presentation"):
        if isinstance(data.get(key), str):
            manifest[key] = data[key]
        elif data.get(key) is not None:
            report.problems.append(f"{MANIFEST}: {key} is not a string; ignored")
    for key in ("credentials", "didDocuments"):
        values = data.get(key) if isinstance(data.get(key), list) else []
        manifest[key] = [value for value in values if isinstance(value, str)]
        if len(manifest[key]) != len(values) or data.get(key) not in (None, values):
            report.problems.append(f"{MANIFEST}: {key} must be a list of paths; other entries ignored")
    card = data.get("candidate")
    if isinstance(card, dict) and isinstance(card.get("slug"), str) and card["slug"]:
        manifest["slug"] = card["slug"]  # whom the site says it is about: bound by the credentials' salt
    lists = data.get("statusLists") if isinstance(data.get("statusLists"), dict) else {}
    manifest["statusLists"] = {url: path for url, path in lists.items() if isinstance(path, str)}
    if len(manifest["statusLists"]) != len(lists) or data.get("statusLists") not in (None, lists):
        report.problems.append(f"{MANIFEST}: statusLists must map URLs to paths; other entries ignored")
    return manifest


def _trust_root(named: str, trusted: list[str], report: SiteReport) -> str:
    """The institution the credentials are judged against: one the verifier named."""
    if not trusted:
        report.problems.append("no trusted institution was named: pass --institution did:web:... or its "
                               "did.json with --did-document (the site's own choice is never believed)")
        return ""
    if named in trusted:
        return named
    report.problems.append(f"the site names the institution {named or '(none)'}, which is not one you trust "
                           f"({', '.join(trusted)})")
    return trusted[0] if len(trusted) == 1 else ""


def _context(source: SiteSource, manifest: dict, report: SiteReport, supplied: dict[str, dict],
             fetch: Callable[[str], dict] | None, email: str | None, now: dt.datetime | None,
             scratch: Path) -> _Context:
    resolver = DidResolver(_did_documents(source, manifest, report, supplied, fetch), fetch=fetch)
    loader = DocumentLoader()
    registry, problem = _registry(source, manifest, report, resolver, loader, fetch, now)
    lists = _status_reader(source, manifest, report, resolver, loader, fetch, now)
    return _Context(source, manifest, report.institution, resolver, loader, registry, problem, lists,
                    _evidence_reader(source, report.site_url, scratch), email, now)


def _did_documents(source: SiteSource, manifest: dict, report: SiteReport, supplied: dict[str, dict],
                   fetch: Callable[[str], dict] | None) -> dict[str, dict]:
    """The institution's did.json: supplied by the verifier, else fetched from the
    institution's domain (network allowed), else the site's own copy (said plainly)."""
    institution = report.institution
    documents = {did: document for did, document in supplied.items() if did != institution}
    if institution in supplied:
        report.key_source = Said("verify.source.supplied")
        return {**documents, institution: supplied[institution]}
    if not institution:
        return documents
    try:
        url = did_web_url(institution) if institution.startswith("did:web:") else ""
    except DidResolutionError as error:
        report.problems.append(str(error))
        return documents
    if fetch is not None and url:
        report.key_source = url
        return documents  # the resolver fetches it from there
    for relative in manifest["didDocuments"]:
        document = parse_json(source.read(relative))
        if isinstance(document, dict) and document.get("id") == institution:
            documents[institution] = document
            report.key_source = Said("verify.source.site_copy", path=relative)
            report.notes.append(Said("verify.note.key_from_site_copy", url=url or institution))
    if institution not in documents:
        report.problems.append(Said("verify.problem.no_did_document", institution=institution))
    return documents


def _registry(source: SiteSource, manifest: dict, report: SiteReport, resolver: DidResolver,
              loader: DocumentLoader, fetch: Callable[[str], dict] | None,
              now: dt.datetime | None) -> tuple[Registry | None, str]:
    """The newest registry signed by the institution that can be had: the site's copy,
    and with the network the one at the institution's domain root."""
    candidates: list[tuple[str, object]] = []
    if manifest.get("registry"):
        candidates.append((Said("verify.source.site_copy", path=manifest["registry"]),
                           parse_json(source.read(manifest["registry"]))))
    if fetch is not None and report.institution.startswith("did:web:"):
        url = f"https://{parse_did_web(report.institution).authority}/{REGISTRY_CREDENTIAL_FILE}"
        try:
            candidates.append((url, fetch(url)))
        except Exception as error:  # noqa: BLE001 - unreachable: say so, keep the copy
            report.notes.append(Said("verify.note.registry_unreachable", url=url, error=str(error)))
    if not candidates:
        return None, "registry: the site publishes no evaluator registry"
    newest, errors = None, []
    for where, credential in candidates:
        try:
            signed = verified_signed_registry(credential, report.institution, resolver, loader, now)
        except RegistryCredentialError as error:
            errors.append(f"registry ({where}): {error}")
            continue
        if newest is None or signed.version > newest[1].version:
            newest = (where, signed)
    if newest is None:
        report.problems.extend(errors)
        return None, errors[0]
    where, signed = newest
    report.registry = {"version": signed.version, "validFrom": signed.valid_from,
                       "validUntil": signed.valid_until, "source": where,
                       "verificationMethod": signed.verification_method, "publicKeyMultibase": signed.key}
    return signed.registry, ""


def _status_reader(source: SiteSource, manifest: dict, report: SiteReport, resolver: DidResolver,
                   loader: DocumentLoader, fetch: Callable[[str], dict] | None,
                   now: dt.datetime | None) -> Callable[[str], dict]:
    """URL -> the status list a credential names, signed by the institution, on its
    domain and fresh: fetched from that very URL with the network, else the site's copy
    the manifest points at. Anything else raises StatusListError: the status is unknown."""

    @cache
    def read(url: str) -> dict:
        try:
            document, where = _status_list_document(url, source, manifest, report, fetch)
            listed = verified_status_list(document, resolver, report.institution, loader=loader, now=now)
        except StatusListError as error:
            report.status_lists.append(Said("verify.status_list.unknown", url=url, error=str(error)))
            raise
        report.status_lists.append(Said("verify.status_list.read", url=url, source=where,
                                        signed=listed["validFrom"], until=listed["validUntil"]))
        return listed

    return read


def _status_list_document(url: str, source: SiteSource, manifest: dict, report: SiteReport,
                          fetch: Callable[[str], dict] | None) -> tuple[object, str]:
    if not report.institution or not under_did_web_domain(url, report.institution):
        raise StatusListError(f"not on the domain of the institution {report.institution or '(none)'}")
    if fetch is not None:
        try:
            return fetch(url), Said("verify.source.fetched")
        except Exception as error:  # noqa: BLE001 - whatever the transport raised
            raise StatusListError(f"could not be fetched: {error}") from None
    relative = manifest["statusLists"].get(url)
    if relative is None:
        raise StatusListError("no copy on this site and the network is not allowed")
    return parse_json(source.read(relative)), Said("verify.source.site_copy", path=relative)


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
    credential = parse_json(context.source.read(relative))
    if not isinstance(credential, dict):
        return CredentialReport(relative, INVALID, reason="missing or not a JSON object", code="schema.not_json",
                                params={"detail": "missing or not a JSON object"})
    described = {"file": relative, **describe_credential(credential)}
    verdict = verify_credential(credential, resolver=context.resolver, loader=context.loader, now=context.now,
                                evidence_files=context.evidence, status_list=context.status_list)
    if not verdict.ok:
        # The verifier's verdict and code: revoked, expired, unknown-status, untrusted (a
        # status entry in a list its signer does not own) or invalid.
        return CredentialReport(**{**described, "status": verdict.verdict, "reason": verdict.reason or "",
                                   "checks": verdict.checks, "code": verdict.code or "", "params": verdict.params})
    if verdict.unchecked_evidence:
        first = verdict.unchecked_evidence[0]
        return CredentialReport(**{**described, "status": INVALID, "checks": verdict.checks,
                                   "reason": "evidence not published on this site: " +
                                             ", ".join(verdict.unchecked_evidence),
                                   "code": "evidence.unreachable", "params": {"id": first}})
    reason, params = _untrusted_reason(credential, described["kind"], context)
    if not reason:
        override = openbadges.jury_override(credential)  # read from the document judged valid
        return CredentialReport(**{**described, "status": VALID, "checks": verdict.checks,
                                   "override": override.as_json() if override else None})
    return CredentialReport(**{**described, "status": UNTRUSTED, "reason": reason, "checks": verdict.checks,
                               "code": reason if reason.startswith("trust.") else "trust.registry",
                               "params": params})


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


def _untrusted_reason(credential: dict, kind: str, context: _Context) -> tuple[str, dict]:
    """Why the institution's rules do not let a credential count, as a trust.* key (or, for
    the registry, its problem's words) and the reason's parameters; "" when they do."""
    if context.email is not None and not _is_about(credential, context.email):
        return "trust.other_subject", {}
    slug = context.manifest.get("slug")
    if slug and not names_claimed_subject(credential, context.institution, slug):
        return "trust.other_subject", {"slug": slug}
    if kind != VALIDATION:
        issuer = credential["issuer"]["id"] if isinstance(credential.get("issuer"), dict) else credential.get("issuer")
        return ("", {}) if context.institution and issuer == context.institution else ("trust.not_institution", {})
    if context.registry is None:
        return context.registry_problem, {"detail": context.registry_problem}
    try:
        validation = openbadges.validation_from_credential(credential)
    except openbadges.CredentialError as error:
        return "trust.not_validation", {"detail": str(error)}
    framework = _frameworks().get(validation.framework)
    item = framework.item_by_code.get(validation.item) if framework else None
    # A framework this tool does not ship is judged on key, framework and period only;
    # the candidate's mention is not published, so mention limits are the audit's job.
    # Self-validation is judged by subject binding (the registry's candidate identity
    # against --email), never by a slug read from a URL the site chooses.
    reason = untrusted_reason(context.registry, validation.evaluator, "", framework or _Unknown(validation.framework),
                              item.phase if item else "", None, validation.date)
    if reason is None and context.email is not None and _validates_own_portfolio(context, validation.evaluator):
        reason = "trust.self_validation"
    return reason or "", {}


def _validates_own_portfolio(context: _Context, signer: str) -> bool:
    evaluator = context.registry.by_key(signer) if context.registry else None
    identity = evaluator.candidate_identity if evaluator else None
    return bool(identity) and openbadges.identity_hash(context.email, identity[0]) == identity[1]


@dataclass(frozen=True)
class _Unknown:
    id: str


def names_claimed_subject(credential: object, institution: str, slug: str) -> bool:
    """Whether `credential` names the subject of `slug`: a hashed identity whose salt the
    institution derives from that slug (openbadges.subject_salt). The site's card says
    which candidate it is about, unsigned; the salt, signed, binds each credential to one
    slug, so a credential republished under another candidate's card names another salt
    (issue 28). The pages check the same (core.js's namesClaimedSubject)."""
    salt = openbadges.subject_salt(institution, slug)
    return any(own_salt == salt for own_salt, _hash in openbadges.subject_identities(credential))


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
    verdict = verify_presentation(parse_json(context.source.read(relative)), context.resolver, loader=context.loader)
    if not verdict.ok:
        return PresentationReport(False, verdict.reason or "", verdict.holder or "")
    published = {c.id: c for c in report.credentials}
    for credential in verdict.credentials:
        counted = published.get(credential.get("id"))
        if counted is None or not counted.ok or parse_json(context.source.read(counted.file)) != credential:
            return PresentationReport(False, f"presents {credential.get('id')}, which is not a valid credential "
                                             "published on this site", verdict.holder or "", len(verdict.credentials))
    return PresentationReport(True, "", verdict.holder or "", len(verdict.credentials))


def site_sources(folder: Path) -> list[FolderSource]:
    """The candidate sites in `folder`: itself, or the sites of a built cohort."""
    if (folder / MANIFEST).is_file() or (folder / "credentials").is_dir():
        return [FolderSource(folder)]
    return [FolderSource(path.parent) for path in sorted(folder.glob(f"*/{MANIFEST}"))]
