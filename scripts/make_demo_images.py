"""Draw the images of the demo catalogue: one PNG per badge and one logo per issuer.

Run it from anywhere with ``python scripts/make_demo_images.py``. It needs Pillow 10.1 or later
and nothing else: shapes are drawn with ``ImageDraw`` and text uses the font that Pillow embeds
(``ImageFont.load_default(size=...)``), so the result is the same on every machine. That font has
no accented letters, so accents on capitals are drawn as small shapes over the base letter.

Every image is drawn four times larger than its final size and then reduced, which smooths the
edges. Three badges have hand-written SVG images instead (see ``badges/images/*.svg``); this
script leaves them alone.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
BADGE_SIZE = 512
LOGO_SIZE = 256
SCALE = 4
WHITE = "#ffffff"
GOLD = "#f4c430"

Point = tuple[float, float]


@dataclass(frozen=True)
class Palette:
    """Colours of one family of images: border, field, light details and ribbon."""

    dark: str
    main: str
    light: str
    ribbon: str


BAS_BERRY = Palette("#0b4f4a", "#138a7e", "#bfe9e2", "#0b4f4a")
VAL_DE_LOIRE = Palette("#12355b", "#2a6fb0", "#cfe3f7", "#12355b")
LOIR_ET_CHER = Palette("#7a3208", "#d9661b", "#fde0c6", "#7a3208")
AGILE = Palette("#3d1f63", "#7145a8", "#e4d6f6", "#3d1f63")
TRAJECTOIRES = Palette("#7c2335", "#d2495f", "#fbd9de", "#7c2335")
EMPLOI = Palette("#6b4a00", "#c98d00", "#fbeab8", "#6b4a00")
SAVOIR_ETRE = Palette("#7d1416", "#c0392b", "#f8d3cf", "#7d1416")
CITOYEN = Palette("#1f5122", "#3f8f3f", "#d4edcf", "#1f5122")


class Pen:
    """ImageDraw in final-size coordinates, with an optional zoom around a centre.

    Every length is multiplied by SCALE, and by the zoom factor inside ``zoomed()``.
    """

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)
        self.factor = 1.0
        self.centre: Point = (0.0, 0.0)

    @contextmanager
    def zoomed(self, factor: float, cx: float, cy: float) -> Iterator[None]:
        """Draw larger (or smaller) around (cx, cy) inside the ``with`` block."""
        self.factor, self.centre = factor, (cx, cy)
        try:
            yield
        finally:
            self.factor, self.centre = 1.0, (0.0, 0.0)

    def _pt(self, x: float, y: float) -> tuple[float, float]:
        cx, cy = self.centre
        return ((cx + (x - cx) * self.factor) * SCALE, (cy + (y - cy) * self.factor) * SCALE)

    def _len(self, length: float) -> float:
        return length * self.factor * SCALE

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: str | None = None,
        outline: str | None = None,
        width: float = 0,
    ) -> None:
        x, y = self._pt(cx, cy)
        box = [x - self._len(rx), y - self._len(ry), x + self._len(rx), y + self._len(ry)]
        self.draw.ellipse(box, fill=fill, outline=outline, width=round(self._len(width)))

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: str | None = None,
        outline: str | None = None,
        width: float = 0,
        radius: float = 0,
    ) -> None:
        box = [*self._pt(x0, y0), *self._pt(x1, y1)]
        self.draw.rounded_rectangle(
            box, radius=self._len(radius), fill=fill, outline=outline, width=round(self._len(width))
        )

    def poly(self, points: Sequence[Point], fill: str) -> None:
        self.draw.polygon([self._pt(x, y) for x, y in points], fill=fill)

    def line(self, points: Sequence[Point], fill: str, width: float) -> None:
        """A polyline with round joints and round ends."""
        scaled = [self._pt(x, y) for x, y in points]
        self.draw.line(scaled, fill=fill, width=round(self._len(width)), joint="curve")
        for x, y in (points[0], points[-1]):
            self.ellipse(x, y, width / 2, width / 2, fill=fill)

    def arc(
        self, cx: float, cy: float, r: float, start: float, end: float, fill: str, width: float
    ) -> None:
        """An arc from ``start`` to ``end`` degrees (clockwise from three o'clock)."""
        steps = max(8, int(abs(end - start) / 4))
        points = [
            (
                cx + r * math.cos(math.radians(start + (end - start) * i / steps)),
                cy + r * math.sin(math.radians(start + (end - start) * i / steps)),
            )
            for i in range(steps + 1)
        ]
        self.line(points, fill, width)

    def text(self, cx: float, top: float, text: str, size: float, fill: str) -> None:
        """Centred text whose accents are drawn as shapes (the embedded font has none)."""
        font = ImageFont.load_default(size=self._len(size))
        unit = self._len(1)
        parts = [unicodedata.normalize("NFD", ch) for ch in text]
        width = sum(font.getlength(part[0]) for part in parts) / unit
        x = cx - width / 2
        for part in parts:
            base, marks = part[0], part[1:]
            self.draw.text(self._pt(x, top), base, font=font, fill=fill)
            left, glyph_top, right, _ = font.getbbox(base)
            mid = x + (left + right) / 2 / unit
            self._accents(mid, top + glyph_top / unit, top + size * 0.93, marks, size, fill)
            x += font.getlength(base) / unit

    def _accents(
        self, mid: float, glyph_top: float, baseline: float, marks: str, size: float, fill: str
    ) -> None:
        stroke = size * 0.085
        above = glyph_top - size * 0.1
        for mark in marks:
            if mark == "\u0301":  # Acute accent.
                self.line(
                    [(mid - size * 0.07, above), (mid + size * 0.08, above - size * 0.13)],
                    fill,
                    stroke,
                )
            elif mark == "\u0300":  # Grave accent.
                self.line(
                    [(mid + size * 0.07, above), (mid - size * 0.08, above - size * 0.13)],
                    fill,
                    stroke,
                )
            elif mark == "\u0302":  # Circumflex.
                self.line(
                    [
                        (mid - size * 0.11, above),
                        (mid, above - size * 0.12),
                        (mid + size * 0.11, above),
                    ],
                    fill,
                    stroke,
                )
            elif mark == "\u0308":  # Diaeresis.
                for dx in (-0.1, 0.1):
                    self.ellipse(
                        mid + size * dx, above - size * 0.05, stroke * 0.7, stroke * 0.7, fill=fill
                    )
            elif mark == "\u0327":  # Cedilla.
                self.arc(mid, baseline + size * 0.09, size * 0.07, -90, 150, fill, stroke * 0.8)


def shade(colour: str, factor: float) -> str:
    """A darker version of a ``#rrggbb`` colour (``factor`` 0.7 keeps 70 % of each channel)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def fit(text: str, width: float, largest: float) -> float:
    """The largest font size, at most ``largest``, at which ``text`` fits in ``width``."""
    size = largest
    while size > 10:
        font = ImageFont.load_default(size=size)
        plain = "".join(unicodedata.normalize("NFD", ch)[0] for ch in text)
        if font.getlength(plain) <= width:
            return size
        size -= 1
    return size


def regular(cx: float, cy: float, r: float, sides: int, turn: float = -90) -> list[Point]:
    return [
        (
            cx + r * math.cos(math.radians(turn + 360 * i / sides)),
            cy + r * math.sin(math.radians(turn + 360 * i / sides)),
        )
        for i in range(sides)
    ]


def shield(inset: float) -> list[Point]:
    """A shield outline in a 512-pixel square, shrunk by ``inset`` pixels."""
    top, side, bottom = 30 + inset, 52 + inset, 486 - inset * 1.25
    points: list[Point] = [(side, top), (512 - side, top)]
    for i in range(1, 21):  # Right side: straight, then curving to the tip.
        t = i / 20
        points.append((512 - side - (256 - side) * t**2.2, top + 150 + (bottom - top - 150) * t))
    for i in range(19, 0, -1):
        t = i / 20
        points.append((side + (256 - side) * t**2.2, top + 150 + (bottom - top - 150) * t))
    points.append((side, top + 150))
    return points


def draw_shape(pen: Pen, shape: str, palette: Palette) -> None:
    """The body of the badge: a border in the dark colour and a field in the main colour."""
    if shape == "hexagon":
        pen.poly(regular(256, 256, 250, 6), palette.dark)
        pen.poly(regular(256, 256, 228, 6), palette.main)
        pen.line([*regular(256, 256, 212, 6), regular(256, 256, 212, 6)[0]], palette.light, 3)
    elif shape == "rosette":
        for x, y in regular(256, 256, 226, 24):
            pen.ellipse(x, y, 26, 26, fill=palette.dark)
        pen.ellipse(256, 256, 226, 226, fill=palette.dark)
        pen.ellipse(256, 256, 204, 204, fill=palette.main)
        pen.ellipse(256, 256, 190, 190, outline=palette.light, width=3)
    elif shape == "shield":
        pen.poly(shield(0), palette.dark)
        pen.poly(shield(20), palette.main)
    elif shape == "orbit":
        pen.ellipse(256, 256, 240, 240, fill=palette.dark)
        pen.ellipse(256, 256, 220, 220, fill=palette.main)
        pen.arc(256, 256, 200, 200, 340, palette.light, 4)
        pen.ellipse(
            256 + 200 * math.cos(math.radians(340)),
            256 + 200 * math.sin(math.radians(340)),
            11,
            11,
            fill=GOLD,
        )
    else:  # A round seal with a double ring.
        pen.ellipse(256, 256, 246, 246, fill=palette.dark)
        pen.ellipse(256, 256, 230, 230, fill=palette.light)
        pen.ellipse(256, 256, 222, 222, fill=palette.main)


def draw_ribbon(pen: Pen, palette: Palette, lines: Sequence[str]) -> None:
    """A banner across the lower part of the badge, with folded tails."""
    top, bottom = 338, 338 + (62 if len(lines) == 1 else 88)
    middle = (top + bottom) / 2
    for side in (-1, 1):
        outer, inner = 256 + side * 236, 256 + side * 176
        pen.poly(
            [
                (inner, top + 14),
                (outer, top + 14),
                (outer - side * 22, middle + 7),
                (outer, bottom + 14),
                (inner, bottom + 14),
            ],
            palette.dark,
        )
        pen.poly(
            [(256 + side * 196, bottom), (inner, bottom + 14), (256 + side * 196, bottom + 14)],
            shade(palette.dark, 0.6),
        )
    pen.rect(60, top, 452, bottom, fill=palette.ribbon, outline=palette.light, width=2, radius=4)
    if len(lines) == 1:
        pen.text(256, top + 12, lines[0], fit(lines[0], 360, 40), WHITE)
    else:
        pen.text(256, top + 9, lines[0], fit(lines[0], 360, 36), WHITE)
        pen.text(256, top + 50, lines[1], fit(lines[1], 330, 28), palette.light)


def draw_stars(pen: Pen, rank: int, palette: Palette) -> None:
    """Three stars above the pictogram; as many gold ones as the level's rank."""
    for i in range(3):
        x = 256 + (i - 1) * 46
        star = [
            (
                x + r * math.cos(math.radians(-90 + 36 * k)),
                96 + r * math.sin(math.radians(-90 + 36 * k)),
            )
            for k, r in enumerate([19, 8] * 5)
        ]
        pen.poly(star, GOLD if i < rank else palette.dark)


# Pictograms, centred on (256, 215) and about 170 pixels wide, in white on the field.
Pictogram = Callable[[Pen, Palette], None]


def phone(pen: Pen, p: Palette) -> None:
    pen.rect(206, 128, 306, 302, fill=WHITE, radius=18)
    pen.rect(218, 150, 294, 270, fill=p.dark, radius=4)
    pen.ellipse(256, 287, 8, 8, fill=p.main)
    for i, w in enumerate((52, 38, 46)):
        pen.rect(228, 166 + i * 24, 228 + w, 178 + i * 24, fill=p.light, radius=6)


def bus(pen: Pen, p: Palette) -> None:
    pen.rect(178, 135, 334, 280, fill=WHITE, radius=22)
    pen.rect(194, 156, 318, 222, fill=p.dark, radius=6)
    pen.line([(256, 156), (256, 222)], WHITE, 6)
    for x in (206, 306):
        pen.ellipse(x, 250, 11, 11, fill=p.main)
        pen.rect(x - 15, 280, x + 15, 304, fill=WHITE, radius=6)


def form(pen: Pen, p: Palette) -> None:
    pen.rect(188, 128, 324, 300, fill=WHITE, radius=10)
    for i in range(4):
        y = 160 + i * 34
        pen.rect(206, y, 226, y + 20, outline=p.dark, width=4, radius=3)
        pen.rect(238, y + 6, 306, y + 14, fill=p.light, radius=4)
    pen.line([(208, 202), (216, 211), (230, 190)], p.main, 6)
    pen.line([(208, 236), (216, 245), (230, 224)], p.main, 6)


def signpost(pen: Pen, p: Palette) -> None:
    pen.rect(248, 130, 264, 306, fill=WHITE, radius=4)
    pen.poly([(176, 150), (312, 150), (338, 172), (312, 194), (176, 194)], WHITE)
    pen.poly([(200, 214), (336, 214), (336, 258), (200, 258), (174, 236)], p.light)
    pen.rect(218, 300, 294, 312, fill=WHITE, radius=6)


def crate(pen: Pen, p: Palette) -> None:
    top = [(256, 130), (340, 170), (256, 210), (172, 170)]
    pen.poly(top, p.light)
    pen.poly([(172, 170), (256, 210), (256, 306), (172, 264)], WHITE)
    pen.poly([(340, 170), (256, 210), (256, 306), (340, 264)], p.light)
    pen.line([(214, 150), (298, 190), (298, 226)], p.dark, 7)


def bulb(pen: Pen, p: Palette) -> None:
    pen.ellipse(256, 192, 62, 62, fill=WHITE)
    pen.poly([(222, 232), (290, 232), (280, 268), (232, 268)], WHITE)
    pen.rect(232, 274, 280, 286, fill=p.light, radius=5)
    pen.rect(238, 292, 274, 304, fill=p.light, radius=5)
    pen.line([(238, 196), (250, 226), (256, 206), (262, 226), (274, 196)], p.main, 6)
    for angle in range(-160, -10, 30):
        a = math.radians(angle)
        pen.line(
            [
                (256 + 80 * math.cos(a), 192 + 80 * math.sin(a)),
                (256 + 100 * math.cos(a), 192 + 100 * math.sin(a)),
            ],
            GOLD,
            7,
        )


def bubble(pen: Pen, x: float, y: float, w: float, h: float, fill: str, left: bool) -> None:
    pen.rect(x, y, x + w, y + h, fill=fill, radius=h / 3)
    tail = x + w * (0.25 if left else 0.75)
    pen.poly(
        [
            (tail - 14, y + h - 2),
            (tail + 14, y + h - 2),
            (tail - 20 if left else tail + 20, y + h + 26),
        ],
        fill,
    )


def bubbles(pen: Pen, p: Palette) -> None:
    bubble(pen, 170, 132, 130, 84, WHITE, True)
    bubble(pen, 222, 206, 124, 80, p.light, False)
    pen.text(234, 150, "A", 44, p.main)
    pen.text(284, 222, "B", 40, p.dark)


def heart(pen: Pen, p: Palette) -> None:
    pen.ellipse(222, 180, 44, 44, fill=WHITE)
    pen.ellipse(290, 180, 44, 44, fill=WHITE)
    pen.poly([(181, 196), (331, 196), (256, 294)], WHITE)
    pen.rect(248, 166, 264, 226, fill=p.main, radius=3)
    pen.rect(226, 188, 286, 204, fill=p.main, radius=3)


def cycle(pen: Pen, p: Palette) -> None:
    for start, colour in ((200, WHITE), (20, p.light)):
        pen.arc(256, 215, 72, start, start + 140, colour, 18)
        a = math.radians(start + 150)
        tip = (256 + 72 * math.cos(a), 215 + 72 * math.sin(a))
        normal = (math.cos(a), math.sin(a))
        back = (-math.sin(a) * 26, math.cos(a) * 26)
        pen.poly(
            [
                (tip[0] + back[0] * 0.9, tip[1] + back[1] * 0.9),
                (tip[0] - back[0] * 0.3 + normal[0] * 24, tip[1] - back[1] * 0.3 + normal[1] * 24),
                (tip[0] - back[0] * 0.3 - normal[0] * 24, tip[1] - back[1] * 0.3 - normal[1] * 24),
            ],
            colour,
        )


def magnifier(pen: Pen, p: Palette) -> None:
    pen.line([(288, 246), (334, 296)], WHITE, 24)
    pen.ellipse(236, 190, 66, 66, fill=WHITE)
    pen.ellipse(236, 190, 48, 48, fill=p.light)
    for i, h in enumerate((30, 46, 22)):
        pen.rect(210 + i * 20, 214 - h, 224 + i * 20, 214, fill=p.dark, radius=2)


def cv(pen: Pen, p: Palette) -> None:
    pen.rect(190, 126, 322, 302, fill=WHITE, radius=10)
    pen.ellipse(228, 166, 22, 22, fill=p.main)
    pen.rect(206, 188, 250, 204, fill=p.main, radius=6)
    for i, w in enumerate((50, 40, 96, 80, 96, 64)):
        y = 156 + i * 22 if i < 2 else 170 + i * 22
        x0 = 262 if i < 2 else 206
        pen.rect(x0, y, x0 + w, y + 9, fill=p.light, radius=4)


def calendar(pen: Pen, p: Palette) -> None:
    pen.rect(180, 146, 332, 296, fill=WHITE, radius=14)
    pen.rect(180, 146, 332, 184, fill=p.light, radius=14)
    for x in (214, 298):
        pen.rect(x - 6, 130, x + 6, 162, fill=p.dark, radius=5)
    for row in range(3):
        for col in range(4):
            pen.rect(
                196 + col * 32,
                198 + row * 30,
                214 + col * 32,
                214 + row * 30,
                fill=p.light,
                radius=3,
            )
    pen.line([(258, 262), (274, 280), (316, 232)], p.main, 11)


def flag(pen: Pen, p: Palette) -> None:
    pen.poly([(160, 306), (226, 236), (274, 270), (352, 306)], p.light)
    pen.rect(246, 124, 258, 292, fill=WHITE, radius=5)
    pen.poly([(258, 128), (344, 152), (258, 182)], GOLD)
    pen.rect(174, 218, 214, 258, fill=WHITE, radius=7)
    for dx, dy in ((184, 228), (204, 248), (194, 238)):
        pen.ellipse(dx, dy, 4, 4, fill=p.main)


def leaf(pen: Pen, p: Palette) -> None:
    shape = [(256 - 80 * math.sin(math.pi * t) - 30 * t, 300 - 170 * t) for t in _steps(20)]
    shape += [
        (256 + 80 * math.sin(math.pi * t) - 30 * t, 300 - 170 * t) for t in reversed(_steps(20))
    ]
    pen.poly(shape, WHITE)
    pen.line([(244, 316), (248, 280), (226, 140)], p.main, 7)
    for t in (0.35, 0.55, 0.75):
        y = 300 - 170 * t
        pen.line([(256 - 30 * t, y), (256 - 30 * t + 44, y - 30)], p.main, 5)
        pen.line([(256 - 30 * t, y + 8), (256 - 30 * t - 40, y - 22)], p.main, 5)


def _steps(count: int) -> list[float]:
    return [i / count for i in range(count + 1)]


def person(pen: Pen, x: float, y: float, r: float, fill: str) -> None:
    pen.ellipse(x, y, r, r, fill=fill)
    pen.rect(x - r * 1.7, y + r * 1.25, x + r * 1.7, y + r * 3.6, fill=fill, radius=r * 1.2)


def team(pen: Pen, p: Palette) -> None:
    person(pen, 192, 178, 22, p.light)
    person(pen, 320, 178, 22, p.light)
    person(pen, 256, 160, 30, WHITE)


def duo(pen: Pen, p: Palette) -> None:
    person(pen, 222, 160, 30, WHITE)
    person(pen, 306, 196, 20, p.light)


def mic(pen: Pen, p: Palette) -> None:
    pen.rect(226, 124, 286, 232, fill=WHITE, radius=30)
    for y in (150, 172, 194):
        pen.rect(238, y, 274, y + 6, fill=p.light, radius=3)
    pen.arc(256, 200, 56, 0, 180, WHITE, 10)
    pen.rect(251, 256, 261, 292, fill=WHITE)
    pen.rect(218, 288, 294, 302, fill=WHITE, radius=7)


def clock(pen: Pen, p: Palette) -> None:
    pen.ellipse(256, 215, 88, 88, fill=WHITE)
    pen.ellipse(256, 215, 74, 74, fill=p.light)
    for x, y in regular(256, 215, 62, 12):
        pen.ellipse(x, y, 4, 4, fill=p.dark)
    pen.line([(256, 215), (256, 166)], p.dark, 9)
    pen.line([(256, 215), (292, 236)], p.main, 7)


def balance(pen: Pen, p: Palette) -> None:
    pen.rect(250, 136, 262, 290, fill=WHITE, radius=5)
    pen.rect(214, 288, 298, 302, fill=WHITE, radius=7)
    pen.line([(176, 166), (336, 166)], WHITE, 10)
    pen.ellipse(256, 152, 14, 14, fill=GOLD)
    for x in (190, 322):
        pen.line([(x, 166), (x - 30, 240)], p.light, 4)
        pen.line([(x, 166), (x + 30, 240)], p.light, 4)
        pen.poly([(x - 42, 240), (x + 42, 240), (x + 26, 262), (x - 26, 262)], WHITE)


def feedback(pen: Pen, p: Palette) -> None:
    bubble(pen, 172, 136, 168, 118, WHITE, True)
    pen.line([(218, 196), (246, 224), (298, 168)], p.main, 14)


PICTOGRAMS: dict[str, Pictogram] = {
    "phone": phone,
    "bus": bus,
    "form": form,
    "signpost": signpost,
    "crate": crate,
    "bulb": bulb,
    "bubbles": bubbles,
    "heart": heart,
    "cycle": cycle,
    "magnifier": magnifier,
    "cv": cv,
    "calendar": calendar,
    "flag": flag,
    "leaf": leaf,
    "team": team,
    "duo": duo,
    "mic": mic,
    "clock": clock,
    "balance": balance,
    "feedback": feedback,
}


@dataclass(frozen=True)
class BadgeArt:
    slug: str
    shape: str
    palette: Palette
    pictogram: str
    title: tuple[str, ...]
    rank: int = 0


BADGES = (
    BadgeArt("premiers-pas-smartphone", "hexagon", BAS_BERRY, "phone", ("SMARTPHONE",)),
    BadgeArt("me-deplacer-en-ville", "hexagon", BAS_BERRY, "bus", ("MOBILITÉ",)),
    BadgeArt("demarches-en-ligne", "hexagon", BAS_BERRY, "form", ("DÉMARCHES", "EN LIGNE")),
    BadgeArt(
        "accueillir-un-public-je-fais",
        "rosette",
        VAL_DE_LOIRE,
        "signpost",
        ("ACCUEILLIR", "JE FAIS"),
        1,
    ),
    BadgeArt(
        "accueillir-un-public-je-transmets",
        "rosette",
        VAL_DE_LOIRE,
        "signpost",
        ("ACCUEILLIR", "JE TRANSMETS"),
        2,
    ),
    BadgeArt(
        "accueillir-un-public-je-pilote",
        "rosette",
        VAL_DE_LOIRE,
        "signpost",
        ("ACCUEILLIR", "JE PILOTE"),
        3,
    ),
    BadgeArt(
        "activite-logistique-je-fais", "shield", LOIR_ET_CHER, "crate", ("LOGISTIQUE", "JE FAIS"), 1
    ),
    BadgeArt(
        "activite-logistique-je-transmets",
        "shield",
        LOIR_ET_CHER,
        "crate",
        ("LOGISTIQUE", "JE TRANSMETS"),
        2,
    ),
    BadgeArt(
        "activite-logistique-je-pilote",
        "shield",
        LOIR_ET_CHER,
        "crate",
        ("LOGISTIQUE", "JE PILOTE"),
        3,
    ),
    BadgeArt("apprenant-agile", "hexagon", AGILE, "bulb", ("APPRENANT", "AGILE")),
    BadgeArt("passeur-de-langues", "orbit", TRAJECTOIRES, "bubbles", ("LANGUES",)),
    BadgeArt("accompagner-un-proche", "orbit", TRAJECTOIRES, "heart", ("AIDANT",)),
    BadgeArt("adaptation-aux-changements", "seal", SAVOIR_ETRE, "cycle", ("ADAPTATION",)),
    BadgeArt("decouverte-marche-emploi", "seal", EMPLOI, "magnifier", ("MARCHÉ", "DE L’EMPLOI")),
    BadgeArt("adapter-outils-candidature", "seal", EMPLOI, "cv", ("CANDIDATURE",)),
    BadgeArt("organiser-recherche-emploi", "seal", EMPLOI, "calendar", ("RECHERCHE", "D’EMPLOI")),
    BadgeArt("concevoir-grand-jeu", "seal", CITOYEN, "flag", ("GRAND JEU",)),
    BadgeArt(
        "citoyen-developpement-durable", "seal", CITOYEN, "leaf", ("DÉVELOPPEMENT", "DURABLE")
    ),
    BadgeArt("travailler-en-equipe", "seal", SAVOIR_ETRE, "team", ("ÉQUIPE",)),
    BadgeArt("prendre-la-parole-en-groupe", "seal", SAVOIR_ETRE, "mic", ("PRISE", "DE PAROLE")),
    BadgeArt("organiser-son-travail", "seal", EMPLOI, "clock", ("ORGANISATION",)),
    BadgeArt("desamorcer-une-tension", "seal", SAVOIR_ETRE, "balance", ("APAISER",)),
    BadgeArt("tenir-compte-d-un-retour", "seal", SAVOIR_ETRE, "feedback", ("RETOURS",)),
    BadgeArt("accompagner-un-nouvel-arrivant", "seal", SAVOIR_ETRE, "duo", ("TUTORAT",)),
)


@dataclass(frozen=True)
class LogoArt:
    slug: str
    initials: str
    palette: Palette
    network: bool = False


LOGOS = (
    LogoArt("reseau-demo-bas-berry", "BB", BAS_BERRY, network=True),
    LogoArt("reseau-demo-loir-et-cher", "41", LOIR_ET_CHER, network=True),
    LogoArt("reseau-demo-val-de-loire", "VL", VAL_DE_LOIRE, network=True),
    LogoArt("reseau-demo-occitanie", "OC", SAVOIR_ETRE, network=True),
    LogoArt("atelier-numerique-bas-berry", "AN", BAS_BERRY),
    LogoArt("app-demo-indre", "APP", AGILE),
    LogoArt("tiers-lieu-demo-argenton", "FR", CITOYEN),
    LogoArt("atelier-demo-blois", "AP", LOIR_ET_CHER),
    LogoArt("info-jeunesse-demo-vendome", "PIJ", EMPLOI),
    LogoArt("campus-demo-touraine", "CT", VAL_DE_LOIRE),
    LogoArt("app-demo-touraine", "APP", VAL_DE_LOIRE),
    LogoArt("regie-demo-la-rochelle", "RQ", TRAJECTOIRES),
    LogoArt("centre-social-demo-la-rochelle", "3P", TRAJECTOIRES),
    LogoArt("institut-demo-garonne", "IG", SAVOIR_ETRE),
    LogoArt("of-demo-montpellier", "FT", EMPLOI),
)


def render(size: int, paint: Callable[[Pen], None]) -> Image.Image:
    """Paint on a canvas SCALE times larger, then reduce it to ``size`` pixels."""
    canvas = Image.new("RGBA", (BADGE_SIZE * SCALE, BADGE_SIZE * SCALE), (0, 0, 0, 0))
    paint(Pen(canvas))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def badge_image(art: BadgeArt) -> Image.Image:
    def paint(pen: Pen) -> None:
        draw_shape(pen, art.shape, art.palette)
        with pen.zoomed(1.08 if art.rank else 1.18, 256, 236 if art.rank else 214):
            PICTOGRAMS[art.pictogram](pen, art.palette)
        if art.rank:
            draw_stars(pen, art.rank, art.palette)
        draw_ribbon(pen, art.palette, art.title)

    return render(BADGE_SIZE, paint)


def logo_image(art: LogoArt) -> Image.Image:
    """A round emblem with initials; networks get a ring of linked nodes."""

    def paint(pen: Pen) -> None:
        pen.ellipse(256, 256, 250, 250, fill=art.palette.dark)
        pen.ellipse(256, 256, 226, 226, fill=art.palette.main)
        if art.network:
            nodes = regular(256, 256, 186, 8)
            pen.line([*nodes, nodes[0]], art.palette.light, 6)
            for x, y in nodes:
                pen.ellipse(x, y, 20, 20, fill=WHITE, outline=art.palette.dark, width=5)
        else:
            pen.arc(256, 256, 196, 150, 390, art.palette.light, 8)
        size = fit(art.initials, 230 if art.network else 280, 150)
        pen.text(256, 256 - size * 0.6, art.initials, size, WHITE)

    return render(LOGO_SIZE, paint)


def save(image: Image.Image, path: Path) -> None:
    """Save a PNG reduced to a 256-colour palette with transparency, without metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    small = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.save(path, format="PNG", optimize=True)


def main() -> None:
    for badge in BADGES:
        save(badge_image(badge), ROOT / "badges" / "images" / f"{badge.slug}.png")
    for logo in LOGOS:
        save(logo_image(logo), ROOT / "issuers" / logo.slug / "logo.png")
    print(f"{len(BADGES)} badge images and {len(LOGOS)} logos written under {ROOT}")


if __name__ == "__main__":
    main()
