"""The commission's flow: gather what counts, apply the rule, issue and sign the award.

`certify` collects the candidate's valid, trusted validations for one framework (see
trust.py), applies the framework's rule with the external results (workflow), and
signs with the institution's did:web key either the certificate or, when the rule is
not met, the attestation of items acquired that the C2i2e process prescribes.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core import i18n
from ..core.files import write_atomic
from ..core.model import Candidate, Framework
from ..core.problems import InputError, Problem
from ..core.rules import certified_outside, external_inputs
from ..decisions import awards
from ..decisions.rules import Decision
from ..decisions.workflow import candidate_decision
from ..core.workspace import Workspace
from ..credentials import openbadges, proofs
from . import revocation
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import signer
from .awards import awards_of, supersede
from .context import InstitutionContext
from .issuing import credentials_folder, recipient_problems
from .results import SignedResult, judged_results
from .trustfiles import check_signing_key
from .trust import VALIDATION, Assessment, TrustContext, assess_candidate, workspace_context


@dataclass(frozen=True)
class Award:
    path: Path
    certified: bool
    decision: Decision
    supporting: tuple[Assessment, ...]
    superseded: tuple[awards.Award, ...] = ()  # the earlier awards it replaced, now revoked


def certify(workspace: Workspace, context: TrustContext, slug: str, framework_id: str,
            private_key: Ed25519PrivateKey, *, comment: str = "", now: dt.datetime | None = None,
            certified: bool | None = None, session: str = "", reason: str = "", reissue: bool = False,
            attestation: bool = False) -> Award:
    """Issue the certificate or attestation of `slug` for `framework_id`, with a revocation
    entry in the institution's status list (given back if anything fails before writing).

    The rule decides between them unless a jury did (`certified`): a session may award
    an attestation to a candidate the rule would certify, or, with a `reason` it records,
    a certificate the rule does not support (see decisions/sessions.py); the credential
    then says so, with the `session` and the reason (issue 29).

    One current award per framework (and level): the new one supersedes the candidate's
    current award it replaces, which is revoked as "superseded" once the new one is
    written; a duplicate (same kind, same level) needs `reissue`, and an attestation is
    never issued over a current certificate (decisions/awards.py)."""
    candidate = workspace.candidates.get(slug)
    framework = workspace.frameworks.get(framework_id)
    problems = _problems(workspace, slug, framework_id, candidate, framework)
    if problems:
        raise InputError(problems)
    problems = recipient_problems(candidate)
    if problems:
        raise InputError(problems)
    check_signing_key(workspace.root, context.settings.institution.id, private_key)
    candidate, results = with_signed_results(candidate, framework, context)
    assessments = assess_candidate(candidate, context)
    supporting = _counted_validations(assessments, framework)
    decision = candidate_decision(candidate, framework, [a.validation for a in supporting])
    if certified is None and decision.missing_inputs and not attestation:
        # An input not there yet (CRCNÉ without its Pix+Édu result) is not a failed rule:
        # say what is missing, and issue the attestation only when asked (issue 29).
        raise InputError([_missing_inputs(candidate, framework, decision)])
    awarded = decision.met if certified is None else certified
    if awarded and not decision.met and not reason.strip():
        # A certificate the rule does not give is the jury's, with its reason, or none.
        raise InputError([Problem("session.rule_not_met", None, None, {"slug": slug, "framework": framework.id})])
    replaced = _replaced(workspace, context, candidate, framework, assessments, awarded, decision.level, reissue)
    moment = now or dt.datetime.now(dt.UTC)
    issuer, method = signer(private_key, context.settings.institution.id)
    award = openbadges.build_framework_award(
        context.settings, framework, candidate, certified=awarded, level=decision.level,
        acquired=[framework.item_by_code[code] for code in decision.validated],
        supporting=[_supporting(context, slug, a) for a in supporting], valid_from=moment, comment=comment,
        results=tuple(_cited(r) for r in results if r.result.input in (decision.input_levels or {})),
        jury=_jury_statement(framework, candidate, decision, session, reason) if awarded != decision.met else None)
    with revocation.released_on_error(workspace.root, [award["id"]]):
        award = revocation.with_status(workspace.root, context.settings, award, private_key.public_key())
        reasons = openbadges.validate_against_schema(award)
        if reasons:
            raise InputError([Problem("credential.invalid", None, None,
                                      {"ref": framework.id, "reasons": "; ".join(reasons)})])
        signed = proofs.sign(award, private_key, method, suite=EDDSA_RDFC_2022, loader=context.loader,
                             created=openbadges.datetime_stamp(moment), as_array=True)
        path = credentials_folder(candidate) / f"{signed['id'].removeprefix('urn:uuid:')}.json"
        write_atomic(path, json.dumps(signed, ensure_ascii=False, indent=2) + "\n", overwrite=False)
    # Only now that the new award is written: a failure before leaves the old one current.
    # The list is signed now, whatever date the award carries (a list dated in the past
    # would already have lapsed).
    supersede(workspace.root, context.settings, replaced, signed["id"], private_key)
    return Award(path, awarded, decision, supporting, tuple(award for award, _ in replaced))


def _replaced(workspace: Workspace, context: TrustContext, candidate: Candidate, framework: Framework,
              assessments: list[Assessment], certified: bool, level: str, reissue: bool) -> list[tuple[awards.Award, dict]]:
    """The current awards a new one replaces, each with its credential; InputError when it
    would duplicate one without `reissue`, or put an attestation over a certificate."""
    held = awards_of(assessments, workspace.root)
    kind = awards.CERTIFICATE if certified else awards.ATTESTATION
    plan = awards.replacement(held, kind=kind, framework=framework.id, level=level)
    if plan.blocked_by is not None:
        raise InputError([Problem("award.certificate_held", workspace.root / plan.blocked_by.file, None, _said(
            candidate, plan.blocked_by))])
    if plan.duplicate and not reissue:
        raise InputError([Problem("award.duplicate", workspace.root / earlier.file, None, _said(candidate, earlier))
                          for earlier in plan.supersedes if earlier.kind == kind])
    replaced = [(earlier, json.loads((workspace.root / earlier.file).read_text("utf-8"))) for earlier in plan.supersedes]
    for earlier, credential in replaced:
        try:  # before anything is signed: a new award whose predecessor stays valid is two current awards
            revocation.check_revocable(workspace.root, context.settings, credential)
        except revocation.RevocationError as error:
            raise InputError([Problem("award.cannot_supersede", workspace.root / earlier.file, None,
                                      {**_said(candidate, earlier), "reason": str(error)})]) from None
    return replaced


def _said(candidate: Candidate, award: awards.Award) -> dict:
    return {"slug": candidate.slug, "kind": award.kind, "framework": award.framework,
            "date": award.issued.date().isoformat(), "file": award.file}


def _jury_statement(framework: Framework, candidate: Candidate, decision: Decision, session: str,
                    reason: str) -> openbadges.JuryStatement:
    """What a decision contrary to the rule says in the credential: in French (the
    credential's language, as its framework texts) and in the candidate's language."""
    languages = tuple(dict.fromkeys(("fr", candidate.language or "fr")))
    session = session or "-"
    missing = ", ".join(decision.missing_mandatory) if not decision.met else ""
    key = "award.jury.attestation" if decision.met else "award.jury.certificate"

    def description(language: str) -> str:
        text = i18n.text(key, language, validated=len(decision.validated), total=len(framework.items),
                         rule=openbadges.rule_text(framework).rstrip("."), session=session)
        return text + (" " + i18n.text("award.jury.missing", language, codes=missing) if missing else "")

    def said(message: str, **params) -> str:
        return "\n".join(i18n.text(message, language, **params) for language in languages)
    return openbadges.JuryStatement(session=session, name=said("award.jury.name", session=session),
                                    description="\n".join(description(language) for language in languages),
                                    reason=" ".join(reason.split()),
                                    reason_text=said("award.jury.reason", reason=" ".join(reason.split())))


def certify_candidate(institution: InstitutionContext, workspace: Workspace, slug: str, framework_id: str,
                      private_key: Ed25519PrivateKey, *, comment: str = "", now: dt.datetime | None = None,
                      reissue: bool = False, attestation: bool = False) -> Award:
    """`certify` as the command runs it: `slug`'s credentials judged under the institution
    context the command loaded once (its settings, anchored did.json and signed registry,
    never the working tree's copies), then the award issued by the rule and signed."""
    context = workspace_context(institution.root, workspace, institution)
    return certify(workspace, context, slug, framework_id, private_key, comment=comment, now=now, reissue=reissue,
                   attestation=attestation)


def rule_decision(workspace: Workspace, context: TrustContext, slug: str, framework_id: str) -> Decision:
    """What the framework's rule says of `slug` now, from the validations that count: the
    verdict `certify` would act on, for a jury to see before it decides."""
    candidate = workspace.candidates.get(slug)
    framework = workspace.frameworks.get(framework_id)
    problems = _problems(workspace, slug, framework_id, candidate, framework)
    if problems:
        raise InputError(problems)
    candidate, _ = with_signed_results(candidate, framework, context)
    supporting = _counted_validations(assess_candidate(candidate, context), framework)
    return candidate_decision(candidate, framework, [a.validation for a in supporting])


def with_signed_results(candidate: Candidate, framework: Framework,
                        context: TrustContext) -> tuple[Candidate, list[SignedResult]]:
    """The candidate as the commission sees them: only the results of `framework` whose
    signature and signer hold; InputError naming each one that does not (unsigned,
    tampered, signed by someone the registry does not authorise)."""
    counted, problems = judged_results(candidate, context.frameworks, context.registry, context.resolver,
                                       context.loader)
    problems = [p for p in problems if _about(p, framework)]
    if problems:
        raise InputError(problems)
    counted = [r for r in counted if _about_framework(r.result.framework, framework)]
    return dataclasses.replace(candidate, results=tuple(r.result for r in counted)), counted


def _about(problem: Problem, framework: Framework) -> bool:
    """Whether a refused result may concern `framework`: when it cannot be read, it may."""
    return _about_framework(problem.params.get("framework", framework.id), framework)


def _about_framework(result_framework: object, framework: Framework) -> bool:
    """A result of `framework`, or of the framework one of its external inputs is named
    after (CRCNÉ's `pix-edu` input reads Pix+Édu's own results: workflow.input_levels)."""
    return result_framework == framework.id or result_framework in external_inputs(framework.rule)


def _missing_inputs(candidate: Candidate, framework: Framework, decision: Decision) -> Problem:
    titles = {i.id: i.title for i in framework.rule.inputs}
    return Problem("certify.missing_inputs", None, None, {
        "slug": candidate.slug, "framework": framework.id,
        "inputs": " ; ".join(titles.get(i, i) for i in decision.missing_inputs)})


def _cited(signed: SignedResult) -> openbadges.CitedResult:
    result = signed.result
    return openbadges.CitedResult(
        signed.credential_id, f"{result.input} : {result.level}",
        f"{result.input} level {result.level} ({result.date.isoformat()}, {result.source}), "
        f"signed by {signed.signer} on {signed.signed_on.isoformat()}")


def _counted_validations(assessments: list[Assessment], framework: Framework) -> tuple[Assessment, ...]:
    return tuple(a for a in assessments
                 if a.counts and a.kind == VALIDATION and a.validation.framework == framework.id)


def _problems(workspace, slug, framework_id, candidate, framework) -> list[Problem]:
    if candidate is None:
        return [Problem("candidate.unknown", None, None, {"slug": slug, "known": ", ".join(sorted(workspace.candidates))})]
    if framework is None:
        return [Problem("framework.unknown", None, None, {"id": framework_id, "suggestions": ", ".join(workspace.frameworks)})]
    if framework.rule is None:
        return [Problem("certify.no_rule", None, None, {"framework": framework.id})]
    if certified_outside(framework.rule):
        return [Problem("certify.external", None, None, {"framework": framework.id,
                                                         "inputs": " ; ".join(i.title for i in framework.rule.inputs)})]
    if not any(p.framework == framework.id for p in candidate.frameworks):
        return [Problem("claim.framework_not_pursued", candidate.folder / "candidate.yml", None, {"framework": framework.id})]
    return []


def _supporting(context: TrustContext, slug: str, assessment: Assessment) -> openbadges.SupportingCredential:
    validation = assessment.validation
    return openbadges.SupportingCredential(
        url=context.settings.site_url(slug) + f"credentials/{assessment.path.name}",
        name=f"{validation.framework}:{validation.item}" + (f" ({validation.level})" if validation.level else ""),
        content=assessment.path.read_bytes())
