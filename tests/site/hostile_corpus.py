"""The hostile corpus (tests/hostile/fixtures.yml) made into sites, in a copy of the built demo.

Each fixture is a short list of steps: `issue` a credential to its site's subject (from a
demo credential: new id, the subject of the site), `sign` it with one of the demo's real
keys (or a stranger's, a removed evaluator's, a lookalike did:web's), and, before or after
signing, the host's changes (`hide` a signed statement, `set`, `drop`, `corrupt-proof`...).
Each step is implemented once, here, in STEPS; tests/hostile/README.md says how to add one.

The workspace is prepared once for the attacks that need the institution's history: one
status bit revoked (its list as signed before is kept, to replay), and an evaluator added
then removed from the registry (the registry that still listed them is kept, to replay).
The institution's published files (site/registry.json, site/status/) are then the
workspace's current ones, which every fixture site copies unless its entry says otherwise.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from portfolio_gen.core.registry import load_registry
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import dids, keys, openbadges, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.institution import revocation
from portfolio_gen.institution.registry_credential import sign_registry

FIXTURES = Path(__file__).resolve().parents[1] / "hostile" / "fixtures.yml"
VERIFIERS = ("cli", "audit", "institution-page", "candidate-page")
VERDICTS = ("valid", "invalid", "revoked", "expired", "untrusted", "unknown-status")
BASE = "https://portfolios.example.org/"
INSTITUTION = "did:web:portfolios.example.org"
SOURCE = "camille-martin"  # the demo portfolio fixtures are issued from: eddsa-rdfc-2022, marie-dupont
SITE_PREFIX = "hostile-"
VC = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
LOOKALIKE = "did:web:portfolios.exarnple.org"  # "rn" for "m"
SUITES = {"rdfc": "eddsa-rdfc-2022", "jcs": "eddsa-jcs-2022"}
LOADER = DocumentLoader()


# --- the corpus as data ------------------------------------------------------------------

@dataclass(frozen=True)
class Fixture:
    name: str
    site: str
    steps: tuple
    verdict: str
    code: str | None
    disagree: dict[str, str]
    about: str = ""

    @property
    def file(self) -> str:
        """Where its site publishes it, relative to the site."""
        return f"credentials/{self.name}.json"


def load_fixtures(path: Path = FIXTURES) -> tuple[dict[str, dict], list[Fixture]]:
    """The sites and fixtures the corpus file describes, checked: a typo fails here."""
    data = yaml.safe_load(path.read_text("utf-8"))
    sites = data["sites"]
    fixtures = []
    for entry in data["fixtures"]:
        unknown = set(entry) - {"name", "about", "site", "steps", "expect", "disagree"}
        assert not unknown, f"{entry.get('name')}: unknown keys {unknown}"
        expect = entry["expect"]
        fixture = Fixture(entry["name"], entry.get("site", "credentials"), tuple(entry["steps"]), expect["verdict"],
                          expect.get("code"), dict(entry.get("disagree") or {}), entry.get("about", ""))
        assert fixture.site in sites, f"{fixture.name}: no site {fixture.site}"
        assert fixture.verdict in VERDICTS, f"{fixture.name}: {fixture.verdict} is not a verdict"
        assert (fixture.code is None) == (fixture.verdict == "valid"), f"{fixture.name}: a failure needs a code"
        assert set(fixture.disagree) <= set(VERIFIERS), f"{fixture.name}: {set(fixture.disagree)}"
        for step in fixture.steps:
            assert _step_name(step) in STEPS, f"{fixture.name}: no step {_step_name(step)}"
        fixtures.append(fixture)
    names = [f.name for f in fixtures]
    assert len(names) == len(set(names)), "fixture names must be unique"
    return sites, fixtures


# --- the workspace's history: what the replays replay ------------------------------------

@dataclass
class Workspace:
    """A copy of the built demo, prepared for the corpus."""

    root: Path
    signers: dict[str, tuple[object, str, str]]  # name -> (private key, issuer id, verification method)
    lists: dict[str, str]  # marie, jean, shared -> status list URL
    revoked_index: str
    free_index: str
    old_list: Path  # marie's list before the revocation
    old_registry: Path  # the registry that still listed the removed evaluator
    originals: dict[str, dict]  # validation (pinned evidence), certificate -> a demo credential
    fixtures: dict[str, dict] = field(default_factory=dict)  # name -> the published credential

    @property
    def site(self) -> Path:
        return self.root / "site"


def _evaluator(root: Path, name: str) -> tuple[object, str, str]:
    key = keys.load_private_key(root / "keys" / f"{name}.key.pem", None)
    return key, dids.did_key(key.public_key()), dids.did_key_verification_method_id(key.public_key())


def _stranger() -> tuple[object, str, str]:
    key = keys.generate_key()
    return key, dids.did_key(key.public_key()), dids.did_key_verification_method_id(key.public_key())


def _read(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def _write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")


def prepare(built_demo: Path, root: Path) -> Workspace:
    """Copy the demo to `root`, revoke one bit and replace one evaluator, keeping both
    histories; the institution's published files are then the workspace's."""
    shutil.copytree(built_demo, root, symlinks=True, ignore=_unused_sites(built_demo))
    settings = load_settings(root)
    institution_key = keys.load_private_key(root / "keys" / "institution.key.pem", None)
    published = {p.name: _read(p) for p in sorted((root / "site" / SOURCE / "credentials").glob("*.json"))}
    validations = [c for c in published.values() if c["credentialSubject"]["achievement"]["achievementType"] ==
                   "Competency" and any("digestMultibase" in e and e.get("genre") != "Entry source"
                                        for e in c.get("evidence", []))]
    certificate = next(c for c in published.values()
                       if c["credentialSubject"]["achievement"]["achievementType"] == "Certificate")
    marie, jean = _evaluator(root, "marie-dupont"), _evaluator(root, "jean-leroy")
    list_of = lambda signer: f"{BASE}status/lists/{signer[1].removeprefix('did:key:')}.json"
    revoked, kept = validations[0], validations[1]
    assert revoked["credentialStatus"]["statusListCredential"] == list_of(marie)
    old_list = root / "replay" / "status-list-before-revocation.json"
    _write(old_list, _read(root / "status" / "lists" / Path(list_of(marie)).name))
    revocation.revoke(root, settings, revoked, "hostile corpus", institution_key)
    removed = keys.generate_key()
    old_registry = _replace_an_evaluator(root, settings, institution_key, removed)
    _publish_institution_files(root)
    return Workspace(
        root=root,
        signers={"marie": marie, "jean": jean, "stranger": _stranger(),
                 "removed": (removed, dids.did_key(removed.public_key()),
                             dids.did_key_verification_method_id(removed.public_key())),
                 "lookalike": (keys.generate_key(), LOOKALIKE, f"{LOOKALIKE}#key-1"),
                 "institution": (institution_key, INSTITUTION, f"{INSTITUTION}#key-1")},
        lists={"marie": list_of(marie), "jean": list_of(jean), "shared": f"{BASE}status/revocation-list.json"},
        revoked_index=revoked["credentialStatus"]["statusListIndex"],
        free_index=kept["credentialStatus"]["statusListIndex"],
        old_list=old_list, old_registry=old_registry,
        originals={"validation": kept, "certificate": certificate},
    )


def _unused_sites(built_demo: Path) -> Callable[[str, list[str]], set[str]]:
    """The built sites of the demo's candidates no fixture reads (about half the demo):
    every fixture site is made from SOURCE's, and `republished` names thomas-lefevre."""
    kept = {SOURCE, "thomas-lefevre"}
    unused = {p.name for p in (built_demo / "candidates").iterdir()} - kept
    site = (built_demo / "site").resolve()

    def ignore(directory: str, names: list[str]) -> set[str]:
        return unused & set(names) if Path(directory).resolve() == site else set()

    return ignore


