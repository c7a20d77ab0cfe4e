"""Benchmark of every workspace command on a synthetic cohort, against the YAML floor.

    python bench/cohort.py 1000            # N candidates x 10 entries, signed credentials
    python bench/cohort.py 5000 --build    # also the build skip and one-entry rebuild

The cohort is bench/build.py's (c2i2e + CRCNÉ, 10 entries of 4 claims each, one evidence
file per entry), plus, per candidate, the claims of its first entry validated: c2i2e
items signed eddsa-rdfc-2022, the CRCNÉ item eddsa-jcs-2022, with revocation entries in
a signed status list and a signed evaluator registry. Credentials are dated two days
back, as a cohort's usually are (verdicts are not cached while a date is within today).

The floor is measured in the same run: read every candidate file and parse its YAML
(front matter for entries) with libyaml's CSafeLoader, in one process. Each command
runs as a user runs it (a new process), and is reported in seconds and as a ratio to
the floor, with its peak memory (max RSS of that process or of its largest worker).
With --build, the sites are built once (slow: about 0.2 s per candidate per core),
then `build` is timed with nothing changed and after one entry is edited. With
--assume-built instead, the sites are not built: each candidate's build record is written
by the builder's own functions from its folder, with an empty site folder, which is the
state a build leaves for the skip to read (building 25,000 sites takes over an hour on 2
cores); `build` then decides every skip from it as after a real build, and the one-entry
edit builds that candidate's site for real.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from build import generate, write_entry  # noqa: E402  (bench/build.py's cohort)

from portfolio_gen.core.cachestore import CACHE_FILE  # noqa: E402


# --- the cohort ---------------------------------------------------------------------------

def sign_cohort(root: Path, now: dt.datetime) -> int:
    """Registry, status list and the first entry's claims validated, in both cryptosuites."""
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.institution.issuing import SigningRequest, issue_item_validations
    from portfolio_gen.credentials.loader import DocumentLoader
    from portfolio_gen.institution.registry_credential import sign_registry
    from portfolio_gen.institution.revocation import publish_status_list
    from portfolio_gen.demo import publish_identities

    shutil.copyfile(REPO / "portfolio-gen.yml", root / "portfolio-gen.yml")
    for framework in (REPO / "referentiels").glob("*.yml"):  # the demo's registry grants them all
        shutil.copyfile(framework, root / "referentiels" / framework.name)
    private_keys = publish_identities(root)
    workspace = load_workspace(root, cache=False)
    settings = load_settings(root)
    sign_registry(root, settings, load_registry(root, workspace.frameworks), private_keys["institution"], now=now)
    loader, count = DocumentLoader(), 0
    levels = {"c2i2e": "", "crcne": workspace.frameworks["crcne"].levels[0].code}
    for candidate in workspace.candidates.values():
        entry = candidate.entries[0]
        for suite, claims in (("eddsa-rdfc-2022", [c for c in entry.claims if c.framework == "c2i2e"]),
                              ("eddsa-jcs-2022", [c for c in entry.claims if c.framework == "crcne"])):
            request = SigningRequest(candidate.slug, entry.slug, tuple(c.ref for c in claims), "Marie Dupont",
                                     level=levels[claims[0].framework], suite=suite)
            count += len(issue_item_validations(workspace, settings, request, private_keys["marie-dupont"],
                                                now=now, loader=loader))
    publish_status_list(root, settings, private_keys["institution"], now=now)
    return count


def age_files(root: Path, seconds: float = 600) -> None:
    """Files written a second ago could change again within their mtime tick, so the read
    cache does not trust them; a cohort in git is older than that."""
    old = time.time() - seconds
    for directory, _, names in os.walk(root):
        for name in names:
            os.utime(Path(directory, name), (old, old))


# --- the floor ------------------------------------------------------------------------------

def floor(root: Path) -> float:
    """Read every candidate file and parse its YAML with libyaml, in one process."""
    started = time.perf_counter()
    parsed = 0
    for directory, _, names in os.walk(root / "candidates"):
        for name in names:
            path = Path(directory, name)
            if name.endswith(".md"):
                text = path.read_text("utf-8")
                parsed += yaml.load(text.split("---\n", 2)[1], Loader=yaml.CSafeLoader) is not None  # noqa: S506
            elif name.endswith(".yml"):
                parsed += yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader) is not None  # noqa: S506
    assert parsed
    return time.perf_counter() - started


# --- commands -------------------------------------------------------------------------------

# Runs the command in this interpreter and writes its own peak RSS (and its worker
# processes') at exit. Its own is VmHWM, the high-water mark of this program's memory:
# Linux keeps ru_maxrss across exec, so RUSAGE_SELF would report the bench's own size
# (the process was forked from it) for every command. Workers are forked from the
# command, never exec'd, so their ru_maxrss is theirs.
_LAUNCHER = """
import atexit, resource, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w") as handle:
        handle.write(f"{max(own, workers)}")
atexit.register(peak)
from portfolio_gen.cli import main
main(prog_name="portfolio-gen")
"""


