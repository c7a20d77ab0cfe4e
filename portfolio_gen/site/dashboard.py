"""The steering dashboard: the figures of `decisions.steering` as a static HTML folder.

One self-contained page per view (the whole cohort, then one per framework, phase, role
and unit), each opening with a summary of its figures, then inline SVG charts and the
data tables that are their text alternative; no script, no external resource, so it
opens from a USB stick or an e-mail. Where the cohort has pages per framework or unit,
the main page is an index: the summary and the figures per framework and unit, each
linking to its page, where the details are (issue 32: one 6,000 px page was read by no
one, least of all on a phone). It names candidates: it is written where the user says, never into `site/`.
The figures of the main view are written beside it as figures.json and figures.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Mapping, Sequence

from ..core import i18n
from ..core.files import write_atomic
from ..core.model import Framework
from ..core.portfolios import slug_for
from ..decisions.steering import Cohort, Filters, SteeringFigures, cohort_figures, figure_rows, split_cohort
from .render import environment, themes_dir

TEMPLATE = "dashboard.html.j2"
INDEX, FIGURES_JSON, FIGURES_CSV = "index.html", "figures.json", "figures.csv"
DIMENSIONS = ("framework", "phase", "role", "unit")
# Chart geometry, in SVG user units: a label column, then bars scaled to the widest.
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, BAR_GAP = 640, 220, 20, 6
# Lists of candidates (close to the rule, inactive) show this many rows per page: beyond
# it a page stops being read; the unit pages and figures.csv carry the full lists.
LIST_LIMIT = 100


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    id: str
    bars: tuple[Bar, ...]
    height: int

    @property
    def summary(self) -> str:
        return "; ".join(f"{bar.label}: {bar.value}" for bar in self.bars)


def bar_chart(chart_id: str, rows: Sequence[tuple[str, int]]) -> BarChart:
    """Horizontal bars, the longest filling the width; zero stays a visible gap."""
    largest = max((value for _, value in rows), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60  # leaves room for the value after the bar
    bars = tuple(Bar(label, value, index * (BAR_HEIGHT + BAR_GAP), round(room * value / largest, 1))
                 for index, (label, value) in enumerate(rows))
    return BarChart(chart_id, bars, max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP))


@dataclass(frozen=True)
class View:
    """One page of the dashboard: the base filters narrowed on one dimension, or not."""

    file: str
    filters: Filters
    dimension: str = ""
    value: str = ""
    # False for the index of a split dashboard: its details are on the pages it links to.
    detailed: bool = True


# The dimensions whose pages hold the details the index leaves out.
SPLIT_BY = ("framework", "unit")


def dashboard_views(cohort: Cohort, base: Filters) -> list[tuple[View, Cohort]]:
    """The main view, then one per value found in the cohort for each dimension, each with
    the part of the cohort it shows (cut once per dimension)."""
    views, used = [(View(INDEX, base), cohort)], {INDEX}
    for dimension in DIMENSIONS:
        if getattr(base, dimension):
            continue  # already fixed by the command line
        parts = split_cohort(cohort, dimension)
        for value in sorted(v for v in parts if v):
            name = f"{dimension}-{slug_for(value) or 'x'}"
            file, count = f"{name}.html", 1
            while file in used:  # two units whose names slug alike
                count += 1
                file = f"{name}-{count}.html"
            used.add(file)
            views.append((View(file, replace(base, **{dimension: value}), dimension, value), parts[value]))
    if any(view.dimension in SPLIT_BY for view, _ in views):
        views[0] = (replace(views[0][0], detailed=False), cohort)
    return views


def summary(figures: SteeringFigures) -> tuple[tuple[str, int], ...]:
    """What a page opens with: how many candidates are close to the rule, how many items
    wait for an evaluator, how many validations were signed, how many candidates are
    inactive, as (figure, count); each figure names the section of the page that details it."""
    counts = [("close", len(figures.close_to_rule))]
    if figures.pending is not None:
        counts.append(("pending", sum(row["items"] for row in figures.pending)))
    counts += [("months", sum(count for _, count in figures.validations_by_month)),
               ("inactive", len(figures.inactive))]
    return tuple(counts)


def _charts(figures: SteeringFigures, language: str) -> dict[str, BarChart]:
    t = partial(i18n.text, language=language)
    charts = {"frameworks": bar_chart("frameworks", [
        (t(f"steering.series.{series}", framework=framework_id), summary[series])
        for framework_id, summary in figures.frameworks.items() for series in ("candidates", "certified")])}
    for framework_id, summary in figures.frameworks.items():
        if summary["certified_by_level"]:
            charts[f"levels-{framework_id}"] = bar_chart(f"levels-{framework_id}", summary["certified_by_level"])
    for framework_id, progress in figures.level_progress.items():
        charts[f"gains-{framework_id}"] = bar_chart(f"gains-{framework_id}", [
            (t("steering.gain_label", gain=f"{gain:+d}"), count) for gain, count in progress["gains"]])
    for framework_id, items in figures.missing_items.items():
        charts[f"missing-{framework_id}"] = bar_chart(f"missing-{framework_id}", [(code, n) for code, n in items])
    if figures.pending is not None:
        charts["pending"] = bar_chart("pending", [(row["name"], row["items"]) for row in figures.pending])
    charts["months"] = bar_chart("months", [(month, count) for month, count in figures.validations_by_month])
    return charts


def render_view(view: View, views: Sequence[View], figures: SteeringFigures, frameworks: Mapping[str, Framework],
                language: str, institution: str) -> str:
    template = environment(themes_dir() / "reports").get_template(TEMPLATE)
    nav = {dimension: [v for v in views if v.dimension == dimension] for dimension in DIMENSIONS}
    # The index's tables link each framework and unit to its page.
    pages = {dimension: {v.value: v.file for v in views if v.dimension == dimension} for dimension in SPLIT_BY}
    return template.render(view=view, nav=nav, pages=pages, summary=summary(figures), figures=figures,
                           charts=_charts(figures, language),
                           frameworks=frameworks, language=language, institution=institution,
                           chart_width=CHART_WIDTH, label_width=LABEL_WIDTH,
                           bar_height=BAR_HEIGHT, list_limit=LIST_LIMIT, t=partial(_translate, language))


def _translate(language: str, key: str, **params: object) -> str:
    return i18n.text(key, language, **params)


def figures_csv(figures: SteeringFigures) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["figure", "framework", "key", "value"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(figure_rows(figures))
    return buffer.getvalue()


def write_dashboard(folder: Path, cohort: Cohort, frameworks: Mapping[str, Framework], *, today: dt.date,
                    language: str, institution: str = "", filters: Filters = Filters(),
                    inactive_weeks: int = 8) -> list[Path]:
    """Render every view first, then write the files (each atomically): a rendering error
    leaves the folder as it was."""
    views = dashboard_views(cohort, filters)
    pages: dict[str, str] = {}
    main_figures = None
    for view, part in views:
        figures = cohort_figures(part, frameworks, today=today, filters=view.filters, inactive_weeks=inactive_weeks)
        main_figures = main_figures or figures
        pages[view.file] = render_view(view, [v for v, _ in views], figures, frameworks, language, institution)
    pages[FIGURES_JSON] = json.dumps(main_figures.as_dict(), ensure_ascii=False, indent=2) + "\n"
    pages[FIGURES_CSV] = figures_csv(main_figures)
    written = []
    for name, text in pages.items():
        write_atomic(folder / name, text)
        written.append(folder / name)
    return written
