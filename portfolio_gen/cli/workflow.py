"""Workflow commands: request evaluation, refuse items, record results, review queue, report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path
from typing import Callable, Iterable

import click

from ..core import i18n
from .core import (Context, fail_with, institution_site_options, main, pass_context, rows_json,
                   signed_institution_or_exit, workspace_or_exit)
from ..core.model import ROLES, EvaluationRequest, ExternalResult
from ..core.problems import InputError, Problem
from ..core.records import level_on_scale, result_problem, write_refusal, write_request
from ..core.registry import REGISTRY_FILE, Registry
from ..decisions.workflow import pending_for


def _passphrase_option(function):
    from .credentials import passphrase_option
    return passphrase_option(function)


def _sites_options(function):
    function = click.option("--allow-network", is_flag=True,
                            help="With --sites: read the https sites listed (otherwise listed as not read).")(function)
    return click.option("--sites", "sites_file", type=click.Path(path_type=Path), default=None,
                        help="A file listing published sites, one per line: a built site's folder (relative "
                             "to the file) or an https URL; judged against this workspace's institution.")(function)


def _registry_or_exit(ctx: Context, workspace) -> Registry:
    from ..institution.registry_credential import workspace_registry  # evaluators.yml, or a candidate repository's signed copy
    try:
        return workspace_registry(ctx.root, workspace.frameworks)
    except InputError as error:
        fail_with(error.problems, ctx)


def _validations(ctx: Context, workspace, trusted_only: bool = True) -> dict:
    """Validations per candidate, from the verified credentials in their folders."""
    from ..institution.trust import candidate_validations  # the credential layer, loaded only when needed
    return candidate_validations(ctx.root, workspace, trusted_only)


def _evaluator_or_exit(ctx: Context, registry: Registry, evaluator_id: str):
    evaluator = registry.by_id(evaluator_id)
    if evaluator is None:
        fail_with([Problem("request.unknown_evaluator", ctx.root / REGISTRY_FILE, None, {
            "evaluator": evaluator_id, "known": ", ".join(e.id for e in registry.evaluators)})], ctx)
    return evaluator


def _entry_or_exit(ctx: Context, candidate, entry_slug: str):
    entry_slug = entry_slug.removesuffix(".md")  # the entry's file name is fine too
    entry = next((e for e in candidate.entries if e.slug == entry_slug), None)
    if entry is None:
        fail_with([Problem("record.unknown_entry", candidate.folder, None, {
            "entry": entry_slug, "known": ", ".join(e.slug for e in candidate.entries)})], ctx)
    return entry


def _claimed_items_or_exit(ctx: Context, entry, items: tuple[str, ...]) -> list[str]:
    claimed = [c.ref for c in entry.claims]
    problems = [Problem("record.item_not_claimed", entry.path, None, {"item": i, "entry": entry.slug})
                for i in items if i not in claimed]
    if problems:
        fail_with(problems, ctx)
    return list(items) or claimed


@main.command()
@click.argument("slug")
@click.argument("entry_slug", metavar="ENTRY")
@click.option("--evaluator", required=True, help="Evaluator id from evaluators.yml.")
@click.option("--item", "items", multiple=True, help="framework:code (default: every item the entry claims).")
@click.option("--message", default="", help="A word for the evaluator.")
@pass_context
def request(ctx: Context, slug: str, entry_slug: str, evaluator: str, items: tuple[str, ...], message: str) -> None:
    """Ask EVALUATOR to evaluate the items claimed by one entry (writes candidates/SLUG/requests/)."""
    workspace = workspace_or_exit(ctx, only=[slug])
    registry = _registry_or_exit(ctx, workspace)
    person = _evaluator_or_exit(ctx, registry, evaluator)
    if person.candidate == slug:
        fail_with([Problem("trust.self_validation", None, None)], ctx)
    candidate = workspace.candidate(slug)
    entry = _entry_or_exit(ctx, candidate, entry_slug)
    chosen = _claimed_items_or_exit(ctx, entry, items)
    try:
        path = write_request(candidate.folder, EvaluationRequest(
            "", entry.slug, evaluator, tuple(chosen), dt.date.today(), message))
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


@main.command()
@click.argument("slug")
@click.argument("entry_slug", metavar="ENTRY")
@click.argument("items", nargs=-1, required=True)
@click.option("--evaluator", required=True, help="Your evaluator id from evaluators.yml.")
@click.option("--comment", required=True, help="Why, and what would make the item acquired.")
@pass_context
def refuse(ctx: Context, slug: str, entry_slug: str, items: tuple[str, ...], evaluator: str, comment: str) -> None:
    """Record that EVALUATOR does not validate ITEMS of an entry, with a comment."""
    workspace = workspace_or_exit(ctx, only=[slug])
    registry = _registry_or_exit(ctx, workspace)
    _evaluator_or_exit(ctx, registry, evaluator)
    candidate = workspace.candidate(slug)
    entry = _entry_or_exit(ctx, candidate, entry_slug)
    chosen = _claimed_items_or_exit(ctx, entry, items)
    from ..institution.issuing import refusal_problems  # the credential layer, loaded only when needed
    try:
        problems = refusal_problems(workspace, candidate, evaluator, chosen)
        if problems:
            raise InputError(problems)
        path = write_refusal(candidate.folder, entry.slug, evaluator, chosen, dt.date.today(), comment)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


def _result_key_option(function):
    return click.option("--key", "key_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                        required=True, help="Your private key: the signed registry must authorise you for "
                                            "the framework today.")(function)


def _sign_results(ctx: Context, workspace, results: list, private_key, institution_site: str | None,
                  allow_network: bool) -> None:
    """Sign each (slug, result) with `private_key` once the registry is seen to authorise
    its holder for every framework concerned today; nothing is written otherwise."""
    from ..credentials.dids import did_key
    from ..institution.issuing import signing_registry
    from ..institution.results import sign_result
    from ..core.registry import untrusted_reason

    signer_id, today = did_key(private_key.public_key()), dt.date.today()
    signed_institution_or_exit(ctx, site=institution_site, allow_network=allow_network, settings_required=False)
    try:
        registry = signing_registry(workspace)
    except InputError as error:
        fail_with(error.problems, ctx)
    problems = []
    for slug, result in results:
        reason = untrusted_reason(registry, signer_id, slug, workspace.frameworks[result.framework], "", None, today)
        if reason is not None:
            problems.append(Problem(reason, None, None, {"ref": f"{result.framework}:{result.input}",
                                                         "signer": signer_id}))
    if problems:
        fail_with(problems, ctx)
    for slug, result in results:
        click.echo(sign_result(workspace.candidate(slug), result, private_key))


@main.command("result")
@click.argument("slug")
@click.option("--framework", required=True, help="Framework whose rule uses the result, e.g. crcne.")
@click.option("--input", "input_id", required=True, help="Rule input, e.g. pix-edu.")
@click.option("--level", required=True, help="Level code or rank (Pix+Édu: 1 to 4).")
@click.option("--date", "date_text", required=True, help="YYYY-MM-DD")
@click.option("--source", required=True, help="Where it comes from: session, attestation number...")
@_result_key_option
@institution_site_options
@_passphrase_option
@pass_context
def record_result(ctx: Context, slug: str, framework: str, input_id: str, level: str, date_text: str,
                  source: str, key_file: Path, institution_site: str | None, allow_network: bool,
                  passphrase_file: Path | None) -> None:
    """Record an external result (e.g. a Pix+Édu certification level) for one candidate,
    signed with your key: the commission counts only results the registry's staff signed."""
    workspace = workspace_or_exit(ctx, only=[slug])
    result = _result_or_problem(workspace, slug, framework, input_id, level, date_text, source, None, None)
    if isinstance(result, Problem):
        fail_with([result], ctx)
    _sign_results(ctx, workspace, [(slug, result)], _private_key(ctx, key_file, passphrase_file),
                  institution_site, allow_network)


