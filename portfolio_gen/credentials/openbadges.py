"""Open Badges 3.0 credentials for item validations: build, check the shape, read back.

The credential layer on top of proofs: it turns model values (framework, item,
candidate, entry) and the workspace settings into an unsigned `OpenBadgeCredential`
(VC Data Model 2.0 + OB 3.0.3 context), validates a credential against the official OB
JSON Schema plus the structural rules the schema cannot express, and reads a credential
back into a `Validation` for the site and the rules.

How a verifier knows what was decided (see docs/credentials.md):
  - `credentialSubject.achievement.id` is the item's stable URL
    (`settings.achievement_id(framework, code)`), the same for every candidate;
  - `achievement.humanCode` is `<framework id>:<item code>`;
  - `achievement.alignment[0]` names the framework (`targetFramework`: its title) and
    the item (`targetCode`: its code, `targetUrl`: the achievement id);
  - the level, for frameworks with a scale, is `credentialSubject.result[0].value`
    (a level code listed in `achievement.resultDescription[0].allowedValue`);
  - where the evaluator marked each criterion (frameworks assessing items per criterion),
    one more Result per criterion follows, in the item's order, whose `resultDescription`
    is `<achievement id>#criterion-<n>`, a ResultDescription the achievement declares
    (`name`: the criterion's text, `allowedValue`: the scale);
  - the first evidence is the entry's page (`.../entries/<entry slug>/`), carrying the
    evaluator's comment as its `narrative`; then the entry's files, each with the
    SHA-256 digest of its content (`digestMultibase`); last, the entry's own text as the
    evaluator saw it (`genre` "Entry source", `<entry page>#source`, its digest, and the
    git commit when there is one): never published, it lets the workspace tell an entry
    modified after its validation, without invalidating the signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping, Sequence

import jsonschema

from .errors import CredentialsError
from ..core.model import ACCEPTED, Candidate, Entry, Evidence, Framework, Item, Validation
from ..core.settings import Institution, Settings
# Where entries and files are published in the site; credentials point there.
from ..core.publishing import entry_path, evidence_uri
from . import multibase
from .canonicalization import ContentMemo
from .cryptosuites import is_datetime
from .proofs import single_proof

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = (VC_CONTEXT, OB_CONTEXT)
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
SCHEMA_FILE = "ob_v3p0_achievementcredential-vcdm2.json"
# Our frameworks are not published as CASE documents, so the spec's "CFItem" would
# promise a CASE item at targetUrl; the spec's extension convention says what it is.
ALIGNMENT_TARGET_TYPE = "ext:FrameworkItem"
ENTRY_GENRE = "Portfolio entry"
FILE_GENRE = "File"
ENTRY_SOURCE_GENRE = "Entry source"  # the entry's Markdown as validated: not published, so not fetched
# Multihash prefix of a SHA-256 digest: code 0x12, length 32.
SHA256_MULTIHASH = b"\x12\x20"
ENTRY_URL = re.compile(r"/entries/([^/]+)/$")
CRITERION_RESULT = re.compile(r"#criterion-[0-9]+$")
IDENTITY_HASH = re.compile(r"sha256\$[0-9a-f]{64}")


class CredentialError(CredentialsError, ValueError):
    """A credential cannot be built, or read back, as asked; the message says why."""


@dataclass(frozen=True)
class IssuerProfile:
    """Who signs: an evaluator (did:key) or the institution (did:web).

    The institution appears as the evaluator's parent organisation; no e-mail is ever
    put in a profile.
    """

    id: str
    name: str
    url: str = ""
    parent: Institution | None = None
    image: str = ""  # the URL of the profile's image (the institution's badge)

    def as_json(self) -> dict:
        profile = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        if self.image:
            profile["image"] = image_object(self.image, self.name)
        if self.parent is not None and self.parent.id != self.id:
            profile["parentOrg"] = _institution_profile(self.parent)
        return profile


def _institution_profile(institution: Institution) -> dict:
    profile = {"id": institution.id, "type": ["Profile"], "name": institution.name}
    if institution.url:
        profile["url"] = institution.url
    if institution.image:
        profile["image"] = image_object(institution.image, institution.name)
    return profile


def image_object(url: str, caption: str) -> dict:
    """An OB 3.0 Image: the badge's URL and, for those who cannot see it, what it shows."""
    return {"id": url, "type": "Image", "caption": caption}


