"""A complete demonstration from the shipped cohort: keys, registry, validations, awards, sites.

It plays every role of the process on a copy of the demo workspace, so that one command
shows what the tool produces: the institution publishes its did:web and signs its
evaluator registry, evaluators validate the items claimed, the commission certifies,
and each candidate's site is built. The demo's private keys are generated on the spot,
unencrypted and kept in the demo folder's keys/ (never in git, never in site/).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .credentials import dids, keys
from .institution import commission
from .institution.issuing import SigningRequest, issue_item_validations
from .institution.manifest import sign_manifest
from .institution.registry_credential import candidate_emails, sign_registry
from .institution.revocation import publish_status_list
from .credentials.presentation import sign_presentation
from .institution.results import sign_result
from .institution.trustfiles import DID_DOCUMENT_FILE
from .institution.trust import assess_candidate, workspace_context
from .core.files import write_atomic
from .core.model import EvaluationRequest, ExternalResult
from .core.records import level_on_scale, write_request
from .core.result_imports import read_results_file
from .core.registry import REGISTRY_FILE, load_registry
from .core.settings import load_settings
from .core.workspace import CANDIDATES_DIR, FRAMEWORKS_DIR, load_workspace

MARKER = ".portfolio-gen-demo"
PRESENTATION = "presentation.json"  # in the candidate's folder; the site build publishes it
SETTINGS_FILE = "portfolio-gen.yml"
ASSETS = "assets"  # the institution's logo, named by portfolio-gen.yml
# Who validates what in the demo: evaluator id -> (name, role, frameworks).
EVALUATORS = {
    # A « référent C2i2e », whom a trainee may ask whatever the activity (seed 003): C2i2e
    # is evaluated by the trainer of the activity or a referent (evaluated_by in c2i2e.yml).
    "marie-dupont": ("Marie Dupont", "formatrice référente C2i2e et CRCNÉ (fictive)",
                     [{"id": "c2i2e", "from": "2025-09-01", "role": "referent"},
                      {"id": "crcne", "from": "2025-09-01", "mentions": [1, 2]}]),
    "jean-leroy": ("Jean Leroy", "formateur des personnels d'encadrement (fictif)",
                   [{"id": "encadrement-2009", "from": "2025-09-01"}, {"id": "digcompedu", "from": "2025-09-01"}]),
    # Pix+Édu is certified by Pix's automated session: nobody here evaluates it. The staff
    # member who imports Pix's export signs the results as entered, nothing more (issue 29).
    "lea-garnier": ("Léa Garnier", "gestionnaire des certifications Pix de l'INSPÉ (fictive)",
                    [{"id": "pix-edu", "from": "2025-09-01"}]),
}
# The export Pix gives the institution after a certification session (fictitious rows).
PIX_EXPORT = Path("imports") / "pix-edu-certifications.csv"
PIX_COLUMNS = ("Numéro de certification", "Prénom", "Nom", "Adresse e-mail", "Niveau",
               "Date de passage de la certification")
AWARDS = (("camille-martin", "c2i2e"), ("julien-moreau", "c2i2e"), ("sofia-benali", "crcne"))
# Each evaluator's cryptosuite: both are played, and eddsa-jcs-2022 credentials are the
# ones a candidate site's page can re-check in the browser (see docs/verification.md).
SUITES = {"marie-dupont": "eddsa-rdfc-2022", "jean-leroy": "eddsa-jcs-2022"}
# One site holds both suites, as the browser tests need (an evaluator's tool may sign with
# either): Marie Dupont signs Sofia's CRCNÉ validations with eddsa-jcs-2022.
SUITE_FOR_CANDIDATE = {"sofia-benali": "eddsa-jcs-2022"}


def packaged_cohort() -> Path:
    """The demo cohort shipped inside the package (data/demo: the repository's candidates/,
    portfolio-gen.yml and frameworks, by symbolic links in git, as files in the wheel), so
    that `portfolio-gen demo` works wherever the tool is installed (issue 30). Read-only:
    read it without the workspace cache, which would write beside it."""
    return Path(str(resources.files("portfolio_gen").joinpath("data/demo")))


def holds_cohort(source: Path) -> bool:
    return (source / CANDIDATES_DIR).is_dir() and (source / FRAMEWORKS_DIR).is_dir()


@dataclass
class DemoReport:
    root: Path
    validations: int = 0
    awards: list[tuple[str, str, bool, str]] = field(default_factory=list)  # slug, framework, certified, level


def prepare(source: Path, target: Path) -> None:
    """Copy the demo workspace to `target`, replacing a previous demo there (never anything else)."""
    if target.exists() and any(target.iterdir()):
        if not (target / MARKER).exists():
            raise FileExistsError(target)
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    (target / MARKER).write_text("made by `portfolio-gen demo`; deleted and remade by it\n", "utf-8")
    for name in (FRAMEWORKS_DIR, CANDIDATES_DIR):
        shutil.copytree(source / name, target / name, symlinks=False)
    if (source / ASSETS).is_dir():  # the institution's logo (portfolio-gen.yml: institution.logo, issue 32)
        shutil.copytree(source / ASSETS, target / ASSETS, symlinks=False)
    shutil.copyfile(source / SETTINGS_FILE, target / SETTINGS_FILE)


def _new_key(root: Path, name: str):
    key = keys.generate_key()
    keys.write_private_key(root / "keys" / f"{name}.key.pem", key, None)
    return key


def publish_identities(root: Path) -> dict:
    """Institution and evaluator keys, the institution's did.json, evaluators.yml."""
    settings = load_settings(root)
    institution = _new_key(root, "institution")
    document = dids.did_web_document(settings.institution.id, [institution.public_key()])
    write_atomic(root / DID_DOCUMENT_FILE, json.dumps(document, indent=2) + "\n")
    evaluator_keys = {evaluator_id: _new_key(root, evaluator_id) for evaluator_id in EVALUATORS}
    registry = {"evaluators": [
        {"id": evaluator_id, "name": name, "role": role,
         "keys": [dids.did_key(evaluator_keys[evaluator_id].public_key())], "frameworks": grants}
        for evaluator_id, (name, role, grants) in EVALUATORS.items()]}
    write_atomic(root / REGISTRY_FILE, yaml.safe_dump(registry, allow_unicode=True, sort_keys=False))
    return {"institution": institution, **evaluator_keys}


