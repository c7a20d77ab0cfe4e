"""The commission's awards: which one is current, what a new one supersedes.

One definition of "certified" for every place that counts (issue 29): a candidate is
certified in a framework when they hold a *current, valid certificate* of it, that is a
certificate signed by the institution, verified, bound to them, not revoked, and not
superseded by a later award. `report`, `status`, `session new` and the dashboard all ask
`certification`; none applies the rule to the validations to guess it. The one exception is
a framework certified outside the portfolio (every input of its rule external: Pix+Édu),
for which the commission signs nothing: its signed result, meeting the rule, certifies,
at the level the rule gives (an award of kind RESULT).

One current award per candidate and framework, and per level where the framework has
levels: a later award of the same slot supersedes the earlier one, and the earlier one
is then revoked with the reason "superseded" (institution/commission.py). An attestation
is superseded by any later award of its framework (a certificate, or an attestation of
more items); a certificate only by a certificate at the same level. An attestation
never replaces a certificate: withdrawing one is a revocation, with its own reason.

Pure functions of `Award` values that the institution layer reads from verified
credentials.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..core.model import ExternalResult, Framework
from ..core.rules import Decision, certified_outside

CERTIFICATE, ATTESTATION = "certificate", "attestation"
RESULT = "result"  # a signed external result that certifies (Pix+Édu), not an award the institution signs


@dataclass(frozen=True)
class Award:
    """One certificate or attestation the institution signed for a candidate."""

    credential_id: str
    kind: str  # CERTIFICATE | ATTESTATION
    framework: str
    level: str  # the certified level, '' for an attestation or a framework without levels
    issued: dt.datetime
    valid: bool  # verified, trusted and not revoked
    file: str = ""  # where it is, for people (relative to the workspace or the site)
    override: str = ""  # the jury's reason when awarded although the rule was not met
    session: str = ""  # the jury session that decided it, when one did


def supersedes(new: Award, earlier: Award) -> bool:
    """Whether `new` takes the place of `earlier` (see the module's rule)."""
    if new.framework != earlier.framework or new.credential_id == earlier.credential_id:
        return False
    if earlier.kind == ATTESTATION:
        return True
    return new.kind == CERTIFICATE and new.level == earlier.level


def current_awards(awards: Iterable[Award]) -> list[Award]:
    """The valid awards no later valid award supersedes, oldest first."""
    valid = sorted((a for a in awards if a.valid), key=lambda a: (a.issued, a.credential_id))
    return [a for index, a in enumerate(valid) if not any(supersedes(b, a) for b in valid[index + 1:])]


def current_certificate(awards: Iterable[Award], framework: str) -> Award | None:
    """The current certificate of `framework` (the highest level when a framework with
    levels was certified at several), or None: *the* definition of certified."""
    held = [a for a in current_awards(awards) if a.kind == CERTIFICATE and a.framework == framework]
    return held[-1] if held else None


def latest_result(results: Iterable[ExternalResult], framework_id: str, input_id: str) -> ExternalResult | None:
    """The result that fills a rule's external input: the latest recorded for it under the
    framework, or under the framework the input is named after (CRCNÉ's `pix-edu` input
    reads the Pix+Édu certification's own results). The input of a framework certified by
    its own result is named after it (`ExternalRule`: Pix+Édu's `pix-edu`), so a result for
    that input recorded under another framework is one of its results too: CRCNÉ's
    `pix-edu` input in a slug-keyed file, or as a published CRCNÉ certificate cites it."""
    found = sorted((r for r in results if r.input == input_id
                    and (r.framework in (framework_id, input_id) or input_id == framework_id)),
                   key=lambda r: r.date)
    return found[-1] if found else None


def certification(awards: Iterable[Award], framework: Framework, decision: Decision,
                  results: Iterable[ExternalResult] = ()) -> Award | None:
    """What makes a candidate certified in `framework`, or None: *the* definition.

    The current certificate among `awards`; for a framework certified outside the
    portfolio (`core.rules.certified_outside`: Pix+Édu), the signed external result its
    rule reads, when `decision` (the rule applied to the same results) is met, as an award
    of kind RESULT at the rule's level. `results` must be those the commission counts,
    signed by staff the registry authorises (institution.trust.with_counted_results),
    never a results file as typed in."""
    certificate = current_certificate(awards, framework.id)
    if certificate is not None or not certified_outside(framework.rule) or not decision.met:
        return certificate
    results = list(results)
    read = [r for r in (latest_result(results, framework.id, i.id) for i in framework.rule.inputs) if r]
    if not read:
        return None
    result = max(read, key=lambda r: r.date)
    return Award("", RESULT, framework.id, decision.level,
                 dt.datetime.combine(result.date, dt.time(), tzinfo=dt.UTC), True,
                 str(result.path) if result.path else "")


def current_award(awards: Iterable[Award], framework: str) -> Award | None:
    """The current award of `framework` a page or a status line shows: the certificate
    if there is one, else the attestation."""
    return current_certificate(awards, framework) or next(
        (a for a in reversed(current_awards(awards)) if a.framework == framework), None)


def history(awards: Iterable[Award], framework: str) -> list[Award]:
    """Every award of `framework` that is not current, newest first: superseded, revoked."""
    awards = list(awards)
    current = {a.credential_id for a in current_awards(awards)}
    return sorted((a for a in awards if a.framework == framework and a.credential_id not in current),
                  key=lambda a: (a.issued, a.credential_id), reverse=True)


def superseded_by(awards: Iterable[Award], register: Mapping[str, str]) -> dict[str, str]:
    """Superseded award id -> the id of the award that took its place: those the
    revocation register says were revoked as superseded (`register`: id -> new id), and
    valid awards a later valid one supersedes though nothing revoked them yet. A page shows
    these as history, not as a withdrawn credential (issue 29); any other award that does
    not count keeps its verdict."""
    awards = list(awards)
    found = {a.credential_id: register[a.credential_id] for a in awards if a.credential_id in register}
    current = {a.credential_id for a in current_awards(awards)}
    valid = sorted((a for a in awards if a.valid), key=lambda a: (a.issued, a.credential_id))
    for index, earlier in enumerate(valid):
        later = [b for b in valid[index + 1:] if supersedes(b, earlier)]
        if earlier.credential_id not in current and earlier.credential_id not in found and later:
            found[earlier.credential_id] = later[0].credential_id
    return found


@dataclass(frozen=True)
class Replacement:
    """What issuing a new award would do: the current awards it supersedes, whether it is a
    duplicate (same kind, same slot: needs the commission's explicit reissue), and the
    certificate that forbids it (an attestation over a current certificate)."""

    supersedes: tuple[Award, ...] = ()
    duplicate: bool = False
    blocked_by: Award | None = None


def replacement(awards: Sequence[Award], *, kind: str, framework: str, level: str) -> Replacement:
    """What a new award of `kind` (and `level`) in `framework` would replace among `awards`."""
    new = Award("", kind, framework, level if kind == CERTIFICATE else "", dt.datetime.max.replace(tzinfo=dt.UTC),
                True)
    current = [a for a in current_awards(awards) if a.framework == framework]
    if kind == ATTESTATION:
        certificate = next((a for a in reversed(current) if a.kind == CERTIFICATE), None)
        if certificate is not None:
            return Replacement(blocked_by=certificate)
    replaced = tuple(a for a in current if supersedes(new, a))
    return Replacement(replaced, any(a.kind == kind for a in replaced))
