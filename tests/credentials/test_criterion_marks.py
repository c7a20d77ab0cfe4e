"""Assessment per criterion (issue 29): where a framework says so (CRCNÉ, seed 001: « des
critères d'évaluation sont définis pour chaque item »), the evaluator marks each criterion,
the item's level is the lowest the criteria reach, and the credential carries the marks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.settings import load_settings
from portfolio_gen.core.workspace import load_workspace
from portfolio_gen.credentials import dids, keys, openbadges
from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations

from conftest import REPO, run_cli, shipped_candidate

ENTRY = "2026-01-15-conception-album"  # sofia-benali, claims crcne:I1 (confirme), I2, I3
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shipped_candidate(tmp_path, "sofia-benali")


@pytest.fixture
def marie(root: Path):
    key = keys.generate_key()
    registry = {"evaluators": [{"id": "marie-dupont", "name": "Marie Dupont", "keys": [dids.did_key(key.public_key())],
                                "frameworks": [{"id": "crcne", "from": "2025-09-01", "mentions": [1, 2]}]}]}
    (root / "evaluators.yml").write_text(yaml.safe_dump(registry), "utf-8")
    return key


def sign(root: Path, key, *items: str, level: str = "", criteria=()) -> list[Path]:
    request = SigningRequest("sofia-benali", ENTRY, items, "Marie Dupont", level=level, criteria=tuple(criteria))
    return issue_item_validations(load_workspace(root), load_settings(root), request, key, now=NOW)


def problem_keys(error: pytest.ExceptionInfo) -> list[str]:
    return [problem.key for problem in error.value.problems]


def test_crcne_says_its_items_are_assessed_per_criterion_with_the_lowest_rule():
    framework = load_framework(REPO / "referentiels/crcne.yml")
    assert framework.criterion_rule == "lowest"
    assert framework.item_by_code["I2"].criterion_codes == ("I2.1", "I2.2", "I2.3")
    assert framework.level_from_marks({"I2.1": "avance", "I2.2": "initie", "I2.3": "expert"}) == "initie"
    assert load_framework(REPO / "referentiels/c2i2e.yml").criterion_rule == ""


def test_marks_go_into_the_credential_and_the_level_follows_from_them(root: Path, marie):
    # Sofia claims I1 at 'confirme'; the evaluator's marks give 'initie', the lowest.
    [path] = sign(root, marie, "crcne:I1", criteria=[("I1.1", "avance"), ("crcne:I1.2", "initie")])
    credential = json.loads(path.read_text("utf-8"))
    assert openbadges.validate_against_schema(credential) == []
    subject = credential["credentialSubject"]
    achievement_id = subject["achievement"]["id"]
    assert [r["value"] for r in subject["result"]] == ["initie", "avance", "initie"]
    assert openbadges.validation_from_credential(credential).level == "initie"
    declared = {d["id"]: d for d in subject["achievement"]["resultDescription"]}
    for result in subject["result"]:
        description = declared[result["resultDescription"]]  # every Result names a declared one
        assert result["achievedLevel"] in {lv["id"] for lv in description["rubricCriterionLevel"]}
    assert subject["result"][1]["resultDescription"] == f"{achievement_id}#criterion-1"
    assert openbadges.criterion_marks(credential) == [
        ("Recourir au numérique lorsque cela répond à une problématique d'apprentissage, d'enseignement "
         "ou d'éducation", "avance"),
        ("Choisir des moyens / supports / pratiques / outils / ressources / solutions / données numériques "
         "sélectionnés par rapport aux objectifs visés et activités prévues", "initie")]


def test_a_level_contradicting_the_marks_is_refused_and_nothing_is_written(root: Path, marie):
    with pytest.raises(InputError) as refused:
        sign(root, marie, "crcne:I1", level="avance", criteria=[("I1.1", "avance"), ("I1.2", "initie")])
    assert problem_keys(refused) == ["credential.level_contradicts_criteria"]
    assert refused.value.problems[0].params["derived"] == "initie"
    assert not (root / "candidates/sofia-benali/credentials").exists()
    # The level the marks give may be stated too.
    assert len(sign(root, marie, "crcne:I1", level="initie", criteria=[("I1.1", "avance"), ("I1.2", "initie")])) == 1


@pytest.mark.parametrize("criteria, key", [
    ([("I1.1", "avance")], "credential.criteria_unmarked"),
    ([("I1.1", "avance"), ("I1.2", "Z9")], "credential.criterion_level_not_on_scale"),
    ([("I1.1", "avance"), ("I1.2", "initie"), ("I4.1", "initie")], "credential.unknown_criterion"),
])
def test_incomplete_or_stray_marks_are_refused(root: Path, marie, criteria, key):
    with pytest.raises(InputError) as refused:
        sign(root, marie, "crcne:I1", criteria=criteria)
    assert problem_keys(refused) == [key]


def test_sign_command_takes_criterion_marks_and_refuses_a_contradicting_level(root: Path, marie):
    (root / "passphrase").write_text("correct horse battery staple\n")
    keyfile = root / "marie.key.pem"
    keys.write_private_key(keyfile, marie, b"correct horse battery staple")
    base = ("--root", str(root), "sign", "sofia-benali", ENTRY, "crcne:I2", "--key", str(keyfile),
            "--evaluator-name", "Marie Dupont", "--passphrase-file", str(root / "passphrase"),
            "--criterion", "I2.1=confirme", "--criterion", "I2.2=avance", "--criterion", "I2.3=confirme")
    refused = run_cli(*base, "--level", "avance", lang="fr")
    assert refused.returncode == 2, refused.stderr
    assert "contredit les notes des critères, qui donnent « confirme »" in refused.stderr
    signed = run_cli(*base)
    assert signed.returncode == 0, signed.stderr
    [path] = (root / "candidates/sofia-benali/credentials").glob("*.json")
    results = json.loads(path.read_text("utf-8"))["credentialSubject"]["result"]
    assert [r["value"] for r in results] == ["confirme", "confirme", "avance", "confirme"]


def test_a_level_alone_is_refused_only_where_the_framework_requires_every_mark(root: Path, marie):
    """CRCNÉ's text defines criteria per item but does not require a level per criterion:
    a level alone is accepted. A framework saying `marks: required` refuses it, naming the
    criteria to mark, and nothing is written (issue 29)."""
    crcne = root / "referentiels/crcne.yml"
    assert "  marks: optional\n" in crcne.read_text("utf-8")
    assert load_framework(crcne).marks_required is False
    crcne.write_text(crcne.read_text("utf-8").replace("  marks: optional\n", "  marks: required\n"), "utf-8")
    with pytest.raises(InputError) as refused:
        sign(root, marie, "crcne:I2", level="confirme")
    assert problem_keys(refused) == ["credential.criteria_required"]
    assert refused.value.problems[0].params["criteria"] == "I2.1, I2.2, I2.3"
    assert not list((root / "candidates/sofia-benali/credentials").glob("*.json"))
    [path] = sign(root, marie, "crcne:I2", criteria=[("I2.1", "confirme"), ("I2.2", "avance"), ("I2.3", "confirme")])
    assert openbadges.criterion_marks(json.loads(path.read_text("utf-8")))[1][1] == "avance"


def test_the_shipped_crcne_accepts_a_level_alone(root: Path, marie):
    [path] = sign(root, marie, "crcne:I2", level="confirme")
    credential = json.loads(path.read_text("utf-8"))
    assert openbadges.criterion_marks(credential) == []
