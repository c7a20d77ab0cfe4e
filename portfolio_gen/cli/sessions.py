"""Jury sessions: prepare (`session new`), decide (`session decide`), sign the minutes
(`session minutes`) and check them (`session verify`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from .core import (Context, fail_with, institution_site_options, main, pass_context, signed_institution_or_exit,
                   workspace_or_exit)
from .credentials import load_key_or_exit, passphrase_option
from ..core import i18n
from ..core.problems import InputError, Problem
from ..core.sessions import OUTCOMES, Session, read_session, session_id, session_path, write_session

KEY_HELP = "The institution's private key (its did:web must list the public key)."


@main.group("session")
def session_group() -> None:
    """Jury sessions: candidates ready by the rule, the jury's decisions, signed minutes."""


def _date_or_exit(ctx: Context, text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail_with([Problem("schema.format", None, None, {"field": option, "value": text, "format": "date"})], ctx)


def _session_or_exit(ctx: Context, name: str) -> Session:
    path = Path(name) if name.endswith(".yml") else session_path(ctx.root, name)
    try:
        return read_session(path)
    except InputError as error:
        fail_with(error.problems, ctx)


def _context_or_exit(ctx: Context, workspace, institution=None):
    from ..institution.trust import workspace_context
    try:
        return workspace_context(ctx.root, workspace, institution)
    except InputError as error:
        fail_with(error.problems, ctx)


@session_group.command("new")
@click.argument("framework_id", metavar="FRAMEWORK")
@click.option("--date", "date_text", required=True, help="YYYY-MM-DD: the day the jury sits.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def session_new(ctx: Context, framework_id: str, date_text: str, as_json: bool) -> None:
    """Prepare a session: every candidate pursuing FRAMEWORK and not yet certified in it,
    ready by its rule or not and why."""
    from ..institution.awards import awards_of
    from ..institution.minutes import pending_appeals
    from ..institution.trust import assess_candidate, with_counted_results
    from ..decisions.awards import certification
    from ..decisions.sessions import prepare_session
    from ..decisions.workflow import candidate_decision
    date = _date_or_exit(ctx, date_text, "--date")
    workspace = workspace_or_exit(ctx)
    framework = workspace.frameworks.get(framework_id)
    if framework is None:
        fail_with([Problem("framework.unknown", None, None, {"id": framework_id,
                                                             "suggestions": ", ".join(workspace.frameworks)})], ctx)
    if framework.rule is None:
        fail_with([Problem("certify.no_rule", None, None, {"framework": framework.id})], ctx)
    path = session_path(ctx.root, session_id(framework.id, date))
    if path.exists():
        fail_with([Problem("session.exists", path, None, {"session": path.stem})], ctx)
    # Settings and did.json must be readable before a jury relies on them.
    context = _context_or_exit(ctx, workspace)
    assessed = {slug: assess_candidate(candidate, context) for slug, candidate in workspace.candidates.items()}
    validations = {slug: [a.validation for a in found if a.counts and a.validation] for slug, found in assessed.items()}
    candidates = with_counted_results(context, workspace.candidates.values())
    # A candidate who holds a current, valid certificate of this framework (or, for one
    # certified outside, its signed result) has nothing left to decide: the one definition
    # `report`, `status` and the dashboard count (issue 29).
    certified = sorted(c.slug for c in candidates if certification(
        awards_of(assessed[c.slug]), framework, candidate_decision(c, framework, validations[c.slug]),
        c.results) is not None)
    try:  # the appeals lodged against this framework's decisions, for this session to decide
        appeals = pending_appeals(ctx.root, framework.id)
    except InputError as error:
        fail_with(error.problems, ctx)
    session = prepare_session(framework, candidates, validations, date=date,
                              prepared=dt.date.today(), certified=certified, appeals=appeals)
    try:
        write_session(path, session, overwrite=False)
    except FileExistsError:
        fail_with([Problem("session.exists", path, None, {"session": path.stem})], ctx)
    if as_json:
        click.echo(json.dumps({"file": str(path), "ready": [s.candidate for s in session.candidates if s.ready],
                               "not_ready": [s.candidate for s in session.candidates if not s.ready],
                               "already_certified": certified,
                               "appeals": [a.candidate for a in session.appeals]}, indent=2))
        return
    ready = sum(s.ready for s in session.candidates)
    click.echo(i18n.text("session.prepared", ctx.language, path=path,
                         ready=i18n.plural("session.count.ready", ctx.language, ready),
                         not_ready=i18n.plural("session.count.not_ready", ctx.language,
                                               len(session.candidates) - ready)))
    if certified:
        click.echo(i18n.plural("session.already_certified", ctx.language, len(certified),
                               slugs=", ".join(certified)))
    for appeal in session.appeals:
        click.echo(i18n.text("session.appeal_to_decide", ctx.language, slug=appeal.candidate,
                             session=appeal.session, lodged=appeal.lodged.isoformat()))


@session_group.command("decide")
@click.argument("session_name", metavar="SESSION")
@click.argument("slug")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--comment", default="", help="The jury's comment (required for an attestation or a postponement).")
@click.option("--override", default="", help="Why a certificate is awarded although the rule is not met (in the minutes).")
@click.option("--reissue", is_flag=True,
              help="Issue the award although SLUG holds a current one of the same kind (the earlier is superseded).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=KEY_HELP)
@institution_site_options
@passphrase_option
@pass_context
def session_decide(ctx: Context, session_name: str, slug: str, outcome: str, comment: str, override: str,
                   reissue: bool, key_file: Path | None, institution_site: str | None, allow_network: bool,
                   passphrase_file: Path | None) -> None:
    """Record the jury's decision for SLUG; a certificate or attestation is issued as by `certify`,
    and supersedes the award it replaces."""
    from ..institution.minutes import record_decision
    from .commission import echo_superseded
    session = _session_or_exit(ctx, session_name)
    workspace = workspace_or_exit(ctx)
    key = load_key_or_exit(ctx, key_file, passphrase_file) if key_file else None
    institution = signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network)
    context = _context_or_exit(ctx, workspace, institution)
    try:
        updated, superseded = record_decision(workspace, context, session, slug, outcome, key, comment=comment,
                                              override=override, reissue=reissue)
    except InputError as error:
        fail_with(error.problems, ctx)
    decision = updated.decision(slug)
    word = f"minutes.outcome.{decision.outcome}"  # the minutes' word for it, in the user's language
    said = i18n.text(word, ctx.language) if i18n.known(word) else decision.outcome
    click.echo(i18n.text("session.decided_issued", ctx.language, outcome=said, slug=slug,
                         credential=decision.credential) if decision.credential
               else i18n.text("session.decided", ctx.language, outcome=said, slug=slug))
    echo_superseded(ctx, superseded)


@session_group.command("appeal")
@click.argument("session_name", metavar="SESSION")
@click.argument("slug")
@click.option("--reason", required=True, help="The candidate's grounds for the appeal (recours), as lodged.")
@click.option("--date", "date_text", default=None, help="YYYY-MM-DD: the day it was lodged (default: today).")
@pass_context
def session_appeal(ctx: Context, session_name: str, slug: str, reason: str, date_text: str | None) -> None:
    """Record SLUG's appeal against the decision of SESSION; the next session of the
    framework (`session new`) takes it up, decides it, and its signed minutes show both."""
    from ..institution.minutes import lodge_appeal
    session = _session_or_exit(ctx, session_name)
    lodged = _date_or_exit(ctx, date_text, "--date") if date_text else dt.date.today()
    try:
        appeal = lodge_appeal(ctx.root, session, slug, reason, lodged)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(i18n.text("session.appeal_lodged", ctx.language, slug=appeal.candidate, session=appeal.session,
                         outcome=appeal.outcome))


@session_group.command("minutes")
@click.argument("session_name", metavar="SESSION")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=KEY_HELP + " Needed the first time, to sign.")
@institution_site_options
@passphrase_option
@pass_context
def session_minutes(ctx: Context, session_name: str, key_file: Path | None, institution_site: str | None,
                    allow_network: bool, passphrase_file: Path | None) -> None:
    """Sign the session's minutes as a whole (first time), then write them as a printable page."""
    from ..institution.minutes import minutes_path, minutes_page_path, sign_minutes
    from ..core.files import write_atomic
    from ..site.minutes import render_minutes
    session = _session_or_exit(ctx, session_name)
    workspace = workspace_or_exit(ctx, only=[])
    context = _context_or_exit(ctx, workspace)
    if not minutes_path(session).exists():
        if key_file is None:
            fail_with([Problem("session.not_signed", None, None, {"session": session.id})], ctx)
        key = load_key_or_exit(ctx, key_file, passphrase_file)
        signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network)
        try:
            sign_minutes(session, context.settings, key)
        except InputError as error:
            fail_with(error.problems, ctx)
    signed = _verified_minutes_or_exit(ctx, session, context)
    framework = workspace.frameworks.get(session.framework)
    if framework is None:
        fail_with([Problem("framework.unknown", session.path, None, {"id": session.framework,
                                                                     "suggestions": ", ".join(workspace.frameworks)})], ctx)
    page = render_minutes(session, framework, institution=context.settings.institution.name,
                          credential_id=signed.credential["id"], issuer=signed.issuer, created=signed.created,
                          method=signed.method, language=ctx.language)
    write_atomic(minutes_page_path(session), page)
    click.echo(minutes_path(session))
    click.echo(minutes_page_path(session))


@session_group.command("verify")
@click.argument("session_name", metavar="SESSION")
@pass_context
def session_verify(ctx: Context, session_name: str) -> None:
    """Check the signed minutes: the institution's proof, and that the session file still says the same."""
    session = _session_or_exit(ctx, session_name)
    workspace = workspace_or_exit(ctx, only=[])
    context = _context_or_exit(ctx, workspace)
    signed = _verified_minutes_or_exit(ctx, session, context)
    click.echo(i18n.text("session.verified", ctx.language, session=session.id, issuer=signed.issuer,
                         date=signed.created,
                         decisions=i18n.plural("session.count.decisions", ctx.language, len(session.decisions))))


def _verified_minutes_or_exit(ctx: Context, session: Session, context):
    from ..institution.minutes import MinutesError, minutes_path, read_minutes
    if not minutes_path(session).exists():
        fail_with([Problem("session.not_signed", None, None, {"session": session.id})], ctx)
    try:
        return read_minutes(session, context.settings.institution.id, context.resolver)
    except MinutesError as error:
        fail_with([Problem("session.minutes_invalid", session.path, None,
                           {"session": session.id, "reason": str(error)})], ctx)
