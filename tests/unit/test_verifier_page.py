"""The "Vérifier un badge" page and its English twin: their files, policy, data and words, and
the vendored JSON-LD bundle.

The page's behaviour in a browser is tested in tests/e2e/test_verifier_page.py; here, what the
build writes and what the script relies on, with no browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_tools import catalogue, verifier_page
from build_tools.model import Site
from build_tools.pipeline import load_site
from tests.conftest import PROJECT

STATIC = PROJECT / "build_tools" / "static"
CONTEXTS = PROJECT / "build_tools" / "contexts"
BROWSER = PROJECT / "browser"


_VOID = {"meta", "link", "img", "input", "br"}


class _Page(HTMLParser):
    """The tags of a page, with their attributes, the text of each script element, and the
    words a visitor reads (text, alt, title, description) with the language they are in."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.words: list[tuple[str, str]] = []
        self._script: dict[str, str] | None = None
        self._langs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        # An element's lang applies to its own attributes and to everything inside it.
        lang = attributes.get("lang") or (self._langs[-1] if self._langs else "")
        if tag not in _VOID:
            self._langs.append(lang)
        for name in ("alt", "title", "placeholder"):
            if attributes.get(name):
                self.words.append((lang, attributes[name]))
        if tag == "meta" and attributes.get("name") == "description":
            self.words.append((lang, attributes["content"]))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)
        elif data.strip():
            self.words.append(((self._langs or [""])[-1], data.strip()))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag not in _VOID and self._langs:
            self._langs.pop()

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}


@pytest.fixture
def site(minimal_repo: Path) -> Site:
    loaded, report = load_site(minimal_repo)
    assert loaded is not None, report
    return loaded


@pytest.fixture
def output(site: Site) -> dict[str, bytes]:
    return verifier_page.files(site)


def _parse(output: dict[str, bytes], path: str) -> _Page:
    parsed = _Page()
    parsed.feed(output[path].decode("utf-8"))
    return parsed


@pytest.fixture
def page(output: dict[str, bytes]) -> _Page:
    return _parse(output, "verifier.html")


@pytest.fixture
def english(output: dict[str, bytes]) -> _Page:
    return _parse(output, "en/verifier.html")


