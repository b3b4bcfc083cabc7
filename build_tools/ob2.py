"""Open Badges 2.0 documents: Issuer, BadgeClass, Assertion, CryptographicKey, RevocationList.

An award is published twice in 2.0: as a hosted assertion (its id is the URL it is served from,
and revocation is shown in the document itself, since a static host cannot answer 410) and as a
signed assertion (a JWS whose payload carries a ``urn:uuid`` id and names the signing key).
"""

from __future__ import annotations

from typing import Any

from build_tools import markup
from build_tools.model import BadgeClass, Issuer, Site
from build_tools.urls import Urls

OB_V2 = "https://w3id.org/openbadges/v2"


def issuer_profile(site: Site, issuer: Issuer) -> dict[str, Any]:
    urls = Urls(site.settings.site_url)
    document: dict[str, Any] = {
        "@context": OB_V2,
        "type": "Issuer",
        "id": urls.absolute(urls.ob2_profile(issuer.slug)),
        "name": issuer.name.fr,
        "url": issuer.url,
        "email": issuer.email,
        "description": markup.plain(issuer.description.fr),
    }
    if not issuer.is_network:
        # A network awards nothing in its own name: no revocation list is published for it.
        document["revocationList"] = urls.absolute(urls.ob2_revocations(issuer.slug))
    keys = [
        urls.absolute(urls.ob2_key(issuer.slug, k.id))
        for k in issuer.keys
        if k.type == "RSA" and not k.compromised
    ]
    if keys:
        document["publicKey"] = keys
    if issuer.logo is not None:
        document["image"] = urls.absolute(urls.issuer_logo(issuer.slug, issuer.logo.suffix.lower()))
    return document


def cryptographic_key(
    site: Site, issuer: Issuer, key_id: str, public_key_pem: str
) -> dict[str, Any]:
    urls = Urls(site.settings.site_url)
    return {
        "@context": OB_V2,
        "type": "CryptographicKey",
        "id": urls.absolute(urls.ob2_key(issuer.slug, key_id)),
        "owner": urls.absolute(urls.ob2_profile(issuer.slug)),
        "publicKeyPem": public_key_pem,
    }


def badge_class_from_achievement(
    site: Site, achievement: dict[str, Any], issuer: Issuer, path: str
) -> dict[str, Any]:
    """The 2.0 BadgeClass of one version of a badge, as awarded by ``issuer``.

    It is derived from the 3.0 Achievement of that version (the one embedded in the credentials
    issued under it), so both formats describe the same frozen criteria. A badge shared by a
    network is awarded by each member in its own name, and a 2.0 BadgeClass names one issuer,
    so there is one BadgeClass per awarding issuer.
    """
    urls = Urls(site.settings.site_url)
    document: dict[str, Any] = {
        "@context": OB_V2,
        "type": "BadgeClass",
        "id": urls.absolute(path),
        "name": achievement["name"],
        "description": achievement["description"],
        "image": achievement["image"]["id"],
        "criteria": {
            "id": achievement["criteria"]["id"],
            "narrative": achievement["criteria"]["narrative"],
        },
        "issuer": urls.absolute(urls.ob2_profile(issuer.slug)),
    }
    if achievement.get("tag"):
        document["tags"] = list(achievement["tag"])
    if achievement.get("alignment"):
        document["alignment"] = [
            {k: v for k, v in a.items() if k != "type"} for a in achievement["alignment"]
        ]
    return document


def badge_class_path(badge: str, version: str, issuer: str) -> str:
    """Site path of the 2.0 BadgeClass of a badge version awarded by ``issuer``."""
    return Urls.ob2_badgeclass(badge, version, issuer)


def assertion(
    site: Site,
    issuer: Issuer,
    badge: BadgeClass,
    *,
    assertion_id: str,
    identity_hash: str,
    salt: str,
    issued_on: str,
    expires: str | None,
    evidence: list[dict[str, str]],
    narrative: str | None,
    signed_uuid: str | None = None,
    signing_key: str | None = None,
) -> dict[str, Any]:
    """A 2.0 Assertion: hosted by default; signed when ``signed_uuid`` and ``signing_key`` are set."""
    urls = Urls(site.settings.site_url)
    document: dict[str, Any] = {
        "@context": OB_V2,
        "type": "Assertion",
        "id": f"urn:uuid:{signed_uuid}"
        if signed_uuid
        else urls.absolute(urls.assertion_file(assertion_id, "json")),
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": identity_hash},
        "badge": urls.absolute(badge_class_path(badge.slug, badge.version, issuer.slug)),
        "issuedOn": issued_on,
        # The baked image in the badge's own format: an SVG badge is not baked as PNG.
        "image": urls.absolute(urls.assertion_file(assertion_id, badge.image_format)),
    }
    if signed_uuid and signing_key:
        document["verification"] = {
            "type": "SignedBadge",
            "creator": urls.absolute(urls.ob2_key(issuer.slug, signing_key)),
        }
    else:
        document["verification"] = {"type": "HostedBadge"}
    if expires:
        document["expires"] = expires
    if evidence:
        document["evidence"] = [
            {
                **({"id": e["url"]} if e.get("url") else {}),
                **({"narrative": e["narrative"]} if e.get("narrative") else {}),
            }
            for e in evidence
        ]
    if narrative:
        document["narrative"] = narrative
    return document


def revocation_list(site: Site, issuer: Issuer, revoked: list[tuple[str, str]]) -> dict[str, Any]:
    """The issuer's RevocationList: ``revoked`` holds (assertion id, reason) pairs."""
    urls = Urls(site.settings.site_url)
    return {
        "@context": OB_V2,
        "type": "RevocationList",
        "id": urls.absolute(urls.ob2_revocations(issuer.slug)),
        "issuer": urls.absolute(urls.ob2_profile(issuer.slug)),
        "revokedAssertions": [{"id": i, "revocationReason": reason} for i, reason in revoked],
    }