def _result_or_problem(workspace, slug, framework_id, input_id, level, date_text, source,
                       file: Path | None, line: int | None) -> ExternalResult | Problem:
    if slug not in workspace.candidates:
        return Problem("candidate.unknown", file, line, {"slug": slug, "known": ", ".join(sorted(workspace.candidates))})
    problem = result_problem(workspace.frameworks, framework_id, input_id, level)
    if problem is not None:
        _, key, params = problem
        return Problem(key, file, line, params)
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        return Problem("schema.format", file, line, {"field": "date", "value": date_text, "format": "date"})
    framework = workspace.frameworks[framework_id]
    return ExternalResult(framework.id, input_id, level_on_scale(framework, level), date, source)


@main.command("import-results")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--framework", required=True)
@click.option("--input", "input_id", required=True)
@_result_key_option
@institution_site_options
@_passphrase_option
@pass_context
def import_results(ctx: Context, csv_file: Path, framework: str, input_id: str, key_file: Path,
                   institution_site: str | None, allow_network: bool, passphrase_file: Path | None) -> None:
    """Import external results from a CSV with columns candidate,level,date[,source], each
    signed with your key.

    Every row is checked before anything is written: a file with one bad row records nothing.
    """
    workspace = workspace_or_exit(ctx)
    results, problems = [], []
    with csv_file.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            source = row.get("source") or f"{csv_file.name}, ligne {line}"
            result = _result_or_problem(workspace, row.get("candidate", ""), framework, input_id,
                                        row.get("level", ""), row.get("date", ""), source, csv_file, line)
            (problems if isinstance(result, Problem) else results).append((row.get("candidate"), result))
    if problems:
        fail_with([p for _, p in problems], ctx)
    _sign_results(ctx, workspace, results, _private_key(ctx, key_file, passphrase_file), institution_site,
                  allow_network)


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--evaluator", required=True, help="Evaluator id from evaluators.yml.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--serve", is_flag=True, help="Open the review app: read and decide in a local web page.")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="With --serve: your private key, one the registry lists for you.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="With --serve: the port on 127.0.0.1 (0: any free port).")
@click.option("--no-browser", is_flag=True, help="With --serve: print the URL, do not open a browser.")
@_passphrase_option
@pass_context
def review(ctx: Context, slugs: tuple[str, ...], evaluator: str, as_json: bool, serve: bool, key_file: Path | None,
           port: int, no_browser: bool, passphrase_file: Path | None) -> None:
    """What waits for an evaluator (from every candidate, or only SLUGS): requested items
    not yet validated or refused.

    With --serve, a local web app (127.0.0.1 only) to read each request and validate or
    refuse its items, through the same checks and files as `sign` and `refuse`.
    """
    if serve:
        _serve_review(ctx, evaluator, key_file, port, no_browser, passphrase_file)
        return
    workspace = workspace_or_exit(ctx, only=slugs or None)
    registry = _registry_or_exit(ctx, workspace)
    pending = pending_for(evaluator, registry, workspace.candidates.values(),
                          _validations(ctx, workspace, trusted_only=False))
    rows = [{"candidate": p.candidate, "entry": p.request.entry, "item": p.item,
             "requested": p.request.date.isoformat(), "message": p.request.message,
             "file": str(workspace.candidate(p.candidate).folder / "entries" / f"{p.request.entry}.md")}
            for p in pending]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        from ..core import i18n
        click.echo(i18n.text("review.nothing", ctx.language, evaluator=evaluator))
    for row in rows:
        click.echo(f"{row['requested']}  {row['candidate']:<20} {row['item']:<16} {row['file']}")


