"""One search index per language: the French pages search French pages, the English ones English.

Material for MkDocs writes one search index for the whole site. A visitor of the French
catalogue then met the English copy of every badge among their results, and an English visitor
the French ones, each stemmed with the other language's rules. The index is split here by where
the pages live (catalogue.prefix): English below ``en/``, French everywhere else.

The English pages find their index through the ``base`` of Material's page configuration (the
``__config`` script), which is made to point at ``en/``. Material uses that address to fetch the
index and to resolve the results' links; it also fetches ``sitemap.xml`` from it for the
``navigation.instant`` feature, which this site does not use (with it, the English pages would
load the next page without instant navigation, as when the sitemap is missing).
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


def _dump(value: object) -> bytes:
    # As MkDocs' search plugin writes it: compact, ASCII only.
    return json.dumps(value, separators=(",", ":")).encode("ascii")
