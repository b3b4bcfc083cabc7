"""The catalogue pages (MkDocs + Material) and the links between all pages, in Chromium."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterable

import pytest

from tests.e2e.conftest import Axe, BuiltSite, Tab

pytestmark = pytest.mark.e2e

#: One page of each type of the catalogue, by site path.
PAGE_TYPES = {
    "home": "index.html",
    "badge": "badges/telephone.html",
    "issuer": "issuers/atelier-test.html",
    "issuers-index": "issuers/index.html",
    "about": "a-propos.html",
}

# Every URL a page links to or loads, resolved against the page as the browser resolves it.
_REFERENCES = """() => Array.from(
  document.querySelectorAll("a[href], img[src], link[href], script[src]"),
  (e) => new URL(e.getAttribute(e.matches("img, script") ? "src" : "href"), document.baseURI).href
)"""

# No proxy, even if the environment names one: the site is on the loopback address.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str) -> int:
    try:
        with _OPENER.open(url, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def references(tab: Tab, url: str) -> list[str]:
    """Open a page and list the URLs it refers to, without their fragments."""
    tab.page.goto(url)
    found: list[str] = tab.page.evaluate(_REFERENCES)
    return [link.split("#", 1)[0] for link in found]


def same_site(links: Iterable[str], base: str, pattern: str) -> list[str]:
    """The links below ``base`` whose path (relative to ``base``) matches ``pattern``."""
    return sorted(
        {u for u in links if u.startswith(base) and re.fullmatch(pattern, u[len(base) :])}
    )


@pytest.mark.parametrize("where", ["root", "sub-path"])
def test_every_link_of_the_pages_visited_resolves(
    tab: Tab, built_site: BuiltSite, request: pytest.FixtureRequest, where: str
) -> None:
    """Home, then its badges, then their issuers, then every verification page: no broken link."""
    base: str = request.getfixturevalue("base_url" if where == "root" else "sub_path_url")
    origin = re.match(r"https?://[^/]+", base)
    assert origin
    seen: dict[str, set[str]] = {}

    def visit(url: str) -> list[str]:
        found = references(tab, url)
        for link in found:
            seen.setdefault(link, set()).add(url[len(base) :])
        return found

    home = visit(base + "index.html")
    badges = same_site(home, base, r"badges/[^/]+\.html")
    assert len(badges) == 3, home
    issuers: set[str] = set()
    for badge in badges:
        issuers.update(same_site(visit(badge), base, r"issuers/[^/]+\.html"))
    assert issuers, "no badge page links to its issuer"
    for issuer in sorted(issuers):
        visit(issuer)
    for award in built_site.ids:
        visit(base + built_site.assertion(award))
    local = sorted(link for link in seen if link.startswith(origin.group(0) + "/"))
    # Relative links only: under a sub-path, no link may climb above the site's folder.
    outside = [link for link in local if not link.startswith(base)]
    assert outside == [], outside
    broken = [
        f"{status} {link} (on {', '.join(sorted(seen[link]))})"
        for link in local
        if (status := http_status(link)) != 200
    ]
    print(
        f"{len(local)} local URLs checked from {len({p for s in seen.values() for p in s})} pages"
    )
    assert broken == [], "\n".join(broken)
    assert tab.foreign_requests() == []


#: What a visitor of each language types to find the badge of tests/data/minimal.
_SEARCHES = {"fr": "telephone", "en": "phone"}


# Material's search (whose elements its script makes) says "Initialisation de la recherche"
# ("Initializing search") until its worker has built the index, and ignores what is typed before.
_SEARCH_READY = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  return meta !== null && !/^Initiali/.test(meta.textContent.trim());
}"""


def search(tab: Tab, query: str) -> None:
    """Type ``query`` in the search box, key by key, once the index is ready; wait for results."""
    tab.page.wait_for_function(_SEARCH_READY)
    tab.page.locator("input.md-search__input").press_sequentially(query, delay=20)
    tab.page.wait_for_selector("a.md-search-result__link")


@pytest.mark.parametrize("where", ["root", "sub-path"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_search_finds_the_pages_of_the_visitors_language(
    tab: Tab, request: pytest.FixtureRequest, where: str, lang: str
) -> None:
    base = request.getfixturevalue("base_url" if where == "root" else "sub_path_url")
    english = base + "en/"
    tab.page.goto(base + ("index.html" if lang == "fr" else "en/index.html"))
    search(tab, _SEARCHES[lang])
    tab.screenshot(f"search-{lang}-{where}")
    found: list[str] = tab.page.eval_on_selector_all(
        "a.md-search-result__link", "(links) => links.map((link) => link.href)"
    )
    pages = sorted({link.split("?", 1)[0].split("#", 1)[0] for link in found})
    badge = "badges/telephone.html"
    assert (english if lang == "en" else base) + badge in pages, pages
    assert all(page.startswith(base) for page in pages), pages
    assert all(page.startswith(english) == (lang == "en") for page in pages), pages
    assert [page for page in pages if http_status(page) != 200] == []
    assert tab.foreign_requests() == []
    assert tab.errors == []


def test_no_catalogue_page_asks_another_host_for_anything(tab: Tab, base_url: str) -> None:
    for path in PAGE_TYPES.values():
        tab.page.goto(base_url + path)
        tab.page.wait_for_load_state("networkidle")
    assert any(url.endswith("search_index.json") for url in tab.requests), tab.requests
    assert tab.foreign_requests() == []
    assert tab.failed == []
    assert tab.errors == []


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_the_catalogue_page_has_no_serious_accessibility_violation(
    tab: Tab, axe: Axe, base_url: str, kind: str
) -> None:
    tab.page.goto(base_url + PAGE_TYPES[kind])
    tab.screenshot(f"catalogue-{kind}")
    found = axe.blocking(tab.page)
    assert found == [], "\n".join(v.describe(f"{kind} ({PAGE_TYPES[kind]})") for v in found)
