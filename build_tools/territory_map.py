"""The map page of the territoire apprenant, ``territoire.html``, made with folium.

folium assembles the map: a Leaflet map, OpenStreetMap's tile layer, and a marker cluster fed
by one data array through one callback (as ``folium.plugins.FastMarkerCluster`` does, which
keeps 10,000 holders in a page of a few hundred kilobytes). Its script is written to
``assets/territoire/carte.js`` with fixed element names, so two builds give the same bytes.
folium's templates point at public CDNs; here every script and stylesheet is a file of this
site (``build_tools/static/territoire/``, see its NOTICE.md), and ``map_script`` refuses to
build if folium ever asks for another one. Only the map tiles come from elsewhere: the page's
Content Security Policy allows images from exactly that one host.

The page itself is a catalogue page (Material's look, navigation and search) made of the
template ``territory/page.html``, with the list by commune written in it (it reads without
JavaScript or the map); the data sits in the page as JSON and ``territoire.js`` filters it,
draws the commune markers and popups, and redraws the list and the count. The page asks search
engines not to index it, and is left out of ``sitemap.xml`` (:func:`unlisted`).
"""

from __future__ import annotations

import json
import re
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from build_tools import cache, csp, templating, territory
from build_tools.catalogue import Page
from build_tools.gazetteer import Gazetteer
from build_tools.gazetteer import load as load_gazetteer
from build_tools.model import Site
from build_tools.searchtext import fold

ASSETS = "assets/territoire"
TILE_ORIGIN = "https://tile.openstreetmap.org"
TILES = TILE_ORIGIN + "/{z}/{x}/{y}.png"
ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>'
)
#: Metropolitan France; the script then fits the view to the communes shown.
CENTRE = (46.6, 2.4)
#: Up to this many people, the list shows every badge at once; beyond, the page lists the
#: communes only and the script opens each one's badges on demand, so that a map of thousands
#: of people stays a page of a few hundred kilobytes (EXPANDED_LIMIT in territoire.js too).
EXPANDED_LIMIT = 300
SCRIPT = f"{ASSETS}/carte.js"
#: Our own files, from ``build_tools/static/territoire/``.
OWN_ASSETS = ("territoire.js", "territoire.css", "NOTICE.md")
VENDOR = (
    "leaflet.js",
    "leaflet.css",
    "leaflet.LICENSE.txt",
    "leaflet.markercluster.js",
    "MarkerCluster.css",
    "MarkerCluster.Default.css",
    "leaflet.markercluster.LICENSE.txt",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)
#: In page order: stylesheets, then scripts (ours reads the data before folium's map runs).
STYLESHEETS = (
    f"{ASSETS}/vendor/leaflet.css",
    f"{ASSETS}/vendor/MarkerCluster.css",
    f"{ASSETS}/vendor/MarkerCluster.Default.css",
    f"{ASSETS}/territoire.css",
)
SCRIPTS = (
    f"{ASSETS}/vendor/leaflet.js",
    f"{ASSETS}/vendor/leaflet.markercluster.js",
    f"{ASSETS}/territoire.js",
    SCRIPT,
)


# The marker cluster's script: its data array is the page's, re-read whenever a filter changes.
_CLUSTER_SCRIPT = """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = BadgeonsTerritoire.rows();
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                cluster.options.iconCreateFunction = {{ this.icon_create_function.strip() }};
                cluster.addLayers(data.map(callback));
                cluster.addTo({{ this._parent.get_name() }});
                BadgeonsTerritoire.attach({{ this._parent.get_name() }}, cluster, callback);
                return cluster;
            })();
        {% endmacro %}"""


def map_script(root: Path | None = None) -> str:
    """folium's script for the map, the same bytes at every build.

    With ``root``, the script is kept in that repository's build cache under the versions of
    the code, folium and branca: importing folium (numpy with it) and rendering costs about a
    third of a second, which a build that adds one award would otherwise pay every time.
    """
    if root is None:
        return _render_map_script()
    store = cache.open_cache(root, "map-script")
    key = cache.key("map-script", *(f"{n} {_version(n)}" for n in ("folium", "branca")))
    found = store.get(key)
    script = found.decode("utf-8") if found is not None else _render_map_script()
    if found is None:
        store.put(key, script.encode("utf-8"))
    store.prune()
    return script


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


