"""Open Badges 3.0 baking: a credential carried inside its badge image, PNG or SVG.

The OB 3.0 specification's "Baking" section, for a credential signed with an embedded
proof (ours): the image carries the credential's JSON, unchanged.

  - PNG: one `iTXt` chunk with the keyword `openbadgecredential`, not compressed, its
    text the credential (a compact JWS for a VC-JWT credential). Never more than one.
  - SVG: an `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the `<svg>`, and
    directly after it one `<openbadges:credential>` element holding the credential in
    CDATA (a VC-JWT credential is its `verify` attribute instead).

Baking keeps every other byte of the image; unbaking gives back the text byte for byte,
so that what a verifier reads from the image is exactly the published JSON.

A baked file handed to `verify` is hostile input. The PNG reader only walks the chunk
list (length, type, CRC), never decodes pixels or inflates anything; the SVG reader is
expat with no DTD at all (a DOCTYPE is refused, so no entity can be declared, expanded
or fetched). Both refuse a file over MAX_FILE_BYTES before reading it. Every refusal is
one `BakingError`, whose key says which case it is (the catalogue's words, credentials.yml).
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from xml.parsers import expat

from .errors import CredentialsError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_ELEMENT = "credential"
# Far above any credential we issue (tens of kB) or badge image, far below harm.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_CHUNKS = 10_000
PNG, SVG = "png", "svg"

_CHUNK_HEAD = struct.Struct(">I4s")
_SVG_OPEN = re.compile(rb"<svg[\s>]")


class BakingError(CredentialsError):
    """A baked image that cannot be read, or an image that cannot be baked; `key` names
    the case (credential.baked.*)."""

    key = "credential.baked.malformed"


def image_format(data: bytes, name: str = "") -> str | None:
    """PNG or SVG when `data` (named `name`) looks like one, else None (a JSON file)."""
    if data.startswith(PNG_SIGNATURE):
        return PNG
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.lower().endswith(".svg") or (head.startswith(b"<") and _SVG_OPEN.search(head)):
        return SVG
    return None


# --- baking ------------------------------------------------------------------------------

def bake_png(image: bytes, credential: str) -> bytes:
    """`image` with the credential in an `openbadgecredential` iTXt chunk before IEND
    (replacing one already there)."""
    chunks = [c for c in _png_chunks(image) if not _is_credential_chunk(*c)]
    body = PNG_KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + credential.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", body))
        out.append(_chunk(kind, data))
    return b"".join(out)


def bake_svg(image: str, credential: str) -> str:
    """`image` with the OB namespace on its `<svg>` and the credential in an
    `<openbadges:credential>` right after it. `image` must be one we drew: an `<svg ...>`
    start tag with no credential in it yet."""
    match = re.search(r"<svg\b[^>]*>", image)
    if match is None or "openbadges:credential" in image:
        raise BakingError("not an SVG image that can be baked", key="credential.baked.no_svg")
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = f'{tag[:-1].rstrip("/")} xmlns:openbadges="{SVG_NAMESPACE}">'
    element = f"<openbadges:{SVG_ELEMENT}>{_cdata(credential)}</openbadges:{SVG_ELEMENT}>"
    return image[:match.start()] + tag + element + image[match.end():]


def _cdata(text: str) -> str:
    """`text` as XML character data that parses back to exactly `text`: CDATA sections,
    split where `]]>` would close one, and carriage returns as references (a parser
    turns a literal CR LF into LF)."""
    parts = []
    for index, piece in enumerate(text.split("\r")):
        if index:
            parts.append("&#13;")
        if piece:
            parts.append("<![CDATA[" + piece.replace("]]>", "]]]]><![CDATA[>") + "]]>")
    return "".join(parts)


# --- unbaking ------------------------------------------------------------------------------

def unbake_file(path: Path) -> str:
    """The credential text a baked PNG or SVG file carries."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BakingError(f"{size} bytes, more than {MAX_FILE_BYTES}", key="credential.baked.too_large",
                              size=size, limit=MAX_FILE_BYTES)
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise BakingError(str(error), key="credential.baked.unreadable") from None
    return unbake(data, path.name)


