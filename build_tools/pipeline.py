"""The front of the pipeline: discover, load, validate and link a repository.

``load_site`` never raises on bad input: it returns the site model (or None) and a report of
every problem found, so that one run shows them all. Later stages run only on a clean report.
"""

from __future__ import annotations

from pathlib import Path

from build_tools import discover
from build_tools.diagnostics import Report
from build_tools.link import link
from build_tools.model import Site


def load_site(root: Path) -> tuple[Site | None, Report]:
    """Load, validate and link every file of the repository at ``root``."""
    report = Report()
    settings, problems = discover.load_settings(root)
    report.extend(problems)
    issuers, problems = discover.load_kind(root, "issuers", "issuer")
    report.extend(problems)
    badges, problems = discover.load_kind(root, "badges", "badge")
    report.extend(problems)
    if settings is None:
        return None, report
    declared = {p.stem for p in (root / "issuers").glob("*.yaml")}
    site, problems = link(root, settings, issuers + badges, declared)
    report.extend(problems)
    return (None if report.has_errors() else site), report