def _replace_an_evaluator(root: Path, settings, institution_key, key) -> Path:
    """Sign a registry listing one more evaluator (`key`), keep it, then one without them."""
    evaluators = root / "evaluators.yml"
    current = evaluators.read_text("utf-8")
    frameworks = load_workspace(root, only=[]).frameworks
    evaluators.write_text(current + (
        "- id: ancien-evaluateur\n  name: Ancien Évaluateur\n  role: removed since\n"
        f"  keys:\n  - {dids.did_key(key.public_key())}\n"
        "  frameworks:\n  - id: c2i2e\n    from: '2025-09-01'\n"), "utf-8")
    sign_registry(root, settings, load_registry(root, frameworks), institution_key)
    old = root / "replay" / "registry-before-removal.json"
    _write(old, _read(root / "registry.json"))
    evaluators.write_text(current, "utf-8")
    sign_registry(root, settings, load_registry(root, frameworks), institution_key)
    assert _read(root / "registry.json")["credentialSubject"]["version"] > _read(old)["credentialSubject"]["version"]
    return old


def _publish_institution_files(root: Path) -> None:
    """The institution's site serves the workspace's registry and status lists."""
    shutil.copyfile(root / "registry.json", root / "site" / "registry.json")
    for relative, path in revocation.list_files(root).items():
        target = root / "site" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


