"""A group's attestations (badgeons attestations), opened from disk and printed in Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from build_tools import attestations
from build_tools.pipeline import load_site
from tests.conftest import PROJECT
from tests.e2e.conftest import Axe, Tab
from tests.e2e.test_assertion_pages import _sheets

pytestmark = pytest.mark.e2e


def test_a_group_prints_one_a4_sheet_per_award_from_a_file_on_disk(
    tab: Tab, axe: Axe, tmp_path: Path
) -> None:
    # The sample data's longest criteria, evidence and endorsements, as a trainer would print.
    site, _ = load_site(PROJECT, check_signatures=False)
    assert site is not None
    chosen = attestations.select(site, issuer="atelier-numerique-bas-berry")
    assert len(chosen) >= 3
    path = tmp_path / "attestations.html"
    path.write_text(attestations.document(site, chosen, datetime.now(UTC)), encoding="utf-8")
    page = tab.page
    page.goto(path.as_uri())
    # Nothing fetched but the file itself: it prints with no site and no network.
    assert tab.requests == [path.as_uri()]
    assert tab.errors == []
    sheets = page.locator("section.bdg-sheet")
    expect(sheets).to_have_count(len(chosen))
    # On screen: the sheets as they print, without the page's buttons and form.
    expect(page.locator(".bdg-batch-intro")).to_be_visible()
    expect(page.locator("#bdg-owner-form").first).to_be_hidden()
    expect(page.locator("#bdg-print").first).to_be_hidden()
    tab.screenshot("attestations-screen")
    # One document of many sheets, readable by a screen reader as the pages are.
    found = axe.violations(page)
    assert [v for v in found if v.impact in ("serious", "critical") or "id" in v.rule] == []
    assert _sheets(page.pdf(format="A4")) == len(chosen)
    page.emulate_media(media="print")
    expect(page.locator(".bdg-batch-intro")).to_be_hidden()
    for index in range(len(chosen)):
        sheet = sheets.nth(index)
        expect(sheet.locator("svg.bdg-qr")).to_be_visible()
        note = sheet.locator(".bdg-print-note").inner_text()
        address = re.search(r"https://\S+/a/([a-z2-7]{26})\.html", note)
        assert address is not None and address.group(1) == chosen[index].id
    tab.screenshot("attestations-print")
