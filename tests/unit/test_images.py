from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from build_tools.images import ImageProblem, inspect_image


def _png(path: Path, size: tuple[int, int] = (256, 256)) -> Path:
    buffer = BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_png_and_svg_are_measured(tmp_path: Path) -> None:
    info = inspect_image(_png(tmp_path / "a.png", (300, 200)))
    assert (info.format, info.width, info.height) == ("png", 300, 200)
    svg = tmp_path / "b.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><circle r="5"/></svg>'
    )
    assert (inspect_image(svg).width, inspect_image(svg).height) == (512, 512)


def test_header_of_a_huge_png_is_enough_to_refuse_it(tmp_path: Path) -> None:
    # Only a header: the size must be refused before anything is decoded.
    header = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + struct.pack(">IIBBBBB", 10000, 5000, 8, 2, 0, 0, 0)
    )
    header += struct.pack(">I", zlib.crc32(header[12:]) & 0xFFFFFFFF)
    path = tmp_path / "huge.png"
    path.write_bytes(header)
    with pytest.raises(ImageProblem, match="trop grande"):
        inspect_image(path)


@pytest.mark.parametrize(
    "content,message",
    [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" width="99" height="99"><script>x</script></svg>',
            "<script>",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" width="99" height="99"><a href="https://x.org/"/></svg>',
            "externe",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "DOCTYPE",
        ),
        ("<html><body/></html>", "racine"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><circle/></svg>', "sans dimensions"),
        ("<svg", "mal formé"),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "trop petite"),
    ],
)
def test_unsafe_or_broken_svg_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.svg"
    path.write_text(content)
    with pytest.raises(ImageProblem, match=message):
        inspect_image(path)


def test_corrupt_and_truncated_png(tmp_path: Path) -> None:
    good = _png(tmp_path / "good.png").read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImageProblem, match="corrompu"):
        inspect_image(truncated)
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a" + b"\x00" * 100)
    with pytest.raises(ImageProblem, match=r"extension \.png"):
        inspect_image(fake)


def test_missing_and_wrong_extension(tmp_path: Path) -> None:
    with pytest.raises(ImageProblem, match="introuvable"):
        inspect_image(tmp_path / "absent.png")
    gif = tmp_path / "x.gif"
    gif.write_bytes(b"GIF89a")
    with pytest.raises(ImageProblem, match=r"\.png ou \.svg"):
        inspect_image(gif)
