"""The verification page of every award, written as a static file outside MkDocs.

Thousands of these pages must stay cheap, so they never enter the Markdown and navigation
pipeline: one Jinja template, rendered once per award. The page states the status first (in
words, with an icon, not by colour alone), then what the badge recognises as it stood when it
was issued. A small script re-checks the VC-JWT signature in the browser against the issuer's
published key, and the revocation list and expiry, with relative URLs so that the page works
from any origin; it also lets a visitor check an email address against the salted hash, without
sending anything.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, quote_plus

from jinja2 import Template
from markupsafe import Markup

from build_tools import (
    cache,
    endorsements,
    parallel,
    publish,
    qrcodes,
    templating,
    verifier_page,
)
from build_tools.model import Award, PublicKey, Site
from build_tools.publish import Files
from build_tools.urls import Urls

ASSETS = ("verify.css", "verify.js")
ASSET_FOLDER = "assets/badgeons"


def build_moment(epoch: str | None) -> datetime:
    """The moment a build describes: ``SOURCE_DATE_EPOCH`` when set, so builds are reproducible."""
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def signing_keys(award: Award) -> set[str]:
    """Ids of the issuer keys that signed an award (Data Integrity proof and VC-JWT)."""
    found = set()
    proof = award.credential.get("proof")
    if isinstance(proof, dict):
        found.add(str(proof.get("verificationMethod", "")).rsplit("#", 1)[-1])
    header = _jwt_header(award.credential_jwt)
    found.add(str(header.get("kid", "")).rsplit("/", 1)[-1].removesuffix(".jwk.json"))
    return found


def _jwt_header(token: str) -> Any:
    """The decoded header of a compact JWT: never mutate it, the awards of a key share it."""
    return _decoded_header(token.partition(".")[0])


@functools.lru_cache(maxsize=256)
def _decoded_header(segment: str) -> Any:
    return json.loads(_b64(segment))


def compromised_keys(site: Site, award: Award) -> list[PublicKey]:
    """The keys that signed ``award`` and that its issuer has since declared compromised."""
    keys = site.issuers[award.issuer].keys
    # The record is read only when the issuer has declared a key compromised.
    used = signing_keys(award) if any(k.compromised for k in keys) else set()
    return [k for k in keys if k.id in used and k.compromised]


def status_of(site: Site, award: Award, moment: datetime) -> dict[str, str]:
    """The status shown first on the page, as the build sees it."""
    revocation = site.revocations.get(award.id)
    if revocation:
        return {"kind": "revoked", "date": revocation.date[:10], "reason": revocation.reason}
    compromised = compromised_keys(site, award)
    if compromised:
        return {"kind": "compromised", "date": str(compromised[0].compromised)[:10], "reason": ""}
    if award.expires and datetime.fromisoformat(award.expires.replace("Z", "+00:00")) <= moment:
        return {"kind": "expired", "date": award.expires[:10], "reason": ""}
    return {"kind": "valid", "date": "", "reason": ""}


def english_check(page_url: str) -> str:
    """From a page one folder below the root: the English verifier, checking the badge whose
    verification page is at ``page_url`` (that page is in French only)."""
    return f"../{verifier_page.PAGES['en']}?url=" + quote(page_url, safe=":/")


def linkedin_url(site: Site, award: Award, page_url: str) -> str:
    """LinkedIn's "add to profile" link for a certification, with the page as its URL."""
    issuer = site.issuers[award.issuer]
    achievement = award.credential["credentialSubject"]["achievement"]
    issued = datetime.fromisoformat(award.issued_on.replace("Z", "+00:00"))
    query: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": achievement["name"],
        "organizationName": issuer.name.fr,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": page_url,
        "certId": award.id,
    }
    if award.expires:
        expires = datetime.fromisoformat(award.expires.replace("Z", "+00:00"))
        query |= {"expirationYear": expires.year, "expirationMonth": expires.month}
    return "https://www.linkedin.com/profile/add?" + _urlencode(query, _PER_AWARD)


# The values of LinkedIn's query that differ from one award to the next.
_PER_AWARD = frozenset({"certUrl", "certId"})
# Texts that many awards share (names, dates, the site's address), quoted once.
_quote = functools.lru_cache(maxsize=1024)(quote_plus)


