"""The command line as a user runs it: init, scaffolding, check, frameworks, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_cli


def test_demo_cohort_passes_check():
    result = run_cli("check", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["problems"]
    assert len(report["candidates"]) >= 4
    assert {"c2i2e", "crcne", "encadrement-2009", "pix-edu", "digcompedu"} <= set(report["frameworks"])


def test_demo_cohort_has_one_candidate_meeting_c2i2e_and_one_not():
    rows = json.loads(run_cli("status", "--json").stdout)
    c2i2e = {r["candidate"]: r["claims_cover_rule"] for r in rows if r["framework"] == "c2i2e"}
    assert True in c2i2e.values() and False in c2i2e.values()
    every_framework = {r["framework"] for r in rows}
    assert {"c2i2e", "crcne", "encadrement-2009", "pix-edu", "digcompedu"} <= every_framework


def test_init_then_check_passes_and_files_reference_existing_schemas(tmp_path: Path):
    root = tmp_path / "ws"
    assert run_cli("init", str(root)).returncode == 0
    assert run_cli("--root", str(root), "check").returncode == 0
    run_cli("--root", str(root), "new", "candidate", "Élise Durand", "--framework", "c2i2e")
    for scaffolded in [*(root / "candidates").rglob("*"), *root.glob("[!.]*.yml")]:  # not .gitlab-ci.yml
        if scaffolded.suffix not in (".yml", ".md"):
            continue
        directive = next(line for line in scaffolded.read_text("utf-8").splitlines() if "$schema=" in line)
        schema = (scaffolded.parent / directive.split("$schema=")[1].strip()).resolve()
        assert schema.exists(), f"{scaffolded} points to missing {schema}"


def test_init_refuses_a_non_empty_folder(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("x")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 2 and "not empty" in result.stderr


def test_new_candidate_and_entry_scaffold_a_valid_portfolio(tmp_path: Path):
    root = tmp_path / "ws"
    run_cli("init", str(root))
    options = ("--framework", "crcne", "--role", "etudiant-meef", "--institution", "INSPÉ")
    # crcne is organised by mention: the scaffold cannot guess it, and writes nothing check would refuse
    refused = run_cli("--root", str(root), "new", "candidate", "Élise Durand", *options)
    assert refused.returncode == 2 and "--mention N" in refused.stderr
    assert not (root / "candidates/elise-durand").exists()
    created = run_cli("--root", str(root), "new", "candidate", "Élise Durand", *options, "--mention", "1")
    assert created.returncode == 0, created.stderr
    assert (root / "candidates/elise-durand/candidate.yml").exists()
    entry = run_cli("--root", str(root), "new", "entry", "elise-durand", "Séance: robotique", "--claim", "crcne:I1")
    assert entry.returncode == 0, entry.stderr
    assert run_cli("--root", str(root), "check").returncode == 0


def test_new_entry_with_a_typo_suggests_the_nearest_item(tmp_path: Path):
    root = tmp_path / "ws"
    run_cli("init", str(root))
    run_cli("--root", str(root), "new", "candidate", "Élise Durand", "--framework", "c2i2e")
    result = run_cli("--root", str(root), "new", "entry", "elise-durand", "X", "--claim", "c2i2e:B2.9")
    assert result.returncode == 2
    assert "c2i2e:B2." in result.stderr and "Traceback" not in result.stderr


def test_frameworks_show_json_lists_items_in_order():
    result = run_cli("frameworks", "show", "crcne", "--json")
    data = json.loads(result.stdout)
    assert [i["code"] for i in data["items"]] == [f"I{n}" for n in range(1, 9)]
    assert data["rule"] == "joint_level"


def test_frameworks_show_unknown_id_suggests(tmp_path: Path):
    result = run_cli("frameworks", "show", "c2i2", lang="fr")
    assert result.returncode == 2 and "c2i2e" in result.stderr and "référentiel inconnu" in result.stderr


def test_exported_schemas_accept_the_demo_profiles(tmp_path: Path):
    import jsonschema
    import yaml
    assert run_cli("schemas", str(tmp_path)).returncode == 0
    schema = json.loads((tmp_path / "candidate.schema.json").read_text("utf-8"))
    for profile in (REPO / "candidates").glob("*/candidate.yml"):
        jsonschema.validate(yaml.safe_load(profile.read_text("utf-8")), schema)


def test_check_slugs_checks_only_those_candidates(demo_workspace: Path):
    profile = demo_workspace / "candidates" / "julien-moreau" / "candidate.yml"
    profile.write_text(profile.read_text("utf-8").replace("role:", "rol:", 1), "utf-8")
    mine = run_cli("--root", str(demo_workspace), "check", "camille-martin", "--json")
    assert mine.returncode == 0 and json.loads(mine.stdout)["candidates"] == ["camille-martin"]
    broken = run_cli("--root", str(demo_workspace), "check", "julien-moreau", "--json")
    assert broken.returncode == 2
    assert {p["file"] for p in json.loads(broken.stdout)["problems"]} == {"candidates/julien-moreau/candidate.yml"}
    unknown = run_cli("--root", str(demo_workspace), "check", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr


def test_build_of_an_unknown_candidate_lists_the_known_ones_and_keeps_lines_apart(tmp_path: Path):
    """Issue #15: `build ../x` answered "known candidates: " (empty), and the summary could
    be glued to the first error when stdout and stderr share a terminal or log."""
    import subprocess
    import sys

    root = tmp_path / "ws"
    assert run_cli("init", str(root)).returncode == 0
    assert run_cli("--root", str(root), "new", "candidate", "Élise Durand", "--framework", "c2i2e",
                   "--email", "elise.durand@example.fr").returncode == 0
    result = run_cli("--root", str(root), "build", "../x")
    assert result.returncode == 2
    assert "known candidates: elise-durand" in result.stderr
    combined = subprocess.run(f'"{sys.executable}" -m portfolio_gen --lang en --root "{root}" build ../x 2>&1',
                              shell=True, capture_output=True, text=True)
    lines = combined.stdout.splitlines()
    summary = next(line for line in lines if "failed" in line and " in " in line)
    assert summary.startswith("0 built"), lines
    assert any(line.startswith("x: error: no candidate") or "no candidate '../x'" in line for line in lines)


def test_json_rows_come_one_per_line_and_read_back_whatever_they_hold():
    from portfolio_gen.cli.core import rows_json
    rows = [{"candidate": "élise", "comment": "two\nlines, \"quoted\" ]}"}, {"n": 1, "items": ["a", "b"]}]
    text = rows_json(rows)
    assert json.loads(text) == rows and len(text.splitlines()) == len(rows) + 2
    assert "élise" in text  # not escaped: readable as the candidate wrote it
    assert json.loads(rows_json([])) == []
