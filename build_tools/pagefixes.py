"""Small fixes to the HTML that Material for MkDocs writes, applied after each page is rendered.

Material's search dialog has no accessible name (axe-core: ``aria-dialog-name``, serious).
The partial that writes it has no block to extend, and copying it whole would drift from
Material's own; so the name is added to the rendered page. When Material names the dialog
itself, the marker is not found and nothing changes.
"""

from __future__ import annotations

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMES = {"fr": "Recherche dans le site", "en": "Site search"}


def name_search_dialog(html: str, lang: str) -> str:
    label = NAMES.get(lang, NAMES["fr"])
    named = SEARCH_DIALOG[:-1] + f' aria-label="{label}">'
    return html.replace(SEARCH_DIALOG, named, 1)


def fix(html: str, lang: str) -> str:
    """Every fix, in order."""
    return name_search_dialog(html, lang)
