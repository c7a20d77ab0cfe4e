"""Benchmark of `import-results` on Pix's certification export, against the slug-keyed import.

    python bench/pix_import.py            # 1,000 rows, 10 of them matching no candidate
    python bench/pix_import.py 5000 50

A workspace of N candidates pursuing Pix+Édu, a signed registry naming one staff member
for pix-edu, and two files of the same results: Pix's export (names, e-mails or birth
dates, certification numbers, French dates, `;`), with U rows matching nobody, and the
slug-keyed CSV of the rows that match (the baseline, measured in the same run). Each
import runs as a user runs it (a new process) in its own fresh copy of the workspace,
and signs every matched row. The issue's target (issue 29): 1,000 rows, 10 unmatched,
in under 5 s, the 10 reported. A third figure imports Pix's export again into the copy
that already recorded it: nothing is signed twice, every row is read and compared.
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


def make_workspace(root: Path, count: int) -> Path:
    """N candidates pursuing pix-edu, the demo's identities, a signed registry; the staff key's path."""
    from portfolio_gen.core.registry import load_registry
    from portfolio_gen.core.settings import load_settings
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.demo import publish_identities
    from portfolio_gen.institution.registry_credential import sign_registry

    (root / "referentiels").mkdir(parents=True)
    shutil.copyfile(REPO / "portfolio-gen.yml", root / "portfolio-gen.yml")
    for framework in (REPO / "referentiels").glob("*.yml"):
        shutil.copyfile(framework, root / "referentiels" / framework.name)
    for n in range(count):
        folder = root / "candidates" / f"c{n:05d}"
        folder.mkdir(parents=True)
        (folder / "candidate.yml").write_text(yaml.safe_dump({
            "name": f"Prénom{n} Nom{n}", "role": "enseignant", "institution": "INSPÉ", "language": "fr",
            "frameworks": [{"id": "pix-edu"}],
            "private": {"email": f"p{n}@example.org", "birth_date": f"1990-01-{1 + n % 28:02d}"}},
            allow_unicode=True), "utf-8")
    keys = publish_identities(root)
    workspace = load_workspace(root, cache=False)
    sign_registry(root, load_settings(root), load_registry(root, workspace.frameworks), keys["institution"],
                  now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    return root / "keys" / "lea-garnier.key.pem"


def write_exports(root: Path, count: int, unmatched: int) -> tuple[Path, Path]:
    """Pix's export (every third person matched by name and birth date, the others by
    e-mail) and the slug-keyed file of the matched rows."""
    pix = ["Numéro de certification;Prénom;Nom;Adresse e-mail;Date de naissance;Niveau;"
           "Date de passage de la certification"]
    slugs = ["candidate,level,date,source"]
    for n in range(count - unmatched):
        email = f"autre{n}@example.net" if n % 3 == 0 else f"P{n}@EXAMPLE.ORG"
        pix.append(f"P-{n};PRÉNOM{n};nom{n};{email};{1 + n % 28:02d}/01/1990;{1 + n % 4};02/04/2026")
        slugs.append(f"c{n:05d},{1 + n % 4},2026-04-02,Pix+Édu n° P-{n}")
    for n in range(unmatched):
        pix.insert(1 + n * (count // max(unmatched, 1)), f"P-X{n};Inconnu;Personne{n};x{n}@example.org;;1;02/04/2026")
    (root / "pix.csv").write_text("\n".join(pix) + "\n", "utf-8")
    (root / "slugs.csv").write_text("\n".join(slugs) + "\n", "utf-8")
    return root / "pix.csv", root / "slugs.csv"


def run_import(template: Path, work: Path, export: str, key: Path,
               fresh: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """`import-results` of `export` in a fresh copy of the workspace (or, `fresh=False`, in
    `work` as the previous run left it), as a new process."""
    if fresh:
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(template, work, symlinks=True)
    env = {**os.environ, "HOME": str(work / ".home"), "XDG_CACHE_HOME": "", "XDG_STATE_HOME": "",
           "XDG_CONFIG_HOME": ""}
    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "portfolio_gen", "--root", str(work), "--lang", "en",
                              "import-results", str(work / export), "--framework", "pix-edu",
                              "--key", str(work / key.relative_to(template))],
                             capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, nargs="?", default=1000)
    parser.add_argument("unmatched", type=int, nargs="?", default=10)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each import; the best is kept.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pix-") as tmp:
        template = Path(tmp) / "workspace"
        key = make_workspace(template, options.rows - options.unmatched)
        write_exports(template, options.rows, options.unmatched)
        best: dict[str, float] = {}
        for label, export, code in (("slug-keyed", "slugs.csv", 0), ("pix export", "pix.csv", 1)):
            for _ in range(options.repeat):
                seconds, process = run_import(template, Path(tmp) / "run", export, key)
                assert process.returncode == code, process.stderr[-2000:]
                if export == "pix.csv":
                    reported = process.stderr.count("no candidate matches")
                    assert reported == options.unmatched, f"{reported} unmatched reported"
                best[label] = min(best.get(label, seconds), seconds)
        for _ in range(options.repeat):  # the copy the last Pix import left: already recorded
            seconds, process = run_import(template, Path(tmp) / "run", "pix.csv", key, fresh=False)
            assert process.returncode == 1 and "already recorded" in process.stderr, process.stderr[-2000:]
            best["again"] = min(best.get("again", seconds), seconds)
        matched = options.rows - options.unmatched
        print(f"{options.rows} rows, {options.unmatched} unmatched ({matched} signed), best of {options.repeat}:")
        print(f"  slug-keyed import   {best['slug-keyed']:6.2f} s   1.00")
        print(f"  Pix export import   {best['pix export']:6.2f} s   {best['pix export'] / best['slug-keyed']:.2f}"
              f"   ({options.unmatched} unmatched reported)")
        print(f"  the same, again     {best['again']:6.2f} s   {best['again'] / best['slug-keyed']:.2f}"
              f"   (nothing signed twice)")


if __name__ == "__main__":
    main()
