"""How many xdist workers `-n auto` starts (issue 27: the whole suite within 6 minutes).

With one worker per core, the 2-core machine ran 11 minutes of CPU in 8 min 48 s (db3ffc4),
its cores idle a third of the run while tests waited on chromium, servers and subprocesses.
Two workers per core kept them busy: 8 min 13 s from a clean clone at cef36ea with 45 more
tests. Since then the waits have shrunk and the suite is CPU-bound from end to end (both
cores busy, measured over every process); three workers were measured again at d2ffe95
(6 min 02 s, within the 5 min 43 s to 6 min 33 s of four), so four stay.

Handing modules out longest first, by recorded durations, was tried and measured slower
(7 min 35 s against 7 min 13 s at f6df938): it started every browser-heavy module at once.
"""

from __future__ import annotations

import os

import pytest


# optionalhook: the hook is xdist's, and `-p no:xdist` runs without it.
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return 2 * (os.cpu_count() or 1)
