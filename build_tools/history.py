"""The change history of each badge class, read from git.

One ``git log`` over ``badges/`` gives, for every badge file, the dates and subjects of the
commits that changed it (never the authors: collective members are not published). Outside a
git checkout, or when git is missing, there is simply no history to show.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 12


@dataclass(frozen=True)
class Change:
    date: str
    subject: str


def badge_histories(root: Path) -> dict[str, tuple[Change, ...]]:
    """Changes by badge slug, newest first (at most ``MAX_ENTRIES`` each)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "--format=@@%cs%x09%s", "--name-only", "--", "badges/"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    return parse_log(result.stdout)


def parse_log(text: str) -> dict[str, tuple[Change, ...]]:
    histories: dict[str, list[Change]] = defaultdict(list)
    current: Change | None = None
    for line in text.splitlines():
        if line.startswith("@@"):
            date, _, subject = line[2:].partition("\t")
            current = Change(date, subject.strip())
        elif (
            current
            and line.startswith("badges/")
            and line.endswith(".yaml")
            and line.count("/") == 1
        ):
            changes = histories[line[len("badges/") : -len(".yaml")]]
            if len(changes) < MAX_ENTRIES:
                changes.append(current)
    return {slug: tuple(changes) for slug, changes in histories.items()}
