"""Timing: interleaved repeats, medians, and the table printed at the end.

The machine is small and shared, so every task is run several times, the tasks of one
comparison are interleaved (task, floor, task, floor...) so that a noisy moment hits both, and
the median is kept. Ratios are computed from the medians of the same run.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Task:
    """One measured task: ``run`` does the work once; ``setup`` (untimed) runs before each."""

    label: str
    count: int
    run: Callable[[], object]
    setup: Callable[[], object] | None = None
    floor: str | None = None
    """The label of the floor this task is compared with, if any."""
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_once(task: Task) -> float:
    if task.setup is not None:
        task.setup()
    gc.collect()
    started = time.perf_counter()
    task.run()
    elapsed = time.perf_counter() - started
    task.seconds.append(elapsed)
    return elapsed


def interleave(tasks: Sequence[Task], repeats: int, log: Callable[[str], None]) -> None:
    """Run every task ``repeats`` times, one round of all tasks after another."""
    for round_number in range(1, repeats + 1):
        for task in tasks:
            elapsed = time_once(task)
            log(f"  round {round_number}/{repeats}: {task.label}: {elapsed:.2f} s")


def _per_item(seconds: float, count: int) -> str:
    value = seconds / count
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.0f} µs"


def table(tasks: Sequence[Task]) -> str:
    """The results as a plain-text table, with each task's ratio to its floor, per item."""
    by_label = {t.label: t for t in tasks}
    header = ("task", "n", "median", "per item", "runs (s)", "vs floor")
    rows = [header]
    for task in tasks:
        ratio = ""
        if task.floor is not None:
            floor = by_label[task.floor]
            ratio = f"{(task.median / task.count) / (floor.median / floor.count):.1f}×"
        elif any(t.floor == task.label for t in tasks):
            ratio = "1.0× (floor)"
        rows.append(
            (
                task.label,
                f"{task.count:,}",
                f"{task.median:.2f} s",
                _per_item(task.median, task.count),
                " ".join(f"{s:.2f}" for s in task.seconds),
                ratio,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {1, 2, 3}
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
