"""Every static document of the site that is not a catalogue page.

Issuer documents (DID document, JWKS, Open Badges 2.0 profile, keys, revocation lists), badge
class documents frozen per version, and per award its hosted and signed forms and its baked
images. The output is a mapping from site path to bytes, written by the caller; it depends on
nothing but the site model, so two builds of the same commit give the same bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from build_tools import bake, cache, catalogue, endorsements, fastjson, keys, ob2, ob3
from build_tools.model import Award, BadgeClass, Issuer, Site
from build_tools.urls import Urls

if TYPE_CHECKING:
    from hashlib import _Hash

Files = dict[str, bytes]


# Scalars that orjson writes exactly as ``json.dumps`` does (tested over every code point, and
# every integer orjson accepts). Floats are left out: orjson writes 1e-05 as 0.00001 and NaN as
# null.
_SCALARS = frozenset({str, int, bool, type(None)})
# Past this many lists and dicts, a document is left to ``json.dumps``: it may hold a cycle.
_CONTAINER_LIMIT = 100_000


def dump(document: Any) -> bytes:
    """Stable JSON: the same document always gives the same bytes.

    The bytes are those of ``json.dumps(document, ensure_ascii=False, indent=2)`` and a newline,
    UTF-8 encoded, whatever the document. orjson (Rust) writes the documents Badgeons publishes,
    made of plain JSON types, ten times faster than ``json``'s pure-Python encoder (which
    ``indent`` selects). Anything else (a float, an integer beyond 64 bits, a key that is not a
    string, another type) is left to ``json``, which also raises the same errors as before.
    """
    if _is_plain(document):
        try:
            return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
        except orjson.JSONEncodeError:
            pass
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _is_plain(document: Any) -> bool:
    """Whether a document holds only dicts, lists, tuples and ``_SCALARS`` (orjson checks keys)."""
    kind = type(document)
    if kind is not dict and kind is not list and kind is not tuple:
        return kind in _SCALARS
    pending = [document]
    budget = _CONTAINER_LIMIT
    while pending:
        container = pending.pop()
        budget -= 1
        if not budget:
            return False
        for value in container.values() if type(container) is dict else container:
            kind = type(value)
            if kind in _SCALARS:
                continue
            if kind is dict or kind is list or kind is tuple:
                pending.append(value)
            else:
                return False
    return True


def issuer_files(site: Site, issuer: Issuer) -> Iterator[tuple[str, bytes]]:
    urls = Urls(site.settings.site_url)
    slug = issuer.slug
    revoked = sorted(
        (site.awards[i] for i in site.revocations if site.awards[i].issuer == slug),
        key=lambda a: a.id,
    )
    yield urls.ob2_profile(slug), dump(ob2.issuer_profile(site, issuer))
    if issuer.is_network:
        return
    yield urls.did_document(slug), dump(ob3.did_document(site, issuer))
    jwks = []
    for key in issuer.keys:
        # A compromised key is no longer published in any form: a date inside a signature is
        # chosen by whoever signs, so nothing it signed can be trusted outside the repository.
        if key.type != "RSA" or key.public_key_jwk is None or key.compromised:
            continue
        jwk = {
            **dict(key.public_key_jwk),
            "kid": urls.absolute(urls.jwk(slug, key.id)),
            "alg": "RS256",
            "use": "sig",
        }
        jwks.append(jwk)
        yield urls.jwk(slug, key.id), dump(jwk)
        pem = keys.public_key_to_pem(keys.rsa_public_key_from_jwk(key.public_key_jwk))
        yield urls.ob2_key(slug, key.id), dump(ob2.cryptographic_key(site, issuer, key.id, pem))
    yield urls.jwks(slug), dump({"keys": jwks})
    reasons = [(a, site.revocations[a.id].reason) for a in revoked]
    ob2_revoked = []
    for award, reason in reasons:
        ob2_revoked.append((urls.absolute(urls.assertion_file(award.id, "json")), reason))
        ob2_revoked.append((str(_signed_payload(award).get("id")), reason))
    yield urls.ob2_revocations(slug), dump(ob2.revocation_list(site, issuer, ob2_revoked))
    yield (
        urls.ob3_status(slug),
        dump(ob3.revocation_list(site, issuer, [(str(a.credential["id"]), r) for a, r in reasons])),
    )


def badge_files(site: Site, badge: BadgeClass) -> Iterator[tuple[str, bytes]]:
    """The current version's documents, and those of every older version still awarded."""
    urls = Urls(site.settings.site_url)
    current = ob3.achievement(site, badge)
    versions: dict[str, dict[str, Any]] = {badge.version: current}
    issuers_by_version: dict[str, set[str]] = {badge.version: set(site.awarders(badge))}
    for award in site.awards_by_badge.get(badge.slug, ()):
        if award.badge_version not in versions:
            # Read from the first award of each version only: records stay on disk.
            embedded = award.credential["credentialSubject"]["achievement"]
            versions[award.badge_version] = embedded
        issuers_by_version.setdefault(award.badge_version, set()).add(award.issuer)
    for version, achievement in sorted(versions.items()):
        yield urls.ob3_achievement(badge.slug, version), dump(achievement)
        for issuer in sorted(issuers_by_version[version]):
            path = ob2.badge_class_path(badge.slug, version, issuer)
            yield (
                path,
                dump(
                    ob2.badge_class_from_achievement(site, achievement, site.issuers[issuer], path)
                ),
            )


