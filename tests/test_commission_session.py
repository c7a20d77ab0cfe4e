"""A C2i2e commission plays a session with an override, a supersession and an appeal
(issue 29, part A): `report`, `status`, the dashboard, the minutes and the credentials agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import award_credentials, demo_before_the_commission, run_cli
import re
from portfolio_gen.core.sessions import read_session
from portfolio_gen.credentials import openbadges
from portfolio_gen.institution.revocation import revocation_reasons

FIRST, SECOND, THIRD = "c2i2e-2026-06-15", "c2i2e-2026-07-01", "c2i2e-2026-10-12"


@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory) -> Path:
    return demo_before_the_commission(built_demo, tmp_path_factory.mktemp("commission") / "demo")


def cli(root: Path, *args: str, lang: str = "en", code: int = 0):
    result = run_cli("--root", str(root), *args, lang=lang)
    assert result.returncode == code, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def test_an_override_a_supersession_and_an_appeal_tell_one_story(demo: Path, tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(demo, root)
    key = str(root / "keys/institution.key.pem")

    # First session: camille meets the rule; julien (18 of 27) gets an attestation.
    cli(root, "session", "new", "c2i2e", "--date", "2026-06-15")
    cli(root, "session", "decide", FIRST, "camille-martin", "--outcome", "certificate", "--key", key)
    cli(root, "session", "decide", FIRST, "julien-moreau", "--outcome", "attestation",
        "--comment", "Le jury souhaite voir le B3 en situation.", "--key", key)
    cli(root, "session", "minutes", FIRST, "--key", key)
    [attestation_id] = award_credentials(root, "julien-moreau")

    # `certify` after the session already issued an award refuses a duplicate, and names it.
    before = sorted(root.rglob("credentials/*.json"))
    again = cli(root, "certify", "julien-moreau", "--framework", "c2i2e", "--key", key, code=2)
    assert "already holds a current attestation" in again.stderr and "--reissue" in again.stderr
    assert sorted(root.rglob("credentials/*.json")) == before

    # Julien appeals; the next session takes the appeal up and certifies him against the rule.
    cli(root, "session", "appeal", FIRST, "julien-moreau", "--reason", "B3 observé lors de la visite de classe",
        "--date", "2026-06-20")
    assert cli(root, "session", "appeal", FIRST, "julien-moreau", "--reason", "encore", code=2)
    made = json.loads(cli(root, "session", "new", "c2i2e", "--date", "2026-07-01", "--json").stdout)
    assert made["appeals"] == ["julien-moreau"] and made["already_certified"] == ["camille-martin"]
    reason = "B3.1 à B3.5 observés lors de la visite de classe du 18 juin"
    forced = cli(root, "session", "decide", SECOND, "julien-moreau", "--outcome", "certificate",
                 "--override", reason, "--key", key)
    assert "supersedes attestation" in forced.stdout and "revoked: superseded" in forced.stdout
    cli(root, "--lang", "fr", "session", "minutes", SECOND, "--key", key)

    # The credentials: one current award each; the attestation revoked as superseded.
    awards = award_credentials(root, "julien-moreau")
    [certificate_id] = [i for i in awards if i != attestation_id]
    certificate = awards[certificate_id]
    assert revocation_reasons(root)[attestation_id] == f"superseded by {certificate_id}"
    assert openbadges.validate_against_schema(certificate) == []
    # Finding 1: the certificate says it was given against the rule, by whom and why.
    [jury] = [e for e in certificate["evidence"] if e.get("genre") == "JuryOverride"]
    assert jury["id"] == f"urn:portfolio-gen:session:{SECOND}" and jury["narrative"] == reason
    assert "n'est PAS remplie : 18 items validés sur 27" in jury["description"]
    narrative = certificate["credentialSubject"]["narrative"]
    assert narrative.startswith(jury["description"]) and reason in narrative
    assert certificate["credentialSubject"]["achievement"]["description"] == jury["description"]
    audit = {row["file"].rsplit("/", 1)[-1]: row
             for row in json.loads(run_cli("--root", str(root), "audit", "--json", "julien-moreau").stdout)}
    assert audit[attestation_id.removeprefix("urn:uuid:") + ".json"]["status"] == "revoked"
    assert audit[certificate_id.removeprefix("urn:uuid:") + ".json"]["status"] == "valid"

    # The minutes of the second session show the appeal and its decision.
    session = read_session(root / "sessions" / f"{SECOND}.yml")
    assert [(a.candidate, a.session, a.outcome) for a in session.appeals] == [("julien-moreau", FIRST, "attestation")]
    assert session.decision("julien-moreau").appeal == FIRST
    page = (root / "sessions" / f"{SECOND}.minutes.html").read_text("utf-8")
    row = re.search(r'<tr data-appeal="julien-moreau"(.*?)</tr>', page, re.S).group(0)
    assert f'data-against="{FIRST}"' in row and 'data-decision="certificate"' in row
    assert "B3 observé lors de la visite de classe" in row and "Certificat" in row
    decided = re.search(r'<tr data-candidate="julien-moreau"(.*?)</tr>', page, re.S).group(0)
    assert reason in decided and f'data-on-appeal="{FIRST}"' in decided and "data-override" in decided
    assert "2 decisions" not in cli(root, "session", "verify", SECOND).stdout  # one decision, signed

    # Finding 2: report, status, the dashboard and session new count the same certificate.
    report = json.loads(cli(root, "report").stdout)
    assert report["frameworks"]["c2i2e"]["certified"] == 2
    rows = {r["candidate"]: r for r in report["rows"] if r["framework"] == "c2i2e"}
    assert (rows["julien-moreau"]["certified"], rows["julien-moreau"]["ready"],
            rows["julien-moreau"]["override"]) == (True, False, True)
    status = {r["candidate"]: r for r in json.loads(cli(root, "status", "--json").stdout) if r["framework"] == "c2i2e"}
    assert status["julien-moreau"]["award"]["kind"] == "certificate"
    assert status["julien-moreau"]["award"]["override"] == reason
    assert status["julien-moreau"]["award"]["file"].endswith(certificate_id.removeprefix("urn:uuid:") + ".json")
    said = cli(root, "status", "julien-moreau").stdout
    assert "certified on" in said and f"awarded against the rule by session {SECOND}" in said
    cli(root, "report", "--html", str(tmp_path / "dashboard"))
    figures = json.loads((tmp_path / "dashboard" / "figures.json").read_text("utf-8"))
    assert figures["frameworks"]["c2i2e"]["certified"] == 2
    later = json.loads(cli(root, "session", "new", "c2i2e", "--date", "2026-10-12", "--json").stdout)
    assert later["already_certified"] == ["camille-martin", "julien-moreau"] and later["appeals"] == []
