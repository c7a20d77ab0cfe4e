"""`audit` as a library: every credential of a cohort with its verdict, from its workspace or its published sites.

Each function returns one `AuditRow` per credential; the CLI says the reasons in the
user's language and prints. A credential that does not count is a row, never an error:
InputError is raised only for what stops the audit itself (a bad sites file, no trust root).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Sequence

from ..core.verdicts import INVALID, UNKNOWN_STATUS, UNTRUSTED
from ..core.workspace import Workspace
from .cohort_sites import CohortSites, read_cohort_sites
from .site_figures import credential_rows, shared_status_indices
from .trust import VALID, assess_candidates, workspace_context

# The verdicts `audit` fails on unless told otherwise (`--fail-on`): a credential that
# proves nothing, or whose revocation could not be checked. A revoked or expired credential
# is a normal state of a cohort: reported, and failing only when asked.
DEFAULT_FAIL_ON = (INVALID, UNTRUSTED, UNKNOWN_STATUS)


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One credential and its verdict."""

    candidate: str
    file: str  # relative to the workspace; with --sites, its published URL or path
    kind: str  # validation, certificate or attestation
    status: str  # the verdict: one of core.verdicts.VERDICTS
    reason: str  # a verifier's English reason, or a trust.* message key; "" when valid
    item: str  # framework:code of a validation, "" otherwise
    issuer: str
    entry_modified: bool | None  # None when unknown (sites do not publish an entry's validated text)
    validated_on: str  # YYYY-MM-DD, "" when unknown
    site: str | None = None  # with --sites: the site that publishes it
    # The verdict's reason code and parameters (core.verdicts), "" and {} when valid.
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def counts(self) -> bool:
        return self.status == VALID

    def as_dict(self) -> dict:
        """The row as `audit --json` prints it (its reason untranslated)."""
        row: dict = {"candidate": self.candidate}
        if self.site is not None:
            row["site"] = self.site
        row.update(file=self.file, kind=self.kind, status=self.status, reason=self.reason, item=self.item,
                   issuer=self.issuer, entry_modified=self.entry_modified, validated_on=self.validated_on,
                   code=self.code, params=self.params)
        return row


def failing(rows: Sequence[AuditRow], fail_on: Collection[str] = DEFAULT_FAIL_ON) -> list[AuditRow]:
    """The rows whose verdict is one `audit` is asked to fail on."""
    return [row for row in rows if row.status in fail_on]


@dataclass(frozen=True)
class SitesAudit:
    """`audit --sites`: the sites as read, a row per credential they publish, and the
    status bits held by more than one credential (each still counts, but cannot be revoked alone)."""

    cohort: CohortSites
    rows: list[AuditRow]
    shared_status_indices: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        """Every listed site read, with no problem of its own, and every credential counts."""
        return self.cohort.ok

    def passes(self, fail_on: Collection[str] = DEFAULT_FAIL_ON) -> bool:
        """Every listed site read, with no problem of its own, and no credential with a
        verdict in `fail_on`."""
        sites_fine = not self.cohort.unreadable and not any(
            site.problems or getattr(site, "findings", None) for site in self.cohort.sites)
        return sites_fine and not failing(self.rows, fail_on)


def audit(root: Path, workspace: Workspace, *, now: dt.datetime | None = None) -> list[AuditRow]:
    """Every credential in `workspace`'s candidate folders, judged at `now` (default the
    present) against the workspace's did.json, signed registry and status list."""
    context = workspace_context(root, workspace)
    if now is not None:
        context = dataclasses.replace(context, now=now)
    relative = relative_to(root)
    rows = []
    for candidate, assessments in assess_candidates(workspace.candidates.values(), context):
        for assessment in assessments:
            validation = assessment.validation
            rows.append(AuditRow(
                candidate.slug, relative(assessment.path), assessment.kind, assessment.status, assessment.reason,
                f"{validation.framework}:{validation.item}" if validation else "",
                validation.evaluator if validation else "", assessment.entry_modified,
                validation.date.isoformat() if validation else "", code=assessment.code, params=assessment.params))
    return rows


def audit_sites(root: Path, sites_file: Path, *, slugs: Sequence[str] = (), allow_network: bool = False,
                now: dt.datetime | None = None) -> SitesAudit:
    """Every credential the sites `sites_file` lists publish (of `slugs` only, if given),
    judged against the institution's trust root in the workspace at `root`.
    InputError for a bad sites file or trust root; a site not read is in `cohort.unreadable`."""
    cohort = read_cohort_sites(sites_file, root, allow_network=allow_network, now=now)
    rows = [AuditRow(**row) for row in credential_rows(cohort) if not slugs or row["candidate"] in slugs]
    return SitesAudit(cohort, rows, shared_status_indices(cohort, root))


def relative_to(root: Path) -> Callable[[Path], str]:
    """A path under `root` as text relative to it: by its prefix, as Path.relative_to
    is slow for a national cohort's 100,000 credentials; other paths through it."""
    prefix = "" if str(root) == "." else os.path.join(str(root), "")

    def relative(path: Path) -> str:
        text = str(path)
        if text.startswith(prefix) and not os.path.isabs(text[len(prefix):]):
            return text[len(prefix):]
        return str(path.relative_to(root))
    return relative
