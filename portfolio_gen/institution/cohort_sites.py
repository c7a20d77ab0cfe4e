"""A cohort read from its published sites, when the candidates' portfolios live in
separate repositories (issue 12, "the cohort without a monorepo").

A sites file lists the published portfolio sites, one per line: a built site's folder
(relative to the file's own folder) or an https URL (read only when the network is
allowed). Every site is read as `verify SITE` reads one (`verify_site`), but judged
against the institution's own trust root, taken from its workspace: its did.json, its
signed registry.json and its status list, never the copies a site publishes (a host
could keep an old list that predates a revocation). The credentials that count, with
what each site's verification.json says of its candidate, give the cohort report
(site_figures.py); the figures that rest on files no site publishes are said to be
unavailable, never zero.

A site is bound to a subject by what its credentials sign, never by its unsigned
verification.json (issue 28): every credential issued to a candidate carries one salted
identity whose salt is derived from the institution and the candidate's slug
(openbadges.subject_salt). A credential that does not name the subject of the slug the
site claims, a site whose credentials name several subjects, and a credential or subject
found on several sites are findings on each site concerned; what is counted is counted
once.

Nothing here raises for a bad site: a site that cannot be read is listed with why
(a message key and its parameters, for the CLI to say in the user's language).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..core.model import Candidate, ExternalResult, Validation
from ..core.problems import InputError, Problem
from ..core.publishing import candidate_from_card
from ..credentials import openbadges
from ..credentials.dids import parse_did_web
from ..credentials.loader import fetch_json
from .context import InstitutionContext, load_institution
from .trustfiles import DID_DOCUMENT_FILE
from .registry_credential import REGISTRY_CREDENTIAL_FILE
from .revocation import list_files
from ..credentials.status import revocation_entry
from .trust import ATTESTATION, CERTIFICATE, UNTRUSTED, VALIDATION
from .verify_site import (MANIFEST, NO_CREDENTIALS, CredentialReport, SiteReport, SiteSource, SiteUnavailable,
                          open_site, parse_json, read_json_file, verify_site)

# Why a listed site was not read: message keys (data/messages/steering.yml).
NETWORK_NOT_ALLOWED = "report.sites.network"  # the brief's wording: "network not allowed: pass --allow-network"
NOT_HTTPS = "report.sites.not_https"
NO_FOLDER = "report.sites.no_folder"
NO_MANIFEST = "report.sites.no_manifest"
UNREACHABLE = "report.sites.unreachable"
MALFORMED = "report.sites.malformed"
NO_CANDIDATE = "report.sites.no_candidate"
DUPLICATE = "report.sites.duplicate"

# Why a site's credentials are not all counted (message keys, with parameters).
SEVERAL_SUBJECTS = "report.sites.subject.several"  # the credentials name several subjects
OTHER_SUBJECT = "report.sites.subject.other"  # credentials about someone else than the slug claimed
SHARED_CREDENTIAL = "report.sites.subject.shared_credential"  # the same credential id on other sites
SHARED_SUBJECT = "report.sites.subject.shared_subject"  # the same subject identity on other sites
# A credential's reason in audit's rows (trust.* keys, as verify_site's).
REASON_OTHER_SUBJECT = "trust.other_subject"
REASON_SEVERAL_SUBJECTS = "trust.site_several_subjects"
REASON_COUNTED_ELSEWHERE = "trust.counted_on_another_site"

_ROW_FIELDS = {f.name for f in fields(CredentialReport)}

# Figures of `report` that rest on files a site does not publish, and why (message keys).
UNAVAILABLE = {
    "pending_by_evaluator": "report.sites.unavailable.requests",
    "entry_level": "report.sites.unavailable.self_assessments",
    "level_gain": "report.sites.unavailable.self_assessments",
    "mean_level_gain": "report.sites.unavailable.self_assessments",
    "steering": "report.sites.unavailable.steering",
}
# Known, but only as the commission's awards cite it: said beside the figures.
NOTES = ("report.sites.external_results",)

CITED_RESULT_GENRE = "ExternalResult"  # openbadges.build_framework_award
# commission._cited: "<input> level <level> (<YYYY-MM-DD>, <source>), signed by <did> on <day>"
_CITED_DATE = re.compile(r" level \S+ \((\d{4}-\d{2}-\d{2}), ")


@dataclass(frozen=True)
class SiteLine:
    """One site the sites file lists, where it lists it."""

    line: int
    target: str  # as written: a folder or an https URL


@dataclass(frozen=True)
class UnreadableSite:
    line: int
    target: str
    reason: str  # a message key (report.sites.*)
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteFinding:
    """What binding a site to its subject found: a message key and its parameters."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class PublishedSite:
    """One site read: its verification report, its candidate, what of it counts."""

    line: int
    target: str
    report: SiteReport
    candidate: Candidate
    validations: list[Validation] = field(default_factory=list)  # those that count
    problems: list[str] = field(default_factory=list)  # the report's, less an empty site's
    status_indices: list[tuple[str, str, str]] = field(default_factory=list)  # (bit, credential id, file)
    findings: list[SiteFinding] = field(default_factory=list)  # subject binding, duplicates across sites
    published: list[tuple[CredentialReport, object]] = field(default_factory=list)  # each row, its JSON

    @property
    def ok(self) -> bool:
        return not self.problems and not self.findings and all(c.ok for c in self.report.credentials)


