"""Baking: an Open Badges assertion or credential inside a PNG or SVG image, and reading it back.

PNG (Open Badges 2.0 Baking, Open Badges 3.0 section 5.3): an uncompressed `iTXt` chunk with the
keyword `openbadges` (2.0) or `openbadgecredential` (3.0), spliced into the byte stream right
after `IHDR`. The image is never decoded or re-encoded; every chunk CRC is checked, and an
existing text chunk with the same keyword is replaced, never duplicated.

SVG: the root `<svg>` gets `xmlns:openbadges` and, as its first child,
- 2.0: `<openbadges:assertion verify="URL"><![CDATA[json]]></openbadges:assertion>` for a hosted
  assertion, or `<openbadges:assertion verify="JWS"/>` for a signed one, in the namespace
  `http://openbadges.org`;
- 3.0: `<openbadges:credential><![CDATA[json]]></openbadges:credential>` for a credential with an
  embedded proof, or `<openbadges:credential verify="JWT"></openbadges:credential>` for a VC-JWT,
  in the namespace `https://purl.imsglobal.org/ob/v3p0`.
The SVG is edited as text at offsets found by the stdlib expat parser, which is set to refuse
every entity declaration and external entity (the XML bombs defusedxml guards against), so the
rest of the file stays byte for byte as it was.
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple
from xml.parsers import expat

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_PNG_KEYWORD = "openbadges"
OB3_PNG_KEYWORD = "openbadgecredential"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_PREFIX = "openbadges"
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
_MAX_CHUNK = 2**31 - 1


class BakeError(ValueError):
    """Base class of the errors of this module."""


class CorruptPngError(BakeError):
    """Not a well-formed PNG: signature, chunk layout, CRC or iTXt structure."""


class CorruptSvgError(BakeError):
    """Not a well-formed UTF-8 SVG document."""


class UnsafeSvgError(CorruptSvgError):
    """The SVG declares or references entities, which are refused (XML bombs, external files)."""


class NotBakedError(BakeError):
    """The image carries no Open Badges data of the requested kind."""


# PNG.


class _Chunk(NamedTuple):
    kind: bytes
    start: int
    end: int
    data: bytes


def _png_chunks(png: bytes) -> list[_Chunk]:
    """Split a PNG into chunks, checking the signature, the layout and every CRC."""
    if not isinstance(png, bytes | bytearray):
        raise CorruptPngError("a PNG is bytes")
    if not png.startswith(PNG_SIGNATURE):
        raise CorruptPngError("no PNG signature")
    chunks: list[_Chunk] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 12 > len(png):
            raise CorruptPngError(f"truncated chunk header at byte {offset}")
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        if length > _MAX_CHUNK or offset + 12 + length > len(png):
            raise CorruptPngError(f"chunk {kind!r} at byte {offset} runs past the end of the file")
        if not kind.isalpha() or not kind.isascii():
            raise CorruptPngError(f"invalid chunk type {kind!r} at byte {offset}")
        data = bytes(png[offset + 8 : offset + 8 + length])
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        if zlib.crc32(kind + data) != crc:
            raise CorruptPngError(f"bad CRC in chunk {kind.decode()} at byte {offset}")
        chunks.append(_Chunk(kind, offset, offset + 12 + length, data))
        offset += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0].kind != b"IHDR" or len(chunks[0].data) != 13:
        raise CorruptPngError("the first chunk must be a 13-byte IHDR")
    if chunks[-1].kind != b"IEND":
        raise CorruptPngError("no IEND chunk")
    if offset != len(png):
        raise CorruptPngError("data after the IEND chunk")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _check_keyword(keyword: str) -> bytes:
    if not 1 <= len(keyword) <= 79 or keyword != keyword.strip() or "  " in keyword:
        raise BakeError(f"invalid PNG text keyword {keyword!r}")
    try:
        encoded = keyword.encode("latin-1")
    except UnicodeEncodeError as error:
        raise BakeError(f"a PNG keyword is Latin-1: {keyword!r}") from error
    if any(byte < 32 or 126 < byte < 161 for byte in encoded):
        raise BakeError(f"a PNG keyword has printable characters only: {keyword!r}")
    return encoded


def _text_keyword(chunk: _Chunk) -> bytes | None:
    if chunk.kind not in _TEXT_CHUNKS:
        return None
    end = chunk.data.find(b"\0")
    return chunk.data[:end] if end >= 0 else None


def png_size(png: bytes) -> tuple[int, int]:
    """Return the width and height of a PNG, read from IHDR."""
    width, height = struct.unpack(">II", _png_chunks(png)[0].data[:8])
    if width == 0 or height == 0:
        raise CorruptPngError("a PNG has a non-zero width and height")
    return width, height


def unbake_png(png: bytes, keywords: tuple[str, ...] = (OB2_PNG_KEYWORD, OB3_PNG_KEYWORD)) -> bytes:
    """Return the PNG without its text chunks (iTXt, tEXt, zTXt) that carry these keywords."""
    encoded = {_check_keyword(keyword) for keyword in keywords}
    kept = [chunk for chunk in _png_chunks(png) if _text_keyword(chunk) not in encoded]
    return PNG_SIGNATURE + b"".join(bytes(png[c.start : c.end]) for c in kept)


def bake_png(png: bytes, keyword: str, text: str) -> bytes:
    """Return the PNG with an uncompressed iTXt chunk `keyword` holding `text`, after IHDR.

    Any text chunk with the same keyword is removed first, so the result holds exactly one.
    """
    _check_keyword(keyword)
    _check_text(text)
    return PngBaking(png).bake(keyword, text)


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise BakeError("the baked text is a string (a JSON document or a compact JWS)")


class PngBaking:
    """A PNG checked and split into chunks once, to bake one text after another into it.

    :meth:`bake` gives the bytes of :func:`bake_png`: a build bakes each badge's image into
    every award of the badge, and parses it (every CRC checked) only once.
    """

    def __init__(self, png: bytes) -> None:
        chunks = _png_chunks(png)
        self._png = memoryview(bytes(png))
        # Each chunk's place, and its keyword if it is a text chunk.
        self._layout = [(_text_keyword(chunk), chunk.start, chunk.end) for chunk in chunks]
        # By keyword: the keyword as bytes, then the parts of the image that go before the new
        # chunk (signature and IHDR) and after it (the other chunks, less that keyword's text).
        self._parts: dict[str, tuple[bytes, memoryview, list[memoryview]]] = {}

    def _split(self, keyword: str) -> tuple[bytes, memoryview, list[memoryview]]:
        encoded = _check_keyword(keyword)
        # The kept chunks, as runs of neighbours in the file: one slice for each run.
        runs: list[list[int]] = []
        for found, start, end in self._layout[1:]:
            if found == encoded:
                continue
            if runs and runs[-1][1] == start:
                runs[-1][1] = end
            else:
                runs.append([start, end])
        head = self._png[: self._layout[0][2]]
        return encoded, head, [self._png[start:end] for start, end in runs]

    def bake(self, keyword: str, text: str) -> bytes:
        """The PNG with an uncompressed iTXt chunk ``keyword`` holding ``text`` (see bake_png)."""
        parts = self._parts.get(keyword)
        if parts is None:
            parts = self._parts[keyword] = self._split(keyword)
        encoded, head, tail = parts
        _check_text(text)
        # Keyword, null, compression flag 0, compression method 0, empty language tag and
        # translated keyword (each ended by a null), then the UTF-8 text.
        fields = encoded + b"\0\0\0\0\0"
        body = text.encode("utf-8")
        # The chunk of _chunk(b"iTXt", fields + body), without copying the text into it.
        crc = zlib.crc32(body, zlib.crc32(fields, zlib.crc32(b"iTXt")))
        size = struct.pack(">I", len(fields) + len(body))
        return b"".join([head, size, b"iTXt", fields, body, struct.pack(">I", crc), *tail])


def read_png(png: bytes, keyword: str) -> str:
    """Return the text of the first iTXt chunk with this keyword (the extraction rule)."""
    encoded = _check_keyword(keyword)
    for chunk in _png_chunks(png):
        if chunk.kind != b"iTXt" or _text_keyword(chunk) != encoded:
            continue
        rest = chunk.data[len(encoded) + 1 :]
        if len(rest) < 2:
            raise CorruptPngError("truncated iTXt chunk")
        compressed, _method = rest[0], rest[1]
        fields = rest[2:].split(b"\0", 2)
        if len(fields) != 3:
            raise CorruptPngError("iTXt chunk without language tag and translated keyword")
        if compressed != 0:
            raise CorruptPngError("compressed iTXt chunk: Open Badges forbids compression")
        try:
            return fields[2].decode("utf-8")
        except UnicodeDecodeError as error:
            raise CorruptPngError("the iTXt text is not UTF-8") from error
    raise NotBakedError(f"no iTXt chunk with the keyword {keyword!r}")


# SVG.


class BakedSvg(NamedTuple):
    """What an `<openbadges:assertion>` or `<openbadges:credential>` element carries."""

    verify: str | None
    text: str | None


class _SvgScan:
    """Offsets and content found by one expat pass over an SVG document."""

    def __init__(self) -> None:
        self.root_name = ""
        self.root_start = -1
        self.root_tag_end = -1
        self.root_self_closing = False
        self.root_prefixes: dict[str, str] = {}
        self.targets: list[tuple[int, int]] = []
        self.first: BakedSvg | None = None


def _tag_end(data: bytes, start: int) -> tuple[int, bool]:
    """Return the offset just after the start tag beginning at `start`, and if it is empty."""
    quote = 0
    for index in range(start + 1, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return index + 1, data[index - 1] == ord("/")
    raise CorruptSvgError("unterminated start tag")


def _refuse(reason: str) -> Callable[..., int]:
    def handler(*_args: Any) -> int:
        raise UnsafeSvgError(reason)

    return handler


def _scan_svg(data: bytes, namespace: str, local: str) -> _SvgScan:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorruptSvgError("only UTF-8 SVG documents are supported")
    scan = _SvgScan()
    target = f"{namespace} {local}"
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    starts: list[tuple[str, int]] = []
    pending_prefixes: dict[str, str] = {}
    capture: dict[str, Any] = {"depth": 0, "text": []}

    def xml_decl(_version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in ("utf-8", "utf8", "us-ascii"):
            raise CorruptSvgError(f"only UTF-8 SVG documents are supported, not {encoding}")

    def namespace_decl(prefix: str | None, uri: str) -> None:
        pending_prefixes[prefix or ""] = uri

    def start(name: str, attributes: dict[str, str]) -> None:
        offset = parser.CurrentByteIndex
        if not starts:
            scan.root_name, scan.root_start = name, offset
            scan.root_tag_end, scan.root_self_closing = _tag_end(data, offset)
            scan.root_prefixes = dict(pending_prefixes)
        pending_prefixes.clear()
        starts.append((name, offset))
        if capture["depth"]:
            capture["depth"] += 1
        elif name == target and scan.first is None:
            capture["depth"], capture["verify"] = 1, attributes.get("verify")

    def end(name: str) -> None:
        _, begin = starts.pop()
        offset = parser.CurrentByteIndex
        if data[offset : offset + 2] == b"</":
            finish = data.index(b">", offset) + 1
        else:
            finish = _tag_end(data, begin)[0]
        if name == target:
            scan.targets.append((begin, finish))
        if capture["depth"]:
            capture["depth"] -= 1
            if not capture["depth"]:
                text = "".join(capture["text"]).strip()
                scan.first = BakedSvg(capture["verify"], text or None)

    def characters(text: str) -> None:
        if capture["depth"]:
            capture["text"].append(text)

    parser.XmlDeclHandler = xml_decl
    parser.StartNamespaceDeclHandler = namespace_decl
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.EntityDeclHandler = _refuse("entity declarations are refused")
    parser.UnparsedEntityDeclHandler = _refuse("entity declarations are refused")
    parser.ExternalEntityRefHandler = _refuse("external entities are refused")
    parser.SkippedEntityHandler = _refuse("entity references are refused")
    try:
        parser.Parse(bytes(data), True)
    except expat.ExpatError as error:
        raise CorruptSvgError(f"not well-formed XML: {error}") from error
    if scan.root_name != f"{SVG_NAMESPACE} svg":
        raise CorruptSvgError("the root element is not <svg> in the SVG namespace")
    return scan


def _attribute(value: str) -> str:
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        value = value.replace(raw, escaped)
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _cdata(text: str) -> str:
    # A "]]>" inside the text would end the section: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _as_bytes(svg: bytes | str) -> bytes:
    return svg.encode("utf-8") if isinstance(svg, str) else bytes(svg)


def _bake_svg(data: bytes, scan: _SvgScan, namespace: str, element: str) -> bytes:
    edits: list[tuple[int, int, bytes]] = [(begin, end, b"") for begin, end in scan.targets]
    bound = scan.root_prefixes.get(SVG_PREFIX)
    if bound is not None and bound != namespace:
        raise BakeError(f"the {SVG_PREFIX} prefix of this SVG is bound to {bound}, not {namespace}")
    close = scan.root_tag_end - (2 if scan.root_self_closing else 1)
    if bound is None:
        edits.append((close, close, f' xmlns:{SVG_PREFIX}="{namespace}"'.encode()))
    if scan.root_self_closing:
        tag = data[scan.root_start + 1 : close].split(None, 1)[0].decode("utf-8")
        edits.append((close, scan.root_tag_end, f">{element}</{tag}>".encode()))
    else:
        edits.append((scan.root_tag_end, scan.root_tag_end, element.encode("utf-8")))
    for begin, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        data = data[:begin] + replacement + data[end:]
    return data


class SvgBaking:
    """An SVG scanned once for each kind of element, to bake one document after another into it.

    :meth:`ob2` and :meth:`ob3` give the bytes of :func:`bake_svg_ob2` and :func:`bake_svg_ob3`:
    a build bakes each badge's image into every award of the badge, and scans it only once.
    """

    def __init__(self, svg: bytes | str) -> None:
        self.data = _as_bytes(svg)
        # Only read once made.
        self._scans: dict[tuple[str, str], _SvgScan] = {}

    def _bake(self, namespace: str, local: str, element: str) -> bytes:
        scan = self._scans.get((namespace, local))
        if scan is None:
            scan = self._scans[namespace, local] = _scan_svg(self.data, namespace, local)
        return _bake_svg(self.data, scan, namespace, element)

    def ob2(self, *, verify: str, assertion_json: str | None = None) -> bytes:
        """Bake an Open Badges 2.0 assertion (see :func:`bake_svg_ob2`)."""
        if assertion_json is None:
            element = f'<{SVG_PREFIX}:assertion verify="{_attribute(verify)}"/>'
        else:
            element = (
                f'<{SVG_PREFIX}:assertion verify="{_attribute(verify)}">'
                f"{_cdata(assertion_json)}</{SVG_PREFIX}:assertion>"
            )
        return self._bake(OB2_SVG_NAMESPACE, "assertion", element)

    def ob3(self, *, credential_json: str | None = None, jwt: str | None = None) -> bytes:
        """Bake an Open Badges 3.0 credential (see :func:`bake_svg_ob3`)."""
        if credential_json is not None and jwt is None:
            element = (
                f"<{SVG_PREFIX}:credential>{_cdata(credential_json)}</{SVG_PREFIX}:credential>"
            )
        elif jwt is not None and credential_json is None:
            element = (
                f'<{SVG_PREFIX}:credential verify="{_attribute(jwt)}"></{SVG_PREFIX}:credential>'
            )
        else:
            raise BakeError("give either the credential JSON or its VC-JWT")
        return self._bake(OB3_SVG_NAMESPACE, "credential", element)


def bake_svg_ob2(svg: bytes | str, *, verify: str, assertion_json: str | None = None) -> bytes:
    """Bake an Open Badges 2.0 assertion: `verify` is the hosted URL (with the assertion JSON as
    the body) or the compact JWS of a signed assertion (no body)."""
    return SvgBaking(svg).ob2(verify=verify, assertion_json=assertion_json)


def bake_svg_ob3(
    svg: bytes | str, *, credential_json: str | None = None, jwt: str | None = None
) -> bytes:
    """Bake an Open Badges 3.0 credential: its JSON (embedded proof) or its VC-JWT, not both."""
    return SvgBaking(svg).ob3(credential_json=credential_json, jwt=jwt)


def _read_svg(svg: bytes | str, namespace: str, local: str) -> BakedSvg:
    found = _scan_svg(_as_bytes(svg), namespace, local).first
    if found is None:
        raise NotBakedError(f"no <{SVG_PREFIX}:{local}> element in the {namespace} namespace")
    return found


def read_svg_ob2(svg: bytes | str) -> BakedSvg:
    """Return the `verify` attribute and body of the first Open Badges 2.0 assertion element."""
    return _read_svg(svg, OB2_SVG_NAMESPACE, "assertion")


def read_svg_ob3(svg: bytes | str) -> BakedSvg:
    """Return the `verify` attribute and body of the first Open Badges 3.0 credential element."""
    return _read_svg(svg, OB3_SVG_NAMESPACE, "credential")


@functools.lru_cache(maxsize=32)
def png_to_svg(png: bytes) -> bytes:
    """Wrap a PNG in an SVG of the same size, so that a PNG-only badge can be baked as SVG too.

    Open Badges data already baked into the PNG is left out of the copy.
    """
    width, height = png_size(png)
    encoded = base64.b64encode(unbake_png(png)).decode("ascii")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="{SVG_NAMESPACE}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<image width="{width}" height="{height}" href="data:image/png;base64,{encoded}"/>'
        "</svg>\n"
    ).encode("ascii")
