"""Tests of build_tools.urls: the published layout, did:web identifiers and their documents."""

from __future__ import annotations

import pytest

from build_tools import ob2
from build_tools.urls import Urls, did_web_to_url
from tests.conftest import PROJECT

LAYOUT = (PROJECT / "docs" / "url-layout.md").read_text(encoding="utf-8")


def test_site_url_must_end_with_a_slash() -> None:
    with pytest.raises(ValueError, match="site_url must end with '/'"):
        Urls("https://badges.example.org/cvl")


@pytest.mark.parametrize(
    "path",
    [
        Urls.badge_page("<badge>"),
        Urls.issuer_page("<issuer>"),
        Urls.did_document("<issuer>"),
        Urls.jwks("<issuer>"),
        Urls.ob2_profile("<issuer>"),
        Urls.ob2_key("<issuer>", "<key>"),
        Urls.jwk("<issuer>", "<key>"),
        Urls.ob2_revocations("<issuer>"),
        Urls.ob3_status("<issuer>"),
        Urls.ob2_badgeclass("<badge>", "<version>", "<issuer>"),
        Urls.ob3_achievement("<badge>", "<version>"),
        Urls.assertion_page("<id>"),
        *(
            Urls.assertion_file("<id>", suffix)
            for suffix in ("json", "jws", "vc.json", "vc.jwt", "png", "svg", "vc.png", "vc.svg")
        ),
    ],
)
def test_every_path_is_the_one_the_layout_document_promises(path: str) -> None:
    # A path once published never moves: the code and docs/url-layout.md must agree.
    assert f"`S/{path}`" in LAYOUT


def test_badge_image_paths() -> None:
    assert Urls.badge_image("telephone", "png") == "badges/telephone/image.png"
    assert "`S/badges/<badge>/image.<png|svg>`" in LAYOUT


def test_the_2_0_badge_class_path_names_its_issuer() -> None:
    assert ob2.badge_class_path("b", "1.0", "i") == Urls.ob2_badgeclass("b", "1.0", "i")
    assert Urls.ob2_badgeclass("b", "1.0", "i") == "badges/b/v1.0/i/badgeclass.json"


def test_absolute_and_path_of() -> None:
    urls = Urls("https://badges.example.org/cvl/")
    assert urls.absolute("a/x.json") == "https://badges.example.org/cvl/a/x.json"
    assert urls.path_of("https://badges.example.org/cvl/a/x.json") == "a/x.json"
    assert urls.path_of("https://badges.example.org/autre/a/x.json") is None
    assert urls.path_of("https://ailleurs.example/cvl/a/x.json") is None


@pytest.mark.parametrize(
    ("site_url", "did", "document"),
    [
        (
            "https://badges.example.org/cvl/",
            "did:web:badges.example.org:cvl:issuers:atelier-blois",
            "https://badges.example.org/cvl/issuers/atelier-blois/did.json",
        ),
        (
            "https://badges.example.org/",
            "did:web:badges.example.org:issuers:atelier-blois",
            "https://badges.example.org/issuers/atelier-blois/did.json",
        ),
        (
            "https://localhost:8443/a/b/",
            "did:web:localhost%3A8443:a:b:issuers:atelier-blois",
            "https://localhost:8443/a/b/issuers/atelier-blois/did.json",
        ),
    ],
)
def test_did_web_of_an_issuer_resolves_to_its_published_document(
    site_url: str, did: str, document: str
) -> None:
    urls = Urls(site_url)
    assert urls.did("atelier-blois") == did
    assert urls.absolute(urls.did_document("atelier-blois")) == document
    assert did_web_to_url(did) == document
    assert urls.verification_method("atelier-blois", "ed25519-2026-01-10") == (
        f"{did}#ed25519-2026-01-10"
    )
    assert did_web_to_url(f"{did}#ed25519-2026-01-10") == document


def test_did_web_of_a_bare_host_uses_the_well_known_path() -> None:
    assert did_web_to_url("did:web:example.org") == "https://example.org/.well-known/did.json"
    assert (
        did_web_to_url("did:web:example.org%3A3000#key-1")
        == "https://example.org:3000/.well-known/did.json"
    )


@pytest.mark.parametrize("did", ["did:key:z6Mkabc", "https://example.org/", "did:webx:a"])
def test_did_web_to_url_refuses_other_identifiers(did: str) -> None:
    with pytest.raises(ValueError, match="not a did:web identifier"):
        did_web_to_url(did)
