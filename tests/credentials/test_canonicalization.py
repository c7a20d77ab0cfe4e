"""Canonical forms: JCS stability, and RDFC-1.0 with portfolio-gen's context memo
byte-identical to plain pyld on the vectors and on generated credentials."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from portfolio_gen.credentials.canonicalization import CanonicalizationError, ContentMemo, jcs, rdfc_1_0
from portfolio_gen.credentials.loader import DocumentLoader

from .conftest import FIXTURES, VECTORS, clone

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)


def reorder(value, rng: random.Random):
    """The same JSON value with every object's keys in a shuffled order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: reorder(item, rng) for key, item in items}
    if isinstance(value, list):
        return [reorder(item, rng) for item in value]
    return value


@given(json_values, st.integers())
def test_jcs_is_stable_under_key_reordering(value, seed):
    assert jcs(reorder(value, random.Random(seed))) == jcs(value)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_jcs_output_is_sorted_json_that_parses_back(value):
    text = jcs(value).decode("utf-8")
    assert json.loads(text) == value
    assert list(json.loads(text)) == sorted(value, key=lambda k: k.encode("utf-16-be"))


def test_jcs_refuses_non_json():
    with pytest.raises(CanonicalizationError):
        jcs({"value": float("nan")})


def plain_pyld(document: dict) -> str:
    """The reference: pyld's own normalize with a fresh loader and no memo."""
    loader = DocumentLoader()
    return jsonld.normalize(
        clone(document),
        {"documentLoader": loader, "algorithm": "URDNA2015", "format": "application/n-quads"},
    )


def test_vector_document_matches_plain_pyld():
    unsigned = json.loads((VECTORS / "unsigned.json").read_text())
    assert rdfc_1_0(unsigned, DocumentLoader()) == plain_pyld(unsigned)


# One loader for every generated example: the memo must never leak one document's
# processing into another's.
SHARED_LOADER = DocumentLoader()
OB_TYPES = ["Achievement", "Profile", "AchievementSubject", "Criteria", "IdentityObject",
            "Alignment", "Evidence", "Result", "Image"]
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@st.composite
def openbadges(draw):
    credential = json.loads((FIXTURES / "openbadge.json").read_text())
    achievement = credential["credentialSubject"]["achievement"]
    achievement["name"] = draw(text)
    if draw(st.booleans()):
        del achievement["id"]  # becomes a blank node
    if draw(st.booleans()):
        credential["issuer"] = draw(st.sampled_from(["did:web:example.org", "urn:x:y"]))
    credential["evidence"] = [
        {"type": ["Evidence"], "name": draw(text), "narrative": draw(text)}
        for _ in range(draw(st.integers(0, 3)))
    ]
    if draw(st.booleans()):
        achievement["alignment"] = [{
            "type": ["Alignment"], "targetName": draw(text),
            "targetUrl": "https://example.org/" + draw(st.text("abc", max_size=5)),
        }]
    if draw(st.booleans()):
        credential["credentialSubject"]["result"] = [
            {"type": ["Result"], "value": draw(text)}
        ]
    if draw(st.booleans()):
        # An inline context in the document itself (never memoized).
        credential["@context"].append({"extra": "https://example.org/vocab#extra"})
        credential["extra"] = draw(text)
    credential["validFrom"] = draw(st.sampled_from(
        ["2024-06-14T09:30:00Z", "2024-06-14T09:30:00.5+02:00"]))
    return credential


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(openbadges())
def test_generated_credentials_match_plain_pyld(credential):
    assert rdfc_1_0(credential, SHARED_LOADER) == plain_pyld(credential)


def test_inline_context_changes_are_seen_between_calls():
    # The memo keys inline contexts of the caller's documents by value, never by
    # identity: editing one in place must change the result.
    loader = DocumentLoader()
    document = {"@context": {"name": "https://schema.org/name"}, "@id": "urn:a", "name": "x"}
    first = rdfc_1_0(document, loader)
    document["@context"]["name"] = "https://example.org/name"
    second = rdfc_1_0(document, loader)
    assert first != second
    assert second == plain_pyld(document)


def test_unknown_context_is_refused():
    with pytest.raises(CanonicalizationError, match="not a bundled JSON-LD context"):
        rdfc_1_0({"@context": "https://example.com/c", "@id": "urn:a"}, DocumentLoader())


def test_the_content_memo_computes_once_per_content_and_tells_apart_what_json_ld_does():
    memo = ContentMemo(maxsize=16)
    calls = []

    def computed(document):
        return memo.get(document, lambda: calls.append(document) or len(calls))

    assert computed({"a": [1], "b": "x"}) == computed({"a": [1], "b": "x"}) == 1  # another object, same content
    # Key order (which problem is named first), 1 / 1.0 / True, a tuple and a list: others.
    for other in ({"b": "x", "a": [1]}, {"a": [1.0], "b": "x"}, {"a": [True], "b": "x"}, {"a": (1,), "b": "x"}):
        computed(other)
    assert len(calls) == 5
    document = {"a": [1], "b": "x"}
    document["a"].append(2)  # edited in place: its content is another
    assert computed(document) == 6


def test_a_loader_serving_other_documents_shares_no_canonical_form():
    url = "https://www.w3.org/ns/credentials/v2"
    document = {"@context": url, "@id": "urn:uuid:5e1c1f4e-0000-4000-8000-000000000001", "name": "x"}
    bundled = rdfc_1_0(document, DocumentLoader())  # remembered for bundled-only loaders
    other = DocumentLoader(extra_documents={url: {"@context": {"name": "https://example.org/other#name"}}})
    assert not other.bundled_only
    assert rdfc_1_0(document, other) != bundled
    assert "https://example.org/other#name" in rdfc_1_0(document, other)
    assert rdfc_1_0(document, DocumentLoader()) == bundled == plain_pyld(document)


def test_forgetting_every_memo_computes_again_as_a_new_process_would():
    memo = ContentMemo(maxsize=4)
    calls = []
    memo.get({"a": 1}, lambda: calls.append(1))
    ContentMemo.forget_all()
    memo.get({"a": 1}, lambda: calls.append(1))
    assert len(calls) == 2
