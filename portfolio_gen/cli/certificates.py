"""certificate-pdf: an award as a one-page A4 certificate or attestation (issue 32)."""

from __future__ import annotations

from pathlib import Path

import click

from .core import Context, fail_with, main, pass_context, workspace_or_exit
from ..core import i18n
from ..core.problems import InputError, Problem


@main.command("certificate-pdf")
@click.argument("slug")
@click.option("--framework", default="", help="The framework of the award, when SLUG holds several.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the PDF (default: SLUG-FRAMEWORK.pdf in the current folder).")
@pass_context
def certificate_pdf(ctx: Context, slug: str, framework: str, output: Path | None) -> None:
    """Write SLUG's current certificate or attestation as a one-page A4 PDF: the institution,
    the holder, the items, the decision and its session, the date, a QR code to the
    institution's verifier and the SHA-256 of the signed credential."""
    from ..core.files import write_atomic
    from ..site.certificate import award_certificate

    workspace = workspace_or_exit(ctx, only=[slug])
    if slug not in workspace.candidates:
        from ..core.portfolios import candidate_folders
        from ..core.workspace import CANDIDATES_DIR

        known = sorted(folder.name for folder in candidate_folders(ctx.root / CANDIDATES_DIR))
        fail_with([Problem("candidate.unknown", None, None, {"slug": slug, "known": ", ".join(known) or "—"})], ctx)
    try:
        view, pdf = award_certificate(ctx.root, workspace.candidates[slug], workspace.frameworks, framework)
    except InputError as error:
        fail_with(error.problems, ctx)
    target = output or Path(f"{slug}-{view.code.split(':')[0]}.pdf")
    write_atomic(target, pdf)
    click.echo(i18n.text("certificate.written", ctx.language, path=target, name=view.name, holder=view.holder))
