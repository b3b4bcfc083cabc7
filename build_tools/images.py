"""Check that badge images and logos are what their names say, and of a sane size.

A PNG is read from its own header (no decoding of a possibly huge image), then checked for
integrity by Pillow. An SVG is parsed with entity declarations refused, and must hold nothing
that runs or loads from elsewhere: baked SVG badges are served from the site's own origin, where
a script would run with the site's rights.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from build_tools.diagnostics import Diagnostic, os_reason
from build_tools.yamlsource import Source

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 2048
MIN_SIDE = 64
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN_SVG_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "handler"}
_LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


class ImageProblem(ValueError):
    """The file is not an acceptable image; the message is for the person who added it."""


@dataclass(frozen=True)
class ImageInfo:
    format: Literal["png", "svg"]
    width: int
    height: int
    size: int


def inspect_image(path: Path) -> ImageInfo:
    """Check an image file and return its format and size, or raise :class:`ImageProblem`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageProblem("fichier image introuvable") from None
    except OSError as exc:
        raise ImageProblem(f"fichier image illisible ({os_reason(exc)})") from None
    if len(data) > MAX_BYTES:
        raise ImageProblem(f"image trop lourde ({len(data) // 1024} Ko, au plus 2048 Ko)")
    suffix = path.suffix.lower()
    if suffix == ".png":
        info = _inspect_png(data)
    elif suffix == ".svg":
        info = _inspect_svg(data)
    else:
        raise ImageProblem("l'image doit être un fichier .png ou .svg")
    if max(info.width, info.height) > MAX_SIDE:
        raise ImageProblem(
            f"image trop grande ({info.width}×{info.height} px, au plus {MAX_SIDE}×{MAX_SIDE})"
        )
    if min(info.width, info.height) < MIN_SIDE:
        raise ImageProblem(
            f"image trop petite ({info.width}×{info.height} px, au moins {MIN_SIDE}×{MIN_SIDE})"
        )
    return info


def _inspect_png(data: bytes) -> ImageInfo:
    if not data.startswith(PNG_SIGNATURE):
        kind = "un SVG" if b"<svg" in data[:1024] else "autre chose"
        raise ImageProblem(f"le fichier porte l'extension .png mais contient {kind}")
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise ImageProblem("PNG tronqué ou corrompu (en-tête IHDR absent)")
    width, height = struct.unpack(">II", data[16:24])
    # The header alone tells the size, so a 50-megapixel image is refused before any decoding.
    if max(width, height) > MAX_SIDE:
        raise ImageProblem(
            f"image trop grande ({width}×{height} px, au plus {MAX_SIDE}×{MAX_SIDE})"
        )
    try:
        from io import BytesIO

        with Image.open(BytesIO(data)) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many types for corrupt files.
        raise ImageProblem(f"PNG corrompu ({exc.__class__.__name__})") from None
    return ImageInfo("png", width, height, len(data))


def _inspect_svg(data: bytes) -> ImageInfo:
    if data.startswith(PNG_SIGNATURE):
        raise ImageProblem("le fichier porte l'extension .svg mais contient un PNG")
    head = data[:4096].decode("utf-8", "replace")
    if "<!DOCTYPE" in head or "<!ENTITY" in data.decode("utf-8", "replace"):
        raise ImageProblem("SVG avec déclaration DOCTYPE ou ENTITY refusé")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ImageProblem(f"SVG invalide (XML mal formé : {exc})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageProblem("le fichier .svg n'est pas une image SVG (élément racine <svg> absent)")
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in _FORBIDDEN_SVG_TAGS:
            raise ImageProblem(f"SVG refusé : élément <{local}> interdit")
        for name, value in element.attrib.items():
            attr = name.rsplit("}", 1)[-1]
            if attr.lower().startswith("on"):
                raise ImageProblem(f"SVG refusé : attribut {attr} (script) interdit")
            if attr == "href" and not value.startswith(("#", "data:image/")):
                raise ImageProblem(f"SVG refusé : référence externe {value!r} interdite")
        if (
            local == "style"
            and element.text
            and ("@import" in element.text or "url(" in element.text)
        ):
            raise ImageProblem("SVG refusé : feuille de style qui charge une ressource externe")
    width, height = _svg_size(root)
    return ImageInfo("svg", width, height, len(data))


def _svg_size(root: ET.Element) -> tuple[int, int]:
    width = _length(root.get("width"))
    height = _length(root.get("height"))
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) != 4:
            raise ImageProblem("SVG sans dimensions : ajoutez width/height ou viewBox")
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            raise ImageProblem("SVG : viewBox illisible") from None
    return round(width), round(height)


def _length(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.match(value)
    return float(match.group(1)) if match else None


def check_file_field(
    source: Source, root: Path, folder: str, key: str
) -> tuple[Path | None, list[Diagnostic]]:
    """Resolve the image path of field ``key`` relative to ``folder`` and check the image itself.

    The path is returned even when the image is refused, so that one bad image does not also
    make its badge vanish from the checks that follow (its level family, for one).
    """
    value = source.data.get(key)
    if value is None:
        return None, []
    where = source.locate((key,))
    base = (root / folder).resolve()
    path = (base / value).resolve()
    if ".." in Path(value).parts or not path.is_relative_to(base):
        return None, [where.error(key, f"« {value} » sort du dossier {folder}/")]
    try:
        inspect_image(path)
    except ImageProblem as problem:
        return path, [where.error(key, f"{folder}/{value} : {problem}")]
    return path, []
