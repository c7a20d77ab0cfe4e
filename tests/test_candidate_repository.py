"""Candidate-owned repositories made from the institution's signed site (issue 12).

`init --candidate --institution SITE` takes the institution's settings, frameworks,
did.json and signed registry only once the signed manifest and every digest check out,
and writes nothing otherwise; `check` reports a pinned file edited by hand; `institution
update` shows what changed and refuses an older copy. The end-to-end test plays the
whole flow with local bare git repositories: candidate pushes, evaluator clones, signs
and pushes a branch, candidate merges, the workflow's steps build and verify the site,
and an entry edited after its validation is reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from portfolio_gen.core.settings import load_settings

INSTITUTION = "did:web:portfolios.example.org"
EMAIL = "elise.durand@example.fr"
SLUG = "elise-durand"


def cli(root: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    return run_cli("--root", str(root), *args, cwd=root, lang=lang)


def make_repository(site: Path, target: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("init", str(target), "--candidate", "Élise Durand", "--institution", str(site),
                   "--framework", "c2i2e", "--email", EMAIL, *extra)


@pytest.fixture
def institution(built_demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo institution's workspace with its built site: a `build`
    here finds the cohort's unchanged sites up to date (their records moved with the copy),
    as an institution that built its sites does."""
    root = tmp_path / "institution"
    shutil.copytree(built_demo, root, symlinks=True)
    return root


@pytest.fixture
def demo_institution(built_demo: Path) -> Path:
    """The demo institution's workspace and built site, for the tests that only make
    repositories from it and read it: the session's own, read-only (built_demo's guard
    fails the run if a test changes it)."""
    return built_demo


@pytest.fixture
def site(built_demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo institution's built site, to tamper with. The candidates'
    sites in it, which no test here changes, are hard links to the session's (built_demo's
    guard checks that they stay unchanged); the institution's files are copies."""
    source = built_demo / "site"
    slugs = {path.name for path in (built_demo / "candidates").iterdir()}

    def copy(origin: str, target: str) -> None:
        if Path(origin).relative_to(source).parts[0] in slugs:
            try:
                return os.link(origin, target)
            except OSError:
                pass
        shutil.copy2(origin, target)

    shutil.copytree(source, tmp_path / "site", symlinks=True, copy_function=copy)
    return tmp_path / "site"


def test_a_candidate_repository_takes_the_institutions_signed_files(demo_institution: Path, tmp_path: Path):
    target = tmp_path / "elise"
    made = make_repository(demo_institution / "site", target)
    assert made.returncode == 0, made.stderr
    assert INSTITUTION in made.stdout
    for name in ("portfolio-gen.yml", "did.json", "registry.json", "institution.json", "institution.lock",
                 "referentiels/c2i2e.yml", ".github/workflows/portfolio.yml", ".gitlab-ci.yml", ".gitignore",
                 f"candidates/{SLUG}/candidate.yml"):
        assert (target / name).is_file(), name
    assert not (target / "evaluators.yml").exists()  # the institution's own list stays with it
    assert not list(target.glob("keys/*")) and not list(target.rglob("*.key.pem"))
    assert (target / "portfolio-gen.yml").read_bytes() == (demo_institution / "portfolio-gen.yml").read_bytes()
    lock = json.loads((target / "institution.lock").read_text("utf-8"))
    assert lock["institution"] == INSTITUTION and lock["registry_version"] >= 1
    assert set(lock["files"]) >= {"portfolio-gen.yml", "did.json", "registry.json", "referentiels/c2i2e.yml"}
    profile = yaml.safe_load((target / f"candidates/{SLUG}/candidate.yml").read_text("utf-8"))
    assert [f["id"] for f in profile["frameworks"]] == ["c2i2e"] and profile["private"]["email"] == EMAIL
    checked = cli(target, "check")
    assert checked.returncode == 0, checked.stderr
    # The institution's logo comes with its settings (issue 32), pinned like them.
    logo = load_settings(demo_institution).institution.logo_setting
    assert logo and (target / logo).read_bytes() == (demo_institution / logo).read_bytes() and logo in lock["files"]
    assert load_settings(target).institution.logo is not None