def run(root: Path, *args: str, ok: tuple[int, ...] = (0,), expect: str = "") -> tuple[float, float]:
    """Seconds and peak memory (MB) of one command, run as a user runs it (a new process);
    `expect`: how a line of its output must start (what a build did), else the row means nothing."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        started = time.perf_counter()
        process = subprocess.run([sys.executable, "-c", _LAUNCHER, rss.name, "--root", str(root), "--lang", "en",
                                  *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
        seconds = time.perf_counter() - started
        if process.returncode not in ok:
            raise SystemExit(f"{' '.join(args)} exited {process.returncode}: {process.stderr.decode()[-2000:]}")
        if expect and not any(line.startswith(expect) for line in process.stdout.decode().splitlines()):
            raise SystemExit(f"{' '.join(args)}: expected {expect!r} in its output: {process.stdout.decode()[-500:]}")
        return seconds, int(Path(rss.name).read_text() or 0) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, help="number of candidates")
    parser.add_argument("--build", action="store_true", help="also time the build skip and one-entry rebuild")
    parser.add_argument("--assume-built", action="store_true",
                        help="as --build, from build records written without building every site")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    options = parser.parse_args()

    work = options.keep or Path(tempfile.mkdtemp(prefix="portfolio-gen-cohort-"))
    root = work / "workspace"
    try:
        started = time.perf_counter()
        if not (root / "candidates").is_dir():
            generate(root, options.count)
            credentials = sign_cohort(root, dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
            print(f"generated {options.count} candidates, {credentials} credentials "
                  f"in {time.perf_counter() - started:.0f} s", flush=True)
        age_files(root)
        rows = measure(root, options.count, "assume" if options.assume_built else options.build)
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report(options.count, rows)


def assume_built(root: Path, output: Path) -> None:
    """Each candidate's record as a successful build writes it, and its site folder."""
    from portfolio_gen.core.portfolios import candidate_folders
    from portfolio_gen.site.builder import BuildSettings, _validation_inputs
    from portfolio_gen.site.credentials import trust_stamp
    from portfolio_gen.site.fingerprint import current_record, shared_inputs, write_record

    settings = BuildSettings(root, output, shared_inputs(root), trust=trust_stamp(root))
    inputs = _validation_inputs(settings, None)
    for folder in candidate_folders(root / "candidates"):
        used = [p["id"] for p in yaml.safe_load((folder / "candidate.yml").read_text("utf-8"))["frameworks"]]
        write_record(settings.records, folder.name, current_record(folder, used, settings.shared, inputs, None))
        (output / folder.name).mkdir(parents=True, exist_ok=True)


def measure(root: Path, count: int, build: bool | str) -> list[tuple[str, float, float, float]]:
    base = min(floor(root) for _ in range(3))  # the best of three: the file system cache warm
    rows = [("floor: read + parse YAML with libyaml", base, base, 0.0)]

    def timed(label: str, *args: str, ok: tuple[int, ...] = (0,), expect: str = "") -> None:
        seconds, memory = run(root, *args, ok=ok, expect=expect)
        rows.append((label, seconds, base, memory))
        print(f"{label:<34} {seconds:8.2f} s  {seconds / base:6.2f}x  {memory:6.0f} MB", flush=True)

    (root / CACHE_FILE).unlink(missing_ok=True)
    timed("check cold", "check")
    timed("check warm", "check")
    slug = sorted(p.name for p in (root / "candidates").iterdir())[count // 2]
    timed("check SLUG warm", "check", slug)
    timed("status warm (cold verdicts)", "status")
    timed("status warm", "status")
    timed("report warm", "report")
    timed("audit warm", "audit")
    if build == "assume":
        started = time.perf_counter()
        assume_built(root, root / "site")
        timed("build, institution pages only", "build", expect="0 built,")  # the first build writes them
        print(f"(build records written in {time.perf_counter() - started:.0f} s, sites not built)", flush=True)
    elif build:
        timed("build (every site, once)", "build")
    if build:
        timed("build, nothing changed", "build", expect="0 built,")
        folder = root / "candidates" / slug
        write_entry(folder, 0, extra=f"\nUne ligne ajoutée à {time.time()}.\n")  # new on every run
        timed("build after one entry edit", "build", expect="1 built,")
    return rows


def report(count: int, rows: list[tuple[str, float, float, float]]) -> None:
    print(f"\nN = {count}, {os.cpu_count()} cores")
    print("| command | seconds | × floor | peak memory |")
    print("|---|---|---|---|")
    for label, seconds, base, memory in rows:
        print(f"| {label} | {seconds:.2f} | {seconds / base:.2f}× | {f'{memory:.0f} MB' if memory else '–'} |")


if __name__ == "__main__":
    main()
