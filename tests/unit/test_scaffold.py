from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_tools import scaffold
from build_tools.pipeline import load_site


def _fill(text: str, values: dict[str, str]) -> str:
    for old, new in values.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_new_badge_reports_what_is_left_to_fill_then_validates_once_filled(
    minimal_repo: Path,
) -> None:
    written = scaffold.new_badge(minimal_repo, "lire-un-horaire", "atelier-test")
    assert [p.relative_to(minimal_repo).as_posix() for p in written] == [
        "badges/lire-un-horaire.yaml",
        "badges/images/lire-un-horaire.png",
    ]
    _, report = load_site(minimal_repo)
    fields = sorted({d.field for d in report.errors})
    assert fields == [
        "criteria.checklist[0]",
        "criteria.narrative",
        "description",
        "evidence",
        "name",
    ]
    assert all(d.path == "badges/lire-un-horaire.yaml" for d in report.errors)

    badge = minimal_repo / "badges" / "lire-un-horaire.yaml"
    badge.write_text(
        _fill(
            badge.read_text(encoding="utf-8"),
            {
                '"À COMPLÉTER : nom du badge"': "Lire un horaire de bus",
                "À COMPLÉTER : ce que le badge reconnaît, pour qui, dans quel contexte.": "Lire un horaire affiché.",
                "À COMPLÉTER : ce que la personne doit montrer pour obtenir le badge.": "Trouver le prochain bus.",
                '"À COMPLÉTER : première tâche observable"': "Repérer la ligne",
                "À COMPLÉTER : les preuves que la personne apporte.": "Observation en situation.",
            },
        ),
        encoding="utf-8",
    )
    site, report = load_site(minimal_repo)
    assert [str(d) for d in report] == []
    assert site is not None and site.badges["lire-un-horaire"].criteria.checklist == (
        "Repérer la ligne",
    )
    # A new badge arrives as proposed: nobody may award it before the collective approves it.
    assert site.badges["lire-un-horaire"].status == "proposed"
    from build_tools import badge_status

    refusal = badge_status.refusal(site, site.badges["lire-un-horaire"])
    assert refusal is not None and "au statut « proposé »" in refusal


def test_an_unquoted_checklist_item_with_a_colon_is_told_to_be_quoted(minimal_repo: Path) -> None:
    scaffold.new_badge(minimal_repo, "lire-un-horaire", "atelier-test")
    badge = minimal_repo / "badges" / "lire-un-horaire.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text(
        text.replace('"À COMPLÉTER : première tâche observable"', "Repérer la ligne : le numéro"),
        encoding="utf-8",
    )
    _, report = load_site(minimal_repo)
    item = [str(d) for d in report.errors if d.field == "criteria.checklist[0]"]
    assert len(item) == 1
    assert item[0].endswith(
        "error: criteria.checklist[0]: doit être du texte, pas un ensemble de champs : le « : » "
        'du texte en fait un champ ; mettez tout le texte entre guillemets ("Repérer la ligne : '
        'le numéro")'
    )


def test_new_issuer_skeleton_names_every_field_to_fill(minimal_repo: Path) -> None:
    scaffold.new_issuer(minimal_repo, "reseau-nouveau", network=True)
    _, report = load_site(minimal_repo)
    assert sorted(d.field for d in report.errors) == [
        "commune.name",
        "description",
        "email",
        "name",
        "requests.instructions",
        "url",
    ]
    text = (minimal_repo / "issuers" / "reseau-nouveau.yaml").read_text(encoding="utf-8")
    assert "type: network" in text


@pytest.mark.parametrize("slug", ["Mon Badge", "../evil", "é", "a--b", "-a", ""])
def test_unsafe_slugs_are_refused(minimal_repo: Path, slug: str) -> None:
    with pytest.raises(scaffold.ScaffoldError, match="invalide"):
        scaffold.new_badge(minimal_repo, slug, "atelier-test")
    assert not any(re.search("evil", p.name) for p in minimal_repo.rglob("*"))


def test_existing_file_and_unknown_issuer_are_refused(minimal_repo: Path) -> None:
    before = (minimal_repo / "badges" / "telephone.yaml").read_bytes()
    with pytest.raises(scaffold.ScaffoldError, match="existe déjà"):
        scaffold.new_badge(minimal_repo, "telephone", "atelier-test")
    assert (minimal_repo / "badges" / "telephone.yaml").read_bytes() == before
    with pytest.raises(scaffold.ScaffoldError, match="émetteur inconnu"):
        scaffold.new_badge(minimal_repo, "autre", "atelier-inconnu")
    assert not (minimal_repo / "badges" / "autre.yaml").exists()


def test_starting_image_is_a_valid_badge_image(tmp_path: Path) -> None:
    from build_tools.images import inspect_image

    path = tmp_path / "x.png"
    path.write_bytes(scaffold.starting_image("lire-un-horaire"))
    info = inspect_image(path)
    assert (info.format, info.width, info.height) == ("png", 512, 512)
    assert scaffold.starting_image("a") == scaffold.starting_image("a")