def test_the_repositorys_ci_installs_the_wheel_the_institution_signed_by_url_and_digest(
        demo_institution: Path, tmp_path: Path):
    """Never a release of a package index (issue 30): the file the institution's site
    publishes, named in its signed manifest, at its public address."""
    [published] = (demo_institution / "site/institution/tool").glob("portfolio_gen-*.whl")
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    manifest = json.loads((demo_institution / "site/institution.json").read_text("utf-8"))
    assert manifest["credentialSubject"]["tool"] == {"path": f"tool/{published.name}", "sha256": digest}
    target = tmp_path / "elise"
    assert make_repository(demo_institution / "site", target).returncode == 0
    requirement = f"portfolio-gen @ https://portfolios.example.org/institution/tool/{published.name} " \
                  f"--hash=sha256:{digest}"
    assert requirement in (target / "requirements.txt").read_text("utf-8").splitlines()
    assert not (target / "tool").exists()  # the candidate's repository carries no wheel
    workflow = yaml.safe_load((target / ".github/workflows/portfolio.yml").read_text("utf-8"))
    [install] = [step["run"] for step in workflow["jobs"]["build"]["steps"] if step.get("id") == "install"]
    assert "--require-hashes -r requirements.txt" in install and "==" not in install


def test_the_candidates_own_publishing_url_replaces_the_institutions(demo_institution: Path, tmp_path: Path):
    target = tmp_path / "elise"
    made = make_repository(demo_institution / "site", target, "--site-base-url", "https://elise.example.io/portfolio")
    assert made.returncode == 0, made.stderr
    # The settings stay the institution's, byte for byte (their signature holds); her
    # address is in the lock, and the verifier and status list stay the institution's.
    assert (target / "portfolio-gen.yml").read_bytes() == (demo_institution / "portfolio-gen.yml").read_bytes()
    assert json.loads((target / "institution.lock").read_text("utf-8"))["site_base_url"] == \
        "https://elise.example.io/portfolio/"
    settings = load_settings(target)
    assert settings.site_url(SLUG) == "https://elise.example.io/portfolio/elise-durand/"
    assert settings.achievement_id("c2i2e", "A1.1") == "https://portfolios.example.org/referentiels/c2i2e/A1.1"
    assert settings.verifier_url == "https://portfolios.example.org/verify/"
    assert settings.institution.id == INSTITUTION
    assert cli(target, "check").returncode == 0


@pytest.mark.parametrize("tamper", ["framework", "settings", "manifest", "unsigned", "did", "registry", "wheel",
                                    "no-wheel"])
def test_a_tampered_or_unsigned_source_is_refused_and_nothing_is_written(site: Path, tmp_path: Path, tamper):
    if tamper == "framework":  # a host "adjusts" the rule
        path = site / "institution/referentiels/c2i2e.yml"
        path.write_text(path.read_text("utf-8").replace("min: 23", "min: 3"), "utf-8")
    elif tamper == "settings":  # and names another institution
        path = site / "institution/portfolio-gen.yml"
        path.write_text(path.read_text("utf-8").replace("INSPÉ de démonstration", "INSPÉ pirate"), "utf-8")
    elif tamper == "manifest":  # lists a digest of its own
        path = site / "institution.json"
        manifest = json.loads(path.read_text("utf-8"))
        manifest["credentialSubject"]["files"][0]["sha256"] = "0" * 64
        path.write_text(json.dumps(manifest), "utf-8")
    elif tamper == "unsigned":
        (site / "institution.json").unlink()
    elif tamper == "did":  # a key of the attacker's in the did.json the site serves
        path = site / ".well-known/did.json"
        document = json.loads(path.read_text("utf-8"))
        document["verificationMethod"][0]["publicKeyMultibase"] = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
        path.write_text(json.dumps(document), "utf-8")
    elif tamper in ("wheel", "no-wheel"):  # the CI would install another tool, or none
        [path] = (site / "institution/tool").glob("*.whl")
        path.write_bytes(path.read_bytes() + b"\0") if tamper == "wheel" else path.unlink()
    elif tamper == "registry":
        path = site / "registry.json"
        registry = json.loads(path.read_text("utf-8"))
        registry["credentialSubject"]["evaluators"][0]["frameworks"].append({"id": "digcompedu", "from": "2020-01-01"})
        path.write_text(json.dumps(registry), "utf-8")
    target = tmp_path / "elise"
    made = make_repository(site, target)
    assert made.returncode == 2, made.stdout + made.stderr
    assert "refused" in made.stderr and "Traceback" not in made.stderr
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".elise")]  # no staging left


def test_a_network_source_needs_allow_network(tmp_path: Path):
    target = tmp_path / "elise"
    made = run_cli("init", str(target), "--candidate", "Élise Durand", "--institution", "https://portfolios.example.org/")
    assert made.returncode == 2 and "--allow-network" in made.stderr
    assert not target.exists()


def test_candidate_and_institution_go_together(tmp_path: Path):
    made = run_cli("init", str(tmp_path / "x"), "--candidate", "Élise Durand")
    assert made.returncode == 2 and "--institution" in made.stderr