# --- building -------------------------------------------------------------------------

def datetime_stamp(moment: dt.datetime) -> str:
    """XML Schema dateTimeStamp in UTC, to the second (`2026-03-14T09:30:00Z`)."""
    if moment.tzinfo is None:
        raise ValueError("credential dates must carry a timezone")
    utc = moment.astimezone(dt.UTC).replace(microsecond=0)
    return utc.isoformat().replace("+00:00", "Z")


def identity_hash(email: str, salt: str) -> str:
    """OB IdentityHash of an e-mail: sha256 over the normalized address then the salt."""
    normalized = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


def subject_salt(institution: str, slug: str) -> str:
    """The salt of a candidate's identity in every credential the institution's signers
    issue them: one salted identity per candidate, so that every credential a site
    publishes can be seen to name one subject, bound to that candidate by the signature
    (issue 28: a site republishing another candidate's credentials). Derived, not drawn,
    so that evaluators and the commission, who share nothing, give the same; the salt is
    published beside the hash anyway, so a random one hid nothing more."""
    return hashlib.sha256(f"portfolio-gen subject salt\n{institution}\n{slug}".encode("utf-8")).hexdigest()[:32]


def subject_identities(credential: object) -> frozenset[tuple[str, str]]:
    """(salt, identityHash) of each hashed identity `credential` names as its subject
    (read from hostile JSON: anything malformed is left out)."""
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    return frozenset((i["salt"], i["identityHash"]) for i in (identifiers if isinstance(identifiers, list) else [])
                     if isinstance(i, dict) and isinstance(i.get("salt"), str)
                     and isinstance(i.get("identityHash"), str))


def candidate_email(candidate: Candidate) -> str:
    email = candidate.private.get("email") if candidate.private else None
    if not isinstance(email, str) or "@" not in email:
        raise CredentialError(f"candidate {candidate.slug} has no private e-mail to identify them")
    return email


def digest_multibase(data: bytes) -> str:
    """VCDM 2.0 digestMultibase: base58btc multibase of the SHA-256 multihash."""
    return multibase.encode(SHA256_MULTIHASH + hashlib.sha256(data).digest())


def entry_url(settings: Settings, slug: str, entry: Entry) -> str:
    """The entry's page on the candidate's site (MkDocs directory URLs)."""
    return settings.site_url(slug) + entry_path(entry.slug)


def entry_source_url(settings: Settings, slug: str, entry: Entry) -> str:
    """Names the entry's text as validated (pinned by digest, never published)."""
    return entry_url(settings, slug, entry) + "#source"


def evidence_url(settings: Settings, slug: str, evidence: Evidence) -> str:
    """Where the site publishes an evidence file, or the evidence's own URL."""
    if not evidence.is_file:
        return evidence.url
    # The site renames Markdown files so MkDocs copies them instead of rendering them.
    return settings.site_url(slug) + evidence_uri(evidence)


def build_item_validation(
    settings: Settings,
    framework: Framework,
    item: Item,
    candidate: Candidate,
    entry: Entry,
    issuer: IssuerProfile,
    *,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None = None,
    level: str = "",
    comment: str = "",
    credential_id: str | None = None,
    salt: str | None = None,
    commit: str = "",
    marks: Sequence[tuple[str, str]] = (),
) -> dict:
    """The unsigned OpenBadgeCredential saying `issuer` validated `item` for `candidate`
    on the strength of `entry` (as it is now: its text is pinned, with the git `commit`),
    with the evaluator's `marks` per criterion ((criterion code, level), every criterion)."""
    if valid_until is not None and valid_until <= valid_from:
        raise CredentialError("validUntil must be after validFrom")
    achievement_id = settings.achievement_id(framework.id, item.code)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(candidate_email(candidate),
                                 salt or subject_salt(settings.institution.id, candidate.slug))],
        "achievement": _achievement(framework, item, achievement_id,
                                    settings.achievement_image(framework.id, item.code)),
    }
    if framework.levels:
        subject["achievement"]["resultDescription"] = [_levels(framework, achievement_id)]
        subject["result"] = [_result(framework, achievement_id, level)]
    elif level:
        raise CredentialError(f"{framework.id} has no level scale; no level can be given")
    if marks:
        _add_marks(subject, framework, item, achievement_id, marks)
    credential = {
        "@context": list(CONTEXTS),
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": list(CREDENTIAL_TYPES),
        "name": f"{framework.title} — {item.code} {item.title}",
        "issuer": issuer.as_json(),
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": subject,
        "evidence": _evidence(settings, candidate.slug, entry, comment, commit),
    }
    if valid_until is not None:
        credential["validUntil"] = datetime_stamp(valid_until)
    return credential


