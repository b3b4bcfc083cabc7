"""Tests of build_tools.bake: PNG iTXt splicing and SVG baking, both read back."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from xml.etree import ElementTree

import pytest
from PIL import Image

from build_tools import bake

SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Badge -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">
  <circle cx="5" cy="5" r="4" fill="#1a4"/>
</svg>
"""
ASSERTION = json.dumps(
    {
        "@context": "https://w3id.org/openbadges/v2",
        "id": "https://b.example/a/x.json",
        "type": "Assertion",
        "narrative": "Réussi « haut la main » ]]> & <fin>",
    },
    ensure_ascii=False,
)
JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp4In0.c2lnbmF0dXJl"


def _png(width: int = 4, height: int = 3, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 255)[: len(mode)]).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunk_list(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        chunks.append((png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def _itxt(keyword: bytes, text: bytes, compressed: int = 0) -> bytes:
    return _chunk(b"iTXt", keyword + b"\0" + bytes([compressed, 0]) + b"\0\0" + text)


def _insert_after_ihdr(png: bytes, chunk: bytes) -> bytes:
    return png[:33] + chunk + png[33:]


# PNG.


@pytest.mark.parametrize("keyword", [bake.OB2_PNG_KEYWORD, bake.OB3_PNG_KEYWORD])
def test_png_bake_and_read(keyword: str) -> None:
    png = _png()
    baked = bake.bake_png(png, keyword, ASSERTION)
    assert bake.read_png(baked, keyword) == ASSERTION
    chunks = _chunk_list(baked)
    assert [kind for kind, _ in chunks[:2]] == [b"IHDR", b"iTXt"]
    # Keyword, compression flag 0, method 0, empty language tag and translated keyword.
    assert chunks[1][1] == keyword.encode() + b"\0\0\0\0\0" + ASSERTION.encode("utf-8")
    # The image itself is untouched: removing the chunk gives back the very same bytes.
    assert bake.unbake_png(baked) == png


def test_png_baked_chunk_is_read_by_an_independent_reader() -> None:
    baked = bake.bake_png(_png(), bake.OB3_PNG_KEYWORD, ASSERTION)
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text[bake.OB3_PNG_KEYWORD] == ASSERTION  # type: ignore[attr-defined]
    assert image.size == (4, 3)


def test_png_rebake_replaces_the_chunk() -> None:
    png = _png()
    legacy = _insert_after_ihdr(png, _chunk(b"tEXt", b"openbadges\0https://old.example/a.json"))
    once = bake.bake_png(legacy, bake.OB2_PNG_KEYWORD, "first")
    twice = bake.bake_png(once, bake.OB2_PNG_KEYWORD, "second")
    keywords = [
        data.split(b"\0")[0] for kind, data in _chunk_list(twice) if kind in (b"iTXt", b"tEXt")
    ]
    assert keywords == [b"openbadges"]
    assert bake.read_png(twice, bake.OB2_PNG_KEYWORD) == "second"
    both = bake.bake_png(twice, bake.OB3_PNG_KEYWORD, JWS)
    assert bake.read_png(both, bake.OB2_PNG_KEYWORD) == "second"
    assert bake.read_png(both, bake.OB3_PNG_KEYWORD) == JWS
    assert bake.unbake_png(both) == png


def test_png_read_takes_the_first_chunk() -> None:
    png = _insert_after_ihdr(
        _png(), _itxt(b"openbadges", b"first") + _itxt(b"openbadges", b"second")
    )
    assert bake.read_png(png, bake.OB2_PNG_KEYWORD) == "first"


def test_png_not_baked_and_other_keywords() -> None:
    png = _insert_after_ihdr(_png(), _itxt(b"openbadgesX", b"no"))
    with pytest.raises(bake.NotBakedError):
        bake.read_png(png, bake.OB2_PNG_KEYWORD)
    with pytest.raises(bake.NotBakedError):
        bake.read_png(bake.bake_png(png, bake.OB3_PNG_KEYWORD, "x"), bake.OB2_PNG_KEYWORD)


def _corruptions(png: bytes) -> list[bytes]:
    ihdr_end = 33
    idat = png.index(b"IDAT")
    return [
        b"",
        b"GIF89a" + png[6:],
        png[:8],
        png[:-1],
        png[:-12],
        png[:20],
        png + b"trailing",
        png[: idat + 6] + bytes([png[idat + 6] ^ 1]) + png[idat + 7 :],  # IDAT data, CRC now wrong
        png[: ihdr_end - 1] + bytes([png[ihdr_end - 1] ^ 1]) + png[ihdr_end:],  # IHDR CRC
        png[:8] + png[ihdr_end:],  # no IHDR
        png[:8] + struct.pack(">I", 2**31) + png[12:],  # impossible length
        png[:12] + b"IH1R" + png[16:],  # invalid chunk type
    ]


def _reference_bake_png(png: bytes, keyword: str, text: str) -> bytes:
    """What bake_png wrote before it was split into PngBaking: the bytes it must still give."""
    encoded = keyword.encode("latin-1")
    kept = [
        _chunk(kind, data)
        for kind, data in _chunk_list(png)[1:]
        if not (kind in (b"iTXt", b"tEXt", b"zTXt") and data.split(b"\0")[0] == encoded)
    ]
    itxt = _itxt(encoded, text.encode("utf-8"))
    return png[:8] + _chunk(*_chunk_list(png)[0]) + itxt + b"".join(kept)


def test_a_png_baked_many_times_gives_the_bytes_of_each_bake_alone() -> None:
    """A build parses a badge's image once and bakes every award into it: same bytes each time."""
    png = _png()
    legacy = _insert_after_ihdr(png, _chunk(b"tEXt", b"openbadges\0https://old.example/a.json"))
    # A text chunk between two kept ones, another after the image data, one of each keyword.
    mixed = legacy[:-12] + _itxt(b"openbadgecredential", b"old") + _itxt(b"other", b"x")
    mixed += legacy[-12:]
    for image in (png, legacy, mixed, bytearray(mixed)):
        baking = bake.PngBaking(image)
        for keyword, text in [
            (bake.OB2_PNG_KEYWORD, ASSERTION),
            (bake.OB3_PNG_KEYWORD, JWS),
            (bake.OB2_PNG_KEYWORD, "second"),
            (bake.OB3_PNG_KEYWORD, ""),
        ]:
            expected = _reference_bake_png(bytes(image), keyword, text)
            assert baking.bake(keyword, text) == expected
            assert bake.bake_png(image, keyword, text) == expected
    with pytest.raises(bake.BakeError):
        bake.PngBaking(png).bake(bake.OB2_PNG_KEYWORD, b"not text")  # type: ignore[arg-type]
    with pytest.raises(bake.BakeError):
        bake.PngBaking(png).bake("bad  keyword", "x")
    with pytest.raises(bake.CorruptPngError):
        bake.PngBaking(png[:-1])


def test_corrupt_pngs_raise_a_named_error() -> None:
    png = _png()
    for corrupt in _corruptions(png):
        with pytest.raises(bake.CorruptPngError):
            bake.bake_png(corrupt, bake.OB2_PNG_KEYWORD, "x")
        with pytest.raises(bake.CorruptPngError):
            bake.read_png(corrupt, bake.OB2_PNG_KEYWORD)
    with pytest.raises(bake.CorruptPngError):
        bake.read_png("not bytes", bake.OB2_PNG_KEYWORD)  # type: ignore[arg-type]


def test_corrupt_or_compressed_itxt() -> None:
    compressed = _itxt(b"openbadges", zlib.compress(b"{}"), compressed=1)
    with pytest.raises(bake.CorruptPngError, match="compression"):
        bake.read_png(_insert_after_ihdr(_png(), compressed), bake.OB2_PNG_KEYWORD)
    truncated = _chunk(b"iTXt", b"openbadges\0\0")
    with pytest.raises(bake.CorruptPngError):
        bake.read_png(_insert_after_ihdr(_png(), truncated), bake.OB2_PNG_KEYWORD)
    not_utf8 = _itxt(b"openbadges", b"\xff\xfe")
    with pytest.raises(bake.CorruptPngError):
        bake.read_png(_insert_after_ihdr(_png(), not_utf8), bake.OB2_PNG_KEYWORD)


@pytest.mark.parametrize("keyword", ["", "x" * 80, " openbadges", "badge€", "a\nb"])
def test_png_keyword_rules(keyword: str) -> None:
    with pytest.raises(bake.BakeError):
        bake.bake_png(_png(), keyword, "x")


def test_png_size() -> None:
    assert bake.png_size(_png(512, 300)) == (512, 300)


# SVG.


def _parse(svg: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_svg_ob2_hosted_assertion() -> None:
    baked = bake.bake_svg_ob2(SVG, verify="https://b.example/a/x.json", assertion_json=ASSERTION)
    root = _parse(baked)
    first = root[0]
    assert first.tag == "{http://openbadges.org}assertion"
    assert first.get("verify") == "https://b.example/a/x.json"
    assert first.text == ASSERTION
    assert b'xmlns:openbadges="http://openbadges.org"' in baked
    assert baked.count(b"xmlns:openbadges") == 1
    assert bake.read_svg_ob2(baked) == bake.BakedSvg("https://b.example/a/x.json", ASSERTION)
    # Everything else is kept byte for byte.
    assert baked.startswith(SVG.split(b">", 3)[0])
    assert baked.endswith(b'<circle cx="5" cy="5" r="4" fill="#1a4"/>\n</svg>\n')


def test_svg_ob2_signed_assertion_is_self_closing() -> None:
    baked = bake.bake_svg_ob2(SVG, verify=JWS)
    assert f'<openbadges:assertion verify="{JWS}"/>'.encode() in baked
    assert bake.read_svg_ob2(baked) == bake.BakedSvg(JWS, None)


def test_svg_ob3_credential_and_jwt() -> None:
    credential = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "é"})
    baked = bake.bake_svg_ob3(SVG, credential_json=credential)
    root = _parse(baked)
    assert root[0].tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    assert root[0].get("verify") is None
    assert bake.read_svg_ob3(baked) == bake.BakedSvg(None, credential)
    with_jwt = bake.bake_svg_ob3(baked, jwt=JWS)
    assert f'<openbadges:credential verify="{JWS}"></openbadges:credential>'.encode() in with_jwt
    assert bake.read_svg_ob3(with_jwt) == bake.BakedSvg(JWS, None)
    assert with_jwt.count(b"<openbadges:credential") == 1
    for bad in ({}, {"credential_json": credential, "jwt": JWS}):
        with pytest.raises(bake.BakeError):
            bake.bake_svg_ob3(SVG, **bad)


def test_svg_exact_output() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'
    assert bake.bake_svg_ob2(svg, verify='https://b.example/?a=1&b="2"', assertion_json="{}") == (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://b.example/?a=1&amp;b=&quot;2&quot;">'
        b"<![CDATA[{}]]></openbadges:assertion><g/></svg>"
    )


def test_svg_rebake_is_idempotent_and_replaces() -> None:
    once = bake.bake_svg_ob2(SVG, verify="https://b.example/1", assertion_json="{}")
    assert bake.bake_svg_ob2(once, verify="https://b.example/1", assertion_json="{}") == once
    other = bake.bake_svg_ob2(once, verify=JWS)
    assert other.count(b"openbadges:assertion") == 1
    assert bake.read_svg_ob2(other).verify == JWS


def test_svg_special_roots() -> None:
    empty = bake.bake_svg_ob3(b'<svg xmlns="http://www.w3.org/2000/svg" />', jwt=JWS)
    assert empty.endswith(b"></openbadges:credential></svg>")
    prefixed = bake.bake_svg_ob3(b'<s:svg xmlns:s="http://www.w3.org/2000/svg"/>', jwt=JWS)
    assert prefixed.endswith(b"</s:svg>")
    for svg in (empty, prefixed):
        assert bake.read_svg_ob3(svg).verify == JWS
    declared = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>'
    baked = bake.bake_svg_ob2(declared, verify=JWS)
    assert baked.count(b"xmlns:openbadges") == 1
    with pytest.raises(bake.BakeError, match="bound"):
        bake.bake_svg_ob3(declared, jwt=JWS)
    bom = b"\xef\xbb\xbf" + SVG
    assert bake.read_svg_ob2(bake.bake_svg_ob2(bom, verify=JWS)).verify == JWS
    as_text = bake.bake_svg_ob2(SVG.decode(), verify=JWS)
    assert as_text == bake.bake_svg_ob2(SVG, verify=JWS)


@pytest.mark.parametrize(
    "svg",
    [
        b"<svg",
        b"<html xmlns='http://www.w3.org/1999/xhtml'/>",
        b"<svg/>",  # no SVG namespace
        b'<svg xmlns="http://www.w3.org/2000/svg"><a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
        b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
)
def test_corrupt_svgs(svg: bytes) -> None:
    with pytest.raises(bake.CorruptSvgError):
        bake.bake_svg_ob2(svg, verify=JWS)
    with pytest.raises(bake.CorruptSvgError):
        bake.read_svg_ob2(svg)


@pytest.mark.parametrize(
    "svg",
    [
        # Billion laughs.
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>',
        # External entity.
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        # Entity declared but not used.
        b'<!DOCTYPE svg [<!ENTITY a "x">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        # An entity of the external DTD, which is never loaded.
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>',
    ],
)
def test_svg_entities_are_refused(svg: bytes) -> None:
    with pytest.raises(bake.UnsafeSvgError):
        bake.read_svg_ob2(svg)
    with pytest.raises(bake.UnsafeSvgError):
        bake.bake_svg_ob2(svg, verify=JWS)


def test_svg_with_a_plain_doctype_is_accepted() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>a &amp; b</text></svg>'
    )
    assert bake.read_svg_ob2(bake.bake_svg_ob2(svg, verify=JWS)).verify == JWS


@pytest.mark.parametrize(
    "svg",
    [SVG, b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'],
    ids=["", "empty"],
)
def test_an_svg_baked_many_times_gives_the_bytes_of_each_bake_alone(svg: bytes) -> None:
    baking = bake.SvgBaking(svg)
    for text in (ASSERTION, "{}", ASSERTION):
        for verify, body in (("https://b.example/a/x.json", text), (JWS, None)):
            expected = bake.bake_svg_ob2(svg, verify=verify, assertion_json=body)
            assert baking.ob2(verify=verify, assertion_json=body) == expected
        assert baking.ob3(credential_json=text) == bake.bake_svg_ob3(svg, credential_json=text)
        assert baking.ob3(jwt=JWS) == bake.bake_svg_ob3(svg, jwt=JWS)
    assert bake.read_svg_ob3(baking.ob3(credential_json=ASSERTION)).text == ASSERTION
    with pytest.raises(bake.BakeError):
        baking.ob3()


def test_svg_not_baked() -> None:
    with pytest.raises(bake.NotBakedError):
        bake.read_svg_ob2(SVG)
    with pytest.raises(bake.NotBakedError):
        bake.read_svg_ob3(bake.bake_svg_ob2(SVG, verify=JWS))


# A PNG-only badge as SVG.


def test_png_to_svg() -> None:
    png = _png(512, 300)
    baked_png = bake.bake_png(png, bake.OB2_PNG_KEYWORD, "already baked")
    svg = bake.png_to_svg(baked_png)
    root = _parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "512",
        "300",
        "0 0 512 300",
    )
    image = root[0]
    assert image.tag == "{http://www.w3.org/2000/svg}image"
    assert (image.get("width"), image.get("height")) == ("512", "300")
    href = image.get("href") or ""
    assert href.startswith("data:image/png;base64,")
    # The embedded copy is the image without the Open Badges data already baked into it.
    assert base64.b64decode(href.split(",", 1)[1]) == png
    rebaked = bake.bake_svg_ob3(svg, jwt=JWS)
    assert bake.read_svg_ob3(rebaked).verify == JWS
    with pytest.raises(bake.CorruptPngError):
        bake.png_to_svg(b"not a png")
