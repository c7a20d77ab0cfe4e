"""The pages say verdicts and reasons in the command line's words (issue 28, part P,
finding 4: "the page's reasons are sometimes raw English inside French text").

A copy of the demo where camille-martin's French site publishes, besides her own
credentials, one expired, one revoked, one whose status list is published nowhere, one
expired with validUntil moved under its IRI (not in its signed form), a certificate signed
by an evaluator, and one altered on the host after the build. The institution's verifier
(French) and her credential pages (French) must give each the verdict and reason code of
the command line, in the French words of verdicts.yml, and none of the English ones. The
credential pages' verdict at build time (« État à la construction du site ») is one of the
same six verdicts, in the same words.
"""

from __future__ import annotations

import json
import re

import pytest

from portfolio_gen.core import i18n
from portfolio_gen.site.builder import BUILT, build_cohort

from hostile_corpus import SOURCE, Draft, hide, issue, prepare, sign
from sitefixtures import route_institution, serve

pytestmark = pytest.mark.browser
# name -> (how it is made, the verdict and reason code every verifier gives it)
CASES = {
    "expired": ([{"issue": {"expired": True}}, "sign"], "expired", "dates.expired"),
    "revoked": ([{"issue": {"status": "revoked"}}, "sign"], "revoked", "status.revoked"),
    "status-missing": ([{"issue": {"status": "missing"}}, "sign"], "unknown-status", "status.unknown"),
    "signed-form": ([{"issue": {"expired": True}}, "sign", {"hide": {"field": "validUntil", "how": "full-iri"}}],
                    "invalid", "proof.signed_form"),
    "certificate-by-an-evaluator": ([{"issue": {"base": "certificate"}}, "sign"], "untrusted",
                                    "trust.not_institution"),
    "tampered": ([{"issue": {}}, "sign"], "invalid", "proof.mismatch"),  # altered after the build
}
STEPS = {"issue": issue, "sign": sign, "hide": hide}
NOT_AT_BUILD_TIME = {
    "tampered",  # altered on the host after the build
    # The build reads status lists with require_status=False (site/credentials.py): a list
    # published nowhere is "unavailable" there, and the build's verdict valid.
    "status-missing",
}


def words(kind: str, key: str, language: str) -> str:
    return i18n.part(f"{kind}.{key.replace('-', '_') if kind == 'verdict' else key}", language)


def said(code: str, language: str) -> re.Pattern:
    """The reason's words in `language`, any value in place of each {placeholder}."""
    parts = re.split(r"\{\w+\}", words("reason", code, language))
    return re.compile(".+".join(map(re.escape, parts)), re.S)


@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory):
    """The prepared copy (hostile_corpus.prepare) with the cases in camille-martin's
    credentials, her site rebuilt, then one credential altered on the host."""
    workspace = prepare(built_demo, tmp_path_factory.mktemp("words") / "demo")
    subject = workspace.originals["validation"]["credentialSubject"]["identifier"][0]
    folder = workspace.root / "candidates" / SOURCE / "credentials"
    uuids = {}
    for name, (steps, _, _) in CASES.items():
        draft = Draft(workspace, f"https://portfolios.example.org/{SOURCE}/", subject)
        for step in steps:
            (kind, options), = (step.items() if isinstance(step, dict) else [(step, {})])
            STEPS[kind](draft, **options)
        uuids[name] = draft.credential["id"].removeprefix("urn:uuid:")
        (folder / f"{uuids[name]}.json").write_text(json.dumps(draft.credential, ensure_ascii=False, indent=2),
                                                    "utf-8")
    assert [r.status for r in build_cohort(workspace.root, [SOURCE], workspace.site, jobs=1)] == [BUILT]
    published = workspace.site / SOURCE / "credentials" / f"{uuids['tampered']}.json"
    altered = json.loads(published.read_text("utf-8"))
    altered["name"] = "Une autre attestation"
    published.write_text(json.dumps(altered, ensure_ascii=False, indent=2), "utf-8")
    return workspace, uuids


@pytest.fixture(scope="module")
def served(demo):
    yield from serve(demo[0].site)


def assert_french(verdict_word: str, reason: str, verdict: str, code: str, where: str) -> None:
    assert verdict_word.strip() == words("verdict", verdict, "fr"), where
    assert said(code, "fr").fullmatch(reason.strip()), (where, reason)
    assert not said(code, "en").search(reason), (where, reason)


def test_the_institutions_french_page_says_the_catalogues_french_words(browser, served, demo):
    _, uuids = demo
    page = browser.new_page()
    for name, (_, verdict, code) in CASES.items():
        page.goto(f"{served}verify/?url={served}{SOURCE}/credentials/{uuids[name]}.json")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
        assert page.evaluate("document.documentElement.lang").startswith("fr")
        row = page.locator("[data-pf-results] [data-verdict]")
        assert (row.get_attribute("data-verdict"), row.get_attribute("data-reason-code")) == (verdict, code), name
        assert_french(row.locator(".pf-result__verdict").text_content(),
                      row.locator(".pf-result__reason").text_content(), verdict, code, name)


def test_the_candidates_french_credential_pages_say_the_catalogues_french_words(browser, served, demo):
    workspace, uuids = demo
    page = browser.new_page()
    route_institution(page, workspace.site)  # its status lists, registry and did.json (issue 28)
    for name, (_, verdict, code) in CASES.items():
        page.goto(f"{served}{SOURCE}/credentials/{uuids[name]}/")
        page.wait_for_selector("html[data-pf-verified=done]", timeout=120000)
        assert page.evaluate("document.documentElement.lang").startswith("fr")
        check = page.locator("[data-pf-verify]")
        assert (check.get_attribute("data-verdict"), check.get_attribute("data-reason-code")) == (verdict, code), name
        detail = check.locator(".pf-verdict__detail").text_content()
        assert_french(check.text_content().removesuffix(detail), detail, verdict, code, name)
        if name in NOT_AT_BUILD_TIME:
            continue
        # The verdict at build time: the same six verdicts, the same words.
        built = page.locator(".pf-credential__status .pf-cred-status")
        assert (built.get_attribute("data-verdict"), built.get_attribute("data-reason-code")) == (verdict, code), name
        assert_french(built.text_content(), page.locator(".pf-credential__status .pf-reason").first.text_content(),
                      verdict, code, name)