def _urlencode(query: dict[str, str | int], unique: frozenset[str]) -> str:
    """``urlencode(query)``, quoting a text only once per process, but the values in ``unique``.

    ``quote_plus`` quotes one character after another, so a unique value (such as a page's URL)
    is quoted as the part up to its last slash, which awards share, then the rest.
    """
    pieces = []
    for name, value in query.items():
        text = str(value)
        if name in unique:
            folder, slash, rest = text.rpartition("/")
            quoted = _quote(folder + slash) + quote_plus(rest)
        else:
            quoted = _quote(text)
        pieces.append(f"{_quote(name)}={quoted}")
    return "&".join(pieces)


def _page_url(urls: Urls, award_id: str) -> str:
    """The address of an award's page: shown on it, and what its QR code holds."""
    return urls.absolute(urls.assertion_page(award_id))


def _relative(urls: Urls, absolute: str) -> str:
    """A URL of our own site as seen from a page in ``a/``, so it works from any origin."""
    path = urls.path_of(absolute)
    return "../" + path if path is not None else absolute


def page_context(
    site: Site, award: Award, moment: datetime, qr: Markup | None = None
) -> dict[str, Any]:
    """What the page's template shows; ``qr`` is the page's QR code, when already drawn."""
    urls = Urls(site.settings.site_url)
    badge = site.badges[award.badge]
    issuer = site.issuers[award.issuer]
    credential = award.credential
    achievement = credential["credentialSubject"]["achievement"]
    page_url = _page_url(urls, award.id)
    header = _jwt_header(award.credential_jwt)
    files = {
        suffix: f"{award.id}.{suffix}"
        for suffix in ("json", "jws", "vc.json", "vc.jwt", "svg", "vc.svg")
    }
    if badge.image_format == "png":
        files |= {"png": f"{award.id}.png", "vc.png": f"{award.id}.vc.png"}
    live = {
        "id": award.id,
        "credentialId": credential["id"],
        "jwt": files["vc.jwt"],
        "jwk": _relative(urls, str(header.get("kid", ""))),
        "status": _relative(urls, str(credential.get("credentialStatus", {}).get("id", ""))),
        "issuer": credential["issuer"]["id"],
        "name": achievement["name"],
        "validFrom": credential["validFrom"],
        "validUntil": credential.get("validUntil"),
        "identityHash": award.identity_hash,
        "salt": award.salt,
    }
    return {
        "award": award,
        "badge": badge,
        "issuer": issuer,
        "achievement": achievement,
        "criteria": achievement.get("criteria", {}).get("narrative", ""),
        "evidence": credential.get("evidence", []),
        "narrative": credential["credentialSubject"].get("narrative"),
        "holder": site.display_names.get(award.id),
        "status": status_of(site, award, moment),
        "issued": award.issued_on[:10],
        "expires": award.expires[:10] if award.expires else None,
        "files": files,
        "page_url": page_url,
        "qr": qrcodes.svg(page_url) if qr is None else qr,
        "linkedin": linkedin_url(site, award, page_url),
        # JSON inside <script type="application/json">: "</" is escaped so no text can close it.
        "live_json": Markup(json.dumps(live, ensure_ascii=False).replace("</", "<\\/")),
        "image": "../" + urls.badge_image(badge.slug, badge.image_format),
        "badge_page": "../" + urls.badge_page(badge.slug),
        "issuer_page": "../" + urls.issuer_page(issuer.slug),
        "home": "../index.html",
        "verify_page": "../verifier.html",
        "english_check": english_check(page_url),
        "assets": "../" + ASSET_FOLDER,
        "icon": "../assets/images/logo.svg",
        "site_title": site.settings.title.fr,
        # Shown alongside, never embedded: a signed award cannot take a later endorsement.
        "endorsements": endorsements.shown_on_award(site, award.id) if site.endorsements else [],
    }


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _template() -> Template:
    return templating.environment().get_template("assertion/page.html")


def render_page(site: Site, award: Award, moment: datetime, qr: Markup | None = None) -> str:
    """The verification page of an award; ``qr`` is its QR code, when already drawn."""
    return _template().render(page_context(site, award, moment, qr))


