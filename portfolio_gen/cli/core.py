"""The `portfolio-gen` command line: parses arguments, calls the library, prints.

Exit codes: 0 success, 1 a verification or rule failed, 2 bad input (with every
problem listed, located and explained).
"""

from __future__ import annotations

import errno
import functools
import gc
import json
import sys
from pathlib import Path
from typing import Iterable, Mapping, NoReturn

import click

from .. import __version__
from . import translation
from .translation import TranslatedGroup
from ..core import i18n, schemas
from ..core.model import DRAFT, LANGUAGES, PRIVATE, PUBLIC, ROLES, SITUATIONS, Candidate, Framework, title_in
from ..core.pinning import pinned_problems
from ..core.portfolios import unknown_framework_problem
from ..core.problems import InputError, Problem, nearest
from ..decisions.rules import decide, decide_items
from ..core.workspace import load_workspace

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2
# Failures of the machine rather than of the input, reported as such (see PortfolioGroup).
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


class Context:
    def __init__(self, root: Path, language: str):
        self.root = root
        self.language = language


# The commands that run outside a workspace (issue 31): they make one (`init`, `demo`),
# act on the files or sites they are given (`verify`, `keys ...`), or write where they are
# told (`schemas`). Every other command refuses a folder that is not a workspace, before
# reading or writing anything there. tests/cli/test_outside_workspace.py runs them all.
OUTSIDE_WORKSPACE = frozenset({"init", "demo", "verify", "schemas", "keys new", "keys did-key", "keys did-web"})


def pass_context(function):
    """Pass the command's `Context`, once the folder it works in is known to be a
    workspace (unless the command is one of OUTSIDE_WORKSPACE): else exit 2, naming the
    nearest workspace above it, with nothing written there."""
    @click.pass_context
    def in_workspace(click_context: click.Context, *args, **kwargs):
        context = click_context.find_object(Context)
        if _command_path(click_context) not in OUTSIDE_WORKSPACE:
            from ..core.workspace import not_a_workspace
            problem = not_a_workspace(context.root)
            if problem is not None:
                fail_with([problem], context)
        return click_context.invoke(function, context, *args, **kwargs)
    return functools.update_wrapper(in_workspace, function)


def _command_path(ctx: click.Context) -> str:
    """The command's words after the program's name: `keys new`."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


class PortfolioGroup(TranslatedGroup):
    """The command group, turning a failed write (full disk, read-only folder) into a
    located problem and exit 2 rather than a traceback (issue #15). Writes are atomic
    (core.files, site swap), so what existed before is intact and the next run finishes.

    It speaks the user's language from the start (issue 30): click's own messages and the
    help texts follow --lang (an eager option, read before --help), then the workspace's
    `language` setting, then the locale; see cli/translation.py."""

    def main(self, *args, **kwargs):
        translation.install()
        with translation.speaking(i18n.user_language(None, _language_setting(Path(".")))):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno not in WRITE_ERRNOS:
                raise
            language = ctx.obj.language if isinstance(ctx.obj, Context) else i18n.user_language(None)
            path = Path(error.filename) if error.filename else None
            fail_with([Problem("file.unwritable", path, None, {"reason": error.strerror or str(error)})],
                      ctx.obj if isinstance(ctx.obj, Context) else Context(Path("."), language))
        except InputError as error:
            # Bad input a command did not catch itself is still said, located, with exit 2:
            # never a traceback (issue 31: audit and certify without settings).
            language = ctx.obj.language if isinstance(ctx.obj, Context) else i18n.user_language(None)
            fail_with(error.problems, ctx.obj if isinstance(ctx.obj, Context) else Context(Path("."), language))


def _language_setting(root: Path) -> str | None:
    from ..institution import trustfiles  # the settings are a trust file, read in one place
    return trustfiles.language_setting(root)


def _speak(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--lang, read before the other options: --help and parser errors are then in it."""
    if value is not None:
        translation.set_language(value)
    return value


@click.group(cls=PortfolioGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portfolio-gen")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Workspace folder (holds referentiels/ and candidates/).")
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, is_eager=True, callback=_speak,
              help="Language of messages (default: the workspace's language setting, else the locale).")
