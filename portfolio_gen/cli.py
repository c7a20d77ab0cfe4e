"""The `portfolio-gen` command line: parses arguments, calls the library, prints.

Exit codes: 0 success, 1 a verification or rule failed, 2 bad input (with every
problem listed, located and explained).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, NoReturn

import click

from . import __version__, i18n, scaffold, schemas
from .model import (LANGUAGES, ROLES, Candidate, Framework, JointLevelRule, MinItemsRule,
                    Validation)
from .portfolios import unknown_framework_problem
from .problems import Problem, nearest
from .rules import decide
from .workspace import load_workspace

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2


class Context:
    def __init__(self, root: Path, language: str):
        self.root = root
        self.language = language


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portfolio-gen")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Workspace folder (holds referentiels/ and candidates/).")
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None,
              help="Language of messages (default: from the locale).")
@click.pass_context
def main(ctx: click.Context, root: Path, lang: str | None) -> None:
    """Digital-competence portfolios: check, build sites, sign and verify credentials."""
    ctx.obj = Context(root, i18n.user_language(lang))


# --- problems ---------------------------------------------------------------------------

def render_problems(problems: Iterable[Problem], ctx: Context, as_json: bool) -> None:
    problems = list(problems)
    if as_json:
        click.echo(json.dumps([problem_json(p, ctx) for p in problems], ensure_ascii=False, indent=2))
        return
    labels = {"error": {"fr": "erreur", "en": "error"}, "warning": {"fr": "avertissement", "en": "warning"}}
    hint_label = "conseil" if ctx.language == "fr" else "hint"
    for problem in problems:
        message, hint = i18n.explain(problem, ctx.language)
        location = problem.location(ctx.root)
        prefix = f"{location}: " if location else ""
        click.echo(f"{prefix}{labels[problem.severity][ctx.language]}: {message}", err=True)
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


# --- check ------------------------------------------------------------------------------

@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_context
def check(ctx: Context, as_json: bool) -> None:
    """Validate every framework and candidate; report all problems at once."""
    workspace = load_workspace(ctx.root)
    errors = workspace.errors
    if as_json:
        click.echo(json.dumps({
            "ok": not errors, "frameworks": sorted(workspace.frameworks),
            "candidates": sorted(workspace.candidates),
            "problems": [problem_json(p, ctx) for p in workspace.problems]}, ensure_ascii=False, indent=2))
    else:
        render_problems(workspace.problems, ctx, False)
        entries = sum(len(c.entries) for c in workspace.candidates.values())
        summary = (f"{len(workspace.frameworks)} référentiels, {len(workspace.candidates)} candidats, "
                   f"{entries} entrées : {len(errors)} erreur(s)") if ctx.language == "fr" else \
                  (f"{len(workspace.frameworks)} frameworks, {len(workspace.candidates)} candidates, "
                   f"{entries} entries: {len(errors)} error(s)")
        click.echo(summary)
    if errors:
        sys.exit(EXIT_BAD_INPUT)


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
    for row in rows:
        click.echo(f"{row['id']:<18} {row['items']:>3} items  {row['rule'] or '-':<12} {row['title']}")


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
        summary["items"] = [{"code": i.code, "title": i.title, "domain": i.domain, "competence": i.competence,
                             "phase": i.phase, "mandatory": i.mandatory, "criteria": list(i.criteria)}
                            for i in framework.items]
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"{framework.title} ({framework.id}, {framework.version})")
    click.echo(f"  {framework.source.title} {framework.source.reference}".rstrip())
    for domain in framework.domains:
        click.echo(f"{domain.code}  {domain.title}")
        for item in domain.items:
            if item.code == domain.code:
                continue
            mark = " *" if item.mandatory else ""
            click.echo(f"  {item.code:<8} {item.title}{mark}")
    if framework.levels:
        click.echo("levels: " + " < ".join(lv.title for lv in framework.levels))


RULE_KINDS = {MinItemsRule: "min_items", JointLevelRule: "joint_level"}


def framework_summary(framework: Framework) -> dict:
    rule = framework.rule
    return {"id": framework.id, "title": framework.title, "version": framework.version,
            "items": len(framework.items), "mandatory": len(framework.mandatory_codes),
            "levels": [lv.code for lv in framework.levels],
            "rule": RULE_KINDS[type(rule)] if rule else None}


# --- scaffolding ------------------------------------------------------------------------

@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def init(ctx: Context, directory: Path) -> None:
    """Create a new workspace in DIRECTORY with one example candidate."""
    try:
        created = scaffold.init_workspace(directory, ctx.language)
    except FileExistsError:
        raise click.UsageError(f"{directory} exists and is not empty: choose a new folder") from None
    for path in created:
        click.echo(path)


@main.group()
def new() -> None:
    """Scaffold a candidate or an entry."""


@new.command("candidate")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="enseignant", show_default=True)
@click.option("--institution", default="", help="School, INSPÉ, rectorat...")
@click.option("--framework", "frameworks_", multiple=True, required=True, help="Framework id (repeatable).")
@click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.option("--slug", default=None, help="Folder name (default: from NAME).")
@click.option("--email", default="", help="Private contact e-mail (never published).")
@pass_context
def new_candidate(ctx: Context, name: str, role: str, institution: str, frameworks_: tuple[str, ...],
                  language: str, slug: str | None, email: str) -> None:
    """Create candidates/<slug>/ with a profile and a first draft entry."""
    workspace = workspace_or_exit(ctx, only=[])
    unknown = [f for f in frameworks_ if f not in workspace.frameworks]
    if unknown:
        fail_with([unknown_framework_problem(f, workspace.frameworks, None, None) for f in unknown], ctx)
    try:
        created = scaffold.new_candidate(ctx.root, name, role, institution, frameworks_, language, slug, email)
    except FileExistsError as error:
        raise click.UsageError(f"{error.args[0]} already exists") from None
    for path in created:
        click.echo(path)


@new.command("entry")
@click.argument("slug")
@click.argument("title")
@click.option("--claim", "claims", multiple=True, help="framework:code, e.g. c2i2e:B2.3 (repeatable).")
@pass_context
def new_entry(ctx: Context, slug: str, title: str, claims: tuple[str, ...]) -> None:
    """Create a draft entry for candidate SLUG."""
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
        path = scaffold.new_entry(ctx.root, slug, title, claims, candidate.language)
    except FileExistsError as error:
        raise click.UsageError(f"{error.args[0]} already exists") from None
    click.echo(path)


@main.command("schemas")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"))
def export_schemas(directory: Path) -> None:
    """Write the JSON Schemas of candidate.yml, entries and frameworks (for editors)."""
    for path in schemas.export_schemas(directory):
        click.echo(path)


# --- status -----------------------------------------------------------------------------

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def status(ctx: Context, slugs: tuple[str, ...], as_json: bool) -> None:
    """Progress of candidates per framework: items claimed, and whether the claims cover the rule."""
    workspace = workspace_or_exit(ctx, only=slugs or None, as_json=as_json)
    rows = [claim_progress(candidate, workspace.frameworks[pursuit.framework])
            for candidate in workspace.candidates.values() for pursuit in candidate.frameworks]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        rule = ""
        if row["required"]:
            covered = "yes" if row["claims_cover_rule"] else "no"
            missing = f", mandatory not claimed: {', '.join(row['mandatory_missing'])}" if row["mandatory_missing"] else ""
            rule = f"  rule {row['required']}: covered {covered}{missing}"
        click.echo(f"{row['candidate']:<22} {row['framework']:<18} claimed {row['claimed']:>2}/{row['items']}{rule}")


def claim_progress(candidate: Candidate, framework: Framework) -> dict:
    """How far a candidate's claims go towards the rule, as if every claim were validated."""
    hypothetical = [Validation(framework.id, claim.item, "", entry.date, level=claim.level)
                    for entry, claim in candidate.claims_for(framework.id)]
    decision = decide(framework, hypothetical)
    return {"candidate": candidate.slug, "framework": framework.id,
            "claimed": len(decision.validated), "items": len(framework.items),
            "required": decision.required or None,
            "claims_cover_rule": decision.met if decision.required else None,
            "mandatory_missing": list(decision.missing_mandatory)}


