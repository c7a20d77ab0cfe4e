"""The credentials a candidate's site publishes, and what a verifier needs beside them.

The builder judges each credential file of the candidate with the trust layer (in the
worker process) and hands the plugin plain `CredentialView` values: the site shows the
verdict, never recomputes it, and a validation is drawn as "validated" only when its
credential counts. Each credential is published byte for byte (`credentials/<uuid>.json`:
certificates pin these bytes by digest), with a page and a QR code of its URL. The
institution's public files (did.json, the signed registry, the status list) are copied
too, so that a downloaded site can be verified offline; nothing else of the workspace is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

import segno

from ..core import i18n, verdicts
from ..core.files import write_if_changed
from ..core.model import Candidate, ExternalResult, Framework, Validation
from ..core.portfolios import slug_for
from ..core.publishing import WELL_KNOWN_DID, candidate_card
from ..credentials import proofs
from ..credentials.openbadges import (ENTRY_GENRE, ENTRY_SOURCE_GENRE, FILE_GENRE, JuryOverride, criterion_marks,
                                      jury_override)
from .sharing import Identity, date_in_words, linkedin_add_url

CREDENTIALS_DIR = "credentials"
MANIFEST = "verification.json"  # tells a verifier (the page, the CLI) where things are
PRESENTATION = "presentation.json"  # the candidate's signed presentation, when they made one
VERIFY_PAGE = "verify.md"
CREDENTIALS_PAGE = f"{CREDENTIALS_DIR}/index.md"
# Workspace file -> where it is published. The status list's place is fixed by its URL
# (`revocation.status_list_url`); the others sit at the site root. Nothing else from the
# workspace root is ever published: keys/, evaluators.yml, the status registers stay.
DID_FILE, REGISTRY_FILE, STATUS_LIST_FILE = "did.json", "registry.json", "status/revocation-list.json"
VERIFIER_FILES = {DID_FILE: (DID_FILE,), REGISTRY_FILE: (REGISTRY_FILE,), STATUS_LIST_FILE: (STATUS_LIST_FILE,)}
# At the output root only: MkDocs leaves dot-folders out of a candidate's site.
ROOT_ONLY = {DID_FILE: (WELL_KNOWN_DID,)}
JCS = "eddsa-jcs-2022"


@dataclass(frozen=True)
class EvidenceLink:
    name: str
    url: str
    genre: str = ""
    digest: str = ""  # digestMultibase signed in the credential
    narrative: str = ""


@dataclass(frozen=True)
class CredentialView:
    """One published credential, as its page and the matrix show it."""

    uuid: str
    source: Path
    kind: str  # validation | certificate | attestation
    status: str  # the verdict at build time: one of core.verdicts.VERDICTS
    reason: str  # why it does not count, in the site's language ('' when valid)
    name: str
    issuer: str
    issuer_id: str
    issued: str
    valid_until: str
    code: str  # humanCode: framework:item, or the framework of an award
    level: str
    narrative: str
    cryptosuite: str
    evidence: tuple[EvidenceLink, ...]
    url: str  # absolute URL of the JSON, '' when the site's address is unknown
    status_url: str = ""  # the status list it names, if any
    validation: Validation | None = None
    entry_modified: bool = False  # the entry's text changed since it was validated
    reason_code: str = ""  # the verdict's reason code (core.verdicts), '' when valid
    override: JuryOverride | None = None  # an award a jury gave against the rule (issue 29)
    marks: tuple[tuple[str, str], ...] = ()  # (criterion, level) where each criterion was marked
    # What the page's banner says first (issue 32): to whom, the institution, the evaluator's
    # role as the signed registry holds it, the date in words; the digest of the JSON file.
    holder: str = ""
    institution: str = ""
    issuer_role: str = ""
    issued_words: str = ""
    decision: str = ""  # an award's achievement description: what the commission decided
    sha256: str = ""

    @property
    def json_uri(self) -> str:
        return f"{CREDENTIALS_DIR}/{self.uuid}.json"

    @property
    def page_uri(self) -> str:
        return f"{CREDENTIALS_DIR}/{self.uuid}.md"

    @property
    def qr_uri(self) -> str:
        return f"{CREDENTIALS_DIR}/{self.uuid}.svg"

    # The credential baked into its badge (OB 3.0 "Baking"); `<uuid>.svg` is the QR code.
    @property
    def baked_png_uri(self) -> str:
        return f"{CREDENTIALS_DIR}/{self.uuid}.badge.png"

    @property
    def baked_svg_uri(self) -> str:
        return f"{CREDENTIALS_DIR}/{self.uuid}.badge.svg"

    @property
    def pdf_uri(self) -> str:
        """An award's one-page certificate (site/certificate.py)."""
        return f"{CREDENTIALS_DIR}/{self.uuid}.pdf"

    @property
    def page_url(self) -> str:
        """The absolute URL of its page (directory URLs), '' when the site's address is unknown."""
        return self.url.removesuffix(".json") + "/" if self.url else ""

    @property
    def badge_url(self) -> str:
        """The absolute URL of its baked PNG badge: the image of link previews."""
        return self.url.removesuffix(".json") + ".badge.png" if self.url else ""

    @property
    def linkedin_url(self) -> str:
        """LinkedIn's "Add to profile" link for this credential, '' without a public address."""
        if not self.page_url:
            return ""
        return linkedin_add_url(name=self.name, organization=self.institution or self.issuer, issued=self.issued,
                                cert_id=self.uuid, cert_url=self.page_url)

    @property
    def items(self) -> tuple[str, ...]:
        """An award's items as its narrative lists them (« - A1.1 … »)."""
        return tuple(line[2:].strip() for line in self.narrative.splitlines() if line.startswith("- "))

    @property
    def session(self) -> str:
        """An award's narrative beside its items: the commission or session that decided."""
        lines = [line.strip() for line in self.narrative.splitlines()]
        return " ".join(line for line in lines if line and not line.startswith("- ") and not line.endswith(":"))

    @property
    def verdict_key(self) -> str:
        """The catalogue key of the verdict's word, the one `verify` and the verifier pages say."""
        return verdicts.verdict_key(self.status)

    @property
    def counts(self) -> bool:
        return self.status == verdicts.VALID

    @property
    def browser_checkable(self) -> bool:
        return self.cryptosuite == JCS


