"""Endorse a badge class, an issuer or one award: sign every format, then write one record.

An endorser (an employer, a tutor, a professional branch: an ``issuers/<slug>.yaml`` profile of
``type: endorser`` with its own keys) signs an Open Badges 3.0 ``EndorsementCredential`` with an
``eddsa-rdfc-2022`` proof, the same credential as a VC-JWT, and the Open Badges 2.0
``Endorsement`` as a JWS (RS256). The three are stored together, like an award, in
``issuers/<endorser>/endorsements/<id>.json``; :mod:`build_tools.endorsements` loads, verifies
and publishes them.

In Open Badges 2.0 the endorsed object is named by ``claim.id``: the issuer's 2.0 profile, the
hosted 2.0 assertion, and for a badge class the 3.0 Achievement of its current version (a badge
shared by a network has one 2.0 BadgeClass per awarding member, and an endorsement is of the
badge class as a whole).
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from build_tools import issuing, ob2, ob3, signing, writer
from build_tools.identity import new_assertion_id
from build_tools.model import EndorsedKind, Issuer, Site
from build_tools.urls import Urls

RECORD_FORMAT = "badgeons/endorsement/1"
# The extensions context defines 1EdTechJsonSchemaValidator2019, as in our awards.
CREDENTIAL_CONTEXT = ob3.CREDENTIAL_CONTEXT
CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
COMMENT_MIN, COMMENT_MAX = 10, 2000


class EndorsingError(Exception):
    """The endorsement cannot be made; the message is for the endorser, in French."""


@dataclass(frozen=True)
class Target:
    """What is endorsed: its kind, its key in the site model and its identifiers."""

    kind: EndorsedKind
    key: str
    #: The ``credentialSubject.id`` of the 3.0 credential.
    ob3_id: str
    #: The ``claim.id`` of the 2.0 endorsement.
    ob2_id: str
    #: A short French description, for messages and the credential's name.
    label: str


@dataclass(frozen=True)
class SignedEndorsement:
    endorsement_id: str
    endorser: str
    target: Target
    record: str


def record_path(root: Path, endorser: str, endorsement_id: str) -> Path:
    return root / "issuers" / endorser / "endorsements" / f"{endorsement_id}.json"


def record_to_json(credential: dict[str, Any], credential_jwt: str, ob2_jws: str) -> str:
    """The stored form of an endorsement: stable key order, one file each."""
    record = {
        "format": RECORD_FORMAT,
        "ob3": credential,
        "ob3_jwt": credential_jwt,
        "ob2_jws": ob2_jws,
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def check_endorser(site: Site, endorser: str) -> Issuer:
    """The endorser's profile, if it is one (``type: endorser``); else :class:`EndorsingError`."""
    profile = site.issuers.get(endorser)
    if profile is None:
        raise EndorsingError(f"recommandeur inconnu « {endorser} »")
    if not profile.is_endorser:
        raise EndorsingError(
            f"« {endorser} » n'est pas un recommandeur : son profil doit dire « type: endorser »"
        )
    return profile


def badge_target(site: Site, badge: str) -> Target:
    urls = Urls(site.settings.site_url)
    badge_class = site.badges.get(badge)
    if badge_class is None:
        raise EndorsingError(f"badge inconnu « {badge} »")
    achievement = urls.absolute(urls.ob3_achievement(badge, badge_class.version))
    return Target("badge", badge, achievement, achievement, f"le badge « {badge_class.name.fr} »")


def issuer_target(site: Site, issuer: str) -> Target:
    urls = Urls(site.settings.site_url)
    profile = site.issuers.get(issuer)
    if profile is None:
        raise EndorsingError(f"émetteur inconnu « {issuer} »")
    if profile.is_endorser:
        raise EndorsingError(f"« {issuer} » est un recommandeur : on recommande un émetteur")
    return Target(
        "issuer",
        issuer,
        urls.did(issuer),
        urls.absolute(urls.ob2_profile(issuer)),
        f"l'émetteur « {profile.name.fr} »",
    )


def assertion_target(site: Site, assertion: str) -> Target:
    urls = Urls(site.settings.site_url)
    award = site.awards.get(assertion)
    if award is None:
        raise EndorsingError(f"aucun badge délivré ne porte l'identifiant « {assertion} »")
    if assertion in site.revocations:
        raise EndorsingError(f"le badge « {assertion} » est révoqué : il ne peut être recommandé")
    name = site.badges[award.badge].name.fr
    return Target(
        "assertion",
        assertion,
        str(award.credential["id"]),
        urls.absolute(urls.assertion_file(assertion, "json")),
        f"le badge « {name} » délivré le {award.issued_on[:10]}",
    )


