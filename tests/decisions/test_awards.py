"""Which awards are history: superseded, by the register or by a later valid award (issue 29)."""

from __future__ import annotations

import datetime as dt

from portfolio_gen.decisions.awards import ATTESTATION, CERTIFICATE, Award, superseded_by


def award(id_: str, kind: str, day: int, *, valid: bool = True, framework: str = "c2i2e") -> Award:
    return Award(id_, kind, framework, "", dt.datetime(2026, 6, day, tzinfo=dt.UTC), valid)


def test_the_register_says_what_was_revoked_as_superseded():
    held = [award("a", ATTESTATION, 1, valid=False), award("c", CERTIFICATE, 2)]
    assert superseded_by(held, {"a": "c"}) == {"a": "c"}


def test_a_valid_award_a_later_one_supersedes_is_history_though_nothing_revoked_it():
    held = [award("a", ATTESTATION, 1), award("b", ATTESTATION, 2), award("c", CERTIFICATE, 3)]
    assert superseded_by(held, {}) == {"a": "b", "b": "c"}


def test_a_withdrawn_award_is_not_history_and_other_frameworks_are_left_alone():
    held = [award("c", CERTIFICATE, 1, valid=False), award("x", ATTESTATION, 2, framework="crcne"),
            award("y", ATTESTATION, 3)]
    assert superseded_by(held, {}) == {}
