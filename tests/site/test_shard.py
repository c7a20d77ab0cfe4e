"""`build --shard K/N`: every candidate in exactly one shard, the same one everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from portfolio_gen.site.builder import BUILT, Shard, build_cohort, plan_cohort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import run_cli  # noqa: E402

SLUGS = [f"candidate-{n:05d}" for n in range(3000)]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 16])
def test_each_candidate_is_in_exactly_one_shard_and_shards_are_balanced(count: int):
    shards = [Shard(k, count) for k in range(1, count + 1)]
    owners = {slug: [s.index for s in shards if s.holds(slug)] for slug in SLUGS}
    assert all(len(found) == 1 for found in owners.values())
    sizes = [sum(1 for found in owners.values() if found == [s.index]) for s in shards]
    mean = len(SLUGS) / count
    assert all(abs(size - mean) < 0.35 * mean for size in sizes), sizes  # a hash, not buckets of names


@given(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), unique=True, max_size=40),
       st.integers(1, 9), st.randoms())
def test_assignment_depends_on_the_slug_only_never_on_folder_order(slugs, count, rng):
    shuffled = list(slugs)
    rng.shuffle(shuffled)
    for index in range(1, count + 1):
        shard = Shard(index, count)
        assert {s for s in slugs if shard.holds(s)} == {s for s in shuffled if shard.holds(s)}


def test_assignment_is_stable_across_processes_and_machines():
    """SHA-256 of the slug, not Python's per-process salted hash(): pinned values."""
    assert [k for k in range(1, 5) if Shard(k, 4).holds("camille-martin")] == [2]
    assert [k for k in range(1, 5) if Shard(k, 4).holds("julien-moreau")] == [4]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2", ""])
def test_bad_shards_are_refused(text: str):
    with pytest.raises(ValueError):
        Shard.parse(text)
    assert Shard.parse("2/3") == Shard(2, 3)


def test_shards_build_disjoint_sites_that_merge_into_the_whole_cohort(demo_workspace: Path):
    every = set(plan_cohort(demo_workspace, None).slugs)
    built = {}
    for index in (1, 2):
        output = demo_workspace / f"site-{index}"
        results = build_cohort(demo_workspace, output=output, shard=Shard(index, 2), jobs=2)
        assert all(r.status == BUILT for r in results), results
        built[index] = {p.name for p in output.iterdir() if p.is_dir() and not p.name.startswith(".")}
        assert built[index] == {r.slug for r in results}
    assert built[1].isdisjoint(built[2]) and built[1] | built[2] == every


def test_cli_refuses_a_bad_shard_with_exit_2(demo_workspace: Path):
    result = run_cli("--root", str(demo_workspace), "build", "--shard", "3/2")
    assert result.returncode == 2 and "--shard" in result.stderr
