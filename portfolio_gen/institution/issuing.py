"""The evaluator's signing flow: check the request, build, validate, sign, write.

Everything the evaluator asked for is checked before anything is signed, and every
credential is validated against the OB schema before any is written: a refused
request leaves no file behind, nor any status-list allocation. Each credential carries
a revocation status entry (see `revocation`). Files are written atomically and never
overwritten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core import i18n
from ..core.files import write_atomic
from ..core.model import Candidate, Claim, Entry, Framework, Item, Validation
from ..core.problems import InputError, Problem, nearest
from ..core.registry import REGISTRY_FILE, Evaluator, Registry, untrusted_reason
from ..core.scaffold import is_placeholder_email
from ..core.settings import Settings
from ..core.workspace import Workspace
from ..credentials import dids, openbadges, proofs
from ..decisions.requests import trainer_problem
from ..decisions.workflow import reopened_refusals
from . import revocation
from ..credentials.cryptosuites import CRYPTOSUITES, EDDSA_RDFC_2022
from ..credentials.loader import DocumentLoader
from .context import workspace_registry
from .registry_credential import has_registry

CREDENTIALS_DIR = "credentials"
DEFAULT_SUITE = EDDSA_RDFC_2022.name


@dataclass(frozen=True)
class SigningRequest:
    """What an evaluator asks to sign: items of one entry of one candidate."""

    slug: str
    entry: str
    items: tuple[str, ...]  # "framework:code", or a code the entry claims only once
    evaluator_name: str
    level: str = ""
    comment: str = ""
    valid_until: dt.datetime | None = None
    issuer: str | None = None  # default: the signing key's did:key
    suite: str = DEFAULT_SUITE
    reconsider: bool = False  # sign an item this evaluator refused in this entry
    # Marks per criterion, where the framework assesses items so: (criterion code, level),
    # the code as `Item.criterion_codes` gives it (I1.2), or prefixed by the framework (crcne:I1.2).
    criteria: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PlannedItem:
    framework: Framework
    item: Item
    level: str
    marks: tuple[tuple[str, str], ...] = ()  # (criterion code, level), in the item's order


def credentials_folder(candidate: Candidate) -> Path:
    return candidate.folder / CREDENTIALS_DIR


def credential_files(candidate: Candidate) -> list[Path]:
    folder = credentials_folder(candidate)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def issue_item_validations(
    workspace: Workspace,
    settings: Settings,
    request: SigningRequest,
    private_key: Ed25519PrivateKey,
    *,
    now: dt.datetime | None = None,
    loader: DocumentLoader | None = None,
    checked: bool = True,
) -> list[Path]:
    """Sign one credential per requested item and write them; the paths written.

    Unless `checked` is false (tests of the signing mechanics only), first refuse what
    could not count or would contradict a record: see `_check_signing`."""
    candidate, entry = _candidate_and_entry(workspace, request)
    planned = plan_items(workspace, entry, request)
    issuer_id, method = dids.signer(private_key, request.issuer)
    valid_from = now or dt.datetime.now(dt.UTC)
    # Refuse before signing anything that could not count or would contradict a record.
    refusals = _check_signing(workspace, candidate, entry, planned, issuer_id, request, valid_from.date()) \
        if checked else {}
    issuer = openbadges.IssuerProfile(issuer_id, request.evaluator_name,
                                      parent=settings.institution)
    built = [_build(settings, candidate, entry, issuer, plan,
                    _reconsidered(request, refusals.get(_ref(plan)), candidate.language), valid_from)
             for plan in planned]
    loader = loader or DocumentLoader()
    suite = CRYPTOSUITES[request.suite]
    # Status bits are allocated only now that the whole request is valid, and given
    # back if anything fails before a credential is written.
    with revocation.released_on_error(workspace.root, [c["id"] for c in built]):
        unsigned = [_validated(credential, _ref(plan)) for credential, plan in
                    zip(revocation.with_statuses(workspace.root, settings, built, private_key.public_key()),
                        planned)]
        signed = [proofs.sign(credential, private_key, method, suite=suite, loader=loader,
                              created=openbadges.datetime_stamp(valid_from), as_array=True)
                  for credential in unsigned]
    return [_write(candidate, credential) for credential in signed]


def recipient_problems(candidate: Candidate) -> list[Problem]:
    """A credential is bound to the candidate's real address (hashed): none, or the
    placeholder earlier versions invented, would bind it to nobody."""
    email = (candidate.private or {}).get("email")
    path = candidate.folder / "candidate.yml" if candidate.folder else None
    if not isinstance(email, str) or "@" not in email:
        return [Problem("sign.no_email", path, None, {"slug": candidate.slug})]
    if is_placeholder_email(candidate.slug, email):
        return [Problem("sign.placeholder_email", path, None, {"slug": candidate.slug, "email": email})]
    return []


def signing_registry(workspace: Workspace) -> Registry:
    """The institution's evaluator registry; without one no validation can count."""
    if not has_registry(workspace.root):
        raise InputError([Problem("sign.no_registry", workspace.root / REGISTRY_FILE, None, {"path": REGISTRY_FILE})])
    return workspace_registry(workspace.root, workspace.frameworks)


