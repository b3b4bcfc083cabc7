"""Full builds of the small repository through MkDocs and Material."""

from __future__ import annotations

import filecmp
import posixpath
import re
import threading
import urllib.request
from html import escape
from pathlib import Path

import pytest
import yaml

from build_tools import sitebuild


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from tests.conftest import DATA, PROJECT

    root = tmp_path_factory.mktemp("build") / "repo"
    shutil.copytree(DATA / "minimal", root)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", root / "site_src")
    sitebuild.build(root, root / "site")
    return root


def test_catalogue_pages_and_images_are_built(built: Path) -> None:
    site = built / "site"
    for path in [
        "index.html",
        "issuers/index.html",
        "badges/telephone.html",
        "issuers/reseau-test.html",
        "badges/telephone/image.png",
        "issuers/atelier-test/logo.png",
        "a-propos.html",
        "404.html",
    ]:
        assert (site / path).is_file(), path
    page = (site / "badges/telephone.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in page
    assert "<h1>Utiliser un téléphone portable</h1>" in page
    assert 'rel="canonical" href="https://badges.example.org/test/badges/telephone.html"' in page


def _site_name(built: Path) -> str:
    """MkDocs' site_name: « Badgeons » here, the collective's title after `badgeons init`."""
    found = re.search(r"^site_name: (.+)$", (built / "mkdocs.yml").read_text("utf-8"), re.M)
    assert found
    name = yaml.safe_load(found.group(1))
    assert isinstance(name, str)
    return escape(name, quote=False)


def test_the_home_pages_title_names_the_site_once(built: Path) -> None:
    """The site's title is the home page's whole title; other pages add the site's name."""

    def title(path: str) -> str:
        found = re.search(r"<title>([^<]*)</title>", (built / "site" / path).read_text("utf-8"))
        assert found, path
        return found.group(1)

    assert title("index.html") == "Badgeons de test"
    assert title("en/index.html") == "Test Badgeons"
    name = _site_name(built)
    assert title("badges/telephone.html") == f"Utiliser un téléphone portable - {name}"
    assert title("issuers/index.html") == f"Émetteurs et réseaux - {name}"


def test_the_sitemap_names_each_pages_twin_in_the_other_language(built: Path) -> None:
    import gzip
    from xml.etree import ElementTree

    sitemap = (built / "site" / "sitemap.xml").read_bytes()
    assert gzip.decompress((built / "site" / "sitemap.xml.gz").read_bytes()) == sitemap
    names = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    twins = {
        entry.findtext("s:loc", namespaces=names): [
            (link.get("hreflang"), link.get("href")) for link in entry.findall("x:link", names)
        ]
        for entry in ElementTree.fromstring(sitemap).findall("s:url", names)
    }
    url = "https://badges.example.org/test/"
    expected = [
        ("fr", url + "badges/telephone.html"),
        ("en", url + "en/badges/telephone.html"),
        ("x-default", url + "badges/telephone.html"),
    ]
    assert twins[url + "badges/telephone.html"] == expected
    assert twins[url + "en/badges/telephone.html"] == expected
    assert ("en", url + "en/index.html") in twins[url + "index.html"]
    # A hand-written page without an English version names none; the map is not listed.
    assert twins[url + "a-propos.html"] == []
    assert url + "territoire.html" not in twins


def _tabs(built: Path, path: str) -> list[tuple[str, str]]:
    """The tabs of a page: (link, label), the link as a path from the site's root."""
    html = (built / "site" / path).read_text("utf-8")
    tabs = html[html.index('<nav class="md-tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]
    found = re.findall(r'<a href="([^"]+)" class="md-tabs__link">(.*?)</a>', tabs, re.S)
    folder = posixpath.dirname(path)
    return [(posixpath.normpath(posixpath.join(folder, h)), " ".join(t.split())) for h, t in found]


def test_english_pages_show_the_navigation_in_english(built: Path) -> None:
    french = [
        ("index.html", "Catalogue"),
        ("issuers/index.html", "Émetteurs"),
        ("territoire.html", "Territoire apprenant"),
        ("a-propos.html", "À propos"),
    ]
    english = [
        ("en/index.html", "Catalogue"),
        ("en/issuers/index.html", "Issuers"),
        ("territoire.html", "Learning territory (map, in French)"),
        ("a-propos.html", "About (in French)"),
    ]
    assert _tabs(built, "badges/telephone.html") == french
    assert _tabs(built, "index.html") == french
    assert _tabs(built, "en/badges/telephone.html") == english
    assert _tabs(built, "en/index.html") == english
    # The logo leads to the home page in the page's language.
    logo = re.compile(r'<a href="([^"]+)" title="[^"]*" class="md-header__button md-logo"')
    english_page = (built / "site/en/issuers/reseau-test.html").read_text("utf-8")
    assert logo.findall(english_page) == ["../index.html"]
    french_page = (built / "site/issuers/reseau-test.html").read_text("utf-8")
    assert logo.findall(french_page) == ["../index.html"]


def test_no_page_loads_anything_from_another_host(built: Path) -> None:
    for page in (built / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loaded = re.findall(
            r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="(https?:)?//([^"/]+)', html
        )
        external = [host for _, host in loaded if host != "badges.example.org"]
        assert external == [], (page, external)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_two_builds_of_the_same_input_are_byte_identical(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", sitebuild.source_date_epoch(built))
    sitebuild.build(built, built / "site-again")
    comparison = filecmp.dircmp(built / "site", built / "site-again")

    def differences(cmp: filecmp.dircmp[str]) -> list[str]:
        found = cmp.left_only + cmp.right_only + cmp.diff_files
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found

    assert differences(comparison) == []


def test_a_failing_build_leaves_the_previous_site(built: Path) -> None:
    from mkdocs.exceptions import MkDocsException

    before = (built / "site" / "index.html").read_bytes()
    conflict = built / "site_src" / "pages" / "badges" / "telephone.md"
    conflict.parent.mkdir(parents=True)
    conflict.write_text("# À la main\n", encoding="utf-8")
    try:
        with pytest.raises(MkDocsException):
            sitebuild.build(built, built / "site")
    finally:
        conflict.unlink()
        conflict.parent.rmdir()
    assert (built / "site" / "index.html").read_bytes() == before
    assert not [p for p in built.iterdir() if p.name.startswith(".site")]


def test_local_server_serves_content_types_and_the_404_page(built: Path) -> None:
    server = sitebuild.make_server(built / "site", "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        with urllib.request.urlopen(base + "badges/telephone/image.png") as response:
            assert response.headers["Content-Type"] == "image/png"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(base + "absent.html")
        assert error.value.code == 404
        assert "Badgeons" in error.value.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_local_server_serves_the_site_below_the_path_of_its_site_url(built: Path) -> None:
    """As on https://org.github.io/repo/: the site lives below /repo/, / leads there."""
    assert sitebuild.served_path("https://badges.example.org/test/") == "/test/"
    assert sitebuild.served_path("https://badges.example.org/") == "/"
    server = sitebuild.make_server(built / "site", "127.0.0.1", 0, "/test/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with urllib.request.urlopen(origin + "/test/badges/telephone/image.png") as response:
            assert response.headers["Content-Type"] == "image/png"
        with urllib.request.urlopen(origin + "/test/") as response:
            assert "<h1" in response.read().decode("utf-8")
        for path in ("/", "/test"):
            with pytest.raises(urllib.error.HTTPError) as redirect:
                opener.open(origin + path)
            assert redirect.value.code == 302, path
            assert redirect.value.headers["Location"] == "/test/"
        # Outside the site and missing below it: the site's 404 page, whose styles load from
        # below /test/, where they are.
        for path in ("/badges/telephone.html", "/test/absent.html", "/test/badges/"):
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(origin + path)
            assert error.value.code == 404, path
            page = error.value.read().decode("utf-8")
            stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
            assert stylesheet and stylesheet.group(1).startswith("/test/assets/"), page[:300]
            with urllib.request.urlopen(origin + stylesheet.group(1)) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_serve_names_a_port_already_taken_in_french(site_repo: Path) -> None:
    import socket

    from click.testing import CliRunner

    from build_tools.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--root", str(site_repo), "--port", str(port)]
        args += ["--site-dir", str(site_repo / "out")]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Erreur : le port {port} est déjà utilisé ; essayez --port {port + 1}\n"
    )


def test_the_404_page_is_in_french_then_english_and_leads_to_the_catalogue_and_verifier(
    built: Path,
) -> None:
    page = (built / "site" / "404.html").read_text(encoding="utf-8")
    assert f"<title>Page introuvable - {_site_name(built)}</title>" in page
    assert "<h1>Page introuvable</h1>" in page
    assert "Not found" not in page
    assert "le badge n'est peut-être pas encore publié" in page.replace("Le badge", "le badge")
    assert '<section lang="en"' in page and "Page not found" in page
    # Served at any depth: its links start from the path of site_url (/test/).
    links = re.findall(r'<a href="([^"]+)">', page)
    for target in ("/test/index.html", "/test/verifier.html", "/test/en/index.html"):
        assert target in links, links
    # The English part leads to the English verifier.
    english = page[page.index('<section lang="en"') :]
    assert '<a href="/test/en/verifier.html">Verify a badge</a>' in english


def test_every_page_carries_a_policy_that_allows_its_own_inline_scripts(built: Path) -> None:
    from build_tools import csp

    for page in (built / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        start = html.index('http-equiv="Content-Security-Policy" content="') + len(
            'http-equiv="Content-Security-Policy" content="'
        )
        policy = html[start : html.index('"', start)]
        for source in csp.inline_script_hashes(html):
            assert source in policy, (page, source)
        assert "'unsafe-inline'" not in policy, page


def test_a_site_already_loaded_is_not_loaded_again(built: Path, tmp_path: Path) -> None:
    import dataclasses
    from types import MappingProxyType

    from build_tools.model import Text
    from build_tools.pipeline import load_site

    site, _ = load_site(built)
    assert site is not None
    # A name that no file of the repository holds: only the handed-over site can put it there.
    badge = dataclasses.replace(site.badges["telephone"], name=Text("Nom passé par l'appelant"))
    marked = dataclasses.replace(site, badges=MappingProxyType({**site.badges, "telephone": badge}))
    sitebuild.build(built, tmp_path / "out", site=marked)
    page = (tmp_path / "out" / "badges" / "telephone.html").read_text(encoding="utf-8")
    assert "<h1>Nom passé par l'appelant</h1>" in page


def test_generated_pages_are_published_as_rendered_not_read_again_as_markdown(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from build_tools import catalogue

    render = catalogue._render
    # After a blank line, Python-Markdown would read an indented line as code and *x* as
    # emphasis: the body must reach the page exactly as the core rendered it.
    tail = "<p>fin</p>\n\n    <b>indenté</b>\n*étoiles*\n"
    monkeypatch.setattr(catalogue, "_render", lambda *args: render(*args) + tail)
    sitebuild.build(built, tmp_path / "out")
    page = (tmp_path / "out" / "badges" / "telephone.html").read_text(encoding="utf-8")
    assert "<p>fin</p>\n\n    <b>indenté</b>\n*étoiles*" in page
    assert "<pre><code>" not in page and "<em>étoiles</em>" not in page
    # Hand-written pages are still Markdown: their headings get the toc extension's anchors.
    about = (tmp_path / "out" / "a-propos.html").read_text(encoding="utf-8")
    assert 'class="headerlink"' in about


def test_other_plugins_still_see_the_generated_pages(built: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("site", ".cache"))
    # MkDocs hooks run after the plugins listed in mkdocs.yml, like a plugin listed after ours.
    (root / "hooks.py").write_text(
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    return markdown + '\\n<p>ajouté par un crochet</p>\\n'\n"
        "\n"
        "def on_page_content(html, page, **kwargs):\n"
        "    return html + f'<!-- corps vu : {\"bdg-badge__head\" in html} -->'\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["hooks.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    sitebuild.build(root, root / "site")
    page = (root / "site" / "badges" / "telephone.html").read_text(encoding="utf-8")
    assert "<p>ajouté par un crochet</p>" in page
    assert "<!-- corps vu : True -->" in page


def test_plain_mkdocs_build_writes_the_same_site(built: Path, tmp_path: Path) -> None:
    """``mkdocs build`` and ``mkdocs serve`` run the plugin alone: same files, same bytes."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    mkdocs_build(load_config(str(built / "mkdocs.yml"), site_dir=str(tmp_path / "plain")))
    ours = {p.relative_to(built / "site") for p in (built / "site").rglob("*") if p.is_file()}
    plain = {p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*")}
    assert ours == {p for p in plain if (tmp_path / "plain" / p).is_file()}
    differ = [p for p in ours if not filecmp.cmp(built / "site" / p, tmp_path / "plain" / p, False)]
    assert differ == []


def test_a_configuration_without_the_plugin_is_refused(built: Path, tmp_path: Path) -> None:
    from mkdocs.exceptions import PluginError

    before = (built / "site" / "index.html").read_bytes()
    config = (built / "mkdocs.yml").read_text(encoding="utf-8")
    (built / "mkdocs.yml").write_text(config.replace("  - badgeons\n", ""), encoding="utf-8")
    try:
        with pytest.raises(PluginError, match="doit déclarer l'extension badgeons"):
            sitebuild.build(built, built / "site")
    finally:
        (built / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert (built / "site" / "index.html").read_bytes() == before


def test_the_loaded_site_is_set_aside_from_the_collector_until_the_build_ends(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the awards' workers too, where a full collection would walk the whole model."""
    import gc

    from build_tools import siteoutput

    frozen: list[int] = []
    finish = siteoutput.Writing.finish

    def watched(self: siteoutput.Writing) -> object:
        result = finish(self)
        frozen.append(gc.get_freeze_count())
        return result

    monkeypatch.setattr(siteoutput.Writing, "finish", watched)
    sitebuild.build(built, tmp_path / "out")
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0
