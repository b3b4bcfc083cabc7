"""Proof that the conformance harness can pass and can fail.

The credentials here are signed by the external libraries themselves (Digital Bazaar's vc and
eddsa-rdfc-2022, jose) or written by hand (Open Badges 2.0), served over TLS on 127.0.0.1 with a
throw-away CA, and checked by the external verifiers: each good document must verify, and each
document with one defect (a changed field, a wrong key, a revoked entry, an expired date, an
untrusted certificate, a wrong recipient) must not.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.support import verifiers
from tests.support.static_server import StaticServer
from tests.support.tls import TestPKI, make_test_pki

pytestmark = pytest.mark.conformance

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # 1EdTechRevocationList is defined here, not in the Open Badges context itself.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
ISSUER = "atelier-blois"
EMAIL = "camille.martin@example.org"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def site(tmp_path: Path, pki: TestPKI) -> Iterator[StaticServer]:
    root = tmp_path / "site"
    root.mkdir()
    with StaticServer(root, pki=pki) as server:
        yield server


@pytest.fixture
def node_verifiers() -> None:
    verifiers.require_node_verifiers()


@pytest.fixture
def ob2_validator() -> None:
    verifiers.require_ob2_validator()


def publish(server: StaticServer, path: str, content: Any) -> str:
    """Write `content` (JSON, text or bytes) at `path` of the served site; return its URL."""
    target = server.directory / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    elif isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    return server.url(path)


def did_web(server: StaticServer, issuer: str = ISSUER) -> str:
    segments = [s for s in server.prefix.split("/") if s]
    return ":".join(["did:web", f"{server.host}%3A{server.port}", *segments, "issuers", issuer])


def ob3_credential(
    server: StaticServer, assertion_id: str, *, issuer_id: str, valid_until: str | None = None
) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": OB3_CONTEXTS,
        "id": server.url(f"a/{assertion_id}.vc.json"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": "Atelier de Blois"},
        "validFrom": "2024-03-01T09:00:00Z",
        "name": "Soudure à l'arc",
        "credentialSubject": {
            "id": f"mailto:{EMAIL}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": server.url("badges/soudure/v1/achievement.json"),
                "type": ["Achievement"],
                "name": "Soudure à l'arc",
                "description": "Réaliser une soudure à l'arc conforme.",
                "criteria": {"narrative": "Une soudure d'angle validée par un formateur."},
            },
        },
        "credentialStatus": {
            "id": server.url(f"issuers/{ISSUER}/status.json"),
            "type": "1EdTechRevocationList",
        },
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    return credential


def publish_status(server: StaticServer, issuer_id: str, revoked: list[str]) -> None:
    publish(
        server,
        f"issuers/{ISSUER}/status.json",
        {
            "id": server.url(f"issuers/{ISSUER}/status.json"),
            "issuer": issuer_id,
            "revokedCredentials": [{"id": item, "revocationReason": "Erreur"} for item in revoked],
        },
    )


def signed_vc(
    server: StaticServer, work: Path, assertion_id: str, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign an Open Badges 3.0 credential with a fresh key; publish its DID document."""
    did = did_web(server)
    credential = ob3_credential(server, assertion_id, issuer_id=did, **options)
    signed, did_document = verifiers.sign_di_fixture(
        credential, did=did, key="key-1", out_dir=work / assertion_id
    )
    publish(server, f"issuers/{ISSUER}/did.json", did_document)
    return signed, did_document


# Open Badges 3.0, Data Integrity proof (verify-vc.mjs).


