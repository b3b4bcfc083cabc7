"""Tests of build_tools.cli_common: what every command shares.

Here, that the badges shown together on a « sac à badges » or at one point of the map are one
person's, as ``--recipient`` proves without the address being kept.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from build_tools.cli import main
from tests.conftest import AwardedRepo


def _add(repo: AwardedRepo, command: str, *arguments: str) -> tuple[int, str]:
    place = ["--issuer", "atelier-test"] if command == "collection" else ["--insee", "41018"]
    result = CliRunner().invoke(
        main, [command, "add", *arguments, *place, "--root", str(repo.root)]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["collection", "consent"])
def test_several_badges_need_the_persons_address(awarded_repo: AwardedRepo, command: str) -> None:
    awa, chloe = awarded_repo.ids["awa"], awarded_repo.ids["chloe"]
    before = sorted(p.read_bytes() for p in (awarded_repo.root / "issuers").rglob("*.yaml"))
    code, output = _add(awarded_repo, command, awa, chloe)
    assert code == 2
    assert "plusieurs badges : indiquez l'adresse e-mail de la personne avec --recipient" in output
    # Awa's address does not open Chloé's badge.
    code, output = _add(awarded_repo, command, awa, chloe, "--recipient", "Awa@Example.org ")
    assert code == 1
    assert f"badge(s) délivré(s) à une autre adresse que celle donnée : « {chloe} »" in output
    assert "example.org" not in output
    after = sorted(p.read_bytes() for p in (awarded_repo.root / "issuers").rglob("*.yaml"))
    assert after == before


@pytest.mark.parametrize("command", ["collection", "consent"])
def test_the_persons_addresses_open_their_badges(awarded_repo: AwardedRepo, command: str) -> None:
    awa, chloe = awarded_repo.ids["awa"], awarded_repo.ids["chloe"]
    # Someone who received badges at two addresses gives both.
    both = ["--recipient", "awa@example.org", "--recipient", "chloe@example.org"]
    code, output = _add(awarded_repo, command, awa, chloe, *both)
    assert code == 0, output
    assert "example.org" not in (awarded_repo.root / "issuers" / "atelier-test").joinpath(
        "collections.yaml" if command == "collection" else "consents.yaml"
    ).read_text(encoding="utf-8")


def test_one_badge_needs_no_address_but_a_wrong_one_is_refused(
    awarded_repo: AwardedRepo,
) -> None:
    awa = awarded_repo.ids["awa"]
    code, output = _add(awarded_repo, "collection", awa, "--recipient", "bob@example.org")
    assert code == 1 and awa in output
    code, output = _add(awarded_repo, "collection", awa)
    assert code == 0, output
