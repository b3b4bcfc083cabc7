from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import pytest

from build_tools import parallel


def _square_with_pid(offset: int, chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(offset + n * n, os.getpid()) for n in chunk]


def test_results_keep_the_order_of_the_items_in_any_number_of_processes() -> None:
    items = list(range(500))
    one = parallel.map_chunks(_square_with_pid, 7, items, workers=1)
    two = parallel.map_chunks(_square_with_pid, 7, items, workers=2)
    assert [v for v, _ in one] == [v for v, _ in two] == [7 + n * n for n in items]
    assert {pid for _, pid in one} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in two}  # The work really ran in forked workers.


def test_small_jobs_stay_in_this_process() -> None:
    assert parallel.default_workers(parallel.MIN_ITEMS - 1) == 1
    assert [pid for _, pid in parallel.map_chunks(_square_with_pid, 0, [1, 2, 3])] == [
        os.getpid()
    ] * 3


def test_started_chunks_give_the_results_of_map_chunks_later() -> None:
    items = list(range(500))
    pending = parallel.start_chunks(_square_with_pid, 3, items, workers=2)
    # This process is free meanwhile; the workers have the work.
    results = pending.results()
    assert [v for v, _ in results] == [3 + n * n for n in items]
    assert os.getpid() not in {pid for _, pid in results}
    assert pending.results() == results
    # One process: the work is done at once, here.
    alone = parallel.start_chunks(_square_with_pid, 3, items, workers=1)
    assert {pid for _, pid in alone.results()} == {os.getpid()}


def test_started_chunks_can_be_cancelled_and_map_chunks_runs_again() -> None:
    pending = parallel.start_chunks(_square_with_pid, 0, list(range(500)), workers=2)
    pending.cancel()
    again = parallel.map_chunks(_square_with_pid, 1, list(range(300)), workers=2)
    assert [v for v, _ in again] == [1 + n * n for n in range(300)]


def _fails_in_a_child(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("only in the child")
    return 42


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
def test_forked_computes_in_another_process_or_here_after_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Other tests may leave threads behind (servers of the browser tests), which would keep
    # Forked from forking; these children only return or raise, so they may fork anyway.
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    assert parallel.Forked(os.getpid).result() != os.getpid()
    # The child failed: the function runs again here, where it succeeds (or raises).
    parent = os.getpid()
    assert parallel.Forked(lambda: _fails_in_a_child(parent)).result() == 42

    def broken() -> int:
        raise ValueError("raised where the result is asked for")

    forked = parallel.Forked(broken)
    with pytest.raises(ValueError, match="asked for"):
        forked.result()
    cancelled = parallel.Forked(os.getpid)
    cancelled.cancel()


@pytest.mark.parametrize("total", [0, 1, 63, 64, 300, 10_000, 100_000])
@pytest.mark.parametrize("count", [2, 8])
@pytest.mark.parametrize("watched", [False, True])
def test_chunks_shrink_to_a_small_last_one_and_keep_every_item_in_order(
    total: int, count: int, watched: bool
) -> None:
    items = list(range(total))
    chunks = parallel.chunked(items, count, watched=watched)
    assert [item for chunk in chunks for item in chunk] == items
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= parallel.MIN_CHUNK for size in sizes[:-1])
    if total >= 10_000:
        # The workers end within a small chunk of each other, in few chunks.
        assert sizes[-1] <= parallel.MIN_CHUNK
        assert len(chunks) <= 32 * count * (2 if watched else 1)
        if watched:
            assert sizes[0] <= -(-total // (count * 16))
