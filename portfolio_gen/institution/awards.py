"""The commission's awards as the trust layer judged them, and their supersession.

`awards_of` reads each certificate and attestation among a candidate's assessed
credentials into a `decisions.awards.Award` (valid only when it counts: verified, the
institution's, bound to the candidate, not revoked); every place that counts the
certified asks `decisions.awards.certification` of them (issue 29), with the external
results the commission counts (`trust.with_counted_results`): a framework certified
outside the portfolio (Pix+Édu) has no award of the commission, its signed result certifies.

A superseded award is revoked in the institution's status list like any other, with the
reason "superseded by <new id>" in `status/revocations.tsv`: verifiers that know only
Bitstring Status List's `revocation` purpose (digitalbazaar's, the browser pages, any OB
3.0 wallet) then read it as no longer valid, which it is. A status purpose of its own
would have left those verifiers unaware of it. The register's reason tells this tool's
pages a superseded award from a withdrawn one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..core.model import Candidate, Validation
from ..core.settings import Settings
from ..core.workspace import Workspace
from ..credentials import openbadges
from ..decisions.awards import ATTESTATION, CERTIFICATE, Award, superseded_by
from . import revocation
from .trust import Assessment, TrustContext, assess_candidates, kind_of, workspace_context

SUPERSEDED = "superseded"


def award_of(assessment: Assessment, root: Path | None = None) -> Award | None:
    """The award an assessed credential is, or None (a validation, or unreadable)."""
    if assessment.kind not in (CERTIFICATE, ATTESTATION):
        return None
    credential = assessment.credential
    return None if credential is None else award_from_credential(
        credential, valid=assessment.counts,
        file=str(assessment.path.relative_to(root)) if root else assessment.path.name)


def award_from_credential(credential: Mapping, *, valid: bool, file: str = "") -> Award | None:
    """An award read from a credential already judged (`valid`); None when it is not one."""
    kind = kind_of(credential)
    if kind not in (CERTIFICATE, ATTESTATION):
        return None
    subject = credential.get("credentialSubject") if isinstance(credential.get("credentialSubject"), dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    results = subject.get("result") if isinstance(subject.get("result"), list) else []
    level = next((str(r.get("value", "")) for r in results if isinstance(r, dict) and "achievedLevel" in r), "")
    jury = openbadges.jury_override(credential)
    try:
        issued = openbadges.parse_datetime(str(credential.get("validFrom", "")))
    except ValueError:
        issued = dt.datetime.min.replace(tzinfo=dt.UTC)
    return Award(str(credential.get("id", "")), kind, str(achievement.get("humanCode", "")),
                 level if kind == CERTIFICATE else "", issued, valid, file,
                 override=jury.reason if jury else "", session=jury.session if jury else "")


def awards_of(assessments: Iterable[Assessment], root: Path | None = None) -> list[Award]:
    return [award for award in (award_of(a, root) for a in assessments) if award is not None]


def cohort_awards(context: TrustContext, candidates: Iterable[Candidate],
                  root: Path | None = None) -> dict[str, list[Award]]:
    """Per candidate, every award they hold, judged (the verdict cache makes it cheap
    after `validations_in` judged the same folders)."""
    return {candidate.slug: awards_of(assessments, root)
            for candidate, assessments in assess_candidates(candidates, context)}


def workspace_assessed(root: Path, workspace: Workspace) -> tuple[dict[str, list[Validation]], dict[str, list[Award]]]:
    """Per candidate of `workspace`, the validations that count and the awards they hold,
    from one judgement of their credentials (`status`)."""
    context = workspace_context(root, workspace)
    validations, awards = {}, {}
    for candidate, assessments in assess_candidates(workspace.candidates.values(), context):
        validations[candidate.slug] = [a.validation for a in assessments if a.counts and a.validation]
        awards[candidate.slug] = awards_of(assessments, root)
    return validations, awards


def superseded_ids(root: Path) -> dict[str, str]:
    """Revoked award id -> the id of the award that superseded it, from the register."""
    return {credential_id: reason.removeprefix(SUPERSEDED).removeprefix(" by ").strip()
            for credential_id, reason in revocation.revocation_reasons(root).items()
            if reason.startswith(SUPERSEDED)}


def superseded_awards(assessments: Iterable[Assessment], root: Path) -> dict[str, str]:
    """Among one candidate's assessed credentials, superseded award id -> the id of the
    award that took its place (`decisions.awards.superseded_by`), for the pages a build
    makes: they show these as history, never as a withdrawn award (issue 29)."""
    return superseded_by(awards_of(assessments), superseded_ids(root))


def supersede(root: Path, settings: Settings, superseded: Sequence[tuple[Award, dict]], new_id: str,
              private_key: Ed25519PrivateKey, *, now: dt.datetime | None = None) -> None:
    """Revoke each superseded award (its credential given) with the reason "superseded by NEW"."""
    for _, credential in superseded:
        revocation.revoke(root, settings, credential, f"{SUPERSEDED} by {new_id}", private_key, now=now)
