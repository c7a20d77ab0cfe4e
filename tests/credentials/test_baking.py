"""OB 3.0 baking (credentials/baking.py): the credential in a PNG's iTXt chunk or an SVG's
<openbadges:credential>, read back byte for byte; hostile images refused with one error."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import segno
from hypothesis import given, settings, strategies as st

from portfolio_gen.credentials import baking

SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
       '<title>t</title><rect width="8" height="8"/></svg>\n')
CREDENTIAL = '{\n  "@context": ["https://www.w3.org/ns/credentials/v2"],\n  "name": "C2i2e — A1-1 ]]> é"\n}\n'


def png() -> bytes:
    buffer = io.BytesIO()
    segno.make("https://example.org/").save(buffer, kind="png", scale=2)
    return buffer.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def with_chunk(image: bytes, extra: bytes) -> bytes:
    """`image` with `extra` (whole chunks) inserted before its IEND."""
    return image[:-12] + extra + image[-12:]


def refused(data: bytes, name: str = "") -> str:
    with pytest.raises(baking.BakingError) as caught:
        baking.unbake(data, name)
    return caught.value.key


# --- round trips --------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_png_round_trip_is_byte_for_byte(text: str):
    assert baking.unbake(baking.bake_png(png(), text)) == text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", blacklist_categories=("Cs", "Cc")) | st.sampled_from("\r\n\t"),
               max_size=300))
def test_svg_round_trip_is_byte_for_byte(text: str):
    # Any character XML 1.0 allows: CR and "]]>" included, which a naive CDATA would change.
    assert baking.unbake(baking.bake_svg(SVG, text).encode("utf-8")) == text


def test_a_png_reader_reads_the_chunk_as_the_spec_says():
    from PIL import Image

    baked = baking.bake_png(png(), CREDENTIAL)
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text["openbadgecredential"] == CREDENTIAL
    # Uncompressed (the spec: compression MUST NOT be used), and only once.
    assert baked.count(b"iTXtopenbadgecredential\x00\x00\x00") == 1


def test_baking_again_replaces_the_credential():
    twice = baking.bake_png(baking.bake_png(png(), "old"), CREDENTIAL)
    assert baking.unbake(twice) == CREDENTIAL and twice.count(b"openbadgecredential") == 1


def test_the_svg_names_the_ob_namespace_and_holds_one_element_after_svg():
    baked = baking.bake_svg(SVG, CREDENTIAL)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert "><openbadges:credential><![CDATA[" in baked and baked.count("<openbadges:credential>") == 1
    with pytest.raises(baking.BakingError):
        baking.bake_svg(baked, CREDENTIAL)


def test_a_vc_jwt_svg_gives_its_compact_jws():
    jws = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"
    svg = SVG.replace('height="8">', f'height="8" xmlns:openbadges="{baking.SVG_NAMESPACE}">'
                                     f'<openbadges:credential verify="{jws}"></openbadges:credential>')
    assert baking.unbake(svg.encode("utf-8")) == jws


# --- hostile images -------------------------------------------------------------------------------

def test_an_image_without_a_credential_is_refused():
    assert refused(png()) == "credential.baked.none"
    assert refused(SVG.encode("utf-8")) == "credential.baked.none"


def test_two_credentials_are_refused():
    body = baking.PNG_KEYWORD + b"\x00\x00\x00\x00\x00{}"
    assert refused(with_chunk(png(), chunk(b"iTXt", body) * 2)) == "credential.baked.several"
    two = baking.bake_svg(SVG, "{}").replace("</svg>", "<openbadges:credential>{}</openbadges:credential></svg>")
    assert refused(two.encode("utf-8")) == "credential.baked.several"


@pytest.mark.parametrize("damage", ["crc", "truncated", "length", "compressed", "no-iend"])
def test_a_malformed_png_is_refused(damage: str):
    baked = baking.bake_png(png(), CREDENTIAL)
    at = baked.index(b"iTXt") - 4
    if damage == "crc":
        data = baked[:at + 20] + bytes([baked[at + 20] ^ 1]) + baked[at + 21:]
    elif damage == "truncated":
        data = baked[:at + 30]
    elif damage == "length":
        data = baked[:at] + struct.pack(">I", 0x7FFFFFF0) + baked[at + 4:]
    elif damage == "compressed":
        body = baking.PNG_KEYWORD + b"\x00\x01\x00\x00\x00" + zlib.compress(CREDENTIAL.encode())
        data = with_chunk(png(), chunk(b"iTXt", body))
    else:
        data = baked[:-12]
    assert refused(data) == "credential.baked.malformed"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&d;</openbadges:credential></svg>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&x;</openbadges:credential></svg>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://127.0.0.1:9/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL, EXTERNAL_DTD], ids=["laughs", "external", "dtd"])
def test_an_svg_with_a_doctype_is_refused_unread(data: bytes):
    assert refused(data) == "credential.baked.doctype"


def test_other_hostile_or_wrong_files_are_refused():
    assert refused(b"<svg xmlns='http://www.w3.org/2000/svg'><openbadges:credential>", "x.svg") \
        == "credential.baked.malformed"
    assert refused(b"<html xmlns='http://www.w3.org/1999/xhtml'><svg/></html>", "x.svg") == "credential.baked.not_image"
    assert refused(b'{"not": "an image"}') == "credential.baked.not_image"
    assert refused(baking.PNG_SIGNATURE + b"x" * (baking.MAX_FILE_BYTES)) == "credential.baked.too_large"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.write(baking.PNG_SIGNATURE)
        handle.truncate(baking.MAX_FILE_BYTES + 1)
    with pytest.raises(baking.BakingError) as caught:
        baking.unbake_file(path)
    assert caught.value.key == "credential.baked.too_large" and caught.value.params["size"] == baking.MAX_FILE_BYTES + 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_after_a_png_signature_give_a_credential_or_one_error(tail: bytes):
    try:
        baking.unbake(baking.PNG_SIGNATURE + tail)
    except baking.BakingError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_svg_text_gives_a_credential_or_one_error(body: str):
    try:
        baking.unbake(f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>'.encode("utf-8"), "x.svg")
    except baking.BakingError:
        pass
