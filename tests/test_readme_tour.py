"""README's short tour, run as written: every command, in order, in a fresh folder.

The blocks between `<!-- tour:start -->` and `<!-- tour:end -->` are extracted from
README.md and run by the guides' runner (its shell blocks by bash, the lines it says to
change in which file changed there), so README and this test cannot drift apart: a command
that fails, or a final `verify` that does not pass, fails the test with the tour's output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli

sys.path.insert(0, str(Path(__file__).parent / "docs"))
from runnable import run_blocks, runnable_blocks  # noqa: E402  (the guides' runner)

TOUR = re.compile(r"<!-- tour:start -->\n(.*?)<!-- tour:end -->", re.S)


def tour_page() -> str:
    """The tour as README shows it: its shell blocks, and the lines it says to change."""
    match = TOUR.search((REPO / "README.md").read_text("utf-8"))
    assert match, "README.md has no <!-- tour:start --> ... <!-- tour:end --> region"
    return match.group(1)


def run_tour(folder: Path, user_cache: Path, *, in_process: bool = False) -> subprocess.CompletedProcess:
    """Every block of the tour, in order, by the guides' runner (tests/docs/runnable.py):
    `portfolio-gen` as installed by `pip install -e .` beside this interpreter, in bash.
    `in_process`: its `portfolio-gen` lines run in this process instead (conftest.run_cli,
    as the guides' tests run theirs), with the same variables and the same user cache:
    the same commands and files, without a Python start per command."""
    page = folder.parent / f"{folder.name}-tour.md"
    page.write_text(tour_page(), "utf-8")
    variables = {"PORTFOLIO_GEN_LANG": "en", "XDG_CACHE_HOME": str(user_cache)}
    env = {**os.environ, **variables}

    def invoke(args: list[str], cwd: Path, reader: dict[str, str]) -> subprocess.CompletedProcess:
        return run_cli(*args, cwd=cwd, env={**variables, **reader})

    try:
        outputs = run_blocks(runnable_blocks(page), folder, timeout=900, env=env,
                             invoke=invoke if in_process else None)
    except AssertionError as stopped:
        return subprocess.CompletedProcess([str(page)], 1, "", str(stopped))
    return subprocess.CompletedProcess([str(page)], 0, "".join(outputs), "")


@pytest.fixture(scope="module")
def tour_cache(tmp_path_factory) -> Path:
    """The user cache of the tour's machine (inside the session's own home, see conftest)."""
    return tmp_path_factory.mktemp("tour-user-cache")


@pytest.fixture(scope="module")
def toured(tmp_path_factory, tour_cache) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path_factory.mktemp("tour")
    return run_tour(folder, tour_cache), folder / "my-portfolios"


def test_every_command_of_the_tour_succeeds(toured):
    result, _ = toured
    assert result.returncode == 0, f"the README tour stopped:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}"


def test_the_tour_ends_with_a_site_that_verifies(toured):
    result, root = toured
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\s*2 valid, 0 failed: everything verified", last), result.stdout[-2000:]
    assert "INVALID" not in result.stdout, result.stdout[-2000:]
    assert (root / "site" / "elise-durand" / "index.html").exists()


def test_the_tour_awards_an_attestation_that_says_so(toured):
    import json
    _, root = toured
    awards = [json.loads(p.read_text("utf-8")) for p in (root / "candidates/elise-durand/credentials").glob("*.json")]
    attestation = next(a for a in awards if "ttestation" in a["credentialSubject"]["achievement"]["name"])
    achievement = attestation["credentialSubject"]["achievement"]
    assert achievement["description"].startswith("Attestation de 1 items acquis sur 27")
    assert "pas le certificat" in achievement["description"]
    assert not achievement["criteria"]["narrative"].startswith("23 items validés")


def test_verify_labels_the_attestation_as_one(toured):
    result, _ = toured
    assert "ATTESTED   attestation of items acquired in c2i2e, NOT the certificate" in result.stdout
    assert "CERTIFIED" not in result.stdout


def test_status_in_the_tour_says_where_claims_sit_and_shows_the_refusal(toured):
    result, _ = toured
    assert "2 in drafts" in result.stdout
    assert "refused c2i2e:B3.1 by marie-dupont" in result.stdout and "ajoutez une trace" in result.stdout


def test_a_second_tour_with_fresh_keys_verifies_on_the_same_machine(toured, tour_cache, tmp_path):
    """The second tour has a fresh institution key under the same did:web and starts again
    at registry version 1: not a replay, even when the verifier saw a newer version from
    the first tour's key (issue 26, finding 5)."""
    import json
    memory = tour_cache / "portfolio-gen" / "registries-seen.json"
    seen = json.loads(memory.read_text("utf-8"))
    [first] = seen["registries"]
    first["version"] = 5  # as if the first institution had signed four more registries since
    memory.write_text(json.dumps(seen), "utf-8")

    # The first tour ran every command as a reader's shell does (the installed entry point);
    # this one is about the keys and the user cache, so its commands run in process.
    second = run_tour(tmp_path, tour_cache, in_process=True)
    assert second.returncode == 0, f"the second tour stopped:\n{second.stderr[-4000:]}\n{second.stdout[-2000:]}"
    assert re.fullmatch(r"\s*2 valid, 0 failed: everything verified", second.stdout.strip().splitlines()[-1])
    sequences = json.loads(memory.read_text("utf-8"))["registries"]
    assert {(s["institution"], s["version"]) for s in sequences} == {(first["institution"], 5),
                                                                     (first["institution"], 1)}
    assert len({s["key"] for s in sequences}) == 2
