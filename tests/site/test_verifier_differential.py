"""The same verdicts from the command line and from the institution's browser verifier.

A corpus of more than 100 credentials, published as portfolios in a copy of the built
demo: every demo credential (eddsa-rdfc-2022 and eddsa-jcs-2022), one revoked, tampered
copies of both suites (one alteration each), a proof given as one object, expired ones,
ones dated before their signature (valid under VCDM 2.0) and signed before the evaluator's
grant (untrusted: the grant is judged when the key signed), eddsa-rdfc-2022 credentials
whose signed statements were moved where the checks do not read them (full IRI, `@nest`,
inline alias: the proof still holds; issue 28), ones signed by a key outside the registry, ones whose status list cannot be had, ones naming another
signer's status list, and foreign OB 3.0 credentials carrying fields
the tool never emits. `portfolio-gen verify <output> --json` and `<site>/verify/?url=`
in chromium judge every file; their verdicts must be identical.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from sitefixtures import served  # noqa: F401 - served is a fixture

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.credentials.loader import DocumentLoader

pytestmark = pytest.mark.browser
BASE = "https://portfolios.example.org/"
CORPUS = "corpus"
REVOKED_IN = "julien-moreau"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


def _set(path, value):
    def change(credential):
        node = credential
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


TAMPERINGS = {
    "name": _set(["name"], "Une autre attestation"),
    "valid-from": lambda c: c.__setitem__("validFrom", "2020" + c["validFrom"][4:]),
    "proof-value": lambda c: c["proof"][0].__setitem__("proofValue", c["proof"][0]["proofValue"][:-4] + "1111"),
    "cryptosuite": lambda c: c["proof"][0].__setitem__("cryptosuite", "eddsa-2022"),
    "proof-type": lambda c: c["proof"][0].__setitem__("type", "Ed25519Signature2020"),
    "purpose": lambda c: c["proof"][0].__setitem__("proofPurpose", "authentication"),
    "no-proof": lambda c: c.pop("proof"),
    "two-proofs": lambda c: c["proof"].append(copy.deepcopy(c["proof"][0])),
    "issuer-name": lambda c: c["issuer"].__setitem__("name", "Quelqu'un d'autre"),
    "subject": lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Autre chose"),
    "method": lambda c: c["proof"][0].__setitem__("verificationMethod", _other_method()),
    "created": lambda c: c["proof"][0].__setitem__("created", "not a date"),
}


MALFORMED = {
    "no-criteria": lambda c: c["credentialSubject"]["achievement"].pop("criteria"),
    "http-id": lambda c: c.__setitem__("id", "https://issuer.example.org/credentials/1"),
    "clear-email": lambda c: c["credentialSubject"]["identifier"][0].update(hashed=False),
}


def _other_method() -> str:
    return dids.did_key_verification_method_id(keys.generate_key().public_key())


def resign(credential: dict, key, suite: str, created: str | None = None) -> dict:
    """`credential` signed again by `key`. Signed now unless `created` says otherwise, and
    then dated now as a real signer would, unless `valid_from` is given."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    if created is None:
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        unsigned["validFrom"] = created
    unsigned["issuer"] = {**unsigned["issuer"], "id": dids.did_key(key.public_key())}
    # Files pinned by digest are published on the candidate's site, not on this corpus'.
    unsigned["evidence"] = [e for e in unsigned.get("evidence", []) if "digestMultibase" not in e]
    return proofs.sign(unsigned, key, dids.did_key_verification_method_id(key.public_key()),
                       suite=CRYPTOSUITES[suite], loader=DocumentLoader(), as_array=True, created=created)


def foreign(credential: dict) -> dict:
    """OB 3.0 fields portfolio-gen never writes, all allowed by the specification."""
    extended = copy.deepcopy(credential)
    extended["description"] = "Issued by another OB 3.0 platform."
    extended["awardedDate"] = extended["validFrom"]
    extended["issuer"]["url"] = "https://issuer.example.org/"
    extended["issuer"]["email"] = "contact@issuer.example.org"
    achievement = extended["credentialSubject"]["achievement"]
    achievement["tag"] = ["numérique", "éducation"]
    achievement["creator"] = {"id": "https://issuer.example.org/", "type": ["Profile"], "name": "Another platform"}
    return extended


