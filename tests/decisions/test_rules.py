"""The arithmetic of every certification rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from portfolio_gen.core.model import (REFUSED, Domain, Framework, Item, JointLevelRule, Level, MinItemsRule,
                                 RuleInput, Source, Validation)
from portfolio_gen.decisions.rules import decide, evaluation_level, validated_items

DAY = dt.date(2026, 5, 1)
MANDATORY = {"A1", "A2", "B1"}


def c2i2e_like(mandatory=frozenset(MANDATORY)) -> Framework:
    """27 items, three of them mandatory, rule 23 of 27: the C2i2e arithmetic."""
    codes = [f"A{i}" for i in range(1, 14)] + [f"B{i}" for i in range(1, 15)]
    items = tuple(Item(code, code, mandatory=code in mandatory) for code in codes)
    return Framework("c2", "C2", "1", "fr", Source("test"), (Domain("D", "D", items=items),),
                     rule=MinItemsRule(23))


def joint_framework() -> Framework:
    levels = tuple(Level(c, c) for c in ("initie", "confirme", "avance", "expert"))
    items = tuple(Item(f"I{i}", f"I{i}") for i in range(1, 9))
    rule = JointLevelRule((RuleInput("jury", "Jury"), RuleInput("pix-edu", "Pix+Édu", external=True)))
    return Framework("crc", "CRC", "1", "fr", Source("test"), (Domain("P", "P", items=items),),
                     levels=levels, rule=rule)


def accept(codes, framework="c2", level="", date=DAY):
    return [Validation(framework, code, "eval", date, level=level) for code in codes]


def codes_with_mandatory(count: int) -> list[str]:
    others = [i.code for i in c2i2e_like().items if i.code not in MANDATORY]
    return sorted(MANDATORY) + others[: count - len(MANDATORY)]


def test_22_of_27_with_every_mandatory_item_fails():
    decision = decide(c2i2e_like(), accept(codes_with_mandatory(22)))
    assert not decision.met and len(decision.validated) == 22 and decision.required == 23


def test_23_with_a_mandatory_item_missing_fails():
    codes = [i.code for i in c2i2e_like().items if i.code != "B1"][:23]
    decision = decide(c2i2e_like(), accept(codes))
    assert len(decision.validated) == 23
    assert not decision.met and decision.missing_mandatory == ("B1",)


def test_23_with_every_mandatory_item_passes():
    decision = decide(c2i2e_like(), accept(codes_with_mandatory(23)))
    assert decision.met and decision.missing_mandatory == ()


def test_refusals_and_other_frameworks_do_not_count():
    codes = codes_with_mandatory(23)
    validations = accept(codes[:22]) + accept(codes[22:], framework="other")
    validations.append(Validation("c2", codes[22], "eval", DAY, decision=REFUSED))
    assert not decide(c2i2e_like(), validations).met


def test_a_later_refusal_does_not_erase_an_acceptance():
    codes = codes_with_mandatory(23)
    validations = accept(codes) + [Validation("c2", codes[0], "eval", DAY + dt.timedelta(days=3), decision=REFUSED)]
    assert decide(c2i2e_like(), validations).met


def test_unknown_items_are_ignored_not_counted():
    validations = accept(codes_with_mandatory(22)) + accept(["Z99"])
    assert len(decide(c2i2e_like(), validations).validated) == 22


@given(st.sets(st.sampled_from([i.code for i in c2i2e_like().items])))
def test_min_items_rule_matches_its_definition(codes):
    decision = decide(c2i2e_like(), accept(codes))
    assert decision.met == (len(codes) >= 23 and MANDATORY <= codes)
    assert set(decision.missing_mandatory) == MANDATORY - codes


@pytest.mark.parametrize("jury, pix, expected", [
    ("expert", "confirme", "confirme"),
    ("initie", "avance", "initie"),
    ("avance", "avance", "avance"),
])
def test_joint_level_is_the_lower_of_the_two(jury, pix, expected):
    decision = decide(joint_framework(), [], {"jury": jury, "pix-edu": pix})
    assert decision.met and decision.level == expected


def test_joint_level_needs_both_inputs():
    decision = decide(joint_framework(), [], {"jury": "expert"})
    assert not decision.met and decision.missing_inputs == ("pix-edu",) and decision.level == ""


def test_evaluation_level_is_the_lowest_item_level_once_the_grid_is_complete():
    framework = joint_framework()
    validations = accept([f"I{i}" for i in range(1, 8)], framework="crc", level="avance")
    assert evaluation_level(framework, validations) is None  # I8 not yet evaluated
    validations += accept(["I8"], framework="crc", level="confirme")
    assert evaluation_level(framework, validations) == "confirme"


def test_highest_level_is_kept_per_item():
    framework = joint_framework()
    validations = accept(["I1"], "crc", "avance") + accept(["I1"], "crc", "initie", DAY + dt.timedelta(days=1))
    assert validated_items(framework, validations)["I1"].level == "avance"


def test_framework_without_rule_never_certifies():
    framework = Framework("enc", "Enc", "1", "fr", Source("t"), (Domain("A", "A"),))
    decision = decide(framework, [])
    assert not decision.has_rule and not decision.met


def _leveled_min_items() -> Framework:
    levels = tuple(Level(c, c) for c in ("initie", "confirme", "avance"))
    items = tuple(Item(f"L{i}", f"L{i}", mandatory=i == 1) for i in range(1, 6))
    return Framework("lv", "LV", "1", "fr", Source("test"), (Domain("L", "L", items=items),),
                     levels=levels, rule=MinItemsRule(3))


_CLAIMS = st.one_of(
    st.builds(lambda code: ("c2", code, ""), st.sampled_from([i.code for i in c2i2e_like().items])),
    st.builds(lambda code, level: ("lv", code, level), st.sampled_from(["L1", "L2", "L3", "L4", "L5"]),
              st.sampled_from(["", "initie", "confirme", "avance"])))


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["public", "private", "draft"]),
                          st.lists(_CLAIMS, max_size=6)), max_size=8))
def test_claim_progress_is_the_rule_applied_to_every_claim_as_if_validated(entries):
    """status's one-pass progress equals deciding each framework on every non-draft claim."""
    from portfolio_gen.cli.core import claim_progress
    from portfolio_gen.core.model import Candidate, Claim, Entry, Pursuit

    frameworks = {"c2": c2i2e_like(), "lv": _leveled_min_items()}
    candidate = Candidate("c", "C", "enseignant", "I", "fr", (Pursuit("c2"), Pursuit("lv")), entries=tuple(
        Entry(f"e{n}", "t", DAY + dt.timedelta(days=day), "formation", "", visibility=visibility,
              claims=tuple(Claim(*claim) for claim in claims))
        for n, (day, visibility, claims) in enumerate(entries)))
    rows = claim_progress(candidate, frameworks)
    assert [row["framework"] for row in rows] == ["c2", "lv"]
    for row, framework in zip(rows, frameworks.values()):
        every = decide(framework, [Validation(framework.id, claim.item, "", entry.date, level=claim.level)
                                   for entry, claim in candidate.claims_for(framework.id)])
        assert (row["claimed"], row["claims_cover_rule"], row["mandatory_missing"]) == (
            len(every.validated), every.met, list(every.missing_mandatory))
        for where in ("public", "private"):
            assert row[f"claimed_{where}"] == len({c.item for e in candidate.entries if e.visibility == where
                                                   for c in e.claims if c.framework == framework.id})


