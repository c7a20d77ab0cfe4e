"""Benchmark of `portfolio-gen build` on a synthetic cohort, against plain `mkdocs build`.

    python bench/build.py 200            # N candidates x 10 entries
    python bench/build.py 1000 --skip-baseline

Reports the full build time, time per candidate, the incremental rebuild time after one
entry of one candidate changes, peak memory (parent and largest worker), and the same
Markdown built by plain MkDocs as the baseline: every page our plugin generates is
written out as a .md file with the same theme, stylesheet, nav and evidence, then built
(a) with the `mkdocs build` command, one process per candidate, as many at a time as
our builder uses, and (b) in-process through `mkdocs.commands.build`, in a process
pool of the same size, the stricter comparison. The cohort lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from portfolio_gen.core.portfolios import candidate_folders, read_candidate  # noqa: E402
from portfolio_gen.site.builder import (BUILT, FAILED, build_cohort, candidate_config,  # noqa: E402
                                        frameworks_for, load_site_config, mkdocs_log)
from portfolio_gen.site.fingerprint import shared_inputs  # noqa: E402
from portfolio_gen.site.pages import plan_site  # noqa: E402
from portfolio_gen.site.plugin import MARKDOWN_EXTENSIONS, STYLESHEET, sha256_file  # noqa: E402
from portfolio_gen.site.render import Renderer, theme_dir  # noqa: E402

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


# --- baseline: the same Markdown, plain MkDocs --------------------------------------------

def export_markdown(root: Path, baseline: Path) -> list[Path]:
    """Write each candidate's generated pages as a plain MkDocs project; returns config files."""
    shared = shared_inputs(root)
    frameworks = frameworks_for(root, shared)
    configs = []
    for folder in candidate_folders(root / "candidates"):
        candidate, _ = read_candidate(folder, frameworks)
        site = plan_site(candidate, frameworks, [], sha256_file)
        project = baseline / candidate.slug
        docs = project / "docs"
        renderer = Renderer(site, use_directory_urls=True)
        for page in site.pages:
            (docs / page.uri).parent.mkdir(parents=True, exist_ok=True)
            (docs / page.uri).write_text(renderer.render(page), "utf-8")
        for copied in site.files:
            (docs / copied.uri).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copied.source, docs / copied.uri)
        config = candidate_config(root, candidate, docs, project / "site")
        config["plugins"] = ["search"]
        config["theme"]["custom_dir"] = str(theme_dir())
        config["extra_css"] = [STYLESHEET]
        config["markdown_extensions"] = list(MARKDOWN_EXTENSIONS)
        config["nav"] = [{"Accueil": "index.md"},
                         {"Compétences": [{p.title: p.uri} for p in site.matrices]},
                         {"Entrées": [{p.title: p.uri} for p in site.entries]}]
        config["not_in_nav"] = "\n".join(f"/{p.uri}" for p in site.items)
        (project / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
        configs.append(project / "mkdocs.yml")
    return configs


def run_cli_baseline(configs: list[Path], jobs: int) -> float:
    started = time.perf_counter()
    running: list[subprocess.Popen] = []
    for config in configs:
        while len(running) >= jobs:
            running = [p for p in running if p.poll() is None]
            if len(running) >= jobs:
                time.sleep(0.01)
        running.append(subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
                                        stderr=subprocess.DEVNULL))
    for process in running:
        process.wait()
    return time.perf_counter() - started


def _build_plain(config_file: str) -> None:
    with mkdocs_log():
        from mkdocs.commands.build import build
        config = load_site_config(yaml.safe_load(Path(config_file).read_text("utf-8")), Path(config_file))
        build(config)


def run_inprocess_baseline(configs: list[Path], jobs: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_build_plain, [str(c) for c in configs], chunksize=1))
    return time.perf_counter() - started


# --- measures -----------------------------------------------------------------------------

def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def timed_build(root: Path, jobs: int, **options) -> tuple[float, list]:
    started = time.perf_counter()
    results = build_cohort(root, output=root / "site", jobs=jobs, **options)
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of candidates (10 entries each)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary cohort and print its path")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portfolio-gen-bench-"))
    try:
        root = work / "cohort"
        generate(root, args.count)
        print(f"cohort: {args.count} candidates x {ENTRIES} entries, {args.jobs} jobs, {os.cpu_count()} cores")
        full, results = timed_build(root, args.jobs, force=True)
        failed = [r for r in results if r.status == FAILED]
        assert not failed, failed[:3]
        print(f"full build:          {full:8.2f} s   ({full / args.count * 1000:.0f} ms per candidate)")
        noop, results = timed_build(root, args.jobs)
        print(f"no-change rebuild:   {noop:8.2f} s   ({sum(r.status == BUILT for r in results)} rebuilt)")
        folder = candidate_folders(root / "candidates")[args.count // 2]
        write_entry(folder, 3, extra="\nUne phrase ajoutée.\n")
        incremental, results = timed_build(root, args.jobs)
        rebuilt = [r.slug for r in results if r.status == BUILT]
        print(f"incremental rebuild: {incremental:8.2f} s   (rebuilt: {', '.join(rebuilt)})")
        print(f"peak memory:         parent {peak_mb(resource.RUSAGE_SELF):.0f} MB, "
              f"largest worker {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        if not args.skip_baseline:
            configs = export_markdown(root, work / "baseline")
            plain = run_inprocess_baseline(configs, args.jobs)
            print(f"baseline in-process: {plain:8.2f} s   ratio {full / plain:.2f}x")
            cli = run_cli_baseline(configs, args.jobs)
            print(f"baseline mkdocs CLI: {cli:8.2f} s   ratio {full / cli:.2f}x")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
