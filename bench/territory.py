"""Benchmark of the territoire apprenant map: 10,000 holders on one page.

Badgeons' page (folium map, one marker cluster fed by a data array through one callback,
markers per commune) is measured against folium's one-marker-at-a-time ``MarkerCluster`` with
the same holders and the same popups, in the same run, with the build cache off as in a clean
build. The holders are made up: the demo
catalogue's badges and organisations, and communes of Centre-Val de Loire drawn by population
from the gazetteer; no signature is needed, since the map only reads which badge each award is.

``run(quick)`` returns one dict per measured task (``python -m bench`` prints them); ``quick``
measures 1,000 holders instead of 10,000. ``standalone_page`` writes the page outside MkDocs,
with its assets, for the browser check of ``tests/e2e/test_territory_page.py``.

    .venv/bin/python -m bench.territory [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import folium
import markdown
from folium.plugins import MarkerCluster

from build_tools import cache as build_cache
from build_tools import heap, identity, repoinit, territory, territory_map, writer
from build_tools.gazetteer import Gazetteer
from build_tools.gazetteer import load as load_gazetteer
from build_tools.model import Award, Consent, Site
from build_tools.pipeline import load_site

ROOT = Path(__file__).resolve().parent.parent
DEPARTEMENTS = ("18", "28", "36", "37", "41", "45")
PAGE_LIMIT_BYTES = 1_000_000
BUILD_LIMIT_SECONDS = 1.0


@cache
def _catalogue() -> Site:
    site, report = load_site(repoinit.demo_root(ROOT), check_signatures=False)
    if site is None:
        raise RuntimeError(f"the repository has errors: {report.sorted()[:3]}")
    return site


def synthetic_site(holders: int, seed: int = 36) -> Site:
    """The demo catalogue with ``holders`` made-up consents, each showing one or two badges."""
    site = _catalogue()
    places = [p for p in load_gazetteer() if p.departement in DEPARTEMENTS]
    weights = [p.population for p in places]
    organisations = [i for i in site.issuers.values() if not i.is_network]
    pairs = [(o.slug, b.slug) for o in organisations for b in site.badges_of(o.slug)]
    chance = random.Random(seed)
    awards: dict[str, Award] = {}
    consents = []
    for number in range(holders):
        issuer, badge = chance.choice(pairs)
        shown = [badge]
        if chance.random() < 0.3:
            shown.append(chance.choice([b for i, b in pairs if i == issuer]))
        ids = []
        for slug in dict.fromkeys(shown):
            award_id = identity.new_assertion_id()
            awards[award_id] = Award(
                award_id, issuer, slug, "1", "2026-01-10T09:00:00Z", None, "", "", Path(), ""
            )
            ids.append(award_id)
        place = chance.choices(places, weights)[0]
        name = f"Personne {number}" if chance.random() < 0.4 else None
        consents.append(
            Consent(
                f"c-{number}",
                issuer,
                tuple(ids),
                place.insee,
                name,
                "2026-02-01",
                "2027-02-01",
                True,
            )
        )
    return dataclasses.replace(site, awards=MappingProxyType(awards), consents=tuple(consents))


def badgeons_page(site: Site, places: Gazetteer) -> tuple[str, dict[str, bytes]]:
    """The page's HTML (the Markdown body turned to HTML, as MkDocs does) and its files."""
    page = territory_map.page(site, places)
    html = markdown.markdown(page.body, extensions=["attr_list", "tables"])
    return html, territory_map.files(site, places)


def standalone_html(body: str) -> str:
    """The page body in a bare document, with the policy the site gives it."""
    document = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Territoire apprenant</title></head><body>"
        f'<main class="md-typeset">{body}</main></body></html>'
    )
    return territory_map.add_policy(document)


def standalone_page(folder: Path, holders: int) -> Path:
    """Write the page for ``holders`` made-up holders, and its assets, below ``folder``."""
    places = load_gazetteer()
    html, files = badgeons_page(synthetic_site(holders), places)
    writer.write_files(folder, {**files, territory.PAGE: standalone_html(html)})
    return folder / territory.PAGE


def _popup(site: Site, consent: Consent) -> str:
    """The same content as a commune's popup, for one holder (folium's way: HTML per marker)."""
    issuer = site.issuers[consent.issuer]
    lines = [f"<b>{consent.display_name or 'Nom non affiché'}</b><ul>"]
    for assertion in consent.assertions:
        badge = site.badges[site.awards[assertion].badge]
        lines.append(
            f'<li><a href="a/{assertion}.html">{badge.name.fr}</a> — contact : {issuer.name.fr}, '
            f"{issuer.request_email}, référence du badge {assertion}</li>"
        )
    return "".join(lines) + "</ul>"


def folium_markers_page(site: Site, places: Gazetteer) -> str:
    """folium's one-marker-at-a-time clusters: a Marker and a Popup per holder."""
    figure = folium.Map(location=list(territory_map.CENTRE), zoom_start=6)
    cluster = MarkerCluster().add_to(figure)  # type: ignore[no-untyped-call]
    for consent in site.consents:
        place = places.get(consent.insee)
        assert place is not None
        folium.Marker([place.lat, place.lon], popup=folium.Popup(_popup(site, consent))).add_to(
            cluster
        )
    html: str = figure.get_root().render()
    return html


def _median(task: Callable[[], object], repeat: int) -> tuple[float, list[float], Any]:
    runs = []
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = task()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs, result


def run(quick: bool) -> list[dict[str, Any]]:
    """Measure both pages; one dict per task, with its figures and whether it meets the limits."""
    holders = 1_000 if quick else 10_000
    site = synthetic_site(holders)
    places = load_gazetteer()
    # Measured as a clean build makes it: the build cache kept under the demo repository would
    # otherwise serve the second and third runs' exports (and folium's script) from disk, and
    # the loaded site is set aside from the garbage collector as the build sets it (heap.py).
    build_cache.disable()
    try:
        with heap.aside():
            seconds, runs, (html, files) = _median(lambda: badgeons_page(site, places), 3)
    finally:
        build_cache.disable(False)
    page_bytes = len(standalone_html(html).encode("utf-8"))
    results: list[dict[str, Any]] = [
        {
            "task": "territoire.html: folium map, data-array cluster, markers per commune",
            "holders": holders,
            "communes": len({c.insee for c in site.consents}),
            "seconds": round(seconds, 3),
            "runs": [round(r, 3) for r in runs],
            "page_bytes": page_bytes,
            "script_bytes": len(files[territory_map.SCRIPT]),
            "exports_bytes": len(files[territory.GEOJSON]) + len(files[territory.CSV]),
            "meets_limits": seconds < BUILD_LIMIT_SECONDS and page_bytes < PAGE_LIMIT_BYTES,
        }
    ]
    seconds, runs, folium_html = _median(lambda: folium_markers_page(site, places), 1)
    results.append(
        {
            "task": "folium MarkerCluster, one Marker and Popup per holder (reference)",
            "holders": holders,
            "seconds": round(seconds, 3),
            "runs": [round(r, 3) for r in runs],
            "page_bytes": len(folium_html.encode("utf-8")),
            "meets_limits": seconds < BUILD_LIMIT_SECONDS
            and len(folium_html.encode("utf-8")) < PAGE_LIMIT_BYTES,
        }
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.territory", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 holders instead of 10,000")
    options = parser.parse_args(argv)
    for result in run(options.quick):
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