@click.pass_context
def main(ctx: click.Context, root: Path, lang: str | None) -> None:
    """Digital-competence portfolios: check, build sites, sign and verify credentials."""
    _tune_garbage_collector()
    # PortfolioGroup.main chose the language for the current folder, and --lang (eager) has
    # set its own: the settings are read again only for another --root that --lang leaves open.
    if lang is None and root != Path("."):
        translation.set_language(i18n.user_language(None, _language_setting(root)))
    ctx.obj = Context(root, translation.language())


def _tune_garbage_collector() -> None:
    """Fewer cyclic collections while a cohort is loaded.

    Reading a cohort (from files or from the read cache) creates hundreds of thousands
    of small acyclic objects, freed by reference counting; the default thresholds then
    run a full collection over all of them again and again, which doubled the time of a
    warm `check`. What was imported is frozen out of the collector's scans, and the
    young generation collected every 50,000 allocations instead of 700.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


# --- problems ---------------------------------------------------------------------------

def render_problems(problems: Iterable[Problem], ctx: Context, as_json: bool) -> None:
    problems = list(problems)
    if as_json:
        click.echo(json.dumps([problem_json(p, ctx) for p in problems], ensure_ascii=False, indent=2))
        return
    hint_label = i18n.text("cli.hint", ctx.language)
    for problem in problems:
        message, hint = i18n.explain(problem, ctx.language)
        location = problem.location(ctx.root)
        prefix = f"{location}: " if location else ""
        click.echo(f"{prefix}{i18n.text('cli.severity.' + problem.severity, ctx.language)}: {message}", err=True)
        if hint:
            click.echo(f"    {hint_label}: {hint}", err=True)


def problem_json(problem: Problem, ctx: Context) -> dict:
    message, hint = i18n.explain(problem, ctx.language)
    return {"file": problem.location(ctx.root).rsplit(":", 1)[0] if problem.line else problem.location(ctx.root),
            "line": problem.line, "severity": problem.severity, "code": problem.key,
            "message": message, "hint": hint}


def fail_with(problems: list[Problem], ctx: Context, as_json: bool = False) -> NoReturn:
    render_problems(problems, ctx, as_json)
    sys.exit(EXIT_BAD_INPUT)


def workspace_or_exit(ctx: Context, only: Iterable[str] | None = None, as_json: bool = False):
    workspace = load_workspace(ctx.root, only=only)
    if workspace.errors:
        fail_with(workspace.problems, ctx, as_json)
    return workspace


def registry_or_exit(ctx: Context, workspace):
    """The evaluator registry that signing and reviewing check against: evaluators.yml, or
    a candidate repository's signed copy (institution/context.py)."""
    from ..institution.context import workspace_registry  # the institution layer, loaded only when needed
    try:
        return workspace_registry(ctx.root, workspace.frameworks)
    except InputError as error:
        fail_with(error.problems, ctx)


# --- check ------------------------------------------------------------------------------

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def check(ctx: Context, slugs: tuple[str, ...], as_json: bool) -> None:
    """Validate the frameworks and every candidate (or only SLUGS); report all problems at once."""
    workspace = load_workspace(ctx.root, only=slugs or None)
    # A candidate repository's copy of the institution's files must be the one pinned.
    workspace.problems.extend(pinned_problems(ctx.root) + settings_warnings(ctx.root, workspace)
                              + _institution_problems(ctx.root, workspace))
    errors = workspace.errors
    if as_json:
        click.echo(json.dumps({
            "ok": not errors, "frameworks": sorted(workspace.frameworks),
            "candidates": sorted(workspace.candidates),
            "problems": [problem_json(p, ctx) for p in workspace.problems]}, ensure_ascii=False, indent=2))
    else:
        render_problems(workspace.problems, ctx, False)
        entries = sum(len(c.entries) for c in workspace.candidates.values())
        language = ctx.language
        click.echo(i18n.text("cli.check.summary", language,
                             frameworks=i18n.plural("cli.count.frameworks", language, len(workspace.frameworks)),
                             candidates=i18n.plural("cli.count.candidates", language, len(workspace.candidates)),
                             entries=i18n.plural("cli.count.entries", language, entries),
                             errors=i18n.plural("cli.count.errors", language, len(errors))))
    if errors:
        sys.exit(EXIT_BAD_INPUT)


