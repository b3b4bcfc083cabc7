"""A progress bar for long runs (signature checks, pages, bulk awards), on a terminal only.

The bar is drawn by rich on standard error, and only when a person watches it: never when
standard error is a pipe or a file, never in CI (``CI`` set), and not for short runs. It is
refreshed by the code that advances it, not by a background thread, so that the processes the
build forks never inherit a thread holding a lock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# Below this many items a run is short: a bar would only flicker.
MIN_ITEMS = 20


def shown(count: int) -> bool:
    """Whether a bar over ``count`` items would be shown here."""
    return count >= MIN_ITEMS and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A function that advances a bar of ``total`` items by some; it does nothing when hidden."""
    if not shown(total):
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=Console(stderr=True), transient=True, auto_refresh=False
    ) as progress:
        task = progress.add_task(label, total=total)

        def advance(count: int) -> None:
            progress.advance(task, count)
            progress.refresh()

        yield advance


def track(items: Iterable[T], label: str) -> Iterator[T]:
    """The items one by one, the bar advancing as each is taken."""
    total = len(items) if isinstance(items, Sized) else 0
    with bar(label, total) as advance:
        for item in items:
            yield item
            advance(1)