def _serve_review(ctx: Context, evaluator_id: str, key_file: Path | None, port: int, no_browser: bool,
                  passphrase_file: Path | None) -> None:
    """Every bad input (id, key, passphrase, port) is reported before the server starts."""
    import webbrowser

    from ..review.server import bind_loopback, serve, session_url
    from ..review.session import open_session

    if key_file is None:
        fail_with([Problem("review.key_required")], ctx)
    # What the app will sign is checked, as `sign` is, against what the institution signed.
    signed_institution_or_exit(ctx, settings_required=False)
    registry = _registry_or_exit(ctx, workspace_or_exit(ctx))
    _evaluator_or_exit(ctx, registry, evaluator_id)
    private_key = _private_key(ctx, key_file, passphrase_file)  # asked once, kept in memory only
    try:
        session = open_session(ctx.root, evaluator_id, private_key, ctx.language)
        sock = bind_loopback(port)
    except InputError as error:
        fail_with(error.problems, ctx)
    url = session_url(sock, session)
    click.echo(i18n.text("review.cli.url", ctx.language, name=session.evaluator.name, url=url))
    if not no_browser:
        webbrowser.open(url)
    serve(session, sock)


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
    from ..decisions.steering import Filters, assess_cohort, cohort_figures, cohort_report_of
    filters = Filters(framework_id, phase, role, unit)
    if sites_file is not None:
        _report_from_sites(ctx, sites_file, allow_network, slugs, filters, html_dir, output_format)
        return
    workspace = workspace_or_exit(ctx, only=slugs or None)
    today = _day_or_exit(ctx, as_of)
    _filters_or_exit(ctx, workspace.frameworks, workspace.candidates.values(), filters)
    from ..institution.registry_credential import has_registry  # a candidate repository: the signed one
    registry = _registry_or_exit(ctx, workspace) if has_registry(ctx.root) else None
    validations: dict = {}
    candidates = [c for c in workspace.candidates.values() if filters.keeps_candidate(c)]
    if registry:
        from ..institution.trust import validations_in, with_counted_results, workspace_context
        context = workspace_context(ctx.root, workspace)  # once: building one verifies the registry
        validations = validations_in(context, candidates)
        candidates = with_counted_results(context, candidates)
    cohort = assess_cohort(candidates, workspace.frameworks, validations, registry)
    figures = cohort_figures(cohort, workspace.frameworks, today=today, filters=filters, inactive_weeks=inactive_weeks)
    if html_dir is not None:
        from ..site.dashboard import write_dashboard
        _outside_sites_or_exit(ctx, html_dir)
        write_dashboard(html_dir, cohort, workspace.frameworks, today=today, language=ctx.language,
                        institution=_institution_name(ctx), filters=filters, inactive_weeks=inactive_weeks)
    data = cohort_report_of(cohort, len(candidates))
    data["steering"] = figures.as_dict()
    _echo_report(_one_framework(data, framework_id), output_format)


