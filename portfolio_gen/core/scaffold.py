"""Create workspaces, candidates and entries from templates, ready to edit."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import metadata, resources
from pathlib import Path
from typing import Mapping, Sequence

import jinja2

from . import i18n, toolwheel
from .files import write_atomic
from .frameworks import load_frameworks
from .model import SITUATIONS, Framework, scale_code
from .portfolios import CANDIDATE_FILE, ENTRIES_DIR, SELF_ASSESSMENTS_DIR, slug_for
from .registry import REGISTRY_FILE
from .problems import InputError, Problem, nearest
from .schemas import canonical_value, export_schemas, validate
from .yamlfile import parse_yaml
from .settings import DEFAULT_ENGINE, SETTINGS_FILE
from .workspace import CANDIDATES_DIR, FRAMEWORKS_DIR, framework_files

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
    # Written plain (`name: My institution`), the line the README and the guides say to edit.
    institution = i18n.text("scaffold.institution", language)
    templates = _templates()
    files = {
        SETTINGS_FILE: templates.get_template("portfolio-gen.yml.j2").render(
            institution_name=institution, domain=EXAMPLE_DOMAIN, language=language,
            language_comment=i18n.text("scaffold.language_setting", language)),
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


def write_workspace_files(root: Path, *, shards: int = 1, refresh_from: str = "", candidate: bool = False,
                          engine: str = DEFAULT_ENGINE) -> list[Path]:
    """What every workspace has, a cohort's or one candidate's repository: the JSON
    Schemas editors use, a .gitignore that keeps secrets and output out of git, the CI
    files that publish, and the candidates' folder."""
    created = export_schemas(root / SCHEMAS_DIR)
    write_atomic(root / ".gitignore", GITIGNORE, overwrite=False)
    created.append(root / ".gitignore")
    created += write_ci_files(root, shards=shards, refresh_from=refresh_from, candidate=candidate, engine=engine)
    (root / CANDIDATES_DIR).mkdir(exist_ok=True)
    return created


def write_ci_files(root: Path, *, shards: int = 1, refresh_from: str = "", candidate: bool = False,
                   engine: str = DEFAULT_ENGINE) -> list[Path]:
    """The GitHub Actions and GitLab CI files that publish the sites, installing the wheel
    the workspace's requirements.txt names (core/toolwheel.py).

    `shards` > 1 builds a large cohort in that many parallel jobs (`build --shard K/N`);
    `refresh_from`, the https site a candidate repository was made from, adds a step
    refreshing the institution's signed files before each build (and a weekly run).
    A `candidate` repository's CI writes its site's folder (`build --generate`) and builds
    it with `engine`'s own command, so the candidate can change engine without the tool
    (issue 33); a cohort's runs `build`, which reads site.engine."""
    written = []
    for name, template in CI_FILES.items():
        text = _templates().get_template(template).render(shards=shards, refresh_from=refresh_from,
                                                            candidate=candidate, engine=engine,
                                                            engine_install=engine_requirement(engine))
        write_atomic(root / name, text, overwrite=False)
        written.append(root / name)
    return written


def engine_requirement(engine: str) -> str:
    """What a CI installs besides the tool for `engine`: nothing for MkDocs (a dependency),
    Zensical at the version the tool's `zensical` extra pins (read from its metadata, so
    the pin is written once, in pyproject.toml)."""
    if engine == DEFAULT_ENGINE:
        return ""
    for requirement in metadata.requires("portfolio-gen") or ():
        name, _, marker = requirement.partition(";")
        if name.strip().startswith(engine) and f'extra == "{engine}"' in marker:
            return name.strip().replace(" ", "")
    return engine


def is_placeholder_email(slug: str, email: str) -> bool:
    """True for the address earlier versions invented: it names nobody, and a credential
    bound to it could never be matched to the candidate's real address."""
    return email.strip().lower() == PLACEHOLDER_EMAIL.format(slug=slug).lower()


