"""Open Badges 3.0 documents: Achievement, issuer Profile, OpenBadgeCredential, DID document.

Each function builds a plain JSON-LD document from the site model, without any proof; signing
is the job of :mod:`build_tools.signing`. Every term used here is defined by one of the contexts
the documents list (the VC 2.0 context has no ``@vocab``, so an undefined term would be dropped
silently by a Python JSON-LD processor and rejected by ``@digitalbazaar/vc``).
"""

from __future__ import annotations

from typing import Any

from build_tools import markup
from build_tools.model import BadgeClass, Issuer, Site
from build_tools.urls import Urls

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

#: The contexts of an OpenBadgeCredential, in the order the specification requires.
CREDENTIAL_CONTEXT = (VC_V2, OB_V3, OB_V3_EXTENSIONS)
CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def profile(site: Site, issuer: Issuer) -> dict[str, Any]:
    """The issuer's Profile as embedded in its credentials (identified by its did:web)."""
    urls = Urls(site.settings.site_url)
    document: dict[str, Any] = {
        "id": urls.did(issuer.slug),
        "type": ["Profile"],
        "name": issuer.name.fr,
        "url": issuer.url,
        "email": issuer.email,
        "description": markup.plain(issuer.description.fr),
    }
    if issuer.logo is not None:
        document["image"] = {
            "id": urls.absolute(urls.issuer_logo(issuer.slug, issuer.logo.suffix.lower())),
            "type": "Image",
        }
    return document


def achievement(site: Site, badge: BadgeClass) -> dict[str, Any]:
    """The badge class as an Achievement, frozen at its current version."""
    urls = Urls(site.settings.site_url)
    document: dict[str, Any] = {
        "id": urls.absolute(urls.ob3_achievement(badge.slug, badge.version)),
        "type": ["Achievement"],
        "achievementType": badge.achievement_type,
        "name": badge.name.fr,
        "description": markup.plain(badge.description.fr),
        "criteria": {
            "id": urls.absolute(urls.badge_page(badge.slug)),
            "narrative": _criteria_narrative(badge),
        },
        "image": {
            "id": urls.absolute(urls.badge_image(badge.slug, badge.image_format)),
            "type": "Image",
            "caption": badge.name.fr,
        },
        "inLanguage": "fr",
        "version": badge.version,
    }
    if badge.tags:
        document["tag"] = list(badge.tags)
    if badge.alignments:
        document["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": a.name,
                "targetUrl": a.url,
                "targetFramework": a.framework,
                **({"targetCode": a.code} if a.code else {}),
                **({"targetDescription": a.description} if a.description else {}),
            }
            for a in badge.alignments
        ]
    if badge.level:
        document["humanCode"] = f"{badge.level.family}-{badge.level.rank}"
    return document


def _criteria_narrative(badge: BadgeClass) -> str:
    """The criteria as Markdown, with the checklist appended as a numbered list."""
    text = badge.criteria.narrative.fr.strip()
    if badge.criteria.checklist:
        tasks = "\n".join(f"{i}. {task}" for i, task in enumerate(badge.criteria.checklist, 1))
        text += "\n\n" + tasks
    return text


def credential(
    site: Site,
    issuer: Issuer,
    badge: BadgeClass,
    *,
    assertion_id: str,
    subject_id: str,
    identity_hash: str,
    salt: str,
    valid_from: str,
    valid_until: str | None,
    evidence: list[dict[str, str]],
    narrative: str | None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one recipient, known only by a salted hash.

    ``subject_id`` is a random ``urn:uuid`` used for this award only: it says nothing about the
    learner, and gives the VC-JWT the ``sub`` claim that Open Badges 3.0 requires.
    """
    urls = Urls(site.settings.site_url)
    subject: dict[str, Any] = {
        "id": subject_id,
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ],
        "achievement": achievement(site, badge),
    }
    if narrative:
        subject["narrative"] = narrative
    document: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": urls.absolute(urls.assertion_file(assertion_id, "vc.json")),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge.name.fr,
        "issuer": profile(site, issuer),
        "validFrom": valid_from,
        "credentialSubject": subject,
        "credentialStatus": {
            "id": urls.absolute(urls.ob3_status(issuer.slug)),
            "type": "1EdTechRevocationList",
        },
        "credentialSchema": [{"id": CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if valid_until:
        document["validUntil"] = valid_until
    if evidence:
        document["evidence"] = [
            {
                **({"id": item["url"]} if item.get("url") else {}),
                "type": ["Evidence"],
                **({"narrative": item["narrative"]} if item.get("narrative") else {}),
            }
            for item in evidence
        ]
    return document


def did_document(site: Site, issuer: Issuer) -> dict[str, Any]:
    """The DID document of the issuer's did:web, listing its Ed25519 keys as Multikeys.

    A key marked compromised keeps its place (older proofs still name it) with the date from
    which it is ``revoked``, so verifiers can refuse proofs made after that date.
    """
    urls = Urls(site.settings.site_url)
    did = urls.did(issuer.slug)
    methods = []
    for key in issuer.keys:
        if key.type != "Ed25519" or key.public_key_multibase is None:
            continue
        method: dict[str, Any] = {
            "id": f"{did}#{key.id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.compromised:
            method["revoked"] = key.compromised
        methods.append(method)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods if "revoked" not in m],
    }


def revocation_list(site: Site, issuer: Issuer, revoked: list[tuple[str, str]]) -> dict[str, Any]:
    """The issuer's 1EdTech Revocation List: ``revoked`` holds (credential id, reason) pairs."""
    urls = Urls(site.settings.site_url)
    return {
        "id": urls.absolute(urls.ob3_status(issuer.slug)),
        "issuer": urls.did(issuer.slug),
        "revokedCredentials": [
            {"id": credential_id, "revoked": True, "revocationReason": reason}
            for credential_id, reason in revoked
        ],
    }
