"""Criteria versions read from the awards, the consistency warning, and the catalogue section."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from build_tools import catalogue, issuing, versions
from build_tools.diagnostics import format_text
from build_tools.pipeline import load_site
from tests.conftest import AWARDED_AT, AwardedRepo

LATER = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _award_telephone(repo: AwardedRepo, learner: str) -> None:
    site, report = load_site(repo.root)
    assert site is not None, format_text(report.sorted())
    profile, badge = issuing.check_allowed(site, "atelier-test", "telephone")
    signer = issuing.load_signer(profile, None, repo.key_dir, LATER)
    request = issuing.AwardRequest(email=f"{learner}@example.org", issued_on=LATER)
    signed = issuing.sign_award(site, profile, badge, request, signer)
    issuing.write_awards(repo.root, "atelier-test", [signed], LATER.date())


def _second_version(repo: AwardedRepo) -> None:
    badge = repo.root / "badges" / "telephone.yaml"
    _edit(badge, "    - Passer un appel\n", "    - Lire un SMS reçu\n")
    _edit(badge, "seule les tâches", "seule et sans aide les tâches")
    _edit(badge, 'version: "1.0"', 'version: "2.0"')
    _award_telephone(repo, "dora")


def test_each_awarded_version_and_what_changed(awarded_repo: AwardedRepo) -> None:
    _second_version(awarded_repo)
    site = awarded_repo.site()
    found = versions.badge_versions(site, site.badges["telephone"])
    assert [(v.version, v.awarded, v.current) for v in found] == [
        ("1.0", 2, False),
        ("2.0", 1, True),
    ]
    assert (found[0].first, found[1].last) == (AWARDED_AT.date().isoformat(), "2026-04-01")
    assert [c.text("fr") for c in found[0].changes] == ["première version délivrée"]
    assert [c.text("fr") for c in found[1].changes] == [
        "texte des critères reformulé",
        "tâche ajoutée : Lire un SMS reçu",
        "tâche retirée : Passer un appel",
    ]
    assert [c.text("en") for c in found[1].changes][1] == "task added: Lire un SMS reçu"
    # The first version keeps the criteria it was awarded under.
    assert "2. Passer un appel" in found[0].narrative
    assert "Lire un SMS reçu" not in found[0].narrative


def test_badge_never_awarded_has_no_versions(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    assert versions.badge_versions(site, site.badges["accueillir-2"]) == ()


def test_split_narrative_separates_tasks() -> None:
    assert versions.split_narrative("Intro.\n\n1. Un\n2. Deux") == ("Intro.", ("Un", "Deux"))


def test_same_criteria_between_versions_is_said() -> None:
    assert [c.key for c in versions.differences("A", "x\n1. t", "A", "x\n1. t")] == ["same"]
    assert [c.text("fr") for c in versions.differences("A", "x", "B", "x")] == [
        "nom modifié : A → B"
    ]


def test_criteria_changed_under_the_same_version_warns(awarded_repo: AwardedRepo) -> None:
    assert versions.consistency_problems(awarded_repo.site()) == []
    _edit(awarded_repo.root / "badges" / "telephone.yaml", "    - Envoyer un SMS\n", "")
    site, report = load_site(awarded_repo.root)
    assert site is not None and not report.items
    assert [str(d) for d in versions.consistency_problems(site)] == [
        "badges/telephone.yaml:1:1: warning: version: les badges délivrés sous la version « 1.0 » "
        "n'ont pas tous les mêmes critères : quand les critères changent, augmentez version "
        "(règle : changer les critères d'un badge approuvé crée une nouvelle version)"
    ]


def test_badge_page_shows_the_versions(awarded_repo: AwardedRepo) -> None:
    _second_version(awarded_repo)
    site = awarded_repo.site()
    page = catalogue.badge_page(site, site.badges["telephone"])
    assert '<h2 id="versions">Versions des critères</h2>' in page.body
    assert (
        '<h3 id="version-2-0">Version 2.0 <span class="bdg-chip bdg-chip--level">version en cours</span></h3>'
        in page.body
    )
    assert "<li>tâche ajoutée : Lire un SMS reçu</li>" in page.body
    assert page.body.index("version-2-0") < page.body.index("version-1-0")
    english = catalogue.badge_page(site, site.badges["telephone"], "en")
    assert '<h2 id="versions">Criteria versions</h2>' in english.body


def test_badge_page_without_awards_has_no_versions_section(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    page = catalogue.badge_page(site, site.badges["accueillir-2"])
    assert 'id="versions"' not in page.body
