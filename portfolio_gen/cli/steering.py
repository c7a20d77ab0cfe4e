"""Steering commands: a cohort's figures (`report`) and each credential's verdict (`audit`), from workspace or sites."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Iterable, Sequence

import click

from ..core import i18n
from .core import Context, fail_with, main, pass_context, rows_json, workspace_or_exit
from ..core.problems import InputError, Problem


def _sites_options(function):
    function = click.option("--allow-network", is_flag=True,
                            help="With --sites: read the https sites listed (otherwise listed as not read).")(function)
    return click.option("--sites", "sites_file", type=click.Path(path_type=Path), default=None,
                        help="A file listing published sites, one per line: a built site's folder (relative "
                             "to the file) or an https URL; judged against this workspace's institution.")(function)


# --- report -------------------------------------------------------------------------------

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the steering dashboard (static HTML, figures.json, figures.csv) into this folder.")
@click.option("--framework", "framework_id", default="", help="Keep one framework.")
@click.option("--phase", default="", help="Keep one phase's items (CRCNÉ: conception, mise-en-oeuvre, ...).")
@click.option("--role", default="", help="Keep candidates of one role.")
@click.option("--unit", default="", help="Keep candidates of one institution unit.")
@click.option("--inactive-weeks", type=click.IntRange(min=1), default=8, show_default=True,
              help="A candidate not certified with no activity for this long is listed as inactive.")
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD: the day ages are counted from (default: today).")
@_sites_options
@pass_context
def report(ctx: Context, slugs: tuple[str, ...], output_format: str, html_dir: Path | None, framework_id: str,
           phase: str, role: str, unit: str, inactive_weeks: int, as_of: str | None, sites_file: Path | None,
           allow_network: bool) -> None:
    """Cohort statistics (of every candidate, or only SLUGS): certified per framework and
    level, missing items, pending requests, and with --html a dashboard that names
    candidates (internal: never publish it). With --sites, from the published sites."""
    from ..decisions.steering import Filters
    from ..institution.reports import cohort_report
    filters = Filters(framework_id, phase, role, unit)
    if sites_file is not None:
        _report_from_sites(ctx, sites_file, allow_network, slugs, filters, html_dir, output_format)
        return
    workspace = workspace_or_exit(ctx, only=slugs or None)
    today = _day_or_exit(ctx, as_of)
    try:
        result = cohort_report(ctx.root, workspace, filters=filters, inactive_weeks=inactive_weeks, today=today)
    except InputError as error:
        fail_with(error.problems, ctx)
    if html_dir is not None:
        from ..site.dashboard import write_dashboard
        _outside_sites_or_exit(ctx, html_dir)
        write_dashboard(html_dir, result.cohort, workspace.frameworks, today=today, language=ctx.language,
                        institution=_institution_name(ctx), filters=filters, inactive_weeks=inactive_weeks)
    _echo_report(result.data, output_format)


def _echo_report(data: dict, output_format: str, unavailable: Iterable[str] = ()) -> None:
    """The report as JSON, or its rows as CSV (a column in `unavailable` reads "n/a")."""
    if output_format == "json":
        click.echo(_report_json(data))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(data["rows"][0]) if data["rows"] else ["candidate"])
    writer.writeheader()
    for row in data["rows"]:
        writer.writerow({k: "n/a" if k in unavailable else ";".join(v) if isinstance(v, tuple) else v
                         for k, v in row.items()})
    sys.stdout.write(buffer.getvalue())


def _report_json(data: dict) -> str:
    """The report indented, but for its rows, one per line (a row is easy to grep and
    compare): indenting takes the pure-Python encoder, which was a twelfth of `report`
    on a national cohort's 50,000 rows."""
    def member(key: str, value: object) -> str:
        if key == "rows" and isinstance(value, list):
            text = rows_json(value)
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2)
        text = text.replace("\n", "\n  ")  # nested one level: newlines inside strings are escaped
        return f"  {json.dumps(key, ensure_ascii=False)}: {text}"
    return "{\n" + ",\n".join(member(key, value) for key, value in data.items()) + "\n}"


