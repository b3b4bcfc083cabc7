"""'Demander ce badge' and the 'sac à badges' pages, driven in headless Chromium.

The session's scratch repository (tests/e2e/conftest.py) is copied, a collection of two of its
awards is recorded with the command line (``badgeons collection add``), and the copy is built
again. The request form must prepare a mailto: message and a JSON request file holding what was
typed, without a single network request; the collection page must show its badges, each
linking to its verification page, and a QR code of its own address.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from build_tools import requests_file
from tests.e2e.conftest import ISSUER, Axe, BuiltSite, Tab, _run_cli, serving

pytestmark = pytest.mark.e2e

BADGE_PAGE = "badges/telephone.html"
NARRATIVE = "J'ai appelé la mairie de Blois pour prendre rendez-vous.\nPuis la CAF."
EVIDENCE = "https://example.org/ma-video\nhttps://example.org/attestation.pdf"


@pytest.fixture(scope="module")
def bag_site(built_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's site with one collection, served; yields the collection's site path."""
    base = tmp_path_factory.mktemp("bag")
    root = base / "repo"
    shutil.copytree(built_site.root, root)
    env = {"BADGEONS_KEY_PASSPHRASE": ""}
    shown = [built_site.ids["valid"], built_site.ids["unnamed"]]
    # The addresses the two badges were awarded to (conftest.AWARDS), as if one person had
    # received them at two addresses.
    holder = ["--recipient", "awa@example.org", "--recipient", "dina@example.org"]
    output = _run_cli(
        [
            "collection",
            "add",
            *shown,
            *holder,
            "--issuer",
            ISSUER,
            "--name",
            "Awa",
            "--root",
            str(root),
        ],
        env,
    )
    found = re.search(r"/(sac/[a-z2-7]{26}\.html)", output)
    assert found, output
    _run_cli(["build", "--root", str(root), "--site-dir", str(base / "site")], env)
    with serving(base / "site") as url:
        yield url + found.group(1)


def _fill(tab: Tab) -> None:
    page = tab.page
    page.get_by_text("Demander ce badge").click()
    page.get_by_label("Votre nom").fill("Dan Martin")
    page.get_by_label("Votre adresse e-mail").fill("dan@example.org")
    page.get_by_label("Votre expérience").fill(NARRATIVE)
    page.get_by_label("Liens vers vos preuves").fill(EVIDENCE)


def test_the_request_form_prepares_a_message_and_a_file(
    tab: Tab, base_url: str, tmp_path: Path
) -> None:
    page = tab.page
    page.goto(base_url + BADGE_PAGE)
    page.wait_for_load_state("networkidle")
    loaded = len(tab.requests)
    _fill(tab)
    page.get_by_role("button", name="Préparer ma demande").click()
    expect(page.get_by_role("heading", name="Votre demande est prête")).to_be_visible()
    tab.screenshot("request-form")

    mailto = page.locator("#bdg-req-mailto").get_attribute("href") or ""
    parts = urlsplit(mailto)
    assert (parts.scheme, unquote(parts.path)) == ("mailto", "badges@atelier.example.org")
    query = parse_qs(parts.query)
    assert query["subject"] == ["Demande du badge « Utiliser un téléphone portable »"]
    body = query["body"][0]
    for expected in ("Dan Martin", "dan@example.org", NARRATIVE, "- https://example.org/ma-video"):
        assert expected in body
    assert "demande-telephone.json" in body
    # The same text is shown, to copy by hand without a mail client.
    assert page.locator("#bdg-req-text").text_content() == body

    with page.expect_download() as caught:
        page.locator("#bdg-req-download").click()
    download = caught.value
    assert download.suggested_filename == "demande-telephone.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert {k: v for k, v in data.items() if k != "date"} == {
        "format": "badgeons-demande/1",
        "badge": "telephone",
        "issuer": ISSUER,
        "name": "Dan Martin",
        "email": "dan@example.org",
        "narrative": NARRATIVE,
        "evidence": ["https://example.org/ma-video", "https://example.org/attestation.pdf"],
    }
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["date"])
    # The file the page prepares is one that `badgeons award --request` accepts.
    accepted = requests_file.read_request(saved, "telephone", ISSUER)
    assert accepted.narrative == NARRATIVE
    # Nothing was sent: no request at all after the page had loaded (blob: URLs are local).
    after = [url for url in tab.requests[loaded:] if not url.startswith("blob:")]
    assert after == []
    assert tab.errors == []
    assert page.evaluate("window.__bdgCsp") == []


def test_the_request_form_refuses_html_and_bad_links(tab: Tab, base_url: str) -> None:
    page = tab.page
    page.goto(base_url + BADGE_PAGE)
    _fill(tab)
    page.get_by_label("Votre expérience").fill("<script>alert(1)</script>")
    page.get_by_label("Liens vers vos preuves").fill("javascript:alert(1)")
    page.get_by_role("button", name="Préparer ma demande").click()
    errors = page.locator("#bdg-req-errors li")
    expect(errors).to_have_text(
        [
            "Écrivez en texte simple, sans balise HTML (< >) ni script.",
            "« javascript:alert(1) » n'est pas une adresse https://.",
        ]
    )
    expect(page.locator("#bdg-req-result")).to_be_hidden()
    assert page.locator("#bdg-req-narrative").get_attribute("aria-invalid") == "true"


def test_the_open_form_has_no_serious_accessibility_issue(
    tab: Tab, base_url: str, axe: Axe
) -> None:
    tab.page.goto(base_url + BADGE_PAGE)
    _fill(tab)
    tab.page.get_by_role("button", name="Préparer ma demande").click()
    blocking = axe.blocking(tab.page)
    assert not blocking, "\n".join(v.describe(BADGE_PAGE) for v in blocking)


def test_a_collection_page_shows_its_badges_and_qr_code(
    tab: Tab, bag_site: str, built_site: BuiltSite, axe: Axe
) -> None:
    page = tab.page
    page.goto(bag_site)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Les badges de Awa")
    items = page.locator(".bdg-bag__item")
    expect(items).to_have_count(2)
    links = [items.nth(i).get_by_role("link", name=re.compile("Vérifier ce badge")) for i in (0, 1)]
    targets = [link.get_attribute("href") for link in links]
    assert targets == [
        f"../a/{built_site.ids['valid']}.html",
        f"../a/{built_site.ids['unnamed']}.html",
    ]
    qr = page.locator("svg.bdg-qr")
    expect(qr).to_be_visible()
    expect(page.locator(".bdg-bag__qr .bdg-url")).to_have_text(
        re.compile(r"^https://badges\.example\.org/test/sac/[a-z2-7]{26}\.html$")
    )
    tab.screenshot("collection")
    links[0].click()
    expect(page).to_have_url(re.compile(rf"/a/{built_site.ids['valid']}\.html$"))
    page.go_back()
    # The page is in French; each badge is also checked in English by the English verifier.
    english = items.nth(1).get_by_role("link", name="check it in English")
    assert english.get_attribute("href") == (
        "../en/verifier.html?url=https://badges.example.org/test/a/"
        f"{built_site.ids['unnamed']}.html"
    )
    english.click()
    page.wait_for_selector("#bdg-result[data-verdict]:not([aria-busy])", state="visible")
    expect(page.locator("#bdg-status-title")).to_have_text("Genuine and valid badge")
    page.go_back()
    assert tab.foreign_requests() == []
    assert tab.failed == []
    assert page.evaluate("window.__bdgCsp") == []
    blocking = axe.blocking(page)
    assert not blocking, "\n".join(v.describe("sac") for v in blocking)
