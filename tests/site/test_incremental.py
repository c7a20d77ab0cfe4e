"""Skipping unchanged candidates, rebuilding changed ones, keeping sites through failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from portfolio_gen.site import builder
from portfolio_gen.site.builder import BUILT, FAILED, SKIPPED, build_cohort
from portfolio_gen.site.render import Renderer
from sitefixtures import site_workspace  # noqa: F401 - fixture

ALICE_ENTRY = Path("candidates/alice-durand/entries/sequence-sig.md")


def statuses(root: Path, **options) -> dict[str, str]:
    return {r.slug: r.status for r in build_cohort(root, output=root / "site", jobs=1, **options)}


def test_unchanged_candidates_are_skipped_and_touching_a_file_changes_nothing(site_workspace):
    assert statuses(site_workspace) == {"alice-durand": BUILT, "bob-smith": BUILT}
    assert statuses(site_workspace) == {"alice-durand": SKIPPED, "bob-smith": SKIPPED}
    entry = site_workspace / ALICE_ENTRY
    os.utime(entry, ns=(entry.stat().st_atime_ns, entry.stat().st_mtime_ns + 10**9))
    assert statuses(site_workspace) == {"alice-durand": SKIPPED, "bob-smith": SKIPPED}
    assert statuses(site_workspace, force=True) == {"alice-durand": BUILT, "bob-smith": BUILT}


def test_an_edited_entry_rebuilds_only_its_candidate(site_workspace):
    statuses(site_workspace)
    entry = site_workspace / ALICE_ENTRY
    entry.write_text(entry.read_text("utf-8").replace("PUBLIC-BODY-TEXT", "EDITED-BODY-TEXT"), "utf-8")
    assert statuses(site_workspace) == {"alice-durand": BUILT, "bob-smith": SKIPPED}
    page = site_workspace / "site/alice-durand/entries/sequence-sig/index.html"
    assert "EDITED-BODY-TEXT" in page.read_text("utf-8")


def test_a_changed_framework_or_deleted_site_rebuilds(site_workspace):
    statuses(site_workspace)
    framework = site_workspace / "referentiels/mini.yml"
    framework.write_text(framework.read_text("utf-8").replace("Item facultatif", "Item facultatif modifié"), "utf-8")
    assert statuses(site_workspace) == {"alice-durand": BUILT, "bob-smith": BUILT}
    (site_workspace / "site/bob-smith/index.html").unlink()
    (site_workspace / "site/bob-smith").rename(site_workspace / "elsewhere")
    assert statuses(site_workspace)["bob-smith"] == BUILT


def test_a_copied_workspace_keeps_its_sites_up_to_date_and_an_outside_output_has_records_of_its_own(
        site_workspace, tmp_path):
    """The records of the sites built inside the workspace travel with it (a clone on
    another machine, a folder moved or copied): its `build` skips what did not change. An
    output outside the workspace is another place, built once for itself."""
    import shutil

    statuses(site_workspace)
    copy = shutil.copytree(site_workspace, tmp_path / "elsewhere" / "workspace", symlinks=True)
    assert statuses(copy) == {"alice-durand": SKIPPED, "bob-smith": SKIPPED}
    entry = copy / ALICE_ENTRY
    entry.write_text(entry.read_text("utf-8").replace("PUBLIC-BODY-TEXT", "EDITED-BODY-TEXT"), "utf-8")
    assert statuses(copy) == {"alice-durand": BUILT, "bob-smith": SKIPPED}
    assert "EDITED-BODY-TEXT" in (copy / "site/alice-durand/entries/sequence-sig/index.html").read_text("utf-8")
    outside = tmp_path / "published"
    shutil.copytree(copy / "site", outside)
    built = {r.slug: r.status for r in build_cohort(copy, output=outside, jobs=1)}
    assert built == {"alice-durand": BUILT, "bob-smith": BUILT}


def test_a_failed_build_keeps_the_previous_site_and_names_the_file(site_workspace, monkeypatch):
    statuses(site_workspace)
    home = site_workspace / "site/alice-durand/index.html"
    before = home.read_bytes()
    real_render = Renderer.render

    def failing(self, page):
        if page.uri == "entries/sequence-sig.md":
            raise ValueError("template exploded")
        return real_render(self, page)

    monkeypatch.setattr(Renderer, "render", failing)
    results = {r.slug: r for r in build_cohort(site_workspace, output=site_workspace / "site", jobs=1, force=True)}
    assert results["alice-durand"].status == FAILED and results["bob-smith"].status == BUILT
    assert results["alice-durand"].file == site_workspace / ALICE_ENTRY
    assert "template exploded" in results["alice-durand"].error
    assert home.read_bytes() == before
    assert not [p for p in (site_workspace / "site").iterdir() if p.name.startswith(".")]  # no leftovers
    monkeypatch.undo()
    # The kept site still matches the inputs (only --force had asked for a rebuild).
    assert statuses(site_workspace)["alice-durand"] == SKIPPED


def test_bad_input_fails_that_candidate_only_and_cli_exits_2(site_workspace):
    env = {**os.environ, "PORTFOLIO_GEN_LANG": "en"}
    command = [sys.executable, "-c", "from portfolio_gen.cli import main; main()",
               "--root", str(site_workspace), "build", "--jobs", "2"]
    assert subprocess.run(command, capture_output=True, text=True, env=env).returncode == 0
    home = site_workspace / "site/alice-durand/index.html"
    before = home.read_bytes()
    entry = site_workspace / ALICE_ENTRY
    entry.write_text(entry.read_text("utf-8").replace("mini:M2", "mini:M9"), "utf-8")
    (site_workspace / "candidates/bob-smith/entries/workshop.md").write_text(
        (site_workspace / "candidates/bob-smith/entries/workshop.md").read_text("utf-8") + "\nMore.\n", "utf-8")
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    assert run.returncode == 2
    assert "candidates/alice-durand/entries/sequence-sig.md:" in run.stderr and "M9" in run.stderr
    assert "1 built, 0 unchanged, 1 failed" in run.stdout
    assert home.read_bytes() == before


def test_unknown_slug_is_reported(site_workspace):
    results = build_cohort(site_workspace, ["nobody"], output=site_workspace / "site")
    assert results[0].status == FAILED and results[0].problems[0].key == "candidate.unknown"


def test_swap_in_replaces_a_folder_in_one_step(tmp_path):
    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir(), new.mkdir()
    (old / "a").write_text("old"), (new / "a").write_text("new")
    builder.swap_in(new, old)
    assert (old / "a").read_text() == "new" and not new.exists()


def changing_validations(slug: str) -> list:
    """A provider whose answer the test changes through the environment (picklable)."""
    from sitefixtures import validations_for
    return validations_for(slug) if os.environ.get("SHOW_VALIDATIONS") == "1" else []


def test_provided_validations_skip_unchanged_candidates_without_reading_them(site_workspace, monkeypatch):
    monkeypatch.setenv("SHOW_VALIDATIONS", "1")
    assert statuses(site_workspace, validations=changing_validations) == {"alice-durand": BUILT, "bob-smith": BUILT}
    reads = []
    monkeypatch.setattr(builder, "read_candidate", lambda *args: reads.append(args) or (None, []))
    assert statuses(site_workspace, validations=changing_validations) == \
        {"alice-durand": SKIPPED, "bob-smith": SKIPPED}
    assert reads == []  # decided from stat calls and the provider's answer alone
    monkeypatch.undo()
    monkeypatch.setenv("SHOW_VALIDATIONS", "0")  # alice's validations withdrawn: her site changes
    assert statuses(site_workspace, validations=changing_validations) == {"alice-durand": BUILT, "bob-smith": SKIPPED}


def test_the_unchanged_check_spread_over_processes_skips_and_rebuilds_alike(site_workspace, monkeypatch):
    """A large cohort's pre-check runs in worker processes: the same verdict per candidate."""
    monkeypatch.setattr(builder, "PARALLEL_MIN_CHECKS", 0)
    two = lambda: {r.slug: r.status for r in build_cohort(site_workspace, output=site_workspace / "site", jobs=2)}  # noqa: E731
    assert two() == {"alice-durand": BUILT, "bob-smith": BUILT}
    assert two() == {"alice-durand": SKIPPED, "bob-smith": SKIPPED}
    entry = site_workspace / ALICE_ENTRY
    entry.write_text(entry.read_text("utf-8").replace("PUBLIC-BODY-TEXT", "EDITED-BODY-TEXT"), "utf-8")
    assert two() == {"alice-durand": BUILT, "bob-smith": SKIPPED}


def test_building_one_candidate_keeps_the_whole_cohort_on_the_institution_home(built_demo, tmp_path):
    """`build SLUG` rewrote the institution's home listing SLUG alone: the other candidates
    vanished from it until the next full build (test_faults saw it once, when a full disk
    let that one file through)."""
    import re
    import shutil

    root = Path(shutil.copytree(built_demo, tmp_path / "demo", symlinks=True))

    def listed() -> set[str]:
        return set(re.findall(r'href="([a-z-]+)/"', (root / "site" / "index.html").read_text("utf-8"))) - {"verify"}

    everyone = listed()
    assert len(everyone) >= 2, everyone  # those who asked to be listed
    assert build_cohort(root, ["camille-martin"], root / "site", force=True, jobs=1)[0].status == BUILT
    assert listed() == everyone