# A superseded award whose verdict is one of these is history; an invalid or untrusted
# file keeps its verdict in the listing, whatever the register says of its id.
HISTORY_VERDICTS = frozenset({verdicts.VALID, verdicts.REVOKED, verdicts.EXPIRED, verdicts.UNKNOWN_STATUS})


@dataclass(frozen=True)
class SupersededAward:
    """An award a later one took the place of (issue 29): listed as history, on request."""

    award: CredentialView
    by_id: str  # the superseding award's id
    by: CredentialView | None = None  # that award, when this site publishes it


@dataclass(frozen=True)
class PublishedCredentials:
    """Everything credential-related one candidate's site publishes."""

    site_url: str
    institution: str
    credentials: tuple[CredentialView, ...] = ()
    verifier_files: tuple[tuple[str, Path], ...] = ()  # (site uri, workspace file)
    presentation: Path | None = None
    verifier_url: str = ""  # the institution's verifier page (its trust, not this host's)
    institution_name: str = ""  # on the badges its credentials are baked into
    phases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # for the registry's phase rule
    candidate: Mapping[str, object] = field(default_factory=dict)  # core.publishing.candidate_card
    # The candidate's external results that count (signed by staff the registry authorised):
    # the inputs a level rule reads beside the validations (Pix+Édu, issue 29).
    results: tuple[ExternalResult, ...] = ()
    # Superseded award id -> the id of the award that took its place (the institution's
    # revocation register, read by the build): pages list those as history (issue 29).
    superseded: Mapping[str, str] = field(default_factory=dict)
    # The institution's logo and colours, as portfolio-gen.yml gives them (issue 32).
    logo: Path | None = None
    primary: str = ""
    accent: str = ""

    @property
    def identity(self) -> Identity:
        return Identity(self.institution_name, self.logo, self.primary, self.accent)

    def award_history(self) -> list[SupersededAward]:
        """The superseded awards, newest first."""
        found = self.by_id()
        history = [SupersededAward(c, self.superseded[f"urn:uuid:{c.uuid}"],
                                   found.get(self.superseded[f"urn:uuid:{c.uuid}"]))
                   for c in self.credentials if c.kind != "validation"
                   and f"urn:uuid:{c.uuid}" in self.superseded and c.status in HISTORY_VERDICTS]
        return sorted(history, key=lambda h: h.award.issued, reverse=True)

    def current_awards(self) -> list[CredentialView]:
        """The awards a page lists, each with its verdict: all but the superseded ones (a
        credential revoked for another reason is still listed, as revoked)."""
        historic = {h.award.uuid for h in self.award_history()}
        return [c for c in self.credentials if c.kind != "validation" and c.uuid not in historic]

    def verify_link(self, url: str) -> str:
        """The institution's verifier opened on `url` (this site or one credential), for
        links and QR codes; '' when either address is unknown."""
        if not (self.verifier_url and url):
            return ""
        return f"{self.verifier_url}?url={quote(url, safe=':/')}"

    @property
    def counted(self) -> list[Validation]:
        return [c.validation for c in self.credentials if c.counts and c.validation is not None]

    def by_id(self) -> dict[str, CredentialView]:
        return {f"urn:uuid:{c.uuid}": c for c in self.credentials}

    def status_lists(self) -> dict[str, str]:
        """Status list URL -> its site uri, for the lists the credentials name (each list's
        uri is its URL's path below the site base: `revocation.list_path`)."""
        uris = [uri for uri, _ in self.verifier_files if uri.startswith("status/")]
        return {c.status_url: uri for c in self.credentials if c.status_url
                for uri in uris if c.status_url.endswith("/" + uri)}

    def manifest(self) -> str:
        """verification.json: a map, not a trust anchor (every file it names is verified)."""
        uris = {uri for uri, _ in self.verifier_files}
        data = {
            "site": self.site_url,
            "institution": self.institution,
            "credentials": [c.json_uri for c in self.credentials],
            "didDocuments": [DID_FILE] if DID_FILE in uris else [],
            "registry": REGISTRY_FILE if REGISTRY_FILE in uris else None,
            "statusLists": self.status_lists(),
            "presentation": PRESENTATION if self.presentation else None,
            "phases": self.phases,
            "candidate": self.candidate or None,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _status_url(credential: object) -> str:
    status = credential.get("credentialStatus") if isinstance(credential, dict) else None
    entries = status if isinstance(status, list) else [status]
    return next((e.get("statusListCredential", "") for e in entries if isinstance(e, dict)), "")


@functools.lru_cache(maxsize=4096)  # a few KB each; every rebuild of a site draws the same codes again
def qr_svg(data: str) -> str:
    """An SVG QR code of `data` (error correction M: survives a smudged printout)."""
    buffer = io.BytesIO()
    # A standalone file (XML declaration and namespace), unlike svg_inline's fragment.
    segno.make(data, error="m", micro=False).save(buffer, kind="svg", scale=4, border=2, dark="#000", light="#fff",
                                                   title=data)
    return buffer.getvalue().decode("utf-8")


# --- inputs and judgement (run in the builder's worker) ---------------------------------

def trust_files(root: Path) -> list[Path]:
    """The workspace files credential verdicts depend on, beside the candidate's folder."""
    return [root / name for name in verifier_files(root)]


def verifier_files(root: Path) -> dict[str, tuple[str, ...]]:
    """VERIFIER_FILES and the status list of each signing key the workspace holds (see
    `revocation`): workspace file -> where it is published."""
    from ..institution.revocation import list_files

    return {**VERIFIER_FILES, **{relative: (relative,) for relative in list_files(root)}}


def trust_stamp(root: Path) -> str:
    """Size and mtime of the trust files: cheap, and changes whenever they are rewritten."""
    parts = []
    for path in trust_files(root):
        try:
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{path.name}:-")
    return ";".join(parts)


_contexts: dict[tuple[str, str], object] = {}


def _trust_context(root: Path, frameworks: Mapping[str, Framework]):
    """The workspace's trust context, built once per worker process and trust files state."""
    from ..institution import revocation, trust
    from ..credentials.status import StatusListError
    from ..credentials.verify import status_lists, verified_status_list
    from ..core.workspace import Workspace

    key = (str(root.resolve()), trust_stamp(root))
    if key not in _contexts:
        _contexts.clear()
        context = trust.workspace_context(root, Workspace(root, dict(frameworks)))
        lists = []
        for path in revocation.list_files(root).values():
            try:
                lists.append(verified_status_list(path, context.resolver, context.settings.institution.id))
            except StatusListError:
                pass  # an unusable list: its statuses are then "unavailable", not "active"
        context.verify_options = {"status_list": status_lists(lists), "require_status": False}
        _contexts[key] = context
    return _contexts[key]


def publish_credentials(root: Path, candidate: Candidate, frameworks: Mapping[str, Framework],
                        now: dt.datetime | None = None) -> PublishedCredentials:
    """Judge the candidate's credentials and list what their site publishes."""
    from ..credentials import openbadges
    from ..institution import trust
    from ..institution.awards import superseded_awards
    from ..institution.issuing import credential_files
    from ..institution.results import judged_results
    from ..core.problems import InputError

    files = credential_files(candidate) if candidate.folder else []
    try:
        context = _trust_context(root, frameworks) if files or _has_trust_files(root) else None
    except InputError:
        context = None  # no portfolio-gen.yml: nothing can be judged, nothing is validated
    if context is None:
        return PublishedCredentials(candidate.site_url or "", "", presentation=_presentation(candidate),
                                    candidate=candidate_card(candidate))
    context = dataclasses.replace(context, now=now, evidence_files=openbadges.evidence_files(
        context.settings, {candidate.slug: candidate}).get)
    site_url = context.settings.site_url(candidate.slug)
    assessments = list(trust.assess_candidate(candidate, context))
    shown = _Shown(bound_holder(candidate), context.settings.institution.name, context.registry)
    views = tuple(_view(assessment, site_url, candidate.language, shown) for assessment in assessments)
    verifier = tuple((uri, root / name) for name, uris in verifier_files(root).items()
                     if (root / name).is_file() for uri in uris)
    counted, _ = judged_results(candidate, context.frameworks, context.registry, context.resolver, context.loader)
    return PublishedCredentials(site_url, context.settings.institution.id, views, verifier, _presentation(candidate),
                                verifier_url=context.settings.verifier_url,
                                institution_name=context.settings.institution.name,
                                phases=item_phases(frameworks), candidate=candidate_card(candidate),
                                results=tuple(r.result for r in counted),
                                superseded=superseded_awards(assessments, root),
                                logo=context.settings.institution.logo, primary=context.settings.institution.primary,
                                accent=context.settings.institution.accent)


def item_phases(frameworks: Mapping[str, Framework]) -> dict[str, dict[str, str]]:
    """framework -> item code -> phase, for the browser verifiers' registry phase rule."""
    return {fid: {i.code: i.phase for i in fw.items if i.phase} for fid, fw in sorted(frameworks.items())}


def _has_trust_files(root: Path) -> bool:
    return any(path.is_file() for path in trust_files(root))


def _presentation(candidate: Candidate) -> Path | None:
    path = candidate.folder / PRESENTATION if candidate.folder else None
    return path if path is not None and path.is_file() else None


def bound_holder(candidate: Candidate) -> str:
    """Whose credentials these are, as a page or the one-page certificate may say it. Only
    the slug is bound to the credentials (their subject's salt); the name in candidate.yml
    is the candidate's own words, signed by no one. It is shown when it is that slug's
    name (slug_for), else the slug itself: the rule of the institution's verifier
    (verifier/src/page.js), so a candidate cannot put another name on a sheet that
    carries the institution's logo."""
    return candidate.name if slug_for(candidate.name) == candidate.slug else candidate.slug


@dataclass(frozen=True)
class _Shown:
    """What a page says beside the credential itself: the holder, the institution, and the
    registry naming each evaluator's role."""

    holder: str = ""
    institution: str = ""
    registry: object = None  # core.registry.Registry

    def role(self, issuer_id: str) -> str:
        evaluator = self.registry.by_key(issuer_id) if self.registry is not None and issuer_id else None
        return evaluator.role if evaluator is not None else ""


def _view(assessment, site_url: str, language: str, shown: _Shown = _Shown()) -> CredentialView:
    from ..core.files import sha256_file
    from ..institution.verify_site import describe_credential

    credential = assessment.credential if isinstance(assessment.credential, dict) else {}
    described = describe_credential(credential)
    subject = credential.get("credentialSubject") if isinstance(credential.get("credentialSubject"), dict) else {}
    proof = proofs.single_proof(credential) or {}
    uuid = assessment.path.stem
    # The reason in the catalogue's words (verdicts.yml), from its code, as `verify` says it.
    reason = verdicts.say_reason(assessment.code, assessment.params, language) or assessment.reason
    return CredentialView(
        uuid=uuid, source=assessment.path, kind=assessment.kind, status=assessment.status, reason=reason,
        reason_code=assessment.code,
        name=described["name"] or uuid, issuer=described["issuer"] or described["issuer_id"],
        issuer_id=described["issuer_id"], issued=described["issued"],
        valid_until=str(credential.get("validUntil", "")), code=described["what"], level=level_name(subject, described["level"]),
        narrative=str(subject.get("narrative", "")), cryptosuite=str(proof.get("cryptosuite", "")),
        # The entry's text as validated is pinned, not published: no link to show.
        evidence=tuple(_evidence(e, language) for e in credential.get("evidence", [])
                       if isinstance(e, dict) and e.get("genre") != ENTRY_SOURCE_GENRE),
        url=f"{site_url}{CREDENTIALS_DIR}/{uuid}.json" if site_url else "",
        status_url=_status_url(credential),
        validation=assessment.validation if assessment.counts else None,
        entry_modified=assessment.entry_modified, override=jury_override(credential),
        marks=tuple(criterion_marks(credential)),
        holder=shown.holder, institution=shown.institution, issuer_role=shown.role(described["issuer_id"]),
        issued_words=date_in_words(described["issued"], language),
        decision=str(_achievement(subject).get("description", "")), sha256=sha256_file(assessment.path))


def _achievement(subject: dict) -> dict:
    achievement = subject.get("achievement")
    return achievement if isinstance(achievement, dict) else {}


# The genres the tool signs, in English as the standard's examples, said in the page's language.
GENRE_WORDS = {ENTRY_GENRE: "evidence.genre.entry", FILE_GENRE: "evidence.genre.file"}


def _evidence(evidence: dict, language: str) -> EvidenceLink:
    genre = str(evidence.get("genre", ""))
    genre = i18n.text(GENRE_WORDS[genre], language) if genre in GENRE_WORDS else genre
    return EvidenceLink(str(evidence.get("name", "")), str(evidence.get("id", "")), genre,
                        str(evidence.get("digestMultibase", "")), str(evidence.get("narrative", "")))


# --- the cohort root ----------------------------------------------------------------------

def publish_root_files(root: Path, output: Path) -> list[Path]:
    """Copy the verifier files to the root of the output folder (the site base URL, where
    the status list's URL points); a copy replaces the old one atomically."""
    written = []
    for name, uris in verifier_files(root).items():
        source = root / name
        if not source.is_file():
            continue
        content = source.read_bytes()
        for uri in uris + ROOT_ONLY.get(name, ()):
            write_if_changed(output / uri, content)
            written.append(output / uri)
    return written


def published_candidate_sites(folder: Path) -> list[Path]:
    """Candidate sites inside a built output folder: those holding a manifest."""
    return sorted(path.parent for path in folder.glob(f"*/{MANIFEST}"))


def level_name(subject: dict, code: str) -> str:
    """A level as its title (« Confirmé », not "confirme"): the name the credential's own
    achievement gives the code (its rubric, signed with it); the code when it gives none."""
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    descriptions = achievement.get("resultDescription")
    for description in descriptions if isinstance(descriptions, list) else []:
        levels = description.get("rubricCriterionLevel") if isinstance(description, dict) else None
        for level in levels if isinstance(levels, list) else []:
            if isinstance(level, dict) and level.get("level") == code and isinstance(level.get("name"), str):
                return level["name"]
    return code