def earlier_validations(candidate: Candidate, registry: Registry, evaluator_id: str,
                        revoked: set[str]) -> dict[str, Path]:
    """The items `evaluator_id` already validated for this candidate (not revoked): ref -> file.

    Read without verifying: this guards against signing twice, it does not judge trust."""
    found = {}
    for path in credential_files(candidate):
        try:
            validation = openbadges.validation_from_credential(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, openbadges.CredentialError):
            continue  # certificates, attestations, unreadable files: not a validation
        evaluator = registry.by_key(validation.evaluator)
        if evaluator is not None and evaluator.id == evaluator_id and validation.credential_id not in revoked:
            found[f"{validation.framework}:{validation.item}"] = path
    return found


def refusal_problems(workspace: Workspace, candidate: Candidate, evaluator_id: str,
                     refs: list[str], *, entry: Entry, today: dt.date | None = None) -> list[Problem]:
    """Why `evaluator_id` may not record a refusal of `refs` in `entry`: the framework has
    the trainer of the activity evaluate it and they are neither that trainer nor a referent
    (a refusal is a decision as a signature is: the same rule, `trainer_rule_problem`); or
    they already validated some (two contradictory records with nothing to explain them
    would leave the commission guessing: the validation has to be revoked first)."""
    registry = signing_registry(workspace)
    today = today or dt.date.today()
    problems = []
    for ref in refs:
        framework = workspace.frameworks.get(ref.partition(":")[0])
        trainer = trainer_rule_problem(registry, evaluator_id, entry, framework, ref, today) if framework else None
        if trainer is not None:
            problems.append(trainer)
    done = earlier_validations(candidate, registry, evaluator_id, revocation.revoked_ids(workspace.root))
    return problems + [Problem("refuse.already_validated", done[ref], None, {
        "evaluator": evaluator_id, "ref": ref, "path": done[ref].name}) for ref in refs if ref in done]


def trainer_rule_problem(registry: Registry, evaluator_id: str, entry: Entry, framework: Framework, ref: str,
                         today: dt.date) -> Problem | None:
    """Where the framework has the trainer of the activity evaluate it (C2i2e), why
    `evaluator_id` may not decide on `ref` in `entry` (validate or refuse), located at the
    entry; None when they may. The rule `request` and the review app apply."""
    reason = trainer_problem(evaluator_id, registry, entry, framework, today)
    if reason is None:
        return None
    return Problem(_SIGN_KEYS[reason], entry.path, None, {
        "framework": framework.id, "ref": ref, "evaluator": evaluator_id, "trainer": entry.trainer or "-"})


