"""Tests of build_tools.ob3: the Open Badges 3.0 documents, their contexts and their terms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from build_tools import keygen, ob3
from build_tools.jsonld_loader import (
    OfflineDocumentLoader,
    UndefinedTermError,
    canonicalize,
    expand_safely,
)
from build_tools.model import Site
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

S = "https://badges.example.org/test/"
DID = "did:web:badges.example.org:test:issuers:atelier-test"
HASH = "sha256$7590255b4e5b1c0f650b92550d88e37096dba42f92e90c1a6cf597697b2502de"
ID = "abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def site(minimal_repo: Path) -> Site:
    loaded, _ = load_site(minimal_repo)
    assert loaded is not None
    return loaded


def _credential(site: Site, badge: str, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "assertion_id": ID,
        "subject_id": "urn:uuid:5b5e8e2c-1f55-4c53-9bd1-8e1f3f0e7b2a",
        "identity_hash": HASH,
        "salt": "abc",
        "valid_from": "2026-01-10T09:00:00Z",
        "valid_until": None,
        "evidence": [],
        "narrative": None,
    }
    arguments.update(changes)
    return ob3.credential(site, site.issuers["atelier-test"], site.badges[badge], **arguments)


def test_contexts_are_vc_2_then_ob_3_0_3_then_extensions() -> None:
    assert ob3.CREDENTIAL_CONTEXT == (
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    )


def test_credential_shape(site: Site) -> None:
    document = _credential(site, "telephone")
    assert document["@context"] == list(ob3.CREDENTIAL_CONTEXT)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == f"{S}a/{ID}.vc.json"
    assert document["issuer"]["id"] == DID
    assert document["issuer"]["image"] == {
        "id": f"{S}issuers/atelier-test/logo.png",
        "type": "Image",
    }
    assert document["credentialStatus"] == {
        "id": f"{S}issuers/atelier-test/status.json",
        "type": "1EdTechRevocationList",
    }
    assert document["credentialSchema"] == [
        {"id": ob3.CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    subject = document["credentialSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": HASH,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "abc",
        }
    ]
    assert "validUntil" not in document and "evidence" not in document
    assert "narrative" not in subject
    # The address itself appears nowhere.
    assert "@example.org" not in json.dumps(subject)


def test_credential_options(site: Site) -> None:
    document = _credential(
        site,
        "telephone",
        valid_until="2028-01-10T09:00:00Z",
        evidence=[{"url": "https://example.org/preuve"}, {"narrative": "Observée en atelier."}],
        narrative="A passé un appel seule.",
    )
    assert document["validUntil"] == "2028-01-10T09:00:00Z"
    assert document["evidence"] == [
        {"id": "https://example.org/preuve", "type": ["Evidence"]},
        {"type": ["Evidence"], "narrative": "Observée en atelier."},
    ]
    assert document["credentialSubject"]["narrative"] == "A passé un appel seule."


@pytest.mark.parametrize("badge", ["telephone", "accueillir-1"])
def test_every_term_of_a_full_credential_is_defined(site: Site, badge: str) -> None:
    document = _credential(
        site,
        badge,
        valid_until="2028-01-10T09:00:00Z",
        evidence=[{"url": "https://example.org/preuve", "narrative": "Vidéo."}],
        narrative="Texte.",
    )
    loader = OfflineDocumentLoader()
    expand_safely(document, loader)
    assert f"<{S}a/{ID}.vc.json>" in canonicalize(document, loader)


def test_the_term_check_does_fail_on_an_undefined_term(site: Site) -> None:
    document = _credential(site, "telephone")
    document["credentialSubject"]["achievement"]["niveau"] = 2
    with pytest.raises(UndefinedTermError, match="niveau"):
        expand_safely(document, OfflineDocumentLoader())


def test_every_term_of_a_signed_record_is_defined(awarded_repo: AwardedRepo) -> None:
    record = json.loads(awarded_repo.record("awa").read_text(encoding="utf-8"))
    expand_safely(record["ob3"], OfflineDocumentLoader())
    assert record["ob3"]["@context"] == list(ob3.CREDENTIAL_CONTEXT)


def test_achievement(site: Site) -> None:
    document = ob3.achievement(site, site.badges["telephone"])
    assert document["id"] == f"{S}badges/telephone/v1.0/achievement.json"
    assert document["achievementType"] == "Competency"
    assert document["version"] == "1.0"
    assert document["description"] == "Reconnaît les premiers usages du téléphone portable."
    assert document["criteria"] == {
        "id": f"{S}badges/telephone.html",
        "narrative": "La personne réalise seule les tâches ci-dessous.\n\n"
        "1. Allumer et déverrouiller le téléphone\n2. Passer un appel\n3. Envoyer un SMS",
    }
    assert document["image"]["id"] == f"{S}badges/telephone/image.png"
    assert document["tag"] == ["numérique", "téléphone"]
    assert document["alignment"] == [
        {
            "type": ["Alignment"],
            "targetName": "Utiliser un smartphone",
            "targetUrl": "https://example.org/referentiel/smartphone",
            "targetFramework": "Référentiel régional",
            "targetCode": "NUM-01",
        }
    ]
    assert "humanCode" not in document


def test_achievement_of_a_level(site: Site) -> None:
    document = ob3.achievement(site, site.badges["accueillir-2"])
    assert document["humanCode"] == "accueillir-2"
    assert document["image"]["id"] == f"{S}badges/accueillir-2/image.svg"
    assert "tag" not in document and "alignment" not in document
    assert document["criteria"]["narrative"] == (
        "La personne accueille un public lors d'un événement (niveau 2)."
    )


def test_did_document_lists_keys_and_drops_a_compromised_one_from_assertion_method(
    awarded_repo: AwardedRepo,
) -> None:
    first = awarded_repo.keys
    later = keygen.generate(
        awarded_repo.root,
        "atelier-test",
        passphrase=None,
        key_dir=awarded_repo.key_dir,
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )
    keygen.mark_compromised(
        awarded_repo.root, "atelier-test", first.ed25519_id, datetime(2026, 2, 1, tzinfo=UTC)
    )
    site = awarded_repo.site()
    document = ob3.did_document(site, site.issuers["atelier-test"])
    old, new = f"{DID}#{first.ed25519_id}", f"{DID}#{later.ed25519_id}"
    assert document["id"] == DID
    assert document["@context"] == [ob3.DID_V1, ob3.MULTIKEY_V1]
    assert [m["id"] for m in document["verificationMethod"]] == [old, new]
    assert document["verificationMethod"][0]["revoked"] == "2026-02-01T00:00:00Z"
    assert all(m["type"] == "Multikey" for m in document["verificationMethod"])
    assert all(m["controller"] == DID for m in document["verificationMethod"])
    assert document["assertionMethod"] == [new]
    expand_safely(document, OfflineDocumentLoader())


def test_revocation_list(site: Site) -> None:
    document = ob3.revocation_list(
        site, site.issuers["atelier-test"], [(f"{S}a/{ID}.vc.json", "Erreur de saisie")]
    )
    assert document == {
        "id": f"{S}issuers/atelier-test/status.json",
        "issuer": DID,
        "revokedCredentials": [
            {"id": f"{S}a/{ID}.vc.json", "revoked": True, "revocationReason": "Erreur de saisie"}
        ],
    }
