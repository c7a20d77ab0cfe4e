"""Site commands: build every candidate's static site, preview one with live reload."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core import i18n
from .core import EXIT_BAD_INPUT, Context, fail_with, main, pass_context, render_problems, workspace_or_exit
from ..core.problems import WARNING, InputError, Problem
from ..core.settings import DEFAULT_ENGINE, ENGINES as ENGINE_NAMES, SETTINGS_FILE

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Sites built in parallel (default: one per core).")
@click.option("--force", is_flag=True, help="Rebuild candidates whose inputs did not change.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder receiving one site per candidate (default: <root>/site).")
@click.option("--shard", "shard_text", metavar="K/N", default=None,
              help="Build only shard K of N (1 <= K <= N), for CI matrices; shards' outputs merge by copying.")
@click.option("--engine", type=click.Choice(ENGINE_NAMES), default=None,
              help="What builds the sites (default: site.engine in portfolio-gen.yml, else mkdocs).")
@click.option("--generate", "sources", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Only write each site's folder (pages, assets, mkdocs.yml) under SOURCES/<slug>/, for the engine's own command.")
@pass_context
def build(ctx: Context, slugs: tuple[str, ...], jobs: int | None, force: bool, output: Path | None,
          shard_text: str | None, engine: str | None, sources: Path | None) -> None:
    """Build each candidate's static site (all by default) under OUTPUT/<slug>/."""
    import time

    from ..site.builder import BUILT, FAILED, SKIPPED, Shard, build_cohort, plan_cohort
    from ..site.engines import ENGINES

    try:
        shard = Shard.parse(shard_text) if shard_text is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    output = output or ctx.root / "site"
    engine = engine or _configured_engine(ctx.root)
    started = time.perf_counter()
    plan = plan_cohort(ctx.root, slugs or None, shard)
    collisions = _reserved_slugs(ctx.root, plan.slugs)
    if collisions:  # before anything is written
        fail_with(collisions, ctx)
    if sources is not None:
        _generate(ctx, slugs, output, sources, shard, ENGINES[engine])
        return
    if not ENGINES[engine].available():
        fail_with([Problem("site.engine.missing", ctx.root / SETTINGS_FILE, None, {"engine": engine})], ctx)
    with click.progressbar(length=len(plan.slugs) + len(plan.unknown), file=sys.stderr,
                           hidden=not sys.stderr.isatty(),
                           label=i18n.text("site.build.progress", ctx.language)) as bar:
        results = build_cohort(ctx.root, slugs or None, output, jobs=jobs, force=force,
                               on_result=lambda result: bar.update(1), shard=shard, engine=engine)
    failed = [r for r in results if r.status == FAILED]
    render_problems([p for r in failed for p in build_problems(r)] + _stale_manifest(ctx.root), ctx, False)
    # The summary goes to stdout after the problems (stderr): flushed, so that a terminal
    # or a `2>&1` log never shows it glued to the first error (issue #15).
    sys.stderr.flush()
    counts = {status: sum(1 for r in results if r.status == status) for status in (BUILT, SKIPPED, FAILED)}
    click.echo(i18n.text("site.build.summary", ctx.language, built=counts[BUILT], skipped=counts[SKIPPED],
                         failed=counts[FAILED], seconds=time.perf_counter() - started, output=output))
    if failed:
        sys.exit(EXIT_BAD_INPUT)
    if engine == DEFAULT_ENGINE:  # after a build that wrote everything: a failed one leaves no marker
        _material_notice_once(ctx)


def _generate(ctx: Context, slugs: tuple[str, ...], output: Path, sources: Path, shard, engine) -> None:
    """`build --generate`: the sites' folders, and no engine run (issue 33)."""
    from ..site.builder import FAILED, generate_cohort
    from ..site.source import CONFIG_FILE

    results = generate_cohort(ctx.root, slugs or None, output, sources, shard=shard)
    failed = [r for r in results if r.status == FAILED]
    render_problems([p for r in failed for p in build_problems(r)], ctx, False)
    sys.stderr.flush()
    click.echo(i18n.text("site.generate.summary", ctx.language, count=len(results) - len(failed), sources=sources,
                         output=output, command=engine.command(f"{sources}/<slug>/{CONFIG_FILE}")))
    if failed:
        sys.exit(EXIT_BAD_INPUT)


def _configured_engine(root: Path) -> str:
    """`site.engine` of portfolio-gen.yml; MkDocs without settings (the build reports them)."""
    from ..core.settings import load_settings
    try:
        return load_settings(root).engine if (root / SETTINGS_FILE).exists() else DEFAULT_ENGINE
    except InputError:
        return DEFAULT_ENGINE


def _material_notice_once(ctx: Context) -> None:
    """What Material's end of life means and how to switch engine, said once per workspace
    (a marker in its cache), never on every build (issue 33)."""
    from ..site.fingerprint import RECORDS_DIR

    marker = ctx.root / RECORDS_DIR / "notices" / "material-end-of-life"
    if marker.exists():
        return
    click.echo(i18n.text("site.engine.material_eol", ctx.language), err=True)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("shown\n", "utf-8")
    except OSError:
        pass  # a read-only workspace hears it again next time: better than never


def _stale_manifest(root: Path) -> list[Problem]:
    """A signed manifest that no longer matches the settings or frameworks is not
    published (candidate repositories could not be made from it): say what to re-sign."""
    from ..institution.manifest import MANIFEST_FILE, stale_manifest_files

    if not (root / MANIFEST_FILE).is_file():
        return []
    stale = stale_manifest_files(root)
    return [Problem("institution.manifest_stale", root / MANIFEST_FILE, None, {"files": ", ".join(stale)},
                    severity=WARNING)] if stale else []


def _reserved_slugs(root: Path, slugs: list[str]) -> list[Problem]:
    """Candidates whose site the institution's site (built beside them) would overwrite."""
    from ..core.settings import SETTINGS_FILE, load_settings, reserved_slug_problems
    from ..core.workspace import CANDIDATES_DIR
    try:
        settings = load_settings(root) if (root / SETTINGS_FILE).exists() else None
    except InputError:
        return []  # the build reports the settings' own problems
    return reserved_slug_problems(settings, [root / CANDIDATES_DIR / slug for slug in slugs]) if settings else []


def build_problems(result) -> list[Problem]:
    """A failed build as problems: its input errors, or the build error at the failing file."""
    if result.problems:
        return list(result.problems)
    return [Problem("site.build.failed", result.file, None, {"slug": result.slug, "error": result.error})]


@main.command()
@click.argument("slug")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@pass_context
def serve(ctx: Context, slug: str, dev_addr: str) -> None:
    """Preview one candidate's site with live reload."""
    import logging

    from ..site.builder import serve_candidate

    workspace = workspace_or_exit(ctx, only=[slug])
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_candidate(ctx.root, workspace.candidate(slug), dev_addr)
