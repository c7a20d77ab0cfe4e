"""External results are inputs to a signed decision: the commission counts only results
signed by staff the institution's signed registry authorised (issue 19, item 10), and the
certificate cites them. Each way to raise a level by editing the candidate's folder is
refused, with the reason, and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from portfolio_gen.core.model import ExternalResult
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import keys
from portfolio_gen.institution.results import CREDENTIAL_TYPE, result_files, sign_result

SLUG = "sofia-benali"  # CRCNÉ, whose level is the lower of the jury's and Pix+Édu's


@pytest.fixture
def demo(built_demo, tmp_path) -> Path:
    return Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))


def certify(root: Path):
    return run_cli("--root", str(root), "certify", SLUG, "--framework", "crcne",
                   "--key", str(root / "keys" / "institution.key.pem"))


def credentials(root: Path) -> set[str]:
    return {p.name for p in (root / "candidates" / SLUG / "credentials").glob("*.json")}


def signed_result(root: Path) -> Path:
    [path] = result_files(load_workspace(root).candidate(SLUG))
    return path


def refused(root: Path, *expected: str) -> None:
    before = credentials(root)
    result = certify(root)
    assert result.returncode == 2, result.stdout
    for text in expected:
        assert text in result.stderr, result.stderr
    assert credentials(root) == before  # nothing issued


def test_the_demo_certificate_cites_the_signed_result_it_rests_on(built_demo: Path):
    result = json.loads(signed_result(built_demo).read_text("utf-8"))
    assert CREDENTIAL_TYPE in result["type"] and result["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    awards = [json.loads((built_demo / "candidates" / SLUG / "credentials" / name).read_text("utf-8"))
              for name in credentials(built_demo)]
    [certificate] = [c for c in awards if c["credentialSubject"]["achievement"]["achievementType"] == "Certificate"]
    cited = [e for e in certificate["evidence"] if e.get("genre") == "ExternalResult"]
    assert [e["id"] for e in cited] == [result["id"]]
    assert result["issuer"] in cited[0]["narrative"]  # who entered it, for a verifier to see


def test_a_level_raised_in_the_signed_file_is_refused(demo: Path):
    path = signed_result(demo)
    document = json.loads(path.read_text("utf-8"))
    document["credentialSubject"]["result"]["level"] = "expert"
    path.write_text(json.dumps(document, indent=2), "utf-8")
    refused(demo, "this signed result does not count", "signature does not match")


def test_an_unsigned_result_file_is_refused_with_how_to_enter_it(demo: Path):
    (demo / "candidates" / SLUG / "results" / "2026-05-01-pix-edu.yml").write_text(
        "framework: crcne\ninput: pix-edu\nlevel: 4\ndate: 2026-05-01\nsource: written by hand\n", "utf-8")
    refused(demo, "is not signed", "--key")


def test_a_result_signed_outside_the_registry_is_refused(demo: Path):
    signed_result(demo).unlink()
    candidate = load_workspace(demo).candidate(SLUG)
    result = ExternalResult("crcne", "pix-edu", "expert", dt.date(2026, 4, 2), "self-made")
    sign_result(candidate, result, keys.generate_key())
    refused(demo, "not in the institution's evaluator registry")


def test_a_result_signed_outside_the_grant_period_is_refused(demo: Path):
    signed_result(demo).unlink()
    candidate = load_workspace(demo).candidate(SLUG)
    marie = keys.load_private_key(demo / "keys" / "marie-dupont.key.pem", None)
    result = ExternalResult("crcne", "pix-edu", "expert", dt.date(2019, 4, 2), "old session")
    sign_result(candidate, result, marie, now=dt.datetime(2019, 4, 3, tzinfo=dt.UTC))
    refused(demo, "not authorised for this framework on the signing date")


def test_a_result_about_another_candidate_is_refused(demo: Path):
    signed_result(demo).unlink()
    camille = load_workspace(demo).candidate("camille-martin")
    marie = keys.load_private_key(demo / "keys" / "marie-dupont.key.pem", None)
    theirs = sign_result(camille, ExternalResult("crcne", "pix-edu", "expert", dt.date(2026, 4, 2), "x"), marie)
    shutil.move(theirs, demo / "candidates" / SLUG / "results" / theirs.name)  # copied into Sofia's folder
    refused(demo, "it is about 'camille-martin', not sofia-benali")
