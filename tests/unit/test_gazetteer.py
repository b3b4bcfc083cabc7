"""Tests of build_tools.gazetteer, of the shipped communes.csv, and of the join that makes it."""

from __future__ import annotations

import csv
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from build_tools import gazetteer
from build_tools.gazetteer import Gazetteer, Place, name_key
from tests.conftest import PROJECT


@pytest.mark.parametrize(
    "variants",
    [
        ("La Rochelle", "Rochelle (La)", "ROCHELLE, LA", "la-rochelle", "La  Rochelle"),
        ("Saint-Amand-Montrond", "St Amand Montrond", "ST-AMAND-MONTROND", "saint amand montrond"),
        ("L'Île-Bouchard", "L’Ile Bouchard", "Île-Bouchard (L')", "l ile bouchard"),
        ("Sainte-Maure-de-Touraine", "Ste Maure de Touraine"),
        ("Œuilly", "Oeuilly"),
    ],
)
def test_name_keys_forgive_how_names_are_written(variants: tuple[str, ...]) -> None:
    assert len({name_key(v) for v in variants}) == 1, [name_key(v) for v in variants]


def test_name_keys_keep_different_communes_apart() -> None:
    assert name_key("Saint-Denis") != name_key("Saint-Denis-sur-Loire")
    assert name_key("Châtres") != name_key("La Châtre")


def test_the_shipped_file() -> None:
    path = gazetteer.data_file()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == gazetteer.COLUMNS
    assert len(rows) > 10_000
    assert len({r["insee"] for r in rows}) == len(rows)
    assert all(int(r["population"]) >= gazetteer.MIN_POPULATION for r in rows)
    for row in rows:
        for column in ("lat", "lon"):
            decimals = row[column].partition(".")[2]
            assert len(decimals) <= gazetteer.PRECISION, row
    # Each point is the commune's own: no two communes share one.
    assert len({(r["lat"], r["lon"]) for r in rows}) == len(rows)


@pytest.mark.parametrize(
    "insee,name,postcode,lat,lon",
    [
        ("36046", "La Châtre", "36400", 46.58, 1.99),
        ("41018", "Blois", "41000", 47.59, 1.33),
        ("17300", "La Rochelle", "17000", 46.16, -1.15),
        ("34172", "Montpellier", "34000", 43.61, 3.88),
        ("2A004", "Ajaccio", "20000", 41.92, 8.74),
        ("97411", "Saint-Denis", "97400", -20.88, 55.45),
    ],
)
def test_known_communes_are_where_they_are(
    insee: str, name: str, postcode: str, lat: float, lon: float
) -> None:
    place = gazetteer.load().get(insee)
    assert place is not None
    assert (place.name, postcode in place.postcodes) == (name, True)
    # Within about 5 km of where maps put the town centre.
    assert abs(place.lat - lat) < 0.05 and abs(place.lon - lon) < 0.07


def test_lookups() -> None:
    places = gazetteer.load()
    assert [p.insee for p in places.find("la chatre", "36400")] == ["36046"]
    assert places.find("La Châtre", "36000") == []
    assert sorted(p.insee for p in places.named("Saint-Denis")) == ["93066", "97411"]
    assert [p.name for p in places.with_postcode("36400")][:2] == ["La Châtre", "Montgivray"]
    assert places.close_to("Chateaurou")[0].label == "Châteauroux (36000)"
    place = places.get("41018")
    assert place is not None and places.is_published_point(place.lat, place.lon)
    assert not places.is_published_point(round(place.lat + 0.0004, 4), place.lon)


def test_close_matches_of_the_postcodes_departement_come_first() -> None:
    places = Gazetteer.of(
        [
            Place("01001", "Saint-Martin", ("01000",), "01", 900, 46.0, 5.0),
            Place("36001", "Saint-Martan", ("36100",), "36", 900, 46.8, 1.8),
        ]
    )
    assert [p.insee for p in places.close_to("Saint-Marti", "36100")] == ["36001", "01001"]
    assert [p.insee for p in places.close_to("Saint-Marti")] == ["01001", "36001"]


def test_corsica_and_overseas_postcodes_match_their_departement() -> None:
    corsica = Place("2A004", "Ajaccio", ("20000",), "2A", 70_000, 41.919, 8.738)
    reunion = Place("97411", "Saint-Denis", ("97400",), "974", 150_000, -20.882, 55.450)
    assert corsica.departement_matches("20090") and not corsica.departement_matches("21000")
    assert reunion.departement_matches("97490") and not reunion.departement_matches("97100")