def _identity(email: str, salt: str) -> dict:
    return {"type": "IdentityObject", "hashed": True, "identityHash": identity_hash(email, salt),
            "identityType": "emailAddress", "salt": salt}


def _achievement(framework: Framework, item: Item, achievement_id: str, image: str) -> dict:
    criteria = "\n".join(f"- {criterion}" for criterion in item.criteria) or item.title
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": item.title,
        "image": image_object(image, f"{framework.title} — {item.code}"),
        "description": item.description or item.title,
        "criteria": {"narrative": criteria},
        "humanCode": f"{framework.id}:{item.code}",
        "alignment": [{
            "type": ["Alignment"],
            "targetName": item.title,
            "targetCode": item.code,
            "targetFramework": framework.title,
            "targetType": ALIGNMENT_TARGET_TYPE,
            "targetUrl": achievement_id,
        }],
    }


def _levels(framework: Framework, achievement_id: str) -> dict:
    return {
        "id": f"{achievement_id}#levels",
        "type": ["ResultDescription"],
        "name": framework.title,
        "resultType": "RubricCriterionLevel",
        "allowedValue": [level.code for level in framework.levels],
        "rubricCriterionLevel": [
            {"id": f"{achievement_id}#level-{level.code}", "type": ["RubricCriterionLevel"],
             "name": level.title, "level": level.code}
            for level in framework.levels
        ],
    }


def _result(framework: Framework, achievement_id: str, level: str) -> dict:
    if not level:
        raise CredentialError(f"{framework.id} validates at a level: one must be given")
    try:
        framework.level_rank(level)
    except ValueError:
        codes = ", ".join(lv.code for lv in framework.levels)
        raise CredentialError(f"{level!r} is not a level of {framework.id} ({codes})") from None
    return {"type": ["Result"], "resultDescription": f"{achievement_id}#levels",
            "achievedLevel": f"{achievement_id}#level-{level}", "value": level}


def _add_marks(subject: dict, framework: Framework, item: Item, achievement_id: str,
               marks: Sequence[tuple[str, str]]) -> None:
    """One ResultDescription per criterion on the achievement, one Result per mark."""
    if not framework.levels or [code for code, _ in marks] != list(item.criterion_codes):
        raise CredentialError(f"{framework.id}:{item.code}: every criterion must be marked, in order")
    for position, ((_, mark), text) in enumerate(zip(marks, item.criteria), start=1):
        described = f"{achievement_id}#criterion-{position}"
        rubric = _levels(framework, described)
        rubric.update(id=described, name=text)
        for level in rubric["rubricCriterionLevel"]:
            level["id"] = f"{described}-level-{level['level']}"
        subject["achievement"]["resultDescription"].append(rubric)
        result = _result(framework, achievement_id, mark)
        result.update(resultDescription=described, achievedLevel=f"{described}-level-{mark}")
        subject["result"].append(result)