def new_candidate(root: Path, name: str, role: str, institution: str, frameworks: Sequence[str],
                  language: str = "fr", slug: str | None = None, email: str = "",
                  mentions: Sequence[str] = ()) -> list[Path]:
    """Scaffold `candidates/<slug>/` with a profile and a first draft entry.

    `mentions`: `N` or `FRAMEWORK=N`, for the frameworks organised by mention (CRCNÉ): a
    profile pursuing one needs it, or `check` rejects it (issue 31), so it is refused
    here, before anything is written."""
    slug = slug or slug_for(name)
    folder = root / CANDIDATES_DIR / slug
    if folder.exists():
        raise FileExistsError(folder)
    known, _ = load_frameworks(framework_files(root))
    chosen = {framework: known[framework].mentions if framework in known else () for framework in frameworks}
    profile = _templates().get_template("candidate.yml.j2").render(
        name=_yaml_string(name), role=role, institution=_yaml_string(institution), language=language, slug=slug,
        frameworks=frameworks, mentions=chosen_mentions(chosen, mentions), email=email.strip())
    _check("candidate", profile, folder / CANDIDATE_FILE)
    write_atomic(folder / CANDIDATE_FILE, profile, overwrite=False)
    (folder / "evidence").mkdir()
    entry = new_entry(root, slug, i18n.text("scaffold.first_activity", language),
                      language=language)
    return [folder / CANDIDATE_FILE, entry]


def chosen_mentions(frameworks: Mapping[str, Sequence[int]], given: Sequence[str]) -> dict[str, int]:
    """Each framework organised by mention (`frameworks`: id -> its open mentions) with the
    mention `given` for it (`N`, or `FRAMEWORK=N` where several have mentions); InputError
    naming what is missing, unknown or ambiguous, with the option to give."""
    with_mentions = [f for f, open_ in frameworks.items() if open_]
    found: dict[str, int] = {}
    problems, named = [], set()
    for value in given:
        framework, _, number = value.rpartition("=") if "=" in value else ("", "", value)
        if not framework and len(with_mentions) == 1:
            framework = with_mentions[0]
        if not framework:
            key = "scaffold.mention_ambiguous" if with_mentions else "scaffold.mention_unexpected"
            problems.append(Problem(key, None, None, {"value": value, "frameworks": ", ".join(with_mentions)
                                                      or ", ".join(frameworks) or "-"}))
            continue
        named.add(framework)
        allowed = frameworks.get(framework, ())
        if not number.strip().isdigit() or int(number) not in allowed:
            problems.append(Problem("scaffold.mention_unknown", None, None, {
                "value": value, "framework": framework, "allowed": ", ".join(map(str, allowed)) or "-"}))
            continue
        found[framework] = int(number)
    problems += [Problem("scaffold.mention_required", None, None, {
        "framework": f, "allowed": ", ".join(map(str, frameworks[f]))}) for f in with_mentions if f not in named]
    if problems:
        raise InputError(problems)
    return found




def entry_prompts(language: str) -> dict[str, str]:
    """What a new entry's body asks the candidate, in their language (entry.md.j2's
    `prompt` and `reflection`; the editor's new entries start from the same template)."""
    return {"prompt": i18n.text("scaffold.entry_prompt", language),
            "reflection": i18n.text("scaffold.entry_reflection", language)}


def new_entry(root: Path, slug: str, title: str, claims: Sequence[str] = (),
              language: str = "fr", date: dt.date | None = None, *, phase: str = "",
              situation: str = "professionnelle") -> Path:
    """Scaffold `candidates/<slug>/entries/<date>-<title>.md` as a draft.

    `phase` (a code of the claimed frameworks' phases) and `situation` are checked as
    `check` checks them, before anything is written: InputError otherwise."""
    folder = root / CANDIDATES_DIR / slug
    if not (folder / CANDIDATE_FILE).exists():
        raise FileNotFoundError(folder / CANDIDATE_FILE)
    problems = entry_option_problems(load_frameworks(framework_files(root))[0], claims, phase, situation)
    if problems:
        raise InputError(problems)
    date = date or dt.date.today()
    path = folder / ENTRIES_DIR / f"{date.isoformat()}-{slug_for(title)}.md"
    text = _templates().get_template("entry.md.j2").render(
        title=_yaml_string(title), date=date.isoformat(), claims=claims,
        **entry_prompts(language),
        phase=phase, situation=situation)
    write_atomic(path, text, overwrite=False)
    return path


