"""Tests of build_tools.endorsing: what an endorser may sign, and what the signed forms say."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from build_tools import endorsing, issuing, keys, signing
from build_tools.urls import Urls
from tests.conftest import AwardedRepo
from tests.support.endorsers import COMMENT, ENDORSER, add_endorser, endorse, loaded


def _payload(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return value


@pytest.fixture
def repo(awarded_repo: AwardedRepo) -> AwardedRepo:
    add_endorser(awarded_repo.root, awarded_repo.key_dir)
    return awarded_repo


def test_a_badge_endorsement_in_every_format(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, badge="telephone")
    site = loaded(repo.root)
    urls = Urls(site.settings.site_url)
    record = json.loads(
        endorsing.record_path(repo.root, ENDORSER, signed.endorsement_id).read_text("utf-8")
    )
    assert record["format"] == "badgeons/endorsement/1"
    credential = record["ob3"]
    achievement = urls.absolute(urls.ob3_achievement("telephone", site.badges["telephone"].version))
    assert credential["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["id"] == urls.absolute(f"e/{signed.endorsement_id}.vc.json")
    assert credential["issuer"]["id"] == urls.did(ENDORSER)
    assert credential["credentialSubject"] == {
        "id": achievement,
        "type": ["EndorsementSubject"],
        "endorsementComment": COMMENT,
    }
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    jwt = _payload(record["ob3_jwt"])
    assert (jwt["iss"], jwt["sub"], jwt["jti"]) == (
        urls.did(ENDORSER),
        achievement,
        credential["id"],
    )
    ob2 = _payload(record["ob2_jws"])
    assert ob2["type"] == "Endorsement"
    assert ob2["claim"] == {"id": achievement, "endorsementComment": COMMENT}
    assert ob2["issuer"] == urls.absolute(f"issuers/{ENDORSER}/profile.json")
    assert ob2["verification"]["type"] == "SignedBadge"


def test_issuer_and_assertion_targets(repo: AwardedRepo) -> None:
    site = loaded(repo.root)
    urls = Urls(site.settings.site_url)
    issuer = endorsing.resolve_target(site, badge=None, issuer="atelier-test", assertion=None)
    assert (issuer.ob3_id, issuer.ob2_id) == (
        urls.did("atelier-test"),
        urls.absolute("issuers/atelier-test/profile.json"),
    )
    award = repo.ids["awa"]
    target = endorsing.resolve_target(site, badge=None, issuer=None, assertion=award)
    assert target.ob3_id == urls.absolute(f"a/{award}.vc.json")
    assert target.ob2_id == urls.absolute(f"a/{award}.json")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"badge": "inconnu"}, "badge inconnu « inconnu »"),
        (
            {"assertion": "aaaaaaaaaaaaaaaaaaaaaaaaaa"},
            "aucun badge délivré ne porte l'identifiant « aaaaaaaaaaaaaaaaaaaaaaaaaa »",
        ),
        ({"issuer": "personne"}, "émetteur inconnu « personne »"),
        ({"issuer": ENDORSER}, f"« {ENDORSER} » est un recommandeur : on recommande un émetteur"),
        ({}, "indiquez une seule cible : --badge, --issuer ou --assertion"),
        (
            {"badge": "telephone", "issuer": "atelier-test"},
            "indiquez une seule cible : --badge, --issuer ou --assertion",
        ),
    ],
)
def test_unknown_targets_are_refused(
    repo: AwardedRepo, given: dict[str, str], message: str
) -> None:
    site = loaded(repo.root)
    arguments: dict[str, str | None] = {"badge": None, "issuer": None, "assertion": None, **given}
    with pytest.raises(endorsing.EndorsingError) as caught:
        endorsing.resolve_target(site, **arguments)
    assert str(caught.value) == message


def test_only_an_endorser_endorses(repo: AwardedRepo) -> None:
    site = loaded(repo.root)
    with pytest.raises(endorsing.EndorsingError) as caught:
        endorsing.check_endorser(site, "atelier-test")
    assert "doit dire « type: endorser »" in str(caught.value)
    with pytest.raises(endorsing.EndorsingError):
        endorsing.check_endorser(site, "absent")


def test_a_too_short_comment_is_refused() -> None:
    with pytest.raises(endorsing.EndorsingError) as caught:
        endorsing.check_comment("  bien ")
    assert str(caught.value).startswith("le commentaire doit faire de 10 à 2000 caractères")
    with pytest.raises(endorsing.EndorsingError) as caught:
        endorsing.check_comment("Écrivez-moi à jean.dupont@example.org pour en parler.")
    assert str(caught.value) == "le commentaire est public : n'y mettez pas d'adresse e-mail"


def test_an_endorser_cannot_award_a_badge(repo: AwardedRepo) -> None:
    site = loaded(repo.root)
    with pytest.raises(issuing.IssuingError) as caught:
        issuing.check_allowed(site, ENDORSER, "telephone")
    assert str(caught.value) == (
        f"« {ENDORSER} » recommande des badges (type: endorser) : il ne peut pas en délivrer"
    )


def test_the_signed_forms_verify_with_the_endorser_keys(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, issuer="atelier-test")
    record = json.loads(signed.record)
    site = loaded(repo.root)
    key = site.issuers[ENDORSER].keys[0]
    assert key.public_key_multibase is not None
    public = keys.ed25519_public_key_from_multibase(key.public_key_multibase)
    unsigned = signing.verify_eddsa_rdfc_2022_proof(record["ob3"], lambda _method: public)
    assert unsigned["credentialSubject"]["id"] == Urls(site.settings.site_url).did("atelier-test")


def test_the_endorse_command(repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from build_tools.cli import main

    monkeypatch.setenv("BADGEONS_KEY_PASSPHRASE", "")
    arguments = ["endorse", "--endorser", ENDORSER, "--root", str(repo.root)]
    arguments += ["--key-dir", str(repo.key_dir), "--comment", COMMENT]
    result = CliRunner().invoke(main, [*arguments, "--badge", "telephone"])
    assert result.exit_code == 0, result.output
    assert "Recommandation signée (le badge « " in result.output
    assert len(list((repo.root / "issuers" / ENDORSER / "endorsements").glob("*.json"))) == 1
    refused = CliRunner().invoke(main, [*arguments, "--badge", "inconnu"])
    assert refused.exit_code == 1
    assert "badge inconnu « inconnu »" in refused.output
    assert len(list((repo.root / "issuers" / ENDORSER / "endorsements").glob("*.json"))) == 1
    assert loaded(repo.root).endorsements
