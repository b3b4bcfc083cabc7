"""Tests of build_tools.verification: every signed form of every award is checked at build time."""

from __future__ import annotations

import dataclasses
import json
from types import MappingProxyType
from typing import Any

import pytest

from build_tools import verification
from build_tools.diagnostics import format_text
from build_tools.model import Award, Site
from tests.conftest import AwardedRepo
from tests.support.records import with_forms


@pytest.fixture
def site(awarded_repo: AwardedRepo) -> Site:
    return awarded_repo.site()


def _check(site: Site, award: Award, **changes: Any) -> list[str]:
    return format_text(verification.verify_award(site, with_forms(award, **changes))).splitlines()


def _flip(text: str, index: int) -> str:
    """The text with one base64url character changed."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def test_every_award_of_the_fixture_verifies(awarded_repo: AwardedRepo, site: Site) -> None:
    assert verification.verify_all(site) == []
    assert len(site.awards) == 3


def test_a_tampered_proof_value(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["awa"]]
    credential = json.loads(json.dumps(award.credential))
    credential["proof"]["proofValue"] = _flip(credential["proof"]["proofValue"], 20)
    assert _check(site, award, credential=credential) == [
        f"{award.source.path}:1:1: error: ob3.proof: signature Data Integrity refusée : "
        "signature eddsa-rdfc-2022 refusée par la clé "
        f"did:web:badges.example.org:test:issuers:atelier-test#{awarded_repo.keys.ed25519_id}"
    ]


def test_an_edited_credential(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["awa"]]
    credential = json.loads(json.dumps(award.credential))
    credential["credentialSubject"]["achievement"]["name"] = "Expert en téléphonie"
    problems = _check(site, award, credential=credential)
    assert [p.split(": ")[2] for p in problems] == ["ob3.proof", "ob3_jwt"]
    assert problems[1].endswith("ob3_jwt: le VC-JWT ne contient pas le même credential que ob3")


def test_a_tampered_vc_jwt(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["bob"]]
    jwt = award.credential_jwt
    assert _check(site, award, credential_jwt=_flip(jwt, len(jwt) - 10)) == [
        f"{award.source.path}:1:1: error: ob3_jwt: VC-JWT refusé : signature RS256 refusée par la clé"
    ]
    assert _check(site, award, credential_jwt=jwt.rsplit(".", 1)[0]) == [
        f"{award.source.path}:1:1: error: ob3_jwt: VC-JWT refusé : "
        "un JWS compact a trois parties en base64url séparées par des points"
    ]


def test_a_tampered_jws(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["chloe"]]
    jws = award.ob2_jws
    assert _check(site, award, ob2_jws=_flip(jws, len(jws) - 10)) == [
        f"{award.source.path}:1:1: error: ob2_jws: assertion Open Badges 2.0 signée refusée : "
        "signature RS256 refusée par la clé"
    ]


def test_the_signed_forms_of_another_award(awarded_repo: AwardedRepo, site: Site) -> None:
    awa, bob = site.awards[awarded_repo.ids["awa"]], site.awards[awarded_repo.ids["bob"]]
    where = f"{awa.source.path}:1:1: error:"
    assert _check(site, awa, ob2_jws=bob.ob2_jws) == [
        f"{where} ob2_jws: recipient.identity diffère du credential 3.0",
        f"{where} ob2_jws: recipient.salt diffère du credential 3.0",
    ]
    assert _check(site, awa, credential_jwt=bob.credential_jwt) == [
        f"{where} ob3_jwt: le VC-JWT ne contient pas le même credential que ob3"
    ]
    chloe = site.awards[awarded_repo.ids["chloe"]]
    assert _check(site, awa, ob2_jws=chloe.ob2_jws) == [
        f"{where} ob2_jws: badge diffère du credential 3.0",
        f"{where} ob2_jws: expires diffère du credential 3.0",
        f"{where} ob2_jws: recipient.identity diffère du credential 3.0",
        f"{where} ob2_jws: recipient.salt diffère du credential 3.0",
    ]


def test_keys_missing_from_the_profile(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["awa"]]
    issuer = dataclasses.replace(site.issuers["atelier-test"], keys=())
    issuers = MappingProxyType({**site.issuers, "atelier-test": issuer})
    stripped = dataclasses.replace(site, issuers=issuers)
    where = f"{award.source.path}:1:1: error:"
    keys = awarded_repo.keys
    assert format_text(verification.verify_award(stripped, award)).splitlines() == [
        f"{where} ob3.proof: signature Data Integrity refusée : "
        f"clé Ed25519 « {keys.ed25519_id} » absente du profil de atelier-test",
        f"{where} ob3_jwt: VC-JWT refusé : clé RSA « {keys.rsa_id} » absente du profil de atelier-test",
        f"{where} ob2_jws: assertion Open Badges 2.0 signée refusée : "
        f"clé RSA « {keys.rsa_id} » absente du profil de atelier-test",
    ]


def test_a_proof_naming_a_key_of_another_issuer(awarded_repo: AwardedRepo, site: Site) -> None:
    award = site.awards[awarded_repo.ids["awa"]]
    credential = json.loads(json.dumps(award.credential))
    method = f"did:web:badges.example.org:test:issuers:autre#{awarded_repo.keys.ed25519_id}"
    credential["proof"]["verificationMethod"] = method
    assert _check(site, award, credential=credential) == [
        f"{award.source.path}:1:1: error: ob3.proof: signature Data Integrity refusée : "
        f"méthode de vérification « {method} » étrangère à atelier-test"
    ]


def test_a_broken_record_is_reported_by_the_pipeline(awarded_repo: AwardedRepo) -> None:
    from build_tools.pipeline import load_site

    path = awarded_repo.record("bob")
    record = json.loads(path.read_text(encoding="utf-8"))
    record["ob2_jws"] = _flip(record["ob2_jws"], len(record["ob2_jws"]) - 5)
    path.write_text(json.dumps(record), encoding="utf-8")
    loaded, report = load_site(awarded_repo.root)
    assert loaded is None
    assert [(d.path, d.field) for d in report.errors] == [
        (f"issuers/atelier-test/assertions/{awarded_repo.ids['bob']}.json", "ob2_jws")
    ]


def test_two_processes_report_exactly_what_one_does(awarded_repo: AwardedRepo) -> None:
    import dataclasses
    from types import MappingProxyType

    site = awarded_repo.site()
    # Many copies of the three awards (same records, new ids), two of them tampered.
    awards = {}
    for index in range(240):
        for award in site.awards.values():
            key = f"{award.id[:-3]}{index:03d}"
            copy = dataclasses.replace(award, id=key)
            if index in (7, 150) and award.badge == "telephone":
                credential = json.loads(json.dumps(award.credential))
                credential["validFrom"] = "2026-01-11T09:00:00Z"
                copy = with_forms(copy, credential=credential)
            awards[key] = copy
    big = dataclasses.replace(site, awards=MappingProxyType(awards))
    one = verification.verify_all(big, workers=1)
    two = verification.verify_all(big, workers=2)
    assert one == two
    assert len([d for d in one if d.field == "ob3.proof"]) == 4


def test_awards_checked_in_batches_report_what_each_checked_alone_does(
    awarded_repo: AwardedRepo,
) -> None:
    site = awarded_repo.site()
    awa, bob = site.awards[awarded_repo.ids["awa"]], site.awards[awarded_repo.ids["bob"]]
    # Copies of the three awards spread over more than two batches, each kind of signature
    # broken in some: the batch checks every proof, then every VC-JWT, then every 2.0 JWS.
    awards = {}
    for index in range(50):
        for award in site.awards.values():
            key = f"{award.id[:-3]}{index:03d}"
            copy = dataclasses.replace(award, id=key)
            if index % 7 == 3:
                credential = json.loads(json.dumps(award.credential))
                credential["proof"]["proofValue"] = _flip(credential["proof"]["proofValue"], 20)
                copy = with_forms(copy, credential=credential)
            elif index % 11 == 5:
                copy = with_forms(copy, credential_jwt=_flip(award.credential_jwt, 30))
            elif index % 13 == 6 and award.id != bob.id:
                copy = with_forms(copy, ob2_jws=bob.ob2_jws)
            elif index == 40 and award.id == awa.id:
                credential = json.loads(json.dumps(award.credential))
                credential["credentialSubject"]["achievement"]["name"] = "Autre badge"
                copy = with_forms(copy, credential=credential)
            awards[key] = copy
    big = dataclasses.replace(site, awards=MappingProxyType(awards))
    assert len(awards) > 2 * verification._BATCH
    each = {key: verification.verify_award(big, award) for key, award in awards.items()}
    # Award by award (the copies share one record path, so only the grouping tells them apart).
    assert verification._verify_chunk(big, list(awards)) == list(each.items())
    assert verification.verify_all(big, workers=1) == [d for key in awards for d in each[key]]
    assert {d.field for found in each.values() for d in found} == {
        "ob3.proof",
        "ob3_jwt",
        "ob2_jws",
    }
    # The award whose credential was edited: its proof, then its VC-JWT, in that order.
    assert [d.field for d in each[f"{awa.id[:-3]}040"]] == ["ob3.proof", "ob3_jwt"]


def test_the_forms_compare_as_json_values() -> None:
    from build_tools.verification import _canonical

    assert _canonical({"a": 1, "b": [True, None]}) == _canonical({"b": [True, None], "a": 1})
    assert _canonical({"a": 1}) != _canonical({"a": 1.0})
    assert _canonical({"a": 1}) != _canonical({"a": True})
    assert _canonical({"a": "é"}) != _canonical({"a": "e"})
    big, surrogate = {"n": 2**70, "s": "x"}, {"s": "\ud800"}
    assert _canonical(big) == _canonical(dict(reversed(big.items())))
    assert _canonical(big) != _canonical({"n": 2**70 + 1, "s": "x"})
    assert _canonical(surrogate) == _canonical({"s": "\ud800"}) != _canonical({"s": "\ud801"})
