"""Award figures behind tokens that Markdown, the theme and the search index leave alone."""

from __future__ import annotations

import pytest

from build_tools import figures


def test_tokens_are_numbered_in_order_and_filled_with_their_figures() -> None:
    found = figures.Figures()
    first, second = found(12), found("2026-11-20")
    assert first != second
    assert first.isalnum() and second.isalnum()
    page = f"<dd>{first} fois</dd><p>depuis le {second}</p>".encode()
    assert found.fill(page) == b"<dd>12 fois</dd><p>depuis le 2026-11-20</p>"


def test_the_same_pages_get_the_same_tokens_whatever_the_figures() -> None:
    one, other = figures.Figures(), figures.Figures()
    assert [one(3), one(4)] == [other(30_000), other(1)]


def test_unknown_tokens_and_plain_text_are_left_as_they_are() -> None:
    found = figures.Figures()
    found(7)
    text = b"bdgfig7q5z and bdgfig7q0z, and nothing else"
    assert found.fill(text) == b"bdgfig7q5z and 7, and nothing else"
    plain = b"no token here"
    assert found.fill(plain) is plain


@pytest.mark.parametrize("value", ["<b>", "12 fois", "", "a1"])
def test_only_counts_and_dates_can_be_figures(value: str) -> None:
    with pytest.raises(ValueError):
        figures.Figures()(value)


def test_plain_writes_the_figure_itself() -> None:
    assert figures.plain(42) == "42"
