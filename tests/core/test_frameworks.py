"""The shipped frameworks load, with the structure their sources give."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import REFERENTIELS
from portfolio_gen.core.frameworks import load_framework, load_frameworks
from portfolio_gen.core.model import JointLevelRule, MinItemsRule
from portfolio_gen.core.problems import InputError


@pytest.fixture(scope="module")
def shipped():
    frameworks, problems = load_frameworks(REFERENTIELS.glob("*.yml"))
    assert problems == []
    return frameworks


def test_every_required_framework_is_shipped(shipped):
    assert {"c2i2e", "crcne", "encadrement-2009", "pix-edu", "digcompedu"} <= set(shipped)


def test_c2i2e_has_27_items_and_the_23_items_rule(shipped):
    c2i2e = shipped["c2i2e"]
    assert len(c2i2e.items) == 27
    assert c2i2e.rule == MinItemsRule(23)
    assert {d.code for d in c2i2e.domains} <= {"A", "B", "A1", "A2", "A3", "B1", "B2", "B3", "B4"}


def test_crcne_grid_has_three_phases_eight_items_and_joint_levels(shipped):
    crcne = shipped["crcne"]
    assert [i.code for i in crcne.items] == [f"I{n}" for n in range(1, 9)]
    assert [p.code for p in crcne.phases] == ["conception", "mise-en-oeuvre", "retour-reflexif"]
    assert Counter(i.phase for i in crcne.items) == {"conception": 3, "mise-en-oeuvre": 3, "retour-reflexif": 2}
    assert [lv.code for lv in crcne.levels] == ["initie", "confirme", "avance", "expert"]
    assert isinstance(crcne.rule, JointLevelRule)
    assert {i.id for i in crcne.rule.inputs} == {"jury", "pix-edu"}
    assert all(item.criteria for item in crcne.items)


def test_encadrement_2009_has_25_competences_in_a_b_c(shipped):
    framework = shipped["encadrement-2009"]
    assert Counter(i.domain for i in framework.items) == {"A": 10, "B": 9, "C": 6}
    assert framework.rule is None


def test_pix_edu_has_five_domains_and_four_levels(shipped):
    framework = shipped["pix-edu"]
    assert len(framework.items) == 5 and len(framework.levels) == 4


def test_digcompedu_has_6_areas_and_22_competences(shipped):
    framework = shipped["digcompedu"]
    assert len(framework.domains) == 6 and len(framework.items) == 22
    assert [lv.code for lv in framework.levels] == ["A1", "A2", "B1", "B2", "C1", "C2"]


def test_every_framework_cites_its_source(shipped):
    for framework in shipped.values():
        assert framework.source.title and (framework.source.reference or framework.source.url)


def test_level_rank_orders_the_scale(shipped):
    crcne = shipped["crcne"]
    assert crcne.level_rank("initie") < crcne.level_rank("expert")
    with pytest.raises(ValueError):
        crcne.level_rank("master")


def test_user_framework_with_items_directly_under_domains(tmp_path: Path):
    path = tmp_path / "socle.yml"
    path.write_text("""id: socle
title: Socle TICE
version: 1
language: fr
source: {title: Programme national}
levels: [{code: 1, title: Niveau 1}, {code: 2, title: Niveau 2}]
rule: {kind: min_items, min: 2}
domains:
  - code: S1
    title: Environnement
    items:
      - {code: S1.1, title: Fichiers, mandatory: true}
      - {code: S1.2, title: Sauvegardes}
  - code: S2
    title: Communication
""", "utf-8")
    framework = load_framework(path)
    assert [i.code for i in framework.items] == ["S1.1", "S1.2", "S2"]
    assert framework.mandatory_codes == {"S1.1"}
    assert [lv.code for lv in framework.levels] == ["1", "2"]


def test_impossible_rule_is_reported_with_its_line(tmp_path: Path):
    path = tmp_path / "bad.yml"
    path.write_text("id: bad\ntitle: B\nversion: 1\nlanguage: fr\nsource: {title: t}\n"
                    "rule: {kind: min_items, min: 5}\ndomains:\n  - {code: A, title: A}\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_framework(path)
    assert [(p.key, p.line) for p in error.value.problems] == [("framework.rule_impossible", 6)]


def _resource_nodes(node, scope: str = ""):
    """(code of the node a resource is listed on, the resource) for every resource in a file."""
    code = str(node["code"]) if "code" in node else scope
    for resource in node.get("resources") or []:
        yield code, resource
    for key in ("domains", "competences", "items"):
        for child in node.get(key) or []:
            yield from _resource_nodes(child, code)


@pytest.mark.parametrize("framework_id", ["pix-edu", "crcne", "encadrement-2009"])
def test_training_resources_cite_a_public_source_for_known_items(shipped, framework_id):
    """Issue 29: each framework suggests training, each resource cites an https page, sits on
    a code of the framework and names a level of its scale (none where the framework has none)."""
    framework = shipped[framework_id]
    data = yaml.safe_load((REFERENTIELS / f"{framework_id}.yml").read_text("utf-8"))
    listed = list(_resource_nodes(data))
    assert len(listed) >= 4
    levels = {lv.code for lv in framework.levels}
    for code, resource in listed:
        assert resource["title"].strip()
        assert resource["url"].startswith("https://"), resource
        assert framework.group_items(code), f"{code} is not a code of {framework_id}"
        if "level" in resource:
            assert str(resource["level"]) in levels, resource
    levelled = [r for _, r in listed if "level" in r]
    if framework.levels:
        assert len({str(r["level"]) for r in levelled}) >= 2, "resources span more than one level"
    else:
        assert levelled == []


def test_every_item_of_the_2009_framework_and_pix_edu_has_training(shipped):
    for framework_id in ("pix-edu", "encadrement-2009"):
        bare = [i.code for i in shipped[framework_id].items if not i.resources]
        assert len(bare) < len(shipped[framework_id].items) // 2, bare


@pytest.mark.parametrize("levels, level, allowed", [
    ('levels: [{code: "1", title: N1}, {code: "2", title: N2}]\n', "3", "1, 2"),
    ("", "1", "-"),
])
def test_resource_level_off_the_scale_is_reported_with_its_line(tmp_path: Path, levels, level, allowed):
    """An unknown level is a typo that would suggest the resource for every gap: refuse it."""
    path = tmp_path / "f.yml"
    path.write_text("id: f\ntitle: F\nversion: 1\nlanguage: fr\nsource: {title: t}\n" + levels
                    + "domains:\n  - code: D\n    title: D\n    resources:\n"
                    + f"      - {{title: R, url: 'https://example.org/', level: {level}}}\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_framework(path)
    problem, = error.value.problems
    assert (problem.key, problem.line, problem.params["allowed"]) == (
        "framework.unknown_resource_level", 11 if levels else 10, allowed)
