"""Tests of build_tools.leaks: a build never publishes a person's address or position."""

from __future__ import annotations

import gzip
import json
import struct
import zlib
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from build_tools import leaks, sitebuild
from build_tools.diagnostics import format_text
from build_tools.gazetteer import Gazetteer, Place

ALLOWED = frozenset({"contact@atelier.example.org", "badges@atelier.example.org"})
BLOIS = Place("41018", "Blois", ("41000",), "41", 47219, 47.594, 1.329)


def _png(*chunks: tuple[bytes, bytes]) -> bytes:
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in chunks:
        out += (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )
    return out


def _emails(site: Path) -> str:
    return format_text(leaks.email_leaks(site, ALLOWED))


def test_addresses_in_text_files_are_found_and_masked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_text(
        "<p>Écrire à contact@atelier.example.org ou à Jean.Dupont@gmail.com</p>", encoding="utf-8"
    )
    (tmp_path / "ok.json").write_text('{"email": "BADGES@atelier.example.org"}', encoding="utf-8")
    assert _emails(tmp_path) == (
        "a/x.html: error: adresse e-mail « je…@gmail.com » dans le site publié : seules les "
        "adresses publiques des organismes (email, requests.email) peuvent y figurer"
    )


def test_png_text_chunks_and_gzip_files_are_read(tmp_path: Path) -> None:
    itxt = b"openbadges\0\0\0\0\0" + b'{"recipient": "awa@example.org"}'
    ztxt = b"Comment\0\0" + zlib.compress(b"par bob@example.org")
    # Pixels are not text: an address-like run of bytes there is not an address.
    image = _png((b"iTXt", itxt), (b"zTXt", ztxt), (b"IDAT", b"xx@yy.zz"), (b"IEND", b""))
    (tmp_path / "badge.png").write_bytes(image)
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"<loc>chloe@example.org</loc>"))
    assert [d.message.split("»")[0] for d in leaks.email_leaks(tmp_path, ALLOWED)] == [
        "adresse e-mail « aw…@example.org ",
        "adresse e-mail « bo…@example.org ",
        "adresse e-mail « ch…@example.org ",
    ]


def test_the_themes_copyright_notices_are_allowed_in_its_scripts_only(tmp_path: Path) -> None:
    (tmp_path / "assets" / "javascripts").mkdir(parents=True)
    notice = "/* Copyright (c) 2016-2025 Martin Donath <martin.donath@squidfunk.com> */"
    (tmp_path / "assets" / "javascripts" / "bundle.js").write_text(notice, encoding="utf-8")
    assert _emails(tmp_path) == ""
    (tmp_path / "page.html").write_text(notice, encoding="utf-8")
    assert _emails(tmp_path).startswith("page.html: error: adresse e-mail « ma…@squidfunk.com »")


@pytest.mark.parametrize("index", ["search/search_index.json", "en/search/search_index.json"])
def test_the_search_index_may_join_a_word_and_a_public_address(tmp_path: Path, index: str) -> None:
    (tmp_path / index).parent.mkdir(parents=True)
    docs = {"docs": [{"text": "Contactcontact@atelier.example.org"}]}
    (tmp_path / index).write_text(json.dumps(docs), encoding="utf-8")
    assert _emails(tmp_path) == ""
    (tmp_path / "other.json").write_text(json.dumps(docs), encoding="utf-8")
    assert _emails(tmp_path).startswith("other.json: error:")


def _map_files(site: Path, lat: float, lon: float, script: str = "center: [46.6, 2.4]") -> None:
    data = {"communes": [["41018", "Blois", "41", lat, lon]], "holders": []}
    (site / "territoire.html").write_text(
        f'<script type="application/json" id="bdg-terr-data">{json.dumps(data)}</script>',
        encoding="utf-8",
    )
    feature = {"geometry": {"type": "Point", "coordinates": [lon, lat]}}
    (site / "territoire.geojson").write_text(json.dumps({"features": [feature]}), encoding="utf-8")
    (site / "territoire.csv").write_text(f"latitude,longitude\n{lat},{lon}\n", encoding="utf-8")
    (site / "assets" / "territoire").mkdir(parents=True, exist_ok=True)
    (site / "assets" / "territoire" / "carte.js").write_text(script, encoding="utf-8")