# --- sites (issue 3): build and preview candidates' static sites ------------------------

@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Sites built in parallel (default: one per core).")
@click.option("--force", is_flag=True, help="Rebuild candidates whose inputs did not change.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder receiving one site per candidate (default: <root>/site).")
@pass_context
def build(ctx: Context, slugs: tuple[str, ...], jobs: int | None, force: bool, output: Path | None) -> None:
    """Build each candidate's static site (all by default) under OUTPUT/<slug>/."""
    import time

    from .site.builder import BUILT, FAILED, SKIPPED, build_cohort, plan_cohort

    output = output or ctx.root / "site"
    started = time.perf_counter()
    plan = plan_cohort(ctx.root, slugs or None)
    with click.progressbar(length=len(plan.slugs) + len(plan.unknown), file=sys.stderr,
                           hidden=not sys.stderr.isatty(),
                           label=i18n.text("site.build.progress", ctx.language)) as bar:
        results = build_cohort(ctx.root, slugs or None, output, jobs=jobs, force=force,
                               on_result=lambda result: bar.update(1))
    failed = [r for r in results if r.status == FAILED]
    render_problems([p for r in failed for p in build_problems(r)], ctx, False)
    counts = {status: sum(1 for r in results if r.status == status) for status in (BUILT, SKIPPED, FAILED)}
    click.echo(i18n.text("site.build.summary", ctx.language, built=counts[BUILT], skipped=counts[SKIPPED],
                         failed=counts[FAILED], seconds=time.perf_counter() - started, output=output))
    if failed:
        sys.exit(EXIT_BAD_INPUT)


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

    from .site.builder import serve_candidate

    workspace = workspace_or_exit(ctx, only=[slug])
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve_candidate(ctx.root, workspace.candidate(slug), dev_addr)



