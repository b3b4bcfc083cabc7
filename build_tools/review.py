"""What ``badgeons validate`` adds to the repository checks: approvals, versions, and, with
``--base REF``, the change summary and the governance rules of a pull request."""

from __future__ import annotations

from pathlib import Path

from build_tools import badge_status, changes, governance, versions
from build_tools.diagnostics import Report
from build_tools.model import Site


def review(root: Path, site: Site | None, report: Report, base: str | None) -> list[str] | None:
    """Add the review diagnostics to ``report``; return the change summary (None without base).

    Raises :class:`changes.ChangesError` when the base cannot be read.
    """
    if site is not None:
        report.extend(badge_status.approval_problems(site))
        report.extend(versions.consistency_problems(site))
    if base is None:
        return None
    before = changes.load_ref(root, base)
    after = changes.load_worktree(root)
    report.extend(governance.check(before, after, base))
    return changes.summarise(before, after)


def summary_text(base: str, lines: list[str]) -> str:
    """The change summary as reviewers read it."""
    if not lines:
        return f"Aucun changement de données par rapport à {base}."
    return "\n".join([f"Changements par rapport à {base} :", *(f"  - {line}" for line in lines)])


def json_report(diagnostics_json: str, base: str | None, lines: list[str] | None) -> str:
    """The JSON report of the diagnostics, with the base and the change summary when given."""
    import json

    report = json.loads(diagnostics_json)
    if base is not None:
        report = {"base": base, "changes": lines or [], **report}
    return json.dumps(report, ensure_ascii=False, indent=2)
