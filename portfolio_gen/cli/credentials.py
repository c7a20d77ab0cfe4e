"""Credential commands: keys and DIDs, sign, verify (files, sites, URLs), present, revoke."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..core import i18n
from .core import (EXIT_FAILED, Context, fail_with, institution_site_options, main, pass_context,
                   signed_institution_or_exit, workspace_or_exit)
from ..core.problems import Problem
from ..core.workspace import load_workspace

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
    if not sys.stdin.isatty():
        # click would read an empty stdin and end with a bare "Aborted!".
        fail_with([Problem("credential.passphrase_no_terminal", None, None, {"env": PASSPHRASE_ENV})], ctx)
    first = click.prompt(i18n.text("credentials.passphrase.prompt", ctx.language), hide_input=True,
                         err=True)
    if confirm and click.prompt(i18n.text("credentials.passphrase.confirm", ctx.language),
                                hide_input=True, err=True) != first:
        fail_with([Problem("credential.passphrase_mismatch")], ctx)
    return first.encode("utf-8")


def load_key_or_exit(ctx: Context, path: Path, passphrase_file: Path | None):
    from ..credentials import keys as credential_keys

    try:
        try:
            return credential_keys.load_private_key(path, None)
        except credential_keys.KeyFileError as error:
            # Only an encrypted key is worth asking a passphrase for.
            if error.key != credential_keys.PASSPHRASE_NEEDED:
                raise
        return credential_keys.load_private_key(path, read_passphrase(ctx, passphrase_file))
    except credential_keys.KeyFileError as error:
        # Said in the user's language when the error names its case (issue 30), else as raised.
        reason = i18n.text(error.key, ctx.language, **error.params) if i18n.known(error.key) else str(error)
        fail_with([Problem("credential.key_file", None, None, {"reason": reason})], ctx)


@main.group()
def keys() -> None:
    """Ed25519 signing keys and the did.json that publishes them."""


@keys.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-passphrase", is_flag=True, help="Leave the key file unencrypted (not advised).")
@click.option("--generate-passphrase", is_flag=True,
              help="Make a strong passphrase (from the OS's random source) and show it once, on stderr.")
@passphrase_option
@pass_context
def keys_new(ctx: Context, path: Path, no_passphrase: bool, generate_passphrase: bool,
             passphrase_file: Path | None) -> None:
    """Write a new private key to PATH (PKCS#8 PEM, mode 0600) and print its public identifiers.

    The passphrase must have at least 12 characters, for every key: the command cannot
    know what a key will sign (a file name or a flag is no promise, and the same file is
    later given to `certify --key`), and every key it makes signs something the
    institution counts: its certificates and registry, an evaluator's validations, the
    results a staff member enters. --generate-passphrase makes one instead.
    """
    from ..credentials import dids as credential_dids, keys as credential_keys

    if generate_passphrase and (no_passphrase or passphrase_file is not None):
        raise click.UsageError(i18n.text("credentials.keys.generate_alone", ctx.language))
    if no_passphrase:
        passphrase = None
    elif generate_passphrase:
        passphrase = credential_keys.generate_passphrase().encode("utf-8")
    else:
        passphrase = read_passphrase(ctx, passphrase_file, confirm=True)
        length = len(passphrase.decode("utf-8", errors="replace"))
        if length < credential_keys.MIN_PASSPHRASE_LENGTH:
            fail_with([Problem("credential.passphrase_short", None, None,
                               {"length": length, "minimum": credential_keys.MIN_PASSPHRASE_LENGTH})], ctx)
    key = credential_keys.generate_key()
    try:
        credential_keys.write_private_key(path, key, passphrase)
    except credential_keys.KeyFileError as error:
        # Said in the user's language when the error names its case (issue 30), else as raised.
        reason = i18n.text(error.key, ctx.language, **error.params) if i18n.known(error.key) else str(error)
        fail_with([Problem("credential.key_file", None, None, {"reason": reason})], ctx)
    public = key.public_key()
    click.echo(i18n.text("credentials.keys.written", ctx.language, path=path), err=True)
    if generate_passphrase:
        # Once, on stderr: never in the key file, a log of stdout, or anywhere else.
        click.echo(i18n.text("credentials.keys.generated", ctx.language, path=path,
                             passphrase=passphrase.decode("utf-8")), err=True)
    click.echo(i18n.text("credentials.keys.did", ctx.language, did=credential_dids.did_key(public)))
    click.echo(i18n.text("credentials.keys.method", ctx.language,
                         method=credential_dids.did_key_verification_method_id(public)))
    click.echo(i18n.text("credentials.keys.multikey", ctx.language,
                         multikey=credential_keys.public_key_multibase(public)))


@keys.command("did-key")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@passphrase_option
@pass_context
def keys_did_key(ctx: Context, path: Path, passphrase_file: Path | None) -> None:
    """Print the did:key of the key in PATH, alone (for evaluators.yml or a script)."""
    from ..credentials import dids as credential_dids

    click.echo(credential_dids.did_key(load_key_or_exit(ctx, path, passphrase_file).public_key()))


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
    from ..credentials import dids as credential_dids
    from ..core.files import write_atomic

    host, *path = domain.strip("/").split("/")
    did = credential_dids.did_web(host, path)
    document = credential_dids.did_web_document(
        did, [public_key_or_exit(ctx, value, passphrase_file) for value in public_keys])
    write_atomic(output, json.dumps(document, indent=2) + "\n")
    click.echo(i18n.text("credentials.did_web.written", ctx.language, path=output, did=did,
                         count=len(document["verificationMethod"]),
                         url=credential_dids.did_web_url(did)))


def public_key_or_exit(ctx: Context, value: str, passphrase_file: Path | None):
    from ..credentials import keys as credential_keys

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
@click.option("--criterion", "criteria", multiple=True, metavar="CODE=LEVEL",
              help="Mark a criterion (I1.2=confirme), where the framework assesses items per criterion: "
                   "mark each one, and the item's level follows from the marks. Repeatable.")
@click.option("--comment", default="", help="The evaluator's comment on the entry.")
@click.option("--valid-until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Expiry (UTC); a date alone means the end of that day.")
@click.option("--issuer", default=None, help="Sign as this did:web instead of the key's did:key.")
@click.option("--cryptosuite", type=click.Choice(["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
              default="eddsa-rdfc-2022", show_default=True)
@click.option("--reconsider", is_flag=True,
              help="Validate an item you refused in this entry; the credential says the decision changed.")
@institution_site_options
@passphrase_option
@pass_context
def sign(ctx: Context, slug: str, entry: str, items: tuple[str, ...], key_file: Path,
         evaluator_name: str, level: str, criteria: tuple[str, ...], comment: str, valid_until, issuer: str | None,
         cryptosuite: str, reconsider: bool, institution_site: str | None, allow_network: bool,
         passphrase_file: Path | None) -> None:
    """Sign one Open Badge per ITEM (framework:code) validated in ENTRY of candidate SLUG."""
    from ..institution.issuing import SigningRequest, issue_item_validations
    from ..core.problems import InputError

    # Your grant is checked against the registry the institution signed, nothing else.
    settings = signed_institution_or_exit(ctx, site=institution_site, allow_network=allow_network).settings
    workspace = workspace_or_exit(ctx, only=[slug])
    private_key = load_key_or_exit(ctx, key_file, passphrase_file)
    marks = []
    for criterion in criteria:
        code, equals, mark = criterion.partition("=")
        if not (equals and code.strip() and mark.strip()):
            fail_with([Problem("credential.criterion_syntax", None, None, {"given": criterion})], ctx)
        marks.append((code.strip(), mark.strip()))
    request = SigningRequest(slug, entry, items, evaluator_name, level, comment,
                             end_of_day_utc(valid_until), issuer, cryptosuite, reconsider, tuple(marks))
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
@click.argument("targets", metavar="FILE|SITE_DIR|URL...", nargs=-1)
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
@click.option("--institution", "institutions", multiple=True,
              help="An institution you trust (its DID, repeatable); with --did-document files, those DIDs "
                   "too. Default: this workspace's institution. A site naming another one is untrusted.")
@click.option("--forget-registry", "forget", multiple=True, metavar="DID",
              help="First forget the registry versions this verifier remembers of the institution DID "
                   "(repeatable): after it really went back to an older registry. Alone, only forgets.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable verdicts.")
@pass_context
def verify(ctx: Context, targets: tuple[str, ...], did_documents: tuple[Path, ...],
           allow_network: bool, status_list_files: tuple[Path, ...], status_issuer: str | None,
           email: str | None, institutions: tuple[str, ...], forget: tuple[str, ...], as_json: bool) -> None:
    """Verify credential files, or every credential a published site holds (a built site
    folder, a candidate's site folder, or an https URL with --allow-network): proof,
    issuer/key binding, evaluator registry, dates, revocation, evidence; exit 1 on any failure."""
    if forget:
        forget_registries(ctx, forget)
        if not targets:
            return
    if not targets:
        raise click.UsageError(i18n.text("site.check.no_target", ctx.language))
    files = [Path(t) for t in targets if not _is_site_target(t)]
    refuse_unreadable_badges(ctx, files, as_json)
    documents = read_did_documents(ctx, did_documents)
    trusted = trusted_institutions(ctx, institutions, documents)
    if len(files) < len(targets):
        verify_sites(ctx, [t for t in targets if _is_site_target(t)], files, documents, trusted, allow_network,
                     email, as_json)
        return
    verify_files(ctx, tuple(files), documents, trusted, allow_network, status_list_files,
                 status_issuer or (trusted[0] if trusted else None), as_json)


def refuse_unreadable_badges(ctx: Context, files: list[Path], as_json: bool) -> None:
    """A baked badge (PNG or SVG) is verified as the credential it carries; one that
    carries none, or cannot be read safely, is refused before anything is verified (exit 2)."""
    from ..credentials import baking

    problems = []
    for path in files:
        try:
            with path.open("rb") as handle:
                if baking.image_format(handle.read(4096), path.name) is None:
                    continue
            baking.unbake_file(path)
        except OSError:
            continue  # said by the verdict, as for a JSON file
        except baking.BakingError as error:
            problems.append(Problem(error.key, path, None, error.params))
    if problems:
        fail_with(problems, ctx, as_json)


def trusted_institutions(ctx: Context, named: tuple[str, ...], documents: dict[str, dict]) -> list[str]:
    """The verifier's trust root: the institutions named, the DIDs of the did.json files
    given, else the institution of the workspace the command runs in. Never the site's."""
    from ..core.problems import InputError
    from ..core.settings import load_settings
    from ..credentials.dids import DidResolutionError, parse_did_web

    trusted = list(dict.fromkeys([*named, *(did for did in documents if did.startswith("did:web:"))]))
    if not trusted:
        try:
            trusted = [load_settings(ctx.root).institution.id]
        except InputError:
            return []
    for did in trusted:
        try:
            parse_did_web(did)
        except DidResolutionError as error:
            fail_with([Problem("credential.institution", None, None, {"did": did, "reason": str(error)})], ctx)
    return trusted


def verify_files(ctx: Context, files: tuple[Path, ...], did_documents: dict[str, dict], trusted: list[str],
                 allow_network: bool, status_list_files: tuple[Path, ...], status_issuer: str | None,
                 as_json: bool) -> None:
    from ..credentials.dids import DidResolver
    from ..credentials.loader import DocumentLoader, fetch_json
    from ..credentials.openbadges import jury_override
    from ..institution.trust import read_and_verify_trusting

    resolver = DidResolver(did_documents, fetch=fetch_json if allow_network else None)
    options = {"resolver": resolver, "loader": DocumentLoader(), "evidence_files": local_evidence(ctx)}
    options.update(status_options(ctx, status_list_files, status_issuer, resolver, allow_network))
    verdicts, overrides = [], []
    for path in files:
        credential, verdict = read_and_verify_trusting(path, trusted, **options)
        verdicts.append((path, verdict))
        # What a jury decided against the rule, read from the document judged, once it passed.
        overrides.append(jury_override(credential) if verdict.ok else None)
    if as_json:
        click.echo(json.dumps([verdict_json(path, verdict, override)
                               for (path, verdict), override in zip(verdicts, overrides)], indent=2))
    else:
        for (path, verdict), override in zip(verdicts, overrides):
            echo_verdict(ctx, path, verdict, override)
    failed = sum(1 for _, verdict in verdicts if not verdict.ok)
    if not as_json:
        click.echo(i18n.text("credentials.verify.summary", ctx.language,
                             ok=i18n.plural("credentials.verify.count.ok", ctx.language, len(verdicts) - failed),
                             failed=i18n.plural("credentials.verify.count.failed", ctx.language, failed)))
    if failed:
        sys.exit(EXIT_FAILED)


def _is_site_target(target: str) -> bool:
    return target.startswith(("https://", "http://")) or Path(target).is_dir()


def verify_sites(ctx: Context, targets: list[str], files: list[Path], documents: dict[str, dict],
                 trusted: list[str], allow_network: bool, email: str | None, as_json: bool) -> None:
    """verify on published sites: one report per candidate site found."""
    from ..credentials.loader import fetch_json
    from ..institution.registry_memory import remember_registries
    from ..institution.verify_site import HttpSource, flag_replayed_registries, site_sources, verify_site

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
    reports = [verify_site(source, trusted=trusted, did_documents=documents,
                           fetch=fetch_json if allow_network else None, email=email) for source in sources]
    flag_replayed_registries(reports)
    memory = _registry_memory(ctx)
    for report, replay in remember_registries(reports, memory):
        report.problems.append(i18n.text(
            "site.check.registry_replayed", ctx.language, version=replay.version, newest=replay.newest.version,
            seen=replay.newest.firstSeen, method=replay.newest.verificationMethod or replay.newest.key,
            institution=replay.newest.institution, file=memory.path))
    memory.save()
    if as_json:
        click.echo(json.dumps({"ok": all(r.ok for r in reports), "sites": [r.as_json() for r in reports]},
                              indent=2, ensure_ascii=False))
    else:
        for report in reports:
            echo_site_report(ctx, report)
    if not all(report.ok for report in reports):
        sys.exit(EXIT_FAILED)


def registries_seen_file() -> Path:
    """The verifier's memory of the newest registry version of each institution and key:
    in the user's cache ($XDG_CACHE_HOME), never in a workspace or a site."""
    import os

    from ..institution.registry_memory import FILE_NAME

    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "portfolio-gen" / FILE_NAME


def _registry_memory(ctx: Context):
    """The memory, saying once on stderr when an older or newer file is not used."""
    from ..institution.registry_memory import RegistryMemory

    memory = RegistryMemory.load(registries_seen_file())
    if memory.old_entries:
        click.echo(i18n.text("site.check.registries_old_format", ctx.language, file=memory.path,
                             count=memory.old_entries), err=True)
    if not memory.writable:
        click.echo(i18n.text("site.check.registries_newer_format", ctx.language, file=memory.path), err=True)
    return memory


def forget_registries(ctx: Context, institutions: tuple[str, ...]) -> None:
    """`verify --forget-registry DID`: what this verifier remembers of those institutions' registries."""
    memory = _registry_memory(ctx)
    for institution in institutions:
        click.echo(i18n.text("site.check.registries_forgotten", ctx.language, institution=institution,
                             count=memory.forget(institution), file=memory.path), err=True)
    memory.save()


def _kind_word(kind: str, language: str) -> str:
    """« certificat », not "certificate", in a French line (kinds the catalogue knows)."""
    key = f"verify.kind.{kind}"
    return i18n.text(key, language) if i18n.known(key) else kind


def echo_site_report(ctx: Context, report) -> None:
    from ..core.verdicts import INVALID, VALID, say_reason, say_verdict
    from ..credentials.openbadges import JuryOverride

    def say(key: str, **params) -> str:
        return i18n.text(key, ctx.language, **params)

    click.echo(say("site.check.site", location=report.location, url=report.site_url or "?"))
    click.echo(say("site.check.institution", institution=report.institution or "?",
                   source=i18n.say(report.key_source, ctx.language) or "-"))
    click.echo(say("site.check.trusted", trusted=", ".join(report.trusted) or "-"))
    if report.registry:
        click.echo(say("site.check.registry", **{**report.registry,
                                                 "source": i18n.say(report.registry["source"], ctx.language)}))
    for line in report.status_lists:
        click.echo(say("site.check.status_list", line=i18n.say(line, ctx.language)))
    for note in report.notes:
        click.echo(say("site.check.note", note=i18n.say(note, ctx.language)))
    for problem in report.problems:
        click.echo(say("site.check.problem", problem=i18n.say(problem, ctx.language)))
    for award in report.certified:
        # An attestation of items acquired is not a certification: never print it as one.
        label = "site.check.certified" if award.kind == "certificate" else "site.check.attested"
        click.echo(say(label, kind=_kind_word(award.kind, ctx.language), what=award.what, level=award.level or "-",
                       issuer=award.issuer or award.issuer_id, date=award.issued[:10]))
    for row in report.credentials:
        reason = say_reason(row.code, row.params, ctx.language) if row.code else row.reason
        click.echo(say("site.check.row", status=say_verdict(row.status, ctx.language).upper(),
                       kind=_kind_word(row.kind, ctx.language),
                       what=row.what or row.name,
                       level=row.level or "-", issuer=row.issuer or row.issuer_id, date=row.issued[:10],
                       file=row.file))
        if reason:
            click.echo(say("site.check.reason", reason=reason))
        if row.override:
            echo_override(ctx, JuryOverride(**row.override))
    if report.presentation is not None:
        p = report.presentation
        click.echo(say("site.check.presentation", status=say_verdict(VALID if p.ok else INVALID, ctx.language).upper(),
                       holder=p.holder,
                       count=p.credentials, reason=p.reason))
    language = ctx.language
    click.echo(say("verify.summary", valid=i18n.plural("verify.count.valid", language,
                                                       len(report.credentials) - len(report.failed)),
                   failed=i18n.plural("verify.count.failed", language, len(report.failed)),
                   verdict=say("site.check.ok" if report.ok else "site.check.failed")))


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
    from ..credentials.presentation import PresentationError, sign_presentation
    from ..institution.trust import assess_candidate, workspace_context
    from ..core.files import write_atomic
    from ..core.problems import InputError

    workspace = workspace_or_exit(ctx, only=[slug])
    if slug not in workspace.candidates:
        from ..core.portfolios import candidate_folders
        from ..core.workspace import CANDIDATES_DIR

        known = sorted(folder.name for folder in candidate_folders(ctx.root / CANDIDATES_DIR))
        fail_with([Problem("candidate.unknown", None, None, {"slug": slug, "known": ", ".join(known) or "—"})], ctx)
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
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as error:
            fail_with([Problem("credential.did_document", None, None,
                               {"path": path, "reason": repr(error)})], ctx)
    return documents


def local_evidence(ctx: Context):
    """Evidence URL -> file in this workspace, when verifying from inside one."""
    from ..credentials.openbadges import evidence_files
    from ..core.problems import InputError
    from ..core.settings import load_settings

    try:
        settings = load_settings(ctx.root)
    except InputError:
        return None
    return evidence_files(settings, load_workspace(ctx.root).candidates).get


def verdict_json(path: Path, verdict, override=None) -> dict:
    """One file's verdict for `verify --json`: `ok` and `reason` (English) as before, and the
    verdict, reason code and parameters the browser verifier gives too; `override`: the
    jury's decision against the rule a valid award carries (session, rule, reason), or null."""
    return {"file": str(path), "ok": verdict.ok, "verdict": verdict.verdict, "code": verdict.code,
            "params": verdict.params, "reason": verdict.reason, "checks": list(verdict.checks),
            "id": verdict.credential_id, "issuer": verdict.issuer,
            "unchecked_evidence": list(verdict.unchecked_evidence),
            "modified_entries": list(verdict.modified_entries),
            "override": override.as_json() if override else None}


def echo_override(ctx: Context, override) -> None:
    """An award given by a jury against the rule, said on the line under its verdict."""
    click.echo(i18n.text("award.verify.override", ctx.language, session=override.session,
                         rule=" / ".join(line for line in override.rule.splitlines() if line.strip()),
                         reason=override.reason))


def echo_verdict(ctx: Context, path: Path, verdict, override=None) -> None:
    from ..core.verdicts import say_checks, say_reason, say_verdict

    if not verdict.ok:
        click.echo(i18n.text("credentials.verify.failed", ctx.language, file=path,
                             verdict=say_verdict(verdict.verdict, ctx.language).upper(),
                             reason=say_reason(verdict.code, verdict.params, ctx.language) or verdict.reason))
        return
    click.echo(i18n.text("credentials.verify.ok", ctx.language, file=path, id=verdict.credential_id,
                         issuer=verdict.issuer, checks=say_checks(verdict.checks, ctx.language)))
    if override is not None:
        echo_override(ctx, override)
    if verdict.unchecked_evidence:
        click.echo(i18n.text("credentials.verify.unchecked", ctx.language,
                             urls=", ".join(verdict.unchecked_evidence)))
    if verdict.modified_entries:
        click.echo("        " + i18n.text("credentials.verify.modified", ctx.language,
                                          urls=", ".join(verdict.modified_entries)))


# --- revocation (issue 5): revoke, status-list publish, verify --status-list -------------

def settings_or_exit(ctx: Context):
    from ..core.problems import InputError
    from ..core.settings import load_settings

    try:
        return load_settings(ctx.root)
    except InputError as error:
        fail_with(error.problems, ctx)


institution_key_option = click.option(
    "--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="The institution's private key (listed in its did.json).")


@main.command()
@click.argument("credential_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reason", required=True, help="Why it is revoked (kept in status/revocations.tsv).")
@institution_key_option
@institution_site_options
@passphrase_option
@pass_context
def revoke(ctx: Context, credential_file: Path, reason: str, key_file: Path, institution_site: str | None,
           allow_network: bool, passphrase_file: Path | None) -> None:
    """Revoke a credential: set its bit in the status list and re-sign the list."""
    from ..institution import revocation
    from ..credentials.status import StatusListError
    from ..credentials.verify import read_credential
    from ..core.problems import InputError

    key = load_key_or_exit(ctx, key_file, passphrase_file)
    settings = signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network).settings
    credential = read_credential(credential_file)
    try:
        if isinstance(credential, str):
            raise StatusListError(credential)
        path = revocation.revoke(ctx.root, settings, credential, reason, key)
    except StatusListError as error:
        fail_with([Problem("credential.revoke", credential_file, None, {"reason": str(error)})], ctx)
    except InputError as error:
        fail_with(error.problems, ctx)
    click.echo(i18n.text("credentials.revoke.done", ctx.language, id=credential.get("id"), path=path))


@main.group("status-list")
def status_list_group() -> None:
    """The institution's signed revocation list (status/revocation-list.json)."""


def valid_days_option(default: int, what: str):
    return click.option("--valid-days", type=click.IntRange(1, 366), default=default, show_default=True,
                        help=f"How many days verifiers believe the signed {what}; re-sign before then.")


@status_list_group.command("publish")
@institution_key_option
@valid_days_option(30, "list")
@institution_site_options
@passphrase_option
@pass_context
def status_list_publish(ctx: Context, key_file: Path, valid_days: int, institution_site: str | None, allow_network: bool,
                       passphrase_file: Path | None) -> None:
    """Sign the list from status/revocations.tsv (empty the first time) for the site to publish."""
    _sign_status_list(ctx, False, key_file, valid_days, passphrase_file, institution_site, allow_network)


@status_list_group.command("refresh")
@institution_key_option
@valid_days_option(30, "list")
@institution_site_options
@passphrase_option
@pass_context
def status_list_refresh(ctx: Context, key_file: Path, valid_days: int, institution_site: str | None, allow_network: bool,
                       passphrase_file: Path | None) -> None:
    """For a daily cron job: re-sign the list if it lapses within a third of its validity
    or misses a recorded revocation; otherwise leave it as it is."""
    _sign_status_list(ctx, True, key_file, valid_days, passphrase_file, institution_site, allow_network)


def _sign_status_list(ctx: Context, only_if_due: bool, key_file: Path, valid_days: int,
                      passphrase_file: Path | None, institution_site: str | None, allow_network: bool) -> None:
    """status-list publish, or refresh (`only_if_due`), which leaves a fresh list alone."""
    import datetime as dt

    from ..institution import revocation
    from ..core.problems import InputError

    key = load_key_or_exit(ctx, key_file, passphrase_file)
    settings = signed_institution_or_exit(ctx, signer=key, site=institution_site, allow_network=allow_network).settings
    try:
        sign = revocation.refresh_status_list if only_if_due else revocation.publish_status_list
        path = sign(ctx.root, settings, key, validity=dt.timedelta(days=valid_days))
    except InputError as error:
        fail_with(error.problems, ctx)
    if path is None:
        click.echo(i18n.text("credentials.status_list.fresh", ctx.language, path=ctx.root / revocation.LIST_FILE))
    else:
        click.echo(i18n.text("credentials.status_list.published", ctx.language, path=path,
                             url=revocation.status_list_url(settings)))


def status_options(ctx: Context, paths: tuple[Path, ...], issuer: str | None, resolver,
                   allow_network: bool) -> dict:
    """verify's status options: none without --status-list (status left unchecked), else
    the lists given, each first verified as signed by the institution, and with
    --allow-network the lists not given, fetched from their URL and verified alike."""
    import functools

    from ..credentials.status import StatusListError
    from ..credentials.verify import verified_status_list

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
    from ..credentials.loader import fetch_json
    from ..credentials.status import StatusListError
    from ..credentials.verify import verified_status_list

    def fetch(url: str) -> dict:
        from ..credentials.dids import under_did_web_domain

        if not under_did_web_domain(url, issuer):
            raise StatusListError(f"{url} is not on the domain of {issuer}")
        try:
            document = fetch_json(url)
        except Exception as error:  # noqa: BLE001
            # Whatever the transport raised, the list is unavailable: say why.
            raise StatusListError(f"could not fetch it: {error}") from None
        return verified_status_list(document, resolver, issuer)

    return fetch


def workspace_institution(ctx: Context) -> str:
    from ..core.problems import InputError
    from ..core.settings import load_settings

    try:
        return load_settings(ctx.root).institution.id
    except InputError:
        fail_with([Problem("credential.status_issuer")], ctx)
