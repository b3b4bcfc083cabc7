"""What ``badgeons validate`` adds to the repository checks: approvals, versions, and, with
``--base REF``, the change summary and the governance rules of a pull request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from build_tools import badge_status, changes, governance, versions
from build_tools.diagnostics import Report
from build_tools.model import Site


@dataclass(frozen=True)
class Summary:
    """The change summary of a pull request, and the commit it was compared with."""

    lines: list[str]
    base: changes.Base


def review(root: Path, site: Site | None, report: Report, base: str | None) -> Summary | None:
    """Add the review diagnostics to ``report``; return the change summary (None without base).

    The change is compared with the fork point of the branch from ``base`` (see
    :func:`changes.fork_point`). Raises :class:`changes.ChangesError` when it cannot be read.
    """
    if site is not None:
        report.extend(badge_status.approval_problems(site))
        report.extend(versions.consistency_problems(site))
    if base is None:
        return None
    point = changes.fork_point(root, base)
    before = changes.load_ref(root, point.commit)
    after = changes.load_worktree(root)
    report.extend(governance.check(before, after, base, site))
    return Summary(changes.summarise(before, after), point)


def _heading(base: str, summary: Summary | None) -> str:
    if summary is not None and summary.base.behind:
        # The target has moved on: say which of its commits the branch is compared with.
        return f"{base} (au point où la branche en part, {summary.base.commit[:10]})"
    return base


def summary_text(base: str, summary: Summary | None) -> str:
    """The change summary as reviewers read it."""
    lines = summary.lines if summary is not None else []
    if not lines:
        return f"Aucun changement de données par rapport à {_heading(base, summary)}."
    return "\n".join(
        [f"Changements par rapport à {_heading(base, summary)} :", *(f"  - {x}" for x in lines)]
    )


def json_report(
    diagnostics_json: str, base: str | None, summary: Summary | None, error: str | None = None
) -> str:
    """The JSON report of the diagnostics, with the base and the change summary when given.

    ``error`` is why the base could not be compared with: the report then says so, counted as
    one more error, so that a program reading it always gets a report.
    """
    report = json.loads(diagnostics_json)
    if error is not None:
        report["errors"] += 1
        report["error"] = error
    if base is not None:
        extra: dict[str, object] = {
            "base": base,
            "changes": summary.lines if summary is not None else [],
        }
        if summary is not None:
            extra["base_commit"] = summary.base.commit
        report = {**extra, **report}
    return json.dumps(report, ensure_ascii=False, indent=2)