#: The cluster's script refers to the markers and icons that territoire.js draws.
_CLUSTER_OPTIONS: dict[str, Any] = {
    "callback": "function (row) { return BadgeonsTerritoire.marker(row); }",
    "icon_create_function": "function (group) { return BadgeonsTerritoire.clusterIcon(group); }",
    "show_coverage_on_hover": False,
    "spiderfy_on_max_zoom": False,
    "disable_clustering_at_zoom": 11,
    "chunked_loading": True,
    "max_cluster_radius": 60,
}


def _render_map_script() -> str:
    import folium

    class _Map(folium.Map):
        """folium's map, with Leaflet from this site and nothing else (no jQuery, no Bootstrap)."""

        default_js: list[tuple[str, str]] = [("leaflet", f"{ASSETS}/vendor/leaflet.js")]  # noqa: RUF012
        default_css: list[tuple[str, str]] = [  # noqa: RUF012
            ("leaflet_css", f"{ASSETS}/vendor/leaflet.css")
        ]

    # The scale (metric only) and the zoom buttons (in French) are added by territoire.js.
    figure = _Map(
        location=list(CENTRE), zoom_start=6, tiles=None, control_scale=False, zoom_control=False
    )
    figure._id = "territoire"
    tiles = folium.TileLayer(tiles=TILES, attr=ATTRIBUTION, name="OpenStreetMap", max_zoom=19)
    tiles._id = "osm"
    tiles.add_to(figure)
    cluster = _commune_cluster(**_CLUSTER_OPTIONS)
    cluster._id = "communes"
    cluster.add_to(figure)
    root = figure.get_root()
    html = root.render()
    links = re.findall(r"<(?:script|link)[^>]*?(?:src|href)=\"([^\"]+)\"", html)
    foreign = [url for url in links if not url.startswith(f"{ASSETS}/")]
    if foreign:
        raise RuntimeError(f"folium asks for files from elsewhere: {foreign}")
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    # The last inline script is the map; the one before sets Leaflet's globals to their defaults.
    body = scripts[-1]
    lines = [line.rstrip() for line in body.splitlines() if line.strip()]
    return "/* Written by folium (build_tools/territory_map.py). */\n" + "\n".join(lines) + "\n"


def _commune_cluster(callback: str, icon_create_function: str, **options: Any) -> Any:
    """folium's FastMarkerCluster, its data array the page's, re-read whenever a filter changes.

    It is made as the plugin makes it (a layer named FastMarkerCluster, with its options and
    callbacks; tests/unit/test_territory.py compares the two scripts), without importing
    ``folium.plugins``, which compiles the templates of some forty plugins at import (a
    twelfth of a second of every build).
    """
    from folium.elements import JSCSSMixin
    from folium.map import Layer
    from folium.template import Template
    from folium.utilities import remove_empty

    class _CommuneCluster(JSCSSMixin, Layer):
        default_js: list[tuple[str, str]] = [  # noqa: RUF012
            ("markerclusterjs", f"{ASSETS}/vendor/leaflet.markercluster.js")
        ]
        default_css: list[tuple[str, str]] = [  # noqa: RUF012
            ("markerclustercss", f"{ASSETS}/vendor/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{ASSETS}/vendor/MarkerCluster.Default.css"),
        ]
        _template = Template(_CLUSTER_SCRIPT)

    cluster: Any = _CommuneCluster(name=None, overlay=True, control=True, show=True)
    cluster._name = "FastMarkerCluster"
    cluster.options = remove_empty(**options)
    cluster.icon_create_function = icon_create_function
    cluster.callback = f"var callback = {callback};"
    return cluster