def _signed_payload(award: Award) -> dict[str, Any]:
    """The payload of the award's signed 2.0 assertion (already verified by the build)."""
    body = award.ob2_jws.split(".")[1]
    # fastjson: orjson where it reads exactly what ``json`` reads (every award is read so).
    payload: dict[str, Any] = fastjson.loads(
        base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    )
    return payload


def hosted_assertion(site: Site, award: Award) -> dict[str, Any]:
    """The hosted 2.0 assertion: the signed one re-identified by its URL, with its status."""
    urls = Urls(site.settings.site_url)
    document = _signed_payload(award)
    document["id"] = urls.absolute(urls.assertion_file(award.id, "json"))
    document["verification"] = {"type": "HostedBadge"}
    revocation = site.revocations.get(award.id)
    if revocation:
        document["revoked"] = True
        document["revocationReason"] = revocation.reason
    return document


class BadgeImage:
    """A badge's image as read once: its bytes, their SHA-256, and its forms ready to bake.

    A build reads each image once per pass (:class:`DocumentKeys`) and bakes the very bytes it
    hashed into every award of the badge; the PNG is parsed and converted to SVG once per
    process that bakes it, not once per award.
    """

    def __init__(self, data: bytes, image_format: str) -> None:
        self.data = data
        self.format = image_format
        self.digest = hashlib.sha256(data).hexdigest()

    @classmethod
    def read(cls, badge: BadgeClass) -> BadgeImage:
        """The badge's image as its file holds it now."""
        return _badge_image(badge.image.read_bytes(), badge.image_format)

    @functools.cached_property
    def png(self) -> bake.PngBaking:
        """The PNG, parsed (only for a PNG badge)."""
        return bake.PngBaking(self.data)

    @functools.cached_property
    def svg(self) -> bake.SvgBaking:
        """The SVG to bake: the image itself, or a PNG badge's image wrapped in an SVG."""
        return bake.SvgBaking(bake.png_to_svg(self.data) if self.format == "png" else self.data)


@functools.lru_cache(maxsize=32)
def _badge_image(data: bytes, image_format: str) -> BadgeImage:
    """One image per content and format, so that awards baked one by one share its parsing."""
    return BadgeImage(data, image_format)


# The forms of an award, in the order :func:`award_files` makes them, by badge image format.
_FORMS = {
    "png": ("json", "jws", "vc.json", "vc.jwt", "png", "vc.png", "svg", "vc.svg"),
    "svg": ("json", "jws", "vc.json", "vc.jwt", "svg", "vc.svg"),
}