# --- rules as one protocol (issue 29) ------------------------------------------------------

def pix_like() -> Framework:
    from portfolio_gen.core.model import ExternalRule
    levels = tuple(Level(c, f"Niveau {c}") for c in ("1", "2", "3", "4"))
    return Framework("pix", "Pix", "1", "fr", Source("test"), (Domain("D1", "D1"),), levels=levels,
                     rule=ExternalRule(RuleInput("pix", "Session", external=True)))


def test_an_external_rule_certifies_at_its_result_level():
    decision = decide(pix_like(), [], {"pix": "3"})
    assert decision.met and decision.level == "3" and decision.missing_inputs == ()


def test_an_external_rule_without_result_is_pending():
    decision = decide(pix_like(), [], {})
    assert not decision.met and decision.missing_inputs == ("pix",) and decision.level == ""


def test_every_rule_kind_of_the_schema_has_its_class_and_nothing_else_does():
    """The lookup table and the framework schema name the same kinds, and each class reads
    its own kind back."""
    import json
    from portfolio_gen.core.rules import RULES, rule_from_data
    schema = json.loads((Path(__file__).parents[2] / "portfolio_gen/data/schemas/framework.schema.json").read_text())
    kinds = {choice["properties"]["kind"]["const"] for choice in schema["properties"]["rule"]["oneOf"]}
    assert kinds == set(RULES)
    examples = {"min_items": {"kind": "min_items", "min": 2},
                "joint_level": {"kind": "joint_level", "inputs": [{"id": "jury", "title": "Jury"}]},
                "external": {"kind": "external", "title": "Session"}}
    for kind, data in examples.items():
        assert rule_from_data(data, "f").kind == kind