def _evaluator_for(framework_id: str) -> str:
    return next(e for e, (_, _, grants) in EVALUATORS.items() if any(g["id"] == framework_id for g in grants))


def validate_claims(root: Path, private_keys: dict, now: dt.datetime) -> int:
    """Each evaluator validates every item claimed by the non-draft entries they are asked about."""
    workspace = load_workspace(root)
    settings = load_settings(root)
    count = 0
    for candidate in workspace.candidates.values():
        for entry in (e for e in candidate.entries if not e.is_draft):
            by_evaluator: dict[str, list] = {}
            for claim in entry.claims:
                by_evaluator.setdefault(_evaluator_for(claim.framework), []).append(claim)
            for evaluator_id, claims in by_evaluator.items():
                write_request(candidate.folder, EvaluationRequest(
                    "", entry.slug, evaluator_id, tuple(c.ref for c in claims), entry.date))
                for claim in claims:  # one call per claim: each keeps its own level
                    request = SigningRequest(candidate.slug, entry.slug, (claim.ref,), EVALUATORS[evaluator_id][0],
                                             level=claim.level, comment="Validé (démonstration).",
                                             suite=SUITE_FOR_CANDIDATE.get(candidate.slug, SUITES[evaluator_id]))
                    count += len(issue_item_validations(workspace, settings, request,
                                                        private_keys[evaluator_id], now=now))
    return count


def sign_external_results(root: Path, private_keys: dict, now: dt.datetime) -> None:
    """The shipped results (results/*.yml) entered as an institution does: written into a
    Pix certification export, which the staff member the registry authorises imports
    (matched by e-mail) and signs; the unsigned files are then removed."""
    workspace = load_workspace(root)
    shipped = [(c, r) for c in workspace.candidates.values() for r in c.results]
    rows = [(r.source.rsplit("n° ", 1)[-1].split(" ", 1)[0], *c.name.split(" ", 1), c.private.get("email", ""),
             r.level, r.date.strftime("%d/%m/%Y")) for c, r in shipped]
    export = root / PIX_EXPORT
    export.parent.mkdir(exist_ok=True)
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([PIX_COLUMNS, *rows])
    _, imported, problems, unmatched = read_results_file(export, workspace.candidates.values())
    assert not problems and not unmatched, problems + unmatched  # the demo's own export
    for row in imported:
        candidate = workspace.candidate(row.slug)
        result = ExternalResult("pix-edu", "pix-edu", level_on_scale(workspace.frameworks["pix-edu"], row.level),
                                dt.date.fromisoformat(row.date), row.source)
        sign_result(candidate, result, private_keys[_evaluator_for("pix-edu")], now=now)
    for _, result in shipped:
        result.path.unlink()


def run_demo(source: Path, target: Path, *, now: dt.datetime | None = None) -> DemoReport:
    """Prepare the demo workspace and play the whole process in it (sites are built by the caller)."""
    now = now or dt.datetime.now(dt.UTC)
    prepare(source, target)
    private_keys = publish_identities(target)
    workspace = load_workspace(target)
    settings = load_settings(target)
    registry = load_registry(target, workspace.frameworks)
    sign_registry(target, settings, registry, private_keys["institution"], now=now,
                  candidate_emails=candidate_emails(registry, workspace.candidates))
    publish_status_list(target, settings, private_keys["institution"], now=now)
    # What candidates' own repositories are made from (init --candidate --institution site/).
    sign_manifest(target, settings, private_keys["institution"], now=now)
    report = DemoReport(target, validate_claims(target, private_keys, now))
    sign_external_results(target, private_keys, now)
    workspace = load_workspace(target)
    context = workspace_context(target, workspace)
    for slug, framework_id in AWARDS:
        award = commission.certify(workspace, context, slug, framework_id, private_keys["institution"],
                                   comment="Commission de démonstration.", now=now)
        report.awards.append((slug, framework_id, award.certified, award.decision.level))
    present_portfolios(target, now)
    return report


def present_portfolios(root: Path, now: dt.datetime) -> None:
    """Each candidate holds a did:key and signs a presentation of the credentials that count."""
    workspace = load_workspace(root)
    context = workspace_context(root, workspace)
    for slug, candidate in workspace.candidates.items():
        counted = [a.credential for a in assess_candidate(candidate, context) if a.counts]
        if counted:
            presentation = sign_presentation(counted, _new_key(root, slug), now=now)
            write_atomic(candidate.folder / PRESENTATION, json.dumps(presentation, ensure_ascii=False, indent=2) + "\n")
