"""Tests of build_tools.territory and territory_map: the map's data, its page and its exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from build_tools import consents, territory, territory_map
from build_tools.model import Site
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

S = "https://badges.example.org/test/"
REQUESTS = "badges@atelier.example.org"


@pytest.fixture
def mapped(awarded_repo: AwardedRepo) -> tuple[Site, dict[str, str]]:
    """The awarded site with two holders on the map: awa in Blois, chloe in Tours."""
    today = consents.today().isoformat()
    ids = awarded_repo.ids
    (awarded_repo.root / "issuers" / "atelier-test" / "consents.yaml").write_text(
        f"- id: c-chloe\n  assertions: [{ids['chloe']}]\n  commune: {{insee: '37261'}}\n"
        f"  given: {today}\n  contact: aucun\n"
        f"- id: c-awa\n  assertions: [{ids['awa']}]\n  commune: {{name: Blois, postcode: '41000'}}\n"
        f"  display_name: Awa\n  given: {today}\n",
        encoding="utf-8",
    )
    site, report = load_site(awarded_repo.root)
    assert site is not None, report.sorted()
    return site, dict(ids)


def test_map_data(mapped: tuple[Site, dict[str, str]]) -> None:
    site, ids = mapped
    assert territory.map_data(site) == {
        "badges": [
            {
                "slug": "accueillir-1",
                "name": "Accueillir un public — Je fais",
                "level": 1,
                "levelLabel": "Je fais",
                "kind": "competence",
                "kindLabel": "Compétence",
                "frameworks": [],
            },
            {
                "slug": "telephone",
                "name": "Utiliser un téléphone portable",
                "level": 0,
                "levelLabel": "",
                "kind": "competence",
                "kindLabel": "Compétence",
                "frameworks": [0],
            },
        ],
        "frameworks": ["Référentiel régional"],
        "issuers": [
            {
                "slug": "atelier-test",
                "name": "Atelier de test",
                "email": REQUESTS,
                "url": "",
                "networks": ["reseau-test"],
            }
        ],
        "communes": [
            ["37261", "Tours", "37", 47.395, 0.704],
            ["41018", "Blois", "41", 47.594, 1.329],
        ],
        # Awa's badge page shows the name the map shows: the map links it.
        "holders": [[0, 0, "", 0, [0, ids["chloe"]], ""], [1, 0, "Awa", 1, [1, ids["awa"]], ""]],
    }


def test_filter_options(mapped: tuple[Site, dict[str, str]]) -> None:
    site, _ = mapped
    assert territory.filter_options(site) == {
        "badge": [
            ("accueillir-1", "Accueillir un public — Je fais"),
            ("telephone", "Utiliser un téléphone portable"),
        ],
        "level": [("1", "1 · Je fais")],
        "kind": [("competence", "Compétence")],
        "framework": [("Référentiel régional", "Référentiel régional")],
        "network": [("reseau-test", "Réseau de test")],
        "organisation": [("atelier-test", "Atelier de test")],
    }


def test_geojson_export(mapped: tuple[Site, dict[str, str]]) -> None:
    site, ids = mapped
    document = territory.geojson(site)
    assert document["type"] == "FeatureCollection"
    assert document["licence"] == {
        "name": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    }
    assert document["source"] == S + "territoire.html"
    blois, tours = document["features"]
    assert blois == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [1.329, 47.594]},
        "properties": {
            "insee": "41018",
            "commune": "Blois",
            "departement": "41",
            "badge": "telephone",
            "badge_nom": "Utiliser un téléphone portable",
            "niveau": "",
            "type": "Compétence",
            "referentiels": ["Référentiel régional"],
            "personnes": 1,
            # Awa's badge page shows her name, and the exports show none: neither the page nor
            # its reference (the page's address), but the consent's.
            "pages_de_verification": [],
            "contact": f"Atelier de test : {REQUESTS}, en citant la référence du badge c-awa",
        },
    }
    # Chloe declined contact: her badge is listed, with no contact route; her page shows no name.
    assert tours["properties"]["contact"] == ""
    assert tours["properties"]["pages_de_verification"] == [f"{S}a/{ids['chloe']}.html"]
    assert tours["properties"]["niveau"] == "1 · Je fais"
    # Display names stay out of the open data.
    assert "Awa" not in json.dumps(document, ensure_ascii=False)


def test_csv_export_has_the_same_content(mapped: tuple[Site, dict[str, str]]) -> None:
    site, _ = mapped
    rows = list(csv.DictReader(io.StringIO(territory.csv_text(site))))
    assert [r["commune"] for r in rows] == ["Blois", "Tours"]
    assert rows[0] == {
        "insee": "41018",
        "commune": "Blois",
        "departement": "41",
        "latitude": "47.594",
        "longitude": "1.329",
        "badge": "telephone",
        "badge_nom": "Utiliser un téléphone portable",
        "niveau": "",
        "type": "Compétence",
        "referentiels": "Référentiel régional",
        "personnes": "1",
        "pages_de_verification": "",
        "contact": f"Atelier de test : {REQUESTS}, en citant la référence du badge c-awa",
        "licence": f"{territory.LICENCE} ; {territory.POSITIONS_CREDIT}",
    }
    assert "Awa;" not in territory.csv_text(site) and ",Awa," not in territory.csv_text(site)


def test_holders_of_one_commune_and_badge_are_grouped(awarded_repo: AwardedRepo) -> None:
    today = consents.today().isoformat()
    ids = awarded_repo.ids
    (awarded_repo.root / "issuers" / "atelier-test" / "consents.yaml").write_text(
        "".join(
            f"- id: c-{who}\n  assertions: [{ids[who]}]\n  commune: {{insee: '41018'}}\n"
            f"  given: {today}\n"
            for who in ("awa", "bob")
        ),
        encoding="utf-8",
    )
    site, _ = load_site(awarded_repo.root)
    assert site is not None
    data = territory.map_data(site)
    assert data["communes"] == [["41018", "Blois", "41", 47.594, 1.329]]
    assert len(data["holders"]) == 2
    (feature,) = territory.geojson(site)["features"]
    assert feature["properties"]["personnes"] == 2
    assert feature["properties"]["contact"] == (
        f"Atelier de test : {REQUESTS}, en citant la référence du badge c-awa ou {ids['bob']}"
    )
    assert feature["properties"]["pages_de_verification"] == [f"{S}a/{ids['bob']}.html"]


def test_an_empty_map(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    assert territory.map_data(site)["holders"] == []
    assert territory.geojson(site)["features"] == []
    assert territory.csv_text(site).count("\n") == 1
    page = territory_map.page(site)
    assert "Personne n'apparaît encore sur la carte." in page.body
    assert 'name="badge" disabled' in page.body


def test_the_page(mapped: tuple[Site, dict[str, str]]) -> None:
    site, _ = mapped
    page = territory_map.page(site)
    assert (page.path, page.title, page.hide) == (
        "territoire.md",
        "Territoire apprenant",
        ("navigation", "toc"),
    )
    body = page.body
    assert "2 personnes dans 2 communes" in body
    assert "\n\n" not in body  # Python-Markdown would end the raw HTML block there.
    data = re.search(r'<script type="application/json" id="bdg-terr-data">(.*?)</script>', body)
    assert data is not None and json.loads(data.group(1)) == territory.map_data(site)
    # Every script and stylesheet is a file of the site, in the order the page needs them.
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', body)
    assert sources == [*territory_map.STYLESHEETS, *territory_map.SCRIPTS]
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources)
    assert '<option value="reseau-test">Réseau de test</option>' in body
    assert "tile.openstreetmap.org" in body  # named in the privacy note
    assert page.markdown().startswith('---\ntitle: "Territoire apprenant"\n')


def test_data_cannot_close_its_script_element() -> None:
    text = territory_map._data_json({"name": "</script><script>alert(1)</script>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>&"}


def test_folium_script_is_reproducible_and_uses_no_cdn() -> None:
    script = territory_map.map_script()
    assert script == territory_map.map_script()
    assert 'L.map(\n                "map_territoire"' in script
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in script
    assert "var data = BadgeonsTerritoire.rows();" in script
    assert "cluster.addLayers(data.map(callback));" in script
    hosts = set(re.findall(r"https?://([^/\"]+)", script))
    assert hosts == {"tile.openstreetmap.org", "www.openstreetmap.org"}
    # The map's centre is the only position in it, and coarser than any commune's.
    assert re.findall(r"\d+\.\d+", script) == ["46.6", "2.4"]


def test_the_cluster_is_drawn_as_folium_s_fast_marker_cluster_draws_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The map script is made without importing folium.plugins (territory_map._commune_cluster),
    # and is the very script of the plugin's own FastMarkerCluster, given the same template.
    import subprocess
    import sys

    code = (
        "import sys; from build_tools import territory_map as t; t._render_map_script(); "
        "print('folium.plugins' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.strip() == "False", found.stderr

    from folium.plugins import FastMarkerCluster
    from folium.template import Template

    class Plugin(FastMarkerCluster):
        _template = Template(territory_map._CLUSTER_SCRIPT)
        default_js = territory_map._commune_cluster(callback="", icon_create_function="").default_js
        default_css = territory_map._commune_cluster(
            callback="", icon_create_function=""
        ).default_css

    ours = territory_map._render_map_script()
    monkeypatch.setattr(territory_map, "_commune_cluster", lambda **options: Plugin([], **options))
    theirs = territory_map._render_map_script()
    assert "fast_marker_cluster_communes = (function(){" in theirs
    assert ours == theirs


def test_the_page_policy_allows_images_from_the_tile_server_only() -> None:
    html = '<html><head><meta charset="utf-8"><script>var a = 1;</script></head></html>'
    policy = territory_map.policy_for(html)
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert policy.count("https://") == 1
    assert "script-src 'self' 'sha256-" in policy and "connect-src 'self';" in policy
    page = territory_map.add_policy(html)
    assert page.startswith(
        f'<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{policy}">'
    )
    assert territory_map.add_policy(page) == page


def test_files(mapped: tuple[Site, dict[str, str]]) -> None:
    site, _ = mapped
    files = territory_map.files(site)
    assert sorted(files) == sorted(
        [
            "territoire.geojson",
            "territoire.csv",
            "assets/territoire/carte.js",
            "assets/territoire/territoire.js",
            "assets/territoire/territoire.css",
            "assets/territoire/NOTICE.md",
            *(f"assets/territoire/vendor/{name}" for name in territory_map.VENDOR),
        ]
    )
    assert files["assets/territoire/vendor/leaflet.js"].startswith(
        b"/* @preserve\n * Leaflet 1.9.3"
    )
    assert b"BSD 2-Clause License" in files["assets/territoire/vendor/leaflet.LICENSE.txt"]
    assert b"Leaflet.markercluster" in files["assets/territoire/vendor/leaflet.markercluster.js"]
    assert json.loads(files["territoire.geojson"]) == territory.geojson(site)


def test_the_map_script_is_kept_in_the_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from build_tools import cache

    monkeypatch.setenv(cache.ENV_FOLDER, str(tmp_path / "cache"))
    cache.disable(False)
    made = territory_map.map_script(tmp_path)
    assert made == territory_map.map_script()

    def render_again() -> str:
        raise AssertionError("folium ran although the script was in the cache")

    monkeypatch.setattr(territory_map, "_render_map_script", render_again)
    assert territory_map.map_script(tmp_path) == made
    entry = next((tmp_path / "cache" / "map-script").rglob("*"))
    while entry.is_dir():
        entry = next(entry.iterdir())
    entry.write_bytes(b"damaged")
    with pytest.raises(AssertionError, match="folium ran"):
        territory_map.map_script(tmp_path)


def test_the_exports_are_kept_in_the_build_cache_and_follow_their_inputs(
    mapped: tuple[Site, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses
    from types import MappingProxyType

    from build_tools import cache

    monkeypatch.setenv(cache.ENV_FOLDER, str(tmp_path / "cache"))
    cache.disable(False)
    site, _ = mapped
    fresh = territory.exports(site)
    assert {p: territory_map.files(site)[p] for p in fresh} == fresh

    # Unchanged inputs: the exports come from the cache.
    made = territory.exports
    monkeypatch.setattr(territory, "exports", lambda *a: pytest.fail("made again"))
    assert {p: territory_map.files(site)[p] for p in fresh} == fresh
    monkeypatch.setattr(territory, "exports", made)

    # Each input changed: a new key, and the exports of the changed site.
    consent = site.consents[0]
    badge = site.badges[site.awards[consent.assertions[0]].badge]
    issuer = site.issuers[consent.issuer]
    variants = [
        dataclasses.replace(
            site, consents=(dataclasses.replace(consent, contact=not consent.contact),)
        ),
        dataclasses.replace(
            site,
            badges=MappingProxyType(
                {**site.badges, badge.slug: dataclasses.replace(badge, tags=("nouveau",))}
            ),
        ),
        dataclasses.replace(
            site,
            issuers=MappingProxyType(
                {
                    **site.issuers,
                    issuer.slug: dataclasses.replace(issuer, request_email="autre@example.org"),
                }
            ),
        ),
        dataclasses.replace(
            site,
            settings=dataclasses.replace(site.settings, site_url="https://ailleurs.example.org/"),
        ),
    ]
    keys = {territory.exports_key(site)}
    for variant in variants:
        keys.add(territory.exports_key(variant))
        expected = territory.exports(variant)
        assert {p: territory_map.files(variant)[p] for p in expected} == expected
    assert len(keys) == len(variants) + 1


@pytest.fixture
def unnamed(awarded_repo: AwardedRepo) -> tuple[Site, dict[str, str]]:
    """Awa in Blois with no name on the map, though her badge's page shows "Awa"."""
    today = consents.today().isoformat()
    ids = awarded_repo.ids
    (awarded_repo.root / "issuers" / "atelier-test" / "consents.yaml").write_text(
        f"- id: c-awa\n  assertions: [{ids['awa']}]\n  commune: {{insee: '41018'}}\n"
        f"  given: {today}\n"
        f"- id: c-bob\n  assertions: [{ids['bob']}]\n  commune: {{insee: '41018'}}\n"
        f"  given: {today}\n",
        encoding="utf-8",
    )
    site, report = load_site(awarded_repo.root)
    assert site is not None
    assert [d.field for d in report.sorted()] == ["[0].assertions[0]"]
    return site, dict(ids)


