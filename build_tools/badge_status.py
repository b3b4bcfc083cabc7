"""Badge class status (draft, proposed, approved) and network approval.

A collective writes a badge as a draft, proposes it by pull request, then approves it. A network
whose profile says ``requires_approval: true`` lets its members award its badges only once the
badge records the network's approval (``approval: {by: <network>, date}``).
"""

from __future__ import annotations

from build_tools.diagnostics import Diagnostic
from build_tools.model import BadgeClass, Site

STATUS_LABELS = {"draft": "brouillon", "proposed": "proposé", "approved": "approuvé"}


def approving_networks(site: Site, badge: BadgeClass) -> tuple[str, ...]:
    """The networks awarding the badge whose committee must approve it first."""
    return tuple(
        slug
        for slug in badge.issuers
        if slug in site.issuers
        and site.issuers[slug].is_network
        and site.issuers[slug].requires_approval
    )


def missing_approval(site: Site, badge: BadgeClass) -> str | None:
    """The network whose approval the badge lacks, or None when nothing is missing."""
    by = badge.approval.by if badge.approval else None
    return next((n for n in approving_networks(site, badge) if n != by), None)


def refusal(site: Site, badge: BadgeClass) -> str | None:
    """Why the badge may not be awarded yet, in French, or None when it may."""
    if badge.status != "approved":
        return (
            f"le badge « {badge.slug} » est au statut « {STATUS_LABELS[badge.status]} » : "
            "il ne peut être délivré qu'une fois approuvé (status: approved)"
        )
    network = missing_approval(site, badge)
    if network is not None:
        return (
            f"le badge « {badge.slug} » doit d'abord être approuvé par le comité du réseau "
            f"« {network} » (approval: {{by: {network}, date: AAAA-MM-JJ}})"
        )
    return None


def approval_problems(site: Site) -> list[Diagnostic]:
    """An error for each approved badge that lacks the approval its network requires."""
    problems: list[Diagnostic] = []
    for badge in site.badges.values():
        network = missing_approval(site, badge) if badge.status == "approved" else None
        if network is not None:
            problems.append(
                badge.source.error(
                    "approval",
                    f"le réseau « {network} » exige son approbation : ajoutez "
                    f"approval: {{by: {network}, date: AAAA-MM-JJ}} (règle : approbation du réseau)",
                )
            )
    return problems
