"""Check every signature of every award before anything is published.

The build refuses to publish an award whose proof, JWT or JWS does not verify against the keys
its issuer publishes, or whose three signed forms disagree: each problem is a diagnostic naming
the record file. Keys come from the issuer profiles in the repository, never from the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import keys, ob2, signing
from build_tools.diagnostics import Diagnostic
from build_tools.model import Award, Issuer, PublicKey, Site
from build_tools.urls import Urls


class _Keys:
    """Public keys of one issuer, looked up by the identifiers our documents use."""

    def __init__(self, site: Site, issuer: Issuer) -> None:
        self.urls = Urls(site.settings.site_url)
        self.issuer = issuer
        self.by_id = {k.id: k for k in issuer.keys}

    def _key(self, key_id: str, key_type: str, signed_at: datetime | None) -> PublicKey:
        key = self.by_id.get(key_id)
        if key is None or key.type != key_type:
            raise signing.KeyResolutionError(
                f"clé {key_type} « {key_id} » absente du profil de {self.issuer.slug}"
            )
        if (
            key.compromised
            and signed_at is not None
            and signed_at >= datetime.fromisoformat(key.compromised)
        ):
            raise signing.KeyResolutionError(
                f"clé « {key_id} » compromise depuis le {key.compromised[:10]}"
            )
        return key

    def ed25519(self, method: str, signed_at: datetime | None) -> ed25519.Ed25519PublicKey:
        prefix = self.urls.did(self.issuer.slug) + "#"
        if not method.startswith(prefix):
            raise signing.KeyResolutionError(
                f"méthode de vérification « {method} » étrangère à {self.issuer.slug}"
            )
        key = self._key(method[len(prefix) :], "Ed25519", signed_at)
        assert key.public_key_multibase is not None
        return keys.ed25519_public_key_from_multibase(key.public_key_multibase)

    def rsa(
        self, url: str, suffixes: tuple[str, ...], signed_at: datetime | None
    ) -> rsa.RSAPublicKey:
        prefix = self.urls.absolute(f"issuers/{self.issuer.slug}/keys/")
        name = url[len(prefix) :] if url.startswith(prefix) else ""
        for suffix in suffixes:
            if name.endswith(suffix):
                key = self._key(name[: -len(suffix)], "RSA", signed_at)
                assert key.public_key_jwk is not None
                return keys.rsa_public_key_from_jwk(key.public_key_jwk)
        raise signing.KeyResolutionError(f"clé « {url} » étrangère à {self.issuer.slug}")


def _parse(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def verify_award(site: Site, award: Award) -> list[Diagnostic]:
    """Every problem of one award's signatures; an empty list means all three forms hold."""
    where = award.source
    issuer = site.issuers[award.issuer]
    resolver = _Keys(site, issuer)
    problems: list[Diagnostic] = []
    proof = award.credential.get("proof")
    created = _parse(proof.get("created")) if isinstance(proof, Mapping) else None
    try:
        unsigned = signing.verify_eddsa_rdfc_2022_proof(
            award.credential, lambda m: resolver.ed25519(m, created)
        )
    except signing.VerificationError as exc:
        problems.append(where.error("ob3.proof", f"signature Data Integrity refusée : {exc}"))
        unsigned = {k: v for k, v in award.credential.items() if k != "proof"}
    issued = _parse(award.issued_on)
    try:
        from_jwt = signing.decode_vc_jwt(
            award.credential_jwt,
            lambda h: resolver.rsa(str(h.get("kid")), (".jwk.json",), issued),
            now=issued,
        )
        if _canonical(from_jwt) != _canonical(unsigned):
            problems.append(
                where.error("ob3_jwt", "le VC-JWT ne contient pas le même credential que ob3")
            )
    except signing.VerificationError as exc:
        problems.append(where.error("ob3_jwt", f"VC-JWT refusé : {exc}"))
    try:
        payload = signing.verify_jws(
            award.ob2_jws, lambda h: resolver.rsa(str(h.get("kid")), (".json",), issued)
        ).json()
        problems += [where.error("ob2_jws", m) for m in _ob2_mismatches(site, award, payload)]
    except signing.VerificationError as exc:
        problems.append(where.error("ob2_jws", f"assertion Open Badges 2.0 signée refusée : {exc}"))
    return problems


def _ob2_mismatches(site: Site, award: Award, payload: dict[str, Any]) -> list[str]:
    """Where the signed 2.0 assertion disagrees with the 3.0 credential it was issued with."""
    urls = Urls(site.settings.site_url)
    expected_badge = urls.absolute(
        ob2.badge_class_path(award.badge, award.badge_version, award.issuer)
    )
    checks = {
        "badge": expected_badge,
        "issuedOn": award.issued_on,
        "expires": award.expires,
        "recipient.identity": award.identity_hash,
        "recipient.salt": award.salt,
    }
    actual = {
        "badge": payload.get("badge"),
        "issuedOn": payload.get("issuedOn"),
        "expires": payload.get("expires"),
        "recipient.identity": (payload.get("recipient") or {}).get("identity"),
        "recipient.salt": (payload.get("recipient") or {}).get("salt"),
    }
    problems = [
        f"{name} diffère du credential 3.0" for name in checks if checks[name] != actual[name]
    ]
    verification = payload.get("verification") or {}
    creator = str(verification.get("creator", ""))
    if verification.get("type") != "SignedBadge" or not creator.startswith(
        urls.absolute(f"issuers/{award.issuer}/keys/")
    ):
        problems.append("verification doit être SignedBadge avec une clé de l'émetteur")
    if payload.get("@context") != ob2.OB_V2 or payload.get("type") != "Assertion":
        problems.append("ce n'est pas une assertion Open Badges 2.0")
    return problems


def _canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def verify_all(site: Site) -> list[Diagnostic]:
    """Diagnostics of every award whose signatures do not hold."""
    problems: list[Diagnostic] = []
    for award in site.awards.values():
        problems += verify_award(site, award)
    return problems
