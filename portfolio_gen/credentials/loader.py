"""JSON-LD document loader: the only place that fetches a JSON-LD document.

It serves the contexts bundled in `contexts/` (index.json maps URL -> file) and refuses
every other URL unless the caller explicitly allows network loading. Each loader owns
its caches of contexts, so several loaders (or builds) in one process never share state;
only results that depend on nothing but a document and the bundled contexts are shared
(canonicalization.ContentMemo), and only between loaders that serve nothing else.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

from ..core.http import FetchError, fetch
from .errors import CredentialsError

CONTEXTS_PACKAGE = "portfolio_gen.credentials"
CONTEXTS_FOLDER = "contexts"
# How many distinct processed contexts pyld may keep per loader: a credential uses a
# handful (VC 2.0, OB 3.0, data integrity) plus scoped contexts inside them.
RESOLVED_CONTEXT_CACHE_SIZE = 100
# Each (active context, local context) pair met while expanding documents.
PROCESSED_CONTEXT_CACHE_SIZE = 1000


class DocumentLoadingError(CredentialsError):
    """A JSON-LD document was asked for that this loader will not provide."""


@cache
def bundled_contexts() -> dict[str, str]:
    """URL -> raw JSON text of every bundled context (read once per process)."""
    folder = resources.files(CONTEXTS_PACKAGE).joinpath(CONTEXTS_FOLDER)
    index = json.loads(folder.joinpath("index.json").read_text("utf-8"))
    return {url: folder.joinpath(name).read_text("utf-8") for url, name in index.items()}


class DocumentLoader:
    """A pyld-compatible document loader: `loader(url, options) -> RemoteDocument`.

    Parsed documents are cached; pyld receives copies, never the cached originals
    (it rewrites relative context URLs in place). `pyld_options()` adds a per-loader context resolver
    so pyld's processed-context cache (its main speed-up) is reused across calls
    without using pyld's process-wide default cache.
    """

    def __init__(
        self,
        extra_documents: dict[str, dict] | None = None,
        *,
        allow_network: bool = False,
    ):
        self.allow_network = allow_network
        # Serving the bundled contexts and nothing else: what a document expands to is then
        # the same for every such loader (canonicalization.ContentMemo may share results).
        self.bundled_only = not allow_network and not extra_documents
        self._texts = dict(bundled_contexts())
        self._parsed: dict[str, dict] = {}
        for url, document in (extra_documents or {}).items():
            self._parsed[url] = copy.deepcopy(document)
        self._resolved_contexts = LRUCache(maxsize=RESOLVED_CONTEXT_CACHE_SIZE)
        # Active contexts already computed from these documents, for the
        # canonicalization module (see canonicalization._Processor).
        self.processed_contexts = LRUCache(maxsize=PROCESSED_CONTEXT_CACHE_SIZE)
        self._served: list[object] = []
        self._served_ids: set[int] = set()

    @property
    def urls(self) -> list[str]:
        return sorted(set(self._texts) | set(self._parsed))

    def document(self, url: str) -> dict:
        """The parsed document for `url` (shared: do not modify it)."""
        if url not in self._parsed:
            if url in self._texts:
                self._parsed[url] = json.loads(self._texts[url])
            elif self.allow_network:
                self._parsed[url] = _fetch(url)
            else:
                raise DocumentLoadingError(
                    f"{url}: not a bundled JSON-LD context; portfolio-gen does not load "
                    "documents from the network (bundled: " + ", ".join(self.urls) + ")"
                )
        return self._parsed[url]

    def __call__(self, url: str, options: dict | None = None) -> dict:
        # pyld resolves relative @context URLs in place: hand it a copy.
        document = copy.deepcopy(self.document(url))
        self._remember(document)
        return {
            "contextUrl": None,
            "documentUrl": url,
            # "static" lets pyld keep the resolved context in the loader's shared
            # cache; without a tag it re-resolves (and re-hashes) it on every call.
            "tag": "static",
            "document": document,
        }

    def _remember(self, document: object) -> None:
        # Objects inside documents this loader served (scoped contexts) never change
        # afterwards; the canonicalization memo may key on their identity, and they
        # are kept alive here so that identity is never reused by another object.
        self._served.append(document)
        stack = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                self._served_ids.add(id(node))
                stack.extend(node.values())
            elif isinstance(node, list):
                self._served_ids.add(id(node))
                stack.extend(node)

    def served(self, node: object) -> bool:
        """Whether `node` is (inside) a document this loader handed out."""
        return id(node) in self._served_ids

    def pyld_options(self) -> dict:
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved_contexts, self),
        }


def fetch_json(url: str) -> dict:
    """GET a JSON document over https (for callers the user allowed to use the network,
    e.g. did:web resolution); raises DocumentLoadingError."""
    return _fetch(url)


def _fetch(url: str) -> dict:
    # Through the package's one HTTP client (core/http.py): https only, https-only
    # redirects, a size limit and a timeout (issue 28).
    try:
        return json.loads(fetch(url, headers={"Accept": "application/ld+json, application/json"}))
    except FetchError as error:
        raise DocumentLoadingError(str(error) if error.code == FetchError.NOT_HTTPS
                                   else f"{url}: could not be fetched: {error}") from None
    except (ValueError, RecursionError) as error:
        raise DocumentLoadingError(f"{url}: could not be fetched: {error}") from None