def _institution_problems(root: Path, workspace) -> list[Problem]:
    """Where the working tree differs from what the institution signed, each file said once
    (a pinned file edited by hand is already reported by the lock's check)."""
    from ..core.settings import SETTINGS_FILE
    from ..institution import trustfiles  # light: the credential stack is loaded only for a candidate repository
    if not (root / SETTINGS_FILE).exists():
        return []
    try:
        if trustfiles.lock(root) is None:
            found = trustfiles.unpublished_changes(root)
        else:
            from ..institution.context import institution_problems
            found = institution_problems(root)
    except InputError:
        return []  # unreadable settings or lock: reported by the checks beside this one
    named = {p.file for p in workspace.problems}
    return [p for p in found if p.file is None or p.file not in named]


def settings_warnings(root: Path, workspace) -> list[Problem]:
    """What the workspace settings silently override or forbid, once they can be read."""
    from ..core.settings import SETTINGS_FILE, load_settings, logo_problems, reserved_slug_problems, site_url_problems
    if not (root / SETTINGS_FILE).exists():
        return []
    try:
        settings = load_settings(root)
    except InputError as error:
        return error.problems  # the settings themselves are wrong: say so in check too
    candidates = workspace.candidates.values()
    return reserved_slug_problems(settings, [c.folder for c in candidates if c.folder]) \
        + site_url_problems(settings, candidates) + logo_problems(settings, root)


# --- frameworks -------------------------------------------------------------------------

@main.group()
def frameworks() -> None:
    """List and show competency frameworks."""


@frameworks.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def frameworks_list(ctx: Context, as_json: bool) -> None:
    """One line per framework: id, item count, rule."""
    workspace = workspace_or_exit(ctx, only=[], as_json=as_json)
    rows = [framework_summary(f) for f in workspace.frameworks.values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row, framework in zip(rows, workspace.frameworks.values()):
        items = i18n.plural("cli.frameworks.items", ctx.language, row["items"])
        click.echo(f"{row['id']:<18} {items}  {row['rule'] or '-':<12} {title_in(framework, ctx.language)}")


@frameworks.command("show")
@click.argument("framework_id")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def frameworks_show(ctx: Context, framework_id: str, as_json: bool) -> None:
    """The tree of one framework, item by item."""
    workspace = workspace_or_exit(ctx, only=[], as_json=as_json)
    framework = workspace.frameworks.get(framework_id)
    if framework is None:
        fail_with([unknown_framework_problem(framework_id, workspace.frameworks, None, None)], ctx, as_json)
    if as_json:
        summary = framework_summary(framework)
        summary["items"] = [{"code": i.code, "title": i.title, "titles": dict(i.titles),
                             "domain": i.domain, "competence": i.competence,
                             "phase": i.phase, "mandatory": i.mandatory, "criteria": list(i.criteria)}
                            for i in framework.items]
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    language = ctx.language
    click.echo(f"{title_in(framework, language)} ({framework.id}, {framework.version})")
    click.echo(f"  {framework.source.title} {framework.source.reference}".rstrip())  # a document's title, as written
    for domain in framework.domains:
        click.echo(f"{domain.code}  {title_in(domain, language)}")
        for item in domain.items:
            if item.code == domain.code:
                continue
            mark = " *" if item.mandatory else ""
            click.echo(f"  {item.code:<8} {title_in(item, language)}{mark}")
    if framework.levels:
        levels = " < ".join(title_in(lv, language) for lv in framework.levels)
        click.echo(i18n.text("cli.frameworks.levels", language, levels=levels))


def framework_summary(framework: Framework) -> dict:
    rule = framework.rule
    return {"id": framework.id, "title": framework.title, "titles": dict(framework.titles), "version": framework.version,
            "items": len(framework.items), "mandatory": len(framework.mandatory_codes),
            "levels": [lv.code for lv in framework.levels],
            "rule": rule.kind if rule else None}


# --- scaffolding ------------------------------------------------------------------------

@main.group()
def new() -> None:
    """Scaffold a candidate or an entry."""


@new.command("candidate")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="enseignant", show_default=True)
@click.option("--institution", default="", help="School, INSPÉ, rectorat... (default: the institution of portfolio-gen.yml).")
@click.option("--framework", "frameworks_", multiple=True, required=True, help="Framework id (repeatable).")
@click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option("--slug", default=None, help="Folder name (default: from NAME).")
@click.option("--email", default="", help="The candidate's real e-mail (never published; credentials carry a salted hash of it).")
@click.option("--mention", "mentions", multiple=True, metavar="[FRAMEWORK=]N",
              help="The mention pursued, for a framework organised by mention (CRCNÉ: 1, 2 or 3).")
