"""YAML and front matter reading keeps line numbers right."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from portfolio_gen.core.problems import InputError
from portfolio_gen.core.yamlfile import load_front_matter, load_mapping, parse_yaml


def test_lines_of_keys_and_list_items(tmp_path: Path):
    path = tmp_path / "a.yml"
    path.write_text("a: 1\nb:\n  - x\n  - y: 2\n    z: 3\n", "utf-8")
    data = load_mapping(path)
    assert data.line_of("b") == 2
    assert data["b"].line_of(1) == 4
    assert data["b"][1].line_of("z") == 5


def test_front_matter_lines_are_file_lines(tmp_path: Path):
    path = tmp_path / "e.md"
    path.write_text("---\ntitle: T\nclaims:\n  - item: x:y\n---\nBody\n", "utf-8")
    document = load_front_matter(path)
    assert document.meta.line_of("claims") == 3
    assert document.meta["claims"].line_of(0) == 4
    assert document.body == "Body\n" and document.body_line == 6


def test_syntax_error_in_front_matter_points_at_the_file_line(tmp_path: Path):
    path = tmp_path / "e.md"
    path.write_text("---\ntitle: T\ntags: [a\ndate: 2026-01-01\n---\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_front_matter(path)
    assert error.value.problems[0].key == "yaml.syntax"
    assert error.value.problems[0].line in (4, 5)


def test_duplicate_keys_are_refused(tmp_path: Path):
    path = tmp_path / "a.yml"
    path.write_text("name: A\nname: B\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    assert error.value.problems[0].line == 2


def test_dates_stay_text_so_impossible_ones_are_reported_not_crashed():
    assert parse_yaml("d: 2026-13-45\n", Path("x"))["d"] == "2026-13-45"


# PyYAML's emitter does not round-trip YAML line-break characters (NEL, LS, PS) in
# values: keep them out of the metadata, but in the body, where our splitter must cope.
YAML_BREAKS = "\x85\u2028\u2029"
values = st.text(st.characters(exclude_characters=YAML_BREAKS, exclude_categories=("Cs",)), max_size=30)
scalars = st.one_of(values, st.integers(), st.booleans(), st.none())
documents = st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
                            st.one_of(scalars, st.lists(scalars, max_size=4)), max_size=8)


@given(documents, st.text(st.sampled_from("ab \n:-\u2028\x85é#"), max_size=200))
def test_front_matter_round_trip(tmp_path_factory, meta, body):
    path = tmp_path_factory.mktemp("fm") / "e.md"
    body = body.replace("\r", "")
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body, "utf-8")
    document = load_front_matter(path)
    assert dict(document.meta) == meta
    assert document.body == body