def test_a_pinned_file_edited_by_hand_fails_check(demo_institution: Path, tmp_path: Path):
    target = tmp_path / "elise"
    assert make_repository(demo_institution / "site", target).returncode == 0
    framework = target / "referentiels/c2i2e.yml"
    framework.write_text(framework.read_text("utf-8").replace("min: 23", "min: 3"), "utf-8")
    checked = cli(target, "check")
    assert checked.returncode == 2
    assert "referentiels/c2i2e.yml" in checked.stderr and "edited by hand" in checked.stderr
    assert "git checkout" in checked.stderr
    refused = cli(target, "institution", "update")  # nothing replaces an edit silently
    assert refused.returncode == 2 and "edited by hand" in refused.stderr


def test_a_stale_manifest_is_taken_down_and_build_says_so(institution: Path, tmp_path: Path):
    settings = institution / "portfolio-gen.yml"
    settings.write_text(settings.read_text("utf-8") + "language: fr\n", "utf-8")
    built = cli(institution, "build")
    assert built.returncode == 0, built.stderr
    assert "institution.json no longer matches portfolio-gen.yml" in built.stderr
    assert not (institution / "site/institution.json").exists()
    made = make_repository(institution / "site", tmp_path / "elise")
    assert made.returncode == 2 and "has not signed" in made.stderr


def test_institution_update_shows_what_changed_and_refuses_an_older_copy(institution: Path, site: Path,
                                                                         tmp_path: Path):
    old_site = site  # a copy of the site as it is now, before the institution's changes
    target = tmp_path / "elise"
    assert make_repository(institution / "site", target).returncode == 0
    assert "Nothing changed" in cli(target, "institution", "update").stdout
    assert "Rien n'a changé" in cli(target, "institution", "update", lang="fr").stdout

    # The institution adds an evaluator, publishes a new framework version, re-signs, rebuilds.
    registry = yaml.safe_load((institution / "evaluators.yml").read_text("utf-8"))
    registry["evaluators"].append({"id": "paul-martin", "name": "Paul Martin",
                                   "keys": ["did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"],
                                   "frameworks": [{"id": "c2i2e", "from": "2026-09-01"}]})
    (institution / "evaluators.yml").write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")
    framework = institution / "referentiels/c2i2e.yml"
    text = framework.read_text("utf-8")
    version = yaml.safe_load(text)["version"]
    framework.write_text(text.replace(f'version: "{version}"', "version: '2027'", 1), "utf-8")
    key = str(institution / "keys/institution.key.pem")
    # `build` publishes the institution's files whichever candidates it builds; one site,
    # on c2i2e, is enough beside them: the update reads the institution's files only.
    for command in (("registry", "sign", "--key", key), ("institution", "sign", "--key", key),
                    ("build", "camille-martin")):
        done = cli(institution, *command)
        assert done.returncode == 0, done.stderr

    updated = cli(target, "institution", "update")
    assert updated.returncode == 0, updated.stderr
    assert f"framework c2i2e: {version} -> 2027" in updated.stdout
    assert "+ evaluator paul-martin" in updated.stdout
    assert "updated registry.json" in updated.stdout
    assert cli(target, "check").returncode == 0
    lock = json.loads((target / "institution.lock").read_text("utf-8"))
    assert lock["registry_version"] == 2

    # The tool the repository's CI installs follows the one the institution publishes.
    requirements = target / "requirements.txt"
    pinned = requirements.read_text("utf-8")
    requirements.write_text(pinned.replace("portfolio_gen-0.1.0-", "portfolio_gen-0.0.9-") + "mkdocs-macros-plugin\n",
                            "utf-8")
    assert "updated requirements.txt" in cli(target, "institution", "update").stdout
    assert requirements.read_text("utf-8") == pinned.replace("\nportfolio-gen @", "\nmkdocs-macros-plugin\nportfolio-gen @")

    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    replayed = cli(target, "institution", "update", "--source", str(old_site))
    assert replayed.returncode == 2 and "older than the pinned" in replayed.stderr
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


# --- end to end, with git ---------------------------------------------------------------

def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def workflow_steps(root: Path) -> list[str]:
    """The GitHub workflow's shell steps, but installing and deploying (not possible here)."""
    workflow = yaml.safe_load((root / ".github/workflows/portfolio.yml").read_text("utf-8"))
    return [step["run"] for step in workflow["jobs"]["build"]["steps"] if "run" in step and step.get("id") not in ("install", "refresh")]


