"""Badge status and network approval: what may be awarded, and what validate reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools import badge_status, issuing
from build_tools.diagnostics import format_text
from build_tools.model import Site
from build_tools.pipeline import load_site


def _site(root: Path) -> Site:
    site, report = load_site(root)
    assert site is not None, format_text(report.sorted())
    return site


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(("status", "label"), [("draft", "brouillon"), ("proposed", "proposé")])
def test_draft_and_proposed_badges_are_not_awarded(
    minimal_repo: Path, status: str, label: str
) -> None:
    _append(minimal_repo / "badges" / "telephone.yaml", f"status: {status}\n")
    with pytest.raises(issuing.IssuingError) as caught:
        issuing.check_allowed(_site(minimal_repo), "atelier-test", "telephone")
    assert str(caught.value) == (
        f"le badge « telephone » est au statut « {label} » : il ne peut être délivré qu'une "
        "fois approuvé (status: approved)"
    )


def test_existing_badges_are_approved_by_default(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    assert site.badges["telephone"].status == "approved"
    issuing.check_allowed(site, "atelier-test", "telephone")


def _network_badge(root: Path) -> None:
    _append(root / "issuers" / "reseau-test.yaml", "requires_approval: true\n")
    badge = root / "badges" / "telephone.yaml"
    text = badge.read_text(encoding="utf-8").replace(
        "issuers: [atelier-test]", "issuers: [reseau-test]"
    )
    badge.write_text(text, encoding="utf-8")


def test_network_approval_is_required(minimal_repo: Path) -> None:
    _network_badge(minimal_repo)
    site = _site(minimal_repo)
    with pytest.raises(
        issuing.IssuingError, match="approuvé par le comité du réseau « reseau-test »"
    ):
        issuing.check_allowed(site, "atelier-test", "telephone")
    assert [str(d) for d in badge_status.approval_problems(site)] == [
        f"badges/{slug}.yaml:1:1: error: approval: le réseau « reseau-test » exige son "
        "approbation : ajoutez approval: {by: reseau-test, date: AAAA-MM-JJ} "
        "(règle : approbation du réseau)"
        for slug in ("accueillir-1", "accueillir-2", "telephone")
    ]


def test_network_approval_recorded_allows_the_award(minimal_repo: Path) -> None:
    _network_badge(minimal_repo)
    _append(
        minimal_repo / "badges" / "telephone.yaml",
        'approval:\n  by: reseau-test\n  date: "2026-02-01"\n',
    )
    site = _site(minimal_repo)
    assert site.badges["telephone"].approval is not None
    assert [d.path for d in badge_status.approval_problems(site)] == [
        "badges/accueillir-1.yaml",
        "badges/accueillir-2.yaml",
    ]
    issuing.check_allowed(site, "atelier-test", "telephone")


def test_approval_by_someone_else_does_not_count(minimal_repo: Path) -> None:
    _network_badge(minimal_repo)
    _append(
        minimal_repo / "badges" / "telephone.yaml",
        'approval:\n  by: atelier-test\n  date: "2026-02-01"\n',
    )
    assert (
        badge_status.missing_approval(_site(minimal_repo), _site(minimal_repo).badges["telephone"])
        == "reseau-test"
    )


def test_bad_status_is_a_schema_error(minimal_repo: Path) -> None:
    _append(minimal_repo / "badges" / "telephone.yaml", "status: valide\n")
    _, report = load_site(minimal_repo)
    assert [d.field for d in report.errors] == ["status"]
