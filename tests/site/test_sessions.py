"""Jury sessions: preparation, the checks on decisions, and a session from preparation to
signed minutes through the command line, with the tampering cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import demo_before_the_commission, run_cli
from portfolio_gen.core.problems import InputError
from portfolio_gen.core.sessions import Reason, read_session, session_to_data, write_session
from portfolio_gen.decisions.sessions import decision_problems, prepare_session
from portfolio_gen.decisions.workflow import candidate_decision
from htmltree import parse
from steering_cohort import C2I2E, CANDIDATES, CRCNE, VALIDATIONS

SITTING = dt.date(2026, 6, 15)
SESSION = "c2i2e-2026-06-15"


def prepared(framework):
    return prepare_session(framework, CANDIDATES, VALIDATIONS, date=SITTING, prepared=dt.date(2026, 6, 1))


def rule(slug: str, framework):
    candidate = next(c for c in CANDIDATES if c.slug == slug)
    return candidate_decision(candidate, framework, VALIDATIONS[slug])


def test_preparation_lists_the_ready_first_and_why_the_others_are_not():
    session = prepared(C2I2E)
    assert session.id == SESSION
    assert [(s.candidate, s.ready) for s in session.candidates] == [
        ("ana", True), ("ben", False), ("chloe", False), ("dan", False)]
    assert session.standing("dan").reasons == (Reason("items_short", 13),)
    crcne = prepared(CRCNE)
    assert [(s.candidate, s.ready, s.level) for s in crcne.candidates] == [
        ("eva", True, "confirme"), ("fay", True, "expert"), ("gus", False, "")]
    assert crcne.standing("gus").reasons == (Reason("missing_input", "jury"), Reason("missing_input", "pix-edu"))


@pytest.mark.parametrize("slug, outcome, comment, override, key", [
    ("zoe", "certificate", "", "", "session.not_in_session"),
    ("ben", "certificate", "", "", "session.rule_not_met"),
    ("ben", "attestation", "", "", "session.comment_required"),
    ("ben", "postponement", " ", "", "session.comment_required"),
    ("ben", "attestation", "Two items missing", "because", "session.override_not_certificate"),
    ("ana", "certificate", "", "observed in class", "session.override_not_needed"),
])
def test_decisions_that_cannot_be_recorded(slug, outcome, comment, override, key):
    session = prepared(C2I2E)
    decision = rule(slug, C2I2E) if slug != "zoe" else None
    problems = decision_problems(session, slug, outcome, decision, comment=comment, override=override)
    assert [p.key for p in problems] == [key]


def test_decisions_that_can_be_recorded():
    session = prepared(C2I2E)
    assert decision_problems(session, "ana", "certificate", rule("ana", C2I2E), comment="", override="") == []
    assert decision_problems(session, "ben", "certificate", rule("ben", C2I2E), comment="",
                             override="B3.1 observed during the class visit") == []
    assert decision_problems(session, "ana", "attestation", rule("ana", C2I2E), comment="Jury's choice", override="") == []


def test_a_level_certificate_cannot_be_forced_without_its_level():
    session = prepared(CRCNE)
    problems = decision_problems(session, "gus", "certificate", rule("gus", CRCNE), comment="", override="why")
    assert [p.key for p in problems] == ["session.level_unknown"]


def test_session_file_round_trip_and_located_errors(tmp_path: Path):
    path = tmp_path / "sessions" / f"{SESSION}.yml"
    session = dataclasses.replace(prepared(C2I2E), path=path)
    write_session(path, session)
    assert session_to_data(read_session(path)) == session_to_data(session)
    path.write_text(path.read_text("utf-8").replace("decisions: []", "decisions:\n- {candidate: ana, outcome: adjourned, date: '2026-06-15'}"), "utf-8")
    with pytest.raises(InputError) as error:
        read_session(path)
    problem = error.value.problems[0]
    assert problem.file == path and problem.line is not None


# --- a session from preparation to minutes, from the command line -------------------------

@pytest.fixture(scope="module")
def demo(built_demo, tmp_path_factory) -> Path:
    return demo_before_the_commission(built_demo, tmp_path_factory.mktemp("session") / "demo")


def cli(root: Path, *args: str, lang: str = "en"):
    return run_cli("--root", str(root), *args, lang=lang)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file the user owns; the read cache (`.portfolio-gen/`) is not theirs: any run
    may refresh it, and it is safe to lose (its own tests cover it)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != ".portfolio-gen"}


def test_a_session_from_preparation_to_signed_minutes(demo: Path, tmp_path: Path):
    root = tmp_path / "ws"
    shutil.copytree(demo, root)
    key = str(root / "keys/institution.key.pem")
    made = cli(root, "session", "new", "c2i2e", "--date", "2026-06-15", "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["ready"] == ["camille-martin"]
    assert json.loads(made.stdout)["not_ready"] == ["julien-moreau"]
    assert json.loads(made.stdout)["already_certified"] == []
    assert cli(root, "session", "new", "c2i2e", "--date", "2026-06-15").returncode == 2  # prepared once

    before = snapshot(root)
    refused = cli(root, "session", "decide", SESSION, "julien-moreau", "--outcome", "certificate", "--key", key)
    assert refused.returncode == 2 and "does not meet the rule" in refused.stderr
    unknown = cli(root, "session", "decide", SESSION, "nadia-el-idrissi", "--outcome", "certificate", "--key", key)
    assert unknown.returncode == 2 and "not a candidate of session" in unknown.stderr
    assert snapshot(root) == before  # nothing written

    forced = cli(root, "session", "decide", SESSION, "julien-moreau", "--outcome", "certificate",
                 "--override", "B3 items observed during the class visit", "--key", key)
    assert forced.returncode == 0, forced.stderr
    assert cli(root, "session", "decide", SESSION, "camille-martin", "--outcome", "attestation",
               "--comment", "Le jury souhaite voir le B2.3 en situation.", "--key", key).returncode == 0
    session = read_session(root / "sessions" / f"{SESSION}.yml")
    assert [(d.candidate, d.outcome) for d in session.decisions] == [
        ("julien-moreau", "certificate"), ("camille-martin", "attestation")]
    audit = json.loads(cli(root, "audit", "--json", "julien-moreau", "camille-martin").stdout)
    issued = {row["file"]: row for row in audit}
    for decision in session.decisions:  # issued by the same code as `certify`, and they count
        row = issued[decision.credential]
        assert row["status"] == "valid" and row["kind"] == decision.outcome

    minutes = cli(root, "--lang", "fr", "session", "minutes", SESSION, "--key", key)
    assert minutes.returncode == 0, minutes.stderr
    page = parse(root / "sessions" / f"{SESSION}.minutes.html")
    julien = page.find("tr", data_candidate="julien-moreau")
    assert julien.attrs["data-outcome"] == "certificate"
    assert "B3 items observed during the class visit" in julien.find("p", data_override="").text
    assert "Procès-verbal" in page.find("h1").text
    assert "@media print" in (root / "sessions" / f"{SESSION}.minutes.html").read_text("utf-8")
    verified = cli(root, "session", "verify", SESSION)
    assert verified.returncode == 0 and "2 decisions signed by did:web:portfolios.example.org" in verified.stdout

    closed = cli(root, "session", "decide", SESSION, "julien-moreau", "--outcome", "postponement", "--comment", "x")
    assert closed.returncode == 2 and "closed" in closed.stderr

    # The next session leaves out who now holds the certificate; an attestation holder may come back.
    later = cli(root, "--lang", "fr", "session", "new", "c2i2e", "--date", "2026-10-12")
    assert later.returncode == 0 and "1 candidat déjà certifié, hors de la session : julien-moreau" in later.stdout
    standings = read_session(root / "sessions" / "c2i2e-2026-10-12.yml").candidates
    assert [s.candidate for s in standings] == ["camille-martin"]


def signed_session(demo: Path, root: Path) -> Path:
    shutil.copytree(demo, root)
    key = str(root / "keys/institution.key.pem")
    assert cli(root, "session", "new", "c2i2e", "--date", "2026-06-15").returncode == 0
    assert cli(root, "session", "decide", SESSION, "camille-martin", "--outcome", "certificate", "--key", key).returncode == 0
    assert cli(root, "session", "minutes", SESSION, "--key", key).returncode == 0
    return root / "sessions"


def test_a_session_file_edited_after_signing_is_detected(demo: Path, tmp_path: Path):
    sessions = signed_session(demo, tmp_path / "ws")
    path = sessions / f"{SESSION}.yml"
    path.write_text(path.read_text("utf-8").replace("outcome: certificate", "outcome: attestation\n  comment: x"), "utf-8")
    page = (sessions / f"{SESSION}.minutes.html").read_bytes()
    for command in (["session", "verify", SESSION], ["session", "minutes", SESSION]):
        result = cli(tmp_path / "ws", *command)
        assert result.returncode == 2 and "edited after signing: decisions" in result.stderr
    assert (sessions / f"{SESSION}.minutes.html").read_bytes() == page  # not rewritten from a forged file


def test_minutes_whose_signed_content_was_changed_do_not_verify(demo: Path, tmp_path: Path):
    sessions = signed_session(demo, tmp_path / "ws")
    for name in (f"{SESSION}.yml", f"{SESSION}.minutes.json"):  # both edited consistently
        path = sessions / name
        path.write_text(path.read_text("utf-8").replace("camille-martin", "camille-martine"), "utf-8")
    result = cli(tmp_path / "ws", "session", "verify", SESSION)
    assert result.returncode == 2 and "proof" in result.stderr


def test_any_session_file_reads_or_fails_with_located_problems(tmp_path_factory):
    """Whatever a hand-edited session file holds, reading it gives a session or InputError."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"{SESSION}.yml"
    session = dataclasses.replace(prepared(C2I2E), path=path)
    write_session(path, session)
    original = path.read_text("utf-8")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.integers(min_value=0, max_value=len(original)), st.text(max_size=12))
    def mutate(position: int, insert: str):
        path.write_text(original[:position] + insert + original[position:], "utf-8")
        try:
            read_session(path)
        except InputError as error:
            assert error.problems and all(p.file == path for p in error.problems)

    mutate()