def _now(offset: dt.timedelta = dt.timedelta()) -> str:
    return (dt.datetime.now(dt.UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


VC = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
HIDDEN_FIELDS = ("validFrom", "validUntil", "credentialStatus", "evidence", "credentialSubject", "issuer")


def hide(credential: dict, key_name: str, how: str) -> dict:
    """Move a signed statement where the checks do not read it: same RDF graph, so an
    eddsa-rdfc-2022 proof still holds (tests/credentials/test_hostile_host.py shows it)."""
    hidden = copy.deepcopy(credential)
    value = hidden.pop(key_name)
    if how == "full-iri":
        # A date term types its value; under the full IRI the value must say so itself.
        hidden[VC + key_name] = {"@value": value, "@type": XSD_DATETIME} if key_name.startswith("valid") else value
    elif how == "nest":
        hidden["@nest"] = {key_name: value}
    else:  # an alias an inline context defines
        hidden["@context"] = [*hidden["@context"], {"hidden": VC + key_name}]
        hidden["hidden"] = value
    return hidden


def hidden_statements(demo: dict[Path, dict], root: Path, revoked_id: str) -> dict[str, dict]:
    """Every field a check reads, hidden three ways in a valid eddsa-rdfc-2022 credential
    with a published evidence file (evidence swapped unseen), and validUntil in an expired
    one of a registered evaluator (issue 28, finding 1: the pages said VALIDE to both)."""
    valid = next(c for c in demo.values() if c["id"] != revoked_id and c["proof"][0]["cryptosuite"] == SUITES[0]
                 and c["credentialSubject"]["achievement"]["achievementType"] == "Competency"
                 and any("digestMultibase" in e and e.get("genre") != "Entry source" for e in c["evidence"]))
    evaluator = keys.load_private_key(root / "keys" / "marie-dupont.key.pem", None)
    expired = copy.deepcopy(valid)
    expired.update(validFrom=_now(-dt.timedelta(days=2)), validUntil=_now(-dt.timedelta(days=1)))
    expired = resign(expired, evaluator, SUITES[0], created=expired["validFrom"])
    found = {"expired-by-an-evaluator": expired}
    for field in HIDDEN_FIELDS:
        for how in ("full-iri", "nest", "alias"):
            found[f"hidden-{field}-{how}"] = hide(expired if field == "validUntil" else valid, field, how)
    return found


@pytest.fixture(scope="module")
def output(built_demo, tmp_path_factory) -> Path:
    """The demo with one credential revoked and a corpus portfolio beside the others."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("differential") / "demo", symlinks=True))
    revoked = sorted((root / "candidates" / REVOKED_IN / "credentials").glob("*.json"))[0]
    revoked_id = json.loads(revoked.read_text("utf-8"))["id"]
    assert run_cli("--root", str(root), "revoke", str(revoked), "--reason", "test",
                   "--key", str(root / "keys" / "institution.key.pem")).returncode == 0
    assert run_cli("--root", str(root), "build", REVOKED_IN).returncode == 0
    site = root / "site"
    demo = {p: json.loads(p.read_text("utf-8")) for p in sorted(site.glob("*/credentials/*.json"))}
    by_suite = {suite: [c for c in demo.values() if c["proof"][0]["cryptosuite"] == suite
                        and c["credentialSubject"]["achievement"]["achievementType"] == "Competency"]
                for suite in SUITES}
    corpus: dict[str, dict] = {}
    stranger = keys.generate_key()
    for suite in SUITES:
        originals = by_suite[suite]
        for index, (name, tamper) in enumerate(TAMPERINGS.items()):
            credential = copy.deepcopy(originals[index % len(originals)])
            tamper(credential)
            corpus[f"tampered-{name}-{suite}"] = credential
        one_object = copy.deepcopy(originals[0])
        one_object["proof"] = one_object["proof"][0]
        corpus[f"proof-object-{suite}"] = one_object
        for index in range(3):
            corpus[f"unregistered-{index}-{suite}"] = resign(originals[index + 1], stranger, suite)
            corpus[f"foreign-{index}-{suite}"] = resign(foreign(originals[index + 4]), stranger, suite)
        expired = copy.deepcopy(originals[7])
        expired.update(validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")
        corpus[f"expired-{suite}"] = resign(expired, stranger, suite, created="2020-01-01T00:00:00Z")
        for name, change in MALFORMED.items():  # well signed, but not the OB 3.0 the schema wants
            malformed = copy.deepcopy(originals[9])
            change(malformed)
            corpus[f"malformed-{name}-{suite}"] = resign(malformed, stranger, suite)
        # A registered evaluator naming another key's list, where the institution would never
        # revoke it (issue 26): untrusted, before any list is read.
        evaluator = keys.load_private_key(root / "keys" / "marie-dupont.key.pem", None)
        own = keys.public_key_multibase(evaluator.public_key())
        theirs = next(c for c in demo.values() if c["credentialSubject"]["achievement"]["achievementType"] ==
                      "Competency" and not c["credentialStatus"]["statusListCredential"].endswith(f"/{own}.json"))
        corpus[f"other-signers-list-{suite}"] = resign(theirs, evaluator, suite)
        # Marie's c2i2e grant starts on 2025-09-01 and her credentials name her own list.
        mine = copy.deepcopy(next(c for c in demo.values() if c["id"] != revoked_id and c["credentialStatus"]
                                  ["statusListCredential"].endswith(f"/{own}.json")))
        mine["validFrom"] = "2025-06-01T00:00:00Z"  # a year before the key signs it: valid (VCDM 2.0)
        corpus[f"dated-before-signature-{suite}"] = resign(mine, evaluator, suite, created=_now())
        mine["validFrom"] = _now()  # signed before the grant began, whatever validFrom says: untrusted
        corpus[f"signed-before-grant-{suite}"] = resign(mine, evaluator, suite, created="2025-06-01T00:00:00Z")
        unlisted = copy.deepcopy(originals[8])  # its status list cannot be had: status unknown
        unlisted["credentialStatus"]["statusListCredential"] = f"{BASE}status/missing-list.json"
        corpus[f"status-unknown-{suite}"] = resign(unlisted, stranger, suite)
    corpus.update(hidden_statements(demo, root, revoked_id))
    folder = site / CORPUS
    (folder / "credentials").mkdir(parents=True)
    for name, credential in corpus.items():
        (folder / "credentials" / f"{name}.json").write_text(json.dumps(credential, indent=2), "utf-8")
    for name in ("did.json", "registry.json", "status"):
        source = site / REVOKED_IN / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, folder / name)
    manifest = json.loads((site / REVOKED_IN / "verification.json").read_text("utf-8"))
    manifest.update(site=f"{BASE}{CORPUS}/", credentials=[f"credentials/{n}.json" for n in corpus], presentation=None)
    # Every candidate's credentials, so no one candidate's card: under julien-moreau's, the
    # others' would be untrusted (about someone else than the candidate the site names,
    # issue 28), by both verifiers alike, and hide the verdicts compared here.
    manifest.pop("candidate", None)
    # The corpus holds credentials of every signer, each naming its own key's list: its
    # map names every list the site holds, as a build maps those its credentials name.
    manifest["statusLists"] = {json.loads(p.read_text("utf-8"))["id"]: p.relative_to(folder).as_posix()
                               for p in sorted((folder / "status").rglob("*.json"))}
    (folder / "verification.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    return site


def cli_verdict(report: dict) -> str:
    """The command line's status and reason in the browser verifier's words."""
    if report["status"] == "unknown":  # a status list that could not be read (issue 19)
        return "unknown-status"
    if report["status"] != "invalid":
        return report["status"]
    if report["reason"].startswith("dates: expired"):
        return "expired"
    if report["reason"].startswith("status:"):
        return "unknown-status"
    return "invalid"


def test_cli_and_browser_give_identical_verdicts(browser, served, output):
    result = run_cli("verify", str(output), "--json")
    assert result.returncode in (0, 1), result.stderr
    cli = {f"{Path(site['location']).name}/{c['file']}": cli_verdict(c)
           for site in json.loads(result.stdout)["sites"] for c in site["credentials"]}
    page = browser.new_page()
    found = {}
    for slug in sorted({key.split("/")[0] for key in cli}):
        page.goto(f"{served}verify/?url={served}{slug}/")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=180000)
        rows = page.locator("[data-pf-results] [data-verdict]")
        for i in range(rows.count()):
            source = rows.nth(i).get_attribute("data-source").removeprefix(served)
            found[source] = (rows.nth(i).get_attribute("data-verdict"),
                             rows.nth(i).locator(".pf-result__reason").inner_text())
    assert len(cli) >= 100
    differences = {key: (verdict, found.get(key)) for key, verdict in cli.items()
                   if found.get(key, ("missing",))[0] != verdict}
    assert differences == {}
    for suite in SUITES:  # each says why, in its words
        other = f"{CORPUS}/credentials/other-signers-list-{suite}.json"
        assert cli[other] == "untrusted" and "autre clé" in found[other][1], found[other]
    expected = {"expired-by-an-evaluator": "expired", "hidden-evidence-full-iri": "invalid",
                "hidden-evidence-nest": "invalid", "hidden-validUntil-full-iri": "invalid",
                "hidden-validUntil-nest": "invalid"}
    for suite in SUITES:
        expected.update({f"dated-before-signature-{suite}": "valid", f"signed-before-grant-{suite}": "untrusted"})
    assert {name: cli[f"{CORPUS}/credentials/{name}.json"] for name in expected} == expected
    verdicts = sorted(set(cli.values()))
    assert verdicts == ["expired", "invalid", "revoked", "unknown-status", "untrusted", "valid"]