def _report_from_sites(ctx: Context, sites_file: Path, allow_network: bool, slugs: tuple[str, ...], filters,
                       html_dir: Path | None, output_format: str) -> None:
    """`report` from the credentials the sites publish (issue 12: the cohort without a
    monorepo): the figures that rest on files no site publishes are None and said
    unavailable (JSON), or "n/a" and said on stderr (CSV)."""
    from ..institution.reports import sites_cohort_report
    for option, value in (("--html", html_dir), ("--phase", filters.phase)):
        if value:
            fail_with([Problem("report.sites.option", None, None, {"option": option})], ctx)
    frameworks = workspace_or_exit(ctx, only=[]).frameworks
    try:
        result = sites_cohort_report(ctx.root, frameworks, sites_file, slugs=slugs, filters=filters,
                                     allow_network=allow_network)
    except InputError as error:
        fail_with(error.problems, ctx)
    data = {**result.data,
            "unavailable": {name: i18n.text(key, ctx.language) for name, key in result.data["unavailable"].items()},
            "notes": [i18n.text(key, ctx.language) for key in result.data["notes"]],
            "unreadable": _unreadable_json(ctx, result.cohort)}
    _echo_report(data, output_format, unavailable=data["unavailable"])
    if output_format != "json":
        for name, reason in data["unavailable"].items():
            click.echo(i18n.text("report.sites.not_available", ctx.language, field=name, reason=reason), err=True)
        for note in data["notes"]:
            click.echo(note, err=True)
        _echo_unread(ctx, result.cohort)
    for slug, unknown in result.unknown_frameworks.items():
        for framework in unknown:
            click.echo(i18n.text("report.sites.unknown_framework", ctx.language, slug=slug, framework=framework),
                       err=True)
    if not result.ok:
        sys.exit(1)


def _unreadable_json(ctx: Context, cohort) -> list[dict]:
    return [{"line": u.line, "target": u.target, "code": u.reason,
             "reason": i18n.text(u.reason, ctx.language, **u.params)} for u in cohort.unreadable]


def _echo_unread(ctx: Context, cohort, problems: bool = False) -> None:
    """On stderr, each listed site not read and (`problems`) what went wrong on the others."""
    for site in cohort.unreadable:
        click.echo(i18n.text("report.sites.not_read", ctx.language, location=f"{cohort.sites_file}:{site.line}",
                             target=site.target, reason=i18n.text(site.reason, ctx.language, **site.params)),
                   err=True)
    for site in cohort.sites if problems else ():
        for problem in site.problems:
            click.echo(i18n.text("report.sites.site_problem", ctx.language, location=f"{cohort.sites_file}:{site.line}",
                                 target=site.target, problem=problem), err=True)
    for site in cohort.sites:  # whose credentials a site holds: what the figures leave out
        for finding in site.findings:
            click.echo(i18n.text("report.sites.site_problem", ctx.language, location=f"{cohort.sites_file}:{site.line}",
                                 target=site.target, problem=i18n.text(finding.code, ctx.language, **finding.params)),
                       err=True)


def _outside_sites_or_exit(ctx: Context, folder: Path) -> None:
    """The dashboard names candidates: never inside the published sites' folder."""
    sites = (ctx.root / "site").resolve()
    if folder.resolve() == sites or sites in folder.resolve().parents:
        fail_with([Problem("report.dashboard_in_site", folder, None, {"sites": str(sites)})], ctx)


