"""MkDocs' output reused while nothing it is made from changes; rendered again otherwise."""

from __future__ import annotations

from importlib import metadata
from os import PathLike
from pathlib import Path

import pytest

from build_tools import cache, pagereuse, sitebuild
from tests.conftest import PROJECT, AwardedRepo
from tests.unit.test_cache import _add_award, _tree


def _output(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text("<p>page</p>", encoding="utf-8")
    (folder / "sub" / "data.json").write_text("{}", encoding="utf-8")
    return folder


def test_a_kept_output_is_found_by_its_key_only(tmp_path: Path) -> None:
    store = pagereuse.Store(tmp_path / "cache")
    key = pagereuse.key([("page", b"# Titre")])
    assert store.find(key) is None
    store.keep(key, _output(tmp_path / "out"))
    found = store.find(key)
    assert found is not None and _tree(found) == _tree(tmp_path / "out")
    assert store.find(pagereuse.key([("page", b"# Autre titre")])) is None


def test_keys_depend_on_names_values_and_order() -> None:
    base = pagereuse.key([("a", b"1"), ("b", b"2")])
    assert base == pagereuse.key([("a", b"1"), ("b", b"2")])
    assert base != pagereuse.key([("b", b"2"), ("a", b"1")])
    assert base != pagereuse.key([("a", b"12"), ("b", b"")])
    assert base != pagereuse.key([("a", b"1"), ("c", b"2")])


def test_a_new_output_replaces_the_old_one(tmp_path: Path) -> None:
    store = pagereuse.Store(tmp_path / "cache")
    first, second = pagereuse.key([("v", b"1")]), pagereuse.key([("v", b"2")])
    store.keep(first, _output(tmp_path / "one"))
    store.keep(second, _output(tmp_path / "two"))
    assert store.find(first) is None
    assert store.find(second) is not None
    assert sorted(p.name for p in (tmp_path / "cache" / "rendered").iterdir()) == sorted(
        [second, f"{second}.json"]
    )


@pytest.mark.parametrize("damage", ["edit", "delete", "add", "index"])
def test_a_damaged_output_is_never_used(tmp_path: Path, damage: str) -> None:
    store = pagereuse.Store(tmp_path / "cache")
    key = pagereuse.key([("v", b"1")])
    store.keep(key, _output(tmp_path / "out"))
    kept = tmp_path / "cache" / "rendered" / key
    if damage == "edit":
        (kept / "index.html").write_text("<p>autre</p>", encoding="utf-8")
    elif damage == "delete":
        (kept / "sub" / "data.json").unlink()
    elif damage == "add":
        (kept / "extra.html").write_text("", encoding="utf-8")
    else:
        (kept.parent / f"{key}.json").write_text("{", encoding="utf-8")
    assert store.find(key) is None


def test_without_a_cache_nothing_is_kept(tmp_path: Path) -> None:
    store = pagereuse.Store(None)
    store.keep("k", _output(tmp_path / "out"))
    assert store.find("k") is None


# Whole builds: MkDocs runs only when what it reads has changed.


@pytest.fixture
def repo(buildable_repo: AwardedRepo) -> AwardedRepo:
    return buildable_repo


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages MkDocs renders, by source path, build after build ("<mkdocs>": a run)."""
    from mkdocs.commands import build

    pages: list[str] = []
    real_page, real_build = build._build_page, build.build

    def page_spy(page, *args, **kwargs):  # type: ignore[no-untyped-def]
        pages.append(page.file.src_uri)
        return real_page(page, *args, **kwargs)

    def build_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages.append("<mkdocs>")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(build, "_build_page", page_spy)
    monkeypatch.setattr(build, "build", build_spy)
    return pages


def _clean(root: Path, site: Path) -> dict[str, bytes]:
    cache.disable()
    try:
        sitebuild.build(root, site)
    finally:
        cache.disable(False)
    return _tree(site)


def test_an_added_award_reuses_the_pages_with_its_figures_updated(
    repo: AwardedRepo, tmp_path: Path, rendered: list[str]
) -> None:
    site = tmp_path / "site"
    sitebuild.build(repo.root, site)
    assert "badges/telephone.md" in rendered
    before = (site / "badges" / "telephone.html").read_text(encoding="utf-8")
    rendered.clear()

    _add_award(repo, "dora")
    sitebuild.build(repo.root, site)
    assert rendered == []
    after = (site / "badges" / "telephone.html").read_text(encoding="utf-8")
    assert after != before
    assert "bdgfig7q" not in after
    # A new folder (as in CI, where only the cache is kept) gets the same site.
    sitebuild.build(repo.root, tmp_path / "ci")
    assert rendered == []

    clean = _clean(repo.root, tmp_path / "clean")
    assert rendered != []
    assert _tree(site) == clean
    assert _tree(tmp_path / "ci") == clean
    assert not any(b"bdgfig7q" in data for data in clean.values())


@pytest.mark.parametrize(
    "change",
    ["docs page", "theme override", "badge text", "build date", "configuration"],
)
def test_a_change_to_what_mkdocs_reads_renders_the_pages_again(
    repo: AwardedRepo,
    tmp_path: Path,
    rendered: list[str],
    change: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = tmp_path / "site"
    sitebuild.build(repo.root, site)
    rendered.clear()
    root = repo.root
    if change == "docs page":
        page = root / "site_src" / "pages" / "a-propos.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", "utf-8")
    elif change == "theme override":
        partial = next((root / "site_src" / "overrides").rglob("*.html"))
        partial.write_text(partial.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "badge text":
        badge = next((root / "badges").glob("telephone*.yaml"))
        text = badge.read_text(encoding="utf-8")
        badge.write_text(text.replace("téléphone", "téléphone mobile", 1), encoding="utf-8")
    elif change == "build date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1790000000 + 86400))
    else:
        config = root / "mkdocs.yml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("site_name:", "site_name: Autre #"),
            encoding="utf-8",
        )
    sitebuild.build(root, site)
    assert rendered != []
    assert _tree(site) == _clean(root, tmp_path / "clean")


def test_an_unknown_plugin_always_runs_mkdocs(
    repo: AwardedRepo, tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from build_tools import mkdocs_plugin

    monkeypatch.setattr(mkdocs_plugin, "REUSABLE_PLUGINS", frozenset({"badgeons"}))
    sitebuild.build(repo.root, tmp_path / "site")
    rendered.clear()
    sitebuild.build(repo.root, tmp_path / "site")
    assert rendered != []


def test_the_configuration_gives_the_same_key_in_every_process() -> None:
    # MkDocs' configuration holds sets, whose order changes with Python's hash seed.
    import os
    import subprocess
    import sys

    script = (
        "from mkdocs.config import load_config\n"
        "from build_tools.mkdocs_plugin import _stable\n"
        f"config = load_config({str(PROJECT / 'mkdocs.yml')!r})\n"
        "print(_stable({'theme': config.theme, 'plugins': [(n, p.config) for n, p in"
        " config.plugins.items()], 'sets': {'b', 'a', 'c'}}))\n"
    )
    texts = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(texts) == 1
    assert "sitemap.xml" in texts.pop()


class _Distribution(metadata.Distribution):
    """An installed distribution with only a metadata file."""

    def __init__(self, text: str | None, name: str = "METADATA") -> None:
        self.files_by_name = {name: text} if text is not None else {}

    def read_text(self, filename: str) -> str | None:
        return self.files_by_name.get(filename)

    def locate_file(self, path: str | PathLike[str]) -> Path:
        raise NotImplementedError


def test_installed_packages_are_read_as_their_metadata_reads_them() -> None:
    """Name and version of every distribution of this environment, as importlib parses them."""
    from build_tools.mkdocs_plugin import _installed

    expected = {f"{d.metadata['Name']} {d.version}" for d in metadata.distributions()}
    assert _installed().decode().split("\n") == sorted(expected)


@pytest.mark.parametrize(
    ("distribution", "shown"),
    [
        (_Distribution("Metadata-Version: 2.1\nName: mkdocs\nVersion: 1.6.1\n"), "mkdocs 1.6.1"),
        # A description that looks like headers comes after the first blank line.
        (_Distribution("Name: a\nVersion: 2\n\nName: b\nVersion: 3\n"), "a 2"),
        (_Distribution("Name: old\nVersion: 0.1\n", name="PKG-INFO"), "old 0.1"),
        (_Distribution("Name: a\nSummary: Version: 5\n"), "a None"),
        (_Distribution(None), "None None"),
    ],
)
def test_a_distribution_is_named_by_its_first_headers(
    distribution: _Distribution, shown: str
) -> None:
    from build_tools.mkdocs_plugin import _name_and_version

    assert _name_and_version(distribution) == shown
