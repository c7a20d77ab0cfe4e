"""`report` as a library: a cohort's figures, from its workspace or from its published sites.

Each function returns the report as values, in the shape `report --format json` prints:
the CLI parses options, calls one of them, and prints (or writes the dashboard from the
assessed cohort). Problems are raised as InputError, located and translatable; the
reasons a figure is unavailable from sites are message keys, for the CLI to say.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..core.model import ROLES, Candidate, Framework
from ..core.problems import InputError, Problem
from ..core.workspace import Workspace
from ..decisions.steering import Cohort, Filters, SteeringFigures, assess_cohort, cohort_figures, cohort_report_of
from .awards import award_from_credential, cohort_awards
from .cohort_sites import CohortSites, read_cohort_sites
from .site_figures import sites_json, sites_report
from .context import workspace_registry
from .registry_credential import has_registry
from .trust import validations_in, with_counted_results, workspace_context


@dataclass(frozen=True)
class CohortReport:
    """`report` of a workspace: the cohort as assessed (what the dashboard is drawn from),
    its steering figures, and the report itself (`data`, as `--format json` prints it)."""

    cohort: Cohort
    figures: SteeringFigures
    data: dict


@dataclass(frozen=True)
class SitesReport:
    """`report --sites`: the sites as read, and the report (`data`). The figures that rest
    on files no site publishes are None; `data["unavailable"]` maps each to why and
    `data["notes"]` says what else to know, as message keys."""

    cohort: CohortSites
    data: dict

    @property
    def unknown_frameworks(self) -> Mapping[str, list[str]]:
        """Per candidate, the frameworks their site names that the workspace does not hold."""
        return self.data["unknown_frameworks"]

    @property
    def ok(self) -> bool:
        """Every listed site read and bound to one subject, and every framework they name known here."""
        return not self.cohort.unreadable and not self.unknown_frameworks \
            and not any(site.findings for site in self.cohort.sites)


def cohort_report(root: Path, workspace: Workspace, *, filters: Filters = Filters(), inactive_weeks: int = 8,
                  today: dt.date | None = None, now: dt.datetime | None = None) -> CohortReport:
    """The report of `workspace`'s candidates (those `filters` keeps): certified per
    framework and level, missing items, pending requests, and the steering figures, ages
    counted from `today`. With a registry, only credentials that count are read (judged
    at `now`, default the present), and only results signed by authorised staff.

    InputError when a filter names nothing in the workspace, or the registry is unusable."""
    problems = filter_problems(workspace.frameworks, workspace.candidates.values(), filters)
    if problems:
        raise InputError(problems)
    # A candidate repository holds no evaluators.yml: its registry is the signed one.
    registry = workspace_registry(root, workspace.frameworks) if has_registry(root) else None
    candidates = [c for c in workspace.candidates.values() if filters.keeps_candidate(c)]
    validations: dict = {}
    awards: dict = {}
    if registry is not None:
        context = workspace_context(root, workspace)  # once: building one verifies the registry
        if now is not None:
            context = dataclasses.replace(context, now=now)
        validations = validations_in(context, candidates)
        # Certified: holding a current, valid certificate, as `session new` and `status` say.
        awards = cohort_awards(context, candidates, root)
        candidates = with_counted_results(context, candidates)
    else:  # no registry to check who signed a result: none counts, as the commission would say
        candidates = [dataclasses.replace(c, results=()) for c in candidates]
    cohort = assess_cohort(candidates, workspace.frameworks, validations, registry, awards)
    figures = cohort_figures(cohort, workspace.frameworks, today=today or dt.date.today(), filters=filters,
                             inactive_weeks=inactive_weeks)
    data = cohort_report_of(cohort, len(candidates))
    data["steering"] = figures.as_dict()
    return CohortReport(cohort, figures, _one_framework(data, filters.framework))


def sites_cohort_report(root: Path, frameworks: Mapping[str, Framework], sites_file: Path, *,
                        slugs: Sequence[str] = (), filters: Filters = Filters(), allow_network: bool = False,
                        now: dt.datetime | None = None) -> SitesReport:
    """The report of the candidates whose sites `sites_file` lists (or only `slugs`),
    judged against the institution's trust root in the workspace at `root` (see
    cohort_sites). A site that cannot be read is listed, never raised.

    InputError for a bad sites file or trust root, a phase filter (sites publish no
    phases of their own), or a filter naming nothing in the workspace or the sites."""
    if filters.phase:
        raise InputError([Problem("report.sites.option", None, None, {"option": "--phase"})])
    cohort = read_cohort_sites(sites_file, root, allow_network=allow_network, now=now)
    problems = filter_problems(frameworks, cohort.candidates, filters)
    if problems:
        raise InputError(problems)
    candidates = [c for c in cohort.candidates if (not slugs or c.slug in slugs) and filters.keeps_candidate(c)]
    data = _one_framework(sites_report(candidates, frameworks, cohort.validations, _site_awards(cohort)),
                          filters.framework)
    return SitesReport(cohort, data | sites_json(cohort))


def _site_awards(cohort: CohortSites) -> dict[str, list]:
    """Per candidate, the awards their site publishes, valid when the site's verdict counts them."""
    return {site.candidate.slug: [award for award in (award_from_credential(credential, valid=row.ok, file=row.file)
                                                      for row, credential in site.published
                                                      if isinstance(credential, dict)) if award is not None]
            for site in cohort.sites}


def filter_problems(frameworks: Mapping[str, Framework], candidates: Iterable[Candidate],
                    filters: Filters) -> list[Problem]:
    """A filter naming nothing in the workspace (or the sites) is a typo, not an empty report."""
    known = {
        "framework": set(frameworks),
        "phase": {ph.code for f in frameworks.values() for ph in f.phases},
        "role": set(ROLES),
        "unit": {c.unit for c in candidates if c.unit},
    }
    return [Problem("report.unknown_filter", None, None, {"option": f"--{name}", "value": value,
                                                          "known": ", ".join(sorted(known[name])) or "-"})
            for name, value in filters.as_dict().items() if value not in known[name]]


def _one_framework(data: dict, framework_id: str) -> dict:
    if framework_id:
        data["frameworks"] = {k: v for k, v in data["frameworks"].items() if k == framework_id}
        data["rows"] = [row for row in data["rows"] if row["framework"] == framework_id]
    return data