def test_the_file_is_read_once_and_fast() -> None:
    gazetteer.load.cache_clear()
    started = time.perf_counter()
    first = gazetteer.load()
    elapsed = time.perf_counter() - started
    assert gazetteer.load() is first
    # About 0.05 s on the project's small machine; the bound leaves room for a busy one.
    assert elapsed < 1.0, elapsed


def test_a_file_with_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv"
    path.write_text("code,nom\n36046,La Châtre\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a gazetteer file"):
        gazetteer.read_rows(path)


# The join of scripts/make_gazetteer.py, on small made-up inputs.


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_gazetteer", PROJECT / "scripts" / "make_gazetteer.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_join_tells_homonyms_apart_by_departement() -> None:
    make = _script()

    def commune(insee: str, name: str, dep: str, population: int = 2000) -> object:
        return make.Commune(insee, name, [f"{dep}000"], dep, "FR-24", population, [])

    def city(name: str, lat: float, lon: float, population: int = 2000) -> object:
        return make.City(name, [], "FR-24", population, lat, lon)

    communes = [
        commune("36001", "Châteauroux", "36"),
        commune("36002", "Issoudun", "36"),
        commune("41001", "Blois", "41"),
        commune("41002", "Vendôme", "41"),
        # The same name in both départements of the région.
        commune("36003", "Saint-Aubin", "36"),
        commune("41003", "Saint-Aubin", "41"),
        # A commune nouvelle named after its main town.
        commune("41004", "Vineuil-Saint-Claude", "41", 7000),
        # The name only GeoNames' alternate names know.
        commune("36004", "Rochelle (La)", "36"),
    ]
    cities = [
        city("Châteauroux", 46.81, 1.69),
        city("Issoudun", 46.95, 1.99),
        city("Blois", 47.59, 1.33),
        city("Vendôme", 47.79, 1.07),
        city("Saint-Aubin", 47.60, 1.30),  # near Blois
        city("Saint-Aubin", 46.85, 1.80),  # near Châteauroux
        city("Vineuil", 47.58, 1.37, 6000),
        make.City("Rochelle-la-Vieille", ["La Rochelle"], "FR-24", 900, 46.70, 1.60),
    ]
    placed, counts = make.join(communes, cities)
    assert {k: (v.lat, v.lon) for k, v in placed.items()} == {
        "36001": (46.81, 1.69),
        "36002": (46.95, 1.99),
        "41001": (47.59, 1.33),
        "41002": (47.79, 1.07),
        "36003": (46.85, 1.80),
        "41003": (47.60, 1.30),
        "41004": (47.58, 1.37),
        "36004": (46.70, 1.60),
    }
    assert counts == {
        "unique": 4,
        "shared": 2,
        "alternate": 1,
        "former": 0,
        "prefix": 1,
        "refused": 0,
    }
    rows = make.rows(communes, placed)
    assert rows[0] == {
        "insee": "36001",
        "name": "Châteauroux",
        "postcodes": "36000",
        "departement": "36",
        "population": 2000,
        "lat": "46.810",
        "lon": "1.690",
    }


def test_the_join_refuses_a_homonym_far_from_its_departement() -> None:
    make = _script()
    communes = [
        make.Commune("36001", "Châteauroux", ["36000"], "36", "FR-24", 40000, []),
        make.Commune("36002", "Issoudun", ["36100"], "36", "FR-24", 12000, []),
        make.Commune("36003", "Vatan", ["36150"], "36", "FR-24", 2000, []),
    ]
    cities = [
        make.City("Châteauroux", [], "FR-24", 40000, 46.81, 1.69),
        make.City("Issoudun", [], "FR-24", 12000, 46.95, 1.99),
        # A Vatan 300 km away, in the same région: not the commune.
        make.City("Vatan", [], "FR-24", 2000, 48.90, 4.90),
    ]
    placed, counts = make.join(communes, cities)
    assert sorted(placed) == ["36001", "36002"]
    assert counts["refused"] == 1
    # Too small for the map anyway.
    assert make.rows([make.Commune("36009", "Néret", ["36400"], "36", "FR-24", 186, [])], {}) == []


def test_a_commune_asked_for_again_is_the_same_place() -> None:
    """The map looks up each holder's commune: thousands of lookups of a few hundred places."""
    places = Gazetteer.of([Place("36046", "La Châtre", ("36400",), "36", 4000, 46.58, 1.99)])
    first = places.get("36046")
    assert first is not None and places.get("36046") is first
    assert places.get("36999") is None and places.get("36046") == first
