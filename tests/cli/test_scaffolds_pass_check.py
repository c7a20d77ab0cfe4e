"""What `init`, `init --candidate`, `new candidate`, `new entry` and `new self-assessment`
write passes `check`, for every shipped framework; level labels are read whatever their
case and accents; a field value in the other language is named with the one to write
(issue 31)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REFERENTIELS, run_cli
from portfolio_gen.core.frameworks import load_framework

SHIPPED = {path.stem: load_framework(path) for path in sorted(REFERENTIELS.glob("*.yml"))}


def mention_options(framework_id: str) -> list[str]:
    mentions = SHIPPED[framework_id].mentions
    return ["--mention", str(mentions[0])] if mentions else []


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace as `init` makes it, shared by the module: each test adds its own candidate."""
    root = tmp_path_factory.mktemp("scaffolds") / "ws"
    made = run_cli("init", str(root))
    assert made.returncode == 0, made.stderr
    checked = run_cli("--root", str(root), "check")
    assert checked.returncode == 0, checked.stderr  # init's own scaffold passes check
    return root


@pytest.mark.parametrize("framework_id", sorted(SHIPPED))
def test_new_candidate_entry_and_self_assessment_pass_check(initialised: Path, framework_id: str):
    root, framework = initialised, SHIPPED[framework_id]
    slug = f"candidate-{framework_id}"
    made = run_cli("--root", str(root), "new", "candidate", f"Candidate {framework_id}", "--slug", slug,
                   "--framework", framework_id, "--email", "someone@example.fr", *mention_options(framework_id))
    assert made.returncode == 0, made.stderr
    item = framework.items[0]
    phase = ["--phase", framework.phases[[p.code for p in framework.phases].index(item.phase)].title.upper()] \
        if item.phase else []
    entry = run_cli("--root", str(root), "new", "entry", slug, "Séance", "--claim", f"{framework_id}:{item.code}",
                    "--situation", "formation", *phase)
    assert entry.returncode == 0, entry.stderr
    # A level by its title, in capitals and without its accents: the label a user reads.
    title = framework.assessment_scale[-1].title.upper().replace("É", "E")
    assessed = run_cli("--root", str(root), "new", "self-assessment", slug, "--framework", framework_id,
                       "--level", f"{item.code}={title}")
    assert assessed.returncode == 0, assessed.stderr
    written = yaml.safe_load(Path(root, assessed.stdout.strip()).read_text("utf-8"))
    assert written["levels"] == {item.code: framework.assessment_scale[-1].code}  # files keep codes
    checked = run_cli("--root", str(root), "check", slug)
    assert checked.returncode == 0, checked.stderr
    if item.phase:
        assert f"phase: {item.phase}\n" in Path(root, entry.stdout.strip()).read_text("utf-8")


def test_a_framework_organised_by_mention_needs_one_and_nothing_is_written(initialised: Path):
    made = run_cli("--root", str(initialised), "new", "candidate", "Sans Mention", "--framework", "crcne", lang="fr")
    assert made.returncode == 2
    assert "crcne s'organise par mention" in made.stderr and "--mention N (parmi 1, 2, 3)" in made.stderr
    assert not (initialised / "candidates" / "sans-mention").exists()
    wrong = run_cli("--root", str(initialised), "new", "candidate", "Mauvaise", "--framework", "crcne",
                    "--mention", "9")
    assert wrong.returncode == 2 and "crcne has no such mention" in wrong.stderr
    assert wrong.stderr.count("error:") == 1
    stray = run_cli("--root", str(initialised), "new", "candidate", "Sans", "--framework", "c2i2e", "--mention", "1")
    assert stray.returncode == 2 and "none of the frameworks chosen (c2i2e)" in stray.stderr


def test_a_phase_or_level_off_the_framework_is_refused_before_writing(initialised: Path):
    root = initialised
    assert run_cli("--root", str(root), "new", "candidate", "Phases", "--framework", "crcne",
                   "--mention", "1").returncode == 0
    entries = sorted((root / "candidates/phases/entries").iterdir())
    other = run_cli("--root", str(root), "new", "entry", "phases", "Autre", "--claim", "crcne:I1",
                    "--phase", "Mise en œuvre")
    assert other.returncode == 2 and "evaluated in phase 'conception'" in other.stderr
    unknown = run_cli("--root", str(root), "new", "self-assessment", "phases", "--framework", "crcne",
                      "--level", "I1=excellent", "--level", "I2")
    assert unknown.returncode == 2 and "expected CODE=LEVEL" in unknown.stderr
    assert sorted((root / "candidates/phases/entries").iterdir()) == entries
    assert not (root / "candidates/phases/self-assessments").exists()


