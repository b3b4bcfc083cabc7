"""Tests of build_tools.publish: every static document of the site, from the site model alone."""

from __future__ import annotations

import base64
import collections
import dataclasses
import functools
import hashlib
import http
import json
import math
import random
import re
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import orjson
import pytest
from markupsafe import Markup

from build_tools import bake, cache, issuing, keygen, keys, publish
from build_tools.model import Revocation
from tests.conftest import AwardedRepo

S = "https://badges.example.org/test/"
DID = "did:web:badges.example.org:test:issuers:atelier-test"
ALL_FORMS = ("json", "jws", "vc.json", "vc.jwt", "png", "svg", "vc.png", "vc.svg")


def _json(files: publish.Files, path: str) -> Any:
    return json.loads(files[path])


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return payload


def test_the_files_of_an_award_of_a_png_badge(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award = site.awards[awarded_repo.ids["awa"]]
    files = dict(publish.award_files(site, award))
    assert sorted(files) == sorted(f"a/{award.id}.{suffix}" for suffix in ALL_FORMS)
    hosted = json.loads(files[f"a/{award.id}.json"])
    assert hosted["id"] == f"{S}a/{award.id}.json"
    assert hosted["verification"] == {"type": "HostedBadge"}
    assert hosted["image"] == f"{S}a/{award.id}.png"
    assert "revoked" not in hosted
    # Apart from its id and verification, the hosted assertion is the signed one.
    signed = _payload(award.ob2_jws)
    assert {k: v for k, v in hosted.items() if k not in ("id", "verification")} == {
        k: v for k, v in signed.items() if k not in ("id", "verification")
    }
    assert files[f"a/{award.id}.jws"] == award.ob2_jws.encode("ascii")
    assert files[f"a/{award.id}.vc.jwt"] == award.credential_jwt.encode("ascii")
    assert json.loads(files[f"a/{award.id}.vc.json"]) == award.credential
    assert bake.read_png(files[f"a/{award.id}.png"], bake.OB2_PNG_KEYWORD) == (
        files[f"a/{award.id}.json"].decode("utf-8")
    )
    assert bake.read_png(files[f"a/{award.id}.vc.png"], bake.OB3_PNG_KEYWORD) == (
        files[f"a/{award.id}.vc.json"].decode("utf-8")
    )
    svg = bake.read_svg_ob2(files[f"a/{award.id}.svg"])
    assert svg.verify == hosted["id"]
    assert json.loads(svg.text or "") == hosted
    assert json.loads(bake.read_svg_ob3(files[f"a/{award.id}.vc.svg"]).text or "") == (
        award.credential
    )


def test_the_files_of_an_award_of_an_svg_badge(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award = site.awards[awarded_repo.ids["chloe"]]
    files = dict(publish.award_files(site, award))
    assert sorted(files) == sorted(
        f"a/{award.id}.{suffix}" for suffix in ("json", "jws", "vc.json", "vc.jwt", "svg", "vc.svg")
    )
    assert json.loads(files[f"a/{award.id}.json"])["image"] == f"{S}a/{award.id}.svg"


def test_a_revoked_award_is_shown_revoked_everywhere(awarded_repo: AwardedRepo) -> None:
    bob = awarded_repo.ids["bob"]
    issuing.revoke(awarded_repo.site(), bob, "Erreur de saisie", datetime(2026, 2, 1, tzinfo=UTC))
    site = awarded_repo.site()
    files = publish.files(site)
    hosted = _json(files, f"a/{bob}.json")
    assert hosted["revoked"] is True
    assert hosted["revocationReason"] == "Erreur de saisie"
    signed_id = _payload(site.awards[bob].ob2_jws)["id"]
    assert signed_id.startswith("urn:uuid:")
    assert _json(files, "issuers/atelier-test/revocations.json")["revokedAssertions"] == [
        {"id": f"{S}a/{bob}.json", "revocationReason": "Erreur de saisie"},
        {"id": signed_id, "revocationReason": "Erreur de saisie"},
    ]
    assert _json(files, "issuers/atelier-test/status.json") == {
        "id": f"{S}issuers/atelier-test/status.json",
        "issuer": DID,
        "revokedCredentials": [
            {"id": f"{S}a/{bob}.vc.json", "revoked": True, "revocationReason": "Erreur de saisie"}
        ],
    }
    awa = _json(files, f"a/{awarded_repo.ids['awa']}.json")
    assert "revoked" not in awa


def test_issuer_documents(awarded_repo: AwardedRepo) -> None:
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
    files = publish.files(site)
    did = _json(files, "issuers/atelier-test/did.json")
    assert [m["id"] for m in did["verificationMethod"]] == [
        f"{DID}#{first.ed25519_id}",
        f"{DID}#{later.ed25519_id}",
    ]
    assert did["assertionMethod"] == [f"{DID}#{later.ed25519_id}"]
    jwks = _json(files, "issuers/atelier-test/jwks.json")["keys"]
    assert [k["kid"] for k in jwks] == [
        f"{S}issuers/atelier-test/keys/{first.rsa_id}.jwk.json",
        f"{S}issuers/atelier-test/keys/{later.rsa_id}.jwk.json",
    ]
    for jwk in jwks:
        assert set(jwk) == {"kty", "n", "e", "kid", "alg", "use"}
        path = jwk["kid"][len(S) :]
        assert _json(files, path) == jwk
        key = _json(files, path.replace(".jwk.json", ".json"))
        assert key["type"] == "CryptographicKey"
        public = keys.rsa_public_key_from_pem(key["publicKeyPem"])
        assert keys.rsa_public_key_to_jwk(public) == {k: jwk[k] for k in ("kty", "n", "e")}
    profile = _json(files, "issuers/atelier-test/profile.json")
    assert profile["publicKey"] == [
        f"{S}issuers/atelier-test/keys/{first.rsa_id}.json",
        f"{S}issuers/atelier-test/keys/{later.rsa_id}.json",
    ]
    # A network publishes its profile only.
    assert [p for p in files if p.startswith("issuers/reseau-test/")] == [
        "issuers/reseau-test/profile.json"
    ]


def test_badge_documents_of_an_older_version_still_awarded(awarded_repo: AwardedRepo) -> None:
    badge = awarded_repo.root / "badges" / "telephone.yaml"
    badge.write_text(
        badge.read_text(encoding="utf-8")
        .replace('version: "1.0"', 'version: "2.0"')
        .replace("Envoyer un SMS", "Envoyer un message"),
        encoding="utf-8",
    )
    site = awarded_repo.site()
    files = publish.files(site)
    telephone = sorted(p for p in files if p.startswith("badges/telephone/"))
    assert telephone == [
        "badges/telephone/image.png",
        "badges/telephone/v1.0/achievement.json",
        "badges/telephone/v1.0/atelier-test/badgeclass.json",
        "badges/telephone/v2.0/achievement.json",
        "badges/telephone/v2.0/atelier-test/badgeclass.json",
    ]
    old = site.awards[awarded_repo.ids["awa"]].credential["credentialSubject"]["achievement"]
    assert _json(files, "badges/telephone/v1.0/achievement.json") == old
    assert (
        "Envoyer un SMS"
        in _json(files, "badges/telephone/v1.0/atelier-test/badgeclass.json")["criteria"][
            "narrative"
        ]
    )
    assert (
        "Envoyer un message"
        in _json(files, "badges/telephone/v2.0/achievement.json")["criteria"]["narrative"]
    )


def test_badge_classes_exist_for_every_member_of_a_network(awarded_repo: AwardedRepo) -> None:
    files = publish.files(awarded_repo.site())
    assert sorted(p for p in files if p.startswith("badges/accueillir-1/")) == [
        "badges/accueillir-1/image.svg",
        "badges/accueillir-1/v1/achievement.json",
        "badges/accueillir-1/v1/atelier-test/badgeclass.json",
    ]


def test_every_link_to_the_site_in_a_document_is_published(awarded_repo: AwardedRepo) -> None:
    # Catalogue pages (.html) come from MkDocs; every other URL of ours must be a published file.
    site = awarded_repo.site()
    files = publish.files(site)
    missing = set()
    for path, data in files.items():
        if path.endswith((".jws", ".jwt")):
            text = json.dumps(_payload(data.decode("ascii")))
        elif path.endswith(".json"):
            text = data.decode("utf-8")
        else:
            continue
        for url in re.findall(re.escape(S) + r'[^"#\s]*', text):
            if not url.endswith(".html") and url[len(S) :] not in files:
                missing.add(f"{path} -> {url}")
    assert sorted(missing) == []


def test_publishing_is_deterministic(awarded_repo: AwardedRepo) -> None:
    first = publish.files(awarded_repo.site())
    again = publish.files(awarded_repo.site())
    assert first == again
    assert len(first) > 30


def test_a_compromised_rsa_key_is_published_in_no_form(awarded_repo: AwardedRepo) -> None:
    import dataclasses
    from types import MappingProxyType

    site = awarded_repo.site()
    issuer = site.issuers["atelier-test"]
    rsa_key = next(k for k in issuer.keys if k.type == "RSA")
    marked = dataclasses.replace(rsa_key, compromised="2030-01-01T00:00:00+00:00")
    keys = tuple(marked if k.id == rsa_key.id else k for k in issuer.keys)
    changed = dataclasses.replace(
        site,
        issuers=MappingProxyType(
            {**site.issuers, "atelier-test": dataclasses.replace(issuer, keys=keys)}
        ),
    )
    files = dict(publish.issuer_files(changed, changed.issuers["atelier-test"]))
    assert not [p for p in files if rsa_key.id in p]
    assert json.loads(files["issuers/atelier-test/jwks.json"]) == {"keys": []}
    assert "publicKey" not in json.loads(files["issuers/atelier-test/profile.json"])


def test_award_paths_name_exactly_the_files_an_award_publishes() -> None:
    """Incremental builds keep an unchanged award's files by these names: none may be missed."""
    from build_tools.pipeline import load_site
    from tests.conftest import DEMO

    site, _ = load_site(DEMO, check_signatures=False)
    assert site is not None
    formats = set()
    for award in site.awards.values():
        made = [path for path, _ in publish.award_files(site, award)]
        assert publish.award_paths(site, award) == made
        formats.add(site.badges[award.badge].image_format)
    assert formats == {"png", "svg"}


def test_awards_baked_from_one_read_of_their_badge_image_are_the_same_files() -> None:
    """The build reads each badge's image once and bakes every award into those bytes."""
    from build_tools.pipeline import load_site
    from tests.conftest import DEMO

    site, _ = load_site(DEMO, check_signatures=False)
    assert site is not None
    images: dict[str, publish.BadgeImage] = {}
    for award in site.awards.values():
        badge = site.badges[award.badge]
        if award.badge not in images:
            images[award.badge] = publish.BadgeImage(badge.image.read_bytes(), badge.image_format)
        image = images[award.badge]
        assert image.digest == hashlib.sha256(badge.image.read_bytes()).hexdigest()
        assert list(publish.award_files(site, award, image)) == list(
            publish.award_files(site, award)
        )
    assert {image.format for image in images.values()} == {"png", "svg"}


def test_a_key_prefix_gives_the_cache_key_of_all_the_parts() -> None:
    parts = ["https://b.example/", "", "é\0ü" * 40, "x" * 10_000, "[1,2]", "🦊"]
    for cut in range(len(parts) + 1):
        for middle in range(cut, len(parts) + 1):
            prefix = publish.KeyPrefix("kind", *parts[:cut]).extend(*parts[cut:middle])
            assert prefix.key(*parts[middle:]) == cache.key("kind", *parts)
    prefix = publish.KeyPrefix("kind", "a")
    assert prefix.key("b") == prefix.extend("b").key() == cache.key("kind", "a", "b")
    # Keys and extensions leave the prefix as it was.
    assert prefix.key() == cache.key("kind", "a") != cache.key("other", "a")


def test_document_keys_still_cover_every_input_of_the_documents(awarded_repo: AwardedRepo) -> None:
    """Keys hashed from a badge's prefix are those of the former, one-piece computation."""
    site = awarded_repo.site()
    bob = site.awards[awarded_repo.ids["bob"]]
    revoked = Revocation(bob.id, "Attribué par erreur", "2026-02-01T00:00:00Z")
    moved = dataclasses.replace(site.settings, site_url="https://other.example/")
    variants = [
        site,
        dataclasses.replace(site, revocations=MappingProxyType({bob.id: revoked})),
        dataclasses.replace(site, settings=moved),
    ]
    seen = set()
    for variant in variants:
        keys = publish.DocumentKeys(variant)
        for award in variant.awards.values():
            revocation = variant.revocations.get(award.id)
            image = variant.badges[award.badge].image.read_bytes()
            expected = cache.key(
                "published",
                variant.settings.site_url,
                variant.badges[award.badge].image_format,
                hashlib.sha256(image).hexdigest(),
                cache.stable_json([revocation.reason, revocation.date] if revocation else None),
                cache.award_record(award),
            )
            assert keys(award) == keys(award, cache.award_record(award)) == expected
            assert keys.images[award.badge].data == image
        seen.add(keys(bob))
    assert len(seen) == len(variants)
    # Another image is another key.
    badge = site.badges[bob.badge]
    badge.image.write_bytes(bake.bake_png(badge.image.read_bytes(), "Comment", "autre"))
    assert publish.DocumentKeys(site)(bob) not in seen


def _reference(document: Any) -> bytes:
    """What :func:`publish.dump` wrote before orjson: the bytes it must still give."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def test_dump_escapes_every_character_as_json_does() -> None:
    # Every code point but the surrogates, 256 to a string, as values and as keys.
    texts = [
        "".join(chr(c) for c in range(start, start + 256) if not 0xD800 <= c <= 0xDFFF)
        for start in range(0, 0x110000, 256)
    ]
    document = {"values": texts, "keys": {text: i for i, text in enumerate(texts)}}
    written = publish.dump(document)
    assert orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n" == written
    assert written == _reference(document)
    assert json.loads(written) == document


_TRICKY = [
    *map(chr, range(0x20)),
    '"',
    "\\",
    "/",
    "\x7f",
    "\x85",
    "\xa0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\uffff",
    "é",
    "😀",
    "👩🏽‍🔬",
    "\U0010ffff",
    "</script>",
    "a",
    " ",
]
# orjson writes integers from -2**63 to 2**64 - 1; the others are left to json.
_INTEGERS = [0, 1, -1, 10, -10, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64 - 1]


def _random_document(chance: random.Random, depth: int = 0) -> Any:
    """A document of the plain JSON types, nested up to 4 levels."""
    kind = chance.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return "".join(chance.choice(_TRICKY) for _ in range(chance.randrange(12)))
    if kind == 1:
        return chance.choice([*_INTEGERS, chance.randint(-(2**63), 2**64 - 1)])
    if kind == 2:
        return chance.choice([True, False, None])
    if kind in (3, 4):
        return chance.choice(["", [], {}])
    if kind in (5, 6):
        return {
            str(_random_document(chance, 4)): _random_document(chance, depth + 1)
            for _ in range(chance.randrange(5))
        }
    return [_random_document(chance, depth + 1) for _ in range(chance.randrange(5))]


def test_orjson_gives_the_bytes_of_json_dumps_for_random_documents() -> None:
    chance = random.Random(2026)
    for _ in range(2_000):
        document = _random_document(chance)
        written = publish.dump(document)
        # The claim dump rests on: orjson itself writes these documents as json does.
        assert orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n" == written, document
        assert written == _reference(document)
        assert json.loads(written) == document


@pytest.mark.parametrize(
    "document",
    [
        # What orjson writes differently or refuses is left to json, so nothing changes.
        [0.1, 1.0, -0.0, 1e-05, 3.2e-09, 1e16, 5e-324, 1.7976931348623157e308],
        {"nan": math.nan, "infinity": math.inf, "minus": -math.inf},
        {2: "a", None: "b", True: "c", 2.5: "d"},
        [2**64, -(2**63) - 1],
        (1, ("a", {"b": ()})),
        collections.OrderedDict(b=1, a=2),
        {"markup": Markup("<b>"), "enum": http.HTTPStatus.OK},
        functools.reduce(lambda inner, _: [inner], range(300), []),
        "",
        None,
    ],
)
def test_dump_leaves_what_orjson_writes_differently_to_json(document: Any) -> None:
    assert publish.dump(document) == _reference(document)


def test_dump_refuses_what_json_refuses() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        publish.dump({"a": cycle})
    for value in [datetime(2026, 1, 1, tzinfo=UTC), {1, 2}, MappingProxyType({"a": 1})]:
        with pytest.raises(TypeError, match="not JSON serializable"):
            publish.dump({"a": [value]})
    with pytest.raises(UnicodeEncodeError):
        publish.dump(["\ud800"])
