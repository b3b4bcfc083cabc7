"""Builds into the same site folder: only what changed is written, and the result is a clean build's."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import MkDocsException

from build_tools import cache, sitebuild
from tests.conftest import AwardedRepo
from tests.unit.test_cache import _add_award, _tree


@pytest.fixture
def repo(buildable_repo: AwardedRepo) -> AwardedRepo:
    return buildable_repo


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def test_an_added_award_rewrites_its_own_files_and_leaves_the_others(
    repo: AwardedRepo, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    sitebuild.build(repo.root, site)
    old = repo.ids["awa"]
    before = {p: _stamp(site / "a" / f"{old}.{p}") for p in ("html", "png", "vc.svg", "json")}
    _add_award(repo, "dora")
    sitebuild.build(repo.root, site)
    after = {p: _stamp(site / "a" / f"{old}.{p}") for p in before}
    assert after == before
    assert len(list((site / "a").glob("*.html"))) == 4

    cache.disable()
    sitebuild.build(repo.root, tmp_path / "clean")
    incremental, clean = _tree(site), _tree(tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [p for p in clean if incremental[p] != clean[p]] == []


def test_a_deleted_award_loses_its_files(repo: AwardedRepo, tmp_path: Path) -> None:
    site = tmp_path / "site"
    sitebuild.build(repo.root, site)
    gone = repo.ids["bob"]
    assert (site / "a" / f"{gone}.html").is_file()
    repo.record("bob").unlink()
    sitebuild.build(repo.root, site)
    assert list((site / "a").glob(f"{gone}.*")) == []


def test_a_build_that_would_publish_an_address_changes_nothing(
    repo: AwardedRepo, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    sitebuild.build(repo.root, site)
    before = _tree(site)
    badge = repo.root / "badges" / "telephone.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text(
        text.replace("description: |\n", "description: |\n  Écrire à jean.dupont@gmail.com.\n"),
        encoding="utf-8",
    )
    with pytest.raises(MkDocsException):
        sitebuild.build(repo.root, site)
    assert _tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_plain_mkdocs_refuses_an_address_too(
    repo: AwardedRepo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    badge = repo.root / "badges" / "telephone.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text(
        text.replace("description: |\n", "description: |\n  Écrire à jean.dupont@gmail.com.\n"),
        encoding="utf-8",
    )
    config = load_config(str(repo.root / "mkdocs.yml"), site_dir=str(tmp_path / "plain"))
    with pytest.raises(MkDocsException):
        mkdocs_build(config)
    assert "adresse e-mail « je…@gmail.com »" in caplog.text
