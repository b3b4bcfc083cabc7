"""The site's two languages told apart: one search index each, and twins named in the sitemap.

The catalogue's pages are in French at the site's root and in English below ``en/``
(catalogue.prefix), at the same path.

Search: Material for MkDocs writes one search index for the whole site. A visitor of the
French catalogue then met the English copy of every badge among their results, and an English
visitor the French ones, each stemmed with the other language's rules. The index is split here
by where the pages live. The English pages find their index through the ``base`` of Material's
page configuration (the ``__config`` script), which is made to point at ``en/``. Material uses
that address to fetch the index and to resolve the results' links; it also fetches
``sitemap.xml`` from it for the ``navigation.instant`` feature, which this site does not use
(with it, the English pages would load the next page without instant navigation, as when the
sitemap is missing).

Search engines: the sitemap names, for each page that exists in both languages, its twin
(``xhtml:link rel="alternate" hreflang``), so that each reader is shown the page in their
language. In the sitemap rather than in each page's head, because Material fetches the
``sitemap.xml`` beside every ``<link rel="alternate">`` of a page it shows: each visit would
cost two more requests, to the published host even when the site is previewed or mirrored.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

#: Where MkDocs' search plugin writes the index, and where the English one is written.
INDEX = "search/search_index.json"
ENGLISH = "en/"
ENGLISH_INDEX = ENGLISH + INDEX
INDEXES = frozenset({INDEX, ENGLISH_INDEX})

_CONFIG = re.compile(
    rb'(<script id="__config" type="application/json">\{[^<]*?"base": ")([^"]*)(")'
)


def split(index: bytes) -> dict[str, bytes]:
    """The site's search index as one index per language, by path below the site.

    Locations of the English index are relative to ``en/``, as its pages' ``base`` is (see
    :func:`english_base`). A site without English pages keeps its one index, unchanged.
    """
    whole: dict[str, Any] = json.loads(index)
    docs = whole.get("docs", [])
    english = [doc for doc in docs if str(doc.get("location", "")).startswith(ENGLISH)]
    if not english:
        return {INDEX: index}
    french = [doc for doc in docs if not str(doc.get("location", "")).startswith(ENGLISH)]
    english_config = {**whole.get("config", {}), "lang": ["en"]}
    return {
        INDEX: _dump({**whole, "docs": french}),
        ENGLISH_INDEX: _dump(
            {
                **whole,
                "config": english_config,
                "docs": [{**doc, "location": doc["location"][len(ENGLISH) :]} for doc in english],
            }
        ),
    }


def english_base(page: bytes, path: str) -> bytes:
    """An English page (``path`` below ``en/``) pointed at the English index.

    Its ``base`` becomes the address of ``en/`` relative to the page, with the same meaning
    as Material's own (the site's root relative to the page). Other pages, and pages without
    Material's configuration, are returned as they are.
    """
    if not path.startswith(ENGLISH) or not path.endswith(".html"):
        return page
    base = posixpath.relpath(ENGLISH.rstrip("/"), posixpath.dirname(path))
    return _CONFIG.sub(lambda m: m[1] + base.encode() + m[3], page, count=1)


def adapt(path: str, data: bytes) -> dict[str, bytes]:
    """The files that MkDocs' file ``path`` becomes on the site: itself, or two indexes."""
    if path == INDEX:
        return split(data)
    return {path: english_base(data, path)}


_URL = re.compile(r"<url>(.*?)(\s*)</url>", re.S)
_LOC = re.compile(r"<loc>([^<]*)</loc>")
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
_XHTML = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'


def sitemap_twins(sitemap: str, site_url: str) -> str:
    """MkDocs' ``sitemap.xml`` with each page's versions in French and English, if it has both.

    A page below ``site_url`` has a twin when the sitemap lists it at the same path below
    ``en/`` (or, for an English page, at the root). French is the default (``x-default``).
    The links close each ``<url>``, where the sitemap schema allows other namespaces.
    """
    listed = set(_LOC.findall(sitemap))

    def with_twins(entry: re.Match[str]) -> str:
        where = _LOC.search(entry[1])
        if where is None or not where[1].startswith(site_url):
            return entry[0]
        path = where[1][len(site_url) :]
        bare = path[len(ENGLISH) :] if path.startswith(ENGLISH) else path
        french, english = site_url + bare, site_url + ENGLISH + bare
        if french not in listed or english not in listed:
            return entry[0]
        links = "".join(
            f'\n         <xhtml:link rel="alternate" hreflang="{lang}" href="{_attribute(url)}"/>'
            for lang, url in (("fr", french), ("en", english), ("x-default", french))
        )
        return f"<url>{entry[1]}{links}{entry[2]}</url>"

    named = _URL.sub(with_twins, sitemap)
    return named if named == sitemap else named.replace(_URLSET, _URLSET[:-1] + _XHTML + ">", 1)


def _attribute(text: str) -> str:
    # The text of <loc> is already escaped for XML but for the double quote.
    return text.replace('"', "&quot;")


def _dump(value: object) -> bytes:
    # As MkDocs' search plugin writes it: compact, ASCII only.
    return json.dumps(value, separators=(",", ":")).encode("ascii")
