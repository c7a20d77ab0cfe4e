"""Each shipped framework whose item list is public says what its source says (issue 29).

The source's list is stored beside this test (tests/core/sources/<framework>.txt), copied
from the official text with where and when it was read, one `CODE | title` line per
domain and item (and per evaluation criterion, where the source gives them). The shipped
file must carry exactly those codes and titles, in that order: a framework file that
drifts from its programme's text fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REFERENTIELS
from portfolio_gen.core.frameworks import load_framework
from portfolio_gen.core.model import Framework

SOURCES = Path(__file__).parent / "sources"
PUBLIC = ("c2i2e", "crcn", "crcne", "digcompedu", "encadrement-2009", "pix-edu")


def _typographic(title: str) -> str:
    """Spacing and the apostrophe's shape are typography, not content: French puts a space
    before a colon, the sources do not always, and some write ’ where others write '.
    Everything else, accents and punctuation included, must be the same."""
    return " ".join(title.split()).replace(" :", ":").replace("’", "'")


def source_list(framework_id: str) -> tuple[set[str], list[tuple[str, str]]]:
    """The scope (`domains`, `items`) and the (code, title) lines of a stored source."""
    scope: set[str] = set()
    rows = []
    for line in (SOURCES / f"{framework_id}.txt").read_text("utf-8").splitlines():
        if line.startswith("# scope:"):
            scope = set(line.removeprefix("# scope:").split())
        elif line.strip() and not line.startswith("#"):
            code, _, title = line.partition(" | ")
            rows.append((code.strip(), _typographic(title)))
    return scope, rows


def shipped_list(framework: Framework, scope: set[str]) -> list[tuple[str, str]]:
    rows = []
    for domain in framework.domains:
        if "domains" in scope:
            rows.append((domain.code, _typographic(domain.title)))
        for item in domain.items if "items" in scope else ():
            rows.append((item.code, _typographic(item.title)))
            if "criteria" in scope:  # an item's evaluation criteria, coded I2.1, I2.2…
                rows += [(code, _typographic(text)) for code, text in zip(item.criterion_codes, item.criteria)]
    return rows


@pytest.mark.parametrize("framework_id", PUBLIC)
def test_shipped_file_matches_its_source(framework_id: str):
    scope, expected = source_list(framework_id)
    assert scope, f"{framework_id}.txt says what it covers (# scope: ...)"
    framework = load_framework(REFERENTIELS / f"{framework_id}.yml")
    assert shipped_list(framework, scope) == expected


def test_every_stored_source_names_where_it_was_read():
    for path in SOURCES.glob("*.txt"):
        header = [line for line in path.read_text("utf-8").splitlines() if line.startswith("#")]
        assert any("Source" in line for line in header), path.name
        assert any("2026-12-05" in line or "http" in line for line in header), path.name


def test_crcn_has_16_competences_in_5_domains_and_8_levels():
    crcn = load_framework(REFERENTIELS / "crcn.yml")
    assert [len(d.items) for d in crcn.domains] == [3, 4, 4, 3, 2]
    assert [lv.code for lv in crcn.levels] == [str(n) for n in range(1, 9)]
    assert crcn.source.url.startswith("https://www.legifrance.gouv.fr/")
    assert "2019-919" in crcn.source.title


@pytest.mark.parametrize("path", sorted(REFERENTIELS.glob("*.yml")), ids=lambda p: p.stem)
def test_a_framework_cites_public_documents_not_internal_files(path: Path):
    """`frameworks show` and the sites' JSON print the source as written: it names public
    documents (titles, bulletins, URLs), never the project's own research notes (issue 30:
    they showed « seed 001_….txt »)."""
    source = load_framework(path).source
    shown = " ".join(filter(None, (source.title, source.reference, source.url, source.note)))
    assert not re.search(r"\bseeds?\b|\b\d{3}_[0-9a-f]{16}\.txt\b", shown, re.I), shown
