import json
from pathlib import Path

import pytest

from portfolio_gen.credentials import loader as loader_module
from portfolio_gen.credentials.loader import DocumentLoader, DocumentLoadingError

SHARED_CONTEXTS = Path(__file__).parents[3] / "shared" / "contexts"


def test_serves_every_bundled_context():
    loader = DocumentLoader()
    contexts = loader_module.bundled_contexts()
    assert "https://www.w3.org/ns/credentials/v2" in contexts
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in contexts
    for url in contexts:
        remote = loader(url, {})
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


def test_refuses_unknown_url_with_clear_error():
    with pytest.raises(DocumentLoadingError, match="not a bundled JSON-LD context"):
        DocumentLoader()("https://example.com/evil-context.jsonld", {})


def test_network_only_when_explicitly_allowed(monkeypatch):
    fetched = []
    monkeypatch.setattr(
        loader_module, "_fetch", lambda url: fetched.append(url) or {"@context": {}}
    )
    with pytest.raises(DocumentLoadingError):
        DocumentLoader()("https://example.com/c", {})
    assert fetched == []
    allowed = DocumentLoader(allow_network=True)
    allowed("https://example.com/c", {})
    allowed("https://example.com/c", {})
    assert fetched == ["https://example.com/c"]  # fetched once, then cached


def test_network_loader_fetches_https_only():
    with pytest.raises(DocumentLoadingError, match="only https"):
        DocumentLoader(allow_network=True)("http://example.com/c", {})


def test_hands_out_copies_not_the_cache():
    loader = DocumentLoader()
    url = "https://www.w3.org/ns/credentials/v2"
    loader(url, {})["document"]["@context"] = "tampered"
    assert loader(url, {})["document"]["@context"] != "tampered"


def test_extra_documents_are_served():
    loader = DocumentLoader({"https://example.org/ctx": {"@context": {"a": "urn:a"}}})
    assert loader("https://example.org/ctx", {})["document"] == {"@context": {"a": "urn:a"}}


@pytest.mark.skipif(not SHARED_CONTEXTS.is_dir(), reason="../shared not beside the clone")
def test_bundled_contexts_are_the_shared_ones():
    index = json.loads((SHARED_CONTEXTS / "index.json").read_text())
    bundled = loader_module.bundled_contexts()
    assert set(index) == set(bundled)
    for url, name in index.items():
        assert json.loads(bundled[url]) == json.loads((SHARED_CONTEXTS / name).read_text())