def unbake(data: bytes, name: str = "") -> str:
    """The credential text baked into `data` (a PNG or an SVG image)."""
    if len(data) > MAX_FILE_BYTES:
        raise BakingError(f"{len(data)} bytes, more than {MAX_FILE_BYTES}", key="credential.baked.too_large",
                          size=len(data), limit=MAX_FILE_BYTES)
    kind = image_format(data, name)
    if kind == PNG:
        return _unbake_png(data)
    if kind == SVG:
        return _unbake_svg(data)
    raise BakingError("neither a PNG nor an SVG image", key="credential.baked.not_image")


def _unbake_png(data: bytes) -> str:
    found = [body for kind, body in _png_chunks(data) if _is_credential_chunk(kind, body)]
    if not found:
        raise BakingError("no iTXt chunk 'openbadgecredential'", key="credential.baked.none")
    if len(found) > 1:
        raise BakingError("more than one 'openbadgecredential' chunk", key="credential.baked.several")
    # iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text.
    rest = found[0][len(PNG_KEYWORD) + 1:]
    if len(rest) < 2 or rest[0] != 0:
        raise BakingError("the credential chunk is compressed or truncated (OB 3.0: no compression)")
    language_end = rest.find(b"\x00", 2)
    translated_end = rest.find(b"\x00", language_end + 1) if language_end >= 0 else -1
    if translated_end < 0:
        raise BakingError("the credential chunk is truncated")
    try:
        return rest[translated_end + 1:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError(f"the credential chunk is not UTF-8: {error}") from None


def _is_credential_chunk(kind: bytes, body: bytes) -> bool:
    return kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\x00")


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG, each CRC checked, up to IEND; refuses anything else."""
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image", key="credential.baked.not_image")
    chunks, offset = [], len(PNG_SIGNATURE)
    while True:
        if offset + 12 > len(data) or len(chunks) >= MAX_CHUNKS:
            raise BakingError(f"chunk at byte {offset}: the file ends before IEND")
        length, kind = _CHUNK_HEAD.unpack_from(data, offset)
        end = offset + 8 + length
        if length > 0x7FFFFFFF or end + 4 > len(data) or not kind.isalpha():
            raise BakingError(f"chunk at byte {offset}: bad length or type")
        body = data[offset + 8:end]
        if struct.unpack_from(">I", data, end)[0] != zlib.crc32(kind + body):
            raise BakingError(f"chunk {kind.decode('ascii')} at byte {offset}: CRC mismatch")
        chunks.append((kind, body))
        offset = end + 4
        if kind == b"IEND":
            return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused()


def _unbake_svg(data: bytes) -> str:
    """The text of the one `{SVG_NAMESPACE} credential` element, read by expat with every
    DTD feature refused (no DOCTYPE, hence no entity, internal or external)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    for handler in ("StartDoctypeDeclHandler", "EntityDeclHandler", "UnparsedEntityDeclHandler",
                    "ExternalEntityRefHandler", "NotationDeclHandler"):
        setattr(parser, handler, _refuse)
    wanted = f"{SVG_NAMESPACE} {SVG_ELEMENT}"
    state: dict = {"depth": 0, "inside": 0, "found": 0, "root": None}
    text: list[str] = []

    def start(name: str, attributes: dict) -> None:
        state["depth"] += 1
        if state["root"] is None:
            state["root"] = name
        if state["inside"]:
            state["inside"] += 1
        elif name == wanted:
            state["found"] += 1
            state["inside"] = 1
            if attributes.get("verify"):  # a VC-JWT credential: the compact JWS
                state["verify"] = attributes["verify"]

    def end(name: str) -> None:
        state["depth"] -= 1
        if state["inside"]:
            state["inside"] -= 1

    def characters(data: str) -> None:
        if state["inside"] == 1 and state["found"] == 1:
            text.append(data)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _Refused:
        raise BakingError("the SVG declares a DOCTYPE or entities", key="credential.baked.doctype") from None
    except expat.ExpatError as error:
        raise BakingError(f"not well-formed XML: {error}") from None
    if state["root"] != "http://www.w3.org/2000/svg svg":
        raise BakingError("not an SVG image", key="credential.baked.not_image")
    if state["found"] == 0:
        raise BakingError("no <openbadges:credential> element", key="credential.baked.none")
    if state["found"] > 1:
        raise BakingError("more than one <openbadges:credential> element", key="credential.baked.several")
    return state.get("verify") or "".join(text)