@dataclass
class CohortSites:
    sites_file: Path
    institution: str
    trust_root: str  # the workspace the trust root was read from
    sites: list[PublishedSite] = field(default_factory=list)
    unreadable: list[UnreadableSite] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every listed site read, and every credential they publish counts."""
        return not self.unreadable and all(site.ok for site in self.sites)

    @property
    def candidates(self) -> list[Candidate]:
        return [site.candidate for site in self.sites]

    @property
    def validations(self) -> dict[str, list[Validation]]:
        return {site.candidate.slug: site.validations for site in self.sites}


def read_sites_file(path: Path) -> list[SiteLine]:
    """The sites `path` lists; blank lines and `#` comments are skipped. InputError when
    the file cannot be read or lists no site."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem("report.sites.unreadable_file", path, None,
                                  {"reason": getattr(error, "strerror", None) or str(error)})]) from None
    lines = [SiteLine(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.strip().startswith("#")]
    if not lines:
        raise InputError([Problem("report.sites.empty", path, None)])
    return lines


@dataclass(frozen=True)
class TrustRoot:
    """The institution's own public files, read from its workspace: what every site is
    judged against, whatever copies the site publishes."""

    institution: str
    did_documents: dict[str, dict]
    documents: dict[str, object]  # URL -> the workspace's copy (registry, status list)
    root: Path

    @classmethod
    def from_workspace(cls, root: Path, context: InstitutionContext | None = None) -> "TrustRoot":
        """InputError when the workspace has no settings or no did.json of the institution."""
        context = context or load_institution(root, verify_signed=False)
        institution, did_document = context.institution, context.did_document
        if did_document.get("id") != institution:
            raise InputError([Problem("report.sites.no_did_document", root / DID_DOCUMENT_FILE, None,
                                      {"institution": institution})])
        documents: dict[str, object] = {}
        registry = context.registry_credential
        if registry is not None and institution.startswith("did:web:"):
            # Where verify_site looks for the institution's registry: its domain's root.
            documents[f"https://{parse_did_web(institution).authority}/{REGISTRY_CREDENTIAL_FILE}"] = registry
        for path in list_files(root).values():  # one per signing key, and the old shared one
            status_list = read_json_file(path)
            if isinstance(status_list, dict) and isinstance(status_list.get("id"), str):
                documents[status_list["id"]] = status_list
        return cls(institution, {institution: did_document}, documents, root)

    def fetcher(self, *, allow_network: bool) -> Callable[[str], object]:
        """URL -> document for verify_site: the workspace's own copy of the institution's
        files; any other URL over the network only when the user allowed it."""

        def fetch(url: str) -> object:
            if url in self.documents:
                return self.documents[url]
            if allow_network:
                return fetch_json(url)
            raise LookupError(f"not in the workspace {self.root} and the network is not allowed")

        return fetch


def read_cohort_sites(sites_file: Path, root: Path, *, allow_network: bool = False,
                      now: dt.datetime | None = None) -> CohortSites:
    """Read and verify every site `sites_file` lists against the trust root of the
    workspace at `root`. InputError for a bad sites file or trust root, never for a site."""
    lines = read_sites_file(sites_file)
    trust = TrustRoot.from_workspace(root)
    cohort = CohortSites(sites_file, trust.institution, str(root))
    seen: dict[str, int] = {}
    for site_line in lines:
        read = _read_site(site_line, sites_file.parent, trust, allow_network, now)
        if isinstance(read, PublishedSite) and read.candidate.slug in seen:
            # Counted once: the same candidate listed twice would be counted twice.
            read = UnreadableSite(site_line.line, site_line.target, DUPLICATE,
                                  {"slug": read.candidate.slug, "other": str(seen[read.candidate.slug])})
        if isinstance(read, PublishedSite):
            seen[read.candidate.slug] = site_line.line
            cohort.sites.append(read)
        else:
            cohort.unreadable.append(read)
    bind_subjects(cohort.sites, trust.institution)
    for site in cohort.sites:
        _count(site)
    return cohort


def _read_site(site_line: SiteLine, base: Path, trust: TrustRoot, allow_network: bool,
               now: dt.datetime | None) -> PublishedSite | UnreadableSite:
    source = _source(site_line, base, allow_network)
    if isinstance(source, UnreadableSite):
        return source
    data = source.read(MANIFEST)
    if data is None:
        failure = source.failure(MANIFEST)  # more than "not there": the network's answer
        return _unreadable(site_line, UNREACHABLE, detail=failure) if failure else _unreadable(site_line, NO_MANIFEST)
    manifest = parse_json(data)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("credentials"), list) \
            or not all(isinstance(path, str) for path in manifest["credentials"]):
        return _unreadable(site_line, MALFORMED)
    candidate = candidate_from_card(manifest.get("candidate"))
    if candidate is None:
        return _unreadable(site_line, NO_CANDIDATE)
    report = verify_site(source, trusted=[trust.institution], did_documents=trust.did_documents,
                         fetch=trust.fetcher(allow_network=allow_network), now=now)
    report.notes.append(f"the institution's did.json, registry and status list were read from the "
                        f"workspace {trust.root}, not from this site")
    published = [(row, parse_json(source.read(row.file))) for row in report.credentials]
    return PublishedSite(site_line.line, site_line.target, report, candidate,
                         problems=[p for p in report.problems if report.credentials or p != NO_CREDENTIALS],
                         status_indices=_status_indices(published, report.location), published=published)