# --- credentials (issue 4): keys, sign, verify ------------------------------------------

PASSPHRASE_ENV = "PORTFOLIO_GEN_PASSPHRASE"


def passphrase_option(function):
    return click.option(
        "--passphrase-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help=f"File holding the key's passphrase (else ${PASSPHRASE_ENV}, else a prompt).")(function)


def read_passphrase(ctx: Context, passphrase_file: Path | None, confirm: bool = False) -> bytes:
    """From a file, the environment, or a hidden prompt: never from the command line,
    where it would land in shell history and process listings."""
    import os

    if passphrase_file is not None:
        return passphrase_file.read_bytes().rstrip(b"\r\n")
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV].encode("utf-8")
    first = click.prompt(i18n.text("credentials.passphrase.prompt", ctx.language), hide_input=True,
                         err=True)
    if confirm and click.prompt(i18n.text("credentials.passphrase.confirm", ctx.language),
                                hide_input=True, err=True) != first:
        fail_with([Problem("credential.passphrase_mismatch")], ctx)
    return first.encode("utf-8")


def load_key_or_exit(ctx: Context, path: Path, passphrase_file: Path | None):
    from .credentials import keys as credential_keys

    try:
        try:
            return credential_keys.load_private_key(path, None)
        except credential_keys.KeyFileError as error:
            # Only an encrypted key is worth asking a passphrase for.
            if "passphrase is needed" not in str(error):
                raise
        return credential_keys.load_private_key(path, read_passphrase(ctx, passphrase_file))
    except credential_keys.KeyFileError as error:
        fail_with([Problem("credential.key_file", None, None, {"reason": str(error)})], ctx)


@main.group()
def keys() -> None:
    """Ed25519 signing keys and the did.json that publishes them."""


@keys.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-passphrase", is_flag=True, help="Leave the key file unencrypted (not advised).")
@passphrase_option
@pass_context
def keys_new(ctx: Context, path: Path, no_passphrase: bool, passphrase_file: Path | None) -> None:
    """Write a new private key to PATH (PKCS#8 PEM, mode 0600) and print its public identifiers."""
    from .credentials import dids as credential_dids, keys as credential_keys

    passphrase = None if no_passphrase else read_passphrase(ctx, passphrase_file, confirm=True)
    key = credential_keys.generate_key()
    try:
        credential_keys.write_private_key(path, key, passphrase)
    except credential_keys.KeyFileError as error:
        fail_with([Problem("credential.key_file", None, None, {"reason": str(error)})], ctx)
    public = key.public_key()
    click.echo(i18n.text("credentials.keys.written", ctx.language, path=path), err=True)
    click.echo(i18n.text("credentials.keys.did", ctx.language, did=credential_dids.did_key(public)))
    click.echo(i18n.text("credentials.keys.method", ctx.language,
                         method=credential_dids.did_key_verification_method_id(public)))
    click.echo(i18n.text("credentials.keys.multikey", ctx.language,
                         multikey=credential_keys.public_key_multibase(public)))


