"""The steering figures, counted exactly on a cohort built for them (steering_cohort.py)."""

from __future__ import annotations

import pytest

from portfolio_gen.decisions.steering import Filters, figure_rows, steering_figures
from steering_cohort import AWARDS, C2I2E_CODES, CANDIDATES, FRAMEWORKS, REGISTRY, TODAY, VALIDATIONS


def figures(**filters):
    return steering_figures(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, today=TODAY,
                            filters=Filters(**filters), inactive_weeks=8, awards=AWARDS)


def test_candidates_and_certified_per_framework_and_level():
    result = figures()
    assert result.candidates == 7
    assert result.frameworks["c2i2e"]["candidates"] == 4 and result.frameworks["c2i2e"]["certified"] == 1
    assert result.frameworks["crcne"]["candidates"] == 3 and result.frameworks["crcne"]["certified"] == 2
    assert result.frameworks["crcne"]["certified_by_level"] == [
        ["initie", 0], ["confirme", 1], ["avance", 0], ["expert", 1]]


def test_entry_level_to_level_reached_uses_the_first_self_assessment():
    progress = figures().level_progress["crcne"]
    assert progress["pairs"] == [{"entry": "initie", "reached": "confirme", "count": 1},
                                 {"entry": "confirme", "reached": "expert", "count": 1}]
    assert progress["gains"] == [[1, 1], [2, 1]]
    assert "c2i2e" not in figures().level_progress  # no level scale, no gain to measure


def test_items_most_often_missing_rank_by_count_then_framework_order():
    missing = figures().missing_items
    expected = [[code, 3] for code in C2I2E_CODES[22:]] + [[C2I2E_CODES[21], 2]]
    expected += [[code, 1] for code in C2I2E_CODES[10:14]]
    assert missing["c2i2e"] == expected
    assert missing["crcne"] == [["I5", 1], ["I6", 1], ["I7", 1], ["I8", 1]]


def test_candidates_one_or_two_items_short():
    close = figures().close_to_rule
    assert [(row["candidate"], row["short"]) for row in close] == [("ben", 1), ("chloe", 2)]


def test_pending_requests_per_evaluator_with_their_age():
    pending = {row["evaluator"]: row for row in figures().pending}
    assert pending["marie"]["items"] == 2 and pending["marie"]["oldest_days"] == 44
    assert pending["marie"]["by_age"] == {"under_2_weeks": 0, "2_weeks_to_1_month": 0, "over_1_month": 2}
    assert pending["paul"]["items"] == 2 and pending["paul"]["oldest_days"] == 7
    assert pending["paul"]["by_age"]["under_2_weeks"] == 2


def test_pending_is_unknown_without_a_registry():
    result = steering_figures(CANDIDATES, FRAMEWORKS, VALIDATIONS, None, today=TODAY)
    assert result.pending is None


def test_validations_over_time_month_by_month():
    assert figures().validations_by_month == [["2026-01", 33], ["2026-02", 21], ["2026-03", 26], ["2026-04", 16]]


def test_inactive_candidates_exclude_the_certified():
    inactive = figures().inactive
    assert [(row["candidate"], row["weeks"]) for row in inactive] == [("chloe", 12), ("ben", 10)]
    assert [row["candidate"] for row in figures().inactive if row["weeks"] >= 11] == ["chloe"]
    longer = steering_figures(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, today=TODAY, inactive_weeks=11,
                              awards=AWARDS)
    assert [row["candidate"] for row in longer.inactive] == ["chloe"]


def test_breakdown_by_unit():
    assert figures().units == [
        {"unit": "Amiens", "framework": "c2i2e", "candidates": 2, "certified": 1},
        {"unit": "Amiens", "framework": "crcne", "candidates": 1, "certified": 1},
        {"unit": "Beauvais", "framework": "c2i2e", "candidates": 2, "certified": 0},
        {"unit": "Beauvais", "framework": "crcne", "candidates": 2, "certified": 1},
    ]


