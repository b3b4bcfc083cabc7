"""Figures that change with every award, kept out of the Markdown of the catalogue pages.

A badge page shows how many times the badge was awarded, and when each criteria version was
first and last awarded. Written into the Markdown, these figures would make every new award a
change to a page that MkDocs renders, and MkDocs renders the whole catalogue or nothing (about
4 s for the 244 pages of a repository of 10,000 awards). So a page holds a *token* in their
place: plain letters and digits, which Markdown, the theme and the search index all pass
through unchanged. The build writes each figure in place of its token in MkDocs' output
(:meth:`Figures.fill`), and MkDocs' pages depend only on what really changes their text
(build_tools/pagereuse.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Letters and digits only, so no Markdown, HTML or JSON processing changes a token; the odd
# prefix keeps it from meeting real text.
_PREFIX = "bdgfig7q"
_TOKEN = re.compile(re.escape(_PREFIX).encode() + rb"([0-9]{1,9})z")
# A figure is a count or a date: nothing that would need escaping in HTML or JSON.
_PLAIN = re.compile(r"[0-9][0-9-]*")

#: Writes a figure into a page: a token (:class:`Figures`) or the figure itself (:func:`plain`).
Figure = Callable[[int | str], str]


def plain(value: int | str) -> str:
    """The figure itself, for pages rendered with their figures in place."""
    return str(value)


class Figures:
    """The figures of one build, each behind the token that :meth:`__call__` returned.

    Tokens are numbered in the order the pages ask for them, so the same pages give the same
    tokens, whatever the figures are.
    """

    def __init__(self, values: list[str] | None = None) -> None:
        #: The figures, by token number (those of another process's pages can be given).
        self.values: list[str] = list(values or [])

    def __call__(self, value: int | str) -> str:
        text = str(value)
        if not _PLAIN.fullmatch(text):
            raise ValueError(f"not a count or a date: {text!r}")
        self.values.append(text)
        return f"{_PREFIX}{len(self.values) - 1}z"

    def fill(self, data: bytes) -> bytes:
        """``data`` with every token of this build replaced by its figure."""
        if _PREFIX.encode() not in data:
            return data
        values = self.values

        def figure(match: re.Match[bytes]) -> bytes:
            index = int(match[1])
            return values[index].encode() if index < len(values) else match[0]

        return _TOKEN.sub(figure, data)
