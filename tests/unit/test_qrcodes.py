"""QR codes: what they decode to, and the mask chosen as zxing-cpp chooses it."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from build_tools import qrcodes


def _qr_image(svg: str, scale: int = 4) -> Image.Image:
    """The QR code an SVG of :func:`qrcodes.svg` draws, as a black and white image.

    The path is read as the SVG renderer reads it: a move to the middle of a row's left edge,
    then strokes one module wide (``h``) and moves along the row (``m``), in module units.
    """
    viewbox, drawn = re.search(r'viewBox="0 0 (\d+) \1"', svg), re.search(r' d="([^"]*)"', svg)
    assert viewbox and drawn
    assert 'stroke-width="1"' in svg and 'fill="none"' in svg
    size, path = int(viewbox.group(1)), drawn.group(1)
    commands = re.findall(r"M(\d+) (\d+)\.5|h(\d+)|m(\d+) 0", path)
    # The path holds nothing but these commands.
    assert re.fullmatch(r"(?:M\d+ \d+\.5|h\d+|m\d+ 0)*", path)
    image = Image.new("L", (size, size), 255)
    x = y = -1
    for row_x, row_y, dark, light in commands:
        if row_x:
            x, y = int(row_x), int(row_y)
        elif dark:
            image.paste(0, (x, y, x + int(dark), y + 1))
            x += int(dark)
        else:
            x += int(light)
        assert 0 <= x <= size and 0 <= y < size
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


@pytest.mark.parametrize(
    "url",
    [
        "https://badges.example.org/a/x.html",
        "https://badges.example.org/test/a/01JXYZ3K4M5N6P7Q8R9S0T1V2W.html",
        "HTTPS://BADGES.EXAMPLE.ORG/A/12345",
        "https://badges.exemple.fr/a/élève-été-çà-😀.html?q=a%20b&r=1#fin",
        "https://badges.example.org/a/" + "0123456789abcdef" * 60 + ".html",
    ],
)
def test_the_qr_code_decodes_to_its_url(url: str) -> None:
    svg = str(qrcodes.svg(url))
    image = _qr_image(svg)
    # The quiet zone is part of the drawing: a light band of QR_BORDER modules on every side.
    side = image.width
    assert side >= (21 + 2 * qrcodes.QR_BORDER) * 4
    band, end = qrcodes.QR_BORDER * 4, side - qrcodes.QR_BORDER * 4
    for box in [(0, 0, side, band), (0, 0, band, side), (end, 0, side, side), (0, end, side, side)]:
        assert image.crop(box).getextrema() == (255, 255)
    assert image.crop((band, band, end, end)).getextrema() == (0, 255)
    # Decoders want a wider quiet zone than the page draws (the page's margin adds to it).
    framed = Image.new("L", (image.width + 32, image.height + 32), 255)
    framed.paste(image, (16, 16))
    found = zxingcpp.read_barcode(
        framed, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=False
    )
    assert found is not None and found.valid
    assert found.text == url
    assert found.ec_level == "M"
    # Module for module, the drawing is the code that zxing-cpp encoded.
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = code.to_image(scale=1, add_quiet_zones=False)
    border = qrcodes.QR_BORDER
    drawn = _qr_image(svg, scale=1).crop((border, border, side // 4 - border, side // 4 - border))
    assert drawn.tobytes() == bytes(modules)


def _random_urls(count: int, seed: int) -> list[str]:
    """Addresses of every size of code the packed scores take (21 to 53 modules), and larger."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    # The smallest code (21 modules) holds 14 bytes at level M.
    urls = ["https://b.fr/", "https://b.fr/a", "http://a.fr/b"]
    for index in range(count):
        # Sites of every length of address, as networks name them; some with letters beyond
        # ASCII in their path, which zxing-cpp encodes as UTF-8.
        site = "https://" + "b" * rng.randrange(1, 160) + ".fr/"
        if index % 10 == 0:
            site += "".join(rng.choice("éèçà😀-") for _ in range(rng.randrange(1, 12))) + "/"
        award = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 27)))
        urls.append(site + award)
    return urls


