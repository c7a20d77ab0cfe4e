"""What a candidate's site is made of: which pages exist and what each one shows.

Plain values computed from the model (like Material's blog `structure`): no MkDocs, no
HTML. The plugin renders each `Page` through its template in `themes/pages/`. Only public
entries and public profile fields ever enter this structure, so nothing private can reach
a template by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Mapping

from ..core import i18n
from ..core.model import Candidate, Claim, Entry, Evidence, Framework, Item, Validation, title_in
from ..core.portfolios import CANDIDATE_FILE
from ..core.publishing import ENTRIES_DIR, evidence_uri
from ..decisions.rules import decide, evaluation_level, validated_items
from ..decisions.workflow import input_levels
from .structure import CopiedFile, GeneratedFile, Page, SiteStructure, framework_uri, item_uri
from . import certificate
from .badges import credential_badge
from .sharing import IDENTITY_CSS, Identity, date_in_words, identity_css
from .diagnostic import add_diagnostics
from .credentials import CREDENTIALS_PAGE, MANIFEST, PRESENTATION, VERIFY_PAGE, CredentialView, PublishedCredentials

VALIDATED, CLAIMED, MISSING = "validated", "claimed", "missing"
# Shown inline with <img>. SVG is not among them: it is an active type (see publishing).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
# Evidence named like a Markdown page would be rendered by MkDocs instead of copied.
EVIDENCE_DIR = "evidence"
VERIFY_QR = "verify-qr.svg"


@dataclass(frozen=True)
class EvidenceView:
    """One trace as the site shows it: an inline image, a downloadable file or a link."""

    title: str
    kind: str  # "image" | "file" | "url"
    target: str  # site URI of the copied file, or the external URL
    sha256: str = ""
    size: int = 0
    name: str = ""  # file name shown to the reader


@dataclass(frozen=True)
class ClaimView:
    framework: Framework
    item: Item
    title: str
    item_uri: str
    level: str  # localized title of the claimed level, if any
    justification: str


@dataclass(frozen=True)
class EntryView:
    entry: Entry
    uri: str
    phase: str  # localized phase titles, joined
    claims: tuple[ClaimView, ...]
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class ValidationView:
    evaluator: str
    date: str
    level: str  # localized level title
    credential: CredentialView | None = None  # the credential that makes it count
    marks: tuple[CriterionMark, ...] = ()  # each criterion's level, where the evaluator marked them


@dataclass(frozen=True)
class CriterionMark:
    """A criterion of an item and the level the counting credential's evaluator marked it
    at (`sign --criterion`, the review app): shown on the item's page (issue 29)."""

    code: str  # the item's code and the criterion's position: I2.3
    criterion: str  # the framework's text of the criterion, in its language
    level: str  # localized level title
    level_code: str


@dataclass(frozen=True)
class ItemRow:
    """An item of a framework for this candidate: its state and the entries claiming it."""

    framework: Framework
    item: Item
    title: str
    domain: str
    uri: str
    state: str
    validation: ValidationView | None
    entries: tuple[EntryView, ...]
    claims: tuple[tuple[EntryView, ClaimView], ...]
    # Every credential about this item, counting or not (a revoked one is shown as such).
    credentials: tuple[CredentialView, ...] = ()


@dataclass(frozen=True)
class Progress:
    """How far a candidate stands on a framework (counts from public claims only)."""

    framework: Framework
    title: str
    uri: str
    mention: int | None
    total: int
    claimed: int
    validated: int
    missing: int
    rule: str  # the rule's kind (core/rules.py), "" without a rule
    minimum: int = 0
    mandatory: int = 0
    inputs: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    level: str = ""
    met: bool = False
    # Each input of a level rule with the level it recognises ('' while missing): CRCNÉ's
    # jury and Pix+Édu levels beside the joint one (issue 29).
    input_levels: tuple[tuple[str, str], ...] = ()


