"""Endorsements in Chromium: they appear on their badge page and on the award's page.

A scratch repository gets an award, an endorser with its keys, and two endorsements (of the
badge and of the award) through the ``badgeons`` command, then is built and served on
127.0.0.1. Each page must show the "Recommandé par" section with the comment, and its link to
the signed credential must load that very credential.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from build_tools.cli import main as badgeons
from tests.conftest import DATA, PROJECT
from tests.e2e.conftest import ISSUER, Tab, serving
from tests.support.endorsers import ENDORSER, PROFILE

pytestmark = pytest.mark.e2e

OF_BADGE = "Nous regardons ce badge à chaque recrutement de préparateur."
OF_AWARD = "Stage de trois semaines chez nous : nous confirmons ce badge."


def _cli(arguments: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(badgeons, arguments, env=env, catch_exceptions=False)
    assert result.exit_code == 0, f"badgeons {' '.join(arguments)}:\n{result.output}"
    return result.output


@pytest.fixture(scope="module")
def endorsed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of the served site, and the id of its one award."""
    base = tmp_path_factory.mktemp("e2e-endorsements")
    root = base / "repo"
    shutil.copytree(DATA / "minimal", root)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", root / "site_src")
    (root / "issuers" / f"{ENDORSER}.yaml").write_text(PROFILE, encoding="utf-8")
    env = {
        "BADGEONS_KEY_DIR": str(base / "keys"),
        "BADGEONS_KEY_PASSPHRASE": "",
        "SOURCE_DATE_EPOCH": str(int(time.time())),
    }
    at = ["--root", str(root)]
    _cli(["keygen", ISSUER, "--no-passphrase", *at], env)
    _cli(["keygen", ENDORSER, "--no-passphrase", *at], env)
    output = _cli(
        ["award", "telephone", "--issuer", ISSUER, "--recipient", "a@example.org", *at], env
    )
    found = re.search(r"/a/([a-z2-7]{26})\.html", output)
    assert found, output
    award = found.group(1)
    endorse = ["endorse", "--endorser", ENDORSER, *at]
    _cli([*endorse, "--badge", "telephone", "--comment", OF_BADGE], env)
    _cli([*endorse, "--assertion", award, "--comment", OF_AWARD], env)
    _cli(["build", *at, "--site-dir", str(base / "site")], env)
    with serving(base / "site") as url:
        yield url, award


def _section(tab: Tab, url: str) -> str:
    tab.page.goto(url)
    section = tab.page.locator("section.bdg-endorsements")
    assert section.is_visible()
    assert section.get_by_role("heading").first.inner_text() == "Recommandé par"
    return section.inner_text()


def _follow_signed_link(tab: Tab, comment: str) -> None:
    """Every "recommandation signée" link of the section loads an EndorsementCredential."""
    links = tab.page.locator("section.bdg-endorsements a", has_text="recommandation signée")
    documents = []
    for link in links.all():
        href = link.evaluate("(a) => a.href")
        response = tab.page.request.get(href)
        assert response.ok, href
        documents.append(json.loads(response.body()))
    assert all("EndorsementCredential" in d["type"] for d in documents)
    assert comment in [d["credentialSubject"]["endorsementComment"] for d in documents]


def test_the_badge_page_shows_its_endorsement(tab: Tab, endorsed_site: tuple[str, str]) -> None:
    base, _ = endorsed_site
    url = base + "badges/telephone.html"
    text = _section(tab, url)
    assert OF_BADGE in text and "Employeur de test" in text
    assert OF_AWARD not in text
    _follow_signed_link(tab, OF_BADGE)
    tab.screenshot("badge-endorsed")
    assert tab.failed == [] and tab.errors == []


def test_the_award_page_shows_both_endorsements(tab: Tab, endorsed_site: tuple[str, str]) -> None:
    base, award = endorsed_site
    url = base + f"a/{award}.html"
    text = _section(tab, url)
    assert text.index(OF_AWARD) < text.index(OF_BADGE)
    assert "à propos de ce badge délivré" in text
    _follow_signed_link(tab, OF_AWARD)
    # Who endorses it shows at once, in the status at the top, each endorser named once.
    summary = tab.page.locator("#bdg-status .bdg-status__endorsed")
    summary.wait_for()
    assert summary.inner_text() == ("Recommandé par Employeur de test (voir les recommandations).")
    # It stays once the browser has checked the badge (and goes if the check fails).
    checked = tab.page.locator("#bdg-status[data-live]")
    checked.wait_for(timeout=10_000)
    assert checked.get_attribute("data-live") == "valid"
    assert summary.is_visible()
    tab.screenshot("award-endorsed")
    assert tab.failed == [] and tab.errors == []
