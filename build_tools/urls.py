"""The stable URL layout of a Badgeons site (documented in docs/url-layout.md).

Every identifier published in a badge is built here and nowhere else: a path once printed on an
attestation or encoded in a QR code must never move, so changing this module is a breaking
change for every badge already awarded.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit


class Urls:
    """Absolute URLs and site paths below one ``site_url``."""

    def __init__(self, site_url: str) -> None:
        if not site_url.endswith("/"):
            raise ValueError(f"site_url must end with '/': {site_url!r}")
        self.site_url = site_url

    def absolute(self, path: str) -> str:
        """The absolute URL of a site path such as ``a/xyz.json``."""
        return self.site_url + path

    def path_of(self, url: str) -> str | None:
        """The site path of one of our URLs, or None for a URL outside the site."""
        return url[len(self.site_url) :] if url.startswith(self.site_url) else None

    # Catalogue pages.
    @staticmethod
    def badge_page(badge: str) -> str:
        return f"badges/{badge}.html"

    @staticmethod
    def issuer_page(issuer: str) -> str:
        return f"issuers/{issuer}.html"

    @staticmethod
    def badge_image(badge: str, fmt: str) -> str:
        return f"badges/{badge}/image.{fmt}"

    @staticmethod
    def issuer_logo(issuer: str, suffix: str) -> str:
        return f"issuers/{issuer}/logo{suffix}"

    # Issuer documents.
    @staticmethod
    def did_document(issuer: str) -> str:
        return f"issuers/{issuer}/did.json"

    @staticmethod
    def jwks(issuer: str) -> str:
        return f"issuers/{issuer}/jwks.json"

    @staticmethod
    def ob2_profile(issuer: str) -> str:
        return f"issuers/{issuer}/profile.json"

    @staticmethod
    def ob2_key(issuer: str, key: str) -> str:
        return f"issuers/{issuer}/keys/{key}.json"

    @staticmethod
    def jwk(issuer: str, key: str) -> str:
        """The RSA key as a JWK: the ``kid`` of the VC-JWTs and JWS it signs."""
        return f"issuers/{issuer}/keys/{key}.jwk.json"

    @staticmethod
    def ob2_revocations(issuer: str) -> str:
        return f"issuers/{issuer}/revocations.json"

    @staticmethod
    def ob3_status(issuer: str) -> str:
        return f"issuers/{issuer}/status.json"

    # Badge class documents, frozen per version.
    @staticmethod
    def ob2_badgeclass(badge: str, version: str, issuer: str) -> str:
        """One 2.0 BadgeClass per awarding issuer: a 2.0 BadgeClass names a single issuer."""
        return f"badges/{badge}/v{version}/{issuer}/badgeclass.json"

    @staticmethod
    def ob3_achievement(badge: str, version: str) -> str:
        return f"badges/{badge}/v{version}/achievement.json"

    # Assertions.
    @staticmethod
    def assertion_page(assertion: str) -> str:
        return f"a/{assertion}.html"

    @staticmethod
    def assertion_file(assertion: str, suffix: str) -> str:
        """``suffix`` is one of json, jws, vc.json, vc.jwt, png, svg, vc.png, vc.svg."""
        return f"a/{assertion}.{suffix}"

    # Endorsements.
    @staticmethod
    def endorsement_file(endorsement: str, suffix: str) -> str:
        """``suffix`` is one of vc.json, vc.jwt (Open Badges 3.0), json, jws (2.0)."""
        return f"e/{endorsement}.{suffix}"

    def did(self, issuer: str) -> str:
        """The did:web identifier whose document is published at :meth:`did_document`."""
        parts = urlsplit(self.site_url)
        host = quote(parts.netloc, safe="")  # A port's colon becomes %3A, as did:web says.
        segments = [quote(s, safe="") for s in parts.path.split("/") if s]
        return ":".join(["did:web", host, *segments, "issuers", issuer])

    def verification_method(self, issuer: str, key: str) -> str:
        return f"{self.did(issuer)}#{key}"


def did_web_to_url(did: str) -> str:
    """The HTTPS URL of a did:web DID document (``/.well-known/did.json`` for a bare host)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web identifier: {did!r}")
    from urllib.parse import unquote

    parts = did[len("did:web:") :].split("#", 1)[0].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"