def _one_framework(data: dict, framework_id: str) -> dict:
    if framework_id:
        data["frameworks"] = {k: v for k, v in data["frameworks"].items() if k == framework_id}
        data["rows"] = [row for row in data["rows"] if row["framework"] == framework_id]
    return data


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


# --- report and audit from the published sites (issue 12: the cohort without a monorepo) ---

def _cohort_sites_or_exit(ctx: Context, sites_file: Path, allow_network: bool):
    from ..institution.cohort_sites import read_cohort_sites
    try:
        return read_cohort_sites(sites_file, ctx.root, allow_network=allow_network)
    except InputError as error:
        fail_with(error.problems, ctx)


def _report_from_sites(ctx: Context, sites_file: Path, allow_network: bool, slugs: tuple[str, ...], filters,
                       html_dir: Path | None, output_format: str) -> None:
    """`report` from the credentials the sites publish: the figures that rest on files no
    site publishes are None and said unavailable (JSON), or "n/a" and said on stderr (CSV)."""
    from ..institution.cohort_sites import sites_json, sites_report
    for option, value in (("--html", html_dir), ("--phase", filters.phase)):
        if value:
            fail_with([Problem("report.sites.option", None, None, {"option": option})], ctx)
    frameworks = workspace_or_exit(ctx, only=[]).frameworks
    cohort = _cohort_sites_or_exit(ctx, sites_file, allow_network)
    _filters_or_exit(ctx, frameworks, cohort.candidates, filters)
    candidates = [c for c in cohort.candidates if (not slugs or c.slug in slugs) and filters.keeps_candidate(c)]
    data = _one_framework(sites_report(candidates, frameworks, cohort.validations), filters.framework)
    data["unavailable"] = {name: i18n.text(key, ctx.language) for name, key in data["unavailable"].items()}
    data["notes"] = [i18n.text(key, ctx.language) for key in data["notes"]]
    data |= sites_json(cohort) | {"unreadable": _unreadable_json(ctx, cohort)}
    _echo_report(data, output_format, unavailable=data["unavailable"])
    if output_format != "json":
        for name, reason in data["unavailable"].items():
            click.echo(i18n.text("report.sites.not_available", ctx.language, field=name, reason=reason), err=True)
        for note in data["notes"]:
            click.echo(note, err=True)
        _echo_unread(ctx, cohort)
    for slug, unknown in data["unknown_frameworks"].items():
        for framework in unknown:
            click.echo(i18n.text("report.sites.unknown_framework", ctx.language, slug=slug, framework=framework),
                       err=True)
    if cohort.unreadable or data["unknown_frameworks"]:
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


