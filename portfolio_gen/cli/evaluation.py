"""Evaluation commands: ask an evaluator (`request`), refuse items (`refuse`), and what waits for them (`review`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..core import i18n
from .core import (Context, fail_with, main, pass_context, registry_or_exit, signed_institution_or_exit,
                   workspace_or_exit)
from .credentials import load_key_or_exit, passphrase_option
from ..core.problems import InputError, Problem
from ..core.records import write_refusal, write_request
from ..core.registry import REGISTRY_FILE, Registry
from ..decisions.requests import plan_request, request_problems, still_authorised
from ..decisions.workflow import answered_refusal, pending_for


def _validations(ctx: Context, workspace, trusted_only: bool = True) -> dict:
    """Validations per candidate, from the verified credentials in their folders (none
    before the workspace has settings: no credential can be verified without them)."""
    from ..core.settings import SETTINGS_FILE
    if not (ctx.root / SETTINGS_FILE).exists():
        return {}
    from ..institution.trust import candidate_validations  # the credential layer, loaded only when needed
    return candidate_validations(ctx.root, workspace, trusted_only)


def _evaluator_or_exit(ctx: Context, registry: Registry, evaluator_id: str):
    evaluator = registry.by_id(evaluator_id)
    if evaluator is None:
        fail_with([Problem("request.unknown_evaluator", ctx.root / REGISTRY_FILE, None, {
            "evaluator": evaluator_id, "known": ", ".join(e.id for e in registry.evaluators)})], ctx)
    return evaluator


def _authority_or_exit(ctx: Context, registry: Registry) -> Registry:
    """The registry a request is checked against (institution.context.request_registry):
    the signed one where the institution has signed one, else evaluators.yml (`registry`)."""
    from ..institution.context import request_registry  # the institution layer, loaded only when needed
    from ..institution.trustfiles import REGISTRY_CREDENTIAL_FILE
    if not (ctx.root / REGISTRY_CREDENTIAL_FILE).exists():
        return registry
    try:
        return request_registry(ctx.root, {})  # a signed one: the frameworks only serve evaluators.yml
    except InputError as error:
        fail_with(error.problems, ctx)


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
    registry = registry_or_exit(ctx, workspace)
    person = _evaluator_or_exit(ctx, registry, evaluator)
    if person.candidate == slug:
        fail_with([Problem("trust.self_validation", None, None)], ctx)
    candidate = workspace.candidate(slug)
    entry = _entry_or_exit(ctx, candidate, entry_slug)
    chosen = _claimed_items_or_exit(ctx, entry, items)
    if not chosen:  # an entry that claims nothing has nothing to evaluate
        fail_with([Problem("record.no_items", entry.path, None, {"entry": entry.slug})], ctx)
    today = dt.date.today()
    # Only to an evaluator whose validation would count (finding 5 of issue 29).
    refused = request_problems(_authority_or_exit(ctx, registry), evaluator, candidate, entry,
                               workspace.frameworks, chosen, today)
    if refused:
        fail_with(refused, ctx)
    # One pending request per item and evaluator; after a refusal, asking again reopens
    # the item for that evaluator (issue 31).
    plan = plan_request(registry, candidate, entry, evaluator, chosen,
                        _validations(ctx, workspace, trusted_only=False).get(slug, []))
    waiting_since = {ref: r.date for r in sorted(candidate.requests, key=lambda r: r.date)
                     if r.entry == entry.slug and r.evaluator == evaluator for ref in r.items}
    for ref in plan.validated:
        click.echo(i18n.text("request.already_validated", ctx.language, item=ref, evaluator=evaluator), err=True)
    for ref in plan.waiting:
        click.echo(i18n.text("request.already_waiting", ctx.language, item=ref, evaluator=evaluator,
                             date=waiting_since[ref].isoformat()), err=True)
    asked = plan.request(today, message)
    if asked is None:
        return
    for refusal in plan.reopens:
        click.echo(i18n.text("request.reopened", ctx.language, item=f"{refusal.framework}:{refusal.item}",
                             evaluator=evaluator, date=refusal.date.isoformat(), comment=refusal.comment), err=True)
    try:
        path = write_request(candidate.folder, asked)
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
    registry = registry_or_exit(ctx, workspace)
    _evaluator_or_exit(ctx, registry, evaluator)
    candidate = workspace.candidate(slug)
    entry = _entry_or_exit(ctx, candidate, entry_slug)
    chosen = _claimed_items_or_exit(ctx, entry, items)
    from ..institution.issuing import refusal_problems  # the credential layer, loaded only when needed
    try:
        problems = refusal_problems(workspace, candidate, evaluator, chosen, entry=entry)
        if problems:
            raise InputError(problems)
        path = write_refusal(candidate.folder, entry.slug, evaluator, chosen, dt.date.today(), comment)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


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
@passphrase_option
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
    registry = registry_or_exit(ctx, workspace)
    pending = still_authorised(pending_for(evaluator, registry, workspace.candidates.values(),
                                           _validations(ctx, workspace, trusted_only=False)),
                               _authority_or_exit(ctx, registry), workspace.candidates, workspace.frameworks,
                               dt.date.today())
    rows = [{"candidate": p.candidate, "entry": p.request.entry, "item": p.item,
             "requested": p.request.date.isoformat(), "message": p.request.message,
             "file": str(workspace.candidate(p.candidate).folder / "entries" / f"{p.request.entry}.md"),
             "earlier_refusal": _earlier_refusal(workspace.candidate(p.candidate), p)}
            for p in pending]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(i18n.text("review.nothing", ctx.language, evaluator=evaluator))
    for row in rows:
        click.echo(f"{row['requested']}  {row['candidate']:<20} {row['item']:<16} {row['file']}")
        if row["earlier_refusal"]:
            click.echo("    " + i18n.text("review.earlier_refusal", ctx.language, **row["earlier_refusal"]))


def _earlier_refusal(candidate, pending) -> dict | None:
    """The refusal a request asked again after (issue 31), shown beside the item: what the
    evaluator asked to improve."""
    refusal = answered_refusal(candidate, pending.request, pending.item)
    return None if refusal is None else {"date": refusal.date.isoformat(), "comment": refusal.comment}


def _serve_review(ctx: Context, evaluator_id: str, key_file: Path | None, port: int, no_browser: bool,
                  passphrase_file: Path | None) -> None:
    """Every bad input (id, key, passphrase, port) is reported before the server starts."""
    import webbrowser

    from ..review.server import bind_loopback, serve, session_url
    from ..review.session import open_session

    if key_file is None:
        fail_with([Problem("review.key_required")], ctx)
    # What the app will sign is checked, as `sign` is, against what the institution signed.
    institution = signed_institution_or_exit(ctx, settings_required=False)
    registry = registry_or_exit(ctx, workspace_or_exit(ctx))
    _evaluator_or_exit(ctx, registry, evaluator_id)
    private_key = load_key_or_exit(ctx, key_file, passphrase_file)  # asked once, kept in memory only
    try:
        session = open_session(ctx.root, evaluator_id, private_key, ctx.language, institution)
        sock = bind_loopback(port)
    except InputError as error:
        fail_with(error.problems, ctx)
    url = session_url(sock, session)
    click.echo(i18n.text("review.cli.url", ctx.language, name=session.evaluator.name, url=url))
    if not no_browser:
        webbrowser.open(url)
    serve(session, sock)

