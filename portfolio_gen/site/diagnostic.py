"""The diagnostic page of a framework: self-assessed profile against the target, gaps, training.

The page answers Pix+Édu's first step: where do I stand, what should I train, am I ready
for certification. Geometry of the chart is computed here (plain numbers); the SVG and
its text alternative are written by the `diagnostic.md.j2` template.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from ..decisions.diagnostic import Diagnostic, diagnose, progress, rank
from ..core.model import Candidate, Framework, title_in
from .structure import Page, SiteStructure, item_uri

CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 640, 90, 18, 6


@dataclass(frozen=True)
class Bar:
    code: str
    title: str
    uri: str
    level: str  # title of the self-assessed level, "" when not assessed
    y: int
    width: float  # length of the bar, in chart units
    below_target: bool


@dataclass(frozen=True)
class Chart:
    """A horizontal bar per item: its self-assessed level; a line marks the target."""

    bars: tuple[Bar, ...]
    height: int
    target_x: float
    scale: tuple[tuple[str, float], ...]  # (level title, x) ticks
    plot_width: int = CHART_WIDTH - LABEL_WIDTH
    label_width: int = LABEL_WIDTH


def diagnostic_uri(framework: Framework) -> str:
    return f"{framework.id}/diagnostic.md"


def _x(framework: Framework, level: str | None) -> float:
    """Bars end at the level reached: one step of the scale per level, 0 when not assessed."""
    steps = len(framework.assessment_scale)
    return (rank(framework, level) + 1) / steps * (CHART_WIDTH - LABEL_WIDTH)


def chart(framework: Framework, diagnostic: Diagnostic, language: str) -> Chart:
    levels = {lv.code: title_in(lv, language) for lv in framework.assessment_scale}
    gaps = {gap.item.code for gap in diagnostic.gaps}
    bars = tuple(
        Bar(item.code, title_in(item, language), item_uri(framework, item),
            levels.get(diagnostic.assessment.levels.get(item.code, ""), ""),
            index * (BAR_HEIGHT + GAP), _x(framework, diagnostic.assessment.levels.get(item.code)),
            item.code in gaps)
        for index, item in enumerate(framework.items))
    scale = tuple((levels[lv.code], _x(framework, lv.code)) for lv in framework.assessment_scale)
    return Chart(bars, len(bars) * (BAR_HEIGHT + GAP), _x(framework, diagnostic.assessment.target), scale)


def diagnostic_pages(candidate: Candidate, frameworks: Mapping[str, Framework]) -> list[Page]:
    """One page per pursued framework the candidate has self-assessed, from the latest assessment."""
    pages = []
    for pursuit in candidate.frameworks:
        framework = frameworks.get(pursuit.framework)
        assessments = candidate.assessments_for(pursuit.framework)
        if framework is None or not assessments:
            continue
        latest = diagnose(framework, assessments[-1])
        history = [(a.date, count) for a, count in progress(framework, assessments)]
        pages.append(Page(diagnostic_uri(framework), framework.id, "diagnostic.md.j2", {
            "framework": framework, "diagnostic": latest, "history": history,
            "chart": chart(framework, latest, candidate.language),
            "target": title_in(framework.assessment_scale[rank(framework, latest.assessment.target)],
                                candidate.language),
            # A training resource names its level by code; the page shows the level's title.
            "level_titles": {lv.code: title_in(lv, candidate.language) for lv in framework.levels},
        }, latest.assessment.path))
    return pages


def add_diagnostics(site: SiteStructure, frameworks: Mapping[str, Framework]) -> None:
    """Give the site its diagnostic pages, and the home page a link to each."""
    site.diagnostics = diagnostic_pages(site.candidate, frameworks)
    links = {page.context["framework"].id: page.uri for page in site.diagnostics}
    site.home = replace(site.home, context={**site.home.context, "diagnostics": links})