@pytest.mark.parametrize("filters, candidates, frameworks", [
    ({"unit": "Amiens"}, 3, {"c2i2e": (2, 1), "crcne": (1, 1)}),
    ({"role": "enseignant"}, 3, {"c2i2e": (2, 0), "crcne": (1, 1)}),
    ({"framework": "crcne"}, 3, {"crcne": (3, 2)}),
    ({"phase": "conception"}, 3, {"crcne": (3, 2)}),
    ({"unit": "Beauvais", "framework": "c2i2e"}, 2, {"c2i2e": (2, 0)}),
])
def test_filters(filters, candidates, frameworks):
    result = figures(**filters)
    assert result.candidates == candidates
    assert {k: (v["candidates"], v["certified"]) for k, v in result.frameworks.items()} == frameworks


def test_phase_filter_keeps_only_that_phase_s_items():
    result = figures(phase="mise-en-oeuvre")
    assert result.missing_items["crcne"] == [["I5", 1], ["I6", 1]]
    assert {row["evaluator"]: row["items"] for row in result.pending} == {"marie": 2}  # none left for paul
    assert figures(phase="conception").missing_items["crcne"] == []
    assert figures(phase="conception").validations_by_month == [["2026-03", 3], ["2026-04", 6]]


def test_the_csv_rows_carry_the_same_figures():
    rows = figure_rows(figures())
    table = {(r["figure"], r["framework"], str(r["key"])): r["value"] for r in rows}
    assert table["certified", "crcne", ""] == 2
    assert table["certified_by_level", "crcne", "expert"] == 1
    assert table["entry_to_reached", "crcne", "initie->confirme"] == 1
    assert table["close_to_rule", "c2i2e", "chloe"] == 2
    assert table["pending_oldest_days", "", "marie"] == 44
    assert table["validations", "", "2026-03"] == 26
    assert table["unit_certified", "crcne", "Beauvais"] == 1


def test_the_json_report_counts_the_same_pending_items_in_one_pass():
    from portfolio_gen.decisions.workflow import cohort_report
    report = cohort_report(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY)
    assert report["pending_by_evaluator"] == {"marie": 2, "paul": 2}


def test_the_report_of_an_assessed_cohort_is_the_cohort_report():
    """`report` takes its JSON from the cohort the dashboard assessed instead of deciding again."""
    from portfolio_gen.decisions.steering import assess_cohort, cohort_report_of
    from portfolio_gen.decisions.workflow import cohort_report
    for registry in (REGISTRY, None):
        expected = cohort_report(CANDIDATES, FRAMEWORKS, VALIDATIONS, registry, AWARDS)
        assert cohort_report_of(assess_cohort(CANDIDATES, FRAMEWORKS, VALIDATIONS, registry, AWARDS),
                                len(CANDIDATES)) == expected
    assert expected["rows"] and expected["frameworks"]


def test_certified_means_holding_a_current_certificate_not_meeting_the_rule():
    """Issue 29, finding 1: `report` counted a candidate certified by the jury against the
    rule as not certified, while `session new` said "already certified". Both ask
    decisions.awards.current_certificate now: ben (1 item short) certified by override
    counts; ana, who meets the rule, is not certified once her certificate is revoked,
    only ready for the next session; a superseded attestation counts for nothing."""
    import dataclasses
    import datetime as dt
    from portfolio_gen.decisions.awards import ATTESTATION, CERTIFICATE, Award
    ben = Award("urn:uuid:ben", CERTIFICATE, "c2i2e", "", dt.datetime(2026, 5, 2, tzinfo=dt.UTC), True,
                override="B3.1 observed during the class visit")
    old = Award("urn:uuid:ben-old", ATTESTATION, "c2i2e", "", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), True)
    ana = dataclasses.replace(AWARDS["ana"][0], valid=False)
    awards = {**AWARDS, "ana": [ana], "ben": [old, ben]}
    result = steering_figures(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, today=TODAY, awards=awards)
    assert result.frameworks["c2i2e"]["certified"] == 1 and result.frameworks["c2i2e"]["ready"] == 1
    assert [row["candidate"] for row in result.close_to_rule if row["framework"] == "c2i2e"] == ["chloe"]
    from portfolio_gen.decisions.workflow import cohort_report
    rows = {r["candidate"]: r for r in cohort_report(CANDIDATES, FRAMEWORKS, VALIDATIONS, REGISTRY, awards)["rows"]}
    assert (rows["ben"]["certified"], rows["ben"]["ready"], rows["ben"]["override"]) == (True, False, True)
    assert (rows["ana"]["certified"], rows["ana"]["ready"]) == (False, True)
