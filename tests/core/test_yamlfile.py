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


LOADER_PROBE = r"""
import json, sys, yaml
if sys.argv[1] == "pure":
    yaml.__with_libyaml__ = False  # as on a system whose PyYAML lacks libyaml
from pathlib import Path
from portfolio_gen.core import yamlfile
from portfolio_gen.core.problems import InputError

def lines(value):
    if isinstance(value, yamlfile.LineDict):
        return {"line": value.line, "keys": value.key_lines, "children": {k: lines(v) for k, v in value.items()}}
    if isinstance(value, yamlfile.LineList):
        return {"line": value.line, "items": value.item_lines, "children": [lines(v) for v in value]}
    return value

out = []
for text in json.loads(sys.stdin.read()):
    try:
        data = yamlfile.parse_yaml(text, Path("x.yml"), first_line=2)
        out.append({"value": data, "lines": lines(data)})
    except InputError as error:
        out.append({"error": [(p.key, p.line) for p in error.problems]})
print(yamlfile._LineLoader.__mro__[1].__name__)
print(json.dumps(out, sort_keys=True, default=str))
"""

LOADER_CORPUS = [
    "name: A\nframeworks:\n  - id: c2i2e\n    mention: second-degre\n",
    "a: [1, 2, {b: 3}]\nc: 2026-01-15\nd: |\n  text\n  more\ne: null\n",
    "title: T\nclaims:\n  - item: c2i2e:B2.3\n    level: 2\n  - c2i2e:A1.1\n",
    "name: A\nname: B\n",
    "tags: [a\ndate: 2026-01-01\n",
    "a: 1\n  b: 2\n",
    "- x\n- y\n",
]


def test_libyaml_and_pure_python_loaders_give_the_same_values_and_lines():
    """The C loader is the fast path; the fallback must read every file identically."""
    import json
    import subprocess
    import sys

    results = {}
    for mode in ("libyaml", "pure"):
        run = subprocess.run([sys.executable, "-c", LOADER_PROBE, mode], input=json.dumps(LOADER_CORPUS),
                             capture_output=True, text=True, check=True)
        base, payload = run.stdout.split("\n", 1)
        results[mode] = (base, json.loads(payload))
    assert results["libyaml"][0] == "CSafeLoader" and results["pure"][0] == "SafeLoader"
    assert results["libyaml"][1] == results["pure"][1]
    assert results["libyaml"][1][3] == {"error": [["yaml.syntax", 3]]}  # duplicate key at its file line


# --- bounds (issue #15) ----------------------------------------------------------------------

from portfolio_gen.core.yamlfile import MAX_DEPTH, MAX_FILE_BYTES  # noqa: E402


def _problem(error: pytest.ExceptionInfo) -> tuple[str, int | None]:
    [problem] = error.value.problems
    return problem.key, problem.line


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path):
    # Thirty levels of ten: 10**30 values if built; refused at the first anchor instead.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    path = tmp_path / "bomb.yml"
    path.write_text("name: n\n" + "\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    assert _problem(error) == ("yaml.alias", 2)


@pytest.mark.parametrize("text, line", [("a: &x 1\nb: 2\n", 1), ("a: 1\nb: *x\n", None), ("a:\n  - &anchor\n    k: v\n", 2)])
def test_every_anchor_or_alias_is_refused_at_its_line(tmp_path: Path, text: str, line: int | None):
    path = tmp_path / "a.yml"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    key, found = _problem(error)
    # An alias to an unknown anchor is a syntax error in PyYAML: refused all the same.
    assert key in ("yaml.alias", "yaml.syntax")
    if line is not None:
        assert (key, found) == ("yaml.alias", line)


def test_front_matter_alias_lines_are_file_lines(tmp_path: Path):
    path = tmp_path / "e.md"
    path.write_text("---\ntitle: T\ntags: &t [a]\nother: *t\n---\nBody\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_front_matter(path)
    assert _problem(error) == ("yaml.alias", 3)


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path):
    path = tmp_path / "deep.yml"
    path.write_text("a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    assert _problem(error) == ("yaml.too_deep", 1)
    path.write_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", "utf-8")
    expected: list = []
    for _ in range(MAX_DEPTH - 2):
        expected = [expected]
    assert load_mapping(path)["a"] == expected  # the top mapping and MAX_DEPTH - 1 lists: accepted


def test_deep_nesting_far_beyond_python_recursion_is_refused(tmp_path: Path):
    path = tmp_path / "deep.yml"
    path.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    assert _problem(error)[0] == "yaml.too_deep"


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(InputError) as error:
        load_mapping(path)
    assert _problem(error) == ("file.too_large", None)
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 10) + b"\n")
    assert len(load_mapping(path)["a"]) == MAX_FILE_BYTES - 10
