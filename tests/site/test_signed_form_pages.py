"""The browser applies the command line's signed-form rules (issue 28, finding 1), and the
institution's page checks an optional e-mail against the subject's salted identity.

On a copy of the built demo, published credentials of camille-martin (eddsa-rdfc-2022, signed
by the evaluator marie-dupont) are rewritten on the host without breaking their proof: the
RDF graph stays the same, only the JSON keys the checks read move. The institution's page
(`verify/?url=`), the candidate's own credential pages and `verify --json` must all say
invalid, with the same reason code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from sitefixtures import serve

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import CRYPTOSUITES
from portfolio_gen.credentials.loader import DocumentLoader

pytestmark = pytest.mark.browser
SLUG = "camille-martin"
EVALUATOR = "marie-dupont"
SUITE = "eddsa-rdfc-2022"
VC = "https://www.w3.org/2018/credentials#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
SIGNED_FORM = "proof.signed_form"
EXPIRES = "2026-06-30T00:00:00Z"


def _resigned_expiring(credential: dict, key) -> dict:
    """`credential` signed again by its evaluator in March 2026, valid until 30 June 2026."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned.update(validFrom="2026-03-02T09:00:00Z", validUntil=EXPIRES)
    method = dids.did_key_verification_method_id(key.public_key())
    return proofs.sign(unsigned, key, method, suite=CRYPTOSUITES[SUITE], loader=DocumentLoader(), as_array=True,
                       created="2026-03-02T09:00:00Z")


def _under_iri(key: str, value: object, typed: bool = False):
    def rewrite(credential: dict) -> None:
        credential.pop(key)
        credential[VC + key] = {"@value": value, "@type": XSD_DATETIME} if typed else value
    return rewrite


def _nested(credential: dict) -> None:
    credential["@nest"] = {"validUntil": credential.pop("validUntil")}


def _scoped(credential: dict) -> None:
    # A context inside a node: empty, so the graph (and the proof) stay the same.
    credential["credentialSubject"] = {"@context": {}, **credential["credentialSubject"]}


def _alias(credential: dict) -> None:
    credential["@context"] = [*credential["@context"], {"until": {"@id": VC + "validUntil", "@type": XSD_DATETIME}}]
    credential["until"] = credential.pop("validUntil")


# name -> (rewrite of an expired credential's validUntil, or None for the evidence swap)
REWRITES = {
    "evidence-iri": None,
    "expired-iri": lambda c: _under_iri("validUntil", c["validUntil"], typed=True)(c),
    "expired-nest": _nested,
    "expired-scoped": _scoped,
    "expired-alias": _alias,
}


@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory):
    """A copy of the demo where camille-martin's site holds the rewritten credentials;
    returns (root, {rewrite name: credential file stem})."""
    root = Path(shutil.copytree(built_demo, tmp_path_factory.mktemp("signedform") / "demo", symlinks=True))
    site = root / "site" / SLUG
    evaluator = keys.load_private_key(root / "keys" / f"{EVALUATOR}.key.pem", None)
    method = dids.did_key_verification_method_id(evaluator.public_key())
    published = [p for p in sorted((site / "credentials").glob("*.json"))
                 if json.loads(p.read_text("utf-8"))["proof"][0]["verificationMethod"] == method]
    pinned = [p for p in published if _pinned_files(json.loads(p.read_text("utf-8")))]
    files = {}
    # The evidence swap: the file pinned by digest is replaced, the key names its IRI.
    swapped = pinned[0]
    credential = json.loads(swapped.read_text("utf-8"))
    target = _pinned_files(credential)[0]["id"]
    evidence = site / target.removeprefix(json.loads((site / "verification.json").read_text("utf-8"))["site"])
    assert evidence.is_file(), evidence
    evidence.write_bytes(b"another file than the one the evaluator validated\n")
    _under_iri("evidence", credential["evidence"])(credential)
    swapped.write_text(json.dumps(credential, indent=2), "utf-8")
    files["evidence-iri"] = swapped.stem
    others = [p for p in published if p != swapped and not any(e["id"] == target for e in _pinned_files(
        json.loads(p.read_text("utf-8"))))]
    for path, (name, rewrite) in zip(others, [(n, r) for n, r in REWRITES.items() if r is not None]):
        credential = _resigned_expiring(json.loads(path.read_text("utf-8")), evaluator)
        rewrite(credential)
        path.write_text(json.dumps(credential, indent=2), "utf-8")
        files[name] = path.stem
    return root, files


def _pinned_files(credential: dict) -> list[dict]:
    return [e for e in credential.get("evidence", []) if "digestMultibase" in e and e.get("genre") != "Entry source"]


@pytest.fixture(scope="module")
def served(demo):
    for url in serve(demo[0] / "site"):
        yield url


def _cli_code(credential: dict) -> str:
    """The command line's reason code (older CLIs said it only in words)."""
    if credential.get("code"):
        return credential["code"]
    reason = credential.get("reason") or ""
    signed_form = ("proof: not in the compacted form", "proof: inline @context", "proof: @nest", "proof: @context at",
                   "proof: key ")
    return SIGNED_FORM if reason.startswith(signed_form) else reason.split(":")[0]