def prepare(count: int) -> None:
    """Compile the page's template and import what its QR codes need, before ``count`` pages.

    The build calls it before it forks the workers that render them: they inherit both,
    instead of each compiling and importing them (about a tenth of a second each).
    """
    _template()
    qrcodes.prepare(count)


def page_qr_codes(site: Site, awards: Sequence[Award]) -> list[Markup]:
    """The QR codes of the pages of ``awards``, drawn together (qrcodes.svgs)."""
    urls = Urls(site.settings.site_url)
    return qrcodes.svgs([_page_url(urls, award.id) for award in awards])


def assets() -> Files:
    """The two small files that every verification page shares."""
    return {
        f"{ASSET_FOLDER}/{name}": resources.files("build_tools.static").joinpath(name).read_bytes()
        for name in ASSETS
    }


def files(site: Site, moment: datetime) -> Files:
    """Every verification page, and the two small assets they share.

    The build itself streams pages to disk and takes unchanged ones from the cache
    (build_tools/siteoutput.py); this is the whole set at once, for small sites and tests.
    """
    output = assets()
    ids = list(site.awards)
    output.update(
        parallel.map_chunks(_render_chunk, (site, moment), ids, label="Pages de vérification")
    )
    return output


class PageKeys:
    """The cache key of each award's page: record, status, holder's name, badge, issuer, settings.

    The build moment enters only through the status (expired or not), so pages stay cached
    from one day to the next. Whatever :func:`page_context` starts to read from the site must
    be added here too (the templates and code are part of every key already). What an award
    shares with others (settings and endorsements, its badge, its issuer) is hashed once per
    badge and issuer, not once per award.
    """

    def __init__(self, site: Site, moment: datetime) -> None:
        self.site = site
        self.moment = moment
        # What every page may depend on beyond its own award: settings and endorsements.
        shared = repr(site.settings) + repr(getattr(site, "endorsements", None))
        self._shared = publish.KeyPrefix("pages", shared)
        self._prefixes: dict[tuple[str, str], publish.KeyPrefix] = {}
        # What is endorsed: an award that is not, nor its badge or issuer, shows no endorsement.
        self._endorsed = {(e.target_kind, e.target) for e in site.endorsements.values()}

    def _prefix(self, badge: str, issuer: str) -> publish.KeyPrefix:
        """The key's first parts, ``repr`` of the badge class and of the issuer included."""
        site = self.site
        prefix = self._shared.extend(repr(site.badges[badge]), repr(site.issuers[issuer]))
        self._prefixes[badge, issuer] = prefix
        return prefix

    def _endorsements(self, award: Award) -> list[dict[str, str]]:
        """``endorsements.shown_on_award``, without looking when nothing about it is endorsed."""
        endorsed = self._endorsed
        if (
            ("assertion", award.id) in endorsed
            or ("badge", award.badge) in endorsed
            or ("issuer", award.issuer) in endorsed
        ):
            return endorsements.shown_on_award(self.site, award.id)
        return []

    def __call__(self, award: Award, record: str | None = None) -> str:
        """The key of the award's page; ``record`` is ``cache.award_record(award)``, if known."""
        site = self.site
        prefix = self._prefixes.get((award.badge, award.issuer))
        if prefix is None:
            prefix = self._prefix(award.badge, award.issuer)
        return prefix.key(
            cache.stable_json(
                [
                    status_of(site, award, self.moment),
                    site.display_names.get(award.id),
                    self._endorsements(award),
                ]
            ),
            cache.award_record(award) if record is None else record,
        )


def _render_chunk(state: tuple[Site, datetime], ids: Sequence[str]) -> list[tuple[str, bytes]]:
    """Pages of one chunk of awards (in a worker, the site is the one it inherited)."""
    site, moment = state
    urls = Urls(site.settings.site_url)
    awards = [site.awards[i] for i in ids]
    return [
        (urls.assertion_page(award.id), render_page(site, award, moment, qr).encode("utf-8"))
        for award, qr in zip(awards, page_qr_codes(site, awards), strict=True)
    ]
