from __future__ import annotations

import os
from collections.abc import Sequence

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
