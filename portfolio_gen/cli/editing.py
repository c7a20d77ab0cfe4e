"""`edit`: the candidates' editor, a local web page (issue 31)."""

from __future__ import annotations

import click

from ..core import i18n
from ..core.problems import InputError
from .core import Context, fail_with, main, pass_context, workspace_or_exit


@main.command()
@click.argument("slug", required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port on 127.0.0.1 (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Print the URL, do not open a browser.")
@pass_context
def edit(ctx: Context, slug: str | None, port: int, no_browser: bool) -> None:
    """Write your portfolio in a local web page (127.0.0.1 only): profile, entries,
    self-assessments, requests, decisions, preview and publish. SLUG opens that
    candidate's portfolio; without it, the page lists them and creates one."""
    import shutil
    import webbrowser

    from ..editor.app import EditorSession, create_app
    from ..review import web

    workspace_or_exit(ctx, only=[slug] if slug else [])
    try:
        sock = web.bind_loopback(port)
    except InputError as error:
        fail_with(error.problems, ctx)
    session = EditorSession(ctx.root.resolve(), ctx.language, slug)
    url = web.session_url(sock, session.token)
    click.echo(i18n.text("editor.cli.url", ctx.language, root=ctx.root, url=url))
    if not no_browser:
        webbrowser.open(url)
    try:
        web.serve_app(create_app(session), sock)
    finally:
        shutil.rmtree(session.preview, ignore_errors=True)  # the previews built, never the workspace
