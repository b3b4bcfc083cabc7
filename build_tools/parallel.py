"""Spread independent work over the machine's cores, keeping results in order.

Workers are forked so that they inherit the site model (often large) instead of receiving a
copy. That is done only on Linux, for enough items, and when no other thread runs (a thread
holding a lock while the process forks could leave a worker stuck on it); otherwise one process
does everything. Results come back in the order of the items, so output is the same either way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from build_tools import heap, progress

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 200
MAX_WORKERS = 8

# What forked workers inherit: the function and its shared state. Set only while a pool runs.
_INHERITED: tuple[Callable[[Any, Sequence[Any]], list[Any]], Any] | None = None


def can_fork() -> bool:
    """Whether workers may be forked here: on Linux, when no other thread could hold a lock."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def default_workers(count: int) -> int:
    """How many processes to use for ``count`` items."""
    if count < MIN_ITEMS or not can_fork():
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
    return start_chunks(function, state, items, count, label).results()


def shared_lock() -> AbstractContextManager[Any]:
    """A lock that workers forked after it share, for work that must not run on two cores at once.

    Creating files in one folder is such work: the kernel takes the folder's lock for each new
    file, and a process waiting for it spins on its core rather than sleeping (on ext4, two
    workers writing the 90,000 files of ``a/`` spent a fifth of the build spinning). Taken in
    user space instead, the lock puts the waiting worker to sleep and leaves the core to a
    process with work to do. Where no such lock can be made, the work is simply not serialised.
    """
    try:
        return multiprocessing.get_context("fork").Lock()
    except (OSError, ImportError):  # pragma: no cover (no /dev/shm: not on our platforms)
        return contextlib.nullcontext()


class Pending:
    """Chunks being made by forked workers while the caller does something else.

    :meth:`results` waits for them (with the progress bar, if any) and gives them in order;
    :meth:`cancel` stops the workers of a build that failed meanwhile. Only one may run at a
    time, as with :func:`map_chunks`; nothing else may fork workers until it has ended.
    """

    def __init__(self, parts: list[Any] | None = None) -> None:
        self._done = parts
        self._pool: Any = None
        self._release: Callable[[], None] = lambda: None
        self._chunks: list[Sequence[Any]] = []
        self._iterator: Any = None
        self._label: str | None = None
        self._total = 0

    def results(self) -> list[Any]:
        if self._done is not None:
            return self._done
        global _INHERITED
        watched = self._label is not None and progress.shown(self._total)
        parts = []
        try:
            with progress.bar(str(self._label), self._total if watched else 0) as advance:
                for chunk, part in zip(self._chunks, self._iterator, strict=True):
                    parts.append(part)
                    advance(len(chunk))
            self._pool.close()
            self._pool.join()
        finally:
            self._pool.terminate()
            self._pool = None
            _INHERITED = None
            self._release()
        self._done = [result for part in parts for result in part]
        return self._done

    def cancel(self) -> None:
        global _INHERITED
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
            _INHERITED = None
            self._release()


#: The smallest chunk handed to a worker (the last one may be smaller): the stages work on
#: batches of 64 to 256 items, and each chunk costs a message each way.
MIN_CHUNK = 64


def chunked(items: Sequence[Item], count: int, *, watched: bool = False) -> list[Sequence[Item]]:
    """``items`` cut into chunks for ``count`` workers, in order, each a share of what is left.

    Each worker takes the next chunk as soon as it is free; as the chunks shrink (each a
    ``2 * count``-th of the items left, down to :data:`MIN_CHUNK`), the workers end within a
    small chunk of each other. With equal chunks (a quarter of each worker's share), one
    worker sat idle for up to a second at the end of the signature checks of 10,000 awards
    while the other finished its last chunk. With a progress bar (``watched``), no chunk is
    larger than a sixteenth of a worker's share, so that the bar moves evenly.
    """
    total = len(items)
    largest = -(-total // (count * 16)) if watched else total
    chunks: list[Sequence[Item]] = []
    start = 0
    while start < total:
        size = max(MIN_CHUNK, min(largest, -(-(total - start) // (2 * count))))
        chunks.append(items[start : start + size])
        start += size
    return chunks


def start_chunks(
    function: Callable[[Any, Sequence[Item]], list[Result]],
    state: Any,
    items: Sequence[Item],
    workers: int | None = None,
    label: str | None = None,
) -> Pending:
    """:func:`map_chunks`, its workers started now and its results taken later.

    When it would run in one process, the work is done at once: there is then no other core
    to do it on while the caller goes on.
    """
    global _INHERITED
    count = default_workers(len(items)) if workers is None else max(1, workers)
    if count == 1 or len(items) < 2 or _INHERITED is not None:
        return Pending(map_chunks(function, state, items, 1, label))
    # Chunks that shrink balance the load; results come back in their order.
    chunks = chunked(items, count, watched=label is not None and progress.shown(len(items)))
    _INHERITED = (function, state)
    # Objects that exist before the fork are left out of the workers' garbage collections,
    # which would otherwise write to every one of them and copy all their pages (the site
    # model of 100,000 awards is hundreds of megabytes).
    release = heap.set_aside()
    try:
        pool = multiprocessing.get_context("fork").Pool(count)
    except OSError:
        _INHERITED = None
        release()
        return Pending(map_chunks(function, state, items, 1, label))
    pending = Pending()
    pending._release = release
    pending._pool = pool
    pending._chunks = chunks
    pending._iterator = pool.imap(_run_chunk, chunks)
    pending._label = label
    pending._total = len(items)
    return pending


class Forked(Generic[Result]):
    """``function()`` computed in a forked process while the caller goes on; see :meth:`result`.

    The child sends its result back pickled through a pipe. Where it cannot be forked, or when
    it fails in any way, the function runs again in this process when the result is asked
    for, so its errors are raised where they would have been.
    """

    def __init__(self, function: Callable[[], Result]) -> None:
        self._function = function
        self._pid: int | None = None
        self._read = -1
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child: its coverage is not collected)
            os.close(read)
            code = 1
            try:
                data = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Result:
        if self._pid is not None:
            with os.fdopen(self._read, "rb") as child:
                data = child.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            if os.waitstatus_to_exitcode(status) == 0:
                try:
                    value: Result = pickle.loads(data)
                    return value
                except Exception:
                    pass
        return self._function()

    def cancel(self) -> None:
        """Stop the child of a build that failed meanwhile."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = None