@pytest.fixture(scope="module")
def cli(demo) -> dict[str, tuple[str, str]]:
    root, _ = demo
    result = run_cli("--root", str(root), "verify", str(root / "site" / SLUG), "--json")
    assert result.returncode == 1, result.stderr
    [site] = json.loads(result.stdout)["sites"]
    return {Path(c["file"]).stem: (c["status"], _cli_code(c)) for c in site["credentials"]}


def _same(verdict: str, code: str | None, cli: tuple[str, str]) -> bool:
    """The page's verdict and code are the command line's. An alias in an inline context
    is refused by the shape check first (exactly the two OB 3.0 contexts), whose reason
    the page does not code yet (part P): there the verdict alone is compared."""
    if cli[1].startswith("schema"):
        return verdict == cli[0]
    return (verdict, code) == cli


def _institution_page(page, served: str, portfolio: str, email: str = "") -> dict[str, dict]:
    """The rows of the institution's page for the portfolio at `portfolio`, typed in with
    `email` (never in the page's address)."""
    page.goto(f"{served}verify/")
    page.wait_for_selector("html[data-pf-verified=ready]")
    page.fill("#pf-url", portfolio)
    page.fill("#pf-email", email)
    page.click("button[value=url]")
    page.wait_for_selector("html[data-pf-verified=done]", timeout=180000)
    rows = page.locator("[data-pf-results] [data-verdict]")
    return {rows.nth(i).get_attribute("data-credential-id").removeprefix("urn:uuid:"): {
        "verdict": rows.nth(i).get_attribute("data-verdict"), "code": rows.nth(i).get_attribute("data-reason-code"),
        "subject": rows.nth(i).get_attribute("data-subject"), "text": rows.nth(i).inner_text()}
        for i in range(rows.count())}


def test_the_cli_refuses_every_rewrite_for_its_signed_form(cli, demo):
    _, files = demo
    for name, stem in files.items():
        status, code = cli[stem]
        assert status == "invalid", (name, cli[stem])
        if name in ("evidence-iri", "expired-iri", "expired-nest", "expired-scoped"):
            # The proof still holds: only the signed-form rule sees the statement moved.
            assert code == SIGNED_FORM, (name, cli[stem])


def test_the_institutions_page_gives_the_clis_verdict_and_code(browser, served, demo, cli):
    _, files = demo
    page = browser.new_page()
    found = _institution_page(page, served, f"{served}{SLUG}/")
    for name, stem in files.items():
        assert _same(found[stem]["verdict"], found[stem]["code"], cli[stem]), name
    assert found[files["evidence-iri"]]["verdict"] == "invalid"
    assert found[files["expired-iri"]]["code"] == SIGNED_FORM
    # Every other credential gets the command line's verdict too: the untouched ones stay
    # valid (the rule refuses only what was moved), an award pinning the swapped file not.
    assert {stem: row["verdict"] for stem, row in found.items()} == {stem: v for stem, (v, _) in cli.items()}
    assert "valid" in {verdict for verdict, _ in cli.values()}


def test_the_candidates_pages_give_the_clis_verdict_and_code(browser, served, demo, cli):
    _, files = demo
    page = browser.new_page()
    for name, stem in files.items():
        page.goto(f"{served}{SLUG}/credentials/{stem}/")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
        element = page.locator(f"[data-pf-verify][data-credential$='{stem}.json']")
        assert _same(element.get_attribute("data-verdict"), element.get_attribute("data-reason-code"), cli[stem]), name


def test_the_institutions_page_checks_the_subjects_email(browser, served, demo):
    root, files = demo
    candidate = yaml.safe_load((root / "candidates" / SLUG / "candidate.yml").read_text("utf-8"))
    email = candidate["private"]["email"]
    page = browser.new_page()
    # The address as a person types it: case and spaces do not matter, as with --email.
    right = _institution_page(page, served, f"{served}{SLUG}/", f"  {email.upper()} ")
    valid = {stem: row for stem, row in right.items() if row["verdict"] == "valid"}
    assert valid and {row["subject"] for row in valid.values()} == {"matches"}
    assert all("Son sujet est la personne" in row["text"] for row in valid.values())
    wrong = _institution_page(page, served, f"{served}{SLUG}/", "someone.else@example.org")
    assert {stem: row["verdict"] for stem, row in wrong.items() if stem in valid} == dict.fromkeys(valid, "untrusted")
    assert {wrong[stem]["code"] for stem in valid} == {"trust.other_subject"}
    assert all("concerne quelqu'un d'autre" in wrong[stem]["text"] for stem in valid)
    # What failed before the subject was looked at keeps its own verdict.
    assert wrong[files["evidence-iri"]]["verdict"] == "invalid"


def test_the_cli_agrees_on_the_email(demo):
    root, _ = demo
    result = run_cli("--root", str(root), "verify", str(root / "site" / SLUG), "--json", "--email",
                     "someone.else@example.org")
    [site] = json.loads(result.stdout)["sites"]
    assert {c["status"] for c in site["credentials"] if c["status"] != "invalid"} == {"untrusted"}