def _check_signing(workspace: Workspace, candidate: Candidate, entry: Entry, planned: list[PlannedItem],
                   signer_id: str, request: SigningRequest, today: dt.date) -> dict[str, Validation]:
    """Every reason not to sign, at once; the refusals being reconsidered, per item."""
    problems = recipient_problems(candidate)
    registry = signing_registry(workspace)
    evaluator = registry.by_key(signer_id)
    done = earlier_validations(candidate, registry, evaluator.id, revocation.revoked_ids(workspace.root)) \
        if evaluator else {}
    reconsidered = {}
    for plan in planned:
        ref = _ref(plan)
        mention = next((p.mention for p in candidate.frameworks if p.framework == plan.framework.id), None)
        reason = untrusted_reason(registry, signer_id, candidate.slug, plan.framework, plan.item.phase,
                                  mention, today)
        if reason is not None:
            problems.append(_untrusted(ref, signer_id, reason))
            continue
        # Where the trainer of the activity evaluates it (C2i2e), the rule `request` applies.
        trainer = trainer_rule_problem(registry, evaluator.id, entry, plan.framework, ref, today)
        if trainer is not None:
            problems.append(trainer)
            continue
        if ref in done:
            problems.append(Problem("sign.already_validated", done[ref], None, {
                "evaluator": evaluator.id, "ref": ref, "path": done[ref].name}))
            continue
        refusal = _refusal(candidate, entry, evaluator, plan)
        # A refusal the candidate answered by asking again (issue 31) was the answer to an
        # earlier request: this decision answers the new one, and says that it changed.
        if refusal is not None and not request.reconsider \
                and refusal.record not in reopened_refusals(candidate, evaluator.id):
            problems.append(Problem("sign.refused", None, None, {
                "evaluator": evaluator.id, "ref": ref, "date": refusal.date.isoformat(),
                "comment": refusal.comment}))
        elif refusal is not None:
            reconsidered[ref] = refusal
    if problems:
        raise InputError(problems)
    return reconsidered


# The trainer rule's reason for a request, said of a decision (a signature or a refusal).
_SIGN_KEYS = {"request.not_trainer": "sign.not_trainer", "request.trainer_missing": "sign.trainer_missing"}


def _untrusted(ref: str, signer_id: str, reason: str) -> Problem:
    # The trust.* messages are the ones `audit` gives for a credential that does not count.
    return Problem(reason, None, None, {"ref": ref, "signer": signer_id})


def _refusal(candidate: Candidate, entry: Entry, evaluator: Evaluator, plan: PlannedItem) -> Validation | None:
    return next((r for r in reversed(candidate.refusals)
                 if r.evaluator == evaluator.id and r.entry == entry.slug
                 and (r.framework, r.item) == (plan.framework.id, plan.item.code)), None)


def _reconsidered(request: SigningRequest, refusal: Validation | None, language: str) -> SigningRequest:
    """A changed decision says so in the credential, so that the commission sees it."""
    if refusal is None:
        return request
    note = i18n.text("sign.reconsidered", language, date=refusal.date.isoformat(), comment=refusal.comment)
    return dataclasses.replace(request, comment=f"{request.comment} {note}".strip())


def _candidate_and_entry(workspace: Workspace, request: SigningRequest) -> tuple[Candidate, Entry]:
    candidate = workspace.candidates.get(request.slug)
    if candidate is None:
        raise InputError([Problem("candidate.unknown", None, None, {
            "slug": request.slug, "known": ", ".join(sorted(workspace.candidates))})])
    entries = {entry.slug: entry for entry in candidate.entries}
    entry = entries.get(request.entry.removesuffix(".md"))  # the file name is fine too
    if entry is None:
        raise InputError([Problem("credential.unknown_entry", None, None, {
            "entry": request.entry, "slug": request.slug,
            # None close: every entry, rather than an empty list (« noms proches : »).
            "suggestions": ", ".join(nearest(request.entry, entries) or sorted(entries)) or "—"})])
    if entry.is_draft:
        raise InputError([Problem("credential.draft_entry", entry.path, None, {"entry": entry.slug})])
    return candidate, entry