def award_files(
    site: Site, award: Award, image: BadgeImage | None = None
) -> Iterator[tuple[str, bytes]]:
    """The documents and baked images of an award; ``image`` is its badge's, when already read."""
    urls = Urls(site.settings.site_url)
    hosted = hosted_assertion(site, award)
    hosted_bytes, credential_bytes = dump(hosted), dump(award.credential)
    # The baked images take the same JSON as text.
    hosted_json, credential_json = hosted_bytes.decode("utf-8"), credential_bytes.decode("utf-8")
    file = urls.assertion_file
    yield file(award.id, "json"), hosted_bytes
    yield file(award.id, "jws"), award.ob2_jws.encode("ascii")
    yield file(award.id, "vc.json"), credential_bytes
    yield file(award.id, "vc.jwt"), award.credential_jwt.encode("ascii")
    if image is None:
        image = BadgeImage.read(site.badges[award.badge])
    if image.format == "png":
        yield file(award.id, "png"), image.png.bake(bake.OB2_PNG_KEYWORD, hosted_json)
        yield file(award.id, "vc.png"), image.png.bake(bake.OB3_PNG_KEYWORD, credential_json)
    svg = image.svg
    yield file(award.id, "svg"), svg.ob2(verify=str(hosted["id"]), assertion_json=hosted_json)
    yield file(award.id, "vc.svg"), svg.ob3(credential_json=credential_json)


def award_paths(site: Site, award: Award) -> list[str]:
    """The site paths of :func:`award_files`, without making them."""
    file = Urls.assertion_file
    return [file(award.id, form) for form in _FORMS[site.badges[award.badge].image_format]]


def _key_part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(8, "big") + data


class KeyPrefix:
    """A :func:`cache.key` hashed over its first parts once, then finished for each result.

    Most of what an award's documents or page are made from is its badge's, its issuer's or
    the site's: hashed once here, each award's key costs a copy of the hash and its own parts.
    ``KeyPrefix(kind, *a).extend(*b).key(*c)`` is ``cache.key(kind, *a, *b, *c)``.
    """

    def __init__(self, kind: str, *parts: str) -> None:
        self._digest: _Hash = hashlib.sha256(f"{kind}\0{cache.code_version()}\0".encode())
        for part in parts:
            self._digest.update(_key_part(part))

    def extend(self, *parts: str) -> KeyPrefix:
        """The prefix of keys that go on with ``parts``."""
        longer = KeyPrefix.__new__(KeyPrefix)
        longer._digest = self._digest.copy()
        for part in parts:
            longer._digest.update(_key_part(part))
        return longer

    def key(self, *parts: str) -> str:
        """The key that ends with ``parts``."""
        digest = self._digest.copy()
        for part in parts:
            digest.update(_key_part(part))
        return digest.hexdigest()


class DocumentKeys:
    """The cache key of each award's documents: every input of :func:`award_files`.

    Record, revocation, badge image (its format and its bytes) and site address. Whatever
    :func:`award_files` starts to read must be added here too (the code is part of every key
    already). Each badge's image is read once (:attr:`images`, which the documents must then be
    made from), and the parts that a badge's awards share are hashed once.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        #: Each badge's image, as the keys were computed from it.
        self.images: dict[str, BadgeImage] = {}
        self._prefixes: dict[str, KeyPrefix] = {}
        self._unrevoked = cache.stable_json(None)

    def _prefix(self, slug: str) -> KeyPrefix:
        badge = self.site.badges[slug]
        image = self.images[slug] = BadgeImage.read(badge)
        prefix = KeyPrefix("published", self.site.settings.site_url, image.format, image.digest)
        self._prefixes[slug] = prefix
        return prefix

    def __call__(self, award: Award, record: str | None = None) -> str:
        """The key of the award's documents; ``record`` is ``cache.award_record(award)``, if known."""
        prefix = self._prefixes.get(award.badge) or self._prefix(award.badge)
        revocation = self.site.revocations.get(award.id)
        return prefix.key(
            cache.stable_json([revocation.reason, revocation.date])
            if revocation
            else self._unrevoked,
            cache.award_record(award) if record is None else record,
        )


def shared_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The documents of issuers, badge classes and endorsements, and the catalogue's images."""
    yield from catalogue.assets(site).items()
    for issuer in site.issuers.values():
        yield from issuer_files(site, issuer)
    for badge in site.badges.values():
        yield from badge_files(site, badge)
    yield from endorsements.files(site)


def files(site: Site) -> Files:
    """All documents of issuers, badge classes and awards, by site path.

    The build itself streams them to disk and takes unchanged awards' documents from the cache
    (build_tools/siteoutput.py); this is the whole set at once, for small sites and tests.
    """
    output: Files = dict(shared_files(site))
    images: dict[str, BadgeImage] = {}
    for award in site.awards.values():
        image = images.get(award.badge) or BadgeImage.read(site.badges[award.badge])
        images[award.badge] = image
        output.update(award_files(site, award, image))
    return output