def test_a_badge_whose_page_shows_a_name_is_not_linked_from_an_unnamed_holder(
    unnamed: tuple[Site, dict[str, str]],
) -> None:
    site, ids = unnamed
    data = territory.map_data(site)
    # Awa's badge is shown, unlinked, quoted by the consent's id; Bob's is linked.
    assert data["holders"] == [[0, 0, "", 1, [0, ""], "c-awa"], [0, 0, "", 1, [0, ids["bob"]], ""]]
    page = territory_map.page(site).body
    assert ids["awa"] not in page and ids["bob"] in page
    exports = territory_map.files(site)
    for name in (territory.GEOJSON, territory.CSV):
        text = exports[name].decode("utf-8")
        assert ids["awa"] not in text and "c-awa" in text and ids["bob"] in text
    # The list by commune is in the page as built: no JavaScript or map needed to read it.
    assert (
        '<tr role="row" data-insee="41018"><th scope="row" role="rowheader">Blois (41)</th>'
        '<td class="bdg-terr-table__count" role="cell">2</td>'
    ) in page
    assert (
        '<li class="bdg-terr-holder"><span class="bdg-terr-holder__name">Nom non affiché</span>'
        '<ul class="bdg-terr-badges">\n<li><span class="bdg-terr-badge">Utiliser un téléphone '
        "portable</span> (Compétence, délivré par Atelier de test). "
    ) in page
    assert "en citant la référence du badge : <code>c-awa</code>" in page
    assert f'<a href="a/{ids["bob"]}.html">Utiliser un téléphone portable</a>' in page
    # Nothing of the list enters the site's search index.
    assert (
        '<table class="bdg-terr-table" id="bdg-terr-table" role="table" data-search-exclude>'
        in page
    )


