"""Objects set aside from the cyclic garbage collector, in nested holds."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from build_tools import heap


class _Node:
    """An object that can be part of a reference cycle and be watched with a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    """A reference cycle that only the cyclic collector can free; a weak reference to it."""
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture(autouse=True)
def _nothing_frozen() -> Iterator[None]:
    gc.collect()
    assert gc.get_freeze_count() == 0
    yield
    assert gc.get_freeze_count() == 0


def test_objects_alive_at_the_hold_wait_for_its_release() -> None:
    cycle = _cycle()
    release = heap.set_aside()
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert cycle() is not None
    release()
    gc.collect()
    assert cycle() is None


def test_objects_made_during_a_hold_are_collected_as_usual() -> None:
    with heap.aside():
        cycle = _cycle()
        gc.collect()
        assert cycle() is None


def test_holds_nest_and_the_last_release_ends_them() -> None:
    cycle = _cycle()
    outer = heap.set_aside()
    inner = heap.set_aside()
    inner()
    gc.collect()
    assert cycle() is not None and gc.get_freeze_count() > 0
    outer()
    gc.collect()
    assert cycle() is None


def test_a_hold_released_twice_does_not_end_another() -> None:
    cycle = _cycle()
    outer = heap.set_aside()
    inner = heap.set_aside()
    inner()
    inner()
    gc.collect()
    assert cycle() is not None
    outer()


def test_a_block_releases_its_hold_when_it_fails() -> None:
    with pytest.raises(RuntimeError), heap.aside():
        assert gc.get_freeze_count() > 0
        raise RuntimeError("stop")