@pass_context
def new_candidate(ctx: Context, name: str, role: str, institution: str, frameworks_: tuple[str, ...],
                  language: str, slug: str | None, email: str, mentions: tuple[str, ...]) -> None:
    """Create candidates/<slug>/ with a profile and a first draft entry."""
    from ..core import scaffold  # here, not at start-up: every other command would pay for it
    workspace = workspace_or_exit(ctx, only=[])
    unknown = [f for f in frameworks_ if f not in workspace.frameworks]
    if unknown:
        fail_with([unknown_framework_problem(f, workspace.frameworks, None, None) for f in unknown], ctx)
    institution = institution or default_institution(ctx.root)
    try:
        created = scaffold.new_candidate(ctx.root, name, role, institution, frameworks_, language, slug, email,
                                         mentions)
    except FileExistsError as error:
        fail_with([_exists(error)], ctx)
    except InputError as error:
        fail_with(error.problems, ctx)
    for path in created:
        click.echo(path)


def default_institution(root: Path) -> str:
    """The workspace's institution (portfolio-gen.yml), when --institution is not given."""
    from ..core.settings import load_settings
    try:
        return load_settings(root).institution.name
    except InputError:
        return ""  # the profile's own check then says what to give


@new.command("entry")
@click.argument("slug")
@click.argument("title")
@click.option("--claim", "claims", multiple=True, help="framework:code, e.g. c2i2e:B2.3 (repeatable).")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="When the activity took place (default: today); the entry's id starts with it.")
@click.option("--phase", default="",
              help="The phase the entry documents, where a claimed framework has phases (CRCNÉ: conception, "
                   "mise-en-oeuvre, retour-reflexif; a title is fine too).")
@click.option("--situation", type=click.Choice(SITUATIONS, case_sensitive=False),
              default="professionnelle", show_default=True,
              help="Where the activity took place: at work (professionnelle) or in training (formation).")
@pass_context
def new_entry(ctx: Context, slug: str, title: str, claims: tuple[str, ...], date, phase: str,
              situation: str) -> None:
    """Create a draft entry for candidate SLUG."""
    from ..core import scaffold  # here, not at start-up: every other command would pay for it
    workspace = workspace_or_exit(ctx, only=[slug])
    candidate = workspace.candidate(slug)
    problems = []
    for claim in claims:
        framework_id, _, code = claim.partition(":")
        framework = workspace.frameworks.get(framework_id)
        if framework is None or code not in framework.item_by_code:
            pool = [f"{f.id}:{i.code}" for f in workspace.frameworks.values() for i in f.items]
            problems.append(Problem("claim.unknown_item", None, None, {
                "code": code or claim, "framework": framework_id,
                "suggestions": ", ".join(nearest(claim, pool))}))
    if problems:
        fail_with(problems, ctx)
    try:
        path = scaffold.new_entry(ctx.root, slug, title, claims, candidate.language,
                                  date.date() if date else None,
                                  phase=scaffold.phase_code(workspace.frameworks, phase) if phase else "",
                                  situation=situation.lower())
    except FileExistsError as error:
        fail_with([_exists(error)], ctx)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


@new.command("self-assessment")
@click.argument("slug")
@click.option("--framework", "framework_id", required=True, help="Framework id, one the candidate pursues.")
@click.option("--level", "levels", multiple=True, required=True, metavar="CODE=LEVEL",
              help="The level reached on an item, competence or domain (repeatable): a level code or title, "
                   "whatever its case and accents (A1=acquis, I1=Confirmé).")
