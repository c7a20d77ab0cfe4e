"""Status bits at a national programme's scale (issue 26, finding 4): 100,000 allocations
by 50 evaluators, each on a machine of their own, signing in many candidate repositories
(one clone each), through the allocation the signing commands use
(`revocation.with_statuses`, as `issuing` and `commission` call it). No two credentials
may share a bit: revoking one would revoke the other.

The credentials are not signed: a signature does not choose the bit, and 100,000 of them
would take minutes. `test_revocation` signs real ones through the same path."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from portfolio_gen.credentials import keys
from portfolio_gen.credentials.status import DEFAULT_BITS
from portfolio_gen.institution import revocation

from credentials.ob3 import demo

EVALUATORS = 50
REPOSITORIES = 40  # each evaluator signs in this many candidate repositories
PER_REQUEST = 50  # credentials per signing request
TOTAL = EVALUATORS * REPOSITORIES * PER_REQUEST


def test_100000_allocations_by_50_evaluators_in_separate_repositories_never_collide(tmp_path: Path):
    assert TOTAL == 100_000
    _, settings = demo()
    evaluators = [keys.generate_key().public_key() for _ in range(EVALUATORS)]
    machines = [tmp_path / f"machine-{n}" / "state" for n in range(EVALUATORS)]
    # 400 candidate repositories; evaluator e signs in repositories e, e + 10, e + 20...:
    # every repository is signed in by several evaluators, every evaluator signs in many.
    repositories = [tmp_path / "repositories" / f"candidate-{n}" for n in range(400)]
    ids = (f"urn:uuid:{n:032x}" for n in itertools.count())
    bits: dict[tuple[str, str], str] = {}
    started = time.perf_counter()
    for round_ in range(REPOSITORIES):
        for number, (signer, machine) in enumerate(zip(evaluators, machines)):
            root = repositories[(number + round_ * 10) % len(repositories)]
            built = [{"id": next(ids)} for _ in range(PER_REQUEST)]
            for credential in revocation.with_statuses(root, settings, built, signer, counters=machine):
                entry = credential["credentialStatus"]
                bits.setdefault((entry["statusListCredential"], entry["statusListIndex"]), credential["id"])
    elapsed = time.perf_counter() - started
    assert len(bits) == TOTAL, f"{TOTAL - len(bits)} credentials share a status bit with another"
    lists = {url for url, _ in bits}
    assert lists == {revocation.status_list_url(settings, revocation.signer_list_name(e)) for e in evaluators}
    assert all(0 <= int(index) < DEFAULT_BITS for _, index in bits)
    # Each repository's register records what was taken there, for `revoke` and `audit --sites`.
    recorded = [row for root in repositories for row in revocation.allocations(root)]
    assert len(recorded) == TOTAL and len({(name, index) for name, index, _ in recorded}) == TOTAL
    # Linear: nothing that grows is read per allocation (the old ledger took 90 minutes
    # for 100,000). A generous bound on a slow machine, not a benchmark (bench/status.py).
    assert elapsed < 60, f"{elapsed:.1f} s for {TOTAL} allocations"


def test_a_signer_on_two_machines_is_told_to_use_a_key_per_machine_in_the_docs():
    # The counter lives with the signer; the guide says what to do with a second machine.
    guide = (Path(__file__).resolve().parents[2] / "docs" / "credentials.md").read_text("utf-8")
    assert "one key per machine" in guide
