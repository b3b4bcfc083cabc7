from __future__ import annotations

import subprocess
from pathlib import Path

from build_tools.history import Change, badge_histories, parse_log


def test_parse_log_groups_changes_by_badge_newest_first() -> None:
    text = "@@2026-11-20\tCriteria of phone badge clarified\n\nbadges/telephone.yaml\nbadges/images/telephone.png\n\n@@2026-10-01\tAdd two badges\n\nbadges/telephone.yaml\nbadges/accueillir-1.yaml\n"
    assert parse_log(text) == {
        "telephone": (
            Change("2026-11-20", "Criteria of phone badge clarified"),
            Change("2026-10-01", "Add two badges"),
        ),
        "accueillir-1": (Change("2026-10-01", "Add two badges"),),
    }


def test_histories_from_a_real_repository_and_none_outside_git(minimal_repo: Path) -> None:
    assert badge_histories(minimal_repo) == {}
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_COMMITTER_DATE": "2026-01-02T00:00:00Z",
        "PATH": "/usr/bin:/bin",
    }
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "Premiers badges"]):
        subprocess.run(["git", "-C", str(minimal_repo), *command], check=True, env=env)
    histories = badge_histories(minimal_repo)
    assert histories["telephone"] == (Change("2026-01-02", "Premiers badges"),)