def _data_json(document: dict[str, Any]) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def list_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The list by commune, from the page's data: what the script's rows() and holderList() make.

    Communes are sorted by name, their holders in the data's order; each badge has its name,
    its details, the assertion to link (``""``: none) and the reference to quote.
    """
    communes: dict[int, dict[str, Any]] = {}
    for commune, issuer, name, contact, pairs, reference in data["holders"]:
        insee, commune_name, departement, _, _ = data["communes"][commune]
        row = communes.setdefault(
            commune,
            {"insee": insee, "name": commune_name, "departement": departement, "holders": []},
        )
        badges = []
        for index, assertion in zip(pairs[::2], pairs[1::2], strict=True):
            badge = data["badges"][index]
            details = [badge["kindLabel"]]
            if badge["level"]:
                details.append(f"niveau {badge['level']} · {badge['levelLabel']}")
            badges.append(
                {
                    "name": badge["name"],
                    "details": ", ".join(details),
                    "assertion": assertion,
                    "reference": assertion or reference,
                }
            )
        row["holders"].append(
            {
                "name": name,
                "issuer": data["issuers"][issuer],
                "contact": contact == 1,
                "badges": badges,
            }
        )
    return sorted(communes.values(), key=lambda row: (fold(row["name"]), row["insee"]))


def page(site: Site, gazetteer: Gazetteer | None = None) -> Page:
    """The map page, as a catalogue page for MkDocs and Material."""
    from markupsafe import Markup

    places = gazetteer or load_gazetteer()
    data = territory.map_data(site, places)
    people = len(data["holders"])
    responsible = sorted({c.issuer for c in site.consents})
    context = {
        "data_json": Markup(_data_json(data)),
        "rows": list_rows(data),
        "expanded": people <= EXPANDED_LIMIT,
        "responsible": [
            {"name": site.issuers[s].name.fr, "email": site.issuers[s].email} for s in responsible
        ],
        "filters": territory.filter_options(site),
        "people": people,
        "communes": len(data["communes"]),
        "stylesheets": STYLESHEETS,
        "scripts": SCRIPTS,
        "geojson": territory.GEOJSON,
        "csv": territory.CSV,
        "licence": territory.LICENCE,
        "licence_url": territory.LICENCE_URL,
        "credit": territory.POSITIONS_CREDIT,
        "tile_host": TILE_ORIGIN.removeprefix("https://"),
        "site_title": site.settings.title.fr,
    }
    html = templating.environment().get_template("territory/page.html").render(context)
    body = "\n".join(line for line in html.splitlines() if line.strip()) + "\n"
    description = (
        "Carte des personnes qui ont accepté de montrer leurs open badges aux recruteurs, "
        "par commune."
    )
    return Page(
        territory.PAGE_SOURCE,
        "Territoire apprenant",
        description,
        body,
        hide=("navigation", "toc"),
        nav_title_en="Learning territory (map, in French)",
    )


def policy_for(html: str) -> str:
    """The site's policy for a page, with images allowed from the tile server too."""
    policy = csp.policy_for(html)
    return policy.replace("img-src 'self' data:", f"img-src 'self' data: {TILE_ORIGIN}", 1)


_META_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)


def finish_page(html: str) -> str:
    """The map page as MkDocs wrote it, kept from search engines and with its policy.

    Like the verification pages, it names people: ``<meta name="robots" content="noindex">``.
    """
    if 'name="robots"' not in html:
        match = _META_CHARSET.search(html)
        if match is None:
            raise ValueError("a page without <meta charset=utf-8> cannot be finished")
        robots = '<meta name="robots" content="noindex">'
        html = html[: match.end()] + robots + html[match.end() :]
    return add_policy(html)


_SITEMAP_ENTRY = re.compile(
    r"\s*<url>\s*<loc>(?:[^<]*/)?" + re.escape(territory.PAGE) + r"</loc>.*?</url>", re.S
)


def unlisted(sitemap: str) -> str:
    """``sitemap.xml`` without the map page: search engines are not pointed at people."""
    return _SITEMAP_ENTRY.sub("", sitemap)


def add_policy(html: str) -> str:
    """The map page with its ``<meta http-equiv="Content-Security-Policy">`` after its charset."""
    if "Content-Security-Policy" in html:
        return html
    match = _META_CHARSET.search(html)
    if match is None:
        raise ValueError("a page without <meta charset=utf-8> cannot receive a policy")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    return html[: match.end()] + meta + html[match.end() :]


def files(site: Site, gazetteer: Gazetteer | None = None) -> dict[str, bytes]:
    """The exports, folium's script and the assets the page needs, by site path."""
    static = resources.files("build_tools.static").joinpath("territoire")
    # The exports change only with the consents (a third of a second to make for 5,000).
    store = cache.open_cache(site.root, "territory")
    # Without a cache (--no-cache), the key would be computed for nothing.
    key = territory.exports_key(site) if store.enabled else ""
    found = store.get(key)
    kept = cache.unpack(found) if found is not None else None
    if kept is None:
        output = territory.exports(site, gazetteer or load_gazetteer())
        if store.enabled:
            store.put(key, cache.pack(sorted(output.items())))
    else:
        output = dict(kept)
    store.prune()
    output[SCRIPT] = map_script(site.root).encode("utf-8")
    for name in OWN_ASSETS:
        output[f"{ASSETS}/{name}"] = static.joinpath(name).read_bytes()
    for name in VENDOR:
        output[f"{ASSETS}/vendor/{name}"] = static.joinpath("vendor", *name.split("/")).read_bytes()
    return output