def _filters_or_exit(ctx: Context, frameworks, candidates, filters) -> None:
    """A filter naming nothing in the workspace (or the sites) is a typo, not an empty report."""
    known = {
        "framework": set(frameworks),
        "phase": {ph.code for f in frameworks.values() for ph in f.phases},
        "role": set(ROLES),
        "unit": {c.unit for c in candidates if c.unit},
    }
    problems = [Problem("report.unknown_filter", None, None, {"option": f"--{name}", "value": value,
                                                              "known": ", ".join(sorted(known[name])) or "-"})
                for name, value in filters.as_dict().items() if value not in known[name]]
    if problems:
        fail_with(problems, ctx)


def _institution_name(ctx: Context) -> str:
    from ..core.settings import SETTINGS_FILE, load_settings
    if not (ctx.root / SETTINGS_FILE).exists():
        return ""
    try:
        return load_settings(ctx.root).institution.name
    except InputError as error:
        fail_with(error.problems, ctx)


# --- commission: signed registry, certificates, audit -------------------------------------

def _private_key(ctx: Context, key_file: Path, passphrase_file: Path | None):
    """A private key (the institution's, or an evaluator's for the review app)."""
    from .credentials import load_key_or_exit  # owns key loading and passphrases
    return load_key_or_exit(ctx, key_file, passphrase_file)


def _settings_or_exit(ctx: Context):
    from ..core.settings import load_settings
    try:
        return load_settings(ctx.root)
    except InputError as error:
        fail_with(error.problems, ctx)


@main.group("registry")
def registry_group() -> None:
    """The institution's evaluator registry (evaluators.yml -> signed registry.json)."""


@registry_group.command("sign")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The institution's private key (its did:web must list the public key).")
@click.option("--valid-days", type=click.IntRange(1, 366), default=90, show_default=True,
              help="How many days verifiers believe this registry; re-sign before then.")