def plan_site(candidate: Candidate, frameworks: Mapping[str, Framework],
              validations: Iterable[Validation], digest: Callable[[Path], str],
              published: PublishedCredentials | None = None) -> SiteStructure:
    """Every page of the candidate's site, from public entries, the given validations and
    the published credentials (the `serve` preview's own pages: site/previews.py)."""
    language = candidate.language
    validations = list(validations)
    credentials = list(published.credentials) if published else []
    pursued = [(p, frameworks[p.framework]) for p in candidate.frameworks if p.framework in frameworks]
    entry_views = [_entry_view(entry, frameworks, language, digest) for entry in candidate.public_entries]
    site = SiteStructure(candidate, language, home=Page("index.md", candidate.name, "home.md.j2", {}))
    site.files = _copied_files(candidate.public_entries)
    progress = []
    # The results the site counts are those the institution's registry authorised (judged
    # with the credentials); the folder's own results/ files prove nothing by themselves.
    counted = replace(candidate, results=tuple(published.results) if published else ())
    for pursuit, framework in pursued:
        rows = _item_rows(framework, entry_views, validations, language, credentials)
        summary = _progress(framework, pursuit.mention, rows, validations, language, counted)
        progress.append(summary)
        site.matrices.append(Page(framework_uri(framework), summary.title, "matrix.md.j2",
                                  {"progress": summary, "rows": rows}, framework.path))
        site.items.extend(Page(row.uri, f"{row.item.code} · {framework.id}", "item.md.j2",
                               {"row": row, "progress": summary}, framework.path, in_nav=False)
                          for row in rows)
    site.entries = [Page(view.uri, view.entry.title, "entry.md.j2", {"view": view}, view.entry.path)
                    for view in reversed(entry_views)]  # newest first
    # The current award of each framework (and level); those superseded are history, shown
    # on request, never as a withdrawn award (issue 29).
    awards = published.current_awards() if published else []
    history = published.award_history() if published else []
    site.home = Page("index.md", candidate.name, "home.md.j2",
                     {"progress": progress, "entries": list(reversed(entry_views)), "awards": awards,
                      "history": history},
                     candidate.folder / CANDIDATE_FILE if candidate.folder else None)
    if published is not None:
        site.published = published
        _plan_credentials(site, published, language)
        _plan_baked_badges(site, published, frameworks, language)
        _plan_certificates(site, published)
    _plan_identity(site, published.identity if published is not None else None)
    add_diagnostics(site, frameworks)
    return site


def _plan_identity(site: SiteStructure, identity: Identity | None) -> None:
    """The institution's colours and logo on every page (issue 32): a stylesheet the theme
    always links (empty of rules without an identity) and the logo file beside it."""
    site.generated.append(GeneratedFile(IDENTITY_CSS, "text", identity_css(identity)))
    if identity is not None and identity.logo is not None:
        site.files.append(CopiedFile(identity.logo_uri, identity.logo))


def _plan_credentials(site: SiteStructure, published: PublishedCredentials, language: str) -> None:
    """Pages and files of the credentials: each JSON byte for byte, its page and QR code,
    the verification page, and the files a verifier needs."""
    site.files += [CopiedFile(uri, source) for uri, source in published.verifier_files]
    if published.presentation is not None:
        site.files.append(CopiedFile(PRESENTATION, published.presentation))
    if not published.credentials:
        return
    site.generated.append(GeneratedFile(MANIFEST, "manifest"))
    if published.site_url:
        # The QR codes lead to the institution's verifier, opened on this site or credential.
        site.generated.append(GeneratedFile(VERIFY_QR, "qr", published.verify_link(published.site_url)
                                            or published.site_url + "verify/"))
    history = published.award_history()
    superseded = {h.award.uuid: h for h in history}
    private = _private_evidence(site, published)
    for view in published.credentials:
        site.files.append(CopiedFile(view.json_uri, view.source))
        site.generated.append(GeneratedFile(view.qr_uri, "qr", published.verify_link(view.url)
                                            or view.url or view.json_uri))
        site.credentials.append(Page(view.page_uri, view.name, "credential.md.j2",
                                     {"view": view, "superseded": superseded.get(view.uuid), "private": private},
                                     view.source, in_nav=False))
    listing = {"credentials": list(published.credentials), "published": published}
    # The list shows the validations and the current awards; superseded awards as history.
    site.credentials.insert(0, Page(CREDENTIALS_PAGE, i18n.text("site.credentials.title", language),
                                    "credential_list.md.j2",
                                    {**listing, "credentials": [c for c in published.credentials
                                                                if c.uuid not in superseded],
                                     "history": history}))
    site.credentials.insert(1, Page(VERIFY_PAGE, i18n.text("site.verify.title", language), "verify.md.j2",
                                    listing))


