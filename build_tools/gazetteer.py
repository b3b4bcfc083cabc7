"""The offline gazetteer: French communes and the one public point of each, from a shipped file.

``build_tools/data/communes.csv`` is made by ``scripts/make_gazetteer.py`` from two open data
sets (see ``build_tools/data/NOTICE.md``) and committed, so that a build never needs the
network. It lists the communes of 500 inhabitants or more that the join could place, each with
its INSEE code, name, postcodes, département, population and a reference point rounded to three
decimals (about a hundred metres): the only positions the map may publish. A commune that is
absent is either unknown or too small to be shown without singling out the people who live there.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from build_tools.searchtext import fold

#: The number of decimals of every published coordinate.
PRECISION = 3
#: Communes with fewer inhabitants are left out of the gazetteer (see the module's docstring).
MIN_POPULATION = 500
COLUMNS = ("insee", "name", "postcodes", "departement", "population", "lat", "lon")

_ARTICLE_AFTER = re.compile(r"^(?P<rest>.+?)\s*(?:,\s*|\()(?P<article>l'|la|le|les)\)?$")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def name_key(name: str) -> str:
    """A commune name as the gazetteer compares it: folded, articles in front, saints spelt out.

    ``La Rochelle``, ``Rochelle (La)``, ``ROCHELLE, LA`` and ``la-rochelle`` give the same key,
    as do ``Saint-Amand-Montrond`` and ``St Amand Montrond``.
    """
    text = fold(name.strip()).replace("’", "'")
    found = _ARTICLE_AFTER.match(text)
    if found:
        text = f"{found.group('article')} {found.group('rest')}"
    words = _SEPARATORS.split(text)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w)


@dataclass(frozen=True)
class Place:
    """A commune of the gazetteer and its public reference point."""

    insee: str
    name: str
    postcodes: tuple[str, ...]
    departement: str
    population: int
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """The name with its first postcode, as French addresses write it: ``La Châtre (36400)``."""
        return f"{self.name} ({self.postcodes[0]})" if self.postcodes else self.name

    def departement_matches(self, postcode: str) -> bool:
        """Whether a postcode belongs to this commune's département (Corsica's 20 included)."""
        if self.departement in ("2A", "2B"):
            return postcode.startswith("20")
        return postcode.startswith(self.departement[:2]) and (
            len(self.departement) == 2 or postcode.startswith(self.departement)
        )


class Gazetteer:
    """The communes of the gazetteer, indexed by INSEE code and postcode (and by name on demand).

    Rows stay plain text until asked for: the build reads the file once, and most builds look
    up a few communes among thousands.
    """

    def __init__(self, rows: Iterable[Sequence[str]]) -> None:
        self._rows: dict[str, Sequence[str]] = {}
        self._by_postcode: dict[str, list[str]] = {}
        for row in rows:
            self._rows[row[0]] = row
            for postcode in row[2].split():
                self._by_postcode.setdefault(postcode, []).append(row[0])
        self.points = frozenset((float(r[5]), float(r[6])) for r in self._rows.values())
        self._by_key: dict[str, list[str]] | None = None
        # The communes already asked for by code: the map looks each holder's commune up, and
        # thousands of holders share a few hundred communes.
        self._made: dict[str, Place] = {}

    @classmethod
    def of(cls, places: Iterable[Place]) -> Gazetteer:
        """A gazetteer of the given communes (for tests and benchmarks)."""
        return cls(
            (
                p.insee,
                p.name,
                " ".join(p.postcodes),
                p.departement,
                str(p.population),
                f"{p.lat:.{PRECISION}f}",
                f"{p.lon:.{PRECISION}f}",
            )
            for p in places
        )

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Place]:
        return (_place(row) for row in self._rows.values())

    def get(self, insee: str) -> Place | None:
        made = self._made.get(insee)
        if made is not None:
            return made
        row = self._rows.get(insee.upper())
        if row is None:
            return None
        place = self._made[insee] = _place(row)
        return place

    def _keys(self) -> dict[str, list[str]]:
        if self._by_key is None:
            self._by_key = {}
            for insee, row in self._rows.items():
                self._by_key.setdefault(name_key(row[1]), []).append(insee)
        return self._by_key

    def named(self, name: str) -> list[Place]:
        """The communes of that name (there may be several, in different départements)."""
        return [_place(self._rows[i]) for i in self._keys().get(name_key(name), ())]

    def with_postcode(self, postcode: str) -> list[Place]:
        """The communes that a postcode serves, largest first."""
        found = [_place(self._rows[i]) for i in self._by_postcode.get(postcode, ())]
        return sorted(found, key=lambda p: -p.population)

    def find(self, name: str, postcode: str) -> list[Place]:
        """The communes of that name that a postcode serves (one, unless the data is odd)."""
        key = name_key(name)
        return [p for p in self.with_postcode(postcode) if name_key(p.name) == key]

    def close_to(self, name: str, postcode: str | None = None, limit: int = 3) -> list[Place]:
        """Communes whose name is close to ``name``; those of the postcode's département first."""
        keys = self._keys()
        close = difflib.get_close_matches(name_key(name), list(keys), n=12, cutoff=0.75)
        found = [_place(self._rows[i]) for k in close for i in keys[k]]
        if postcode:
            found.sort(key=lambda p: not p.departement_matches(postcode))
        return found[:limit]

    def is_published_point(self, lat: float, lon: float) -> bool:
        """Whether a position is exactly the reference point of a commune of the gazetteer."""
        return (lat, lon) in self.points


def _place(row: Sequence[str]) -> Place:
    return Place(
        row[0], row[1], tuple(row[2].split()), row[3], int(row[4]), float(row[5]), float(row[6])
    )


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a gazetteer file (the ``COLUMNS`` of ``communes.csv``), header checked."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{path}: not a gazetteer file (columns {', '.join(COLUMNS)})")
    return rows[1:]


def data_file() -> Path:
    return Path(str(resources.files("build_tools").joinpath("data", "communes.csv")))


@cache
def load() -> Gazetteer:
    """The shipped gazetteer, read once per process."""
    return Gazetteer(read_rows(data_file()))
