"""QR codes of the site's addresses, drawn as inline SVG (error correction M).

zxing-cpp (C++, with zint inside) encodes the codes. Told which of the eight data masks to
apply, it takes about 40 µs a code; left to choose, about 190 µs, because it applies each mask
in turn and scores the eight results by the penalty rules of ISO/IEC 18004 (§7.8.3). A build
draws a code on every verification page, so for many codes at once the choice is made here
instead, with numpy, for a whole batch in a few array operations:

- each code is encoded once with mask 0;
- the seven other masks only flip modules whose places depend on the code's size alone (the
  data modules under each mask pattern, and the format information that names the mask): the
  flips of each mask are learnt once per size, from zxing-cpp's own encodings of one code;
- the eight variants of every code are scored at once, rows and columns packed as 64-bit
  integers, with zint's rules (``qr_evaluate``), and the first lowest score wins, as in zint
  (0.03 ms a code, against 0.04 ms for encoding it).

The result is, module for module, the code that zxing-cpp draws when it chooses
(``tests/unit/test_qrcodes.py`` compares them over every size up to 53 modules), in about
0.075 ms a code instead of 0.19. Codes of more than :data:`_PACKED_MAX` modules a side
(addresses of over about 180 bytes), and batches too small to pay for importing numpy, are left
to zxing-cpp's choice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import zxingcpp
from markupsafe import Markup

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: The light modules drawn around the code, in modules (the page's margin adds to it).
QR_BORDER = 2
# The largest QR code (version 40) is 177 modules wide.
_QR_MAX = 177
# Where each row's stroke starts: its left edge, halfway down the row.
_QR_ROWS = [f"M{QR_BORDER} {y + QR_BORDER}.5" for y in range(_QR_MAX)]
# In the image that zxing-cpp draws, a light module is 255 and a dark one 0. Runs of light
# modules become moves and runs of dark ones strokes, longest first: a run of 7 dark modules
# is drawn as "h4h2h1". No replacement holds either byte, so the order is safe.
_QR_LIGHT = b"\xff"
_QR_PIECES = [(_QR_LIGHT * k, f"m{k} 0".encode()) for k in (4, 2, 1)] + [
    (b"\x00" * k, f"h{k}".encode()) for k in (8, 4, 2, 1)
]

#: Codes are scored with each row padded by 4 light modules on both sides in one 64-bit word.
_PACKED_MAX = 56
#: Below this many codes, zxing-cpp chooses the masks itself (numpy takes 60 ms to import).
_BATCH_MIN = 16
#: Codes scored together: enough to make numpy's calls cheap, few enough to stay in cache.
BATCH = 256


def svg(url: str) -> Markup:
    """An inline SVG QR code of a URL."""
    return draw(_encode(url, None))


def prepare(count: int) -> None:
    """Import what :func:`svgs` needs to draw ``count`` codes, in this process.

    A build calls it before it forks the workers that draw its pages' codes, which then
    inherit numpy instead of each importing it.
    """
    if count >= _BATCH_MIN:
        import numpy  # noqa: F401


def svgs(urls: Sequence[str]) -> list[Markup]:
    """:func:`svg` of each URL, in order: the same drawings, made together in less time."""
    if len(urls) < _BATCH_MIN:
        return [svg(url) for url in urls]
    drawn: list[Markup] = []
    for start in range(0, len(urls), BATCH):
        drawn += [draw(modules) for modules in _chosen(urls[start : start + BATCH])]
    return drawn


def draw(modules: bytes) -> Markup:
    """The SVG of a code given as its modules, row after row, 0 for dark and 255 for light.

    The SVG is one path stroked one module wide along the middle of each row, one module per
    user unit (the stylesheet sizes it), with a quiet zone of :data:`QR_BORDER` modules. The
    rows become path commands by a few byte replacements rather than a loop over their runs:
    a path of 2.3 KB instead of 4 KB for a page's address. Strokes of adjacent rows share
    their edges, so no hairline shows between them at any size.
    """
    width = _width(modules)
    # Rows are separated by "|", which no replacement holds; light modules ending a row draw
    # nothing, so they are left out.
    rows = b"".join(
        b"|" + modules[start : start + width].rstrip(_QR_LIGHT)
        for start in range(0, width * width, width)
    )
    for modules_run, command in _QR_PIECES:
        rows = rows.replace(modules_run, command)
    path = "".join(
        start + commands
        for start, commands in zip(_QR_ROWS, rows.decode("ascii").split("|")[1:], strict=False)
    )
    size = width + 2 * QR_BORDER
    # Safe as markup: numbers only, no text from the data files.
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="bdg-qr">'
        f'<title>QR code</title><path fill="none" stroke="#000" stroke-width="1" '
        f'shape-rendering="crispEdges" d="{path}"/></svg>'
    )


def _width(modules: bytes) -> int:
    width = math.isqrt(len(modules))
    if width * width != len(modules):
        raise ValueError(f"{len(modules)} modules do not make a square")
    return width


#: zxing-cpp's options that apply each mask (see :func:`_encode`).
_MASK_OPTIONS = [json.dumps({"ecLevel": "M", "dataMask": mask}) for mask in range(8)]


def _encode(url: str, mask: int | None) -> bytes:
    """The modules of a URL's code (see :func:`draw`); zxing-cpp chooses the mask if None.

    zxing-cpp 3.1 skips the first key of its options: it repeats ``ec_level`` there, so that
    the options are read whole by a version that does not.
    """
    options = {} if mask is None else {"options": _MASK_OPTIONS[mask]}
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M", **options)
    image = code.to_image(scale=1, add_quiet_zones=False)
    # zxing-cpp's stub does not declare that its image supports the buffer protocol, which
    # it does.
    modules: bytes = bytes(image)  # type: ignore[call-overload]
    return modules


# Penalty scores (numpy from here on).


class _Flips:
    """What turning mask 0 into each mask flips, in codes of one size (see the module's doc)."""

    def __init__(self, url: str, plain: bytes) -> None:
        import numpy as np

        width = _width(plain)
        base = _dark(np.frombuffer(plain, dtype=np.uint8), width)
        masked = np.stack(
            [
                _dark(np.frombuffer(_encode(url, mask), dtype=np.uint8), width)
                for mask in range(1, 8)
            ]
        )
        #: (8, width, width): the modules each mask flips; none for mask 0.
        self.modules: NDArray[np.bool_] = np.concatenate([np.zeros_like(base)[None], masked ^ base])
        #: (8, 2 * width): the flips of each mask's rows, then of its columns, packed.
        self.lines = _lines(self.modules)


def _dark(modules: NDArray[Any], width: int) -> NDArray[np.bool_]:
    dark: NDArray[np.bool_] = (modules == 0).reshape(width, width)
    return dark


def _pack(dark: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """Each row of ``dark`` (..., width, width) as an integer, its first module highest."""
    import numpy as np

    width = dark.shape[-1]
    packed = np.packbits(dark, axis=-1)
    words = np.zeros((*packed.shape[:-1], 8), dtype=np.uint8)
    words[..., : packed.shape[-1]] = packed
    return words.view(">u8")[..., 0].astype(np.uint64) >> np.uint64(64 - width)


def _lines(dark: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """The rows, then the columns, of codes (..., width, width), packed by :func:`_pack`."""
    import numpy as np

    return np.concatenate([_pack(dark), _pack(dark.swapaxes(-1, -2))], axis=-1)


_FLIPS: dict[int, _Flips] = {}


def _chosen(urls: Sequence[str]) -> list[bytes]:
    """The modules of each URL's code, its mask chosen as zxing-cpp chooses it."""
    import numpy as np

    plain = [_encode(url, 0) for url in urls]
    chosen: list[bytes] = list(plain)
    by_width: dict[int, list[int]] = {}
    for index, modules in enumerate(plain):
        by_width.setdefault(_width(modules), []).append(index)
    for width, indexes in by_width.items():
        if width > _PACKED_MAX:
            for index in indexes:
                chosen[index] = _encode(urls[index], None)
            continue
        flips = _FLIPS.get(width)
        if flips is None:
            flips = _FLIPS[width] = _Flips(urls[indexes[0]], plain[indexes[0]])
        modules = b"".join(plain[index] for index in indexes)
        dark = np.frombuffer(modules, dtype=np.uint8).reshape(-1, width, width) == 0
        best = penalties(_lines(dark)[:, None, :] ^ flips.lines[None], width).argmin(axis=1)
        # Back to zxing-cpp's image: 0 for dark, 255 for light.
        drawn = ((~(dark ^ flips.modules[best])).view(np.uint8) * np.uint8(255)).tobytes()
        size = width * width
        for place, index in enumerate(indexes):
            chosen[index] = drawn[place * size : (place + 1) * size]
    return chosen


def penalties(lines: NDArray[np.uint64], width: int) -> NDArray[Any]:
    """zint's penalty score of each code, given as its rows then its columns packed by :func:`_pack`.

    The last axis runs over the rows, then the columns, of a code; the score sums, as zint's
    ``qr_evaluate`` does: 3 + (n - 5) for each run of n >= 5 modules of one colour in a row or
    column; 3 for each 2 x 2 block of one colour; 40 for each dark-light-dark-dark-dark-light-
    dark pattern in a row or column with 4 light modules (or the edge) before or after it; and
    10 for each full 5 % that the share of dark modules is away from half.
    """
    import numpy as np

    one, two, four = np.uint64(1), np.uint64(2), np.uint64(4)
    count = np.bitwise_count
    pairs = np.uint64((1 << (width - 1)) - 1)
    # Bit i of ``alike``: the modules at i and i + 1 from the right of the line are alike.
    alike = ~(lines ^ (lines >> one)) & pairs
    # A run of n >= 5 alike modules holds n - 4 windows of 5 of them, and starts once.
    alike2 = alike & (alike << one)
    windows = alike2 & (alike2 << two)
    starts = windows & ~(alike >> one)
    # Finder-like patterns, in the line padded by 4 light modules on each side (``light`` is
    # only read within them): the module that starts a pattern at bit t, its k-th module is
    # at bit t - k.
    dark = lines << four
    light = ~dark
    light2 = light & (light << one)
    light4 = light2 & (light2 << two)
    dark3 = dark & (dark << one) & (dark << two)
    pattern = dark & (light << one) & (dark3 << two) & (light << np.uint64(5))
    pattern &= dark << np.uint64(6)
    # Patterns that start within the line, with 4 light modules before or after them.
    starts_in_line = np.uint64(((1 << (width + 4)) - 1) & ~((1 << 10) - 1))
    found = pattern & ((light4 >> four) | (light4 << np.uint64(7))) & starts_in_line
    # 2 x 2 blocks, from the rows: the modules at i and i + 1 alike in one row, and each alike
    # in the next row.
    rows = lines[..., :width]
    down = ~(rows[..., :-1] ^ rows[..., 1:])
    blocks = alike[..., : width - 1] & down & (down >> one)
    each = (
        count(windows).astype(np.uint16) + 2 * count(starts) + 40 * count(found).astype(np.uint16)
    )
    scores: NDArray[Any] = each.sum(axis=-1, dtype=np.int64)
    scores += 3 * count(blocks).sum(axis=-1, dtype=np.int64)
    dark_modules = count(rows).sum(axis=-1, dtype=np.int64)
    share = (100.0 * dark_modules) / (width * width)
    scores += 10 * (np.abs(share - 50.0) / 5.0).astype(np.int64)
    return scores
