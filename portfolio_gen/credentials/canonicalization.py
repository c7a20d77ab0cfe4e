"""Canonical forms of JSON-LD documents: RDFC-1.0 N-Quads and JCS (RFC 8785).

RDFC-1.0 (the W3C name of URDNA2015) turns the document into RDF with pyld, using
only the caller's document loader, then canonicalizes the dataset.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import weakref
from typing import Callable, TypeVar

import rfc8785
from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld

from .errors import CredentialsError
from .loader import DocumentLoader, DocumentLoadingError


class CanonicalizationError(CredentialsError, ValueError):
    """The document cannot be canonicalized (invalid JSON-LD, unknown context...)."""


Result = TypeVar("Result")
_MISSING = object()


class ContentMemo:
    """Results of a pure function of one JSON document, kept by the document's content for
    the life of the process: bounded, least recently used first out, safe across threads.

    A process verifies the same credential again and again: every command the review app,
    the editor or `serve` runs verifies the cohort's credentials, and so does each command
    a test runs in process. Their canonical form, signed-form verdict and schema problems
    depend on the document's content alone (and on the bundled contexts and schema), so
    they are computed once. The key is a digest of the document's repr, which tells
    apart what JSON-LD processing tells apart (key order, 1 from 1.0 and True, a tuple
    from a list). Only immutable results are kept; failures (exceptions) never are.
    """

    _every: weakref.WeakSet[ContentMemo] = weakref.WeakSet()

    def __init__(self, maxsize: int):
        self._results: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()
        ContentMemo._every.add(self)

    @classmethod
    def forget_all(cls) -> None:
        """Empty every memo: what a new process would compute (bench/credentials.py times
        verification so, else it would find the forms signing just computed)."""
        for memo in list(cls._every):
            with memo._lock:
                memo._results.clear()

    def get(self, document: object, compute: Callable[[], Result]) -> Result:
        key = hashlib.sha256(repr(document).encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            found = self._results.get(key, _MISSING)
        if found is not _MISSING:
            return found
        result = compute()
        with self._lock:
            self._results[key] = result
        return result


# A cohort workspace holds a few thousand credentials; a national one's commands read
# more than this, and simply find fewer of them again.
_CANONICAL_FORMS = ContentMemo(maxsize=4096)


def jcs(document: object) -> bytes:
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise CanonicalizationError(f"not canonicalizable as JCS: {error}") from None


def rdfc_1_0(document: dict, loader: DocumentLoader) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, one sorted line per quad."""
    if loader.bundled_only:
        return _CANONICAL_FORMS.get(document, lambda: _rdfc_1_0(document, loader))
    return _rdfc_1_0(document, loader)


def _rdfc_1_0(document: dict, loader: DocumentLoader) -> str:
    options = loader.pyld_options()
    # pyld still calls RDFC-1.0 by its former name; the algorithm is the same.
    options.update(algorithm="URDNA2015", format="application/n-quads")
    processor = _Processor(loader)
    try:
        return processor.normalize(document, options)
    except _DroppedProperty as error:
        raise CanonicalizationError(str(error)) from None
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(_reason(error)) from None
    except Exception as error:  # noqa: BLE001
        # pyld lets some malformed inputs escape as KeyError/TypeError; a credential
        # from outside must yield a clear refusal, not a crash.
        raise CanonicalizationError(f"invalid JSON-LD: {error!r}") from None


def compacted_with_own_context(document: dict, loader: DocumentLoader) -> dict:
    """`document` expanded, then compacted again with its own @context (what the signed
    form check compares it with), by the same processor as `rdfc_1_0`: its memoized
    contexts made this round trip three times faster than plain pyld's."""
    processor = _Processor(loader)
    # compact() expands its input first unless told it already is: expanding the expanded
    # form again gives it back unchanged, at a third of the signed form check's time.
    compact_options = {**loader.pyld_options(), "skipExpansion": True}
    try:
        expanded = processor.expand(copy.deepcopy(document), loader.pyld_options())
        return processor.compact(expanded, {"@context": copy.deepcopy(document.get("@context"))},
                                 compact_options)
    except _DroppedProperty as error:
        raise CanonicalizationError(str(error)) from None
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(_reason(error)) from None


class _Processor(jsonld.JsonLdProcessor):
    """pyld with two changes: undefined terms are refused, and processed contexts
    are memoized across documents.

    Like digitalbazaar's "safe mode", a term the contexts do not define would be
    dropped silently and so be left unsigned: refuse the document instead.

    pyld caches a processed context per *active context id*, but a type-scoped
    context (OB 3.0 defines one per type: Achievement, Profile...) is applied to a
    fresh clone each time, so its cache never hits and every credential re-processes
    the same contexts; profiling showed that as most of the signing time. Processing
    is a pure function of (active context, local context, flags); pyld freezes the
    active contexts it finishes, so a frozen one can be keyed by identity, and the
    memo keeps it alive so the identity is never reused.
    """

    def __init__(self, loader: DocumentLoader):
        super().__init__(on_property_dropped=_refuse_dropped_property)
        self._loader = loader
        self._memo = loader.processed_contexts

    def _process_context(
        self, active_ctx, local_ctx, options, override_protected=False,
        propagate=True, validate_scoped=True, cycles=None,
    ):
        key = self._memo_key(active_ctx, local_ctx)
        if key is not None:
            key += (options.get("base"), override_protected, propagate, validate_scoped)
            hit = self._memo.get(key)
            if hit is not None:
                return hit[0]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate,
            validate_scoped, cycles,
        )
        if key is not None:
            self._memo[key] = (result, active_ctx, local_ctx)
        return result

    def _memo_key(self, active_ctx, local_ctx) -> tuple | None:
        if not isinstance(active_ctx, frozendict):
            return None  # still being built by pyld: its content may change
        if isinstance(local_ctx, str):
            return (id(active_ctx), local_ctx)
        if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            return (id(active_ctx), tuple(local_ctx))
        if self._loader.served(local_ctx):
            # A scoped context inside a served context document: never modified.
            return (id(active_ctx), id(local_ctx))
        return None  # e.g. an inline context in the caller's document


class _DroppedProperty(Exception):
    pass


def _refuse_dropped_property(expanded_property: str | None) -> None:
    raise _DroppedProperty(
        f"property {expanded_property!r} is not defined by the document's @context "
        "and would not be signed"
    )


def _reason(error: BaseException) -> str:
    # pyld wraps the loader's refusal in several layers; the innermost says why.
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, (DocumentLoadingError, _DroppedProperty)):
            return str(cause)
        last = cause
        cause = cause.__cause__
    return f"invalid JSON-LD: {last}"