@click.option("--target", default="", help="The level aimed at (default: the lowest certifiable level, or 'acquis').")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="When the candidate assessed themselves (default: today).")
@pass_context
def new_self_assessment(ctx: Context, slug: str, framework_id: str, levels: tuple[str, ...], target: str,
                        date) -> None:
    """Write a self-assessment for candidate SLUG: the file the dashboard's level at entry
    and the diagnostic read."""
    from ..core import scaffold
    workspace = workspace_or_exit(ctx, only=[slug])
    candidate = workspace.candidate(slug)
    framework = workspace.frameworks.get(framework_id)
    if framework is None:
        fail_with([unknown_framework_problem(framework_id, workspace.frameworks, None, None)], ctx)
    problems = [] if any(p.framework == framework_id for p in candidate.frameworks) else \
        [Problem("self_assessment.not_pursued", candidate.folder / "candidate.yml", None, {"framework": framework_id})]
    given = {}
    for value in levels:
        code, equals, level = value.partition("=")
        if not equals or not code.strip() or not level.strip():
            problems.append(Problem("self_assessment.bad_level_option", None, None, {"value": value}))
        else:
            given[code.strip()] = level.strip()
    if problems:
        fail_with(problems, ctx)
    try:
        path = scaffold.new_self_assessment(ctx.root, slug, framework, given, date.date() if date else None,
                                            target=target)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(path)


def _exists(error: FileExistsError) -> Problem:
    """What scaffolding refused to overwrite, named (not errno 17, as it once said)."""
    path = error.filename or (error.args[0] if error.args and not isinstance(error.args[0], int) else None)
    return Problem("scaffold.exists", Path(path) if path else None)


@main.command("schemas")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"))
def export_schemas(directory: Path) -> None:
    """Write the JSON Schemas of candidate.yml, entries and frameworks (for editors)."""
    for path in schemas.export_schemas(directory):
        click.echo(path)


