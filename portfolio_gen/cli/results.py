"""External results: record one (`result`) or a CSV of them (`import-results`), each signed by authorised staff."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import click

from .core import (Context, fail_with, institution_site_options, main, pass_context, signed_institution_or_exit,
                   workspace_or_exit)
from .credentials import load_key_or_exit, passphrase_option
from ..core.model import ExternalResult
from ..core.problems import InputError, Problem
from ..core.records import level_on_scale, result_problem


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
@passphrase_option
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
@click.option("--framework", required=True)
@click.option("--input", "input_id", required=True)
@_result_key_option
@institution_site_options
@passphrase_option
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
    _sign_results(ctx, workspace, results, load_key_or_exit(ctx, key_file, passphrase_file), institution_site,
                  allow_network)