def _plan_baked_badges(site: SiteStructure, published: PublishedCredentials, frameworks: Mapping[str, Framework],
                       language: str) -> None:
    """Each credential baked into the badge of what it awards, as PNG and SVG (OB 3.0
    "Baking"), for those whose framework this site knows."""
    for view in published.credentials:
        badge = credential_badge(frameworks, view.code, view.kind, published.institution_name, language)
        if badge is None:
            continue
        site.generated += [GeneratedFile(view.baked_png_uri, "baked", badge=badge, source=view.source),
                           GeneratedFile(view.baked_svg_uri, "baked", badge=badge, source=view.source)]
        site.baked.add(view.uuid)


def _plan_certificates(site: SiteStructure, published: PublishedCredentials) -> None:
    """Each current award as a one-page A4 PDF, where WeasyPrint is installed (issue 32)."""
    if not certificate.available():
        return
    for view in published.current_awards():
        if view.kind in certificate.AWARD_KINDS and view.counts:
            site.generated.append(GeneratedFile(view.pdf_uri, "certificate", published.verify_link(view.url),
                                                credential=view))
            site.certificates.add(view.uuid)


def _private_evidence(site: SiteStructure, published: PublishedCredentials) -> frozenset[str]:
    """Evidence URLs under this site's address that it does not publish: a private entry's
    page or file, named as such instead of a link to a 404 (issue 32)."""
    base = published.site_url
    if not base:
        return frozenset()
    shown = {base + _url_of(uri) for uri in [p.uri for p in site.pages] + [f.uri for f in site.files]
             + [g.uri for g in site.generated]}
    shown |= {base + view.json_uri for view in published.credentials}
    cited = {e.url for view in published.credentials for e in view.evidence}
    return frozenset(url for url in cited if url.startswith(base) and url.split("#", 1)[0] not in shown)


