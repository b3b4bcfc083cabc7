"""Text for search and filters that forgives accents, case and plurals, as French readers type.

"numerique", "Numériques" and "NUMÉRIQUE" all fold to the same words. The same rules are
implemented in the catalogue's script (site_src/pages/assets/javascripts/catalogue.js) for
what visitors type; keep both in step.
"""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower case, without accents or ligatures."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LIGATURES).lower())
    # Only the few distinct characters outside ASCII can be combining marks; they are dropped
    # in one pass (the catalogue folds a few hundred kilobytes of text at every build).
    marks = {ord(c): None for c in set(_NOT_ASCII.findall(decomposed)) if unicodedata.combining(c)}
    return decomposed.translate(marks) if marks else decomposed


def stem(word: str) -> str:
    """A light French stem: the plural mark of a longer word is dropped (emplois -> emploi)."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The folded, stemmed words of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        seen.setdefault(stem(word), None)
    return list(seen)


def variants(text: str) -> list[str]:
    """The words of :func:`words` that the text does not already hold as they are written.

    The site search (MkDocs' search plugin, Material's index) matches words as written: it
    finds « téléphone » but not « telephone ». A page lists these variants for it, and only
    these, since the search also shows them in its excerpts.
    """
    written = set(re.findall(r"\w+", text.lower()))
    return [word for word in words(text) if word not in written]
