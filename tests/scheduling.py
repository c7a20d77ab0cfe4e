"""How the suite spreads over xdist's workers (issue 27: the whole suite within 6 minutes).

Two things made a run slower than its work: xdist's `loadscope` hands out modules by
their number of tests, so the few-test modules that cost the most (real builds, chromium,
a wheel installed in a fresh environment) started last and one worker ran the last
minutes alone; and the tests wait on browsers and subprocesses for a good part of their
time, so one worker per core left the cores idle a third of the run (11 min of CPU in
8 min 48 s on 2 cores, measured at db3ffc4).

So `-n auto` starts two workers per core, and modules are handed out heaviest first, by
the duration each took in a recorded run (tests/durations.json; a module not in it
weighs half a second per test). Record again after a large change
to the suite with `PORTFOLIO_GEN_RECORD_DURATIONS=1 bash scripts/test`: the order only
changes the schedule, never what runs.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
# Read at import: conftest's isolation clears the tool's variables from the environment.
RECORDING = bool(os.environ.get("PORTFOLIO_GEN_RECORD_DURATIONS"))


# optionalhook: the hooks are xdist's, and `-p no:xdist` runs without it.
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return 2 * (os.cpu_count() or 1)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class HeaviestFirst(LoadScopeScheduling):
        """loadscope, its modules ordered by recorded duration, longest first."""

        _weighed = False

        def _assign_work_unit(self, node) -> None:
            if not self._weighed:
                self._weighed = True
                ordered = sorted(self.workqueue.items(), key=lambda unit: -weight(unit[0], len(unit[1])))
                self.workqueue.clear()
                self.workqueue.update(ordered)
            super()._assign_work_unit(node)

    return HeaviestFirst(config, log)


def recorded() -> dict[str, float]:
    try:
        return json.loads(DURATIONS.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


_RECORDED = recorded()
UNRECORDED_TEST = 0.5  # seconds a test of a module not yet recorded is taken to cost


def weight(scope: str, tests: int) -> float:
    return _RECORDED.get(scope.split("::", 1)[0], tests * UNRECORDED_TEST)


# --- recording a run's durations, per module (the controller sees every worker's reports) ---

_spent: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if RECORDING:
        _spent[report.nodeid.split("::", 1)[0]] += report.duration


@pytest.hookimpl(trylast=True)  # after conftest's check that the run wrote nothing in the repository
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if RECORDING and not hasattr(session.config, "workerinput") and _spent:
        DURATIONS.write_text(json.dumps({module: round(seconds, 1) for module, seconds in sorted(_spent.items())},
                                        indent=0) + "\n", "utf-8")
