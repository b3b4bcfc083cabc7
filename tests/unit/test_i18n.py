"""Tests of build_tools.i18n: the words and dates of the interface."""

from __future__ import annotations

import pytest

from build_tools import i18n


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        ("2026-12-01", "fr", "1er décembre 2026"),
        ("2025-07-08T10:00:00Z", "fr", "8 juillet 2025"),
        ("2025-02-28", "fr", "28 février 2025"),
        ("2026-12-01", "en", "1 December 2026"),
        ("2025-08-15", "en", "15 August 2025"),
    ],
)
def test_days_are_written_as_people_write_them(value: str, lang: str, shown: str) -> None:
    assert i18n.long_date(value, lang) == shown


@pytest.mark.parametrize(
    "value", ["", "jamais", "2025-13-01", "2025-00-10", "2025/07/08", "20250708"]
)
def test_anything_else_is_left_as_it_is(value: str) -> None:
    assert i18n.long_date(value) == value
