"""A jury session's decisions and its minutes, signed as a whole by the institution.

Each decision issues its credential through `commission.certify`, the very code of the
`certify` command. The minutes (procès-verbal) are a Verifiable Credential whose subject
carries the whole session file as one JSON literal (`@type: @json`, as the evaluator
registry does), so the signed bytes are exactly what the file says: anyone holding the
institution's did:web can check the minutes, and a session file edited after signing no
longer matches them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..credentials.errors import CredentialsError
from ..core.files import write_atomic
from ..core.problems import InputError, Problem
from ..core.sessions import (APPEAL_DISMISSED, APPEALS_FILE, CERTIFICATE, SESSIONS_DIR, POSTPONEMENT, Appeal, JuryDecision, Session,
                             read_appeals, read_session, session_path, session_to_data, write_appeals, write_session)
from ..decisions.sessions import appeal_problems
from ..core.settings import Settings
from ..core.workspace import Workspace
from ..decisions.sessions import decision_problems
from ..credentials import proofs
from . import commission
from ..credentials.cryptosuites import EDDSA_RDFC_2022
from ..credentials.dids import DidResolver, signer
from ..credentials.loader import DocumentLoader
from ..credentials.openbadges import datetime_stamp
from .registry_credential import inline_context
from .trust import TrustContext

CREDENTIAL_TYPE = "JuryMinutesCredential"
CONTEXT = inline_context(CREDENTIAL_TYPE, "JuryMinutes", {"session": "session"})


class MinutesError(CredentialsError, ValueError):
    """The minutes cannot be trusted, or no longer match the session file; the message says why."""


def minutes_path(session: Session) -> Path:
    return session.path.with_name(f"{session.id}.minutes.json")


def minutes_page_path(session: Session) -> Path:
    return session.path.with_name(f"{session.id}.minutes.html")


def record_decision(workspace: Workspace, context: TrustContext, session: Session, slug: str, outcome: str,
                    private_key: Ed25519PrivateKey | None, *, comment: str = "", override: str = "",
                    now: dt.datetime | None = None, reissue: bool = False) -> tuple[Session, tuple]:
    """Check the jury's decision, issue its credential as `certify` does, add it to the
    session file; the session, and the earlier awards the new one superseded.

    Nothing is written when the decision cannot be taken (InputError with every reason).
    """
    if minutes_path(session).exists():
        raise InputError([Problem("session.closed", minutes_path(session), None, {"session": session.id})])
    decision = None
    if session.standing(slug) is not None and outcome not in (POSTPONEMENT, APPEAL_DISMISSED):
        decision = commission.rule_decision(workspace, context, slug, session.framework)
    problems = decision_problems(session, slug, outcome, decision, comment=comment, override=override)
    if problems:
        raise InputError(problems)
    moment = now or dt.datetime.now(dt.UTC)
    credential, level, superseded = "", "", ()
    if outcome not in (POSTPONEMENT, APPEAL_DISMISSED):
        if private_key is None:
            raise InputError([Problem("session.key_required", None, None, {"outcome": outcome})])
        # The session and the jury's reason go into the credential when the jury decides
        # against the rule (issue 29): the override's, or the comment of an attestation.
        award = commission.certify(workspace, context, slug, session.framework, private_key, comment=comment,
                                   now=moment, certified=outcome == CERTIFICATE, session=session.id,
                                   reason=override or comment, reissue=reissue)
        credential = award.path.relative_to(workspace.root).as_posix()
        level = award.decision.level if award.certified else ""
        superseded = award.superseded
    appeal = session.appeal(slug)  # the decision, if the candidate appealed, is the appeal's
    updated = session.with_decision(JuryDecision(slug, outcome, moment.date(), level, comment, override, credential,
                                                 appeal.session if appeal else ""))
    write_session(session.path, updated)
    return updated, superseded


def lodge_appeal(root: Path, session: Session, slug: str, reason: str, lodged: dt.date) -> Appeal:
    """Record `slug`'s appeal against `session`'s decision in sessions/appeals.yml, for a
    later session of the framework to decide (`session new` takes it up). The decided
    session stays as it was signed: its minutes cannot change, the later ones show both."""
    appeals = read_appeals(root)
    problems = appeal_problems(session, slug, reason, appeals)
    if problems:
        raise InputError(problems)
    appeal = Appeal(slug, session.id, session.decision(slug).outcome, lodged, " ".join(reason.split()))
    write_appeals(root, [*appeals, appeal])
    return appeal


def pending_appeals(root: Path, framework_id: str) -> list[Appeal]:
    """The appeals against decisions of `framework_id` that no session has taken up yet."""
    folder = root / SESSIONS_DIR
    taken = {(a.candidate, a.session) for path in sorted(folder.glob("*.yml")) if path.name != APPEALS_FILE
             for a in read_session(path).appeals} if folder.is_dir() else set()
    return [a for a in read_appeals(root) if (a.candidate, a.session) not in taken
            and session_path(root, a.session).is_file()
            and read_session(session_path(root, a.session)).framework == framework_id]


def build_minutes_credential(session: Session, settings: Settings, valid_from: dt.datetime) -> dict:
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": f"Procès-verbal — {session.id} — {settings.institution.name}",
        "issuer": settings.institution.id,
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": {"id": settings.institution.id, "type": "JuryMinutes",
                              "session": session_to_data(session)},
    }


def sign_minutes(session: Session, settings: Settings, private_key: Ed25519PrivateKey, *,
                 now: dt.datetime | None = None, loader: DocumentLoader | None = None) -> dict:
    """Sign the whole session and write `<id>.minutes.json` beside it; a session is signed once."""
    _, method = signer(private_key, settings.institution.id)
    moment = now or dt.datetime.now(dt.UTC)
    signed = proofs.sign(build_minutes_credential(session, settings, moment), private_key, method,
                         suite=EDDSA_RDFC_2022, loader=loader or DocumentLoader(), created=datetime_stamp(moment))
    try:
        write_atomic(minutes_path(session), json.dumps(signed, ensure_ascii=False, indent=2) + "\n", overwrite=False)
    except FileExistsError:
        raise InputError([Problem("session.closed", minutes_path(session), None, {"session": session.id})]) from None
    return signed


@dataclass(frozen=True)
class SignedMinutes:
    credential: dict
    issuer: str
    created: str
    method: str


def verify_minutes(credential: object, session: Session, institution_id: str, resolver: DidResolver,
                   loader: DocumentLoader | None = None) -> SignedMinutes:
    """The minutes once their proof, their issuer and their content are checked against the
    session file as it is now; MinutesError says which check failed."""
    if not isinstance(credential, dict) or CREDENTIAL_TYPE not in (credential.get("type") or []):
        raise MinutesError(f"not a {CREDENTIAL_TYPE}")
    issuer = proofs.issuer_id(credential)
    if issuer != institution_id:
        raise MinutesError(f"minutes issued by {issuer}, not by the institution {institution_id}")
    result = proofs.verify(credential, resolver=resolver, loader=loader or DocumentLoader(),
                           expected_controller=institution_id)
    if not result.verified:
        raise MinutesError(f"proof: {result.reason}")
    signed = (credential.get("credentialSubject") or {}).get("session")
    if signed != session_to_data(session):
        raise MinutesError(_difference(signed, session_to_data(session)))
    proof = credential.get("proof") or {}
    return SignedMinutes(credential, issuer, proof.get("created", ""), proof.get("verificationMethod", ""))


def read_minutes(session: Session, institution_id: str, resolver: DidResolver) -> SignedMinutes:
    try:
        credential = json.loads(minutes_path(session).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise MinutesError(f"cannot read the minutes ({error})") from None
    return verify_minutes(credential, session, institution_id, resolver)


def _difference(signed: object, current: dict) -> str:
    """Which part of the session changed since signing, so the reader knows where to look."""
    if not isinstance(signed, dict):
        return "the minutes carry no session"
    changed = sorted(key for key in current.keys() | signed.keys() if signed.get(key) != current.get(key))
    return "session file edited after signing: " + ", ".join(changed)
