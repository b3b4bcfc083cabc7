from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from build_tools import collection_pages, collections, issuing
from build_tools.cli import main
from build_tools.collections import CollectionError
from build_tools.diagnostics import format_text
from build_tools.model import Site
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

DAY = date(2026, 2, 1)
MOMENT = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
FILE = "issuers/atelier-test/collections.yaml"


def _write(root: Path, text: str) -> None:
    (root / FILE).write_text(collections.HEADER + text, encoding="utf-8")


def _load(repo: AwardedRepo) -> tuple[list[collections.Collection], list[str]]:
    kept, problems = collections.load_collections(repo.site(), DAY)
    return kept, [str(p) for p in problems]


def test_add_then_build_the_page(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    ids = awarded_repo.ids
    path, item = collections.add(
        site, "atelier-test", (ids["chloe"], ids["bob"]), given=DAY, display_name="Bob", day=DAY
    )
    assert path == awarded_repo.root / FILE
    assert re.fullmatch(r"[a-z2-7]{26}", item["id"])
    assert path.read_text(encoding="utf-8") == collections.HEADER + (
        f'- id: "{item["id"]}"\n  assertions:\n    - "{ids["chloe"]}"\n    - "{ids["bob"]}"\n'
        '  display_name: "Bob"\n  given: "2026-02-01"\n'
    )
    kept, problems = _load(awarded_repo)
    assert problems == []
    assert kept == [
        collections.Collection(
            item["id"], "atelier-test", (ids["chloe"], ids["bob"]), "Bob", "2026-02-01", None
        )
    ]
    files = collection_pages.files(awarded_repo.site(), MOMENT)
    html = files[f"sac/{item['id']}.html"].decode("utf-8")
    assert '<h1 id="titre">Les badges de Bob</h1>' in html
    links = re.findall(r'<a href="(\.\./a/[a-z2-7]{26}\.html)">', html)
    assert links == [f"../a/{ids['chloe']}.html", f"../a/{ids['bob']}.html"]
    assert html.count('class="bdg-qr"') == 1
    assert f"https://badges.example.org/test/sac/{item['id']}.html" in html
    assert "<script" not in html
    assert "assets/badgeons/collection.css" in files


def test_without_a_display_name_nobody_is_named(awarded_repo: AwardedRepo) -> None:
    ids = awarded_repo.ids
    _, item = collections.add(
        awarded_repo.site(), "atelier-test", (ids["awa"],), given=DAY, day=DAY
    )
    html = collection_pages.files(awarded_repo.site(), MOMENT)[f"sac/{item['id']}.html"]
    text = html.decode("utf-8")
    assert '<h1 id="titre">Sac à badges</h1>' in text
    # Awa agreed to show her name on her badge's page, not on this collection.
    assert "Awa" not in text


def test_add_refuses_unknown_and_revoked_badges(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    issuing.revoke(site, awarded_repo.ids["bob"], "Erreur", MOMENT)
    site, _ = load_site(awarded_repo.root)
    assert site is not None
    unknown = "a" * 26
    with pytest.raises(CollectionError) as caught:
        collections.add(
            site, "atelier-test", (awarded_repo.ids["bob"], unknown), given=DAY, day=DAY
        )
    assert str(caught.value) == "2 erreur(s) : aucun sac à badges enregistré"
    assert [str(p) for p in caught.value.problems] == [
        f"(ligne de commande): error: assertions[0]: badge « {awarded_repo.ids['bob']} » "
        "révoqué le 2026-02-01 : il n'est plus montré dans le sac à badges",
        f"(ligne de commande): error: assertions[1]: badge « {unknown} » inconnu",
    ]
    assert not (awarded_repo.root / FILE).exists()


def test_add_refuses_a_name_with_an_address(awarded_repo: AwardedRepo) -> None:
    with pytest.raises(CollectionError) as caught:
        collections.add(
            awarded_repo.site(),
            "atelier-test",
            (awarded_repo.ids["awa"],),
            given=DAY,
            display_name="awa@example.org",
            day=DAY,
        )
    assert [p.field for p in caught.value.problems] == ["display_name"]


def test_build_problems(awarded_repo: AwardedRepo) -> None:
    ids = awarded_repo.ids
    other = "b" * 26
    _write(
        awarded_repo.root,
        f'- id: "{"c" * 26}"\n  assertions: ["{ids["awa"]}"]\n  given: "2026-01-20"\n'
        f'- id: "{"c" * 26}"\n  assertions: ["{ids["bob"]}"]\n  given: "2026-01-20"\n'
        f'- id: "{"d" * 26}"\n  assertions: ["{other}"]\n  given: "2026-01-20"\n'
        f'- id: "{"e" * 26}"\n  assertions: ["{ids["bob"]}"]\n  given: "2026-01-20"\n'
        '  until: "2026-01-25"\n',
    )
    site, report = load_site(awarded_repo.root)
    assert site is None
    assert format_text(report.sorted()) == "\n".join(
        [
            f"{FILE}:8:3: error: [1].id: identifiant « {'c' * 26} » déjà utilisé ({FILE}:5)",
            f"{FILE}:12:16: error: [2].assertions[0]: badge « {other} » inconnu",
            f"{FILE}:17:3: warning: [3].until: sac à badges « {'e' * 26} » échu le 2026-01-25 : "
            "sa page n'est plus publiée",
        ]
    )


def test_ended_collections_and_revoked_badges_leave_the_site(awarded_repo: AwardedRepo) -> None:
    ids = awarded_repo.ids
    _write(
        awarded_repo.root,
        f'- id: "{"c" * 26}"\n  assertions: ["{ids["awa"]}", "{ids["bob"]}"]\n'
        '  given: "2026-01-20"\n'
        f'- id: "{"e" * 26}"\n  assertions: ["{ids["chloe"]}"]\n  given: "2026-01-20"\n'
        '  until: "2026-01-25"\n',
    )
    # The revocation comes after the collection was recorded.
    issuing.revoke(_site(awarded_repo), ids["bob"], "Erreur", MOMENT)
    site, _ = load_site(awarded_repo.root)
    assert site is not None
    kept, problems = collections.load_collections(site, DAY)
    assert [str(p) for p in problems] == [
        f"{FILE}:6:46: warning: [0].assertions[1]: badge « {ids['bob']} » révoqué le 2026-02-01 : "
        "il n'est plus montré dans le sac à badges",
        f"{FILE}:11:3: warning: [1].until: sac à badges « {'e' * 26} » échu le 2026-01-25 : "
        "sa page n'est plus publiée",
    ]
    assert [(c.id, c.assertions) for c in kept] == [("c" * 26, (ids["awa"],))]


def _site(repo: AwardedRepo) -> Site:
    """The site, whatever its warnings (``AwardedRepo.site`` wants none)."""
    site, _ = load_site(repo.root)
    assert site is not None
    return site


def test_withdraw_removes_the_page(awarded_repo: AwardedRepo) -> None:
    ids = awarded_repo.ids
    site = awarded_repo.site()
    _, first = collections.add(site, "atelier-test", (ids["awa"],), given=DAY, day=DAY)
    _, second = collections.add(site, "atelier-test", (ids["bob"],), given=DAY, day=DAY)
    path, removed = collections.withdraw(awarded_repo.root, first["id"])
    assert (path, removed.id) == (awarded_repo.root / FILE, first["id"])
    pages = [p for p in collection_pages.files(awarded_repo.site(), MOMENT) if p.startswith("sac/")]
    assert pages == [f"sac/{second['id']}.html"]
    with pytest.raises(CollectionError, match="aucun sac à badges"):
        collections.withdraw(awarded_repo.root, first["id"])


def test_the_commands(awarded_repo: AwardedRepo) -> None:
    root = str(awarded_repo.root)
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "collection",
            "add",
            awarded_repo.ids["awa"],
            "--issuer",
            "atelier-test",
            "--name",
            "Awa",
            "--given",
            "2026-01-30",
            "--root",
            root,
        ],
    )
    assert added.exit_code == 0, added.output
    found = re.search(r"/sac/([a-z2-7]{26})\.html", added.stdout)
    assert found is not None
    listed = runner.invoke(main, ["collection", "list", "--root", root])
    assert listed.stdout == (
        f"{found.group(1)}  atelier-test  Awa  publié  badges : {awarded_repo.ids['awa']}\n"
    )
    gone = runner.invoke(main, ["collection", "withdraw", found.group(1), "--root", root])
    assert gone.exit_code == 0
    assert runner.invoke(main, ["collection", "list", "--root", root]).stdout == (
        "Aucun sac à badges enregistré.\n"
    )