def test_a_new_rule_is_one_class():
    """A programme's rule plugged in by its class alone: `decide` asks nothing else of it."""
    from portfolio_gen.core.rules import Decision as RuleDecision

    class AllItems:
        kind = "all_items"
        inputs = ()

        def problems(self, framework):
            return []

        def decide(self, framework, codes, input_levels):
            return RuleDecision(framework.id, True, len(codes) == len(framework.items), codes)

    framework = dataclasses.replace(c2i2e_like(), rule=AllItems())
    assert not decide(framework, accept(codes_with_mandatory(26))).met
    assert decide(framework, accept([i.code for i in framework.items])).met


class _AtLeast:
    """A programme's count rule the tool does not ship: at least five items, none mandatory."""

    kind = "at_least"
    inputs = ()
    items_required = 5

    def problems(self, framework):
        return []

    def decide(self, framework, codes, input_levels):
        from portfolio_gen.core.rules import Decision as RuleDecision
        return RuleDecision(framework.id, True, len(codes) >= 5, codes, required=5)

    def describe(self, framework):
        return "Au moins 5 items validés."


def test_a_new_rule_needs_no_edit_where_rules_are_read():
    """Steering, the commission's session, the diagnostic and the credentials ask a rule
    through the protocol (issue 29): a count rule they never heard of is said in its own
    words, and its shortfall is counted, without one of them testing its class."""
    from portfolio_gen.core.model import SelfAssessment
    from portfolio_gen.core.sessions import ITEMS_SHORT
    from portfolio_gen.credentials.openbadges import rule_text
    from portfolio_gen.decisions.diagnostic import diagnose
    from portfolio_gen.decisions.sessions import not_ready_reasons
    from portfolio_gen.decisions.steering import items_short

    framework = dataclasses.replace(c2i2e_like(frozenset()), rule=_AtLeast())
    decision = decide(framework, accept(["A1", "A2", "A3"]))
    assert rule_text(framework) == "Au moins 5 items validés."
    assert items_short(framework, decision) == 2
    assert [(r.code, r.value) for r in not_ready_reasons(framework, decision)] == [(ITEMS_SHORT, 2)]
    four = SelfAssessment(framework.id, DAY, "", {code: "" for code in ("A1", "A2", "A3", "A4")})
    assert not diagnose(framework, four).ready  # four confirmed items would not meet it
    assert diagnose(framework, dataclasses.replace(four, levels={**four.levels, "A5": ""})).ready


def test_no_module_tests_a_rule_by_its_class():
    """Only core/rules.py knows the rule classes; everywhere else a rule is asked through
    its protocol, so `isinstance(…, …Rule)` outside it is a switch a new kind would miss."""
    import ast
    package = Path(__file__).parents[2] / "portfolio_gen"
    found = []
    for path in package.rglob("*.py"):
        if path.name == "rules.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance" and len(node.args) == 2:
                names = [n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in ast.walk(node.args[1])]
                found += [f"{path.relative_to(package)}:{node.lineno}" for name in names if name.endswith("Rule")]
    assert found == []
