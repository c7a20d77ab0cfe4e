"""Canonical forms of JSON-LD documents: RDFC-1.0 N-Quads and JCS (RFC 8785).

RDFC-1.0 (the W3C name of URDNA2015) turns the document into RDF with pyld, using
only the caller's document loader, then canonicalizes the dataset.
"""

from __future__ import annotations

import rfc8785
from pyld import jsonld

from .loader import DocumentLoader, DocumentLoadingError


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized (invalid JSON-LD, unknown context...)."""


def jcs(document: object) -> bytes:
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise CanonicalizationError(f"not canonicalizable as JCS: {error}") from None


def rdfc_1_0(document: dict, loader: DocumentLoader) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, one sorted line per quad."""
    options = loader.pyld_options()
    # pyld still calls RDFC-1.0 by its former name; the algorithm is the same.
    options.update(algorithm="URDNA2015", format="application/n-quads")
    # Like digitalbazaar's "safe mode": a term the contexts do not define would be
    # dropped silently and so be left unsigned; refuse the document instead.
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped_property)
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
