"""Objects set aside from Python's cyclic garbage collector while they are certain to live.

A loaded site of 10,000 awards is more than a million objects, none of them garbage until
the build ends. Left to the collector, each full collection walks them all: about a tenth of
a second each time, and one of them falls on most builds of a single added award. Python
decides when to run one by comparing the objects made since the last one with those that
survived it, and a model just unfrozen counts as none of either.

:func:`set_aside` moves every object alive now out of the collector's reach (``gc.freeze``)
until it is released. Holds nest: stages that set objects aside for reasons of their own
(workers forked with the site model, a model being built) can run inside a build that holds
the whole model, and the objects return to the collector when the last hold is released.
Garbage is still freed by reference counting meanwhile; only reference cycles wait.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# How many holds are in force in this process (forked workers inherit the count).
_holds = 0


def set_aside() -> Callable[[], None]:
    """Set aside every object alive now; the function returned ends this hold (once)."""
    global _holds
    gc.freeze()
    _holds += 1
    released = False

    def release() -> None:
        global _holds
        nonlocal released
        if released:
            return
        released = True
        _holds -= 1
        if not _holds:
            gc.unfreeze()

    return release


@contextmanager
def aside() -> Iterator[None]:
    """Every object alive when the block starts is set aside until it ends (:func:`set_aside`)."""
    release = set_aside()
    try:
        yield
    finally:
        release()