def rows_json(rows: list) -> str:
    """Rows as a JSON list, one row per line: readable, easy to grep, and written by the C
    encoder (indenting takes the pure-Python one, slow on a cohort's 100,000 rows)."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(f"  {json.dumps(row, ensure_ascii=False)}" for row in rows) + "\n]"


# --- status -----------------------------------------------------------------------------

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def status(ctx: Context, slugs: tuple[str, ...], as_json: bool) -> None:
    """Progress per framework: items claimed, whether the claims cover the rule, and, once the
    institution has signed its registry, the items validated by credentials that count."""
    workspace = workspace_or_exit(ctx, only=slugs or None, as_json=as_json)
    validated, awards = counted_validations_and_awards(ctx, workspace)
    rows = [{**progress,
             "validated": None if validated is None else len(decide(
                 workspace.frameworks[progress["framework"]], validated.get(candidate.slug, [])).validated),
             "refused": refusals_of(candidate, progress["framework"],
                                    None if validated is None else validated.get(candidate.slug, [])),
             "award": current_award_of(awards.get(candidate.slug, ()), progress["framework"])}
            for candidate in workspace.candidates.values()
            for progress in claim_progress(candidate, workspace.frameworks)]
    standings = level_standings(ctx, workspace, validated, awards)
    for row in rows:
        row.update(standings.get((row["candidate"], row["framework"]), {}))
    if as_json:
        click.echo(rows_json(rows))
        return
    if not rows:
        click.echo(i18n.text("status.no_candidate", ctx.language))
    lines = []  # echoed at once: one echo per line was a twentieth of status on a large cohort
    for row in rows:
        lines.append(status_sentence(row, ctx.language))
        if "levels" in row:
            lines.append("    " + levels_sentence(workspace.frameworks[row["framework"]], row, ctx.language))
        if row["award"] is not None:
            lines.append("    " + award_sentence(row["award"], ctx.language))
        lines += ["    " + i18n.text("status.refusal", ctx.language, **refusal) for refusal in row["refused"]]
    if lines:
        click.echo("\n".join(lines))


def status_sentence(row: dict, language: str) -> str:
    """One line per candidate and framework, in words: where the claims are, what is decided."""
    claims, decisions, rule = _status_phrases(
        language, row["claimed_public"], row["items"], row["claimed_private"], row["claimed_in_drafts"],
        row["validated"], len(row["refused"]), row["required"], row["claims_cover_rule"],
        tuple(row["mandatory_missing"]))
    return i18n.text("status.line", language, candidate=row["candidate"], framework=row["framework"],
                     claims=claims, decisions=decisions, rule=rule)


# Most rows of a cohort say the same things but for the candidate's name: their phrases
# are composed once (they were a twentieth of status on 25,000 candidates).
@functools.lru_cache(maxsize=4096)
def _status_phrases(language: str, public: int, items: int, private: int, drafts: int, validated: int | None,
                    refused: int, required: int | None, covered: bool | None,
                    missing: tuple[str, ...]) -> tuple[str, str, str]:
    say = lambda key, **params: i18n.text(key, language, **params)  # noqa: E731
    count = lambda key, number, **params: i18n.plural(key, language, number, **params)  # noqa: E731
    parts = [count("status.claimed", public, items=items)]
    if private:
        parts.append(count("status.private", private))
    parts.append(count("status.drafts", drafts))
    decided = [count("status.validated", validated) if validated is not None
               else say("status.unsigned_registry")]
    decided.append(count("status.refused", refused))
    rule = ""
    if required:
        rule = say("status.rule_met" if covered else "status.rule", required=required)
        if missing:
            rule += say("status.mandatory_missing", codes=", ".join(missing))
    return ", ".join(parts), ", ".join(decided), rule


def current_award_of(awards, framework_id: str) -> dict | None:
    """The candidate's current award of the framework (decisions/awards.py: a current,
    valid certificate is what `report`, `session new` and the dashboard count too)."""
    from ..decisions.awards import current_award
    award = current_award(awards, framework_id)
    return None if award is None else award_json(award)


def award_json(award, root: Path | None = None) -> dict:
    """An award as `status --json` gives it; its file relative to `root` when under it."""
    file = award.file
    if root is not None and file and Path(file).is_absolute():
        try:
            file = Path(file).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return {"kind": award.kind, "level": award.level, "date": award.issued.date().isoformat(), "file": file,
            "override": award.override, "session": award.session}


def award_sentence(award: dict, language: str) -> str:
    key = f"status.award.{award['kind']}" + ("_level" if award["level"] else "")
    said = i18n.text(key, language, date=award["date"], file=award["file"], level=award["level"])
    if award["override"]:
        said += " — " + i18n.text("award.override", language, session=award["session"] or "-",
                                  reason=award["override"])
    return said


def level_standings(ctx: Context, workspace, validated: dict | None, awards: Mapping | None = None) -> dict:
    """(slug, framework) -> each input's level, the certified level and the inputs missing,
    for the frameworks whose rule reads levels (CRCNÉ's jury and Pix+Édu, Pix+Édu's own
    result): only once the registry is signed, from the validations and the signed
    results that count (issue 29). For a framework certified outside the portfolio, the
    signed result that certifies is its `award` (decisions.awards.certification), as
    `report` and the dashboard count it."""
    levelled = {f.id for f in workspace.frameworks.values() if f.rule is not None and f.rule.inputs}
    wanted = [c for c in workspace.candidates.values() if any(p.framework in levelled for p in c.frameworks)]
    if validated is None or not wanted:
        return {}
    from ..decisions.awards import RESULT, certification
    from ..decisions.workflow import candidate_decision
    from ..institution.trust import with_counted_results, workspace_context
    standings = {}
    for candidate in with_counted_results(workspace_context(ctx.root, workspace), wanted):
        for pursuit in candidate.frameworks:
            if pursuit.framework in levelled:
                framework = workspace.frameworks[pursuit.framework]
                decision = candidate_decision(candidate, framework, validated.get(candidate.slug, []))
                standing = standings[candidate.slug, pursuit.framework] = {
                    "levels": dict(decision.input_levels or {}), "level": decision.level or None,
                    "missing_inputs": list(decision.missing_inputs)}
                found = certification((awards or {}).get(candidate.slug, ()), framework, decision, candidate.results)
                if found is not None and found.kind == RESULT:
                    standing["award"] = award_json(found, ctx.root)
    return standings


def levels_sentence(framework: Framework, standing: dict, language: str) -> str:
    """Each input's level, then the certified level or what it waits for, in words."""
    titles = {i.id: i.title for i in framework.rule.inputs}

    def level(code: str | None) -> str:
        if not code:
            return i18n.text("status.level_unknown", language)
        try:
            found = framework.level(code)
        except ValueError:
            return code
        return title_in(found, language)
    parts = [i18n.text("status.input_level", language, input=titles.get(i, i), level=level(code))
             for i, code in standing["levels"].items()] if len(titles) > 1 else []
    if standing["level"]:
        parts.append(i18n.text("status.certified_level", language, level=level(standing["level"])))
    else:
        parts.append(i18n.text("status.missing_inputs", language,
                               inputs=" ; ".join(titles.get(i, i) for i in standing["missing_inputs"])))
    return "; ".join(parts)