@keys.command("did-web")
@click.argument("domain")
@click.argument("public_keys", metavar="KEY...", nargs=-1, required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("did.json"),
              show_default=True, help="Where to write the DID document.")
@passphrase_option
@pass_context
def keys_did_web(ctx: Context, domain: str, public_keys: tuple[str, ...], output: Path,
                 passphrase_file: Path | None) -> None:
    """Write the did.json of did:web:DOMAIN listing every KEY (key files, public Multikeys or
    did:keys). List old keys too: credentials they signed stay verifiable."""
    from .credentials import dids as credential_dids
    from .files import write_atomic

    host, *path = domain.strip("/").split("/")
    did = credential_dids.did_web(host, path)
    document = credential_dids.did_web_document(
        did, [public_key_or_exit(ctx, value, passphrase_file) for value in public_keys])
    write_atomic(output, json.dumps(document, indent=2) + "\n")
    click.echo(i18n.text("credentials.did_web.written", ctx.language, path=output, did=did,
                         count=len(document["verificationMethod"]),
                         url=credential_dids.did_web_url(did)))


def public_key_or_exit(ctx: Context, value: str, passphrase_file: Path | None):
    from .credentials import keys as credential_keys

    multikey = value.removeprefix("did:key:")
    if multikey.startswith("z6Mk"):
        try:
            return credential_keys.public_key_from_multibase(multikey)
        except credential_keys.KeyEncodingError:
            pass
    elif Path(value).is_file():
        return load_key_or_exit(ctx, Path(value), passphrase_file).public_key()
    fail_with([Problem("credential.public_key", None, None, {"value": value})], ctx)


