"""Making workspaces: a cohort's (`init`), the demo's (`demo`, the whole process played on
the shipped cohort), or a candidate's own repository from the institution's signed site
(`init --candidate`), and what keeps the latter in step: the institution signs what it
publishes (`institution sign`), the candidate refreshes the pinned copy (`institution update`)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from ..core import i18n
from ..core.model import LANGUAGES, ROLES
from ..core.pinning import LOCK_FILE, read_lock
from ..core.problems import InputError, Problem
from .core import Context, fail_with, main, pass_context
from .credentials import load_key_or_exit, passphrase_option


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--candidate", "candidate_name", default=None, metavar="NAME",
              help="Make one candidate's own repository (with --institution) instead of a cohort workspace.")
@click.option("--institution", "source", default=None, metavar="SOURCE",
              help="The institution's published site: a folder (a copy of it) or its https URL (--allow-network).")
@click.option("--framework", "frameworks", multiple=True, help="Framework id (repeatable; default: all the institution's).")
@click.option("--mention", "mentions", multiple=True, metavar="[FRAMEWORK=]N",
              help="With --candidate: the mention pursued, for a framework organised by mention (CRCNÉ: 1, 2 or 3).")
@click.option("--email", default="", help="The candidate's real e-mail (never published; credentials carry a salted hash of it).")
@click.option("--role", type=click.Choice(ROLES), default="enseignant", show_default=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option("--site-base-url", default="", help="Where the candidate's own CI publishes (default: the institution's site_base_url).")
@click.option("--allow-network", is_flag=True, help="Read an https SOURCE.")
@click.option("--shards", type=click.IntRange(1, 256), default=1, show_default=True,
              help="A large cohort: the CI files build it in this many parallel jobs (build --shard K/N).")
@pass_context
def init(ctx: Context, directory: Path, candidate_name: str | None, source: str | None, frameworks: tuple[str, ...],
         mentions: tuple[str, ...],
         email: str, role: str, language: str, site_base_url: str, allow_network: bool, shards: int) -> None:
    """Create a new workspace in DIRECTORY: frameworks, schemas, portfolio-gen.yml,
    evaluators.yml; or, with --candidate and --institution, one candidate's repository."""
    if (candidate_name is None) != (source is None):
        raise click.UsageError(i18n.text("init.candidate_with_institution", ctx.language))
    if candidate_name is not None:
        if shards != 1:
            raise click.UsageError(i18n.text("init.shards_for_cohort", ctx.language))
        init_candidate_repository(ctx, directory, candidate_name, source, frameworks, email, role, language,
                                  site_base_url, allow_network, mentions)
        return
    try:
        from ..core import scaffold  # here, not at start-up
        created = scaffold.init_workspace(directory, ctx.language, shards=shards)
    except FileExistsError:
        raise click.UsageError(i18n.text("init.not_empty", ctx.language, directory=directory)) from None
    for path in created:
        click.echo(path)


@main.group("institution")
def institution_group() -> None:
    """What candidate repositories take from the institution's site, signed."""


@institution_group.command("sign")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The institution's private key (its did:web must list the public key).")
@passphrase_option
@pass_context
def institution_sign(ctx: Context, key_file: Path, passphrase_file: Path | None) -> None:
    """Sign the settings and frameworks' digests into institution.json, which `build`
    publishes with the files so that candidates can make their own repositories."""
    from ..core.settings import load_settings
    from ..institution.manifest import sign_manifest

    try:
        settings = load_settings(ctx.root)
        path = sign_manifest(ctx.root, settings, load_key_or_exit(ctx, key_file, passphrase_file))
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


@institution_group.command("update")
@click.option("--source", default=None, help="Where to read the institution's site (default: where the "
                                             "repository was made from, as institution.lock says).")
