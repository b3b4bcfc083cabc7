"""The "Vérifier un badge" page (verifier.html) and its English twin (en/verifier.html) in
Chromium: files and tokens checked in the browser.

The site is the shared e2e build (tests/e2e/conftest.py: awards "valid", "revoked", "expired",
site_url https://badges.example.org/test/ served from 127.0.0.1). Each test gives the page a
baked image through its file input, or pastes a token, and reads the verdict that the script
writes on ``#bdg-result``. Tampered inputs are made here, in Python, from the built files; the
badges of "another issuer" and of a did:key are signed here with fresh keys, and the other
issuer's site is played by Playwright routes, so nothing leaves the machine.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from playwright.sync_api import Page, Route

from build_tools import bake, keys, signing
from tests.e2e.conftest import REVOCATION_REASON, Axe, BuiltSite, Tab, TabFactory

pytestmark = pytest.mark.e2e

PAGE = "verifier.html"
#: Generous bounds for a 2-core CI machine; the measured times are printed (pytest -s).
FIRST_DATA_INTEGRITY_BUDGET_MS = 3000
DATA_INTEGRITY_BUDGET_MS = 1000
OTHER_ISSUER = "https://issuer.example.net"
OTHER_DID = "did:web:issuer.example.net"
#: The formats the page names.
DI = "Open Badges 3.0, preuve Data Integrity eddsa-rdfc-2022"
HOSTED = "Open Badges 2.0, assertion hébergée"
VC_JWT = "Open Badges 3.0, VC-JWT (RS256)"
SIGNED = "Open Badges 2.0, assertion signée (JWS RS256)"


@dataclass(frozen=True)
class Verdict:
    verdict: str
    title: str
    detail: str
    format: str
    checks: dict[str, tuple[str, str]]
    elapsed_ms: int
    signature_ms: int | None


def remote_requests(tab: Tab) -> list[str]:
    """Requests to another host (the blob: URL of the dropped image's preview is local)."""
    return [url for url in tab.foreign_requests() if not url.startswith("blob:")]


def open_verifier(tab: Tab, url: str) -> Page:
    tab.page.goto(url + PAGE)
    return tab.page


def _clear(page: Page) -> None:
    # Evaluated through the DevTools protocol, which the page's policy does not restrict.
    page.evaluate("() => { delete document.getElementById('bdg-result').dataset.verdict; }")


def read_verdict(page: Page) -> Verdict:
    """Wait for the script's verdict and read it, with every check (name -> outcome, message)."""
    page.wait_for_selector("#bdg-result[data-verdict]:not([aria-busy])", state="visible")
    found: dict[str, Any] = page.evaluate(
        """() => {
          const result = document.getElementById("bdg-result");
          const text = (id) => document.getElementById(id).textContent;
          return {
            verdict: result.dataset.verdict,
            elapsed: Number(result.dataset.elapsedMs),
            signature: result.dataset.signatureMs,
            title: text("bdg-status-title"),
            detail: text("bdg-status-detail"),
            format: text("bdg-fact-format"),
            checks: [...document.querySelectorAll(".bdg-check")].map((li) => [
              li.dataset.check, li.dataset.outcome, li.textContent]),
          };
        }"""
    )
    return Verdict(
        found["verdict"],
        found["title"],
        found["detail"],
        found["format"],
        {name: (outcome, text) for name, outcome, text in found["checks"]},
        found["elapsed"],
        int(found["signature"]) if found["signature"] else None,
    )


def give_file(page: Page, path: Path) -> Verdict:
    _clear(page)
    page.set_input_files("#bdg-file", str(path))
    return read_verdict(page)


def paste(page: Page, text: str, button: str = "Vérifier le texte collé") -> Verdict:
    _clear(page)
    page.fill("#bdg-text", text)
    page.get_by_role("button", name=button).click()
    return read_verdict(page)


def built(site: BuiltSite, key: str, suffix: str) -> Path:
    return site.site / "a" / f"{site.ids[key]}.{suffix}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    document: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return document


def _with_payload(token: str, change: Callable[[dict[str, Any]], None]) -> str:
    """The token with its payload changed and its signature kept (a forgery)."""
    header, _, signature = token.split(".")
    payload = _payload(token)
    change(payload)
    return f"{header}.{_b64url(json.dumps(payload).encode())}.{signature}"


def _rename(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["name"] = "Piloter un Airbus"


# Files of the site, baked or not, read by the page.


@pytest.mark.parametrize(
    ("award", "suffix", "verdict", "form"),
    [
        ("valid", "vc.png", "valid", DI),
        ("valid", "png", "valid", HOSTED),
        ("valid", "svg", "valid", HOSTED),
        ("valid", "vc.svg", "valid", DI),
        ("valid", "vc.json", "valid", DI),
        ("valid", "json", "valid", HOSTED),
        ("revoked", "vc.png", "revoked", DI),
        ("revoked", "svg", "revoked", HOSTED),
        ("expired", "vc.svg", "expired", DI),
        ("expired", "svg", "expired", HOSTED),
    ],
)
def test_a_dropped_file_gets_its_verdict(
    tab: Tab, built_site: BuiltSite, base_url: str, award: str, suffix: str, verdict: str, form: str
) -> None:
    methods: list[str] = []
    page = open_verifier(tab, base_url)
    page.on("request", lambda request: methods.append(request.method))
    result = give_file(page, built(built_site, award, suffix))
    assert (result.verdict, result.format) == (verdict, form), result
    assert result.checks["signature"][0] == "ok"
    if verdict == "revoked":
        assert result.title == "Badge révoqué"
        assert f"Motif : {REVOCATION_REASON}." in result.detail
    elif verdict == "expired":
        assert result.title == "Badge expiré"
        assert "expiré depuis le 1er janvier 2021" in result.checks["validité"][1]
    else:
        assert result.title == "Badge authentique et valide"
        assert "Atelier de test" in result.detail
    # A badge of this site leads to its own page, with its criteria and endorsements.
    link = page.locator("#bdg-page-link a")
    assert link.is_visible()
    assert link.get_attribute("href") == f"a/{built_site.ids[award]}.html"
    # Nothing is uploaded: the page only reads (our own documents, here, never another host).
    assert set(methods) == {"GET"}
    assert remote_requests(tab) == []
    assert tab.errors == []
    assert page.evaluate("() => window.__bdgCsp") == []


@pytest.mark.parametrize(
    ("award", "suffix", "verdict", "form"),
    [
        ("valid", "vc.jwt", "valid", VC_JWT),
        ("valid", "jws", "valid", SIGNED),
        ("revoked", "vc.jwt", "revoked", VC_JWT),
        ("revoked", "jws", "revoked", SIGNED),
        ("expired", "vc.jwt", "expired", VC_JWT),
    ],
)
def test_a_pasted_token_gets_its_verdict(
    tab: Tab, built_site: BuiltSite, base_url: str, award: str, suffix: str, verdict: str, form: str
) -> None:
    page = open_verifier(tab, base_url)
    result = paste(page, built(built_site, award, suffix).read_text(encoding="ascii"))
    assert (result.verdict, result.format) == (verdict, form), result
    assert result.checks["signature"][0] == "ok"
    # The JSON-LD bundle is loaded only for a Data Integrity proof.
    assert not [url for url in tab.requests if url.endswith("jsonld.min.js")]


def test_the_address_of_a_verification_page_can_be_pasted(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    page = open_verifier(tab, base_url)
    result = paste(page, f"https://badges.example.org/test/a/{built_site.ids['revoked']}.html")
    assert (result.verdict, result.format) == ("revoked", DI)
    # The badge class, in the French catalogue; the same from its hosted 2.0 assertion.
    catalogue = page.get_by_role("link", name="Voir le badge dans le catalogue")
    href = catalogue.get_attribute("href") or ""
    assert re.fullmatch(r"badges/[a-z0-9-]+\.html", href), href
    assert page.evaluate("async (href) => (await fetch(href)).status", href) == 200
    hosted = paste(page, f"https://badges.example.org/test/a/{built_site.ids['valid']}.json")
    assert (hosted.verdict, hosted.format) == ("valid", HOSTED)
    assert catalogue.get_attribute("href") == href


# Forgeries and files that hold no badge.


def _forged_credential(site: BuiltSite) -> str:
    credential = json.loads(built(site, "valid", "vc.json").read_text(encoding="utf-8"))
    _rename(credential)
    return json.dumps(credential)


def _forged_png(site: BuiltSite) -> bytes:
    png = bake.unbake_png(built(site, "valid", "vc.png").read_bytes())
    return bake.bake_png(png, bake.OB3_PNG_KEYWORD, _forged_credential(site))


def _forged_hosted_svg(site: BuiltSite) -> bytes:
    assertion = json.loads(built(site, "valid", "json").read_text(encoding="utf-8"))
    assertion["expires"] = "2099-01-01T00:00:00Z"
    svg = bake.png_to_svg(bake.unbake_png(built(site, "valid", "vc.png").read_bytes()))
    return bake.bake_svg_ob2(svg, verify=assertion["id"], assertion_json=json.dumps(assertion))


def _corrupt_png(site: BuiltSite) -> bytes:
    png = bytearray(built(site, "valid", "vc.png").read_bytes())
    png[20] ^= 0xFF  # A byte of the IHDR chunk: its CRC no longer matches.
    return bytes(png)


def _alg_none(site: BuiltSite) -> str:
    token = built(site, "valid", "vc.jwt").read_text(encoding="ascii")
    return _b64url(b'{"alg":"none","typ":"JWT"}') + "." + token.split(".")[1] + "."


def _unproven(site: BuiltSite) -> str:
    credential = json.loads(built(site, "valid", "vc.json").read_text(encoding="utf-8"))
    del credential["proof"]
    return json.dumps(credential)


def _extended(site: BuiltSite, change: Callable[[dict[str, Any]], None]) -> str:
    credential = json.loads(built(site, "valid", "vc.json").read_text(encoding="utf-8"))
    change(credential)
    return json.dumps(credential)


FORGERIES: dict[str, tuple[str, Callable[[BuiltSite], str | bytes], str, str, str]] = {
    # name: (file suffix, or "" to paste; the input; verdict; failed check; words of its message)
    "credential renamed": ("json", _forged_credential, "invalid", "signature", "ne correspond pas"),
    "png rebaked": ("png", _forged_png, "invalid", "signature", "ne correspond pas"),
    "vc-jwt renamed": (
        "",
        lambda s: _with_payload(built(s, "valid", "vc.jwt").read_text("ascii"), _rename),
        "invalid",
        "signature",
        "ne correspond pas",
    ),
    "jws extended": (
        "",
        lambda s: _with_payload(
            built(s, "valid", "jws").read_text("ascii"),
            lambda p: p.update(expires="2099-01-01T00:00:00Z"),
        ),
        "invalid",
        "signature",
        "ne correspond pas",
    ),
    "hosted svg extended": (
        "svg",
        _forged_hosted_svg,
        "invalid",
        "signature",
        "ne correspond pas à l'assertion servie",
    ),
    "alg none": ("", _alg_none, "invalid", "signature", "refusé : seul RS256"),
    "no proof": ("", _unproven, "invalid", "signature", "aucune preuve"),
    "unknown context": (
        "",
        lambda s: _extended(s, lambda c: c["@context"].append("https://example.org/contexte")),
        "invalid",
        "signature",
        "contexte JSON-LD inconnu, refusé (aucun chargement par le réseau) : https://example.org/contexte",
    ),
    "undefined term": (
        "",
        lambda s: _extended(s, lambda c: c.update(commentaire="ajouté après la signature")),
        "invalid",
        "signature",
        "terme non défini par les contextes du badge : commentaire",
    ),
    "corrupt png": ("png", _corrupt_png, "unreadable", "lecture", "somme de contrôle"),
    "plain text": ("", lambda _s: "bonjour", "unreadable", "lecture", "ni JSON, ni JWS"),
}


def submit_forgery(
    page: Page, built_site: BuiltSite, tmp_path: Path, name: str, button: str
) -> Verdict:
    """Give the page the forgery ``name`` of FORGERIES: dropped as a file, or pasted."""
    suffix, make, *_ = FORGERIES[name]
    content = make(built_site)
    if suffix:
        path = tmp_path / f"badge.{suffix}"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return give_file(page, path)
    assert isinstance(content, str)
    return paste(page, content, button)


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forgery_or_a_non_badge_is_refused(
    tab: Tab, built_site: BuiltSite, base_url: str, tmp_path: Path, name: str
) -> None:
    _, _, verdict, check, words = FORGERIES[name]
    page = open_verifier(tab, base_url)
    result = submit_forgery(page, built_site, tmp_path, name, "Vérifier le texte collé")
    assert result.verdict == verdict, result
    outcome, message = result.checks[check]
    assert outcome == "failed"
    assert words in message
    title = {"invalid": "Signature invalide", "unreadable": "Badge illisible"}[verdict]
    assert result.title == title
    # What a forgery claims leads nowhere, not even to the page of the badge it copies.
    assert page.locator("#bdg-page-link").is_hidden()
    assert page.locator("#bdg-class-link").is_hidden()
    assert tab.errors == []


# The recipient, checked locally.


def test_the_email_address_is_compared_in_the_browser(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    page = open_verifier(tab, base_url)
    page.fill("#bdg-email", "  awa@EXAMPLE.org ")
    result = give_file(page, built(built_site, "valid", "vc.png"))
    assert result.verdict == "valid"
    assert result.checks["destinataire"] == (
        "ok",
        "✓ réussi Destinataire : délivré à cette adresse",
    )
    asked = len(tab.requests)
    _clear(page)
    page.fill("#bdg-email", "bob@example.org")
    page.get_by_role("button", name="Comparer l'adresse").click()
    result = read_verdict(page)
    assert result.verdict == "recipient"
    assert result.title == "Badge délivré à une autre adresse"
    assert result.checks["destinataire"][0] == "failed"
    assert result.checks["signature"][0] == "ok"
    # The comparison is made without a single request.
    assert len(tab.requests) == asked
    assert "bob@example.org" not in " ".join(tab.requests)
    assert page.locator("#bdg-live").inner_text().startswith("Destinataire : ce badge n'a pas")


# Badges of other issuers: did:key, and a did:web on another host.


def _signed_elsewhere(
    site: BuiltSite, issuer: str, method: str, key: ed25519.Ed25519PrivateKey, status: str | None
) -> dict[str, Any]:
    credential = json.loads(built(site, "valid", "vc.json").read_text(encoding="utf-8"))
    del credential["proof"]
    credential["issuer"]["id"] = issuer
    credential["issuer"]["name"] = "Un autre organisme"
    if status is None:
        del credential["credentialStatus"]
    else:
        credential["credentialStatus"]["id"] = status
    created = datetime(2026, 1, 10, tzinfo=UTC)
    return signing.add_eddsa_rdfc_2022_proof(credential, key, method, created)


def test_a_did_key_credential(tab: Tab, built_site: BuiltSite, base_url: str) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    multibase = keys.ed25519_public_key_to_multibase(key.public_key())
    did = f"did:key:{multibase}"
    credential = _signed_elsewhere(built_site, did, f"{did}#{multibase}", key, None)
    page = open_verifier(tab, base_url)
    result = paste(page, json.dumps(credential))
    assert result.verdict == "valid", result
    assert result.checks["signature"] == (
        "ok",
        f"✓ réussi Signature et émetteur : preuve vérifiée avec la clé {did}#{multibase}",
    )
    assert result.checks["révocation"][0] == "warning"
    assert "révocation n'a pas pu être vérifiée" in result.detail
    _rename(credential)
    assert paste(page, json.dumps(credential)).verdict == "invalid"
    assert remote_requests(tab) == []


def _serve_other_issuer(page: Page, did_document: dict[str, Any] | None) -> list[str]:
    """Play the other issuer's site: its DID document and an empty revocation list."""
    asked: list[str] = []
    documents = {
        f"{OTHER_ISSUER}/.well-known/did.json": did_document,
        f"{OTHER_ISSUER}/status.json": {
            "id": f"{OTHER_ISSUER}/status.json",
            "revokedCredentials": [],
        },
    }

    def answer(route: Route) -> None:
        url = route.request.url
        asked.append(url)
        body = documents.get(url)
        if body is None:
            route.fulfill(status=404, body="absent", headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.fulfill(
                status=200,
                body=json.dumps(body),
                headers={"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
            )

    page.route(f"{OTHER_ISSUER}/**", answer)
    return asked


def test_another_issuer_is_asked_for_its_key_and_list(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    method = f"{OTHER_DID}#cle-1"
    credential = _signed_elsewhere(
        built_site, OTHER_DID, method, key, f"{OTHER_ISSUER}/status.json"
    )
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": OTHER_DID,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": OTHER_DID,
                "publicKeyMultibase": keys.ed25519_public_key_to_multibase(key.public_key()),
            }
        ],
        "assertionMethod": [method],
    }
    page = open_verifier(tab, base_url)
    asked = _serve_other_issuer(page, did_document)
    result = paste(page, json.dumps(credential))
    assert result.verdict == "valid", result
    assert result.checks["révocation"][0] == "ok"
    assert asked == [f"{OTHER_ISSUER}/.well-known/did.json", f"{OTHER_ISSUER}/status.json"]
    assert page.locator("#bdg-sources li").all_text_contents() == asked
    # The issuer's site saw requests for its own documents, never the badge.
    assert remote_requests(tab) == asked
    assert tab.errors == []
    assert page.evaluate("() => window.__bdgCsp") == []


def test_an_issuer_whose_did_document_is_missing(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    """Without the issuer's key, nothing is proven either way: the badge is neither shown
    valid nor called forged (as `badgeons verify` says, checker.Report.verdict)."""
    key = ed25519.Ed25519PrivateKey.generate()
    credential = _signed_elsewhere(built_site, OTHER_DID, f"{OTHER_DID}#cle-1", key, None)
    page = open_verifier(tab, base_url)
    _serve_other_issuer(page, None)
    result = paste(page, json.dumps(credential))
    assert result.verdict == "unreachable"
    assert result.title == "Vérification impossible"
    assert result.checks["signature"] == (
        "failed",
        "? impossible Signature et émetteur : document DID introuvable : "
        f"{OTHER_ISSUER}/.well-known/did.json : erreur HTTP 404",
    )
    assert "ni confirmé ni réfuté" in result.detail
    assert page.locator("#bdg-facts-title").inner_text() == (
        "Ce que dit le fichier (rien n'en est garanti)"
    )
    assert tab.errors == []
    tab.screenshot("verifier-unreachable")


@pytest.mark.parametrize(
    ("suffix", "jwk"), [("vc.jwt", True), ("jws", False)], ids=["vc-jwt", "ob2-signed"]
)
def test_a_key_that_cannot_be_fetched_leaves_the_badge_unchecked(
    tab: Tab, built_site: BuiltSite, base_url: str, suffix: str, jwk: bool
) -> None:
    page = open_verifier(tab, base_url)
    # The issuer's site answers, but not for its keys (JWK for the VC-JWT, 2.0 key otherwise).
    page.route(
        lambda url: "/keys/" in url and url.endswith(".jwk.json") == jwk,
        lambda route: route.fulfill(status=503, body=""),
    )
    result = give_file(page, built(built_site, "valid", suffix))
    assert result.verdict == "unreachable", result
    outcome, text = result.checks["signature"]
    assert outcome == "failed"
    assert text.startswith("? impossible Signature et émetteur : ") and "erreur HTTP 503" in text
    assert result.title == "Vérification impossible"


# Speed, keyboard, phone, accessibility.


def test_the_data_integrity_check_is_fast_enough(
    tab: Tab, built_site: BuiltSite, base_url: str, record_property: Callable[[str, object], None]
) -> None:
    page = open_verifier(tab, base_url)
    first = give_file(page, built(built_site, "valid", "vc.json"))
    again = give_file(page, built(built_site, "valid", "vc.png"))
    assert first.verdict == again.verdict == "valid"
    assert first.signature_ms is not None and again.signature_ms is not None
    record_property("first_data_integrity_ms", first.signature_ms)
    record_property("data_integrity_ms", again.signature_ms)
    print(
        f"Data Integrity check: first {first.signature_ms} ms (bundle and contexts loaded), "
        f"then {again.signature_ms} ms; whole verification {first.elapsed_ms} / {again.elapsed_ms} ms"
    )
    assert first.signature_ms < FIRST_DATA_INTEGRITY_BUDGET_MS
    assert again.signature_ms < DATA_INTEGRITY_BUDGET_MS
    assert [url for url in tab.requests if url.endswith("jsonld.min.js")] == [
        base_url + "assets/badgeons/vendor/jsonld.min.js"
    ]
    tab.screenshot("verifier-desktop")


def test_a_phone_user_can_do_everything_with_the_keyboard(
    new_tab: TabFactory, built_site: BuiltSite, base_url: str
) -> None:
    tab = new_tab(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_verifier(tab, base_url)
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        )
    # Header links, then the file input, the text area and its button, the address field.
    assert order.index("bdg-file") < order.index("bdg-text") < order.index("bdg-email"), order
    page.focus("#bdg-text")
    page.keyboard.insert_text(built(built_site, "revoked", "vc.jwt").read_text("ascii"))
    _clear(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    result = read_verdict(page)
    assert result.verdict == "revoked"
    # The verdict takes the focus, and the page never scrolls sideways.
    assert page.evaluate("() => document.activeElement.id") == "bdg-status-title"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    tab.screenshot("verifier-phone")


def test_the_page_passes_axe(tab: Tab, built_site: BuiltSite, base_url: str, axe: Axe) -> None:
    page = open_verifier(tab, base_url)
    assert axe.blocking(page) == []
    give_file(page, built(built_site, "revoked", "vc.png"))
    assert [v.describe(PAGE) for v in axe.blocking(page)] == []


def test_the_page_works_below_a_sub_path(
    tab: Tab, built_site: BuiltSite, sub_path_url: str
) -> None:
    page = open_verifier(tab, sub_path_url)
    assert give_file(page, built(built_site, "valid", "vc.png")).verdict == "valid"
    assert paste(page, built(built_site, "valid", "jws").read_text("ascii")).verdict == "valid"


def test_a_file_dropped_on_the_page_is_verified(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    page = open_verifier(tab, base_url)
    _clear(page)
    # A real drop: a DataTransfer holding the baked image, dropped on the drop zone.
    page.evaluate(
        """async (path) => {
          const bytes = await (await fetch(path)).arrayBuffer();
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], "mon-badge.svg", { type: "image/svg+xml" }));
          const zone = document.getElementById("bdg-drop");
          zone.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: transfer }));
          zone.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }""",
        f"a/{built_site.ids['expired']}.vc.svg",
    )
    result = read_verdict(page)
    assert (result.verdict, result.format) == ("expired", DI)
    assert page.locator("#bdg-live").inner_text() == "Vérification terminée : Badge expiré."


def test_a_browser_without_ed25519_says_it_cannot_check(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    # An older browser: WebCrypto without Ed25519 (as Chromium before version 137).
    tab.page.add_init_script(
        script="""
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
          (algorithm && algorithm.name === "Ed25519")
            ? Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"))
            : importKey(format, key, algorithm, ...rest);
        """
    )
    page = open_verifier(tab, base_url)
    result = give_file(page, built(built_site, "valid", "vc.png"))
    assert (result.verdict, result.title) == (
        "unsupported",
        "Vérification impossible dans ce navigateur",
    )
    assert "Cela ne dit rien du badge lui-même." in result.detail
    # The RS256 forms still work in such a browser.
    assert paste(page, built(built_site, "valid", "vc.jwt").read_text("ascii")).verdict == "valid"


# The English page: the same checks, in English.

ENGLISH_PAGE = "en/verifier.html"
#: Words that only a French text would hold (the badges' own names and issuers are data).
FRENCH_WORDS = re.compile(
    r"[àâçéèêëîïôûùœ«»]|\b(le|la|les|des|du|une|réussi|échec|attention|jamais)\b", re.I
)


def open_english(tab: Tab, url: str) -> Page:
    tab.page.goto(url + ENGLISH_PAGE)
    return tab.page


def drop(page: Page, path: str, name: str) -> Verdict:
    """A real drop: a DataTransfer holding the file at ``path`` (relative to the page)."""
    _clear(page)
    page.evaluate(
        """async ([path, name]) => {
          const bytes = await (await fetch(path)).arrayBuffer();
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name));
          const zone = document.getElementById("bdg-drop");
          zone.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: transfer }));
          zone.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }""",
        [path, name],
    )
    return read_verdict(page)


def test_a_badge_dropped_on_the_english_page_gets_an_english_verdict(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    page = open_english(tab, base_url)
    assert page.locator("h1").inner_text() == "Verify a badge"
    tab.screenshot("verifier-english-empty")
    award = built_site.ids["valid"]
    result = drop(page, f"../a/{award}.vc.png", "badge.png")
    assert (result.verdict, result.title) == ("valid", "Genuine and valid badge"), result
    assert result.format == "Open Badges 3.0, Data Integrity proof eddsa-rdfc-2022"
    assert result.detail.startswith("Issued by Atelier de test")
    assert result.detail.endswith(". It is genuine and has not been revoked.")
    assert result.checks["signature"][1].startswith(
        "✓ passed Signature and issuer: proof verified with the key "
    )
    assert result.checks["révocation"][1] == (
        "✓ passed Revocation: not on the issuer's revocation list"
    )
    assert result.checks["destinataire"][1] == (
        "! warning Recipient: not checked: enter the person's email address to check it"
    )
    shown = [result.title, result.detail, *(text for _, text in result.checks.values())]
    shown.append(page.locator("#bdg-timing").inner_text())
    shown.append(page.locator("#bdg-live").inner_text())
    assert [text for text in shown if FRENCH_WORDS.search(text)] == []
    # The badge's own page is French, and one folder up; the link says so and works.
    link = page.locator("#bdg-page-link a")
    assert link.inner_text().startswith("See the badge's page (in French)")
    assert link.get_attribute("href") == f"../a/{award}.html"
    assert page.evaluate("async (href) => (await fetch(href)).status", f"../a/{award}.html") == 200
    assert remote_requests(tab) == []
    assert tab.errors == []
    assert page.evaluate("() => window.__bdgCsp") == []
    tab.screenshot("verifier-english-valid")


def test_the_english_page_writes_dates_and_outcomes_in_english(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    page = open_english(tab, base_url)
    expired = give_file(page, built(built_site, "expired", "vc.svg"))
    assert (expired.verdict, expired.title) == ("expired", "Badge expired")
    assert expired.checks["validité"] == (
        "failed",
        "✗ failed Validity dates: expired on 1 January 2021",
    )
    assert expired.detail == "The badge is genuine, but it expired on 1 January 2021."
    revoked = paste(
        page, built(built_site, "revoked", "jws").read_text("ascii"), "Verify the pasted text"
    )
    assert (revoked.verdict, revoked.title) == ("revoked", "Badge revoked")
    assert revoked.format == "Open Badges 2.0, signed assertion (JWS RS256)"
    assert revoked.detail.endswith(f"has revoked it. Reason: {REVOCATION_REASON}.")
    # The address is compared in English too.
    assert give_file(page, built(built_site, "valid", "vc.jwt")).verdict == "valid"
    _clear(page)
    page.fill("#bdg-email", "bob@example.org")
    page.get_by_role("button", name="Compare the address").click()
    assert read_verdict(page).title == "Badge issued to another address"
    assert page.locator("#bdg-live").inner_text() == (
        "Recipient: this badge was not issued to this address."
    )
    assert tab.errors == []


@pytest.mark.parametrize("name", ["png rebaked", "hosted svg extended", "plain text"])
def test_the_english_page_refuses_a_forgery_in_english(
    tab: Tab, built_site: BuiltSite, base_url: str, tmp_path: Path, name: str
) -> None:
    _, _, verdict, check, _ = FORGERIES[name]
    page = open_english(tab, base_url)
    result = submit_forgery(page, built_site, tmp_path, name, "Verify the pasted text")
    assert result.verdict == verdict, result
    outcome, message = result.checks[check]
    assert outcome == "failed"
    expected = {
        "png rebaked": (
            "Invalid signature",
            "✗ failed Signature and issuer: the eddsa-rdfc-2022 signature does not match: "
            "the badge has been changed, or was not signed by this key",
        ),
        "hosted svg extended": (
            "Invalid signature",
            "✗ failed Signature and issuer: the badge does not match the assertion the issuer "
            "serves (changed?)",
        ),
        "plain text": (
            "Unreadable badge",
            "✗ failed Reading the badge: neither JSON, nor JWS, nor a PNG or SVG image",
        ),
    }[name]
    assert (result.title, message) == expected
    assert not FRENCH_WORDS.search(result.detail), result.detail
    if verdict == "invalid":
        assert result.detail.startswith("Failed check (Signature and issuer): ")
        assert result.detail.endswith(". Do not rely on this badge.")
        assert page.locator("#bdg-facts-title").inner_text() == (
            "What the file says (none of it is guaranteed)"
        )
    assert page.locator("#bdg-page-link").is_hidden()
    assert tab.errors == []
    if name == "png rebaked":
        tab.screenshot("verifier-english-forged")


def test_the_english_page_passes_axe_and_links_to_the_french_one(
    tab: Tab, built_site: BuiltSite, base_url: str, axe: Axe
) -> None:
    page = open_english(tab, base_url)
    assert axe.blocking(page) == []
    give_file(page, built(built_site, "revoked", "vc.png"))
    assert [v.describe(ENGLISH_PAGE) for v in axe.blocking(page)] == []
    page.get_by_role("link", name="Version française").click()
    page.wait_for_url(base_url + PAGE)
    assert page.locator("h1").inner_text() == "Vérifier un badge"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(base_url + ENGLISH_PAGE)


def test_a_verification_page_links_to_a_check_of_its_badge_in_english(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    # The verification pages are in French: their English readers follow this link.
    award = built_site.ids["revoked"]
    page = tab.page
    page.goto(f"{base_url}a/{award}.html")
    link = page.get_by_role("link", name="Check this badge in English")
    assert (link.get_attribute("hreflang"), link.get_attribute("lang")) == ("en", "en")
    link.click()
    page.wait_for_url(f"{base_url}{ENGLISH_PAGE}?url=**")
    result = read_verdict(page)
    assert (result.verdict, result.title, result.format) == (
        "revoked",
        "Badge revoked",
        "Open Badges 3.0, Data Integrity proof eddsa-rdfc-2022",
    )
    assert result.checks["signature"][0] == "ok"
    page_url = f"https://badges.example.org/test/a/{award}.html"
    assert page.locator("#bdg-text").input_value() == page_url
    # What the badge recognises, in English: its badge class in the English catalogue.
    catalogue = page.get_by_role("link", name="See the badge in the catalogue")
    href = catalogue.get_attribute("href") or ""
    assert re.fullmatch(r"\.\./en/badges/[a-z0-9-]+\.html", href), href
    assert page.evaluate("async (href) => (await fetch(href)).status", href) == 200
    assert page.locator("#bdg-live").inner_text() == "Verification finished: Badge revoked."
    # The status is what keyboard and screen reader users reach first.
    assert page.evaluate("() => document.activeElement.id") == "bdg-status-title"
    assert remote_requests(tab) == []
    assert tab.errors == []
    assert page.evaluate("() => window.__bdgCsp") == []
    tab.screenshot("verifier-english-from-a-verification-page")


def test_a_link_naming_another_sites_badge_is_not_checked_unasked(
    tab: Tab, built_site: BuiltSite, base_url: str
) -> None:
    address = f"{OTHER_ISSUER}/a/badge.json"
    page = tab.page
    page.goto(f"{base_url}{ENGLISH_PAGE}?url={address}")
    page.wait_for_function("() => document.getElementById('bdg-live').textContent !== ''")
    assert page.locator("#bdg-text").input_value() == address
    said = page.locator("#bdg-live").inner_text()
    assert said.startswith("The link names a badge of another site: check it with the “Verify")
    assert page.locator("#bdg-result").is_hidden()
    # Nothing was asked of the other site.
    assert remote_requests(tab) == []
    assert tab.errors == []