@_passphrase_option
@pass_context
def registry_sign(ctx: Context, key_file: Path, valid_days: int, passphrase_file: Path | None) -> None:
    """Sign evaluators.yml with the institution's key into registry.json (version one above
    the last), to publish with the sites."""
    from ..institution.registry_credential import candidate_emails, sign_registry
    workspace = workspace_or_exit(ctx, only=[])
    registry = _registry_or_exit(ctx, workspace)
    settings = _settings_or_exit(ctx)
    # Evaluators who are candidates too: their e-mail, hashed, binds self-validations.
    candidates = workspace_or_exit(ctx, only=[e.candidate for e in registry.evaluators if e.candidate]).candidates
    try:
        path = sign_registry(ctx.root, settings, registry, _private_key(ctx, key_file, passphrase_file),
                             validity=dt.timedelta(days=valid_days),
                             candidate_emails=candidate_emails(registry, candidates))
    except InputError as error:  # e.g. a key the institution's did.json does not list
        fail_with(error.problems, ctx)
    click.echo(path)


@main.command()
@click.argument("slug")
@click.option("--framework", "framework_id", required=True)
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The institution's private key.")
@click.option("--comment", default="", help="The commission's comment (shown on an attestation).")
@institution_site_options
@_passphrase_option
@pass_context
def certify(ctx: Context, slug: str, framework_id: str, key_file: Path, comment: str, institution_site: str | None,
            allow_network: bool, passphrase_file: Path | None) -> None:
    """Apply the framework's rule to SLUG's trusted validations; issue a certificate or an attestation."""
    from ..institution import commission
    from ..institution.trust import workspace_context
    workspace = workspace_or_exit(ctx)
    key = _private_key(ctx, key_file, passphrase_file)
    institution = signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network)
    context = workspace_context(ctx.root, workspace, institution)
    try:
        award = commission.certify(workspace, context, slug, framework_id, key, comment=comment)
    except InputError as error:
        fail_with(error.problems, ctx)
    decision = award.decision
    outcome = "certificate" if award.certified else "attestation"
    level = f" level={decision.level}" if decision.level else ""
    click.echo(f"{outcome}: {award.path} (validated {len(decision.validated)}{level})")


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@_sites_options
@pass_context
def audit(ctx: Context, slugs: tuple[str, ...], as_json: bool, sites_file: Path | None, allow_network: bool) -> None:
    """Every credential of the cohort with its verdict: valid, invalid, untrusted or revoked.
    With --sites, every credential the published sites hold, judged against this workspace's
    institution (its did.json, signed registry and status list).

    Exit 1 when any credential does not count, so a commission notices before it sits.
    """
    from ..institution.trust import VALID, assess_candidates, workspace_context
    if sites_file is not None:
        _audit_sites(ctx, sites_file, allow_network, slugs, as_json)
        return
    workspace = workspace_or_exit(ctx, only=slugs or None)
    context = workspace_context(ctx.root, workspace)
    rows = []
    relative = _relative_to(ctx.root)
    for candidate, assessments in assess_candidates(workspace.candidates.values(), context):
        for assessment in assessments:
            validation = assessment.validation
            rows.append({"candidate": candidate.slug, "file": relative(assessment.path),
                         "kind": assessment.kind, "status": assessment.status,
                         "reason": _reason_text(ctx, assessment.reason),
                         "item": f"{validation.framework}:{validation.item}" if validation else "",
                         "issuer": validation.evaluator if validation else "",
                         "entry_modified": assessment.entry_modified,
                         "validated_on": validation.date.isoformat() if validation else ""})
    if as_json:
        click.echo(rows_json(rows))
    else:
        _echo_audit(ctx, rows)
    if any(row["status"] != VALID for row in rows):
        sys.exit(1)


def _reason_text(ctx: Context, reason: str) -> str:
    return i18n.text(reason, ctx.language) if reason.startswith("trust.") else reason


def _relative_to(root: Path) -> Callable[[Path], str]:
    """A path under `root` as text relative to it: by its prefix, as Path.relative_to
    is slow for a national cohort's 100,000 credentials; other paths through it."""
    prefix = "" if str(root) == "." else os.path.join(str(root), "")

    def relative(path: Path) -> str:
        text = str(path)
        if text.startswith(prefix) and not os.path.isabs(text[len(prefix):]):
            return text[len(prefix):]
        return str(path.relative_to(root))
    return relative


