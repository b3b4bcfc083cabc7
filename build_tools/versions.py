"""The criteria versions of a badge class, read from the badges awarded under each one.

A badge's criteria can change (a collective refines them month after month), but a badge
already awarded keeps the criteria it was awarded under: each credential embeds its
``Achievement``, frozen at the badge's version. This module lists, for the catalogue, every
version that has been awarded and what changed from one to the next, and warns when awards of
one version embed different criteria (the criteria changed but the version was not raised).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from build_tools import ob3
from build_tools.diagnostics import Diagnostic
from build_tools.model import Award, BadgeClass, Site

_TASK = re.compile(r"^\d+\.\s+(.*)$")

#: The words of the catalogue's versions section.
WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "title": "Versions des critères",
        "intro": "Chaque badge délivré garde les critères de la version sous laquelle il l'a été.",
        "version": "Version {version}",
        "awarded": "{n} badge(s) délivré(s), du {first} au {last}",
        "awarded_on": "{n} badge(s) délivré(s), le {first}",
        "current": "version en cours",
        "first": "première version délivrée",
        "task_added": "tâche ajoutée : {task}",
        "task_removed": "tâche retirée : {task}",
        "text_changed": "texte des critères reformulé",
        "name_changed": "nom modifié : {old} → {new}",
        "same": "critères inchangés",
        "frozen": "Critères de cette version",
        "status_draft": "Brouillon : ce badge est en cours d'écriture et ne peut pas encore être délivré.",
        "status_proposed": "Proposé : ce badge attend l'approbation du collectif avant d'être délivré.",
        "approved_by": "Approuvé par {by} le {date}.",
    },
    "en": {
        "title": "Criteria versions",
        "intro": "Every badge awarded keeps the criteria of the version it was awarded under.",
        "version": "Version {version}",
        "awarded": "{n} badge(s) awarded, from {first} to {last}",
        "awarded_on": "{n} badge(s) awarded, on {first}",
        "current": "current version",
        "first": "first version awarded",
        "task_added": "task added: {task}",
        "task_removed": "task removed: {task}",
        "text_changed": "criteria text reworded",
        "name_changed": "name changed: {old} → {new}",
        "same": "criteria unchanged",
        "frozen": "Criteria of this version",
        "status_draft": "Draft: this badge is being written and cannot be awarded yet.",
        "status_proposed": "Proposed: this badge awaits the collective's approval before it is awarded.",
        "approved_by": "Approved by {by} on {date}.",
    },
}


@dataclass(frozen=True)
class Change:
    """One difference between a version and the one before: a word key and its values."""

    key: str
    values: Mapping[str, str]

    def text(self, lang: str) -> str:
        return WORDS.get(lang, WORDS["fr"])[self.key].format(**self.values)


@dataclass(frozen=True)
class Version:
    """One version of a badge's criteria, as the awards made under it embed them."""

    version: str
    name: str
    narrative: str
    awarded: int
    first: str
    last: str
    current: bool
    changes: tuple[Change, ...]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def embedded(award: Award) -> tuple[str, str]:
    """The name and criteria narrative frozen in an award's credential."""
    subject = award.credential.get("credentialSubject")
    achievement: Any = subject.get("achievement") if isinstance(subject, Mapping) else None
    if not isinstance(achievement, Mapping):
        return "", ""
    criteria = achievement.get("criteria")
    narrative = criteria.get("narrative") if isinstance(criteria, Mapping) else None
    return str(achievement.get("name", "")), str(narrative or "")


def split_narrative(narrative: str) -> tuple[str, tuple[str, ...]]:
    """The introduction of a criteria narrative and its numbered tasks."""
    intro: list[str] = []
    tasks: list[str] = []
    for line in narrative.strip().splitlines():
        match = _TASK.match(line.strip())
        if match:
            tasks.append(match.group(1).strip())
        else:
            intro.append(line.strip())
    return "\n".join(i for i in intro if i), tuple(tasks)


def differences(old_name: str, old: str, new_name: str, new: str) -> tuple[Change, ...]:
    """What changed from one version's embedded criteria to the next."""
    old_intro, old_tasks = split_narrative(old)
    new_intro, new_tasks = split_narrative(new)
    found: list[Change] = []
    if old_name != new_name:
        found.append(Change("name_changed", {"old": old_name, "new": new_name}))
    if old_intro != new_intro:
        found.append(Change("text_changed", {}))
    found += [Change("task_added", {"task": t}) for t in new_tasks if t not in old_tasks]
    found += [Change("task_removed", {"task": t}) for t in old_tasks if t not in new_tasks]
    return tuple(found) or (Change("same", {}),)


def badge_versions(site: Site, badge: BadgeClass) -> tuple[Version, ...]:
    """Every version of a badge that has been awarded, oldest first, with what changed."""
    by_version: dict[str, list[Award]] = {}
    for award in site.awards_by_badge.get(badge.slug, ()):
        by_version.setdefault(award.badge_version, []).append(award)
    result: list[Version] = []
    previous: tuple[str, str] | None = None
    for version in sorted(by_version, key=_version_key):
        awards = sorted(by_version[version], key=lambda a: (a.issued_on, a.id))
        name, narrative = embedded(awards[0])
        changes = (
            (Change("first", {}),)
            if previous is None
            else differences(previous[0], previous[1], name, narrative)
        )
        result.append(
            Version(
                version,
                name,
                narrative,
                len(awards),
                awards[0].issued_on[:10],
                awards[-1].issued_on[:10],
                version == badge.version,
                changes,
            )
        )
        previous = (name, narrative)
    return tuple(result)


def consistency_problems(site: Site) -> list[Diagnostic]:
    """A warning for each badge whose awards of one version embed different criteria."""
    problems: list[Diagnostic] = []
    for badge in site.badges.values():
        current = ob3.achievement(site, badge)["criteria"]["narrative"]
        # Digests, not texts: reading every record again would cost a pass over all of them.
        seen: dict[str, set[str]] = {}
        for award in site.awards_by_badge.get(badge.slug, ()):
            seen.setdefault(award.badge_version, set()).add(award.criteria_digest)
        for version, narratives in sorted(seen.items()):
            if version == badge.version:
                narratives = narratives | {hashlib.sha256(current.encode("utf-8")).hexdigest()}
            if len(narratives) > 1:
                problems.append(
                    badge.source.warning(
                        "version",
                        f"les badges délivrés sous la version « {version} » n'ont pas tous les "
                        "mêmes critères : quand les critères changent, augmentez version "
                        "(règle : changer les critères d'un badge approuvé crée une nouvelle version)",
                    )
                )
    return problems