@click.option("--allow-network", is_flag=True, help="Read an https source.")
@pass_context
def institution_update(ctx: Context, source: str | None, allow_network: bool) -> None:
    """Refresh this candidate repository's pinned copy of the institution's files, once
    their signature and digests check out, and say what changed."""
    from ..institution.repository import SourceError, fetch_institution, open_source, problem, update_repository

    try:
        lock = read_lock(ctx.root)
    except InputError as error:
        fail_with(error.problems, ctx)
    if lock is None:
        fail_with([Problem("institution.not_a_repository", ctx.root / LOCK_FILE, None, {"path": LOCK_FILE})], ctx)
    location = source or lock.source
    try:
        changes = update_repository(ctx.root, fetch_institution(open_source(location, allow_network=allow_network)))
    except SourceError as error:
        fail_with([problem(error, location)], ctx)
    say = functools.partial(i18n.text, language=ctx.language)
    if not changes.any:
        click.echo(say("institution.update.nothing"))
        return
    for change in changes.frameworks:
        click.echo(say("institution.update.framework", change=change))
    for evaluator in changes.evaluators_added:
        click.echo(say("institution.update.evaluator_added", id=evaluator))
    for evaluator in changes.evaluators_removed:
        click.echo(say("institution.update.evaluator_removed", id=evaluator))
    for path in changes.files:
        click.echo(say("institution.update.file", path=path))


def init_candidate_repository(ctx: Context, directory: Path, name: str, source: str, frameworks: tuple[str, ...],
                              email: str, role: str, language: str, site_base_url: str, allow_network: bool,
                              mentions: tuple[str, ...] = ()) -> None:
    """`init DIR --candidate NAME --institution SOURCE`: a one-candidate workspace."""
    from ..institution.repository import SourceError, create_candidate_repository, fetch_institution, open_source, \
        problem

    try:
        copy = fetch_institution(open_source(source, allow_network=allow_network))
        created = create_candidate_repository(directory, copy, name, frameworks=frameworks, email=email, role=role,
                                              language=language, site_base_url=site_base_url, mentions=mentions)
    except SourceError as error:
        fail_with([problem(error, source)], ctx)
    except FileExistsError:
        raise click.UsageError(i18n.text("init.not_empty", ctx.language, directory=directory)) from None
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(i18n.text("institution.trusted", ctx.language, did=copy.institution))
    for path in created:
        click.echo(path)


# --- demo: the whole process on the shipped cohort ----------------------------------------

@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"))
@click.option("--jobs", type=int, default=None, help="Parallel site builds (default: one per core).")
@pass_context
def demo(ctx: Context, directory: Path, jobs: int | None) -> None:
    """Play the whole process on the demo cohort in DIRECTORY, then build every site.

    Keys, did:web, signed registry, validations, certificates, attestation, sites: the
    demo's keys are generated on the spot in DIRECTORY/keys (unencrypted, never published).
    The cohort is the one shipped with portfolio-gen; --root gives another.
    """
    from ..core.workspace import load_workspace
    from ..demo import holds_cohort, packaged_cohort, run_demo
    from ..site.builder import FAILED, build_cohort

    given = click.get_current_context().find_root().get_parameter_source("root") is not ParameterSource.DEFAULT
    source = ctx.root if given else packaged_cohort()
    if not holds_cohort(source):
        fail_with([Problem("demo.no_cohort", None, None, {"root": str(source.resolve())})], ctx)
    # The source cohort must be clean before anything is signed; read without the cache,
    # which would write beside it (inside the installed package).
    cohort = load_workspace(source, cache=False)
    if cohort.errors:
        fail_with(cohort.problems, Context(source, ctx.language))
    try:
        report = run_demo(source, directory)
    except FileExistsError:
        raise click.UsageError(i18n.text("demo.not_previous", ctx.language, directory=directory)) from None
    click.echo(i18n.plural("demo.signed", ctx.language, report.validations, directory=directory))
    for slug, framework, certified, level in report.awards:
        outcome = i18n.text("verify.kind.certificate" if certified else "verify.kind.attestation", ctx.language)
        click.echo(f"  {slug:<16} {framework:<8} {outcome}{' ' + level if level else ''}")
    results = build_cohort(directory, None, directory / "site", jobs=jobs)
    failed = [r for r in results if r.status == FAILED]
    for result in failed:
        click.echo(i18n.text("demo.build_failed", ctx.language, slug=result.slug, error=result.error), err=True)
    click.echo(i18n.plural("demo.sites", ctx.language, len(results) - len(failed), path=directory / "site"))
    if failed:
        sys.exit(2)