def test_the_list_rows_follow_the_data(mapped: tuple[Site, dict[str, str]]) -> None:
    site, ids = mapped
    rows = territory_map.list_rows(territory.map_data(site))
    assert [(r["name"], len(r["holders"])) for r in rows] == [("Blois", 1), ("Tours", 1)]
    (awa,) = rows[0]["holders"]
    assert awa["name"] == "Awa" and awa["contact"]
    assert awa["badges"] == [
        {
            "name": "Utiliser un téléphone portable",
            "details": "Compétence",
            "assertion": ids["awa"],
            "reference": ids["awa"],
        }
    ]
    assert rows[1]["holders"][0]["badges"][0]["details"] == "Compétence, niveau 1 · Je fais"


def test_the_page_names_who_answers_for_the_data(mapped: tuple[Site, dict[str, str]]) -> None:
    body = territory_map.page(mapped[0]).body
    assert "Cet organisme est responsable de ces données" in body
    assert '<li>Atelier de test : <a href="mailto:' in body
    assert "https://www.cnil.fr/" in body


def test_the_page_is_kept_from_search_engines() -> None:
    html = '<html><head><meta charset="utf-8"><title>T</title></head></html>'
    finished = territory_map.finish_page(html)
    assert finished.startswith(
        '<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"'
    )
    assert finished.count('<meta name="robots" content="noindex">') == 1
    assert territory_map.finish_page(finished) == finished
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset>\n    <url>\n'
        f"         <loc>{S}index.html</loc>\n         <lastmod>2026-01-01</lastmod>\n    </url>\n"
        f"    <url>\n         <loc>{S}territoire.html</loc>\n"
        "         <lastmod>2026-01-01</lastmod>\n    </url>\n"
        f"    <url>\n         <loc>{S}a-propos.html</loc>\n    </url>\n</urlset>"
    )
    assert territory_map.unlisted(sitemap) == sitemap.replace(
        f"\n    <url>\n         <loc>{S}territoire.html</loc>\n"
        "         <lastmod>2026-01-01</lastmod>\n    </url>",
        "",
    )


def test_without_a_cache_the_exports_key_is_not_computed(
    mapped: tuple[Site, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key reads every consent (a tenth of a second for 10,000): a clean build skips it."""
    from build_tools import cache

    site, _ = mapped
    expected = territory_map.files(site)

    def no_key(site: Site) -> str:
        raise AssertionError("exports_key computed with the cache off")

    monkeypatch.setattr(territory, "exports_key", no_key)
    cache.disable()
    try:
        assert territory_map.files(site) == expected
    finally:
        cache.disable(False)
