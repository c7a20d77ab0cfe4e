"""Benchmark of `portfolio-gen build` on a synthetic cohort, with each engine side by side.

    python bench/build.py 50             # N candidates x 10 entries
    python bench/build.py 1000 --jobs 2

For MkDocs (the default) and Zensical (issue 33) in turn: the full build of every
candidate's site (`--force`), a rebuild with nothing changed, and the rebuild after one
entry of one candidate changed (one site rebuilt). Each figure is also given as a ratio:
Zensical's against MkDocs' measured in the same run, and the one-entry rebuild against
the full build of the same engine. Both engines build the same generated folders
(site/source.py); MkDocs runs in the worker processes, Zensical as its own command. The
cohort lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from portfolio_gen.core.portfolios import candidate_folders  # noqa: E402
from portfolio_gen.site.builder import BUILT, FAILED, build_cohort  # noqa: E402
from portfolio_gen.site.engines import ENGINES  # noqa: E402

ENTRIES = 10
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
C2I2E = ["A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A3.1", "A3.2", "B1.1", "B1.2", "B2.1", "B2.2", "B2.3",
         "B3.1", "B3.2", "B4.1", "B4.2"]
BODY = ("Description de l'activité numéro {n} : contexte, public, objectifs et déroulement de la séance, "
        "avec les outils numériques choisis et la manière dont les élèves les ont utilisés.\n\n"
        "Retour réflexif : ce qui a fonctionné, ce que je changerais la prochaine fois, et ce que "
        "j'en retiens pour ma pratique.\n\n- point un\n- point deux\n- point trois\n")


# --- synthetic cohort ---------------------------------------------------------------------

def generate(root: Path, count: int) -> None:
    (root / "referentiels").mkdir(parents=True)
    for name in ("c2i2e.yml", "crcne.yml"):
        shutil.copyfile(REPO / "referentiels" / name, root / "referentiels" / name)
    for index in range(count):
        folder = root / "candidates" / f"candidat-{index:04d}"
        (folder / "entries").mkdir(parents=True)
        (folder / "evidence").mkdir()
        (folder / "candidate.yml").write_text(yaml.safe_dump({
            "name": f"Candidat {index}", "role": "stagiaire", "institution": "INSPÉ de démonstration",
            "language": "fr" if index % 2 else "en", "frameworks": [{"id": "c2i2e"}, {"id": "crcne", "mention": 1}],
            "private": {"email": f"candidat{index}@example.org"}}, allow_unicode=True), "utf-8")
        for n in range(ENTRIES):
            write_entry(folder, n)


def write_entry(folder: Path, n: int, extra: str = "") -> Path:
    (folder / "evidence" / f"trace-{n}.png").write_bytes(PNG)
    claims = [f"c2i2e:{C2I2E[(n + k) % len(C2I2E)]}" for k in range(3)] + [f"crcne:I{n % 8 + 1}"]
    meta = {"title": f"Activité {n}", "date": f"2026-01-{n + 1:02d}", "situation": "professionnelle",
            "claims": claims, "evidence": [{"path": f"evidence/trace-{n}.png", "title": f"Trace {n}"},
                                           {"url": "https://example.org/ressource", "title": "Ressource"}],
            "visibility": "draft" if n == ENTRIES - 1 else "public", "tags": ["bench"]}
    path = folder / "entries" / f"activite-{n:02d}.md"
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + BODY.format(n=n) + extra, "utf-8")
    return path


# --- measures -----------------------------------------------------------------------------

def timed_build(root: Path, engine: str, jobs: int, **options) -> tuple[float, list]:
    started = time.perf_counter()
    results = build_cohort(root, output=root / f"site-{engine}", jobs=jobs, engine=engine, **options)
    assert not [r for r in results if r.status == FAILED], [r for r in results if r.status == FAILED][:3]
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of candidates (10 entries each)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--engine", action="append", choices=sorted(ENGINES),
                        help="only this engine (repeatable; default: every installed one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary cohort and print its path")
    args = parser.parse_args()
    engines = args.engine or [name for name, engine in ENGINES.items() if engine.available()]
    work = Path(tempfile.mkdtemp(prefix="portfolio-gen-bench-"))
    try:
        root = work / "cohort"
        generate(root, args.count)
        print(f"cohort: {args.count} candidates x {ENTRIES} entries, {args.jobs} jobs, {os.cpu_count()} cores")
        figures: dict[str, dict[str, float]] = {}
        for engine in engines:
            full, _ = timed_build(root, engine, args.jobs, force=True)
            noop, results = timed_build(root, engine, args.jobs)
            figures[engine] = {"full": full, "noop": noop}
            # Not 0 when the tool's site code changed meanwhile (it is part of every fingerprint):
            # run the benchmark from a checkout nobody edits.
            print(f"  {engine}: full build {full:.2f} s, no change {noop:.2f} s "
                  f"({sum(r.status == BUILT for r in results)} rebuilt)", flush=True)
        folder = candidate_folders(root / "candidates")[args.count // 2]
        write_entry(folder, 3, extra="\nUne phrase ajoutée.\n")
        for engine in engines:
            one, results = timed_build(root, engine, args.jobs)
            assert folder.name in [r.slug for r in results if r.status == BUILT]
            figures[engine]["one"] = one
            print(f"  {engine}: one entry {one:.2f} s", flush=True)
        base = figures[engines[0]]
        print(f"{'engine':10} {'full build':>12} {'per site':>9} {'no change':>10} {'one entry':>10} "
              f"{'one/full':>9} {'full vs ' + engines[0]:>16} {'one vs ' + engines[0]:>15}")
        for engine, f in figures.items():
            print(f"{engine:10} {f['full']:10.2f} s {f['full'] / args.count * 1000:6.0f} ms {f['noop']:8.2f} s "
                  f"{f['one']:8.2f} s {f['one'] / f['full']:9.3f} {f['full'] / base['full']:16.2f} "
                  f"{f['one'] / base['one']:15.2f}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
