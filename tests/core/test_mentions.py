"""CRCNÉ mentions: which are open depends on the framework's version, and each requires a
kind of activity (seed 001), checked when a candidate is read (issue 29)."""

from __future__ import annotations

from pathlib import Path

from conftest import REFERENTIELS
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.workspace import load_workspace

PROFILE = """name: Alex Test
role: etudiant-meef
institution: INSPÉ
language: fr
frameworks:
  - id: crcne
    mention: {mention}
"""


def candidate(root: Path, mention: int, activity: str = "") -> Path:
    folder = root / "candidates" / "alex"
    (folder / "entries").mkdir(parents=True)
    (folder / "candidate.yml").write_text(PROFILE.format(mention=mention), "utf-8")
    line = f"activity: {activity}\n" if activity else ""
    (folder / "entries" / "seance.md").write_text(
        f"---\ntitle: T\ndate: 2026-02-01\nsituation: formation\nphase: conception\n{line}"
        "claims:\n  - crcne:I1\nvisibility: public\n---\nRetour réflexif.\n", "utf-8")
    return folder


def problems(root: Path) -> list[tuple[str, str, int | None]]:
    return [(p.key, p.file.name, p.line) for p in load_workspace(root).problems]


def test_the_2022_2023_grid_opens_mentions_1_to_3_and_says_each_ones_activity():
    crcne = load_framework(REFERENTIELS / "crcne.yml")
    assert crcne.version == "2022-2023" and crcne.mentions == (1, 2, 3)
    assert [crcne.activity_for(m).code for m in (1, 2, 3, 4)] == ["pedagogique", "pedagogique", "educative",
                                                                  "formation-adultes"]


def test_mention_4_is_refused_as_not_open_in_this_version(workspace: Path):
    candidate(workspace, 4)
    assert problems(workspace) == [("candidate.mention_not_open", "candidate.yml", 6)]


def test_an_entry_documenting_another_kind_of_activity_than_the_mention_requires(workspace: Path):
    candidate(workspace, 1, activity="educative")
    assert problems(workspace) == [("entry.activity_mismatch", "seance.md", 6)]


def test_the_activity_the_mention_requires_and_an_unknown_one(workspace: Path):
    candidate(workspace, 3, activity="educative")
    assert problems(workspace) == []
    (workspace / "candidates" / "alex" / "entries" / "seance.md").write_text(
        (workspace / "candidates" / "alex" / "entries" / "seance.md").read_text("utf-8")
        .replace("activity: educative", "activity: sportive"), "utf-8")
    assert problems(workspace) == [("entry.unknown_activity", "seance.md", 6)]
