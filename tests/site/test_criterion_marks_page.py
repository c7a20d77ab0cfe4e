"""The item's page says, in the browser, the level each criterion reached (issue 29):
where an evaluator marked the criteria (`sign --criterion`, the review app), the credential
that makes the item count carries the marks, and the item's page shows them as a table
(criterion code and text, level title), in the candidate's language, without an axe-core
WCAG 2.1 AA violation. One small workspace, signed and built once for the module."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, shipped_candidate
from sitefixtures import serve
from test_accessibility import axe_source, violations  # noqa: F401 - axe_source is a fixture

pytestmark = pytest.mark.browser
ENTRY = "2026-01-15-conception-album"  # sofia-benali's entry claiming crcne:I1, I2, I3
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
MARKS = (("I2.1", "confirme"), ("I2.2", "avance"), ("I2.3", "confirme"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.credentials import dids, keys
    from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations
    from portfolio_gen.institution.registry_credential import sign_registry

    root = shipped_candidate(tmp_path_factory.mktemp("marks"), "sofia-benali")
    institution, marie = keys.generate_key(), keys.generate_key()
    settings = load_settings(root)
    document = dids.did_web_document(settings.institution.id, [institution.public_key()])
    (root / "did.json").write_text(json.dumps(document), "utf-8")
    registry = {"evaluators": [{"id": "marie-dupont", "name": "Marie Dupont", "keys": [dids.did_key(marie.public_key())],
                                "frameworks": [{"id": "crcne", "from": "2025-09-01", "mentions": [1, 2]}]}]}
    (root / "evaluators.yml").write_text(yaml.safe_dump(registry), "utf-8")
    # The registry as signed today (a registry has a short validity); the validation on NOW.
    sign_registry(root, settings, load_registry(root, load_workspace(root).frameworks), institution)
    request = SigningRequest("sofia-benali", ENTRY, ("crcne:I2",), "Marie Dupont", criteria=MARKS)
    issue_item_validations(load_workspace(root), settings, request, marie, now=NOW)
    built = run_cli("--root", str(root), "build")
    assert built.returncode == 0, built.stderr
    return root / "site"


@pytest.fixture(scope="module")
def served_site(site):
    yield from serve(site)


def test_the_item_page_shows_each_criterion_and_the_level_it_reached(browser, served_site, axe_source):
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{served_site}sofia-benali/crcne/i2/")
    table = page.locator("[data-pf-criterion-marks]")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert [rows.nth(n).get_attribute("data-criterion") for n in range(rows.count())] == ["I2.1", "I2.2", "I2.3"]
    assert rows.locator("td").all_inner_texts() == ["Confirmé", "Avancé", "Confirmé"]
    assert "Mobiliser le numérique comme moyen de conception" in rows.nth(0).inner_text()
    assert "Marie Dupont" in table.locator("caption").inner_text()
    assert "Confirmé" in table.locator("caption").inner_text()  # the item's level: the lowest mark
    # An item no evaluator marked has no such table.
    page.goto(f"{served_site}sofia-benali/crcne/i1/")
    assert page.locator("[data-pf-criterion-marks]").count() == 0
    page.goto(f"{served_site}sofia-benali/crcne/i2/")
    assert violations(page, axe_source) == []