# --- steps ----------------------------------------------------------------------------------

@dataclass
class Draft:
    """A fixture's credential while its steps run."""

    workspace: Workspace
    site_url: str
    subject: dict
    credential: dict = field(default_factory=dict)
    status: str = "own"


def _when(value: str | None, default: dt.datetime) -> str:
    """"now", "now+365d", "now-2d" or a literal date-time."""
    if value is None:
        moment = default
    elif str(value).startswith("now"):
        found = re.fullmatch(r"now(?:([+-]\d+)d)?", value)
        assert found, value
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=int(found.group(1) or 0))
    else:
        return str(value)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(draft: Draft, base: str = "validation", status: str = "own", expired: bool = False,
          validFrom: str | None = None) -> None:  # noqa: N803 - the credential's own field name
    """A demo credential issued anew to the site's subject: new id, dated now (or as said)."""
    original = draft.workspace.originals[base]
    credential = copy.deepcopy({k: v for k, v in original.items() if k != "proof"})
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential["credentialSubject"]["identifier"] = [copy.deepcopy(draft.subject)]
    now = dt.datetime.now(dt.UTC)
    credential["validFrom"] = _when(validFrom, now - dt.timedelta(days=2) if expired else now)
    if expired:
        credential["validUntil"] = _when("now-1d", now)
    evidence = []
    for item in credential.get("evidence", []):
        if base == "certificate" and "digestMultibase" in item:
            continue  # it pins the candidate's credential files, not published here
        item = dict(item, id=item["id"].replace(f"{BASE}{SOURCE}/", draft.site_url))
        evidence.append(item)
    credential["evidence"] = evidence
    draft.credential, draft.status = credential, status


def _status_entry(draft: Draft, signer: str) -> dict | None:
    workspace = draft.workspace
    entry = dict(draft.workspace.originals["validation"]["credentialStatus"])
    url, index = {
        "own": (workspace.lists.get(signer, workspace.lists["shared"]), workspace.free_index),
        "revoked": (workspace.lists["marie"], workspace.revoked_index),
        "shared": (workspace.lists["shared"], workspace.free_index),
        "missing": (f"{BASE}status/withdrawn-list.json", workspace.free_index),
        "outside": (workspace.lists["marie"], str(2 ** 24)),
        "other-signer": (workspace.lists["jean" if signer != "jean" else "marie"], workspace.free_index),
        "none": (None, None),
    }[draft.status]
    if url is None:
        return None
    entry.update(id=f"{url}#{index}", statusListCredential=url, statusListIndex=index)
    return entry


