"""Tests of build_tools.jsonld_loader: packaged contexts, the offline loader, safe mode."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from build_tools import jsonld_loader
from build_tools.jsonld_loader import (
    InvalidDocument,
    OfflineDocumentLoader,
    UndefinedTermError,
    UnknownContextError,
    VerificationError,
    canonicalize,
)

CONTEXTS = resources.files("build_tools").joinpath("contexts")
DATA = Path(__file__).parents[1] / "data" / "signing"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _credential(**extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": "https://badges.example.org/a/abc.vc.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:badges.example.org:issuers:x", "type": ["Profile"], "name": "X"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Accueillir",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.org/badges/accueillir/v1/achievement.json",
                "type": ["Achievement"],
                "name": "Accueillir un public",
                "description": "Savoir accueillir.",
                "criteria": {"narrative": "Observé en situation."},
            },
        },
    }
    credential.update(extra)
    return credential


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the JSON-LD loader tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# The packaged files.


def test_every_indexed_context_is_packaged_and_parses() -> None:
    index = json.loads(CONTEXTS.joinpath("index.json").read_text(encoding="utf-8"))
    names = {entry.name for entry in CONTEXTS.iterdir()}
    assert set(index.values()) | {"index.json", "NOTICE.md"} == names
    for url, name in index.items():
        document = json.loads(CONTEXTS.joinpath(name).read_text(encoding="utf-8"))
        assert "@context" in document, url
    assert jsonld_loader.packaged_context_urls() == frozenset(index)


def test_notice_lists_every_file_with_its_digest() -> None:
    notice = CONTEXTS.joinpath("NOTICE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| (\S+) \| `([0-9a-f]{16})` \|$", notice, re.MULTILINE)
    index = json.loads(CONTEXTS.joinpath("index.json").read_text(encoding="utf-8"))
    assert {(url, name) for name, url, _ in rows} == set(index.items())
    for name, _url, digest in rows:
        # A changed context breaks every signature made with it: the digests pin the files.
        assert hashlib.sha256(CONTEXTS.joinpath(name).read_bytes()).hexdigest()[:16] == digest
    text = " ".join(notice.split())
    for needed in ("W3C Software and Document License", "Specification Document License"):
        assert needed in text


# The loader.


def test_loader_answers_packaged_urls_without_network(no_network: None) -> None:
    loader = OfflineDocumentLoader()
    remote = loader(VC_V2, {})
    assert remote["documentUrl"] == VC_V2
    assert remote["contextUrl"] is None
    assert remote["document"]["@context"]["VerifiableCredential"]["@id"].endswith(
        "credentials#VerifiableCredential"
    )
    assert VC_V2 in loader.known_urls


def test_loader_returns_copies() -> None:
    loader = OfflineDocumentLoader()
    loader(VC_V2)["document"]["@context"]["name"] = "https://evil.example/name"
    assert loader(VC_V2)["document"]["@context"]["name"] == "https://schema.org/name"
    packaged = jsonld_loader.packaged_context(VC_V2)
    packaged.clear()
    assert jsonld_loader.packaged_context(VC_V2)


@pytest.mark.parametrize(
    "url",
    [
        EXAMPLES_V2,
        "https://www.w3.org/ns/credentials/v2/",
        "http://www.w3.org/ns/credentials/v2",
        "https://evil.example/context.json",
        "",
    ],
)
def test_loader_refuses_unknown_urls(url: str, no_network: None) -> None:
    with pytest.raises(UnknownContextError) as raised:
        OfflineDocumentLoader()(url)
    assert raised.value.url == url
    assert repr(url)[1:-1] in str(raised.value)
    assert isinstance(raised.value, VerificationError)


def test_extra_documents(no_network: None) -> None:
    examples = json.loads((DATA / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
    loader = OfflineDocumentLoader({EXAMPLES_V2: examples})
    examples["@context"]["@vocab"] = "https://changed.example/#"
    assert loader(EXAMPLES_V2)["document"]["@context"]["@vocab"].startswith(
        "https://www.w3.org/ns/credentials/examples#"
    )
    with pytest.raises(ValueError):
        OfflineDocumentLoader({"": {}})
    with pytest.raises(ValueError):
        OfflineDocumentLoader({EXAMPLES_V2: "not a document"})


def test_extra_documents_do_not_leak_between_loaders() -> None:
    examples = json.loads((DATA / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
    document = {"@context": [VC_V2, EXAMPLES_V2], "type": ["VerifiableCredential"], "x": 1}
    canonicalize(document, OfflineDocumentLoader({EXAMPLES_V2: examples}))
    with pytest.raises(UnknownContextError):
        canonicalize(document, OfflineDocumentLoader())


# Canonicalisation and safe mode.


def test_canonicalize_an_open_badges_credential_offline(no_network: None) -> None:
    nquads = canonicalize(_credential())
    assert nquads.endswith(" .\n")
    assert (
        "<https://badges.example.org/a/abc.vc.json> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> ." in nquads
    )
    # Key order does not change the canonical form.
    reordered = dict(reversed(list(_credential().items())))
    assert canonicalize(reordered) == nquads


def test_unknown_context_inside_a_document(no_network: None) -> None:
    with pytest.raises(UnknownContextError) as raised:
        canonicalize(_credential(**{"@context": [VC_V2, "https://evil.example/ctx.jsonld"]}))
    assert raised.value.url == "https://evil.example/ctx.jsonld"


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        ({"colour": "blue"}, "term colour"),
        (
            {"type": ["VerifiableCredential", "OpenBadgeCredential", "BadgeDeLuxe"]},
            "type BadgeDeLuxe",
        ),
        ({"id": "relative/abc"}, "@id relative/abc"),
        ({"@unknownKeyword": 1}, "a key with no IRI"),
    ],
)
def test_safe_mode_refuses_undefined_terms(change: dict[str, Any], reported: str) -> None:
    with pytest.raises(UndefinedTermError) as raised:
        canonicalize(_credential(**change))
    assert any(term.startswith(reported) for term in raised.value.terms), raised.value.terms
    assert isinstance(raised.value, VerificationError)


def test_safe_mode_lists_every_dropped_term_even_nested() -> None:
    credential = _credential(colour="blue")
    credential["credentialSubject"]["achievement"]["level"] = "expert"
    credential["credentialSubject"]["achievement"]["criteria"]["duration"] = "3h"
    with pytest.raises(UndefinedTermError) as raised:
        canonicalize(credential)
    assert raised.value.terms == ("term colour", "term duration", "term level")


def test_safe_mode_accepts_terms_defined_by_vocab() -> None:
    undefined_terms = "https://www.w3.org/ns/credentials/undefined-terms/v2"
    credential = _credential(colour="blue")
    credential["@context"] = [VC_V2, OB_V3, undefined_terms]
    assert "undefined-term#colour" in canonicalize(credential)


@pytest.mark.parametrize(
    "document",
    [
        {"name": "no context"},
        {"@context": 5, "name": "x"},
        {"@context": [VC_V2, {"id": "https://redefines.example/id"}], "id": "urn:x"},
    ],
)
def test_invalid_documents(document: dict[str, Any]) -> None:
    with pytest.raises(InvalidDocument):
        canonicalize(document)


def test_find_unknown_context_walks_the_cause_chain() -> None:
    unknown = UnknownContextError("https://x.example/")
    try:
        try:
            raise unknown
        except UnknownContextError as error:
            raise RuntimeError("wrapped") from error
    except RuntimeError as outer:
        assert jsonld_loader.find_unknown_context(outer) is unknown
    assert jsonld_loader.find_unknown_context(RuntimeError("alone")) is None
