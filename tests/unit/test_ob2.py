"""Tests of build_tools.ob2: the Open Badges 2.0 documents and their terms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from build_tools import keys, ob2, ob3
from build_tools.jsonld_loader import OfflineDocumentLoader, expand_safely
from build_tools.model import Site
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

S = "https://badges.example.org/test/"
HASH = "sha256$7590255b4e5b1c0f650b92550d88e37096dba42f92e90c1a6cf597697b2502de"
ID = "abcdefghijklmnopqrstuvwxyz"
UUID = "5b5e8e2c-1f55-4c53-9bd1-8e1f3f0e7b2a"


@pytest.fixture
def site(minimal_repo: Path) -> Site:
    loaded, _ = load_site(minimal_repo)
    assert loaded is not None
    return loaded


def _assertion(site: Site, badge: str, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "assertion_id": ID,
        "identity_hash": HASH,
        "salt": "abc",
        "issued_on": "2026-01-10T09:00:00Z",
        "expires": None,
        "evidence": [],
        "narrative": None,
    }
    arguments.update(changes)
    return ob2.assertion(site, site.issuers["atelier-test"], site.badges[badge], **arguments)


def _expand(document: dict[str, Any]) -> None:
    expand_safely(document, OfflineDocumentLoader())


def test_hosted_assertion(site: Site) -> None:
    document = _assertion(site, "telephone")
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{S}a/{ID}.json",
        "recipient": {"type": "email", "hashed": True, "salt": "abc", "identity": HASH},
        "badge": f"{S}badges/telephone/v1.0/atelier-test/badgeclass.json",
        "issuedOn": "2026-01-10T09:00:00Z",
        "image": f"{S}a/{ID}.png",
        "verification": {"type": "HostedBadge"},
    }
    _expand(document)


def test_signed_assertion_with_every_option(site: Site) -> None:
    document = _assertion(
        site,
        "telephone",
        expires="2028-01-10T09:00:00Z",
        evidence=[
            {"url": "https://example.org/preuve", "narrative": "Vidéo."},
            {"narrative": "Vu."},
        ],
        narrative="A passé un appel.",
        signed_uuid=UUID,
        signing_key="rsa-2026-01-10",
    )
    assert document["id"] == f"urn:uuid:{UUID}"
    assert document["verification"] == {
        "type": "SignedBadge",
        "creator": f"{S}issuers/atelier-test/keys/rsa-2026-01-10.json",
    }
    assert document["expires"] == "2028-01-10T09:00:00Z"
    assert document["evidence"] == [
        {"id": "https://example.org/preuve", "narrative": "Vidéo."},
        {"narrative": "Vu."},
    ]
    assert document["narrative"] == "A passé un appel."
    _expand(document)


def test_the_image_of_an_assertion_is_one_that_is_published(site: Site) -> None:
    # An SVG badge is baked only as SVG: its assertion must not point to a PNG.
    assert _assertion(site, "accueillir-1")["image"] == f"{S}a/{ID}.svg"
    assert _assertion(site, "telephone")["image"] == f"{S}a/{ID}.png"


def test_issuer_profile_lists_rsa_keys(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    document = ob2.issuer_profile(site, site.issuers["atelier-test"])
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{S}issuers/atelier-test/profile.json",
        "name": "Atelier de test",
        "url": "https://atelier.example.org/",
        "email": "contact@atelier.example.org",
        "description": "Un atelier fictif qui délivre des badges de test.",
        "revocationList": f"{S}issuers/atelier-test/revocations.json",
        "publicKey": [f"{S}issuers/atelier-test/keys/{awarded_repo.keys.rsa_id}.json"],
        "image": f"{S}issuers/atelier-test/logo.png",
    }
    _expand(document)


def test_network_profile_names_no_revocation_list(site: Site) -> None:
    # A network awards nothing in its own name, and no revocation list is published for it.
    document = ob2.issuer_profile(site, site.issuers["reseau-test"])
    assert "revocationList" not in document
    assert "publicKey" not in document
    assert document["id"] == f"{S}issuers/reseau-test/profile.json"


def test_cryptographic_key(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    issuer = site.issuers["atelier-test"]
    (rsa_key,) = [k for k in issuer.keys if k.type == "RSA"]
    assert rsa_key.public_key_jwk is not None
    pem = keys.public_key_to_pem(keys.rsa_public_key_from_jwk(rsa_key.public_key_jwk))
    document = ob2.cryptographic_key(site, issuer, rsa_key.id, pem)
    assert document["id"] == f"{S}issuers/atelier-test/keys/{rsa_key.id}.json"
    assert document["owner"] == f"{S}issuers/atelier-test/profile.json"
    assert keys.rsa_public_key_to_jwk(keys.rsa_public_key_from_pem(document["publicKeyPem"])) == (
        dict(rsa_key.public_key_jwk)
    )
    _expand(document)


def test_badge_class_is_derived_from_the_achievement(site: Site) -> None:
    achievement = ob3.achievement(site, site.badges["telephone"])
    path = ob2.badge_class_path("telephone", "1.0", "atelier-test")
    document = ob2.badge_class_from_achievement(
        site, achievement, site.issuers["atelier-test"], path
    )
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"{S}badges/telephone/v1.0/atelier-test/badgeclass.json",
        "name": "Utiliser un téléphone portable",
        "description": "Reconnaît les premiers usages du téléphone portable.",
        "image": f"{S}badges/telephone/image.png",
        "criteria": achievement["criteria"],
        "issuer": f"{S}issuers/atelier-test/profile.json",
        "tags": ["numérique", "téléphone"],
        "alignment": [
            {
                "targetName": "Utiliser un smartphone",
                "targetUrl": "https://example.org/referentiel/smartphone",
                "targetFramework": "Référentiel régional",
                "targetCode": "NUM-01",
            }
        ],
    }
    _expand(document)


def test_revocation_list(site: Site) -> None:
    document = ob2.revocation_list(
        site,
        site.issuers["atelier-test"],
        [(f"{S}a/{ID}.json", "Erreur"), (f"urn:uuid:{UUID}", "Erreur")],
    )
    assert document["id"] == f"{S}issuers/atelier-test/revocations.json"
    assert document["issuer"] == f"{S}issuers/atelier-test/profile.json"
    assert document["revokedAssertions"] == [
        {"id": f"{S}a/{ID}.json", "revocationReason": "Erreur"},
        {"id": f"urn:uuid:{UUID}", "revocationReason": "Erreur"},
    ]
    _expand(document)
