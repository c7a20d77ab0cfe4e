"""Status-list allocation and issuance per credential, from 1,000 to 100,000 credentials
(issue 26, finding 4): flat, where the old ledger grew with every allocation.

    python bench/status.py [--sizes 1000,10000,100000] [--evaluators 50] [--per-request 5]
                           [--no-sign] [--old-up-to 10000]

N credentials are issued by `--evaluators` evaluators, each on a machine of its own
(its own counter folder), in turn in 200 candidate repositories, `--per-request`
credentials per signing request, through `revocation.with_statuses` as the signing
commands call it; "issue" also signs each credential (eddsa-rdfc-2022, the OB 3.0
fixture) as `sign` does. The baseline, run in the same script, is the old allocation:
every request re-read `status/allocations.tsv` and drew random unused indices (only up
to `--old-up-to`: it is quadratic). Every figure is microseconds per credential and its
ratio to the same column at the smallest N; the last check is that no two credentials
share a bit.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from portfolio_gen.credentials import dids, keys, proofs
from portfolio_gen.credentials.cryptosuites import EDDSA_RDFC_2022
from portfolio_gen.credentials.loader import DocumentLoader
from portfolio_gen.institution import revocation

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "credentials" / "fixtures" / "openbadge.json"
REPOSITORIES = 200


class _Settings:
    """The one setting allocation reads: where the institution publishes its lists."""

    institution_base_url = "https://portfolios.example.org/"


def issue(folder: Path, count: int, evaluators: int, per_request: int, sign: bool) -> tuple[float, int]:
    """Seconds to issue `count` credentials, and how many distinct status bits they got."""
    signers = [keys.generate_key() for _ in range(evaluators)]
    methods = [dids.did_key_verification_method_id(k.public_key()) for k in signers]
    template = json.loads(FIXTURE.read_text())
    loader = DocumentLoader()
    ids = (f"urn:uuid:6b1c3f9e-0000-4000-8000-{n:012d}" for n in itertools.count())
    bits: set[tuple[str, str]] = set()
    requests = count // per_request
    started = time.perf_counter()
    for number in range(requests):
        who = number % evaluators
        root = folder / "repositories" / f"candidate-{(number // evaluators + who) % REPOSITORIES}"
        built = [{**template, "id": next(ids)} for _ in range(per_request)]
        for credential in revocation.with_statuses(root, _Settings, built, signers[who].public_key(),
                                                   counters=folder / f"machine-{who}"):
            if sign:
                proofs.sign(credential, signers[who], methods[who], suite=EDDSA_RDFC_2022, loader=loader,
                            created="2026-03-20T10:00:00Z")
            entry = credential["credentialStatus"]
            bits.add((entry["statusListCredential"], entry["statusListIndex"]))
    return time.perf_counter() - started, len(bits)


def old_allocation(folder: Path, count: int, per_request: int) -> float:
    """The allocation before issue 26, in one cohort workspace: read the whole register,
    draw random unused indices, append (the lock and fsync left out, in its favour)."""
    register = folder / "allocations.tsv"
    register.touch()
    started = time.perf_counter()
    for number in range(count // per_request):
        used = {int(line.split("\t", 1)[0]) for line in register.read_text("utf-8").splitlines()}
        drawn: list[int] = []
        while len(drawn) < per_request:
            index = secrets.randbelow(revocation.DEFAULT_BITS)
            if index not in used:
                used.add(index)
                drawn.append(index)
        with register.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{i}\turn:uuid:{number}-{i}\t2026-03-20T10:00:00Z\n" for i in drawn)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--evaluators", type=int, default=50)
    parser.add_argument("--per-request", type=int, default=5)
    parser.add_argument("--no-sign", action="store_true", help="allocation only")
    parser.add_argument("--old-up-to", type=int, default=10000)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    rows = []
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="bench-status-"))
        try:
            allocated, distinct = issue(folder / "allocate", size, options.evaluators, options.per_request, False)
            if distinct != size:
                raise SystemExit(f"{size - distinct} credentials share a status bit")
            signed = None if options.no_sign else \
                issue(folder / "issue", size, options.evaluators, options.per_request, True)[0]
            old = old_allocation(folder, size, options.per_request) if size <= options.old_up_to else None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rows.append((size, allocated, signed, old))
    first = rows[0]

    def cell(seconds: float | None, size: int, base: float | None, base_size: int) -> str:
        if seconds is None:
            return "–"
        per = seconds / size * 1e6
        return f"{per:.0f} µs ({per / (base / base_size * 1e6):.2f}×)" if base else f"{per:.0f} µs"

    print(f"{options.evaluators} evaluators, {REPOSITORIES} candidate repositories, "
          f"{options.per_request} credentials per request; µs per credential (ratio to N = {first[0]:,})")
    print("| N | allocation | issuance (allocation + eddsa-rdfc-2022 signature) | old ledger allocation |")
    print("|---|---|---|---|")
    for size, allocated, signed, old in rows:
        print(f"| {size:,} | {cell(allocated, size, first[1], first[0])} | {cell(signed, size, first[2], first[0])} "
              f"| {cell(old, size, first[3], first[0])} |")
    print("no two credentials share a status bit")


if __name__ == "__main__":
    main()
