"""The progress bar: shown on a terminal only, never in CI, and the work done is the same."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence

import pytest

from build_tools import parallel, progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _double(offset: int, chunk: Sequence[int]) -> list[int]:
    return [offset + 2 * i for i in chunk]


def test_hidden_in_pipes_in_ci_and_for_short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.shown(1_000)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert progress.shown(1_000)
    assert not progress.shown(progress.MIN_ITEMS - 1)
    monkeypatch.setenv("CI", "true")
    assert not progress.shown(1_000)


def test_a_bar_is_drawn_on_a_terminal_and_the_items_all_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(progress.track(range(50), "Signature")) == list(range(50))
    assert "Signature" in terminal.getvalue()


@pytest.mark.parametrize("workers", [1, 2])
def test_chunks_watched_by_a_bar_give_the_same_results(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.delenv("CI", raising=False)
    items = list(range(1_000))
    quiet = parallel.map_chunks(_double, 5, items, workers)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    watched = parallel.map_chunks(_double, 5, items, workers, label="Pages")
    assert watched == quiet == [5 + 2 * i for i in items]
    assert "Pages" in terminal.getvalue()
