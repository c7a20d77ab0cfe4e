"""What a cohort read from its published sites gives `report` and `audit`: figures and rows.

The sites are read and judged by cohort_sites.py; this turns what they hold into the
report's figures (the same shape as a workspace's, with what no site publishes said to
be unavailable), audit's rows, and the status bits held by more than one credential.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Mapping, Sequence

from ..core.model import Candidate, Framework, Validation
from ..decisions.awards import Award
from ..decisions.workflow import cohort_report
from .cohort_sites import NOTES, UNAVAILABLE, CohortSites, published_at, status_slot
from .revocation import allocations
from .trust import VALIDATION


def shared_status_indices(cohort: CohortSites, root: Path) -> dict[str, list[str]]:
    """Status bits held by more than one credential: those the sites publish, and those
    the institution's own ledger allocated. Each signing key has a list of its own and
    takes its indices in turn, so none should; the old shared list's indices were drawn
    at random in candidate repositories, and two may meet there. Revoking either would
    revoke both, so one must be reissued first. bit -> the credentials (files, or ids of
    the ledger)."""
    holders: dict[str, dict[str, str]] = {}
    for name, index, credential_id in allocations(root):
        holders.setdefault(status_slot(name, index), {})[credential_id] = credential_id
    for site in cohort.sites:
        for slot, credential_id, file in site.status_indices:
            holders.setdefault(slot, {})[credential_id] = file
    return {slot: sorted(found.values()) for slot, found in sorted(holders.items()) if len(found) > 1}


def sites_report(candidates: Sequence[Candidate], frameworks: Mapping[str, Framework],
                 validations: Mapping[str, Sequence[Validation]],
                 awards: Mapping[str, Sequence[Award]] | None = None) -> dict:
    """`report`'s figures from what sites publish: the same shape and, for what sites let
    one derive, the same numbers. Each figure that rests on unpublished files is None and
    `unavailable` says which and why (message keys); `unknown_frameworks` lists, per
    candidate, the frameworks their site names that the workspace does not hold."""
    unknown = {c.slug: [p.framework for p in c.frameworks if p.framework not in frameworks] for c in candidates}
    pursued = [replace(c, frameworks=tuple(p for p in c.frameworks if p.framework in frameworks))
               for c in sorted(candidates, key=lambda c: c.slug)]  # the workspace's order, whatever the file's
    data = cohort_report(pursued, frameworks, validations, None, awards)
    data["pending_by_evaluator"] = None
    for summary in data["frameworks"].values():
        summary["mean_level_gain"] = None
    for row in data["rows"]:
        row["entry_level"] = row["level_gain"] = None
    data["steering"] = None
    data["unavailable"] = dict(UNAVAILABLE)
    data["notes"] = list(NOTES)
    data["unknown_frameworks"] = {slug: ids for slug, ids in unknown.items() if ids}
    return data


def sites_json(cohort: CohortSites) -> dict:
    """Each site read and each site not read, for the JSON outputs."""
    return {"sites_file": str(cohort.sites_file), "institution": cohort.institution,
            "trust_root": cohort.trust_root,
            "sites": [{"line": s.line, "target": s.target, "candidate": s.candidate.slug, "ok": s.ok,
                       "credentials": len(s.report.credentials), "counted": sum(c.ok for c in s.report.credentials),
                       "problems": s.problems, "notes": s.report.notes,
                       "findings": [{"code": f.code, "params": dict(f.params)} for f in s.findings]}
                      for s in cohort.sites]}


def credential_rows(cohort: CohortSites) -> list[dict]:
    """`audit`'s rows for the credentials the sites publish (reasons as verify_site gives
    them: trust.* keys for the CLI to translate)."""
    return [{"candidate": site.candidate.slug, "site": site.report.location,
             "file": published_at(site.report.location, row.file), "kind": row.kind, "status": row.status,
             "reason": row.reason, "item": row.what if row.kind == VALIDATION else "", "issuer": row.issuer_id,
             "entry_modified": None,  # an entry's validated text is not published: unknown
             "validated_on": row.issued[:10], "code": row.code, "params": row.params}
            for site in cohort.sites for row in site.report.credentials]


def problem_rows(cohort: CohortSites) -> list[dict]:
    """Per site, what went wrong beside its credentials (registry, trust root, manifest)."""
    return [{"line": s.line, "target": s.target, "problem": p} for s in cohort.sites for p in s.problems]