def refusals_of(candidate: Candidate, framework_id: str, counted=None) -> list[dict]:
    """The items refused to the candidate, with the evaluator's comment: what to work on.

    Not an item asked again since (the refusal answered an earlier request), nor one
    validated by a credential that counts (`counted`, when known): status would otherwise
    say « refusé » of an item it counts as validated (issue 31)."""
    from ..decisions.workflow import standing_refusals
    validated = {(v.framework, v.item) for v in counted or () if v.accepted}
    return [{"item": f"{r.framework}:{r.item}", "evaluator": r.evaluator, "date": r.date.isoformat(),
             "entry": r.entry, "comment": r.comment}
            for r in standing_refusals(candidate)
            if r.framework == framework_id and (r.framework, r.item) not in validated]


def counted_validations_and_awards(ctx: Context, workspace) -> tuple[dict | None, dict]:
    """Validations that count, per candidate (None before the institution signs its
    registry), and the awards each holds (judged, valid or not)."""
    from ..institution.registry_credential import REGISTRY_CREDENTIAL_FILE
    if not (ctx.root / REGISTRY_CREDENTIAL_FILE).exists():
        return None, {}
    from ..institution.awards import workspace_assessed  # loaded only when there is something to verify
    return workspace_assessed(ctx.root, workspace)


def claim_progress(candidate: Candidate, frameworks: Mapping[str, Framework]) -> list[dict]:
    """How far a candidate's claims go towards each rule they pursue, as if every claim
    were validated.

    One pass over the entries for all frameworks, and each rule applied to the items
    claimed outside drafts (`decide_items`: no rule reads a validation's level or date):
    `status` computes this for every candidate of a cohort."""
    pursued = [pursuit.framework for pursuit in candidate.frameworks]
    claimed = {f: {PUBLIC: set(), PRIVATE: set(), DRAFT: set()} for f in pursued}
    for entry in candidate.entries:
        where = entry.visibility if entry.visibility in (PUBLIC, DRAFT) else PRIVATE  # as is_public, is_draft
        for claim in entry.claims:
            sets = claimed.get(claim.framework)
            if sets is not None:
                sets[where].add(claim.item)
    return [_progress_row(candidate.slug, frameworks[framework_id], claimed[framework_id]) for framework_id in pursued]


def _progress_row(slug: str, framework: Framework, claimed: dict[str, set[str]]) -> dict:
    outside_drafts = claimed[PUBLIC] | claimed[PRIVATE]  # drafts claim nothing yet (Candidate.claims_for)
    decision = decide_items(framework, tuple(code for code in framework.item_by_code if code in outside_drafts))
    return {"candidate": slug, "framework": framework.id,
            "claimed": len(decision.validated), "items": len(framework.items),
            "claimed_public": len(claimed[PUBLIC]), "claimed_private": len(claimed[PRIVATE]),
            "claimed_in_drafts": len(claimed[DRAFT]),
            "required": decision.required or None,
            "claims_cover_rule": decision.met if decision.required else None,
            "mandatory_missing": list(decision.missing_mandatory)}


def institution_site_options(function):
    """`--institution-site` and `--allow-network`, for the commands that sign."""
    function = click.option("--allow-network", is_flag=True,
                            help="With an https --institution-site (or lock source): read it over the network.")(function)
    return click.option("--institution-site", default=None, metavar="SITE",
                        help="The institution's published site (a folder, or its https URL): its did.json is "
                             "what the files here are checked against. Default: in a candidate repository, "
                             "the site it was made from; in the institution's workspace, its own files.")(function)


def signed_institution_or_exit(ctx: Context, *, signer=None, site: str | None = None, allow_network: bool = False,
                               settings_required: bool = True):
    """The command's institution context, or exit 2 naming every file that differs from
    what the institution signed (institution/context.py): nothing is signed then.
    `settings_required=False`: None in a workspace without settings (a did:key signer's
    results need no institution of their own)."""
    from ..core.pinning import LOCK_FILE
    from ..core.settings import SETTINGS_FILE
    from ..institution.context import signing_institution
    if not settings_required and not (ctx.root / SETTINGS_FILE).exists() and not (ctx.root / LOCK_FILE).exists():
        return None
    try:
        return signing_institution(ctx.root, signer=signer, site=site, allow_network=allow_network)
    except InputError as error:
        fail_with(error.problems, ctx)
