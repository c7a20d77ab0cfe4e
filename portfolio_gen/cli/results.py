"""External results: record one (`result`) or a CSV of them (`import-results`), each signed by authorised staff."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .core import (EXIT_FAILED, Context, fail_with, institution_site_options, main, pass_context, render_problems,
                   signed_institution_or_exit, workspace_or_exit)
from .credentials import load_key_or_exit, passphrase_option
from ..core import i18n
from ..core.model import ExternalResult
from ..core.problems import InputError, Problem
from ..core.records import level_on_scale, result_problem
from ..core.rules import external_inputs


def _result_key_option(function):
    return click.option("--key", "key_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                        required=True, help="Your private key: the signed registry must authorise you for "
                                            "the framework today.")(function)


def _sign_results(ctx: Context, workspace, results: list, private_key, institution_site: str | None,
                  allow_network: bool) -> None:
    """Sign each (slug, result[, superseded credential id]) with `private_key` once the
    registry is seen to authorise its holder for every framework concerned today; nothing
    is written otherwise."""
    from ..credentials.dids import did_key
    from ..credentials.loader import DocumentLoader
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
    for slug, result, *_ in results:
        reason = untrusted_reason(registry, signer_id, slug, workspace.frameworks[result.framework], "", None, today)
        if reason is not None:
            problems.append(Problem(reason, None, None, {"ref": f"{result.framework}:{result.input}",
                                                         "signer": signer_id}))
    if problems:
        fail_with(problems, ctx)
    loader = DocumentLoader()  # one for every result: its contexts are read once
    for slug, result, *supersedes in results:
        click.echo(sign_result(workspace.candidate(slug), result, private_key, loader=loader,
                               supersedes=supersedes[0] if supersedes else ""))


@main.command("result")
@click.argument("slug")
@click.option("--framework", required=True, help="Framework the result certifies (pix-edu) or whose rule uses it (crcne).")
@click.option("--input", "input_id", default=None,
              help="Rule input (default: the framework's only external one, e.g. pix-edu).")
@click.option("--level", required=True, help="Level code or rank (Pix+Édu: 1 to 4).")
@click.option("--date", "date_text", required=True, help="YYYY-MM-DD")
@click.option("--source", required=True, help="Where it comes from: session, attestation number...")
@_result_key_option
@institution_site_options
@passphrase_option
@pass_context
def record_result(ctx: Context, slug: str, framework: str, input_id: str | None, level: str, date_text: str,
                  source: str, key_file: Path, institution_site: str | None, allow_network: bool,
                  passphrase_file: Path | None) -> None:
    """Record an external result (e.g. a Pix+Édu certification level) for one candidate,
    signed with your key: the commission counts only results the registry's staff signed."""
    workspace = workspace_or_exit(ctx, only=[slug])
    input_id = _input_or_exit(ctx, workspace, framework, input_id)
    result = _result_or_problem(workspace, slug, framework, input_id, level, date_text, source, None, None)
    if isinstance(result, Problem):
        fail_with([result], ctx)
    _sign_results(ctx, workspace, [(slug, result)], load_key_or_exit(ctx, key_file, passphrase_file),
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
@click.option("--framework", required=True, help="Framework the results certify (pix-edu) or whose rule reads them.")
@click.option("--input", "input_id", default=None,
              help="Rule input the results fill (default: the framework's only external one, e.g. pix-edu).")
@_result_key_option
@institution_site_options
@passphrase_option
@pass_context
def import_results(ctx: Context, csv_file: Path, framework: str, input_id: str | None, key_file: Path,
                   institution_site: str | None, allow_network: bool, passphrase_file: Path | None) -> None:
    """Import external results, each signed with your key, from a CSV: Pix's certification
    export (name, e-mail and/or birth date, certification number, level, date), or
    columns candidate,level,date[,source].

    Pix rows are matched to candidates by e-mail, else by name and birth date (when
    candidate.yml has private: birth_date); each row matching no one is listed with its
    line, and the command exits 1 once the others are recorded. Every row is checked
    before anything is written: a file with one bad row (level, date) records nothing.
    Importing the same file again signs nothing twice: a certification (its number)
    already recorded at the same level and date is left alone, and a row whose level or
    date changed is signed again, superseding the recorded result (both are listed).
    """
    from ..core.result_imports import read_results_file
    from ..institution.results import plan_results, recorded_results
    workspace = workspace_or_exit(ctx)
    input_id = _input_or_exit(ctx, workspace, framework, input_id)
    _, rows, problems, unmatched = read_results_file(csv_file, workspace.candidates.values())
    if problems:
        fail_with(problems, ctx)
    results = []
    for row in rows:
        result = _result_or_problem(workspace, row.slug, framework, input_id, row.level, row.date, row.source,
                                    csv_file, row.line)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            results.append((row.slug, result))
    if problems:
        fail_with(problems + unmatched, ctx)
    # Importing the same export twice signs nothing twice: the same certification (its
    # number, in the source) at the same level and date is left as recorded, and a row
    # that changed supersedes the recorded result, said below (issue 29).
    plan = plan_results(results, {slug: recorded_results(workspace.candidate(slug))
                                  for slug in {slug for slug, _ in results}})
    _sign_results(ctx, workspace, plan.new, load_key_or_exit(ctx, key_file, passphrase_file), institution_site,
                  allow_network)
    for slug, old, new in plan.superseded:
        click.echo(i18n.text("result.superseded", ctx.language, slug=slug, source=new.source, old_level=old.level,
                             old_date=old.date.isoformat(), level=new.level, date=new.date.isoformat()), err=True)
    if plan.unchanged:
        click.echo(i18n.text("result.already_recorded", ctx.language, count=len(plan.unchanged)), err=True)
    if unmatched:
        render_problems(unmatched, ctx, False)
        click.echo(i18n.text("result.import_summary", ctx.language, recorded=len(plan.new), unmatched=len(unmatched)),
                   err=True)
        sys.exit(EXIT_FAILED)


def _input_or_exit(ctx: Context, workspace, framework_id: str, input_id: str | None) -> str:
    """The input given, or the framework's only external one (Pix+Édu's own)."""
    if input_id:
        return input_id
    framework = workspace.frameworks.get(framework_id)
    inputs = external_inputs(framework.rule) if framework else ()
    if framework is None or len(inputs) == 1:
        return inputs[0] if inputs else ""  # an unknown framework is said by _result_or_problem
    fail_with([Problem("result.input_needed", None, None, {"framework": framework_id,
                                                           "allowed": ", ".join(inputs) or "-"})], ctx)