def test_batched_codes_are_the_codes_zxing_cpp_chooses() -> None:
    urls = _random_urls(400, seed=7)
    widths = {qrcodes._width(qrcodes._encode(url, 0)) for url in urls}
    # The batch covers every size from 21 to 53 modules, and some codes too large to pack.
    assert set(range(21, 54, 4)) <= widths and max(widths) > qrcodes._PACKED_MAX
    assert qrcodes.svgs(urls) == [qrcodes.draw(qrcodes._encode(url, None)) for url in urls]


def test_small_batches_and_single_codes_are_the_same_drawings() -> None:
    urls = _random_urls(qrcodes._BATCH_MIN + 3, seed=3)
    batched = qrcodes.svgs(urls)
    assert batched == [qrcodes.svg(url) for url in urls]
    assert qrcodes.svgs(urls[:2]) == batched[:2]
    assert qrcodes.svgs([]) == []


@pytest.mark.parametrize("mask", range(8))
def test_each_mask_is_encoded_as_asked(mask: int) -> None:
    """zxing-cpp applies the mask named in its options (its first key is ignored in 3.1)."""
    url = "https://badges.example.org/a/voa4hb3aemwxbw43tdr2mmfqmq.html"
    modules = qrcodes._encode(url, mask)
    width = qrcodes._width(modules)
    image = Image.frombytes("L", (width, width), modules)
    framed = Image.new("L", (width * 4 + 32, width * 4 + 32), 255)
    framed.paste(image.resize((width * 4, width * 4), Image.Resampling.NEAREST), (16, 16))
    found = zxingcpp.read_barcode(framed, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None and found.text == url
    assert found.extra["DataMask"] == mask and found.ec_level == "M"


def _reference_penalty(code: list[list[int]]) -> int:
    """zint's ``qr_evaluate``, module by module, as its C code reads (1 is dark)."""
    size = len(code)
    score = 0
    lines = [list(row) for row in code] + [list(column) for column in zip(*code, strict=True)]
    for line in lines:
        run, colour = 0, 0
        for module in line:
            if module == colour:
                run += 1
            else:
                if run >= 5:
                    score += run - 2
                run, colour = 1, module
        if run >= 5:
            score += run - 2
    for y in range(size - 1):
        for x in range(size - 1):
            if code[y][x] == code[y + 1][x] == code[y][x + 1] == code[y + 1][x + 1]:
                score += 3
    pattern = [1, 0, 1, 1, 1, 0, 1]
    for line in lines:
        x = 0
        while x <= size - 7:
            if line[x : x + 7] == pattern:
                before = line[max(0, x - 4) : x]
                after = line[x + 7 : x + 11]
                if not any(before) or not any(after):
                    score += 40
                x += 3
            x += 1
    dark = sum(map(sum, code))
    score += 10 * int(abs(100.0 * dark / (size * size) - 50.0) / 5.0)
    return score


@pytest.mark.parametrize("size", [21, 25, 33, 45, 56])
def test_packed_penalties_are_zints(size: int) -> None:
    """The numpy scores against zint's rules written plainly, on random and patterned codes."""
    rng = np.random.default_rng(size)
    codes = [rng.random((size, size)) < share for share in (0.5, 0.2, 0.8, 0.05, 0.95)]
    # Finder-like patterns against the edges and inside, long runs and stripes.
    patterned = np.zeros((size, size), dtype=bool)
    patterned[0, :7] = patterned[3, size - 7 :] = [1, 0, 1, 1, 1, 0, 1]
    patterned[10, 4:11] = patterned[5:12, 20 % size] = [1, 0, 1, 1, 1, 0, 1]
    patterned[size - 1, :] = True
    patterned[:, 1::3] ^= True
    codes += [patterned, ~patterned, np.eye(size, dtype=bool)]
    dark = np.stack(codes)
    found = qrcodes.penalties(qrcodes._lines(dark), size)
    expected = [_reference_penalty(code.astype(int).tolist()) for code in codes]
    assert found.tolist() == expected