@pytest.mark.parametrize("prefix", ["/", "/cvl/"])
def test_vc_signed_by_the_library_verifies(
    node_verifiers: None, tmp_path: Path, pki: TestPKI, prefix: str
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    with StaticServer(root, pki=pki, prefix=prefix) as server:
        signed, _ = signed_vc(server, tmp_path / "work", "aaaa")
        publish_status(server, did_web(server), revoked=["https://example.org/other"])
        url = publish(server, "a/aaaa.vc.json", signed)
        local = tmp_path / "aaaa.vc.json"
        local.write_text(json.dumps(signed), encoding="utf-8")

        results = verifiers.verify_vc([url, local], ca_cert=pki.ca_cert)

        assert [r.verified for r in results] == [True, True], verifiers.explain(results)
        first = results[0].raw
        assert first["issuer"] == did_web(server)
        assert first["didDocuments"] == [server.url(f"issuers/{ISSUER}/did.json")]
        assert first["status"][0]["checked"] is True
        assert first["status"][0]["revoked"] is False


def test_vc_with_a_changed_field_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    signed, _ = signed_vc(site, tmp_path, "bbbb")
    publish_status(site, did_web(site), revoked=[])
    signed["credentialSubject"]["achievement"]["name"] = "Soudure TIG"
    url = publish(site, "a/bbbb.vc.json", signed)

    [result] = verifiers.verify_vc([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert "Invalid signature." in result.errors


def test_vc_revoked_in_the_status_list_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    signed, _ = signed_vc(site, tmp_path, "cccc")
    publish_status(site, did_web(site), revoked=[signed["id"]])
    url = publish(site, "a/cccc.vc.json", signed)

    [result] = verifiers.verify_vc([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert result.raw["status"][0]["revoked"] is True
    assert any("is revoked (Erreur)" in error for error in result.errors), result.errors


def test_vc_past_valid_until_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    signed, _ = signed_vc(site, tmp_path, "dddd", valid_until="2025-03-01T09:00:00Z")
    publish_status(site, did_web(site), revoked=[])
    url = publish(site, "a/dddd.vc.json", signed)
    before = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    after = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)

    [valid] = verifiers.verify_vc([url], ca_cert=pki.ca_cert, now=before)
    [expired] = verifiers.verify_vc([url], ca_cert=pki.ca_cert, now=after)

    assert valid.verified, verifiers.explain([valid])
    assert not expired.verified
    assert any('"validUntil"' in error for error in expired.errors), expired.errors


def test_vc_key_missing_from_the_issuers_did_document_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    signed, _ = signed_vc(site, tmp_path, "eeee")
    publish_status(site, did_web(site), revoked=[])
    # Another signing replaces the published DID document with a different key under the same
    # identifier: the first credential's key is no longer the issuer's.
    signed_vc(site, tmp_path, "ffff")
    url = publish(site, "a/eeee.vc.json", signed)

    [result] = verifiers.verify_vc([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert "Invalid signature." in result.errors


def test_vc_over_an_untrusted_certificate_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path
) -> None:
    signed, _ = signed_vc(site, tmp_path, "gggg")
    publish_status(site, did_web(site), revoked=[])
    url = publish(site, "a/gggg.vc.json", signed)

    [result] = verifiers.verify_vc([url], ca_cert=None)

    assert not result.verified
    assert any("Could not fetch" in error for error in result.errors), result.errors


def test_vc_verifier_refuses_hosts_other_than_loopback(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    did = "did:web:badges.example.org:issuers:atelier-blois"
    credential = ob3_credential(site, "hhhh", issuer_id=did)
    signed, _ = verifiers.sign_di_fixture(credential, did=did, key="key-1", out_dir=tmp_path)
    url = publish(site, "a/hhhh.vc.json", signed)

    [result] = verifiers.verify_vc([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert any("only loopback hosts are allowed" in error for error in result.errors)


# Open Badges 3.0, VC-JWT (verify-jwt.mjs).


def signed_jwt(server: StaticServer, work: Path, assertion_id: str) -> tuple[str, str]:
    """Sign a VC-JWT with a fresh key whose kid points into the issuer's JWK Set."""
    credential = ob3_credential(server, assertion_id, issuer_id=did_web(server))
    kid = server.url(f"issuers/{ISSUER}/jwks.json#key-1")
    token, jwk = verifiers.sign_jwt_fixture(credential, kid=kid, out_dir=work / assertion_id)
    return token, json.dumps({"keys": [jwk]})


def test_jwt_signed_by_jose_verifies(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    token, jwks = signed_jwt(site, tmp_path, "jjjj")
    publish(site, f"issuers/{ISSUER}/jwks.json", jwks)
    publish_status(site, did_web(site), revoked=[])
    url = publish(site, "a/jjjj.vc.jwt", token + "\n")

    [result] = verifiers.verify_jwt([url], ca_cert=pki.ca_cert)

    assert result.verified, verifiers.explain([result])
    assert result.raw["keySource"] == "kid (JWK Set)"
    assert result.raw["credentialId"] == site.url("a/jjjj.vc.json")
    assert result.warnings == ()


def test_jwt_signed_with_another_key_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    _, published_jwks = signed_jwt(site, tmp_path, "kkkk")
    token, _ = signed_jwt(site, tmp_path, "llll")
    publish(site, f"issuers/{ISSUER}/jwks.json", published_jwks)
    publish_status(site, did_web(site), revoked=[])
    url = publish(site, "a/llll.vc.jwt", token)

    [result] = verifiers.verify_jwt([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert result.errors == (
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed",
    )


def test_jwt_with_a_changed_payload_fails(
    node_verifiers: None, site: StaticServer, tmp_path: Path, pki: TestPKI
) -> None:
    token, jwks = signed_jwt(site, tmp_path, "mmmm")
    publish(site, f"issuers/{ISSUER}/jwks.json", jwks)
    publish_status(site, did_web(site), revoked=[])
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Soudure TIG"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    url = publish(site, "a/mmmm.vc.jwt", f"{header}.{forged}.{signature}")

    [result] = verifiers.verify_jwt([url], ca_cert=pki.ca_cert)

    assert not result.verified
    assert any("SIGNATURE_VERIFICATION_FAILED" in error for error in result.errors)


# Open Badges 2.0, the 1EdTech validator (ob2_validate.py).


def salted_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def publish_ob2_badge(server: StaticServer, *, public_key_pem: str | None = None) -> str:
    """Publish an issuer profile (with a key, if given) and a badge class; return its URL."""
    profile_url = server.url(f"issuers/{ISSUER}/profile.json")
    profile: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": profile_url,
        "name": "Atelier de Blois",
        "url": server.base_url,
        "email": "contact@example.org",
    }
    if public_key_pem is not None:
        key_url = server.url(f"issuers/{ISSUER}/keys/key-1.json")
        profile["publicKey"] = key_url
        key = {
            "@context": OB2_CONTEXT,
            "type": "CryptographicKey",
            "id": key_url,
            "owner": profile_url,
            "publicKeyPem": public_key_pem,
        }
        publish(server, f"issuers/{ISSUER}/keys/key-1.json", key)
    publish(server, f"issuers/{ISSUER}/profile.json", profile)
    image = server.directory / "badges/soudure/image.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", (64, 64), (20, 110, 190, 255)).save(image)
    badge = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": server.url("badges/soudure/v1/badgeclass.json"),
        "name": "Soudure à l'arc",
        "description": "Réaliser une soudure à l'arc conforme.",
        "image": server.url("badges/soudure/image.png"),
        "criteria": {"narrative": "Une soudure d'angle validée par un formateur."},
        "issuer": profile_url,
    }
    return publish(server, "badges/soudure/v1/badgeclass.json", badge)


def ob2_assertion(server: StaticServer, assertion_id: str, badge_url: str) -> dict[str, Any]:
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": server.url(f"a/{assertion_id}.json"),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "sel-de-guerande",
            "identity": salted_identity(EMAIL, "sel-de-guerande"),
        },
        "badge": badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": "2024-03-01T09:00:00+00:00",
    }


def test_ob2_hosted_assertion_is_valid_for_its_recipient(
    ob2_validator: None, site: StaticServer, pki: TestPKI
) -> None:
    badge_url = publish_ob2_badge(site)
    url = publish(site, "a/nnnn.json", ob2_assertion(site, "nnnn", badge_url))

    report = verifiers.validate_ob2(url, ca_cert=pki.ca_cert, recipient_email=EMAIL)

    assert report.valid, verifiers.explain(report)
    assert report.raw["openBadgesVersion"] == "2.0"
    assert "GET /badges/soudure/image.png 200" in site.requests
    assert all(
        url.startswith(site.origin) or url == OB2_CONTEXT for url in report.raw["requested"]
    ), report.raw["requested"]


def test_ob2_hosted_assertion_for_another_recipient_is_invalid(
    ob2_validator: None, site: StaticServer, pki: TestPKI
) -> None:
    badge_url = publish_ob2_badge(site)
    url = publish(site, "a/oooo.json", ob2_assertion(site, "oooo", badge_url))

    report = verifiers.validate_ob2(url, ca_cert=pki.ca_cert, recipient_email="x@example.org")

    assert not report.valid
    assert any("did not match assertion" in error for error in report.errors), report.errors


def test_ob2_validator_ignores_revoked_on_hosted_assertions(
    ob2_validator: None, site: StaticServer, pki: TestPKI
) -> None:
    """openbadges 1.1.2 reports a hosted assertion marked `revoked: true` as valid.

    It checks revocation only for signed assertions (the issuer's RevocationList). The runner
    therefore reports the flag itself, read from the validator's graph: a conformance test of a
    revoked hosted assertion must assert `assertionRevoked`, not `valid`. This test fails if a
    later validator starts to check the flag, so that the tests relying on it can be revisited.
    """
    badge_url = publish_ob2_badge(site)
    revoked = ob2_assertion(site, "pppp", badge_url) | {"revoked": True}
    current = ob2_assertion(site, "pqpq", badge_url)
    revoked_url = publish(site, "a/pppp.json", revoked)
    current_url = publish(site, "a/pqpq.json", current)

    revoked_report = verifiers.validate_ob2(revoked_url, ca_cert=pki.ca_cert)
    current_report = verifiers.validate_ob2(current_url, ca_cert=pki.ca_cert)

    assert revoked_report.valid, verifiers.explain(revoked_report)
    assert revoked_report.raw["assertionRevoked"] is True
    assert current_report.raw["assertionRevoked"] is None


def test_ob2_validator_needs_the_test_ca(
    ob2_validator: None, site: StaticServer, pki: TestPKI
) -> None:
    badge_url = publish_ob2_badge(site)
    url = publish(site, "a/qqqq.json", ob2_assertion(site, "qqqq", badge_url))

    report = verifiers.validate_ob2(url, ca_cert=None)

    assert not report.valid


def compact_jws(payload: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """RS256 compact JWS, as Open Badges 2.0 signed assertions are."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"RS256"}') + "." + b64(json.dumps(payload).encode())
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def test_ob2_signed_assertion_is_valid_and_a_changed_one_is_not(
    ob2_validator: None, site: StaticServer, pki: TestPKI
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    badge_url = publish_ob2_badge(site, public_key_pem=pem.decode())
    assertion = ob2_assertion(site, "rrrr", badge_url)
    assertion["verification"] = {
        "type": "SignedBadge",
        "creator": site.url(f"issuers/{ISSUER}/keys/key-1.json"),
    }
    token = compact_jws(assertion, key)
    header, _, signature = token.split(".")
    changed = compact_jws(assertion | {"issuedOn": "2024-03-02T09:00:00+00:00"}, key)
    forged = ".".join([header, changed.split(".")[1], signature])

    good = verifiers.validate_ob2(token, ca_cert=pki.ca_cert, recipient_email=EMAIL, is_jws=True)
    bad = verifiers.validate_ob2(forged, ca_cert=pki.ca_cert, is_jws=True)

    assert good.valid, verifiers.explain(good)
    assert not bad.valid
    assert any("failed verification" in error for error in bad.errors), bad.errors


def test_ob2_baked_png_is_valid(
    ob2_validator: None, site: StaticServer, pki: TestPKI, tmp_path: Path
) -> None:
    badge_url = publish_ob2_badge(site)
    assertion = ob2_assertion(site, "ssss", badge_url)
    publish(site, "a/ssss.json", assertion)
    baked = tmp_path / "ssss.png"
    info = PngInfo()
    # Open Badges 2.0 baking: an uncompressed iTXt chunk with the keyword "openbadges".
    info.add_itxt("openbadges", json.dumps(assertion), zip=False)
    Image.new("RGBA", (64, 64), (20, 110, 190, 255)).save(baked, pnginfo=info)

    report = verifiers.validate_ob2(baked, ca_cert=pki.ca_cert, recipient_email=EMAIL)

    assert report.valid, verifiers.explain(report)


# The support code itself.


def test_static_server_sends_the_content_types_of_a_badgeons_site(
    site: StaticServer, pki: TestPKI
) -> None:
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    expected = {
        "a/x.json": "application/json",
        "a/x.vc.jwt": "application/jwt",
        "a/x.jws": "application/jose",
        "a/x.svg": "image/svg+xml",
        "a/x.png": "image/png",
        "a/x.html": "text/html; charset=utf-8",
    }
    for path in expected:
        publish(site, path, "x")
    for path, content_type in expected.items():
        with urllib.request.urlopen(site.url(path), context=context, timeout=10) as response:
            assert response.headers["Content-Type"] == content_type, path


def test_a_missing_verifier_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        verifiers.missing_verifier("nothing here")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="nothing here"):
        verifiers.missing_verifier("nothing here")