def sign(draft: Draft, by: str = "marie", suite: str = "rdfc", created: str | None = None,
         issuer: str | None = None) -> None:
    """Signed by `by` (its own status list, as issuing does), `created` now unless said."""
    key, did, method = draft.workspace.signers[by]
    credential = copy.deepcopy(draft.credential)
    credential["issuer"] = {**credential["issuer"], "id": draft.workspace.signers[issuer][1] if issuer else did}
    entry = _status_entry(draft, by)
    credential.pop("credentialStatus", None)
    if entry:
        credential["credentialStatus"] = entry
    stamp = _when(created, min(dt.datetime.now(dt.UTC), _parsed(credential["validFrom"])))
    draft.credential = proofs.sign(credential, key, method, suite=CRYPTOSUITES[SUITES[suite]], loader=LOADER,
                                   as_array=True, created=stamp)


def _parsed(value: str) -> dt.datetime:
    return openbadges.parse_datetime(value)


def hide(draft: Draft, field: str, how: str) -> None:
    """Move a signed statement where the checks do not read it: same RDF graph."""
    credential = draft.credential
    value = credential.pop(field)
    if field.startswith("valid"):  # a date term types its value; under its IRI it must say so
        typed = {"@value": value, "@type": XSD_DATETIME}
    else:
        typed = value
    if how == "full-iri":
        credential[VC + field] = typed
    elif how == "nest":
        credential["@nest"] = {field: value}
    elif how == "alias":
        term = {"@id": VC + field, "@type": XSD_DATETIME} if field.startswith("valid") else VC + field
        credential["@context"] = [*credential["@context"], {"hidden": term}]
        credential["hidden"] = value
    else:
        raise AssertionError(f"no rewrite {how}")


def _path(document: dict, dotted: str) -> tuple[dict, str]:
    *parents, last = dotted.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, last


def set_fields(draft: Draft, **values) -> None:
    for dotted, value in values.items():
        node, last = _path(draft.credential, dotted)
        node[last] = value


def drop(draft: Draft, dotted: str) -> None:
    node, last = _path(draft.credential, dotted)
    node.pop(last)


def corrupt_proof(draft: Draft) -> None:
    proof = draft.credential["proof"][0]
    proof["proofValue"] = proof["proofValue"][:-4] + ("1111" if not proof["proofValue"].endswith("1111") else "2222")


def duplicate_proof(draft: Draft) -> None:
    draft.credential["proof"].append(copy.deepcopy(draft.credential["proof"][0]))


def second_proof(draft: Draft) -> None:
    """A proof set: the credential also signed by a stranger (VCDM 2.0 allows sets; we do not)."""
    key, _, method = draft.workspace.signers["stranger"]
    unsigned = {k: v for k, v in draft.credential.items() if k != "proof"}
    other = proofs.sign(unsigned, key, method, suite=CRYPTOSUITES[SUITES["rdfc"]], loader=LOADER, as_array=True)
    draft.credential["proof"].append(other["proof"][0])


def foreign(draft: Draft) -> None:
    """OB 3.0 fields portfolio-gen never writes, all allowed by the specification."""
    credential = draft.credential
    credential["description"] = "Issued by another OB 3.0 platform."
    credential["awardedDate"] = credential["validFrom"]
    credential["issuer"]["url"] = "https://issuer.example.org/"
    achievement = credential["credentialSubject"]["achievement"]
    achievement["tag"] = ["numérique", "éducation"]
    achievement["creator"] = {"id": "https://issuer.example.org/", "type": ["Profile"], "name": "Another platform"}


def copy_of(draft: Draft, fixture: str) -> None:
    """Another fixture's published credential, byte for byte (its site must come first)."""
    draft.credential = copy.deepcopy(draft.workspace.fixtures[fixture])


STEPS: dict[str, Callable] = {
    "issue": issue, "sign": sign, "hide": hide, "set": set_fields, "drop": drop,
    "corrupt-proof": corrupt_proof, "duplicate-proof": duplicate_proof,
    "second-proof": second_proof, "foreign": foreign, "copy": copy_of,
}


def _step_name(step) -> str:
    return step if isinstance(step, str) else next(iter(step))


def _run(step, draft: Draft) -> None:
    if isinstance(step, str):
        STEPS[step](draft)
        return
    (name, arguments), = step.items()
    if isinstance(arguments, dict):
        STEPS[name](draft, **arguments)
    else:
        STEPS[name](draft, arguments)


