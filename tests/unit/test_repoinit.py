"""badgeons init: a collective's own, empty repository started from the demonstration."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from build_tools import repoinit, sitebuild
from build_tools.cli import main
from build_tools.diagnostics import format_text
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

OWN = repoinit.Settings(
    site_url="https://collectif.github.io/Badges/",
    title="Les badges du collectif",
    title_en="The collective's badges",
)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


class FailingCopy:
    """``shutil.copy2`` as repoinit calls it, failing (disk full) on its ``fail_at``-th copy."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.copies = 0
        self.real = shutil.copy2

    def __call__(self, origin: Path, destination: Path) -> object:
        self.copies += 1
        if self.copies == self.fail_at:
            raise OSError(28, "No space left on device")
        return self.real(origin, destination)


def test_init_removes_every_demonstration_file_and_leaves_a_valid_repository(
    awarded_repo: AwardedRepo,
) -> None:
    root = awarded_repo.root
    signed = list((root / "issuers").rglob("assertions/*.json"))
    assert signed, "the awarded repository holds signed badges"
    removed = repoinit.init(root, OWN)
    assert removed.awards == len(signed)
    assert (removed.issuers, removed.badges) == (2, 3)
    files = [p for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts]
    assert files == [root / "badgeons.yml"]
    site, report = load_site(root)
    assert format_text(report.sorted()) == ""
    assert site is not None and not site.badges and not site.issuers
    text = (root / "badgeons.yml").read_text(encoding="utf-8")
    assert "site_url: https://collectif.github.io/Badges/\n" in text
    assert 'title: "Les badges du collectif"\n' in text
    assert "yaml-language-server: $schema=build_tools/schemas/settings.schema.json" in text


@pytest.mark.parametrize(
    ("site_url", "message"),
    [
        ("http://collectif.fr/", "did:web n'accepte que https"),
        ("https://Collectif.fr/", "minuscules"),
        ("https://collectif.fr", "terminée par « / »"),
        ("https://badgeons.example.org/", "adresse d'exemple (example.org)"),
    ],
)
def test_init_refuses_an_address_that_cannot_be_used_and_changes_nothing(
    awarded_repo: AwardedRepo, site_url: str, message: str
) -> None:
    before = _tree(awarded_repo.root)
    settings = repoinit.Settings(site_url=site_url, title="")
    with pytest.raises(repoinit.InitError) as raised:
        repoinit.init(awarded_repo.root, settings)
    # Every problem at once: the address and the empty title.
    assert message in str(raised.value)
    assert "title: trop court" in str(raised.value)
    assert _tree(awarded_repo.root) == before


def test_init_refuses_a_repository_that_has_its_own_address(awarded_repo: AwardedRepo) -> None:
    repoinit.init(awarded_repo.root, OWN)
    (awarded_repo.root / "issuers" / "kept.txt").write_text("x", encoding="utf-8")
    with pytest.raises(repoinit.InitError, match=r"déjà sa propre adresse \(site_url: https://"):
        repoinit.init(awarded_repo.root, OWN)
    assert (awarded_repo.root / "issuers" / "kept.txt").is_file()