def _echo_audit(ctx: Context, rows: list[dict]) -> None:
    lines = []  # echoed at once: a cohort's audit is a line per credential
    for row in rows:
        detail = f" — {row['reason']}" if row["reason"] else ""
        if row["entry_modified"]:
            detail += " — " + i18n.text("credentials.entry_modified", ctx.language, date=row["validated_on"])
        lines.append(f"{row['status']:<9} {row['kind']:<11} {row['item']:<16} {row['file']}{detail}")
    if lines:
        click.echo("\n".join(lines))


def _audit_sites(ctx: Context, sites_file: Path, allow_network: bool, slugs: tuple[str, ...],
                 as_json: bool) -> None:
    """`audit` over the credentials the listed sites publish; exit 1 when any does not
    count, a site could not be read, or a site has a problem (registry, manifest)."""
    from ..institution.cohort_sites import credential_rows, shared_status_indices, sites_json
    cohort = _cohort_sites_or_exit(ctx, sites_file, allow_network)
    rows = [{**row, "reason": _reason_text(ctx, row["reason"])} for row in credential_rows(cohort)
            if not slugs or row["candidate"] in slugs]
    shared = shared_status_indices(cohort, ctx.root)
    if as_json:
        click.echo(json.dumps({"credentials": rows, **sites_json(cohort), "unreadable": _unreadable_json(ctx, cohort),
                               "shared_status_indices": {str(i): files for i, files in shared.items()},
                               "ok": cohort.ok}, ensure_ascii=False, indent=2))
    else:
        _echo_audit(ctx, rows)
        _echo_unread(ctx, cohort, problems=True)
        for index, files in shared.items():  # a warning: each still counts, but cannot be revoked alone
            click.echo(i18n.text("report.sites.shared_index", ctx.language, index=index, files=", ".join(files)),
                       err=True)
    if not cohort.ok:
        sys.exit(1)


# --- demo: the whole process on the shipped cohort ----------------------------------------

@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"))
@click.option("--jobs", type=int, default=None, help="Parallel site builds (default: one per core).")
@pass_context
def demo(ctx: Context, directory: Path, jobs: int | None) -> None:
    """Play the whole process on the demo cohort in DIRECTORY, then build every site.

    Keys, did:web, signed registry, validations, certificates, attestation, sites: the
    demo's keys are generated on the spot in DIRECTORY/keys (unencrypted, never published).
    """
    from ..demo import run_demo
    from ..site.builder import FAILED, build_cohort

    if not (ctx.root / "candidates").is_dir() or not (ctx.root / "referentiels").is_dir():
        # The demo cohort ships with the repository, not inside the package.
        raise click.UsageError(f"{ctx.root.resolve()} holds no demo cohort (candidates/, referentiels/): run the "
                               "demo from a clone of portfolio-gen, or give it with --root")
    workspace_or_exit(ctx)  # the source cohort must be clean before anything is signed
    try:
        report = run_demo(ctx.root, directory)
    except FileExistsError:
        raise click.UsageError(f"{directory} exists and is not a previous demo: choose another folder") from None
    click.echo(f"{directory}: {report.validations} validations signed")
    for slug, framework, certified, level in report.awards:
        outcome = "certificate" if certified else "attestation"
        click.echo(f"  {slug:<16} {framework:<8} {outcome}{' ' + level if level else ''}")
    results = build_cohort(directory, None, directory / "site", jobs=jobs)
    failed = [r for r in results if r.status == FAILED]
    for result in failed:
        click.echo(f"site build failed: {result.slug}: {result.error}", err=True)
    click.echo(f"sites: {directory / 'site'}/<candidate>/index.html ({len(results) - len(failed)} built)")
    if failed:
        sys.exit(2)