def _data(page: _Page) -> dict[str, object]:
    [(_, text)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/json"]
    data: dict[str, object] = json.loads(text)
    return data


def _sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def test_the_page_and_everything_it_loads_are_written(output: dict[str, bytes]) -> None:
    assert sorted(p for p in output if not p.startswith("assets/badgeons/contexts/")) == [
        "assets/badgeons/vendor/jsonld.min.js",
        "assets/badgeons/vendor/jsonld.min.js.LICENSES.txt",
        "assets/badgeons/verifier.css",
        "assets/badgeons/verifier.js",
        "assets/badgeons/verify.css",
        "en/verifier.html",
        "verifier.html",
    ]
    assert output["assets/badgeons/verifier.js"] == (STATIC / "verifier.js").read_bytes()
    vendor = STATIC / "vendor" / "jsonld.min.js"
    assert output["assets/badgeons/vendor/jsonld.min.js"] == vendor.read_bytes()


def test_the_page_names_the_sites_icon_so_that_no_browser_asks_the_hosts_root(
    page: _Page,
) -> None:
    """Without it, browsers ask /favicon.ico at the host's root, outside a sub-path site."""
    icons = [a["href"] for tag, a in page.tags if tag == "link" and a.get("rel") == "icon"]
    assert icons == ["assets/images/logo.svg"]
    assert (PROJECT / "site_src" / "pages" / icons[0]).is_file()


def test_every_context_is_published_unmodified_with_its_notice(output: dict[str, bytes]) -> None:
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    published = {p.rsplit("/", 1)[1] for p in output if p.startswith("assets/badgeons/contexts/")}
    assert published == {*index.values(), "NOTICE.md"}
    for name in published:
        assert output[f"assets/badgeons/contexts/{name}"] == (CONTEXTS / name).read_bytes(), name


def test_the_policy_allows_only_what_the_page_uses(page: _Page) -> None:
    [policy] = [
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives == {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "connect-src": "'self' https:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    # No inline script (only data), no style attribute, no asset from another host.
    for attrs, text in page.scripts:
        assert attrs.get("type") == "application/json" or (attrs.get("src") and not text.strip())
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not attrs.get("onclick") and not attrs.get("onload"), tag
        # Only the canonical link (never loaded) names the site's public address.
        for name in ("src", "href"):
            if name in attrs and attrs.get("rel") != "canonical":
                assert not re.match(r"^([a-z]+:)?//", attrs[name]), (tag, attrs)


def test_the_script_and_the_bundle_carry_their_integrity(
    page: _Page, output: dict[str, bytes]
) -> None:
    [script] = [a for a, _ in page.scripts if a.get("src")]
    assert script["src"] == "assets/badgeons/verifier.js"
    assert script["integrity"] == _sri(output["assets/badgeons/verifier.js"])
    data = _data(page)
    assert data["jsonld"] == "assets/badgeons/vendor/jsonld.min.js"
    assert data["jsonldIntegrity"] == _sri(output["assets/badgeons/vendor/jsonld.min.js"])


def test_the_data_maps_every_context_url_to_a_published_file(
    page: _Page, output: dict[str, bytes], site: Site
) -> None:
    data = _data(page)
    assert data["siteUrl"] == site.settings.site_url == "https://badges.example.org/test/"
    contexts = data["contexts"]
    assert isinstance(contexts, dict)
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    assert set(contexts) == set(index)
    for url, path in contexts.items():
        assert path == f"assets/badgeons/contexts/{index[url]}"
        assert path in output


def test_every_element_the_script_uses_is_on_the_page(page: _Page) -> None:
    script = (STATIC / "verifier.js").read_text(encoding="utf-8")
    used = set(re.findall(r"""\$\("([a-z-]+)"\)""", script))
    used |= set(re.findall(r"""setText\("([a-z-]+)\"""", script))
    used |= set(re.findall(r"""\["(bdg-fact-[a-z]+)\"""", script))
    assert "bdg-verifier-data" in script
    assert len(used) > 15
    assert used - page.ids() == set()


def test_the_script_never_writes_markup_or_evaluates_text() -> None:
    script = (STATIC / "verifier.js").read_text(encoding="utf-8")
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert forbidden not in script, forbidden
    assert "new Function" not in script


def test_every_field_has_a_label_and_the_verdict_is_announced(page: _Page) -> None:
    labelled = {attrs["for"] for tag, attrs in page.tags if tag == "label"}
    fields = {attrs["id"] for tag, attrs in page.tags if tag in ("input", "textarea")}
    assert fields == {"bdg-file", "bdg-text", "bdg-email"}
    assert fields <= labelled
    [live] = [attrs for _, attrs in page.tags if attrs.get("id") == "bdg-live"]
    assert (live["role"], live["aria-live"]) == ("status", "polite")
    assert ("html", {"lang": "fr"}) in page.tags


# The English page.


def _links(page: _Page) -> list[dict[str, str]]:
    return [attrs for tag, attrs in page.tags if tag == "a"]


def test_the_english_page_has_the_same_policy_script_and_elements_from_one_folder_down(
    page: _Page, english: _Page, output: dict[str, bytes]
) -> None:
    assert ("html", {"lang": "en"}) in english.tags
    policies = [
        [a["content"] for t, a in p.tags if a.get("http-equiv") == "Content-Security-Policy"]
        for p in (page, english)
    ]
    assert policies[0] == policies[1] == [verifier_page.CSP]
    [script] = [a for a, _ in english.scripts if a.get("src")]
    assert script["src"] == "../assets/badgeons/verifier.js"
    assert script["integrity"] == _sri(output["assets/badgeons/verifier.js"])
    assert english.ids() == page.ids()
    # Every file the page names, resolved from en/, is a file of the site.
    for tag, attrs in english.tags:
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            assert attrs["href"].startswith("../"), attrs
            target = attrs["href"][3:]
            assert target in output or (PROJECT / "site_src" / "pages" / target).is_file()
    [canonical] = [a["href"] for t, a in english.tags if a.get("rel") == "canonical"]
    assert canonical == "https://badges.example.org/test/en/verifier.html"
    data = _data(english)
    assert data["root"] == "../" and _data(page)["root"] == ""
    assert data["jsonld"] == "../assets/badgeons/vendor/jsonld.min.js"
    contexts = data["contexts"]
    assert isinstance(contexts, dict)
    french = _data(page)["contexts"]
    assert isinstance(french, dict)
    assert contexts == {url: "../" + path for url, path in french.items()}


def test_each_page_links_to_the_other_language_and_to_its_own_catalogue(
    page: _Page, english: _Page
) -> None:
    assert {
        "class": "bdg-top__link",
        "href": "en/verifier.html",
        "hreflang": "en",
        "lang": "en",
    } in (_links(page))
    assert {
        "class": "bdg-top__link",
        "href": "../verifier.html",
        "hreflang": "fr",
        "lang": "fr",
    } in (_links(english))
    assert ("en", "English") in page.words
    assert ("fr", "Version française") in english.words
    # The header's catalogue link leads to the catalogue in the page's language (en/index.html).
    assert {"class": "bdg-top__link", "href": "index.html"} in _links(english)
    assert ("en", "Badge catalogue") in english.words


#: Words that only a French text would hold.
_FRENCH = re.compile(
    r"[àâçéèêëîïôûùœ«»]|\b(le|la|les|des|du|une|votre|et|ou|est|pour|dans|rien|nulle)\b", re.I
)


def test_the_english_page_shows_its_words_in_english(english: _Page) -> None:
    shown = [text for lang, text in english.words if lang == "en"]
    for words in ("Verify a badge", "Your badge", "Checks made", "Verify the pasted text"):
        assert words in shown, words
    assert "The badge is not sent anywhere." in shown
    # The badges' own pages are French: the link to one says so.
    assert any(text.startswith("See the badge's page (in French)") for text in shown)
    assert [text for text in shown if _FRENCH.search(text)] == []
    # The only French words are the link to the French page, marked as French.
    assert [text for lang, text in english.words if lang != "en"] == ["Version française"]


def _say_calls(script: str) -> list[tuple[list[str], int, int]]:
    """Every ``say(fr, en)`` call of the script: its arguments as source text, and its span."""
    calls = []
    for match in re.finditer(r"\bsay\(", script):
        depth, start, args, i = 1, match.end(), [], match.end()
        while depth:
            char = script[i]
            if char == '"':
                i = script.index('"', i + 1)
                while script[i - 1] == "\\":
                    i = script.index('"', i + 1)
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            elif char == "," and depth == 1:
                args.append(script[start:i])
                start = i + 1
            i += 1
        args.append(script[start : i - 1])
        calls.append(([arg.strip() for arg in args], match.start(), i))
    return calls


def test_every_message_of_the_script_exists_in_french_and_in_english() -> None:
    script = (STATIC / "verifier.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    code = code.replace("const say = (fr, en) =>", "")
    calls = _say_calls(code)
    assert len(calls) > 100
    for call, _, _ in calls:
        assert len(call) == 2 and all(call), call
        french, english = call
        assert french != english, call
        assert not re.search(r"[àâçéèêëîïôûùœ«»]", english), call
    # Outside say(), no French words are left but the names of the checks, which the report
    # keeps (as checker.py does) and the page shows through CHECK_NAMES.
    outside = code
    for _, start, end in reversed(calls):
        outside = outside[:start] + outside[end:]
    literals = set(re.findall(r'"((?:[^"\\]|\\.)*)"', outside))
    assert {text for text in literals if re.search(r"[àâçéèêëîïôûùœ«»]", text)} == {
        "révocation",
        "validité",
    }


def test_dates_are_written_in_words_in_the_pages_language() -> None:
    script = (STATIC / "verifier.js").read_text(encoding="utf-8")
    assert 'new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" })' in script
    assert '.replace(/^1 /, "1er ")' in script


def test_the_catalogue_home_leads_to_the_verifier_in_its_language(site: Site) -> None:
    french = catalogue.home_page(site, "fr").body
    english = catalogue.home_page(site, "en").body
    assert '<a href="verifier.html">Vérifier un badge</a>' in french
    # From en/index.html: en/verifier.html.
    assert '<a href="verifier.html">Verify a badge</a>' in english
    assert "in French" not in english.split("bdg-counts", 1)[1].split("</p>", 1)[0]


# The vendored bundle and its provenance.


def _lock() -> dict[str, dict[str, str]]:
    lock = json.loads((BROWSER / "package-lock.json").read_text(encoding="utf-8"))
    packages: dict[str, dict[str, str]] = lock["packages"]
    return packages


def test_the_bundle_is_the_locked_jsonld_with_the_licence_of_every_package_inside() -> None:
    packages = _lock()
    bundle = (STATIC / "vendor" / "jsonld.min.js").read_text(encoding="utf-8")
    jsonld = packages["node_modules/jsonld"]["version"]
    canonize = packages["node_modules/rdf-canonize"]["version"]
    assert bundle.startswith(f"/*! jsonld {jsonld} and rdf-canonize {canonize} ")
    assert f'jsonld:"{jsonld}"' in bundle
    licences = (STATIC / "vendor" / "jsonld.min.js.LICENSES.txt").read_text(encoding="utf-8")
    listed = re.findall(r"^(\S+) (\S+) \((.+)\)$", licences, re.M)
    assert {name for name, _, _ in listed} >= {"jsonld", "rdf-canonize"}
    for name, version, licence in listed:
        entry = packages[f"node_modules/{name}"]
        assert (version, licence) == (entry["version"], entry["license"]), name
        assert not entry.get("dev"), f"{name} is a build tool, not bundled code"


def test_the_browser_package_pins_exact_versions() -> None:
    manifest = json.loads((BROWSER / "package.json").read_text(encoding="utf-8"))
    declared = {**manifest["dependencies"], **manifest["devDependencies"]}
    assert set(declared) == {"jsonld", "esbuild"}
    packages = _lock()
    for name, version in declared.items():
        assert version == packages[f"node_modules/{name}"]["version"], name


def test_a_fresh_build_of_the_bundle_gives_the_committed_files() -> None:
    """Reproducibility: needs `cd browser && npm ci --ignore-scripts` (no network here)."""
    node = shutil.which("node")
    if node is None or not (BROWSER / "node_modules" / "esbuild").is_dir():
        pytest.skip("browser/node_modules is not installed (cd browser && npm ci --ignore-scripts)")
    result = subprocess.run(
        [node, "build.mjs", "--check"],
        cwd=BROWSER,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