def test_only_the_gazetteers_points_may_be_published(tmp_path: Path) -> None:
    places = Gazetteer.of([BLOIS])
    _map_files(tmp_path, 47.594, 1.329)
    assert leaks.position_leaks(tmp_path, places) == []
    _map_files(tmp_path, 47.5943, 1.3291, script="center: [47.59431, 1.3]")
    message = (
        "error: position 47.5943, 1.3291 : ce n'est pas le point publié d'une commune du "
        "répertoire (jamais de position plus fine que la commune)"
    )
    assert format_text(leaks.position_leaks(tmp_path, places)).splitlines() == [
        f"territoire.html: {message}",
        f"territoire.geojson: {message}",
        f"territoire.csv: {message}",
        "assets/territoire/carte.js: error: nombre 47.59431 plus précis que les positions "
        "publiées (3 décimales)",
    ]
    # Three decimals, but not a commune's point: refused too.
    _map_files(tmp_path, 47.601, 1.329)
    assert len(leaks.position_leaks(tmp_path, places)) == 3


@pytest.fixture
def repo_with_a_leak(site_repo: Path) -> Path:
    badge = site_repo / "badges" / "telephone.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text(
        text.replace(
            "evidence: Observation par le formateur.", "evidence: Écrire à jean.dupont@gmail.com."
        ),
        encoding="utf-8",
    )
    return site_repo


def test_the_build_refuses_to_publish_an_address(
    repo_with_a_leak: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = repo_with_a_leak / "site"
    site.mkdir()
    (site / "previous.html").write_text("previous site", encoding="utf-8")
    with pytest.raises(Abort):
        sitebuild.build(repo_with_a_leak, site)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "the site would publish personal data:\n" in logged
    pages = ("badges/telephone.html", "en/badges/telephone.html")
    for page in (*pages, "search/search_index.json", "en/search/search_index.json"):
        assert f"{page}: error: adresse e-mail « je…@gmail.com » dans le site publié" in logged
    # The previous site is left as it was.
    assert [p.name for p in site.iterdir()] == ["previous.html"]


def test_the_fast_address_scan_finds_exactly_what_the_pattern_finds() -> None:
    import random

    from build_tools.leaks import EMAIL, addresses

    chance = random.Random(20261123)
    alphabet = b'ab.-_+%@ Z9\n"<>/:xyz'
    texts = [
        bytes(chance.choice(alphabet) for _ in range(chance.randint(0, 60))) for _ in range(20_000)
    ]
    texts += [
        b"a@b.ccx@d.ee",
        b"x@foo.b@baz.com",
        b'{"@context": "x", "email": "Jean.Dupont+x@mail.example.org"}',
        b"AAAA+/==" * 1000 + b"moi@example.fr",
        b"..@a.bc@d.ef.gh",
        b"@@a.bc a@@b.cd x@a.b@c.de @a-b.cd@e.fg moi@a.b. @",
    ]
    for text in texts:
        assert addresses(text) == EMAIL.findall(text), text


def test_a_files_kind_is_the_suffix_pathlib_gives() -> None:
    from pathlib import PurePosixPath

    names = ["", ".", "..", "/", "a/", "a/.", "a/..", "a/./", "//x.y", "a//b.c", "a/b/", "x."]
    names += [".bashrc", "a/.bashrc", "a..b", "..json", "a/b.JSON", "a.b/c", "é.PNG", "a/x.vc.png"]
    names += ["a/x.tar.GZ", "search/search_index.json", "a/b.c/.", "a/b.c//", " .txt", "a/ .x"]
    for name in names:
        assert leaks.suffix_of(name) == PurePosixPath(name).suffix.lower(), name


def test_png_text_chunks_are_read_around_image_data_of_any_size() -> None:
    itxt = b"openbadges\0\0\0\0\0" + b'{"recipient": "awa@example.org"}'
    image = _png(
        (b"IHDR", bytes(13)),
        (b"IDAT", b"zz@yy.zz" * 10_000),
        (b"tEXt", b"Author\0bob@example.org"),
        (b"iTXt", itxt),
        (b"IEND", b""),
    )
    texts = [b"Author\0bob@example.org", b'{"recipient": "awa@example.org"}']
    assert list(leaks.png_texts(image)) == texts
    # A truncated file gives what is left of its chunks.
    assert list(leaks.png_texts(image[:-40])) == [texts[0], b'{"recipi']