def _count(site: PublishedSite) -> None:
    """What of `site` counts, once its subject is bound: its valid credentials."""
    counted = [(row, credential) for row, credential in site.published if row.ok]
    site.candidate = replace(site.candidate, results=_cited_results(counted))
    site.validations = [openbadges.validation_from_credential(c) for row, c in counted if row.kind == VALIDATION]


def bind_subjects(sites: Sequence[PublishedSite], institution: str) -> None:
    """Bind each site to the one subject its credentials sign for, and count each
    credential once across `sites` (in the sites file's order). A credential that names
    another subject than the salted identity of the slug its site claims, or that an
    earlier site already counts, is untrusted here; every site concerned gets a finding."""
    for site in sites:
        _bind_site(site, institution)
    credential_sites: dict[str, list[PublishedSite]] = {}
    subject_sites: dict[tuple[str, str], list[PublishedSite]] = {}
    for site in sites:
        for _row, credential in site.published:
            identifier = credential.get("id") if isinstance(credential, dict) else None
            if isinstance(identifier, str):
                _add(credential_sites.setdefault(identifier, []), site)
            for identity in openbadges.subject_identities(credential):
                _add(subject_sites.setdefault(identity, []), site)
    _report_shared(credential_sites, SHARED_CREDENTIAL, "id")
    _report_shared(subject_sites, SHARED_SUBJECT, "")
    for identifier, holders in credential_sites.items():
        counted = False
        for site in holders:
            for index, (row, credential) in enumerate(site.published):
                if not row.ok or not isinstance(credential, dict) or credential.get("id") != identifier:
                    continue
                if counted:
                    _untrust(site, index, REASON_COUNTED_ELSEWHERE)
                counted = True


def _add(holders: list[PublishedSite], site: PublishedSite) -> None:
    if not holders or holders[-1] is not site:  # sites are walked one after the other
        holders.append(site)


def _bind_site(site: PublishedSite, institution: str) -> None:
    salt = openbadges.subject_salt(institution, site.candidate.slug)
    subjects: set[str] = set()
    others = 0
    for index, (row, credential) in enumerate(site.published):
        if row.code == REASON_OTHER_SUBJECT:
            others += 1  # verify_site already bound it to the slug the card names
            continue
        if not row.ok:
            continue
        hashes = {hashed for own_salt, hashed in openbadges.subject_identities(credential) if own_salt == salt}
        if not hashes:
            others += 1
            _untrust(site, index, REASON_OTHER_SUBJECT)
        subjects |= hashes
    if others:
        site.findings.append(SiteFinding(OTHER_SUBJECT, {"slug": site.candidate.slug, "count": str(others)}))
    if len(subjects) > 1:
        site.findings.append(SiteFinding(SEVERAL_SUBJECTS, {"slug": site.candidate.slug,
                                                            "count": str(len(subjects))}))
        for index, (row, _credential) in enumerate(site.published):
            if row.ok:
                _untrust(site, index, REASON_SEVERAL_SUBJECTS)


