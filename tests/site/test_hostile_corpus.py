"""Every fixture of the hostile corpus gets the verdict and reason code it must get, from
each of the four verifiers (issue 28): `portfolio-gen verify SITE... --json`,
`audit --sites`, the institution's verifier page (`<site>/verify/?url=<portfolio>`, then
its form for the next portfolio) and
the candidate's own verification page (`<portfolio>/verify/`), both in Debian's chromium.

The corpus is data: tests/hostile/fixtures.yml, built into fixture sites by
hostile_corpus.py from a copy of the session's built demo (real keys), in seconds. Each
verifier reads every fixture site once (one page load per site), then one test per
fixture and verifier compares. A verifier known to disagree on a fixture is a strict
xfail that says why (`disagree` in the fixture's entry).

`verify` runs with --allow-network, as an employer checks a portfolio against the
institution: its reads of https://portfolios.example.org/ (did.json, registry, status
lists) are served from the institution's published folder, and any other host is
unreachable. `audit --sites` reads the same from the institution's workspace. The pages
read https://portfolios.example.org/ from the same folder, routed by Playwright (chromium
cannot reach that domain) with the Access-Control-Allow-Origin header the institution's
site must send (docs/verification.md): the candidate's page reads the institution's
did.json, registry and status lists there, not the host's copies (issue 28).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from sitefixtures import route_institution, serve

import hostile_corpus
from hostile_corpus import BASE, VERIFIERS, build_corpus, load_fixtures, site_name

pytestmark = pytest.mark.browser
SITES, FIXTURES = load_fixtures()
REQUIRED_REWRITES = {(field, how) for field in ("validFrom", "validUntil", "credentialStatus", "evidence",
                                                "credentialSubject", "issuer")
                     for how in ("full-iri", "nest", "alias")}


@pytest.fixture(scope="module")
def corpus(built_demo, tmp_path_factory):
    return build_corpus(built_demo, tmp_path_factory.mktemp("hostile") / "demo")


@pytest.fixture(scope="module")
def output(corpus) -> Path:
    """What `served` serves: the institution's site, the fixture sites under it."""
    return corpus[0].site


@pytest.fixture(scope="module")
def served(output):
    yield from serve(output)


def _sites(workspace) -> list[Path]:
    return [workspace.site / site_name(site) for site in SITES]


def _by_fixture(rows: dict[tuple[str, str], tuple[str, str | None]]) -> dict[str, tuple[str, str | None]]:
    """(site folder name, credential file) -> verdict, keyed by fixture name instead."""
    return {fixture.name: rows.get((site_name(fixture.site), fixture.file), ("missing", None)) for fixture in FIXTURES}


def _row(row: dict) -> tuple[str, str | None]:
    """A JSON row's verdict and reason code (the verdict vocabulary: issue 28, part P)."""
    return row.get("verdict") or row["status"], row.get("code") or None


def _institution_fetch(site: Path):
    """The network as `verify --allow-network` sees it here: the institution's domain is
    its published folder; every other host is unreachable."""
    from portfolio_gen.credentials.loader import DocumentLoadingError

    def fetch(url: str) -> dict:
        if not url.startswith(BASE):
            raise DocumentLoadingError(f"{url}: could not be fetched: no network in this test")
        path = (site / url.removeprefix(BASE)).resolve()
        if not path.is_relative_to(site.resolve()) or not path.is_file():
            raise DocumentLoadingError(f"{url}: could not be fetched: HTTP Error 404: Not Found")
        return json.loads(path.read_text("utf-8"))

    return fetch


