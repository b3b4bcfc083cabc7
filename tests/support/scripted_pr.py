"""Scripted pull requests: a base committed in a temporary git repository, then a change.

The base is committed on branch ``main``; each test changes the working tree as a member's
pull request would, then runs ``badgeons validate --base main`` and reads what it printed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from build_tools.cli import main


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-C",
            str(root),
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit_base(root: Path) -> None:
    """Make ``root`` a git repository whose branch ``main`` holds its current files."""
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "base")


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def validate(root: Path, *extra: str) -> Outcome:
    """Run ``badgeons validate --base main`` on the working tree of ``root``."""
    result = CliRunner().invoke(main, ["validate", "--root", str(root), "--base", "main", *extra])
    return Outcome(result.exit_code, result.stdout, result.stderr)