# --- sites ----------------------------------------------------------------------------------

def site_name(site: str) -> str:
    """The folder and slug of a fixture site."""
    return SITE_PREFIX + site


def build_corpus(built_demo: Path, root: Path, path: Path = FIXTURES) -> tuple[Workspace, list[Fixture]]:
    """Every fixture published on its site under `root`/site/hostile-<site>/; seconds."""
    workspace = prepare(built_demo, root)
    sites, fixtures = load_fixtures(path)
    for site, options in sites.items():  # in the file's order: a copied fixture's site comes first
        _build_site(workspace, site, options or {}, [f for f in fixtures if f.site == site])
    return workspace, fixtures


def _build_site(workspace: Workspace, site: str, options: dict, fixtures: list[Fixture]) -> None:
    folder = workspace.site / site_name(site)
    source = workspace.site / SOURCE
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("credentials", "presentation.json"))
    site_url = f"{BASE}{site_name(site)}/"
    # One salted identity per candidate, its salt derived from the slug the site claims
    # (openbadges.subject_salt): what binds a site to its subject.
    salt = openbadges.subject_salt(INSTITUTION, site_name(site))
    subject = {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress", "salt": salt,
               "identityHash": openbadges.identity_hash(f"{site_name(site)}@hostile.example.org", salt)}
    for fixture in fixtures:
        draft = Draft(workspace, site_url, subject)
        for step in fixture.steps:
            _run(step, draft)
        workspace.fixtures[fixture.name] = draft.credential
        _write(folder / fixture.file, draft.credential)
    # The institution's files as it publishes them now, or as the entry says the host replays them.
    shutil.copyfile(workspace.site / "registry.json", folder / "registry.json")
    for relative, path in revocation.list_files(workspace.root).items():
        shutil.copyfile(path, folder / relative)
    if options.get("registry") == "before-removal":
        shutil.copyfile(workspace.old_registry, folder / "registry.json")
    if options.get("status_lists") == "before-revocation":
        shutil.copyfile(workspace.old_list, folder / "status" / "lists" / Path(workspace.lists["marie"]).name)
    if options.get("replace_evidence"):  # every file a credential of the site pins by digest
        for fixture in fixtures:
            for evidence in workspace.fixtures[fixture.name].get("evidence", []):
                if "digestMultibase" in evidence and evidence.get("genre") != "Entry source":
                    relative = evidence["id"].removeprefix(site_url)
                    (folder / relative).write_text("Une autre fiche, déposée par l'hôte.\n", "utf-8")
    manifest = _read(source / "verification.json")
    if site == "republished":  # the victim's site address stays: its evidence is found under it
        manifest["site"] = f"{BASE}{site_name('victim')}/"
    else:
        manifest["site"] = site_url
    manifest["credentials"] = [f.file for f in fixtures]
    manifest["presentation"] = None
    manifest["statusLists"] = {_read(p)["id"]: p.relative_to(folder).as_posix()
                               for p in sorted((folder / "status").rglob("*.json"))}
    card = manifest["candidate"]
    card["slug"] = options.get("claims", site_name(site))
    card["name"] = card["slug"].replace("-", " ").title()
    _write(folder / "verification.json", manifest)
    _verify_page(folder, fixtures)


_ROWS = re.compile(r"(<tbody>)(.*?)(</tbody>)", re.S)
_ROW = re.compile(r'<tr data-credential="([^"]+)">.*?</tr>', re.S)


def _verify_page(folder: Path, fixtures: list[Fixture]) -> None:
    """The site's own verification page, listing this site's credentials: its rows are
    the built page's first row, once per credential."""
    page = folder / "verify" / "index.html"
    html = page.read_text("utf-8")
    table = _ROWS.search(html)
    assert table and _ROW.search(table.group(2)), "the built verification page changed: no credential rows"
    template = _ROW.search(table.group(2))
    uuid_ = template.group(1)
    rows = "".join(template.group(0).replace(uuid_, fixture.name) for fixture in fixtures)
    page.write_text(html[:table.start(2)] + rows + html[table.end(2):], "utf-8")