def entry_option_problems(frameworks: Mapping[str, Framework], claims: Sequence[str], phase: str,
                          situation: str) -> list[Problem]:
    """What `check` would say of an entry's situation and phase, given its claims."""
    problems = []
    if situation not in SITUATIONS:
        problems.append(Problem("schema.enum_suggest", None, None, {
            "field": "situation", "value": situation, "allowed": ", ".join(SITUATIONS),
            "suggestion": canonical_value(situation, SITUATIONS) or SITUATIONS[0]}))
    if not phase:
        return problems
    claimed = [(frameworks[f], code) for f, _, code in (c.partition(":") for c in claims) if f in frameworks]
    allowed = sorted({p.code for framework, _ in claimed for p in framework.phases})
    if phase not in allowed:
        return problems + [Problem("entry.unknown_phase", None, None, {"phase": phase, "allowed": ", ".join(allowed) or "-"})]
    for framework, code in claimed:
        item = framework.item_by_code.get(code)
        if item is not None and framework.phases and item.phase and item.phase != phase:
            problems.append(Problem("claim.other_phase", None, None,
                                    {"item": f"{framework.id}:{code}", "item_phase": item.phase, "phase": phase}))
    return problems


def phase_code(frameworks: Mapping[str, Framework], text: str) -> str:
    """The phase code `text` names among the frameworks' phases (its code or title, whatever
    the case and accents: `Mise en œuvre` is `mise-en-oeuvre`); `text` itself if none."""
    phases = [phase for framework in frameworks.values() for phase in framework.phases]
    return scale_code(phases, text) or text


def self_assessment_levels(framework: Framework, given: Mapping[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """A self-assessment's levels as typed (item, competence or domain code -> a level code
    or title of the framework's self-assessment scale, whatever its case and accents), as
    codes; and a problem for each unknown code or level."""
    scale = framework.assessment_scale
    levels, problems = {}, []
    for code, text in given.items():
        if not framework.group_items(code):
            problems.append(Problem("claim.unknown_item", None, None, {
                "code": code, "framework": framework.id,
                "suggestions": ", ".join(nearest(code, framework.item_by_code))}))
            continue
        level = scale_code(scale, text)
        if level is None:
            problems.append(Problem("claim.unknown_level", None, None, {
                "level": text, "framework": framework.id, "allowed": ", ".join(lv.code for lv in scale)}))
            continue
        levels[code] = level
    if not given:
        problems.append(Problem("self_assessment.no_levels", None, None, {"framework": framework.id}))
    return levels, problems


def new_self_assessment(root: Path, slug: str, framework: Framework, levels: Mapping[str, str],
                        date: dt.date | None = None, *, target: str = "") -> Path:
    """Write `candidates/<slug>/self-assessments/<date>-<framework>.yml`, the file the
    diagnostic reads (decisions/diagnostic.py): a level per item, competence or domain,
    each given as a code or a title (`self_assessment_levels`). Never replaces a file (a
    second one the same day gets a suffix); InputError, with nothing written, on any
    unknown code or level."""
    folder = root / CANDIDATES_DIR / slug
    if not (folder / CANDIDATE_FILE).exists():
        raise FileNotFoundError(folder / CANDIDATE_FILE)
    codes, problems = self_assessment_levels(framework, levels)
    target_code = scale_code(framework.assessment_scale, target) if target else None
    if target and target_code is None:
        problems.append(Problem("claim.unknown_level", None, None, {
            "level": target, "framework": framework.id,
            "allowed": ", ".join(lv.code for lv in framework.assessment_scale)}))
    if problems:
        raise InputError(problems)
    date = date or dt.date.today()
    text = _templates().get_template("self-assessment.yml.j2").render(
        framework=framework.id, date=date.isoformat(), target=target_code or "", levels=codes)
    _check("self-assessment", text, folder / SELF_ASSESSMENTS_DIR / f"{date.isoformat()}-{framework.id}.yml")
    for attempt in range(1, 1000):
        path = folder / SELF_ASSESSMENTS_DIR / (f"{date.isoformat()}-{framework.id}"
                                                 + ("" if attempt == 1 else f"-{attempt}") + ".yml")
        try:
            write_atomic(path, text, overwrite=False)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(path)


def _check(schema: str, text: str, path: Path) -> None:
    """Never write a file that `check` would reject (e.g. a malformed --email)."""
    problems = validate(schema, parse_yaml(text, path), path)
    if problems:
        raise InputError(problems)


def _yaml_string(value: str) -> str:
    """Quote a title so that colons or leading symbols cannot break the YAML."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
