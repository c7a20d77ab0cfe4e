"""DID identifiers, DID documents and verification-method resolution.

Only methods that need no network: `did:key` (the key is the identifier) and
`did:web`, whose did.json documents the caller supplies (read from disk or a site
build), so that verification never fetches anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
import re
from dataclasses import dataclass
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import CredentialsError
from ..core.problems import InputError, Problem
from . import keys

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
# Relationships a key listed in a DID document is given; an issuer signs credentials
# under assertionMethod.
RELATIONSHIPS = ("authentication", "assertionMethod")


class DidResolutionError(CredentialsError):
    """A DID or verification method cannot be resolved without the network."""


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    controller: str
    public_key_multibase: str
    # Proof purposes (DID document relationships) this key is authorized for.
    purposes: frozenset[str]

    @property
    def public_key(self) -> Ed25519PublicKey:
        return keys.public_key_from_multibase(self.public_key_multibase)

    def as_multikey(self) -> dict:
        return {
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }


def did_key(public_key: Ed25519PublicKey) -> str:
    return "did:key:" + keys.public_key_multibase(public_key)


def did_key_verification_method_id(public_key: Ed25519PublicKey) -> str:
    """`did:key:z6Mk...#z6Mk...`: the fragment repeats the key, as did:key specifies."""
    multikey = keys.public_key_multibase(public_key)
    return f"did:key:{multikey}#{multikey}"


def did_key_document(did: str) -> dict:
    multikey = did.removeprefix("did:key:")
    if not did.startswith("did:key:") or not multikey.startswith("z6Mk"):
        raise DidResolutionError(f"{did}: not an Ed25519 did:key")
    try:
        keys.public_key_from_multibase(multikey)
    except keys.KeyEncodingError as error:
        raise DidResolutionError(f"{did}: {error}") from None
    method = VerificationMethod(f"{did}#{multikey}", did, multikey, frozenset())
    return _document(did, [method.as_multikey()])


def did_web(domain: str, path: Iterable[str] = ()) -> str:
    """`did:web` for a host (a port's colon is percent-encoded, as the method says)."""
    parts = [quote(domain, safe="")] + [quote(part, safe="") for part in path]
    return "did:web:" + ":".join(parts)


@dataclass(frozen=True)
class DidWeb:
    """A did:web identifier read as its specification says: a host, an optional port
    (percent-encoded colon), then path segments."""

    host: str
    port: int | None
    path: tuple[str, ...]

    @property
    def authority(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def document_url(self) -> str:
        if not self.path:
            return f"https://{self.authority}/.well-known/did.json"
        return f"https://{self.authority}/" + "/".join(self.path) + "/did.json"


# A DNS host name (lower case, as did:web requires), an optional %3A-encoded port, and
# path segments of unreserved characters. Anything else, and above all other
# percent-escapes (`%40` would make `example.org%40evil.example` resolve at evil.example,
# `%2F` would add path segments), is refused rather than decoded.
_HOST = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_PORT = re.compile(r"%3[aA]([0-9]{1,5})")
_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def parse_did_web(did: object) -> DidWeb:
    """The parts of a did:web; DidResolutionError saying what is wrong otherwise."""
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise DidResolutionError(f"{did!r}: not a did:web identifier")
    first, *path = did.removeprefix("did:web:").split(":")
    host, port_text = first, None
    if "%" in first:
        host, _, rest = first.partition("%")
        match = _PORT.fullmatch("%" + rest)
        if match is None:
            raise DidResolutionError(f"{did}: only a port (%3A) may be percent-encoded in a did:web host")
        port_text = match.group(1)
    if not _HOST.fullmatch(host):
        raise DidResolutionError(f"{did}: {host!r} is not a lower-case DNS host name")
    port = int(port_text) if port_text is not None else None
    if port is not None and not 0 < port < 65536:
        raise DidResolutionError(f"{did}: port {port} is out of range")
    for segment in path:
        if not _SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise DidResolutionError(f"{did}: path segment {segment!r} is not allowed in a did:web")
    return DidWeb(host, port, tuple(path))


def did_web_url(did: str) -> str:
    """Where the did.json of a did:web is to be published (DidResolutionError if the
    identifier is not a well-formed did:web)."""
    return parse_did_web(did).document_url


def under_did_web_domain(url: object, did: str) -> bool:
    """Whether `url` is an https URL on the host (and port) of the did:web `did`."""
    if not isinstance(url, str):
        return False
    try:
        authority = parse_did_web(did).authority
    except DidResolutionError:
        return False
    return url.startswith(f"https://{authority}/")


def signer(private_key: Ed25519PrivateKey, issuer: str | None) -> tuple[str, str]:
    """The issuer id and the verification method the key signs under.

    A did:key issuer must be this key's own did:key; a did:web issuer names the key by
    its Multikey, as `keys did-web` lists it in the did.json.
    """
    public = private_key.public_key()
    own = did_key(public)
    if issuer is None or issuer == own:
        return own, did_key_verification_method_id(public)
    if issuer.startswith("did:web:"):
        return issuer, f"{issuer}#{keys.public_key_multibase(public)}"
    raise InputError([Problem("credential.key_not_issuer", None, None,
                              {"issuer": issuer, "did": own})])


def did_web_document(did: str, public_keys: Iterable[Ed25519PublicKey]) -> dict:
    """The did.json for an institution, listing every key it has used.

    Keys are named by their Multikey value, so adding a key on rotation never renames
    an older one, and credentials signed with an older key keep verifying as long as
    that key stays listed.
    """
    methods = []
    for public_key in public_keys:
        multikey = keys.public_key_multibase(public_key)
        method = VerificationMethod(f"{did}#{multikey}", did, multikey, frozenset())
        if method.as_multikey() not in methods:
            methods.append(method.as_multikey())
    if not methods:
        raise ValueError("a DID document needs at least one key")
    return _document(did, methods)


def _document(did: str, methods: list[dict]) -> dict:
    document = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
    }
    for relationship in RELATIONSHIPS:
        document[relationship] = [method["id"] for method in methods]
    return document


class DidResolver:
    """Resolves verification method ids to public keys, offline.

    `did_web_documents` maps a did:web DID to its did.json content. `fetch` (URL ->
    parsed JSON), when the caller allows the network, fetches the did.json of a did:web
    that was not supplied; without it nothing is ever fetched.
    """

    def __init__(self, did_web_documents: Mapping[str, dict] | None = None,
                 fetch: Callable[[str], dict] | None = None):
        self._did_web_documents = dict(did_web_documents or {})
        self._fetch = fetch

    def resolve(self, did: str) -> dict:
        if did.startswith("did:key:"):
            return did_key_document(did)
        if did.startswith("did:web:"):
            parse_did_web(did)  # a malformed one is never looked up, nor fetched
            if did not in self._did_web_documents and self._fetch is not None:
                self._did_web_documents[did] = self._fetched(did)
            try:
                return self._did_web_documents[did]
            except KeyError:
                raise DidResolutionError(
                    f"{did}: no did.json was supplied for this did:web "
                    "(documents are never fetched from the network)"
                ) from None
        raise DidResolutionError(f"{did}: unsupported DID method (did:key, did:web)")

    def _fetched(self, did: str) -> dict:
        try:
            document = self._fetch(did_web_url(did))
        except Exception as error:  # noqa: BLE001
            # Whatever the transport raised, the DID is unresolvable: say why.
            raise DidResolutionError(f"{did}: could not fetch its did.json: {error}") from None
        if not isinstance(document, dict):
            raise DidResolutionError(f"{did}: its did.json is not a JSON object")
        return document

    def verification_method(self, method_id: str) -> VerificationMethod:
        if not isinstance(method_id, str) or "#" not in method_id:
            raise DidResolutionError(f"{method_id!r}: not a DID URL with a fragment")
        did = method_id.split("#", 1)[0]
        document = self.resolve(did)
        if document.get("id") != did:
            raise DidResolutionError(f"{did}: DID document has id {document.get('id')!r}")
        for method in document.get("verificationMethod", []):
            if _absolute(method.get("id"), did) != method_id:
                continue
            if method.get("type") != "Multikey" or "publicKeyMultibase" not in method:
                raise DidResolutionError(f"{method_id}: not a Multikey verification method")
            try:
                keys.public_key_from_multibase(method["publicKeyMultibase"])
            except keys.KeyEncodingError as error:
                raise DidResolutionError(f"{method_id}: {error}") from None
            purposes = frozenset(
                relationship
                for relationship, entries in document.items()
                if isinstance(entries, list)
                and relationship != "verificationMethod"
                and any(
                    _absolute(entry if isinstance(entry, str) else entry.get("id"), did)
                    == method_id
                    for entry in entries
                )
            )
            return VerificationMethod(
                method_id,
                method.get("controller", did),
                method["publicKeyMultibase"],
                purposes,
            )
        raise DidResolutionError(f"{method_id}: not listed in the DID document of {did}")


def _absolute(method_id: str | None, did: str) -> str | None:
    # DID documents may name their keys relatively ("#key-1").
    if isinstance(method_id, str) and method_id.startswith("#"):
        return did + method_id
    return method_id
