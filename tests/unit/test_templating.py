"""Links between site pages that work from a domain root or any sub-path."""

from __future__ import annotations

import posixpath
import random

import pytest

from build_tools import templating


@pytest.mark.parametrize(
    "page,target,expected",
    [
        ("index.md", "badges/x.html", "badges/x.html"),
        ("badges/x.md", "issuers/a.html", "../issuers/a.html"),
        ("en/badges/x.md", "en/badges/y.html", "y.html"),
        ("en/index.md", "assets/images/", "../assets/images/"),
        ("a/b/c.html", "a/b/c.html", "c.html"),
    ],
)
def test_relative_url(page: str, target: str, expected: str) -> None:
    assert templating.relative_url(page, target) == expected


def test_relative_paths_are_those_of_posixpath() -> None:
    names = ["a", "b", "badges", "index.html", "..", ".", "", "é", "a.b", "...", ".x"]
    rng = random.Random(3)
    checked = 0
    for _ in range(20_000):
        target, start = (
            ("/" if rng.random() < 0.05 else "")
            + "/".join(rng.choice(names) for _ in range(rng.randint(1, 4)))
            + ("/" if rng.random() < 0.1 else "")
            for _ in range(2)
        )
        try:
            expected = posixpath.relpath(target, start)
        except ValueError:  # An empty path, which no page has.
            continue
        assert templating._relpath(target, start) == expected, (target, start)
        checked += 1
    assert checked > 15_000