def plan_items(workspace: Workspace, entry: Entry, request: SigningRequest) -> list[PlannedItem]:
    """The items to sign, each with its level; every problem found at once."""
    planned, problems = [], []
    marks = dict(request.criteria)
    used: set[str] = set()
    for reference in request.items:
        claim, problem = _claimed(workspace, entry, reference)
        if problem is None:
            framework = workspace.frameworks[claim.framework]
            item = framework.item_by_code[claim.item]
            item_marks = _item_marks(framework, item, marks, used)
            # A level named by its title, in either language and whatever its case and
            # accents, is its code (issue 31: `--level Confirmé` is `confirme`).
            wanted = (framework.level_code(request.level) or request.level) if request.level else ""
            if item_marks:
                # The item's level follows from the marks, by the framework's rule (issue 29).
                marks_problems = _marks_problems(framework, item, item_marks, wanted)
                problems += marks_problems
                level = "" if marks_problems else framework.level_from_marks(dict(item_marks))
            elif framework.criterion_rule and framework.marks_required:
                # The framework's text requires every criterion marked: a level alone is refused.
                problems.append(Problem("credential.criteria_required", None, None, {
                    "ref": f"{framework.id}:{item.code}", "criteria": ", ".join(item.criterion_codes)}))
                level = ""
            else:
                level = wanted or claim.level
                problem = _level_problem(framework, level)
            planned.append(PlannedItem(framework, item, level, item_marks))
        if problem is not None:
            problems.append(problem)
    problems += _unused_marks_problems(marks, used, planned)
    if problems:
        raise InputError(problems)
    return planned


def _item_marks(framework: Framework, item: Item, marks: dict[str, str],
                used: set[str]) -> tuple[tuple[str, str], ...]:
    """The marks given for this item's criteria, in its order; the keys read go to `used`."""
    if not framework.criterion_rule:
        return ()
    found = []
    for code in item.criterion_codes:
        for key in (code, f"{framework.id}:{code}"):
            if key in marks:
                used.add(key)
                found.append((code, framework.level_code(marks[key]) or marks[key]))  # a title is fine too
                break
    return tuple(found)


def _marks_problems(framework: Framework, item: Item, marks: tuple[tuple[str, str], ...],
                    level: str) -> list[Problem]:
    """Every criterion marked, on the scale; a level given too must be the one they give."""
    ref = f"{framework.id}:{item.code}"
    levels = ", ".join(lv.code for lv in framework.levels)
    marked = dict(marks)
    problems = [Problem("credential.criterion_level_not_on_scale", None, None, {
        "framework": framework.id, "criterion": code, "level": mark, "levels": levels})
        for code, mark in marks if mark not in {lv.code for lv in framework.levels}]
    missing = [code for code in item.criterion_codes if code not in marked]
    if missing:
        problems.append(Problem("credential.criteria_unmarked", None, None,
                                {"ref": ref, "missing": ", ".join(missing)}))
    if problems:
        return problems
    derived = framework.level_from_marks(marked)
    if level and level != derived:
        return [Problem("credential.level_contradicts_criteria", None, None,
                        {"ref": ref, "level": level, "derived": derived})]
    return []


def _unused_marks_problems(marks: dict[str, str], used: set[str], planned: list[PlannedItem]) -> list[Problem]:
    """A mark that is no criterion of the items signed would be silently dropped: refuse it."""
    problems = []
    for key in marks:
        if key in used:
            continue
        if not any(plan.framework.criterion_rule for plan in planned):
            framework = planned[0].framework.id if planned else "-"
            problems.append(Problem("credential.not_per_criterion", None, None,
                                    {"framework": framework, "criterion": key}))
        else:
            codes = [code for plan in planned for code in plan.item.criterion_codes]
            problems.append(Problem("credential.unknown_criterion", None, None,
                                    {"criterion": key, "criteria": ", ".join(codes) or "-"}))
    return problems