def criterion_marks(credential: Mapping) -> list[tuple[str, str]]:
    """The criteria marks a credential carries: (criterion text, level code), in order;
    [] when it has none (read without verifying: for pages that show them)."""
    subject = credential.get("credentialSubject") if isinstance(credential, Mapping) else None
    if not isinstance(subject, Mapping) or not isinstance(subject.get("achievement"), Mapping):
        return []
    described = {d.get("id"): d for d in subject["achievement"].get("resultDescription") or []
                 if isinstance(d, Mapping)}
    marks = []
    for result in subject.get("result") or []:
        if isinstance(result, Mapping) and CRITERION_RESULT.search(str(result.get("resultDescription", ""))):
            description = described.get(result["resultDescription"]) or {}
            marks.append((str(description.get("name", "")), str(result.get("value", ""))))
    return marks


def _evidence(settings: Settings, slug: str, entry: Entry, comment: str, commit: str) -> list[dict]:
    page = {"id": entry_url(settings, slug, entry), "type": ["Evidence"], "name": entry.title,
            "genre": ENTRY_GENRE}
    if comment:
        page["narrative"] = comment
    files = [_evidence_item(settings, slug, evidence) for evidence in entry.evidence]
    if entry.path is None or not entry.path.is_file():
        return [page, *files]
    source = {"id": entry_source_url(settings, slug, entry), "type": ["Evidence"],
              "name": f"{entry.title} (texte validé)", "genre": ENTRY_SOURCE_GENRE,
              "digestMultibase": digest_multibase(entry.path.read_bytes())}
    if commit:
        source["description"] = f"git commit {commit}"
    return [page, *files, source]


def _evidence_item(settings: Settings, slug: str, evidence: Evidence) -> dict:
    item = {"id": evidence_url(settings, slug, evidence), "type": ["Evidence"],
            "name": evidence.title}
    if evidence.is_file:
        if evidence.file is None or not evidence.file.is_file():
            raise CredentialError(f"evidence file {evidence.path} is missing")
        item["genre"] = FILE_GENRE
        item["digestMultibase"] = digest_multibase(evidence.file.read_bytes())
    return item


CERTIFICATE_TYPE, ATTESTATION_TYPE = "Certificate", "ext:Attestation"
# Last segment of the achievement id of a certificate, of an attestation of items acquired.
AWARD_CODES = ("certification", "attestation")


@dataclass(frozen=True)
class SupportingCredential:
    """A validation a certificate rests on: where it is published and its exact bytes."""

    url: str
    name: str
    content: bytes


@dataclass(frozen=True)
class JuryStatement:
    """A commission's decision contrary to the rule's verdict (a certificate although the
    rule is not met, an attestation although it is), said in the credential itself: as an
    evidence of genre JURY_DECISION_GENRE (`id`: the session, `name`, `description`: what
    was actually validated against the rule, `narrative`: the jury's reason in its own
    words), and at the head of the subject's narrative and as the achievement's
    description (issue 29). Texts come already written, in every language the credential
    carries (`reason_text`: the reason introduced as such)."""

    session: str
    name: str
    description: str
    reason: str
    reason_text: str


JURY_DECISION_GENRE = "JuryOverride"
JURY_SESSION_URN = "urn:portfolio-gen:session:"


@dataclass(frozen=True)
class JuryOverride:
    """A `JuryStatement` as a credential carries it, read back for verifiers and pages:
    the session, the rule not met (the statement's description, in every language the
    credential carries, one per line) and the jury's reason in its own words."""

    session: str
    rule: str
    reason: str

    def as_json(self) -> dict:
        return {"session": self.session, "rule": self.rule, "reason": self.reason}


def jury_override(credential: object) -> JuryOverride | None:
    """The credential's evidence of genre JURY_DECISION_GENRE, or None (unverified: judge
    the credential first)."""
    evidence = credential.get("evidence") if isinstance(credential, dict) else None
    jury = next((e for e in evidence if isinstance(e, dict) and e.get("genre") == JURY_DECISION_GENRE), None) \
        if isinstance(evidence, list) else None
    if jury is None:
        return None
    return JuryOverride(str(jury.get("id", "")).removeprefix(JURY_SESSION_URN), str(jury.get("description", "")),
                        str(jury.get("narrative", "")))


@dataclass(frozen=True)
class CitedResult:
    """An external result a level rests on: its signed credential's id, and in words what
    it says and who signed it (the credential stays in the candidate's repository)."""

    id: str
    name: str
    narrative: str