def _untrust(site: PublishedSite, index: int, reason: str) -> None:
    row, credential = site.published[index]
    # The reason as a message key, and as the verdict's reason code where rows carry one.
    changes = {"status": UNTRUSTED, "reason": reason, "code": reason, "params": {}}
    untrusted = replace(row, **{name: value for name, value in changes.items() if name in _ROW_FIELDS})
    site.published[index] = (untrusted, credential)
    site.report.credentials = [untrusted if other is row else other for other in site.report.credentials]


def _report_shared(holders: Mapping[object, list[PublishedSite]], code: str, name: str) -> None:
    """A finding on each site holding what other sites hold too, naming their lines."""
    shared: dict[int, tuple[PublishedSite, set[int], list[str]]] = {}
    for key, sites in holders.items():
        if len(sites) < 2:
            continue
        for site in sites:
            _, lines, names = shared.setdefault(id(site), (site, set(), []))
            lines.update(other.line for other in sites if other is not site)
            if name:
                names.append(str(key))
    for site, lines, names in shared.values():
        params = {"lines": ", ".join(str(line) for line in sorted(lines))}
        if name:
            params.update(count=str(len(names)), first=sorted(names)[0])
        site.findings.append(SiteFinding(code, params))


def _status_indices(published: Sequence[tuple[CredentialReport, object]], location: str) -> list[tuple[str, str, str]]:
    found = []
    for row, credential in published:
        entry = revocation_entry(credential) if isinstance(credential, dict) else None
        index = str(entry.get("statusListIndex", "")) if entry else ""
        if index.isdigit() and isinstance(credential.get("id"), str):
            slot = status_slot(_list_name_in(entry.get("statusListCredential")), int(index))
            found.append((slot, credential["id"], published_at(location, row.file)))
    return found


def _list_name_in(url: object) -> str:
    """The signer list a status entry names (see `revocation`), '' for the old shared list."""
    tail = url.rsplit("/", 2)[-2:] if isinstance(url, str) else []
    return tail[1].removesuffix(".json") if len(tail) == 2 and tail[0] == "lists" else ""


def status_slot(name: str, index: int) -> str:
    """A status bit: its index in the old shared list, `<list>#<index>` in a signer's."""
    return f"{name}#{index}" if name else str(index)


def _source(site_line: SiteLine, base: Path, allow_network: bool) -> SiteSource | UnreadableSite:
    try:
        return _Remembered(open_site(site_line.target, allow_network=allow_network, base=base))
    except SiteUnavailable as error:
        if error.code == SiteUnavailable.NO_FOLDER:
            return _unreadable(site_line, NO_FOLDER, folder=error.target)
        return _unreadable(site_line, NETWORK_NOT_ALLOWED if error.code == SiteUnavailable.NETWORK else NOT_HTTPS)


class _Remembered:
    """A source read once per file: the bytes verified are the bytes counted, even from
    a host that would serve something else the second time."""

    def __init__(self, source: SiteSource):
        self._source = source
        self.location = source.location
        self._files: dict[str, bytes | None] = {}

    def read(self, relative: str) -> bytes | None:
        if relative not in self._files:
            self._files[relative] = self._source.read(relative)
        return self._files[relative]

    def list_credentials(self) -> list[str]:
        return self._source.list_credentials()

    def failure(self, relative: str) -> str | None:
        return self._source.failure(relative)


def _unreadable(site_line: SiteLine, reason: str, **params: str) -> UnreadableSite:
    return UnreadableSite(site_line.line, site_line.target, reason, params)


def _cited_results(counted: Sequence[tuple[CredentialReport, dict]]) -> tuple[ExternalResult, ...]:
    """The external results the counted awards cite: no site publishes the results
    themselves, but a certificate or attestation signed by the institution names each
    one its level rests on (commission._cited), in its evidence."""
    results: dict[str, ExternalResult] = {}
    for row, award in counted:
        if row.kind not in (CERTIFICATE, ATTESTATION):
            continue
        for evidence in award.get("evidence") or []:
            if not isinstance(evidence, dict) or evidence.get("genre") != CITED_RESULT_GENRE:
                continue
            input_id, _, level = str(evidence.get("name", "")).partition(" : ")
            cited = _CITED_DATE.search(str(evidence.get("narrative", "")))
            day = cited.group(1) if cited else row.issued[:10]
            if input_id and level:
                results[str(evidence.get("id", ""))] = ExternalResult(
                    row.what, input_id, level, dt.date.fromisoformat(day), f"cited by {row.id}")
    return tuple(results.values())


def published_at(location: str, relative: str) -> str:
    return location + relative if location.endswith("/") else f"{location}/{relative}"
