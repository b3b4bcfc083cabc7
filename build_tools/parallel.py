"""Spread independent work over the machine's cores, keeping results in order.

Workers are forked so that they inherit the site model (often large) instead of receiving a
copy. That is done only on Linux, for enough items, and when no other thread runs (a thread
holding a lock while the process forks could leave a worker stuck on it); otherwise one process
does everything. Results come back in the order of the items, so output is the same either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from build_tools import progress

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 200
MAX_WORKERS = 8

# What forked workers inherit: the function and its shared state. Set only while a pool runs.
_INHERITED: tuple[Callable[[Any, Sequence[Any]], list[Any]], Any] | None = None


def default_workers(count: int) -> int:
    """How many processes to use for ``count`` items."""
    if count < MIN_ITEMS or not sys.platform.startswith("linux"):
        return 1
    if threading.active_count() > 1:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _INHERITED is not None
    function, state = _INHERITED
    return function(state, chunk)


def map_chunks(
    function: Callable[[Any, Sequence[Item]], list[Result]],
    state: Any,
    items: Sequence[Item],
    workers: int | None = None,
    label: str | None = None,
) -> list[Result]:
    """``function(state, chunk)`` over chunks of ``items``, results concatenated in order.

    With a ``label``, a long run shows a progress bar on a terminal (build_tools/progress.py).
    """
    global _INHERITED
    count = default_workers(len(items)) if workers is None else max(1, workers)
    watched = label is not None and progress.shown(len(items))
    if count == 1 or len(items) < 2:
        if not watched:
            return function(state, items)
        # Chunks only so that the bar moves; large enough that each costs little extra.
        size = max(100, -(-len(items) // 50))
        with progress.bar(str(label), len(items)) as advance:
            results: list[Result] = []
            for start in range(0, len(items), size):
                results += function(state, items[start : start + size])
                advance(len(items[start : start + size]))
        return results
    # A few chunks per worker balance the load; results come back in their order.
    size = -(-len(items) // (count * (16 if watched else 4)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    _INHERITED = (function, state)
    # Objects that exist before the fork are left out of the workers' garbage collections,
    # which would otherwise write to every one of them and copy all their pages (the site
    # model of 100,000 awards is hundreds of megabytes).
    gc.freeze()
    try:
        with (
            progress.bar(str(label), len(items) if watched else 0) as advance,
            multiprocessing.get_context("fork").Pool(count) as pool,
        ):
            parts = []
            for chunk, part in zip(chunks, pool.imap(_run_chunk, chunks), strict=True):
                parts.append(part)
                advance(len(chunk))
    except OSError:
        # No process could be started (limits of the machine): do everything here.
        return function(state, items)
    finally:
        _INHERITED = None
        gc.unfreeze()
    return [result for part in parts for result in part]