@main.command()
@click.argument("slug")
@click.argument("entry")
@click.argument("items", nargs=-1, required=True)
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The evaluator's private key file (portfolio-gen keys new).")
@click.option("--evaluator-name", required=True, help="Name shown as the issuer of the credential.")
@click.option("--level", default="", help="Level reached, for frameworks with a level scale.")
@click.option("--comment", default="", help="The evaluator's comment on the entry.")
@click.option("--valid-until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Expiry (UTC); a date alone means the end of that day.")
@click.option("--issuer", default=None, help="Sign as this did:web instead of the key's did:key.")
@click.option("--cryptosuite", type=click.Choice(["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
              default="eddsa-rdfc-2022", show_default=True)
@passphrase_option
@pass_context
def sign(ctx: Context, slug: str, entry: str, items: tuple[str, ...], key_file: Path,
         evaluator_name: str, level: str, comment: str, valid_until, issuer: str | None,
         cryptosuite: str, passphrase_file: Path | None) -> None:
    """Sign one Open Badge per ITEM (framework:code) validated in ENTRY of candidate SLUG."""
    from .credentials.issuing import SigningRequest, issue_item_validations
    from .problems import InputError
    from .settings import load_settings

    try:
        settings = load_settings(ctx.root)
    except InputError as error:
        fail_with(error.problems, ctx)
    workspace = workspace_or_exit(ctx, only=[slug])
    private_key = load_key_or_exit(ctx, key_file, passphrase_file)
    request = SigningRequest(slug, entry, items, evaluator_name, level, comment,
                             end_of_day_utc(valid_until), issuer, cryptosuite)
    try:
        written = issue_item_validations(workspace, settings, request, private_key)
    except InputError as error:
        fail_with(error.problems, ctx)
    except FileExistsError as error:
        fail_with([Problem("credential.exists", None, None, {"path": error.filename})], ctx)
    for item, path in zip(items, written):
        click.echo(i18n.text("credentials.sign.written", ctx.language, ref=item, path=path))


def end_of_day_utc(moment):
    import datetime as dt

    if moment is None:
        return None
    if moment.time() == dt.time(0, 0):
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment.replace(tzinfo=dt.UTC)


@main.command()
@click.argument("targets", metavar="FILE|SITE_DIR|URL...", nargs=-1, required=True)
@click.option("--did-document", "did_documents", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A did.json for did:web issuers (repeatable); did:key needs none.")
@click.option("--allow-network", is_flag=True,
              help="Fetch the did.json of other did:web issuers, and status lists not given.")
@click.option("--status-list", "status_list_files", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A signed revocation list (repeatable): revoked credentials then fail.")
@click.option("--status-issuer", default=None,
              help="Who must have signed the status lists (default: this workspace's institution).")
@click.option("--email", default=None,
              help="With a site: the candidate's e-mail, checked against the credentials' hashed subject.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable verdicts.")
@pass_context
def verify(ctx: Context, targets: tuple[str, ...], did_documents: tuple[Path, ...],
           allow_network: bool, status_list_files: tuple[Path, ...], status_issuer: str | None,
           email: str | None, as_json: bool) -> None:
    """Verify credential files, or every credential a published site holds (a built site
    folder, a candidate's site folder, or an https URL with --allow-network): proof,
    issuer/key binding, evaluator registry, dates, revocation, evidence; exit 1 on any failure."""
    files = [Path(t) for t in targets if not _is_site_target(t)]
    if len(files) < len(targets):
        verify_sites(ctx, [t for t in targets if _is_site_target(t)], files, did_documents, allow_network,
                     email, as_json)
        return
    verify_files(ctx, tuple(files), did_documents, allow_network, status_list_files, status_issuer, as_json)


def verify_files(ctx: Context, files: tuple[Path, ...], did_documents: tuple[Path, ...],
                 allow_network: bool, status_list_files: tuple[Path, ...], status_issuer: str | None,
                 as_json: bool) -> None:
    from .credentials.dids import DidResolver
    from .credentials.loader import DocumentLoader, fetch_json
    from .credentials.verify import verify_file

    resolver = DidResolver(read_did_documents(ctx, did_documents),
                           fetch=fetch_json if allow_network else None)
    options = {"resolver": resolver, "loader": DocumentLoader(), "evidence_files": local_evidence(ctx)}
    options.update(status_options(ctx, status_list_files, status_issuer, resolver, allow_network))
    verdicts = [(path, verify_file(path, **options)) for path in files]
    if as_json:
        click.echo(json.dumps([verdict_json(path, verdict) for path, verdict in verdicts], indent=2))
    else:
        for path, verdict in verdicts:
            echo_verdict(ctx, path, verdict)
    failed = sum(1 for _, verdict in verdicts if not verdict.ok)
    if not as_json:
        click.echo(i18n.text("credentials.verify.summary", ctx.language,
                             ok=len(verdicts) - failed, failed=failed))
    if failed:
        sys.exit(EXIT_FAILED)


def _is_site_target(target: str) -> bool:
    return target.startswith(("https://", "http://")) or Path(target).is_dir()


def verify_sites(ctx: Context, targets: list[str], files: list[Path], did_documents: tuple[Path, ...],
                 allow_network: bool, email: str | None, as_json: bool) -> None:
    """verify on published sites: one report per candidate site found."""
    from .credentials.loader import fetch_json
    from .credentials.verify_site import HttpSource, site_sources, verify_site

    if files:
        raise click.UsageError(i18n.text("site.check.mixed", ctx.language))
    sources = []
    for target in targets:
        if Path(target).is_dir():
            found = site_sources(Path(target))
            if not found:
                raise click.BadParameter(i18n.text("site.check.no_site", ctx.language, target=target))
            sources += found
        elif not allow_network or not target.startswith("https://"):
            raise click.BadParameter(i18n.text("site.check.network", ctx.language, target=target))
        else:
            sources.append(HttpSource(target))
    documents = read_did_documents(ctx, did_documents)
    reports = [verify_site(source, did_documents=documents, fetch=fetch_json if allow_network else None,
                           email=email) for source in sources]
    if as_json:
        click.echo(json.dumps({"ok": all(r.ok for r in reports), "sites": [r.as_json() for r in reports]},
                              indent=2, ensure_ascii=False))
    else:
        for report in reports:
            echo_site_report(ctx, report)
    if not all(report.ok for report in reports):
        sys.exit(EXIT_FAILED)


def echo_site_report(ctx: Context, report) -> None:
    def say(key: str, **params) -> str:
        return i18n.text(key, ctx.language, **params)

    click.echo(say("site.check.site", location=report.location, url=report.site_url or "?"))
    click.echo(say("site.check.institution", institution=report.institution or "?", source=report.key_source or "-"))
    for problem in report.problems:
        click.echo(say("site.check.problem", problem=problem))
    for award in report.certified:
        click.echo(say("site.check.certified", kind=award.kind, what=award.what, level=award.level or "-",
                       issuer=award.issuer or award.issuer_id, date=award.issued[:10]))
    for row in report.credentials:
        reason = say(row.reason) if row.reason.startswith("trust.") else row.reason
        click.echo(say("site.check.row", status=row.status.upper(), kind=row.kind, what=row.what or row.name,
                       level=row.level or "-", issuer=row.issuer or row.issuer_id, date=row.issued[:10],
                       file=row.file))
        if reason:
            click.echo(say("site.check.reason", reason=reason))
    if report.presentation is not None:
        p = report.presentation
        click.echo(say("site.check.presentation", status="VALID" if p.ok else "INVALID", holder=p.holder,
                       count=p.credentials, reason=p.reason))
    click.echo(say("site.check.summary", ok=len(report.credentials) - len(report.failed),
                   failed=len(report.failed), verdict=say("site.check.ok" if report.ok else "site.check.failed")))


@main.command()
@click.argument("slug")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The candidate's own private key (portfolio-gen keys new): the holder's did:key.")
@click.option("--challenge", default="", help="A verifier's challenge to sign (proves the key is held now).")
@click.option("--domain", default="", help="The verifier's domain the presentation is meant for.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default: candidates/SLUG/presentation.json, published by build).")
@passphrase_option
@pass_context
def present(ctx: Context, slug: str, key_file: Path, challenge: str, domain: str, output: Path | None,
            passphrase_file: Path | None) -> None:
    """Sign a Verifiable Presentation of SLUG's credentials that count, with the candidate's key."""
    from .credentials.presentation import PresentationError, sign_presentation
    from .credentials.trust import assess_candidate, workspace_context
    from .files import write_atomic
    from .problems import InputError

    workspace = workspace_or_exit(ctx, only=[slug])
    if slug not in workspace.candidates:
        fail_with([Problem("candidate.unknown", None, None, {"slug": slug, "known": ""})], ctx)
    try:
        context = workspace_context(ctx.root, workspace)
    except InputError as error:
        fail_with(error.problems, ctx)
    candidate = workspace.candidates[slug]
    counted = [a.credential for a in assess_candidate(candidate, context) if a.counts]
    private_key = load_key_or_exit(ctx, key_file, passphrase_file)
    try:
        presentation = sign_presentation(counted, private_key, challenge=challenge, domain=domain)
    except PresentationError as error:
        raise click.ClickException(str(error)) from None
    target = output or candidate.folder / "presentation.json"
    write_atomic(target, json.dumps(presentation, ensure_ascii=False, indent=2) + "\n")
    click.echo(i18n.text("site.present.written", ctx.language, path=target, count=len(counted),
                         holder=presentation["holder"]))


def read_did_documents(ctx: Context, paths: tuple[Path, ...]) -> dict[str, dict]:
    documents = {}
    for path in paths:
        try:
            document = json.loads(path.read_text("utf-8"))
            documents[document["id"]] = document
        except (OSError, ValueError, KeyError, TypeError) as error:
            fail_with([Problem("credential.did_document", None, None,
                               {"path": path, "reason": repr(error)})], ctx)
    return documents


def local_evidence(ctx: Context):
    """Evidence URL -> file in this workspace, when verifying from inside one."""
    from .credentials.openbadges import evidence_files
    from .problems import InputError
    from .settings import load_settings

    try:
        settings = load_settings(ctx.root)
    except InputError:
        return None
    return evidence_files(settings, load_workspace(ctx.root).candidates).get


def verdict_json(path: Path, verdict) -> dict:
    return {"file": str(path), "ok": verdict.ok, "reason": verdict.reason, "checks": list(verdict.checks),
            "id": verdict.credential_id, "issuer": verdict.issuer,
            "unchecked_evidence": list(verdict.unchecked_evidence)}


def echo_verdict(ctx: Context, path: Path, verdict) -> None:
    if not verdict.ok:
        click.echo(i18n.text("credentials.verify.failed", ctx.language, file=path, reason=verdict.reason))
        return
    click.echo(i18n.text("credentials.verify.ok", ctx.language, file=path, id=verdict.credential_id,
                         issuer=verdict.issuer, checks=", ".join(verdict.checks)))
    if verdict.unchecked_evidence:
        click.echo(i18n.text("credentials.verify.unchecked", ctx.language,
                             urls=", ".join(verdict.unchecked_evidence)))


# --- revocation (issue 5): revoke, status-list publish, verify --status-list -------------

def settings_or_exit(ctx: Context):
    from .problems import InputError
    from .settings import load_settings

    try:
        return load_settings(ctx.root)
    except InputError as error:
        fail_with(error.problems, ctx)


@main.command()
@click.argument("credential_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reason", required=True, help="Why it is revoked (kept in status/revocations.tsv).")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The institution's private key (listed in its did.json).")
@passphrase_option
@pass_context
def revoke(ctx: Context, credential_file: Path, reason: str, key_file: Path,
           passphrase_file: Path | None) -> None:
    """Revoke a credential: set its bit in the status list and re-sign the list."""
    from .credentials import revocation
    from .credentials.status import StatusListError
    from .credentials.verify import read_credential
    from .problems import InputError

    settings = settings_or_exit(ctx)
    credential = read_credential(credential_file)
    try:
        if isinstance(credential, str):
            raise StatusListError(credential)
        path = revocation.revoke(ctx.root, settings, credential, reason,
                                 load_key_or_exit(ctx, key_file, passphrase_file))
    except StatusListError as error:
        fail_with([Problem("credential.revoke", credential_file, None, {"reason": str(error)})], ctx)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(i18n.text("credentials.revoke.done", ctx.language, id=credential.get("id"), path=path))


@main.group("status-list")
def status_list_group() -> None:
    """The institution's signed revocation list (status/revocation-list.json)."""


@status_list_group.command("publish")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The institution's private key (listed in its did.json).")
@passphrase_option
@pass_context
def status_list_publish(ctx: Context, key_file: Path, passphrase_file: Path | None) -> None:
    """Sign the list from status/revocations.tsv (empty the first time) for the site to publish."""
    from .credentials import revocation
    from .problems import InputError

    settings = settings_or_exit(ctx)
    try:
        path = revocation.publish_status_list(ctx.root, settings,
                                              load_key_or_exit(ctx, key_file, passphrase_file))
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(i18n.text("credentials.status_list.published", ctx.language, path=path,
                         url=revocation.status_list_url(settings)))


def status_options(ctx: Context, paths: tuple[Path, ...], issuer: str | None, resolver,
                   allow_network: bool) -> dict:
    """verify's status options: none without --status-list (status left unchecked), else
    the lists given, each first verified as signed by the institution, and with
    --allow-network the lists not given, fetched from their URL and verified alike."""
    import functools

    from .credentials.status import StatusListError
    from .credentials.verify import verified_status_list

    if not paths:
        return {}
    issuer = issuer or workspace_institution(ctx)
    lists = {}
    for path in paths:
        try:
            document = verified_status_list(path, resolver, issuer)
        except StatusListError as error:
            fail_with([Problem("credential.status_list", None, None,
                               {"path": path, "reason": str(error)})], ctx)
        lists[document["id"]] = document
    # Cached: every credential of a batch names the same list.
    fetch = functools.cache(fetched_status_list(resolver, issuer)) if allow_network else None
    return {"status_list": lambda url: lists.get(url) or (fetch(url) if fetch else None)}


def fetched_status_list(resolver, issuer: str):
    from .credentials.loader import fetch_json
    from .credentials.status import StatusListError
    from .credentials.verify import verified_status_list

    def fetch(url: str) -> dict:
        try:
            document = fetch_json(url)
        except Exception as error:  # noqa: BLE001
            # Whatever the transport raised, the list is unavailable: say why.
            raise StatusListError(f"could not fetch it: {error}") from None
        return verified_status_list(document, resolver, issuer)

    return fetch


def workspace_institution(ctx: Context) -> str:
    from .problems import InputError
    from .settings import load_settings

    try:
        return load_settings(ctx.root).institution.id
    except InputError:
        fail_with([Problem("credential.status_issuer")], ctx)
