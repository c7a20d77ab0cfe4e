"""The commission's commands: sign the evaluator registry (`registry sign`), issue certificates (`certify`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .core import (Context, fail_with, institution_site_options, main, pass_context, registry_or_exit,
                   signed_institution_or_exit, workspace_or_exit)
from .credentials import load_key_or_exit, passphrase_option
from ..core import i18n
from ..core.problems import InputError


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
@passphrase_option
@pass_context
def registry_sign(ctx: Context, key_file: Path, valid_days: int, passphrase_file: Path | None) -> None:
    """Sign evaluators.yml with the institution's key into registry.json (version one above
    the last), to publish with the sites; and an empty status list for each key it
    registers that has none yet."""
    from ..institution.registry_credential import candidate_emails, sign_registry
    from ..institution.revocation import sign_missing_lists
    workspace = workspace_or_exit(ctx, only=[])
    registry = registry_or_exit(ctx, workspace)
    settings = _settings_or_exit(ctx)
    # Evaluators who are candidates too: their e-mail, hashed, binds self-validations.
    candidates = workspace_or_exit(ctx, only=[e.candidate for e in registry.evaluators if e.candidate]).candidates
    key = load_key_or_exit(ctx, key_file, passphrase_file)
    try:
        path = sign_registry(ctx.root, settings, registry, key, validity=dt.timedelta(days=valid_days),
                             candidate_emails=candidate_emails(registry, candidates))
        # Every key registered here can sign from now on: its status list must be there
        # too, or its credentials would read "status unknown" until the next
        # `status-list publish` (issue 26).
        lists = sign_missing_lists(ctx.root, settings, key, [k for e in registry.evaluators for k in e.keys])
    except InputError as error:  # e.g. a key the institution's did.json does not list
        fail_with(error.problems, ctx)
    click.echo(path)
    for listed in lists:
        click.echo(listed)


@main.command()
@click.argument("slug")
@click.option("--framework", "framework_id", required=True)
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The institution's private key.")
@click.option("--comment", default="", help="The commission's comment (shown on an attestation).")
@click.option("--attestation", is_flag=True,
              help="When an input of the rule is missing (CRCNÉ without its Pix+Édu result), issue the "
                   "attestation of what is validated anyway; without it, nothing is issued.")
@click.option("--reissue", is_flag=True,
              help="Issue it although SLUG holds a current award of the same kind (and level): the earlier one "
                   "is revoked as superseded.")
@institution_site_options
@passphrase_option
@pass_context
def certify(ctx: Context, slug: str, framework_id: str, key_file: Path, comment: str, attestation: bool, reissue: bool,
            institution_site: str | None, allow_network: bool, passphrase_file: Path | None) -> None:
    """Apply the framework's rule to SLUG's trusted validations; issue a certificate or an attestation.

    One current award per framework (and level): a certificate supersedes an attestation,
    and the earlier award is revoked as superseded; a duplicate needs --reissue."""
    from ..institution.commission import certify_candidate
    workspace = workspace_or_exit(ctx)
    key = load_key_or_exit(ctx, key_file, passphrase_file)
    institution = signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network)
    try:
        award = certify_candidate(institution, workspace, slug, framework_id, key, comment=comment,
                                  attestation=attestation, reissue=reissue)
    except InputError as error:
        fail_with(error.problems, ctx)
    decision = award.decision
    kind = i18n.text("verify.kind.certificate" if award.certified else "verify.kind.attestation", ctx.language)
    level = i18n.text("certify.level", ctx.language, level=decision.level) if decision.level else ""
    click.echo(i18n.plural("certify.issued", ctx.language, len(decision.validated), kind=kind, path=award.path,
                           level=level))
    echo_superseded(ctx, award.superseded)


def echo_superseded(ctx: Context, superseded) -> None:
    """Say which earlier awards the new one replaced (and revoked)."""
    from ..core import i18n
    for earlier in superseded:
        click.echo("  " + i18n.text("award.supersedes", ctx.language, kind=earlier.kind, file=earlier.file,
                                    date=earlier.issued.date().isoformat()))