def build_framework_award(
    settings: Settings,
    framework: Framework,
    candidate: Candidate,
    *,
    certified: bool,
    level: str,
    acquired: list[Item],
    supporting: list[SupportingCredential],
    results: tuple[CitedResult, ...] = (),
    valid_from: dt.datetime,
    comment: str = "",
    jury: JuryStatement | None = None,
) -> dict:
    """The commission's unsigned credential: a certificate when the rule is met, otherwise
    an attestation listing the items acquired (C2i2e process). Its evidence is every item
    validation it rests on, each pinned by the digest of the published file; and `jury`'s
    statement when a commission decided against the rule's verdict."""
    award_code = AWARD_CODES[0] if certified else AWARD_CODES[1]
    achievement_id = settings.achievement_id(framework.id, award_code)
    acquired_text = "\n".join(f"- {item.code} {item.title}" for item in acquired) or "-"
    rule = rule_text(framework)
    if certified:
        name, description, criteria = framework.title, rule, rule
    else:
        # An attestation must never read like the certificate: it states what it attests.
        name, description, criteria = _attestation_texts(framework, len(acquired), rule)
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": CERTIFICATE_TYPE if certified else ATTESTATION_TYPE,
        "name": name,
        "image": image_object(settings.achievement_image(framework.id, award_code), name),
        "description": description,
        "criteria": {"narrative": criteria},
        "humanCode": framework.id,
    }
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(candidate_email(candidate), subject_salt(settings.institution.id, candidate.slug))],
        "achievement": achievement,
        "narrative": f"Items acquis :\n{acquired_text}" + (f"\n\n{comment}" if comment else ""),
    }
    if jury is not None:
        # Never let the rule's words stand alone on an award the rule did not give.
        achievement["description"] = jury.description  # it names the rule, and what was validated
        subject["narrative"] = f"{jury.description}\n{jury.reason_text}\n\n{subject['narrative']}"
    if framework.levels and level:
        achievement["resultDescription"] = [_levels(framework, achievement_id)]
        subject["result"] = [_result(framework, achievement_id, level)]
    return {
        "@context": list(CONTEXTS),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": list(CREDENTIAL_TYPES),
        "name": achievement["name"],
        "issuer": IssuerProfile(settings.institution.id, settings.institution.name,
                                image=settings.institution.image).as_json(),
        "validFrom": datetime_stamp(valid_from),
        "credentialSubject": subject,
        "evidence": [{"id": s.url, "type": ["Evidence"], "name": s.name, "genre": "Credential",
                      "digestMultibase": digest_multibase(s.content)} for s in supporting]
        + [{"id": r.id, "type": ["Evidence"], "name": r.name, "genre": "ExternalResult", "narrative": r.narrative}
           for r in results]
        + ([{"id": JURY_SESSION_URN + jury.session, "type": ["Evidence"], "name": jury.name,
             "genre": JURY_DECISION_GENRE, "description": jury.description, "narrative": jury.reason}]
           if jury is not None else []),
    }


def _attestation_texts(framework: Framework, acquired: int, rule_text: str) -> tuple[str, str, str]:
    """Name, description and criteria of an attestation of items acquired (French, like the
    framework texts it quotes)."""
    total = len(framework.items)
    name = f"{framework.title} — attestation d'items acquis (pas le certificat)"
    description = (f"Attestation de {acquired} items acquis sur {total} du référentiel {framework.id}. "
                   f"Ce n'est pas le certificat {framework.id}, dont la règle n'est pas remplie "
                   f"(la certification demande : {rule_text.rstrip('.')}).")
    criteria = (f"Chaque item listé a été validé par un évaluateur habilité par l'établissement ; "
                f"les validations sont jointes comme preuves. {acquired} items acquis sur {total} ; "
                f"attestation délivrée par la commission quand la règle du certificat n'est pas remplie.")
    return name, description, criteria