def run_steps(steps: list[str], cwd: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PORTFOLIO_GEN_LANG": "en"}
    for step in steps:
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", step], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"


ENTRY = """---
title: Séquence SIG en géographie
date: 2026-11-15
situation: professionnelle
claims:
- item: c2i2e:B2.3
  justification: Les élèves ont produit une carte commentée avec un SIG.
visibility: public
---
Séquence de quatre séances en 4e : les élèves construisent une carte des risques.
"""


def test_a_portfolio_lives_in_its_own_repository_from_creation_to_verified_site(demo_institution: Path, tmp_path: Path):
    remote = tmp_path / "elise.git"
    git(tmp_path, "init", "--bare", str(remote))

    # The candidate makes the repository from the institution's site, writes, pushes.
    mine = tmp_path / "elise"
    assert make_repository(demo_institution / "site", mine).returncode == 0
    entry = mine / f"candidates/{SLUG}/entries/2026-11-15-sequence-sig.md"
    entry.write_text(ENTRY, "utf-8")
    (mine / f"candidates/{SLUG}/entries").joinpath(
        next(p.name for p in (mine / f"candidates/{SLUG}/entries").glob("*premiere*"))).unlink()
    assert cli(mine, "request", SLUG, "2026-11-15-sequence-sig", "--evaluator", "marie-dupont").returncode == 0
    git(mine, "init")
    git(mine, "add", "-A")
    assert "institution.lock" in git(mine, "status", "--short")
    git(mine, "commit", "-m", "My portfolio")
    git(mine, "remote", "add", "origin", str(remote))
    git(mine, "push", "origin", "main")

    # The evaluator clones it, sees the request, signs with her own key, pushes a branch.
    theirs = tmp_path / "marie"
    git(tmp_path, "clone", str(remote), str(theirs))
    waiting = cli(theirs, "review", "--evaluator", "marie-dupont")
    assert "c2i2e:B2.3" in waiting.stdout
    signed = cli(theirs, "sign", SLUG, "2026-11-15-sequence-sig", "c2i2e:B2.3",
                 "--key", str(demo_institution / "keys/marie-dupont.key.pem"), "--evaluator-name", "Marie Dupont")
    assert signed.returncode == 0, signed.stderr
    assert "c2i2e:B2.3" not in cli(theirs, "review", "--evaluator", "marie-dupont").stdout
    git(theirs, "checkout", "-b", "validation-marie-dupont")
    git(theirs, "add", "-A")
    git(theirs, "commit", "-m", "Validation of c2i2e:B2.3")
    git(theirs, "push", "origin", "validation-marie-dupont")
    assert not list(theirs.rglob("*.key.pem"))  # her key never entered the repository

    # The candidate merges the evaluator's branch; the workflow's steps build and verify.
    git(mine, "fetch", "origin")
    git(mine, "merge", "--ff-only", "origin/validation-marie-dupont")
    assert list((mine / f"candidates/{SLUG}/credentials").glob("*.json"))
    run_steps(workflow_steps(mine), mine)
    verified = cli(mine, "verify", f"site/{SLUG}", "--institution", INSTITUTION, "--email", EMAIL)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "1 valid, 0 failed" in verified.stdout
    # The site the repository's CI built wears the institution's logo, as its own sites do.
    assert (mine / "site" / SLUG / "assets" / "institution-logo.svg").read_bytes() == \
        (demo_institution / load_settings(demo_institution).institution.logo_setting).read_bytes()

    # The institution's view of the candidate's site equals the candidate's own report.
    sites = tmp_path / "sites.txt"
    sites.write_text(f"{mine / 'site' / SLUG}\n", "utf-8")
    cohort = json.loads(cli(mine, "report").stdout)
    gathered = cli(demo_institution, "report", "--sites", str(sites))
    assert gathered.returncode == 0, gathered.stderr
    assert json.loads(gathered.stdout)["frameworks"]["c2i2e"] == cohort["frameworks"]["c2i2e"]
    [row] = cohort["rows"]
    assert row["validated"] == 1  # the repository's own report counts the merged validation
    assert [r["validated"] for r in json.loads(gathered.stdout)["rows"]] == [row["validated"]]

    # An entry rewritten after its validation is reported, the signature still valid: by
    # `verify` and `audit` in the repository, and on the credential's page of the site.
    entry.write_text(ENTRY.replace("quatre séances", "deux séances"), "utf-8")
    git(mine, "commit", "-am", "Rewrite")
    [credential] = (mine / f"candidates/{SLUG}/credentials").glob("*.json")
    changed = cli(mine, "verify", str(credential))
    assert changed.returncode == 0 and "entry modified after validation" in changed.stdout
    assert "entry modified after validation" in cli(mine, "audit").stdout
    run_steps(workflow_steps(mine), mine)
    page = mine / f"site/{SLUG}/credentials/{credential.stem}/index.html"
    assert "entrée modifiée après validation" in page.read_text("utf-8")  # the candidate writes in French
