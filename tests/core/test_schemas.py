"""The compiled fast path and jsonschema never disagree on whether a file is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from portfolio_gen.core import schemas
from portfolio_gen.core.yamlfile import load_front_matter, load_mapping

REPO = Path(__file__).resolve().parents[2]
NAMES = [n for n in schemas.SCHEMA_NAMES if n not in ("framework", "workspace", "registry")]


def keys_of(schema: dict) -> list[str]:
    found = []
    for key, value in schema.items():
        if key == "properties":
            found += list(value)
        if isinstance(value, dict):
            found += keys_of(value)
        elif isinstance(value, list):
            found += [k for v in value if isinstance(v, dict) for k in keys_of(v)]
    return found


def values(keys: list[str]):
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-3, 5), st.floats(allow_nan=False), st.text(max_size=12),
        st.sampled_from(["2026-01-15", "2026-13-45", "2026-02-30", "26-1-1", "c2i2e:B2.3", "public", "draft",
                         "fr", "en", "stagiaire", "formation", "https://example.org", "x@example.org", ""]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(keys + ["unknown"]), inner, max_size=5)), max_leaves=12)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_and_full_validators_agree(name: str, data):
    keys = sorted(set(keys_of(schemas.schema(name))))
    document = data.draw(st.dictionaries(st.sampled_from(keys + ["unknown"]), values(keys), max_size=10))
    assert schemas.is_valid(name, document) == (not list(schemas._validator(name).iter_errors(document)))


def demo_documents():
    for path in sorted((REPO / "candidates").rglob("*")):
        if path.name == "candidate.yml":
            yield "candidate", load_mapping(path)
        elif path.parent.name == "entries" and path.suffix == ".md":
            yield "entry", load_front_matter(path).meta
        elif path.parent.name == "self-assessments":
            yield "self-assessment", load_mapping(path)


@pytest.mark.parametrize("mutation", ["date", "drop", "type"])
def test_they_agree_on_the_demo_files_and_their_mutations(mutation: str):
    documents = list(demo_documents())
    assert len(documents) > 20
    for name, document in documents:
        document = dict(document)
        first = next(iter(document))
        if mutation == "date" and "date" in document:
            document["date"] = "2026-02-30"
        elif mutation == "drop":
            document.pop(first)
        elif mutation == "type":
            document[first] = ["not", "a", "scalar"]
        assert schemas.is_valid(name, document) == (not list(schemas._validator(name).iter_errors(document))), \
            (name, document)


@pytest.mark.parametrize("name", ["candidate", "framework", "workspace"])
def test_the_language_enums_are_the_tools_languages(name):
    """A language added to core/model.LANGUAGES (and its catalogue) but not to a schema
    would be refused in that file, or one in the schema the tool cannot speak accepted."""
    from portfolio_gen.core.model import LANGUAGES
    from portfolio_gen.core.schemas import schema

    properties = schema(name)["properties"]
    assert set(properties["language"]["enum"]) == set(LANGUAGES)
    if "languages" in properties:
        assert set(properties["languages"]["items"]["enum"]) == set(LANGUAGES)
