"""Create workspaces, candidates and entries from templates, ready to edit."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path
from typing import Sequence

import jinja2

from . import toolwheel
from .files import write_atomic
from .portfolios import CANDIDATE_FILE, ENTRIES_DIR, slug_for
from .registry import REGISTRY_FILE
from .problems import InputError
from .schemas import export_schemas, validate
from .yamlfile import parse_yaml
from .settings import SETTINGS_FILE
from .workspace import CANDIDATES_DIR, FRAMEWORKS_DIR

SCHEMAS_DIR = "schemas"
# Publishing from git: a workflow per forge, each checking, building and verifying the sites.
CI_FILES = {".github/workflows/portfolio.yml": "github-workflow.yml.j2", ".gitlab-ci.yml": "gitlab-ci.yml.j2"}
GITIGNORE = ("# build output, caches and secrets never go to git\n/site/\n/public/\n/keys/\n*.key.pem\n"
             "/.portfolio-gen/\n/.cache/\n")
EXAMPLE_DOMAIN = "portfolios.example.org"
# Addresses that name nobody: the example domains reserved by RFC 2606 with the slug
# as local part, which earlier versions wrote when no --email was given.
PLACEHOLDER_EMAIL = "{slug}@example.org"


def _templates() -> jinja2.Environment:
    folder = resources.files("portfolio_gen").joinpath("data/scaffold")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined, autoescape=False)


def bundled_frameworks() -> list[Path]:
    folder = Path(str(resources.files("portfolio_gen").joinpath("data/referentiels")))
    return sorted(folder.glob("*.yml"))


def init_workspace(root: Path, language: str = "fr", *, today: dt.date | None = None, shards: int = 1) -> list[Path]:
    """Scaffold a workspace: frameworks, schemas, commented settings and evaluator registry,
    the tool's wheel and the CI files installing it.

    No example candidate: one would stay in `status`, `report` and `build` until deleted
    by hand. Refuses a non-empty folder."""
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(root)
    created = []
    (root / FRAMEWORKS_DIR).mkdir(parents=True)
    for framework in bundled_frameworks():
        target = root / FRAMEWORKS_DIR / framework.name
        shutil.copyfile(framework, target)
        created.append(target)
    institution = "Mon établissement" if language == "fr" else "My institution"
    templates = _templates()
    files = {
        SETTINGS_FILE: templates.get_template("portfolio-gen.yml.j2").render(
            institution_name=institution, domain=EXAMPLE_DOMAIN),
        REGISTRY_FILE: templates.get_template("evaluators.yml.j2").render(
            today=(today or dt.date.today()).isoformat()),
    }
    for name, text in files.items():
        write_atomic(root / name, text, overwrite=False)
        created.append(root / name)
    # The tool this workspace's CI installs: this one, kept in tool/ (institution sign
    # replaces it by the one that signs, and publishes it for the candidates' repositories).
    wheel = toolwheel.write_wheel(root)
    created += [root / wheel.path, toolwheel.pin(root, toolwheel.requirement(f"./{wheel.path}", wheel))]
    return created + write_workspace_files(root, shards=shards)


def write_workspace_files(root: Path, *, shards: int = 1, refresh_from: str = "") -> list[Path]:
    """What every workspace has, a cohort's or one candidate's repository: the JSON
    Schemas editors use, a .gitignore that keeps secrets and output out of git, the CI
    files that publish, and the candidates' folder."""
    created = export_schemas(root / SCHEMAS_DIR)
    write_atomic(root / ".gitignore", GITIGNORE, overwrite=False)
    created.append(root / ".gitignore")
    created += write_ci_files(root, shards=shards, refresh_from=refresh_from)
    (root / CANDIDATES_DIR).mkdir(exist_ok=True)
    return created


def write_ci_files(root: Path, *, shards: int = 1, refresh_from: str = "") -> list[Path]:
    """The GitHub Actions and GitLab CI files that publish the sites, installing the wheel
    the workspace's requirements.txt names (core/toolwheel.py).

    `shards` > 1 builds a large cohort in that many parallel jobs (`build --shard K/N`);
    `refresh_from`, the https site a candidate repository was made from, adds a step
    refreshing the institution's signed files before each build (and a weekly run)."""
    written = []
    for name, template in CI_FILES.items():
        text = _templates().get_template(template).render(shards=shards,
                                                            refresh_from=refresh_from)
        write_atomic(root / name, text, overwrite=False)
        written.append(root / name)
    return written


def is_placeholder_email(slug: str, email: str) -> bool:
    """True for the address earlier versions invented: it names nobody, and a credential
    bound to it could never be matched to the candidate's real address."""
    return email.strip().lower() == PLACEHOLDER_EMAIL.format(slug=slug).lower()


def new_candidate(root: Path, name: str, role: str, institution: str, frameworks: Sequence[str],
                  language: str = "fr", slug: str | None = None, email: str = "") -> list[Path]:
    """Scaffold `candidates/<slug>/` with a profile and a first draft entry."""
    slug = slug or slug_for(name)
    folder = root / CANDIDATES_DIR / slug
    if folder.exists():
        raise FileExistsError(folder)
    profile = _templates().get_template("candidate.yml.j2").render(
        name=_yaml_string(name), role=role, institution=_yaml_string(institution), language=language, slug=slug,
        frameworks=frameworks, email=email.strip())
    _check("candidate", profile, folder / CANDIDATE_FILE)
    write_atomic(folder / CANDIDATE_FILE, profile, overwrite=False)
    (folder / "evidence").mkdir()
    entry = new_entry(root, slug, "Première activité" if language == "fr" else "First activity",
                      language=language)
    return [folder / CANDIDATE_FILE, entry]


def new_entry(root: Path, slug: str, title: str, claims: Sequence[str] = (),
              language: str = "fr", date: dt.date | None = None) -> Path:
    """Scaffold `candidates/<slug>/entries/<date>-<title>.md` as a draft."""
    folder = root / CANDIDATES_DIR / slug
    if not (folder / CANDIDATE_FILE).exists():
        raise FileNotFoundError(folder / CANDIDATE_FILE)
    date = date or dt.date.today()
    path = folder / ENTRIES_DIR / f"{date.isoformat()}-{slug_for(title)}.md"
    text = _templates().get_template("entry.md.j2").render(
        title=_yaml_string(title), date=date.isoformat(), claims=claims, language=language)
    write_atomic(path, text, overwrite=False)
    return path


def _check(schema: str, text: str, path: Path) -> None:
    """Never write a file that `check` would reject (e.g. a malformed --email)."""
    problems = validate(schema, parse_yaml(text, path), path)
    if problems:
        raise InputError(problems)


def _yaml_string(value: str) -> str:
    """Quote a title so that colons or leading symbols cannot break the YAML."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