def _claimed(workspace: Workspace, entry: Entry, reference: str) -> tuple[Claim | None, Problem | None]:
    claims = [claim for claim in entry.claims
              if reference in (claim.ref, claim.item)]
    claimed = ", ".join(claim.ref for claim in entry.claims)
    if len(claims) == 1:
        return claims[0], None
    if len(claims) > 1:
        return None, Problem("credential.ambiguous_item", entry.path, None,
                             {"code": reference, "claimed": claimed})
    framework_id, _, code = reference.rpartition(":")
    framework = workspace.frameworks.get(framework_id)
    if framework is None or code not in framework.item_by_code:
        pool = [f"{f.id}:{i.code}" for f in workspace.frameworks.values() for i in f.items]
        return None, Problem("credential.unknown_item", None, None, {
            "ref": reference, "suggestions": ", ".join(nearest(reference, pool)) or "-"})
    return None, Problem("credential.item_not_claimed", entry.path, None,
                         {"ref": reference, "entry": entry.slug, "claimed": claimed or "-"})


def _level_problem(framework: Framework, level: str) -> Problem | None:
    levels = ", ".join(lv.code for lv in framework.levels)
    if not framework.levels:
        return Problem("credential.no_levels", None, None,
                       {"framework": framework.id, "level": level}) if level else None
    if not level:
        return Problem("credential.level_required", None, None,
                       {"framework": framework.id, "levels": levels})
    if level not in {lv.code for lv in framework.levels}:
        return Problem("credential.level_not_on_scale", None, None,
                       {"framework": framework.id, "level": level, "levels": levels})
    return None


def _build(settings: Settings, candidate: Candidate, entry: Entry,
           issuer: openbadges.IssuerProfile, plan: PlannedItem, request: SigningRequest,
           valid_from: dt.datetime) -> dict:
    try:
        credential = openbadges.build_item_validation(
            settings, plan.framework, plan.item, candidate, entry, issuer,
            valid_from=valid_from, valid_until=request.valid_until, level=plan.level, marks=plan.marks,
            comment=request.comment, commit=committed_version(entry.path))
    except openbadges.CredentialError as error:
        raise InputError([Problem("credential.cannot_build", candidate.folder, None,
                                  {"ref": _ref(plan), "reason": str(error)})]) from None
    return _validated(credential, _ref(plan))


def committed_version(path: Path | None) -> str:
    """The git commit holding `path` exactly as it is now, or '' (no repository, or the
    file has uncommitted changes): the credential then pins the text by digest alone."""
    if path is None:
        return ""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(path.parent), *args], capture_output=True, text=True, timeout=20)

    try:
        tracked = git("ls-files", "--error-unmatch", "--", path.name)  # an ignored file is not in any commit
        changed = git("status", "--porcelain", "--", path.name)
        head = git("rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return ""
    if tracked.returncode or changed.returncode or head.returncode or changed.stdout.strip():
        return ""
    return head.stdout.strip()


def _ref(plan: PlannedItem) -> str:
    return f"{plan.framework.id}:{plan.item.code}"


def _validated(credential: dict, ref: str) -> dict:
    reasons = openbadges.validate_against_schema(credential)
    if reasons:
        # Never sign what a verifier would reject: say why instead.
        raise InputError([Problem("credential.invalid", None, None, {
            "ref": ref, "reasons": "; ".join(reasons)})])
    return credential


def _write(candidate: Candidate, credential: dict) -> Path:
    name = credential["id"].removeprefix("urn:uuid:")
    path = credentials_folder(candidate) / f"{name}.json"
    text = json.dumps(credential, ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text, overwrite=False)
    return path