def rule_text(framework: Framework) -> str:
    """The framework's certification rule in words (French, as the credentials carry it)."""
    # Each rule kind says itself (core.rules.Rule.describe): a new kind needs nothing here.
    return framework.rule.describe(framework) if framework.rule is not None else framework.title


def evidence_files(settings: Settings, candidates: Mapping[str, Candidate]) -> dict[str, Path]:
    """Published URL -> file on disk, for every evidence file of these candidates, and
    each entry's text (its "#source" URL) to tell one modified after its validation."""
    found = {}
    for candidate in candidates.values():
        for entry in candidate.entries:
            if entry.path is not None:
                found[entry_source_url(settings, candidate.slug, entry)] = entry.path
            for evidence in entry.evidence:
                if evidence.is_file and evidence.file is not None:
                    found[evidence_url(settings, candidate.slug, evidence)] = evidence.file
    return found


# --- reading back ---------------------------------------------------------------------

def validation_from_credential(credential: Mapping) -> Validation:
    """The decision a (verified) credential records, as a model value."""
    try:
        subject = credential["credentialSubject"]
        achievement = subject["achievement"]
        framework, _, code = achievement["humanCode"].partition(":")
        alignment = achievement["alignment"][0]
        issued = _signed_on(credential)
        page = credential["evidence"][0]
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
        raise CredentialError(f"not an item validation credential: {error!r}") from None
    if not framework or alignment.get("targetCode") != code:
        raise CredentialError("achievement humanCode and alignment targetCode disagree")
    entry = ENTRY_URL.search(page.get("id", ""))
    results = subject.get("result") or [{}]
    return Validation(framework=framework, item=code, evaluator=_issuer_id(credential),
                      date=issued, decision=ACCEPTED, level=results[0].get("value", ""),
                      comment=page.get("narrative", ""), entry=entry.group(1) if entry else "",
                      credential_id=credential.get("id", ""))


def _signed_on(credential: Mapping) -> dt.date:
    """The UTC day the proof says the credential was signed: an authorisation is judged
    then, not on the `validFrom` the signer chose nor in the signer's timezone."""
    proof = single_proof(credential)  # an object or an array of one (VCDM 2.0)
    stamp = proof.get("created") if proof is not None and proof.get("created") else credential["validFrom"]
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()


def _issuer_id(credential: Mapping) -> str:
    issuer = credential.get("issuer")
    return issuer.get("id", "") if isinstance(issuer, dict) else str(issuer or "")


# --- schema and structure -------------------------------------------------------------

@cache
def official_schema() -> dict:
    """The bundled 1EdTech AchievementCredential schema, as published (see SOURCE.md)."""
    folder = resources.files("portfolio_gen.credentials").joinpath("schemas")
    return json.loads(folder.joinpath(SCHEMA_FILE).read_text("utf-8"))


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = official_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _with_proof_array(credential: dict) -> dict:
    # VCDM 2.0 allows `proof` as one object or a set; the schema's revision only knows
    # the array, so one object is read as an array of one before validating.
    if isinstance(credential.get("proof"), dict):
        return {**credential, "proof": [credential["proof"]]}
    return credential


_SCHEMA_PROBLEMS = ContentMemo(maxsize=4096)  # by credential: the schema is the package's


def validate_against_schema(credential: object) -> list[str]:
    """Every reason `credential` is not a well-formed OB 3.0 item validation (empty if it is)."""
    if not isinstance(credential, dict):
        return ["credential is not a JSON object"]
    return list(_SCHEMA_PROBLEMS.get(credential, lambda: tuple(_schema_problems(credential))))


def _schema_problems(credential: dict) -> list[str]:
    errors = sorted(_validator().iter_errors(_with_proof_array(credential)),
                    key=lambda e: list(e.absolute_path))
    problems = [f"{_path(error.absolute_path)}: {error.message}" for error in errors]
    return problems + structure_problems(credential)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "credential"


