"""Benchmark of the steering figures and the `report --html` dashboard on a large cohort.

    python bench/dashboard.py 25000

The cohort is built in memory as model values (candidates across 148 units, c2i2e and
crcne, validations, requests, self-assessments, Pix+Édu results): reading and verifying
the files is the job of the workspace and trust caches, measured elsewhere. Reported:
the baseline, the existing `cohort_report` (the JSON report before the dashboard) on
the same cohort; the steering figures of the whole cohort; the whole dashboard (every
view: per framework, phase, role and unit, each rendered and written); as seconds and
as ratios to the baseline. Times are CPU seconds of this process (the files' fsync
waits are not counted), so that other work on the machine does not skew the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from portfolio_gen.core.frameworks import load_framework  # noqa: E402
from portfolio_gen.core.model import (ROLES, Candidate, EvaluationRequest, ExternalResult, Pursuit,  # noqa: E402
                                      SelfAssessment, Validation)
from portfolio_gen.core.registry import Authorization, Evaluator, Registry  # noqa: E402
from portfolio_gen.decisions.steering import assess_cohort, cohort_figures  # noqa: E402
from portfolio_gen.decisions.workflow import cohort_report  # noqa: E402
from portfolio_gen.site.dashboard import write_dashboard  # noqa: E402

UNITS = [f"Centre GENIE {n:03d}" for n in range(1, 149)]
EVALUATORS = 200
TODAY = dt.date(2026, 6, 1)


def cohort(count: int, seed: int = 13):
    rng = random.Random(seed)
    frameworks = {name: load_framework(REPO / "referentiels" / f"{name}.yml") for name in ("c2i2e", "crcne")}
    c2i2e, crcne = frameworks["c2i2e"], frameworks["crcne"]
    levels = [lv.code for lv in crcne.levels]
    registry = Registry(tuple(Evaluator(f"ev{n}", f"Évaluateur {n}", (f"did:key:z6Mkev{n}",),
                                        (Authorization("c2i2e", dt.date(2025, 9, 1)),
                                         Authorization("crcne", dt.date(2025, 9, 1))))
                              for n in range(EVALUATORS)))
    candidates, validations = [], {}
    for index in range(count):
        slug = f"candidat-{index:05d}"
        evaluator = f"ev{index % EVALUATORS}"
        signer = f"did:key:z6Mk{evaluator}"
        day = lambda: TODAY - dt.timedelta(days=rng.randrange(1, 300))  # noqa: E731
        if index % 2:
            codes = [i.code for i in c2i2e.items][: rng.randrange(10, 28)]
            found = [Validation("c2i2e", code, signer, day(), entry="e1") for code in codes]
            pursuit, extra = Pursuit("c2i2e"), {}
            waiting = [f"c2i2e:{i.code}" for i in c2i2e.items[len(codes):len(codes) + 2]]
        else:
            level = rng.choice(levels)
            found = [Validation("crcne", i.code, signer, day(), level=level, entry="e1") for i in crcne.items]
            entry = rng.choice(levels[: levels.index(level) + 1])
            extra = {"self_assessments": (SelfAssessment("crcne", day(), "expert", {i.code: entry for i in crcne.items}),),
                     "results": (ExternalResult("crcne", "pix-edu", rng.choice(levels), day(), "Pix"),) if index % 3 else ()}
            pursuit, waiting = Pursuit("crcne", 1), []
        requests = (EvaluationRequest("r1", "e2", evaluator, tuple(waiting), day()),) if waiting else ()
        candidates.append(Candidate(slug, slug, ROLES[index % len(ROLES)], "INSPÉ", "fr", (pursuit,),
                                    unit=UNITS[index % len(UNITS)], requests=requests, **extra))
        validations[slug] = found
    return candidates, frameworks, validations, registry


def timed(function):
    """CPU seconds of this process: on a shared machine wall time mostly measures the others."""
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=25000)
    args = parser.parse_args()
    candidates, frameworks, validations, registry = cohort(args.count)
    baseline, _ = timed(lambda: cohort_report(candidates, frameworks, validations, registry))
    figures_time, _ = timed(lambda: cohort_figures(assess_cohort(candidates, frameworks, validations, registry),
                                                   frameworks, today=TODAY))
    with tempfile.TemporaryDirectory() as folder:
        dashboard_time, written = timed(lambda: write_dashboard(
            Path(folder), assess_cohort(candidates, frameworks, validations, registry), frameworks,
            today=TODAY, language="fr"))
        pages = sum(1 for p in written if p.suffix == ".html")
    print(f"{args.count} candidates, {len(UNITS)} units, {EVALUATORS} evaluators")
    print(f"baseline cohort_report (JSON report before #13): {baseline:.2f} s CPU")
    print(f"steering figures, whole cohort:                  {figures_time:.2f} s CPU  ({figures_time / baseline:.2f}x)")
    print(f"dashboard, {pages} pages rendered and written:     {dashboard_time:.2f} s CPU  ({dashboard_time / baseline:.2f}x)")


if __name__ == "__main__":
    main()