def _day_or_exit(ctx: Context, text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail_with([Problem("schema.format", None, None, {"field": "--as-of", "value": text, "format": "date"})], ctx)


def _institution_name(ctx: Context) -> str:
    from ..core.settings import SETTINGS_FILE, load_settings
    if not (ctx.root / SETTINGS_FILE).exists():
        return ""
    try:
        return load_settings(ctx.root).institution.name
    except InputError as error:
        fail_with(error.problems, ctx)


# --- audit --------------------------------------------------------------------------------

def _verdicts(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    """--fail-on's VERDICT[,VERDICT...]: each one of the six, or `none`."""
    from ..core.verdicts import VERDICTS
    named = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if named == ("none",):
        return ()
    unknown = [verdict for verdict in named if verdict not in VERDICTS]
    if unknown or not named:
        language = getattr(ctx.obj, "language", None) or i18n.user_language()
        raise click.BadParameter(i18n.text("audit.fail_on", language, given=value,
                                           verdicts=", ".join(VERDICTS)))
    return named


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@click.option("--fail-on", "fail_on", metavar="VERDICT[,VERDICT]", default="invalid,untrusted,unknown-status",
              show_default=True, callback=_verdicts,
              help="Exit 1 when a credential has one of these verdicts (valid, invalid, revoked, expired, "
                   "untrusted, unknown-status), or `none`. Revoked and expired credentials are a normal state "
                   "of a cohort: listed, and failing only when named here.")
@_sites_options
@pass_context
def audit(ctx: Context, slugs: tuple[str, ...], as_json: bool, fail_on: tuple[str, ...], sites_file: Path | None,
          allow_network: bool) -> None:
    """Every credential of the cohort with its verdict: valid, invalid, revoked, expired,
    untrusted or unknown-status, and the reason's code. With --sites, every credential the
    published sites hold, judged against this workspace's institution (its did.json,
    signed registry and status list).

    Exit 1 when a credential's verdict is one --fail-on names (by default invalid, untrusted
    and unknown-status), so a commission notices before it sits; with --sites, also when a
    listed site cannot be read or has a problem of its own.
    """
    from ..institution import audits
    if sites_file is not None:
        _audit_sites(ctx, sites_file, allow_network, slugs, as_json, fail_on)
        return
    workspace = workspace_or_exit(ctx, only=slugs or None)
    try:
        rows = audits.audit(ctx.root, workspace)
    except InputError as error:
        fail_with(error.problems, ctx)
    _echo_audit(ctx, rows, as_json)
    if audits.failing(rows, fail_on):
        sys.exit(1)


def _audit_sites(ctx: Context, sites_file: Path, allow_network: bool, slugs: tuple[str, ...],
                 as_json: bool, fail_on: tuple[str, ...]) -> None:
    """`audit` over the credentials the listed sites publish; exit 1 when a credential's
    verdict is in `fail_on`, a site could not be read, or a site has a problem (registry,
    manifest)."""
    from ..institution.audits import audit_sites
    from ..institution.site_figures import sites_json
    try:
        result = audit_sites(ctx.root, sites_file, slugs=slugs, allow_network=allow_network)
    except InputError as error:
        fail_with(error.problems, ctx)
    if as_json:
        click.echo(json.dumps({"credentials": _audit_json(ctx, result.rows), **sites_json(result.cohort),
                               "unreadable": _unreadable_json(ctx, result.cohort),
                               "shared_status_indices": {str(i): files for i, files in
                                                         result.shared_status_indices.items()},
                               "ok": result.ok, "passes": result.passes(fail_on)}, ensure_ascii=False, indent=2))
    else:
        _echo_audit(ctx, result.rows, as_json=False)
        _echo_unread(ctx, result.cohort, problems=True)
        # A warning: each still counts, but cannot be revoked alone.
        for index, files in result.shared_status_indices.items():
            click.echo(i18n.text("report.sites.shared_index", ctx.language, index=index, files=", ".join(files)),
                       err=True)
    if not result.passes(fail_on):
        sys.exit(1)


def _audit_json(ctx: Context, rows: Sequence) -> list[dict]:
    """The rows with their reason in words, in the user's language (`code` and `params` stay)."""
    return [{**row.as_dict(), "verdict": row.status, "reason": _reason_text(ctx, row)} for row in rows]


def _echo_audit(ctx: Context, rows: Sequence, as_json: bool) -> None:
    """The rows as JSON, one per line, or as text: a line per credential, echoed at once."""
    if as_json:
        click.echo(rows_json(_audit_json(ctx, rows)))
        return
    from ..core.verdicts import VERDICTS, say_verdict
    words = {verdict: say_verdict(verdict, ctx.language) for verdict in VERDICTS}
    width = max(map(len, words.values()))
    lines = []
    for row in rows:
        reason = _reason_text(ctx, row)
        detail = f" — {reason}" if reason else ""
        if row.entry_modified:
            detail += " — " + i18n.text("credentials.entry_modified", ctx.language, date=row.validated_on)
        lines.append(f"{words.get(row.status, row.status):<{width}} {row.kind:<11} {row.item:<16} {row.file}{detail}")
    if lines:
        click.echo("\n".join(lines))


def _reason_text(ctx: Context, row) -> str:
    """A row's reason in the user's words, from its code (core.verdicts)."""
    from ..core.verdicts import say_reason
    return say_reason(row.code, row.params, ctx.language) if row.code else row.reason