def test_init_into_a_new_folder_copies_the_tracked_tooling_without_data_or_history(
    site_repo: Path, tmp_path: Path
) -> None:
    (site_repo / "notes-locales.txt").write_text("pas suivi", encoding="utf-8")
    git = ["git", "-C", str(site_repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "badgeons.yml", "mkdocs.yml", "site_src", "badges", "issuers"])
    subprocess.run([*git, "commit", "-q", "-m", "demo"], check=True)
    target = tmp_path / "collectif"
    args = ["init", str(target), "--root", str(site_repo), "--site-url", OWN.site_url]
    result = CliRunner().invoke(main, [*args, "--title", OWN.title])
    assert result.exit_code == 0, result.output
    assert "Dépôt créé dans" in result.stdout and "badgeons keygen mon-organisme" in result.stdout
    assert not (target / ".git").exists()
    assert not (target / "notes-locales.txt").exists()
    assert (target / "mkdocs.yml").is_file() and (target / "site_src").is_dir()
    assert not any((target / "issuers").iterdir())
    assert list((target / "badges").iterdir()) == [target / "badges" / "images"]
    # Without tests/ (this scratch repository has none), no copy of the demonstration is kept.
    assert not (target / repoinit.DEMO_COPY).exists()
    assert repoinit.demo_root(target) == target
    # The demonstration itself is untouched.
    assert any((site_repo / "issuers").iterdir())
    # Every page's header names the collective, not « Badgeons ».
    assert 'site_name: "Les badges du collectif"\n' in (target / "mkdocs.yml").read_text(
        encoding="utf-8"
    )
    # The new repository builds: an empty catalogue, and its 404 page.
    sitebuild.build(target, tmp_path / "site")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Les badges du collectif" in home.split('<div class="md-header__title"')[1][:800]
    # No search and filters over nothing: the page says there is no badge yet.
    assert "<p>Aucun badge pour le moment.</p>" in home and 'id="bdg-filters"' not in home
    assert (tmp_path / "site" / "404.html").is_file()