def structure_problems(credential: dict) -> list[str]:
    """What the JSON Schema cannot say: exact contexts and types, VCDM 2.0 dates with a
    timezone, a hashed identity, digests that are SHA-256 multihashes."""
    problems = []
    if credential.get("@context") != list(CONTEXTS):
        problems.append(f"@context: must be exactly {list(CONTEXTS)}")
    types = credential.get("type")
    if not isinstance(types, list) or not set(CREDENTIAL_TYPES) <= set(types):
        problems.append(f"type: must include {' and '.join(CREDENTIAL_TYPES)}")
    if not str(credential.get("id", "")).startswith("urn:uuid:"):
        problems.append("id: must be a urn:uuid")
    for legacy in ("issuanceDate", "expirationDate"):
        if legacy in credential:
            problems.append(f"{legacy}: VCDM 1.1 property; VCDM 2.0 uses validFrom/validUntil")
    problems += _issuer_problems(credential.get("issuer"))
    problems += _date_problems(credential)
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict):
        problems += _subject_problems(subject)
    for index, evidence in enumerate(_list(credential.get("evidence"))):
        problems += _evidence_problems(index, evidence)
    return problems + _duplicate_problems(credential)


def _duplicate_problems(node: object, path: tuple = ()) -> list[str]:
    """Lists that repeat an item. OB and VC lists are sets: RDF canonicalization folds a
    repeated item into one, so a repeat would verify yet not be what was signed."""
    problems = []
    if isinstance(node, dict):
        for key, value in node.items():
            problems += _duplicate_problems(value, (*path, key))
    elif isinstance(node, list):
        texts = [json.dumps(item, sort_keys=True) for item in node]
        if len(set(texts)) != len(texts):
            problems.append(f"{_path(path)}: repeats an item (lists are sets)")
        for index, item in enumerate(node):
            problems += _duplicate_problems(item, (*path, index))
    return problems


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _issuer_problems(issuer: object) -> list[str]:
    if not isinstance(issuer, dict) or not isinstance(issuer.get("id"), str):
        return ["issuer: must be a Profile object with an id"]
    if not issuer["id"].startswith(("did:key:", "did:web:")):
        return ["issuer.id: must be a did:key or did:web (the controller of the signing key)"]
    return []


def _date_problems(credential: dict) -> list[str]:
    problems = []
    for field in ("validFrom", "validUntil"):
        value = credential.get(field)
        if value is None:
            continue
        if not is_datetime(value) or not re.search(r"(Z|[+-]\d{2}:\d{2})$", value):
            problems.append(f"{field}: {value!r} is not a dateTime with a timezone")
    if not problems and "validUntil" in credential and "validFrom" in credential:
        if parse_datetime(credential["validUntil"]) <= parse_datetime(credential["validFrom"]):
            problems.append("validUntil: must be after validFrom")
    return problems


def parse_datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _subject_problems(subject: dict) -> list[str]:
    identifiers = _list(subject.get("identifier"))
    if "id" not in subject and not identifiers:
        return ["credentialSubject: needs an id or at least one identifier"]
    problems = []
    for index, identity in enumerate(identifiers):
        where = f"credentialSubject.identifier[{index}]"
        if not isinstance(identity, dict):
            continue
        if identity.get("identityType") == "emailAddress" and identity.get("hashed") is not True:
            problems.append(f"{where}: an e-mail address must be hashed, never given in clear")
        elif identity.get("hashed") is True and not IDENTITY_HASH.fullmatch(
                str(identity.get("identityHash"))):
            problems.append(f"{where}.identityHash: must be sha256$ and 64 hex digits")
    return problems


def _evidence_problems(index: int, evidence: object) -> list[str]:
    if not isinstance(evidence, dict) or "digestMultibase" not in evidence:
        return []
    try:
        digest = multibase.decode(evidence["digestMultibase"])
    except multibase.MultibaseError as error:
        return [f"evidence[{index}].digestMultibase: {error}"]
    if not digest.startswith(SHA256_MULTIHASH) or len(digest) != 34:
        return [f"evidence[{index}].digestMultibase: not a SHA-256 multihash"]
    return []


def file_digest_matches(evidence: Mapping, path: Path) -> bool:
    return evidence.get("digestMultibase") == digest_multibase(path.read_bytes())


def evidence_url_to_file(files: Mapping[str, Path]) -> Callable[[str], Path | None]:
    return files.get
