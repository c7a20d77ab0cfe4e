"""A cohort built for the steering figures: seven candidates whose every figure is known.

c2i2e (23 of 27): ana certified; ben 1 item short; chloe 2 short; dan 10 validated with
two items waiting for paul. crcne (lower of jury and Pix+Édu): eva from initie to
confirme, fay from confirme to expert, gus with four items and two waiting for marie.
Units: Amiens (ana, ben, eva), Beauvais (chloe, dan, fay, gus). Today is 2026-05-15.
"""

from __future__ import annotations

import datetime as dt

from conftest import REFERENTIELS
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import Candidate, EvaluationRequest, ExternalResult, Pursuit, SelfAssessment, Validation
from portfolio_gen.core.registry import Authorization, Evaluator, Registry
from portfolio_gen.decisions.awards import CERTIFICATE, Award

TODAY = dt.date(2026, 5, 15)
MARIE = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
PAUL = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
C2I2E = load_framework(REFERENTIELS / "c2i2e.yml")
CRCNE = load_framework(REFERENTIELS / "crcne.yml")
FRAMEWORKS = {"c2i2e": C2I2E, "crcne": CRCNE}
C2I2E_CODES = [item.code for item in C2I2E.items]
CRCNE_CODES = [item.code for item in CRCNE.items]
REGISTRY = Registry((
    Evaluator("marie", "Marie Dupont", (MARIE,), (Authorization("crcne", dt.date(2025, 9, 1)),)),
    Evaluator("paul", "Paul Martin", (PAUL,), (Authorization("c2i2e", dt.date(2025, 9, 1)),)),
))


def _validated(framework: str, codes, day: dt.date, signer: str, level: str = "") -> list[Validation]:
    return [Validation(framework, code, signer, day, level=level, entry="e1") for code in codes]


def _candidate(slug: str, framework: str, unit: str, role: str = "stagiaire", **extra) -> Candidate:
    pursuit = Pursuit(framework, 1 if framework == "crcne" else None)
    return Candidate(slug, slug.title(), role, "INSPÉ", "fr", (pursuit,), unit=unit, **extra)


def _assessment(level: str, day: dt.date) -> SelfAssessment:
    return SelfAssessment("crcne", day, "expert", {code: level for code in CRCNE_CODES})


def _pix(level: str, day: dt.date) -> ExternalResult:
    return ExternalResult("crcne", "pix-edu", level, day, "Session 1")


def _request(evaluator: str, refs: list[str], day: dt.date) -> EvaluationRequest:
    return EvaluationRequest(f"{day}-{evaluator}", "e1", evaluator, tuple(refs), day)


CANDIDATES = [
    _candidate("ana", "c2i2e", "Amiens"),
    _candidate("ben", "c2i2e", "Amiens"),
    _candidate("chloe", "c2i2e", "Beauvais", role="enseignant"),
    _candidate("dan", "c2i2e", "Beauvais", role="enseignant", requests=(
        _request("paul", [f"c2i2e:{c}" for c in C2I2E_CODES[10:12]], dt.date(2026, 5, 8)),)),
    _candidate("eva", "crcne", "Amiens", self_assessments=(_assessment("initie", dt.date(2025, 10, 1)),),
               results=(_pix("confirme", dt.date(2026, 4, 20)),)),
    _candidate("fay", "crcne", "Beauvais", role="enseignant",
               self_assessments=(_assessment("confirme", dt.date(2025, 10, 1)),
                                 _assessment("avance", dt.date(2026, 2, 1))),
               results=(_pix("expert", dt.date(2026, 4, 25)),)),
    _candidate("gus", "crcne", "Beauvais", requests=(
        _request("marie", ["crcne:I5", "crcne:I6"], dt.date(2026, 4, 1)),)),
]
VALIDATIONS = {
    "ana": _validated("c2i2e", C2I2E_CODES[:23], dt.date(2026, 1, 10), PAUL),
    "ben": _validated("c2i2e", C2I2E_CODES[:22], dt.date(2026, 3, 5), PAUL),
    "chloe": _validated("c2i2e", C2I2E_CODES[:21], dt.date(2026, 2, 20), PAUL),
    "dan": _validated("c2i2e", C2I2E_CODES[:10], dt.date(2026, 1, 10), PAUL),
    "eva": _validated("crcne", CRCNE_CODES, dt.date(2026, 4, 12), MARIE, "avance"),
    "fay": _validated("crcne", CRCNE_CODES, dt.date(2026, 4, 12), MARIE, "expert"),
    "gus": _validated("crcne", CRCNE_CODES[:4], dt.date(2026, 3, 15), MARIE, "confirme"),
}
# The certificates the commission issued: certified means holding one (decisions/awards.py).
AWARDS = {
    "ana": [Award("urn:uuid:ana-c2i2e", CERTIFICATE, "c2i2e", "", dt.datetime(2026, 2, 1, tzinfo=dt.UTC), True)],
    "eva": [Award("urn:uuid:eva-crcne", CERTIFICATE, "crcne", "confirme", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), True)],
    "fay": [Award("urn:uuid:fay-crcne", CERTIFICATE, "crcne", "expert", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), True)],
}
