"""The front of the pipeline, on one valid repository and one invalid variant per mistake.

Each folder of tests/data/cases overlays tests/data/minimal with the files of one kind of
mistake; its expected.txt holds the exact diagnostics, in order.
"""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pytest

from build_tools.diagnostics import format_text
from build_tools.pipeline import load_site
from tests.conftest import DATA, AwardedRepo

CASES = sorted(p for p in (DATA / "cases").iterdir() if p.is_dir())


def test_minimal_repository_is_valid(minimal_repo: Path) -> None:
    site, report = load_site(minimal_repo)
    assert format_text(report.sorted()) == ""
    assert site is not None
    assert sorted(site.badges) == ["accueillir-1", "accueillir-2", "telephone"]
    assert site.awarders(site.badges["accueillir-1"]) == ("atelier-test",)
    assert site.families["accueillir"].badges == ("accueillir-1", "accueillir-2")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case_reports_exact_diagnostics(case: Path, minimal_repo: Path) -> None:
    shutil.copytree(
        case, minimal_repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt")
    )
    site, report = load_site(minimal_repo)
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    assert format_text(report.sorted()) == expected
    assert site is None
    assert report.has_errors()


def test_every_problem_of_every_file_is_reported_in_one_run(minimal_repo: Path) -> None:
    for name in ("wrong-type", "bad-formats", "level-gap"):
        shutil.copytree(
            DATA / "cases" / name,
            minimal_repo,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("expected.txt"),
        )
    _, report = load_site(minimal_repo)
    files = {d.path for d in report.errors}
    assert files == {
        "badges/telephone.yaml",
        "issuers/atelier-test.yaml",
        "badges/accueillir-1.yaml",
        "badges/accueillir-2.yaml",
    }
    assert len(report.errors) == 11


def test_missing_settings_file_is_reported(minimal_repo: Path) -> None:
    (minimal_repo / "badgeons.yml").unlink()
    site, report = load_site(minimal_repo)
    assert site is None
    assert [str(d) for d in report.errors] == [
        "badgeons.yml: error: fichier de réglages absent : ce dossier n'est pas un dépôt Badgeons"
    ]


def test_badge_naming_an_issuer_whose_file_is_invalid_is_not_reported_twice(
    minimal_repo: Path,
) -> None:
    issuer = minimal_repo / "issuers" / "atelier-test.yaml"
    issuer.write_text(
        issuer.read_text(encoding="utf-8").replace("type: organisation", "type: 3"),
        encoding="utf-8",
    )
    _, report = load_site(minimal_repo)
    assert [d.path for d in report.errors] == ["issuers/atelier-test.yaml"]


def test_the_garbage_collector_is_left_as_it_was_found(minimal_repo: Path) -> None:
    """Paused while the model is built, then running again, with nothing left frozen."""
    assert gc.isenabled()
    load_site(minimal_repo)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        site, _ = load_site(minimal_repo)
        assert site is not None
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_a_record_changed_after_signing_fails_the_load(awarded_repo: AwardedRepo) -> None:
    """The signatures, checked on the workers while the rest loads, are part of the report."""
    from build_tools import cache

    cache.disable()
    try:
        site, report = load_site(awarded_repo.root)
        assert site is not None and not report.has_errors()
        record = awarded_repo.record("awa")
        document = json.loads(record.read_text(encoding="utf-8"))
        document["ob3"]["credentialSubject"]["narrative"] = "Modifié après la signature."
        record.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        site, report = load_site(awarded_repo.root)
        assert site is None
        assert "ob3.proof" in {d.field for d in report}
        # Without the signature checks (commands that only add), the load is clean.
        site, report = load_site(awarded_repo.root, check_signatures=False)
        assert site is not None
    finally:
        cache.disable(False)


def _with_english_tags(root: Path, slug: str, line: str) -> None:
    path = root / "badges" / f"{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")


def test_english_tags_are_one_per_french_tag(minimal_repo: Path) -> None:
    _with_english_tags(minimal_repo, "telephone", "tags_en: [digital]")
    _, report = load_site(minimal_repo)
    assert [str(d) for d in report.errors] == [
        "badges/telephone.yaml:23:1: error: tags_en: 1 mots-clés traduits pour 2 mots-clés en "
        "français : un par mot-clé, dans le même ordre"
    ]


def test_a_french_tag_translated_in_two_ways_is_a_warning(minimal_repo: Path) -> None:
    _with_english_tags(minimal_repo, "telephone", "tags_en: [digital, telephone]")
    _with_english_tags(minimal_repo, "accueillir-1", "tags: [numérique]\ntags_en: [digital tools]")
    site, report = load_site(minimal_repo)
    assert site is not None and not report.errors
    assert [str(d) for d in report.warnings] == [
        "badges/telephone.yaml:23:11: warning: tags_en: « numérique » est traduit « digital tools » "
        "dans badges/accueillir-1.yaml et « digital » ici : le filtre anglais n'en montre qu'un"
    ]
