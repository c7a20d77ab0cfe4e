"""The verifiers' one vocabulary: six verdicts, each failure with a stable reason code.

The command line and the browser verifier (verifier/src/core.js) give the same verdict
and the same code on the same credential (issue 28), so the two can be compared code for
code. A code names the check and the case (`dates.expired`, `status.unknown`,
`trust.unregistered`); its parameters fill the words, which come from the catalogue
(data/messages/verdicts.yml: `verdict.<verdict>`, `reason.<code>`) only at the edge.
"""

from __future__ import annotations

from typing import Mapping

from . import i18n

VALID, INVALID, REVOKED, EXPIRED, UNTRUSTED, UNKNOWN_STATUS = (
    "valid", "invalid", "revoked", "expired", "untrusted", "unknown-status")
VERDICTS = (VALID, INVALID, REVOKED, EXPIRED, UNTRUSTED, UNKNOWN_STATUS)


def verdict_key(verdict: str) -> str:
    """The catalogue key of a verdict's word (a key has no hyphen)."""
    return "verdict." + verdict.replace("-", "_")


def say_verdict(verdict: str, language: str) -> str:
    """The verdict in words, in `language` ("valide", "statut inconnu"...)."""
    return i18n.text(verdict_key(verdict), language) if verdict in VERDICTS else verdict


def verdict_meaning(verdict: str, language: str) -> str:
    """What the verdict means for whoever relies on the credential (an employer)."""
    return i18n.part(verdict_key(verdict), language, 1)


def say_checks(checks, language: str) -> str:
    """The checks a credential passed ("schema, proof…"), in `language` ("schéma, signature…")."""
    return i18n.text("list.separator", language).join(
        i18n.text(f"check.{check}", language) if i18n.known(f"check.{check}") else check for check in checks)


def say_reason(code: str | None, params: Mapping | None, language: str) -> str:
    """A reason code and its parameters in words; "" for no code. A code the catalogue
    does not know (a newer verifier's) is shown as itself, with its detail."""
    if not code:
        return ""
    values = {key: "" if value is None else value for key, value in (params or {}).items()}
    try:
        return i18n.text("reason." + code, language, **values)
    except (KeyError, IndexError):
        detail = values.get("detail")
        return f"{code}: {detail}" if detail else code