def cli_verdicts(workspace) -> dict[str, tuple[str, str | None]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("portfolio_gen.credentials.loader.fetch_json", _institution_fetch(workspace.site))
        result = run_cli("--root", str(workspace.root), "verify", *map(str, _sites(workspace)), "--allow-network",
                         "--json")
    assert result.returncode in (0, 1), result.stderr
    return _by_fixture({(Path(site["location"]).name, row["file"]): _row(row)
                        for site in json.loads(result.stdout)["sites"] for row in site["credentials"]})


def audit_verdicts(workspace) -> dict[str, tuple[str, str | None]]:
    listed = workspace.root / "hostile-sites.txt"
    listed.write_text("".join(f"site/{site.name}\n" for site in _sites(workspace)), "utf-8")
    result = run_cli("--root", str(workspace.root), "audit", "--sites", str(listed), "--json")
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert not report.get("unreadable"), report.get("unreadable")  # every fixture site was read
    rows = {}
    for row in report["credentials"]:
        site, _, file = Path(row["file"]).relative_to(workspace.site).as_posix().partition("/")
        rows[(site, file)] = _row(row)
    return _by_fixture(rows)


def _wait(page) -> None:
    page.wait_for_selector("html[data-pf-verified=done]", timeout=180000)


def institution_page_verdicts(page, served_url: str) -> dict[str, tuple[str, str | None]]:
    """The page opened on the first site's address (`?url=`), then given each other site's
    address in its form, as a reader checks one portfolio after another: the page, and the
    institution's files it trusts, are loaded once; each site is read and judged anew."""
    rows = {}
    for n, site in enumerate(SITES):
        portfolio = f"{served_url}{site_name(site)}/"
        if n == 0:
            page.goto(f"{served_url}verify/?url={portfolio}")
        else:
            page.evaluate("delete document.documentElement.dataset.pfVerified")  # the last run's "done"
            page.fill("[name=url]", portfolio)
            page.click("button[value=url]")
        _wait(page)
        found = page.locator("[data-pf-results] [data-verdict]")
        for i in range(found.count()):
            element = found.nth(i)
            folder, _, file = element.get_attribute("data-source").removeprefix(served_url).partition("/")
            rows[(folder, file)] = (element.get_attribute("data-verdict"),
                                    element.get_attribute("data-reason-code") or None)
    return _by_fixture(rows)


def candidate_page_verdicts(page, served_url: str) -> dict[str, tuple[str, str | None]]:
    rows = {}
    for site in SITES:
        page.goto(f"{served_url}{site_name(site)}/verify/")
        _wait(page)
        found = page.locator("[data-pf-verify]")
        for i in range(found.count()):
            element = found.nth(i)
            file = element.get_attribute("data-credential").removeprefix("../")
            # The institution's domain is routed: nothing was judged on the host's copies.
            assert element.get_attribute("data-checked-against") is None, (site, file)
            rows[(site_name(site), file)] = (element.get_attribute("data-verdict"),
                                             element.get_attribute("data-reason-code") or None)
    return _by_fixture(rows)


@pytest.fixture(scope="module")
def verdicts(corpus, browser, served) -> dict[str, dict[str, tuple[str, str | None]]]:
    """verifier -> fixture -> (verdict, reason code), each verifier run once on every site."""
    workspace = corpus[0]
    page = browser.new_page()
    route_institution(page, workspace.site)
    # The theme's site search (a worker indexing the whole site on every page load, twelve
    # loads here) is no part of verification: not started.
    page.route("**/assets/javascripts/workers/**", lambda route: route.abort())
    found = {"cli": cli_verdicts(workspace), "audit": audit_verdicts(workspace),
             "institution-page": institution_page_verdicts(page, served),
             "candidate-page": candidate_page_verdicts(page, served)}
    page.close()
    return found


def _cases():
    for fixture in FIXTURES:
        for verifier in VERIFIERS:
            marks = []
            if verifier in fixture.disagree:
                marks.append(pytest.mark.xfail(strict=True, reason=f"{verifier}: {fixture.disagree[verifier]}"))
            yield pytest.param(fixture, verifier, id=f"{fixture.name}-{verifier}", marks=marks)


@pytest.mark.parametrize("fixture, verifier", list(_cases()))
def test_every_verifier_gives_the_fixtures_verdict_and_code(verdicts, fixture, verifier):
    assert verdicts[verifier][fixture.name] == (fixture.verdict, fixture.code), fixture.about or fixture.name


def test_the_corpus_holds_the_attacks_the_issue_names():
    assert len(FIXTURES) >= 40
    rewrites = {(step["hide"]["field"], step["hide"]["how"]) for fixture in FIXTURES for step in fixture.steps
                if isinstance(step, dict) and "hide" in step and fixture.name.startswith("hidden-")}
    assert rewrites >= REQUIRED_REWRITES
    names = {fixture.name for fixture in FIXTURES}
    assert {"evidence-swapped", "expired-under-iri", "replayed-status-list", "replayed-registry", "lookalike-did",
            "republished", "expired", "revoked", "foreign-valid", "tampered-name", "unregistered-signer",
            "status-list-missing"} <= names
    # Every verdict is somebody's expectation.
    assert {fixture.verdict for fixture in FIXTURES} == set(hostile_corpus.VERDICTS)


def test_each_attack_is_real(corpus):
    """A hidden statement keeps the proof: the attack is the verifier's to see, not the
    signature's; and each replay serves a file the institution really signed."""
    from portfolio_gen.credentials import proofs
    from portfolio_gen.credentials.dids import DidResolver

    workspace, _ = corpus
    resolver = DidResolver({hostile_corpus.INSTITUTION: json.loads((workspace.root / "did.json").read_text("utf-8"))})
    for fixture in FIXTURES:
        if fixture.name.startswith("hidden-") and not fixture.name.endswith("-jcs"):
            credential = workspace.fixtures[fixture.name]
            assert proofs.verify(credential, resolver=resolver, loader=hostile_corpus.LOADER,
                                 expected_controller=proofs.issuer_id(credential)).verified, fixture.name
    for replayed in (workspace.old_list, workspace.old_registry):
        document = json.loads(replayed.read_text("utf-8"))
        assert proofs.verify(document, resolver=resolver, loader=hostile_corpus.LOADER,
                             expected_controller=hostile_corpus.INSTITUTION).verified