def resolve_target(
    site: Site, *, badge: str | None, issuer: str | None, assertion: str | None
) -> Target:
    """The one thing named by the command line, or :class:`EndorsingError`."""
    given = [
        (k, v) for k, v in (("badge", badge), ("issuer", issuer), ("assertion", assertion)) if v
    ]
    if len(given) != 1:
        raise EndorsingError("indiquez une seule cible : --badge, --issuer ou --assertion")
    kind, key = given[0]
    if kind == "badge":
        return badge_target(site, key)
    if kind == "issuer":
        return issuer_target(site, key)
    return assertion_target(site, key)


def check_comment(comment: str) -> str:
    text = comment.strip()
    if not COMMENT_MIN <= len(text) <= COMMENT_MAX:
        raise EndorsingError(
            f"le commentaire doit faire de {COMMENT_MIN} à {COMMENT_MAX} caractères (il est public)"
        )
    if "@" in text:
        raise EndorsingError("le commentaire est public : n'y mettez pas d'adresse e-mail")
    return text


def credential(
    site: Site,
    endorser: Issuer,
    target: Target,
    *,
    endorsement_id: str,
    comment: str,
    valid_from: str,
) -> dict[str, Any]:
    """An unsigned EndorsementCredential (Open Badges 3.0, section 8.3)."""
    urls = Urls(site.settings.site_url)
    return {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": urls.absolute(urls.endorsement_file(endorsement_id, "vc.json")),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"Recommandation par {endorser.name.fr} : {target.label}",
        "issuer": ob3.profile(site, endorser),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": target.ob3_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialSchema": [{"id": CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def ob2_endorsement(
    site: Site,
    endorser: Issuer,
    target: Target,
    *,
    comment: str,
    issued_on: str,
    signed_uuid: str,
    signing_key: str,
) -> dict[str, Any]:
    """The signed Open Badges 2.0 Endorsement (its id is a ``urn:uuid``)."""
    urls = Urls(site.settings.site_url)
    return {
        "@context": ob2.OB_V2,
        "type": "Endorsement",
        "id": f"urn:uuid:{signed_uuid}",
        "claim": {"id": target.ob2_id, "endorsementComment": comment},
        "issuedOn": issued_on,
        "issuer": urls.absolute(urls.ob2_profile(endorser.slug)),
        "verification": {
            "type": "SignedBadge",
            "creator": urls.absolute(urls.ob2_key(endorser.slug, signing_key)),
        },
    }


def sign_endorsement(
    site: Site,
    endorser: Issuer,
    target: Target,
    comment: str,
    signer: issuing.Signer,
    now: datetime,
) -> SignedEndorsement:
    """Sign one endorsement in every format; nothing is written."""
    urls = Urls(site.settings.site_url)
    endorsement_id = new_assertion_id()
    text = check_comment(comment)
    issued_on = issuing.format_time(now)
    unsigned = credential(
        site, endorser, target, endorsement_id=endorsement_id, comment=text, valid_from=issued_on
    )
    signed = signing.add_eddsa_rdfc_2022_proof(
        unsigned,
        signer.ed25519_key,
        urls.verification_method(endorser.slug, signer.ed25519_id),
        now,
        loader=signer.loader,
    )
    jwk_url = urls.absolute(urls.jwk(endorser.slug, signer.rsa_id))
    credential_jwt = signing.encode_vc_jwt(unsigned, signer.rsa_key, kid=jwk_url)
    payload = ob2_endorsement(
        site,
        endorser,
        target,
        comment=text,
        issued_on=issued_on,
        signed_uuid=str(uuid.uuid4()),
        signing_key=signer.rsa_id,
    )
    ob2_jws = signing.sign_jws(
        payload, signer.rsa_key, kid=urls.absolute(urls.ob2_key(endorser.slug, signer.rsa_id))
    )
    record = record_to_json(signed, credential_jwt, ob2_jws)
    return SignedEndorsement(endorsement_id, endorser.slug, target, record)


def write_endorsement(root: Path, signed: SignedEndorsement) -> Path:
    """Write the record under a temporary name, then rename it: never half-written."""
    final = record_path(root, signed.endorser, signed.endorsement_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".endorsement-", dir=final.parent)
    try:
        os.fchmod(descriptor, writer.shared_file_mode())
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(signed.record)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return final
