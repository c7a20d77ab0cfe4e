"""What you read is what was signed: a document in the compacted form of its own @context.

Under eddsa-rdfc-2022 the proof covers the RDF graph, not the JSON keys. A statement
moved under its full IRI (`https://www.w3.org/2018/credentials#credentialStatus`), into
`@nest`, or behind an alias an inline context defines, keeps the proof valid while every
check that reads the short key (`credentialStatus`, `validUntil`, `evidence`) no longer
sees it (issue 19, attack 1). So after the proof verifies, the document must be exactly
what JSON-LD compaction with its own `@context` gives back from its expansion, and its
inline contexts may define no alias of a keyword or of a VC, OB or security term.

Expansion and compaction are pyld's, with the bundled-contexts loader: nothing fetched.
"""

from __future__ import annotations

import copy

from pyld import jsonld

from .canonicalization import CanonicalizationError, ContentMemo, compacted_with_own_context
from .loader import DocumentLoader

# Vocabularies whose terms the verifier reads by their short names.
PROTECTED_VOCABULARIES = (
    "https://www.w3.org/2018/credentials#",
    "https://purl.imsglobal.org/spec/vc/ob/vocab.html#",
    "https://w3id.org/security#",
)
# What an inline term definition may say: anything else (@context, @nest, @reverse,
# @prefix...) changes how other keys are read.
TERM_DEFINITION_KEYS = frozenset({"@id", "@type"})
NOT_SIGNED_FORM = "not in the compacted form of its own @context"
_PROBLEMS = ContentMemo(maxsize=4096)  # by document, for loaders of the bundled contexts only


def signed_form_problem(document: dict, loader: DocumentLoader) -> str | None:
    """Why `document` (proof already verified) may hide a signed statement from the
    checks, or None when every statement sits under the key the checks read."""
    if loader.bundled_only:
        return _PROBLEMS.get(document, lambda: _signed_form_problem(document, loader))
    return _signed_form_problem(document, loader)


def _signed_form_problem(document: dict, loader: DocumentLoader) -> str | None:
    body = {key: value for key, value in document.items() if key != "proof"}
    problem = _key_problem(body, "") or _inline_context_problem(body.get("@context"), loader)
    if problem:
        return problem
    try:
        compacted = compacted_with_own_context(body, loader)
    except CanonicalizationError as error:
        return f"not processable as JSON-LD: {_first_line(error)}"
    compacted.pop("@context", None)
    difference = _difference({k: v for k, v in body.items() if k != "@context"}, compacted, "")
    if difference:
        return f"{NOT_SIGNED_FORM} ({difference}): a signed statement may be hidden under another key"
    return None


def _key_problem(node: object, where: str) -> str | None:
    """@nest, nested @context and absolute or compact IRIs as keys are refused outright."""
    if isinstance(node, list):
        return next((p for i, item in enumerate(node) if (p := _key_problem(item, f"{where}[{i}]"))), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        here = f"{where}/{key}"
        if key == "@nest" or (key == "@context" and where):
            return f"{key} at {here or '/'} is not accepted: it changes which key carries a statement"
        if ":" in key:
            return f"key {key!r} at {where or '/'} is an IRI: statements must use their terms"
        if key != "@context":
            problem = _key_problem(value, here)
            if problem:
                return problem
    return None


def _inline_context_problem(context: object, loader: DocumentLoader) -> str | None:
    for local in context if isinstance(context, list) else [context]:
        if not isinstance(local, dict):
            continue
        for term, definition in local.items():
            problem = _term_problem(term, definition, context, loader)
            if problem:
                return f"inline @context: {problem}"
    return None


def _term_problem(term: str, definition: object, context: object, loader: DocumentLoader) -> str | None:
    if term.startswith("@"):
        return f"{term} is not accepted"
    if isinstance(definition, dict) and not set(definition) <= TERM_DEFINITION_KEYS:
        return f"term {term!r} uses {', '.join(sorted(set(definition) - TERM_DEFINITION_KEYS))}"
    try:
        probe = jsonld.expand({"@context": copy.deepcopy(context), term: "probe"}, loader.pyld_options())
    except jsonld.JsonLdError as error:
        return f"term {term!r}: {_first_line(error)}"
    for iri in (probe[0] if probe else {}):
        if iri.startswith("@") or iri.startswith(PROTECTED_VOCABULARIES):
            return f"term {term!r} is an alias of {iri}"
    return None


def _difference(signed: object, compacted: object, where: str) -> str | None:
    """Where the two differ; a one-element array equals its element, as in JSON-LD."""
    signed, compacted = _single(signed), _single(compacted)
    if isinstance(signed, dict) and isinstance(compacted, dict):
        for key in sorted(set(signed) | set(compacted)):
            if key not in signed or key not in compacted:
                return f"{where}/{key} {'only in the document' if key in signed else 'missing'}"
            found = _difference(signed[key], compacted[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(signed, list) and isinstance(compacted, list) and len(signed) == len(compacted):
        return next((d for i, (a, b) in enumerate(zip(signed, compacted))
                     if (d := _difference(a, b, f"{where}[{i}]"))), None)
    if type(signed) is not type(compacted) or signed != compacted:
        return f"{where or '/'} differs"
    return None


def _single(value: object) -> object:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]
