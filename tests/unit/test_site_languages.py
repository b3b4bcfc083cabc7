"""One search index per language, English pages pointed at theirs, twins in the sitemap."""

from __future__ import annotations

import json

from build_tools import site_languages

CONFIG = {"lang": ["fr"], "separator": "[\\s\\-]+", "pipeline": ["stopWordFilter"]}


def index(*locations: str) -> bytes:
    docs = [{"location": where, "title": where, "text": "é"} for where in locations]
    return json.dumps({"config": CONFIG, "docs": docs}, separators=(",", ":")).encode("ascii")


def test_the_index_is_split_by_where_the_pages_live() -> None:
    made = site_languages.split(
        index(
            "index.html", "en/index.html", "badges/b.html#x", "en/badges/b.html#x", "enfants.html"
        )
    )
    assert sorted(made) == ["en/search/search_index.json", "search/search_index.json"]
    french = json.loads(made["search/search_index.json"])
    english = json.loads(made["en/search/search_index.json"])
    assert [d["location"] for d in french["docs"]] == [
        "index.html",
        "badges/b.html#x",
        "enfants.html",
    ]
    # English locations are relative to en/, as the English pages' base is.
    assert [d["location"] for d in english["docs"]] == ["index.html", "badges/b.html#x"]
    assert french["config"] == CONFIG
    assert english["config"] == {**CONFIG, "lang": ["en"]}
    assert english["docs"][0]["text"] == "é"


def test_the_indexes_are_written_as_mkdocs_writes_its_own() -> None:
    made = site_languages.split(index("a.html", "en/a.html"))
    assert made["search/search_index.json"] == index("a.html")
    assert b'"text":"\\u00e9"' in made["en/search/search_index.json"]


def test_a_site_without_english_pages_keeps_its_one_index() -> None:
    whole = index("index.html", "badges/b.html")
    assert site_languages.split(whole) == {"search/search_index.json": whole}


def _page(base: str) -> bytes:
    config = f'{{"annotate": null, "base": "{base}", "features": [], "search": "{base}/w.js"}}'
    return (
        f'<script>__md_scope=new URL("{base}",location)</script>'
        f'<script id="__config" type="application/json">{config}</script>'
        f'<a href="{base}/index.html">"base": "{base}"</a>'
    ).encode()


def test_an_english_page_finds_the_english_index() -> None:
    adapted = site_languages.english_base(_page("../.."), "en/badges/b.html")
    # Only the configuration's base changes: the storage scope, the worker and links stay.
    assert adapted == _page("../..").replace(b'"base": "../..", "f', b'"base": "..", "f')
    assert b'"base": ".", ' in site_languages.english_base(_page(".."), "en/index.html")
    # With directory URLs, a page is its folder's index.html.
    assert b'"base": "../..", ' in site_languages.english_base(
        _page("../../.."), "en/badges/b/index.html"
    )


def test_other_files_are_left_as_they_are() -> None:
    page = _page("..")
    assert site_languages.english_base(page, "badges/b.html") == page
    assert site_languages.english_base(page, "en/badges/b.json") == page
    assert site_languages.english_base(b"<p>no config</p>", "en/b.html") == b"<p>no config</p>"


def test_adapt_splits_the_index_and_adapts_english_pages() -> None:
    assert set(site_languages.adapt("search/search_index.json", index("en/a.html"))) == {
        "search/search_index.json",
        "en/search/search_index.json",
    }
    page = _page("..")
    assert site_languages.adapt("en/a/b.html", page) == {
        "en/a/b.html": site_languages.english_base(page, "en/a/b.html")
    }
    assert site_languages.adapt("sitemap.xml", b"x") == {"sitemap.xml": b"x"}


SITE = "https://b.example.org/x/"


def _sitemap(*paths: str) -> str:
    entries = "".join(
        f"\n    <url>\n         <loc>{SITE}{path}</loc>\n         <lastmod>2025-12-01</lastmod>\n    </url>"
        for path in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}\n</urlset>'
    )


def test_the_sitemap_names_the_twin_of_each_page_that_has_one() -> None:
    named = site_languages.sitemap_twins(
        _sitemap("a.html", "en/a.html", "b.html", "en/c.html", "en/index.html"), SITE
    )
    assert named.count('xmlns:xhtml="http://www.w3.org/1999/xhtml"') == 1
    twins = (
        f'<lastmod>2025-12-01</lastmod>\n         <xhtml:link rel="alternate" hreflang="fr" '
        f'href="{SITE}a.html"/>\n         <xhtml:link rel="alternate" hreflang="en" '
        f'href="{SITE}en/a.html"/>\n         <xhtml:link rel="alternate" hreflang="x-default" '
        f'href="{SITE}a.html"/>\n    </url>'
    )
    # Both twins name both, after what the sitemap's own schema lists.
    assert named.count(twins) == 2
    # A page alone in its language names nothing.
    assert named.count("<xhtml:link") == 6


def test_a_sitemap_without_twins_is_left_as_it_is() -> None:
    sitemap = _sitemap("a.html", "en/b.html")
    assert site_languages.sitemap_twins(sitemap, SITE) == sitemap
    # Pages of another address are not paired.
    other = _sitemap("a.html", "en/a.html")
    assert site_languages.sitemap_twins(other, "https://other.example.org/") == other