def _url_of(uri: str) -> str:
    """A page's directory URL (entries/x.md -> entries/x/, index.md -> ''); files as they are."""
    if not uri.endswith(".md"):
        return uri
    stem = uri[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


def _copied_files(entries: Iterable[Entry]) -> list[CopiedFile]:
    seen: dict[str, CopiedFile] = {}
    for entry in entries:
        for evidence in entry.evidence:
            if evidence.is_file and evidence.file is not None:
                seen.setdefault(evidence_uri(evidence), CopiedFile(evidence_uri(evidence), evidence.file))
    return list(seen.values())


def _entry_view(entry: Entry, frameworks: Mapping[str, Framework], language: str,
                digest: Callable[[Path], str]) -> EntryView:
    claims = tuple(_claim_view(claim, frameworks[claim.framework], language)
                   for claim in entry.claims if claim.framework in frameworks)
    phases = {phase.code: title_in(phase, language)
              for framework in {c.framework.id: c.framework for c in claims}.values()
              for phase in framework.phases}
    evidence = tuple(_evidence_view(e, digest) for e in entry.evidence)
    return EntryView(entry, f"{ENTRIES_DIR}/{entry.slug}.md", phases.get(entry.phase, entry.phase), claims, evidence)


def _claim_view(claim: Claim, framework: Framework, language: str) -> ClaimView:
    item = framework.item_by_code[claim.item]
    level = _level_title(framework, claim.level, language)
    return ClaimView(framework, item, title_in(item, language), item_uri(framework, item), level,
                     claim.justification)


def _level_title(framework: Framework, code: str, language: str) -> str:
    if not code:
        return ""
    try:
        return title_in(framework.level(code), language)
    except ValueError:
        return code


def _evidence_view(evidence: Evidence, digest: Callable[[Path], str]) -> EvidenceView:
    if not evidence.is_file or evidence.file is None:
        return EvidenceView(evidence.title, "url", evidence.url)
    path = PurePosixPath(evidence.path)
    kind = "image" if path.suffix.lower() in IMAGE_SUFFIXES else "file"
    return EvidenceView(evidence.title, kind, evidence_uri(evidence), digest(evidence.file),
                        evidence.file.stat().st_size, path.name)


def _item_rows(framework: Framework, entries: list[EntryView], validations: list[Validation],
               language: str, credentials: list[CredentialView] = ()) -> list[ItemRow]:
    validated = validated_items(framework, validations)
    by_id = {f"urn:uuid:{c.uuid}": c for c in credentials}
    domains = {d.code: title_in(d, language) for d in framework.domains}
    rows = []
    for item in framework.items:
        claims = tuple((view, claim) for view in entries for claim in view.claims
                       if claim.framework.id == framework.id and claim.item.code == item.code)
        claiming = tuple({id(view): view for view, _ in claims}.values())
        validation = validated.get(item.code)
        state = VALIDATED if validation else CLAIMED if claims else MISSING
        about = tuple(c for c in credentials if c.kind == "validation" and c.code == f"{framework.id}:{item.code}")
        view = _validation_view(framework, validation, language, by_id)
        rows.append(ItemRow(framework, item, title_in(item, language), domains.get(item.domain, item.domain),
                            item_uri(framework, item), state, view, claiming, claims, about))
    return rows


def _validation_view(framework: Framework, validation: Validation | None, language: str,
                     credentials: Mapping[str, CredentialView]) -> ValidationView | None:
    if validation is None:
        return None
    credential = credentials.get(validation.credential_id)
    # The evaluator's name as the credential gives it, rather than their did:key.
    evaluator = credential.issuer if credential else validation.evaluator
    # The date in words (« 5 mars 2026 »), as the credential's banner says it (issue 32).
    return ValidationView(evaluator, date_in_words(validation.date.isoformat(), language),
                          _level_title(framework, validation.level, language), credential,
                          _criterion_marks(framework, validation.item, credential, language))


def _criterion_marks(framework: Framework, item_code: str, credential: CredentialView | None,
                     language: str) -> tuple[CriterionMark, ...]:
    """The marks the counting credential carries, each named by its criterion's code and the
    framework's own text (the credential's copy of the text is matched, else its position)."""
    item = framework.item_by_code.get(item_code)
    if credential is None or item is None or not credential.marks:
        return ()
    codes = dict(zip(item.criteria, item.criterion_codes))
    marks = []
    for position, (criterion, level) in enumerate(credential.marks, start=1):
        code = codes.get(criterion, f"{item.code}.{position}")
        marks.append(CriterionMark(code, criterion, _level_title(framework, level, language), level))
    return tuple(marks)


def _progress(framework: Framework, mention: int | None, rows: list[ItemRow], validations: list[Validation],
              language: str, candidate: Candidate) -> Progress:
    counts = {state: sum(1 for row in rows if row.state == state) for state in (VALIDATED, CLAIMED, MISSING)}
    base = dict(framework=framework, title=title_in(framework, language), uri=framework_uri(framework),
                mention=mention, total=len(rows), claimed=counts[CLAIMED] + counts[VALIDATED],
                validated=counts[VALIDATED], missing=counts[MISSING])
    rule = framework.rule
    if rule is None:  # a positioning framework: the level its evaluation recognises, if any
        return Progress(**base, rule="", level=_level_title(framework, evaluation_level(framework, validations)
                                                            or "", language))
    levels = input_levels(candidate, framework, validations)
    decision = decide(framework, validations, levels)
    if not rule.inputs:  # a count of items (C2i2e)
        return Progress(**base, rule=rule.kind, minimum=decision.required,
                        mandatory=len(framework.mandatory_codes), met=decision.met)
    titles = {i.id: i.title for i in rule.inputs}
    return Progress(**base, rule=rule.kind, inputs=tuple(titles.values()),
                    pending=tuple(titles[i] for i in decision.missing_inputs),
                    level=_level_title(framework, decision.level, language), met=decision.met,
                    input_levels=tuple((titles[i], _level_title(framework, level or "", language))
                                       for i, level in levels.items()))