def test_init_into_a_folder_that_is_not_empty_is_refused(site_repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "plein"
    target.mkdir()
    (target / "a.txt").write_text("a", encoding="utf-8")
    args = ["init", str(target), "--root", str(site_repo), "--site-url", OWN.site_url]
    result = CliRunner().invoke(main, [*args, "--title", "T"])
    assert result.exit_code == 1
    assert result.stderr == f"Erreur : le dossier {target} existe déjà et n'est pas vide\n"


def test_init_in_place_asks_first_and_does_nothing_when_refused(
    awarded_repo: AwardedRepo,
) -> None:
    before = _tree(awarded_repo.root)
    args = ["init", "--root", str(awarded_repo.root), "--site-url", OWN.site_url]
    result = CliRunner().invoke(main, [*args, "--title", "T"], input="n\n")
    assert result.exit_code == 1
    assert "Retirer les" in result.stdout
    assert _tree(awarded_repo.root) == before
    result = CliRunner().invoke(main, [*args, "--title", "T", "--yes"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Données de démonstration retirées du site : 2 émetteur(s), 3 badge(s), "
    )


def test_init_reports_every_problem_of_the_settings(awarded_repo: AwardedRepo) -> None:
    args = ["init", "--root", str(awarded_repo.root), "--site-url", "http://x.fr/"]
    result = CliRunner().invoke(main, [*args, "--title", "", "--yes"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "badgeons.yml:6:1: error: site_url: « http://x.fr/ » : did:web n'accepte que https "
        "(le site doit être servi en HTTPS, docs/deploy.md). Écrivez « https://x.fr/ »",
        "badgeons.yml:8:1: error: title: trop court (au moins 1 caractères)",
        "Erreur : 2 erreur(s) : rien n'a été modifié",
    ]


def test_init_keeps_the_demonstration_for_badgeons_own_tests_outside_the_site(
    awarded_repo: AwardedRepo,
) -> None:
    """Badgeons' tests and benchmarks check the tooling against the demonstration: in a
    collective's repository they find it in tests/data/demo, which the site never reads."""
    root = awarded_repo.root
    (root / "tests").mkdir()
    before = {
        name: data
        for name, data in _tree(root).items()
        if name == "badgeons.yml" or name.split("/", 1)[0] in repoinit.DATA_FOLDERS
    }
    assert repoinit.demo_root(root) == root
    repoinit.init(root, OWN)
    kept = root / repoinit.DEMO_COPY
    assert repoinit.demo_root(root) == kept
    copy = _tree(kept)
    assert "Ne les modifiez pas" in copy.pop("README.md").decode("utf-8")
    assert copy == before
    # The kept demonstration still loads, signatures and all; the collective's site is empty.
    demo, report = load_site(kept)
    assert format_text(report.sorted()) == ""
    assert demo is not None and len(demo.awards) == len(awarded_repo.ids)
    site, _ = load_site(root)
    assert site is not None and not site.awards and not site.badges and not site.issuers


def test_init_into_a_new_folder_keeps_the_demonstration_beside_the_tests(
    site_repo: Path, tmp_path: Path
) -> None:
    (site_repo / "tests").mkdir()
    (site_repo / "tests" / "test_x.py").write_text("", encoding="utf-8")
    target = tmp_path / "collectif"
    args = ["init", str(target), "--root", str(site_repo), "--site-url", OWN.site_url]
    result = CliRunner().invoke(main, [*args, "--title", OWN.title])
    assert result.exit_code == 0, result.output
    assert "Une copie en reste dans tests/data/demo, hors du site" in result.stdout
    kept = target / repoinit.DEMO_COPY
    assert (kept / "badgeons.yml").read_bytes() == (site_repo / "badgeons.yml").read_bytes()
    for folder in repoinit.DATA_FOLDERS:
        names = sorted(p.relative_to(site_repo).as_posix() for p in (site_repo / folder).rglob("*"))
        assert sorted(p.relative_to(kept).as_posix() for p in (kept / folder).rglob("*")) == names
    assert "site_url: https://collectif.github.io/Badges/" in (target / "badgeons.yml").read_text(
        encoding="utf-8"
    )


def test_a_collectives_repository_can_start_another_in_a_new_folder(
    site_repo: Path, tmp_path: Path
) -> None:
    """In place, a repository with its own address is refused; copied, its data never travels."""
    first = tmp_path / "premier"
    args = ["init", str(first), "--root", str(site_repo), "--site-url", OWN.site_url]
    assert CliRunner().invoke(main, [*args, "--title", OWN.title]).exit_code == 0
    (first / "badges" / "propre.yaml").write_text("name: x\n", encoding="utf-8")
    before = _tree(first)
    in_place = ["init", "--root", str(first), "--site-url", "https://autre.fr/", "--title", "A"]
    result = CliRunner().invoke(main, [*in_place, "--yes"])
    assert result.exit_code == 1
    assert "pour partir de ce dépôt, indiquez un nouveau dossier" in result.stderr
    second = tmp_path / "second"
    result = CliRunner().invoke(main, [*in_place[:1], str(second), *in_place[1:]])
    assert result.exit_code == 0, result.output
    assert "site_url: https://autre.fr/" in (second / "badgeons.yml").read_text(encoding="utf-8")
    assert not (second / "badges" / "propre.yaml").exists()
    assert _tree(first) == before


@pytest.mark.parametrize("existing", [False, True])
def test_a_copy_that_fails_leaves_no_half_written_folder(
    site_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "collectif"
    if existing:
        target.mkdir()
    failing_copy = FailingCopy(fail_at=3)
    monkeypatch.setattr(repoinit.shutil, "copy2", failing_copy)
    with pytest.raises(OSError):
        repoinit.new_repository(site_repo, target, OWN)
    assert failing_copy.copies == 3
    assert target.exists() is existing and (not existing or not any(target.iterdir()))
    # A failure of the second step (after a complete copy) is undone the same way.
    monkeypatch.setattr(repoinit.shutil, "copy2", failing_copy.real)

    def failing_init(root: Path, settings: repoinit.Settings, *, copied: bool) -> None:
        assert copied and (root / "mkdocs.yml").is_file()
        raise repoinit.InitError("disque plein")

    monkeypatch.setattr(repoinit, "init", failing_init)
    with pytest.raises(repoinit.InitError):
        repoinit.new_repository(site_repo, target, OWN)
    assert target.exists() is existing and (not existing or not any(target.iterdir()))


def test_init_in_place_that_fails_while_keeping_the_demonstration_changes_nothing(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = awarded_repo.root
    (root / "tests").mkdir()
    before = _tree(root)
    failing_copy = FailingCopy(fail_at=4)
    monkeypatch.setattr(repoinit.shutil, "copy2", failing_copy)
    with pytest.raises(OSError):
        repoinit.init(root, OWN)
    assert failing_copy.copies == 4
    assert _tree(root) == before
    assert not (root / repoinit.DEMO_COPY).exists()
