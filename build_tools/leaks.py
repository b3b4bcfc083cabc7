"""The last check of a build: nothing personal reaches the published site.

Run over every file of the built site, before it replaces the previous one:

- **email addresses**: the only ones allowed are the public addresses that the organisations
  declare in their profiles (``email`` and ``requests.email``), plus the copyright notices of
  the theme's own scripts (listed below, by address and file kind). Text files are read
  whole; PNG images through their text chunks (where baked badges carry their assertion);
  gzip files once uncompressed. An address is reported half-masked, since build logs may be
  public.
- **positions**: every coordinate of the map data (the page's JSON, the GeoJSON and CSV
  exports) must be the exact published point of a commune of the gazetteer, and folium's
  script may hold no number finer than that.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from build_tools import site_languages, territory
from build_tools.diagnostics import Diagnostic, Position
from build_tools.gazetteer import PRECISION, Gazetteer
from build_tools.model import Site

#: The local part starts where a run of its characters starts, and is taken whole: without
#: both, long base64 runs (signatures, baked images) would take quadratic time to scan.
EMAIL = re.compile(
    rb"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
#: Where an address may be: an "@" followed by a domain label and a dot. Most of a site's bytes
#: (base64 images and signatures, JSON-LD's "@context") hold none, so the full pattern runs
#: only there.
_CANDIDATE = re.compile(rb"@[A-Za-z0-9-]+\.")
_LOCAL_PART = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
TEXT_SUFFIXES = frozenset(
    {".html", ".js", ".css", ".json", ".jsonld", ".xml", ".txt", ".md", ".csv", ".geojson"}
    | {".svg", ".jws", ".jwt", ".map", ".webmanifest"}
)
#: Addresses in the copyright notices of Material for MkDocs and of the search engine's
#: Japanese segmenter (lunr-languages' TinySegmenter), which the theme copies to every site.
THIRD_PARTY = {
    "martin.donath@squidfunk.com": (".js", ".css", ".map"),
    "taku@chasen.org": (".js",),
}
#: The search indexes join a heading and the next text without a space ("Contactaccueil@...").
SEARCH_INDEXES = site_languages.INDEXES
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_DATA = re.compile(r'<script type="application/json" id="bdg-terr-data">(.*?)</script>', re.S)
_FINE_NUMBER = re.compile(rf"(?<![\w.])-?\d+\.\d{{{PRECISION + 1},}}(?![\w.])")


def addresses(text: bytes) -> list[bytes]:
    """Exactly ``EMAIL.findall(text)``, ten times faster on a site's files.

    The full pattern is tried only at the start of the run of local-part characters before
    each candidate "@", which is where ``findall`` would find the match, and candidates inside
    a match already found are skipped, as ``findall`` skips them. Candidates are the "@" that
    ``bytes.find`` finds (much faster than the regular expression engine's scan) where
    ``_CANDIDATE`` matches: a candidate holds no other "@", so these are the matches of
    ``_CANDIDATE.finditer``.
    """
    found: list[bytes] = []
    end = 0
    at = text.find(b"@")
    while at >= 0:
        if at >= end and _CANDIDATE.match(text, at) is not None:
            start = at
            while start > end and text[start - 1] in _LOCAL_PART:
                start -= 1
            match = EMAIL.match(text, start)
            if match is not None:
                found.append(match.group())
                end = match.end()
        at = text.find(b"@", at + 1)
    return found


def public_addresses(site: Site) -> frozenset[str]:
    """The addresses the organisations publish themselves."""
    found = set()
    for issuer in site.issuers.values():
        found |= {issuer.email.lower(), issuer.request_email.lower()}
    return frozenset(found)


def mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:2]}…@{domain}"


def texts_of(path: Path) -> Iterator[bytes]:
    """The parts of a file that can hold text."""
    return texts_in(path.name, path.read_bytes())


def texts_in(name: str, data: bytes) -> Iterator[bytes]:
    """The parts of a file's content that can hold text (``name`` gives its kind)."""
    suffix = suffix_of(name)
    if suffix in TEXT_SUFFIXES:
        yield data
    elif suffix == ".png":
        yield from png_texts(data)
    elif suffix == ".gz":
        yield gzip.decompress(data)


def suffix_of(name: str) -> str:
    """``PurePosixPath(name).suffix.lower()``, without making a path of a site path's name."""
    last = name[name.rfind("/") + 1 :]
    if not last or last == ".":
        # The path's name is then an earlier part ("a/." and "a/" are "a"): let pathlib say.
        return PurePosixPath(name).suffix.lower()
    dot = last.rfind(".")
    return last[dot:].lower() if 0 < dot < len(last) - 1 else ""


def png_texts(data: bytes) -> Iterator[bytes]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt), decompressed."""
    offset = 8
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        start = offset + 8
        offset += 12 + length
        if kind not in _TEXT_CHUNKS:
            # Image data and the like: not even copied.
            continue
        body = data[start : start + length]
        if kind == b"tEXt":
            yield body
        elif kind == b"zTXt":
            yield zlib.decompress(body[body.index(b"\0") + 2 :])
        elif kind == b"iTXt":
            keyword_end = body.index(b"\0")
            compressed = body[keyword_end + 1]
            rest = body[keyword_end + 3 :]
            text = rest.split(b"\0", 2)[-1]
            yield zlib.decompress(text) if compressed else text


def _allowed(address: str, shown: str, allowed: frozenset[str]) -> bool:
    if address in allowed:
        return True
    suffixes = THIRD_PARTY.get(address)
    if suffixes and shown.endswith(suffixes) and shown.startswith("assets/"):
        return True
    return shown in SEARCH_INDEXES and any(address.endswith(a) for a in allowed)


def email_leaks(site_dir: Path, allowed: frozenset[str]) -> list[Diagnostic]:
    problems = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        problems += emails_in(path.relative_to(site_dir).as_posix(), path.read_bytes(), allowed)
    return problems


def emails_in(shown: str, data: bytes, allowed: frozenset[str]) -> list[Diagnostic]:
    """The addresses in one file of the site that are not allowed there."""
    found: set[str] = set()
    for text in texts_in(shown, data):
        found |= {m.decode("ascii").lower() for m in addresses(text)}
    return [
        Position(shown).error(
            "",
            f"adresse e-mail « {mask(address)} » dans le site publié : seules les "
            "adresses publiques des organismes (email, requests.email) peuvent y figurer",
        )
        for address in sorted(found)
        if not _allowed(address, shown, allowed)
    ]


def _points_of_page(html: str) -> Iterator[tuple[float, float]]:
    match = _DATA.search(html)
    if match is None:
        return
    data: dict[str, Any] = json.loads(match.group(1))
    for commune in data.get("communes", []):
        yield float(commune[3]), float(commune[4])


def _points_of_geojson(text: str) -> Iterator[tuple[float, float]]:
    for feature in json.loads(text).get("features", []):
        lon, lat = feature["geometry"]["coordinates"]
        yield float(lat), float(lon)


def _points_of_csv(text: str) -> Iterator[tuple[float, float]]:
    for row in csv.DictReader(io.StringIO(text)):
        yield float(row["latitude"]), float(row["longitude"])


_POINT_READERS = {
    territory.PAGE: _points_of_page,
    territory.GEOJSON: _points_of_geojson,
    territory.CSV: _points_of_csv,
}
MAP_SCRIPT = "assets/territoire/carte.js"


def position_leaks(site_dir: Path, gazetteer: Gazetteer) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for name in (*_POINT_READERS, MAP_SCRIPT):
        path = site_dir / name
        if path.is_file():
            problems += positions_in(name, path.read_bytes(), gazetteer)
    return problems


def positions_in(shown: str, data: bytes, gazetteer: Gazetteer) -> list[Diagnostic]:
    """Positions finer than a commune in one file of the site (only the map's files hold any)."""
    reader = _POINT_READERS.get(shown)
    if reader is not None:
        return _check_points(shown, reader(data.decode("utf-8")), gazetteer)
    if shown != MAP_SCRIPT:
        return []
    return [
        Position(MAP_SCRIPT).error(
            "",
            f"nombre {number} plus précis que les positions publiées ({PRECISION} décimales)",
        )
        for number in _FINE_NUMBER.findall(data.decode("utf-8"))
    ]


def _check_points(
    shown: str, points: Iterable[tuple[float, float]], gazetteer: Gazetteer
) -> list[Diagnostic]:
    problems = []
    for lat, lon in points:
        if not gazetteer.is_published_point(lat, lon):
            problems.append(
                Position(shown).error(
                    "",
                    f"position {lat}, {lon} : ce n'est pas le point publié d'une commune du "
                    "répertoire (jamais de position plus fine que la commune)",
                )
            )
    return problems


class FileCheck:
    """The checks of :func:`check_site`, one file at a time, as a build produces them."""

    def __init__(self, site: Site, gazetteer: Gazetteer) -> None:
        self.allowed = public_addresses(site)
        self.gazetteer = gazetteer

    def __call__(self, shown: str, data: bytes) -> list[Diagnostic]:
        return emails_in(shown, data, self.allowed) + positions_in(shown, data, self.gazetteer)

    def rules(self) -> str:
        """What a file's verdict depends on besides its content and path, as text to hash."""
        return "\n".join(sorted(self.allowed))


def check_site(site_dir: Path, site: Site, gazetteer: Gazetteer) -> list[Diagnostic]:
    """Every email address and position that must not be published, as errors."""
    return email_leaks(site_dir, public_addresses(site)) + position_leaks(site_dir, gazetteer)