@pytest.mark.parametrize("framework_id", sorted(SHIPPED))
def test_init_candidate_passes_check_for_every_framework(built_demo: Path, tmp_path: Path, framework_id: str):
    target = tmp_path / "repository"
    made = run_cli("init", str(target), "--candidate", "Élise Durand", "--institution", str(built_demo / "site"),
                   "--framework", framework_id, "--email", "elise@example.fr", *mention_options(framework_id))
    assert made.returncode == 0, made.stderr
    checked = run_cli("--root", str(target), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_candidate_with_every_framework_asks_for_the_mention(built_demo: Path, tmp_path: Path):
    target = tmp_path / "repository"
    refused = run_cli("init", str(target), "--candidate", "Élise Durand", "--institution", str(built_demo / "site"),
                      "--email", "elise@example.fr")
    assert refused.returncode == 2 and "crcne is organised by mention" in refused.stderr
    assert not target.exists()
    made = run_cli("init", str(target), "--candidate", "Élise Durand", "--institution", str(built_demo / "site"),
                   "--email", "elise@example.fr", "--mention", "2")
    assert made.returncode == 0, made.stderr
    assert run_cli("--root", str(target), "check").returncode == 0


def test_sign_level_is_read_whatever_its_case_and_accents():
    framework = SHIPPED["crcne"]
    assert framework.level_code("Confirmé") == framework.level_code("CONFIRME") == "confirme"
    assert framework.level_code("Advanced") == "avance" and framework.level_code("confirmed ") == "confirme"
    assert framework.level_code("Expertise") is None


@pytest.mark.parametrize("written, suggested", [("publique", "public"), ("Privée", "private"),
                                                ("brouillon", "draft"), ("Public", "public")])
def test_a_visibility_in_french_is_named_with_the_value_to_write(initialised: Path, written: str, suggested: str):
    root = initialised
    slug = "valeurs"
    if not (root / "candidates" / slug).exists():
        assert run_cli("--root", str(root), "new", "candidate", "Valeurs", "--framework", "c2i2e").returncode == 0
    [entry] = (root / "candidates" / slug / "entries").iterdir()
    text = entry.read_text("utf-8")
    entry.write_text(text.replace("visibility: draft", f"visibility: {written}"), "utf-8")
    try:
        checked = run_cli("--root", str(root), "check", slug, lang="fr")
    finally:
        entry.write_text(text, "utf-8")
    assert checked.returncode == 2
    assert f"visibility : « {written} » n'est pas une valeur acceptée : écrivez « {suggested} »" in checked.stderr
    assert "valeurs acceptées : public, private, draft" in checked.stderr


def test_a_role_or_language_in_the_other_language_names_the_canonical_value():
    from portfolio_gen.core.model import LANGUAGES, ROLES
    from portfolio_gen.core.schemas import canonical_value
    assert canonical_value("Teacher", ROLES) == "enseignant" and canonical_value("Formatrice", ROLES) == "formateur"
    assert canonical_value("Français", LANGUAGES) == "fr" and canonical_value("training", ("professionnelle",
                                                                                          "formation")) == "formation"
    assert canonical_value("zzz", ROLES) is None


def test_signing_and_results_read_a_level_by_its_title(tmp_path: Path):
    """sign --level Confirmé and --criterion I1.1=AVANCÉ plan the codes; result --level too."""
    from conftest import shipped_candidate
    from portfolio_gen.core.records import level_on_scale
    from portfolio_gen.core.workspace import load_workspace
    from portfolio_gen.institution.issuing import SigningRequest, plan_items

    workspace = load_workspace(shipped_candidate(tmp_path, "sofia-benali"))
    entry = next(e for e in workspace.candidates["sofia-benali"].entries if e.slug == "2026-01-15-conception-album")
    [planned] = plan_items(workspace, entry, SigningRequest("sofia-benali", entry.slug, ("crcne:I1",), "M",
                                                            level="Confirmé"))
    assert planned.level == "confirme"
    codes = workspace.frameworks["crcne"].item_by_code["I1"].criterion_codes
    [marked] = plan_items(workspace, entry, SigningRequest("sofia-benali", entry.slug, ("crcne:I1",), "M",
                                                           criteria=tuple((c, "AVANCÉ") for c in codes)))
    assert marked.level == "avance" and {level for _, level in marked.marks} == {"avance"}
    assert level_on_scale(workspace.frameworks["crcne"], "Expert") == "expert"


def test_an_arabic_workspace_and_candidate_start_in_arabic_and_pass_check(tmp_path: Path):
    """What init and new candidate write was French or English whatever the language (issue 30):
    an Arabic-speaking administrator's workspace says `language: ar`, and an Arabic
    candidate's first entry is titled and prompted in Arabic, through the catalogue."""
    from portfolio_gen.core import i18n
    root = tmp_path / "ws"
    assert run_cli("--lang", "ar", "init", str(root)).returncode == 0
    settings = yaml.safe_load((root / "portfolio-gen.yml").read_text("utf-8"))
    assert settings["language"] == "ar" and settings["institution"]["name"] == i18n.text("scaffold.institution", "ar")
    made = run_cli("--root", str(root), "new", "candidate", "Amina Alaoui", "--framework", "c2i2e", "--language", "ar",
                   "--email", "amina@example.ma")
    assert made.returncode == 0, made.stderr
    entry = next((root / "candidates" / "amina-alaoui" / "entries").glob("*.md")).read_text("utf-8")
    assert f'title: "{i18n.text("scaffold.first_activity", "ar")}"' in entry, entry
    assert i18n.text("scaffold.entry_prompt", "ar") in entry and "Describe the activity" not in entry
    checked = run_cli("--root", str(root), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
