"""Helpers shared by the OB 3.0 credential tests: the demo workspace, an evaluator key,
and credentials built from real demo entries (not fixtures written by hand)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conftest import working_folder
from portfolio_gen.credentials import dids, keys, openbadges, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.core.model import Candidate, Claim, Entry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)


@cache
def demo():
    shipped = working_folder()  # a copy of the repository's workspace: reading it writes a cache
    return load_workspace(shipped), load_settings(shipped)


@dataclass(frozen=True)
class Case:
    candidate: Candidate
    entry: Entry
    claim: Claim

    @property
    def id(self) -> str:
        return f"{self.candidate.slug}/{self.entry.slug}/{self.claim.ref}"


def demo_cases() -> list[Case]:
    """Every claim of every non-draft demo entry."""
    workspace, _ = demo()
    return [Case(candidate, entry, claim)
            for candidate in workspace.candidates.values()
            for entry in candidate.entries if not entry.is_draft
            for claim in entry.claims]


def rich_case() -> Case:
    """A claim on a framework with levels, from an entry with a file as evidence: the
    credential then has every part (result, resultDescription, digests)."""
    workspace, _ = demo()
    for case in demo_cases():
        framework = workspace.frameworks[case.claim.framework]
        if framework.levels and any(e.is_file for e in case.entry.evidence):
            return case
    raise AssertionError("the demo cohort has no levelled claim with a file")


def level_for(case: Case) -> str:
    workspace, _ = demo()
    framework = workspace.frameworks[case.claim.framework]
    if not framework.levels:
        return ""
    return case.claim.level or framework.levels[-1].code


def build(case: Case, issuer_id: str, *, valid_from: dt.datetime = NOW - dt.timedelta(days=1),
          valid_until: dt.datetime | None = None, comment: str = "Démarche solide.",
          issuer_name: str = "Camille Évaluatrice") -> dict:
    workspace, settings = demo()
    framework = workspace.frameworks[case.claim.framework]
    issuer = openbadges.IssuerProfile(issuer_id, issuer_name, parent=settings.institution)
    return openbadges.build_item_validation(
        settings, framework, framework.item_by_code[case.claim.item], case.candidate,
        case.entry, issuer, valid_from=valid_from, valid_until=valid_until,
        level=level_for(case), comment=comment)


class Evaluator:
    """An evaluator with a did:key, signing as the demo's institution parent."""

    def __init__(self):
        self.key = keys.generate_key()
        self.did = dids.did_key(self.key.public_key())
        self.method = dids.did_key_verification_method_id(self.key.public_key())

    def sign(self, credential: dict, suite: str, loader, method: str | None = None) -> dict:
        return proofs.sign(credential, self.key, method or self.method,
                           suite=CRYPTOSUITES[suite], loader=loader,
                           # Signed when it says it became valid, as this tool signs (a verifier
                           # would also accept a later signature: VCDM 2.0, issue 28).
                           created=credential.get("validFrom") or openbadges.datetime_stamp(NOW - dt.timedelta(days=1)))
