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

from ..core.files import write_atomic
from ..core.model import Candidate, Framework
from ..core.problems import InputError, Problem
from ..decisions.rules import Decision
from ..decisions.workflow import candidate_decision
from ..core.workspace import Workspace
from ..credentials import openbadges, proofs
from . import revocation
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import signer
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


def certify(workspace: Workspace, context: TrustContext, slug: str, framework_id: str,
            private_key: Ed25519PrivateKey, *, comment: str = "", now: dt.datetime | None = None,
            certified: bool | None = None) -> Award:
    """Issue the certificate or attestation of `slug` for `framework_id`, with a revocation
    entry in the institution's status list (given back if anything fails before writing).

    The rule decides between them unless a jury did (`certified`): a session may award
    an attestation to a candidate the rule would certify, or, with a reason it records,
    a certificate the rule does not support (see decisions/sessions.py)."""
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
    supporting = _counted_validations(candidate, framework, context)
    decision = candidate_decision(candidate, framework, [a.validation for a in supporting])
    awarded = decision.met if certified is None else certified
    moment = now or dt.datetime.now(dt.UTC)
    issuer, method = signer(private_key, context.settings.institution.id)
    award = openbadges.build_framework_award(
        context.settings, framework, candidate, certified=awarded, level=decision.level,
        acquired=[framework.item_by_code[code] for code in decision.validated],
        supporting=[_supporting(context, slug, a) for a in supporting], valid_from=moment, comment=comment,
        results=tuple(_cited(r) for r in results if r.result.input in (decision.input_levels or {})))
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
    return Award(path, awarded, decision, supporting)


def certify_candidate(institution: InstitutionContext, workspace: Workspace, slug: str, framework_id: str,
                      private_key: Ed25519PrivateKey, *, comment: str = "", now: dt.datetime | None = None) -> Award:
    """`certify` as the command runs it: `slug`'s credentials judged under the institution
    context the command loaded once (its settings, anchored did.json and signed registry,
    never the working tree's copies), then the award issued by the rule and signed."""
    context = workspace_context(institution.root, workspace, institution)
    return certify(workspace, context, slug, framework_id, private_key, comment=comment, now=now)


def rule_decision(workspace: Workspace, context: TrustContext, slug: str, framework_id: str) -> Decision:
    """What the framework's rule says of `slug` now, from the validations that count: the
    verdict `certify` would act on, for a jury to see before it decides."""
    candidate = workspace.candidates.get(slug)
    framework = workspace.frameworks.get(framework_id)
    problems = _problems(workspace, slug, framework_id, candidate, framework)
    if problems:
        raise InputError(problems)
    candidate, _ = with_signed_results(candidate, framework, context)
    supporting = _counted_validations(candidate, framework, context)
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
    counted = [r for r in counted if r.result.framework == framework.id]
    return dataclasses.replace(candidate, results=tuple(r.result for r in counted)), counted


def _about(problem: Problem, framework: Framework) -> bool:
    """Whether a refused result may concern `framework`: when it cannot be read, it may."""
    return problem.params.get("framework", framework.id) == framework.id


def _cited(signed: SignedResult) -> openbadges.CitedResult:
    result = signed.result
    return openbadges.CitedResult(
        signed.credential_id, f"{result.input} : {result.level}",
        f"{result.input} level {result.level} ({result.date.isoformat()}, {result.source}), "
        f"signed by {signed.signer} on {signed.signed_on.isoformat()}")


def _counted_validations(candidate, framework, context: TrustContext) -> tuple[Assessment, ...]:
    return tuple(a for a in assess_candidate(candidate, context)
                 if a.counts and a.kind == VALIDATION and a.validation.framework == framework.id)


def _problems(workspace, slug, framework_id, candidate, framework) -> list[Problem]:
    if candidate is None:
        return [Problem("candidate.unknown", None, None, {"slug": slug, "known": ", ".join(sorted(workspace.candidates))})]
    if framework is None:
        return [Problem("framework.unknown", None, None, {"id": framework_id, "suggestions": ", ".join(workspace.frameworks)})]
    if framework.rule is None:
        return [Problem("certify.no_rule", None, None, {"framework": framework.id})]
    if not any(p.framework == framework.id for p in candidate.frameworks):
        return [Problem("claim.framework_not_pursued", candidate.folder / "candidate.yml", None, {"framework": framework.id})]
    return []


def _supporting(context: TrustContext, slug: str, assessment: Assessment) -> openbadges.SupportingCredential:
    validation = assessment.validation
    return openbadges.SupportingCredential(
        url=context.settings.site_url(slug) + f"credentials/{assessment.path.name}",
        name=f"{validation.framework}:{validation.item}" + (f" ({validation.level})" if validation.level else ""),
        content=assessment.path.read_bytes())
