"""The build cache: hits, misses, corrupt entries, pruning, and builds identical to clean ones."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from build_tools import (
    assertion_pages,
    awards,
    cache,
    consents,
    discover,
    issuing,
    pipeline,
    publish,
    sitebuild,
    verification,
)
from build_tools.diagnostics import Diagnostic, Level
from build_tools.model import Site
from tests.conftest import AWARDED_AT, PROJECT, AwardedRepo


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of its own for the test, outside every repository."""
    path = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_FOLDER, str(path))
    cache.disable(False)
    yield path
    cache.disable(False)


def _entries(folder: Path, kind: str) -> list[Path]:
    return sorted(p for p in (folder / kind).rglob("*") if p.is_file())


def _stored(folder: Path, kind: str) -> int:
    """How many results the index of ``kind`` holds (cache.Index: one entry for them all)."""
    assert len(_entries(folder, kind)) == 1
    return cache.Index(folder, kind).stored


def test_a_stored_result_is_found_again_and_an_unknown_key_is_a_miss(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path, "pages")
    entry = cache.key("pages", "input")
    store.put(entry, b"<html>result</html>")
    again = cache.Cache(tmp_path, "pages")
    assert again.get(entry) == b"<html>result</html>"
    assert again.get(cache.key("pages", "other input")) is None
    assert (again.hits, again.misses) == (1, 1)


def test_keys_change_with_every_part_and_with_how_parts_are_split() -> None:
    assert cache.key("pages", "ab", "c") != cache.key("pages", "a", "bc")
    assert cache.key("pages", "a") != cache.key("signatures", "a")
    assert cache.key("pages", "a") == cache.key("pages", b"a")


def test_a_corrupt_entry_is_deleted_and_recomputed_not_trusted(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path, "pages")
    entry = cache.key("pages", "input")
    store.put(entry, b"good result")
    path = next(p for p in (tmp_path / "pages").rglob("*") if p.is_file())
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    assert store.get(entry) is None
    assert not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"short")
    assert store.get(entry) is None


def test_packed_files_round_trip_and_a_bad_pack_is_refused() -> None:
    files = [("a/1.json", b"{}\n"), ("a/1.png", bytes(range(256)))]
    packed = cache.pack(files)
    assert cache.unpack(packed) == files
    assert cache.unpack(packed + b"x") is None
    assert cache.unpack(b"\x00" * 8 + b"not json") is None


def test_prune_keeps_only_what_the_last_pass_used(tmp_path: Path) -> None:
    first = cache.Cache(tmp_path, "pages")
    kept, dropped = cache.key("pages", "kept"), cache.key("pages", "dropped")
    first.put(kept, b"1")
    first.put(dropped, b"2")
    second = cache.Cache(tmp_path, "pages")
    assert second.get(kept) == b"1"
    assert second.prune() == 1
    assert cache.Cache(tmp_path, "pages").get(dropped) is None
    assert cache.Cache(tmp_path, "pages").get(kept) == b"1"


def test_a_disabled_cache_stores_nothing(tmp_path: Path, folder: Path) -> None:
    cache.disable()
    store = cache.open_cache(tmp_path, "pages")
    store.put(cache.key("pages", "x"), b"y")
    assert store.get(cache.key("pages", "x")) is None
    assert not folder.exists()


def test_signature_checks_are_cached_and_failures_stay_failures(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = awarded_repo.site()
    assert verification.verify_all(site) == []
    assert _stored(folder, "signatures") == 3
    # A second check of unchanged awards reads the cache and checks nothing.
    monkeypatch.setattr(verification, "_verify", _refuse)
    assert verification.verify_all(site) == []
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV_FOLDER, str(folder))
    # A record changed after signing is checked again, and its failure is cached as a failure.
    record = awarded_repo.record("awa")
    document = json.loads(record.read_text(encoding="utf-8"))
    document["ob3"]["credentialSubject"]["narrative"] = "Modifié après la signature."
    record.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    changed = _site(awarded_repo.root)
    failed = verification.verify_all(changed)
    assert any(d.field == "ob3.proof" for d in failed)
    monkeypatch.setattr(verification, "_verify", _refuse)
    assert verification.verify_all(changed) == failed
    # The result of the award as it was is no longer used, and pruned.
    assert _stored(folder, "signatures") == 3


def test_corrupt_signature_entries_are_checked_again(
    awarded_repo: AwardedRepo, folder: Path
) -> None:
    site = awarded_repo.site()
    verification.verify_all(site)
    for path in _entries(folder, "signatures"):
        path.write_bytes(path.read_bytes()[:-1] + b"!")
    assert verification.verify_all(site) == []
    assert _stored(folder, "signatures") == 3


def _refuse(*_: object) -> list[object]:
    raise AssertionError("a cached award was checked again")


def _site(root: Path) -> Site:
    from build_tools.pipeline import load_site

    site, _ = load_site(root, check_signatures=False)
    assert site is not None
    return site


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _add_award(repo: AwardedRepo, learner: str) -> None:
    site = _site(repo.root)
    signer = issuing.load_signer(site.issuers["atelier-test"], None, repo.key_dir, AWARDED_AT)
    profile, badge = issuing.check_allowed(site, "atelier-test", "telephone")
    request = issuing.AwardRequest(
        email=f"{learner}@example.org", issued_on=AWARDED_AT, name=None, name_consent=False
    )
    signed = issuing.sign_award(site, profile, badge, request, signer)
    issuing.write_awards(repo.root, "atelier-test", [signed], AWARDED_AT.date())


def test_an_incremental_build_is_byte_identical_to_a_clean_build(
    awarded_repo: AwardedRepo, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = awarded_repo.root
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", root / "site_src")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    cache.disable()
    sitebuild.build(root, tmp_path / "clean")
    cache.disable(False)
    sitebuild.build(root, tmp_path / "cold")
    sitebuild.build(root, tmp_path / "warm")
    assert _tree(tmp_path / "cold") == _tree(tmp_path / "clean")
    assert _tree(tmp_path / "warm") == _tree(tmp_path / "clean")
    pages = _entries(folder, "pages")
    assert len(pages) == 3

    _add_award(awarded_repo, "dora")
    sitebuild.build(root, tmp_path / "incremental")
    cache.disable()
    sitebuild.build(root, tmp_path / "clean-after")
    incremental, clean = _tree(tmp_path / "incremental"), _tree(tmp_path / "clean-after")
    assert incremental.keys() == clean.keys()
    assert [p for p in clean if incremental[p] != clean[p]] == []
    assert len([p for p in clean if p.startswith("a/") and p.endswith(".html")]) == 4
    # The three old pages came from the cache: their entries are still the same files.
    assert set(pages) < set(_entries(folder, "pages"))


def test_an_index_keeps_the_results_of_the_last_complete_pass(tmp_path: Path) -> None:
    first = cache.Index(tmp_path, "records")
    assert (first.enabled, first.stored) == (True, 0)
    first.put("a", [1, "un"])
    first.put("b", {"problems": []})
    first.save()
    second = cache.Index(tmp_path, "records")
    assert second.stored == 2
    assert second.get("a") == [1, "un"]
    assert second.get("c") is None
    assert (second.hits, second.misses) == (1, 1)
    second.save()
    # "b" was not used by the second pass: it is gone, and the index is still one entry.
    third = cache.Index(tmp_path, "records")
    assert (third.stored, third.get("a"), third.get("b")) == (1, [1, "un"], None)
    assert len(_entries(tmp_path, "records")) == 1


def test_a_corrupt_index_is_deleted_and_its_results_computed_again(tmp_path: Path) -> None:
    index = cache.Index(tmp_path, "records")
    index.put("a", "résultat \ud800")
    index.save()
    assert cache.Index(tmp_path, "records").get("a") == "résultat \ud800"
    (path,) = _entries(tmp_path, "records")
    path.write_bytes(path.read_bytes()[:-2] + b"!}")
    again = cache.Index(tmp_path, "records")
    assert (again.stored, again.get("a")) == (0, None)
    assert not path.exists()


def test_a_read_only_cache_writes_prunes_and_deletes_nothing(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path, "pages")
    kept = cache.key("pages", "kept")
    store.put(kept, b"1")
    (path,) = _entries(tmp_path, "pages")
    path.write_bytes(b"corrupt")
    with cache.read_only():
        reader = cache.Cache(tmp_path, "pages")
        reader.put(cache.key("pages", "new"), b"2")
        assert reader.get(kept) is None
        assert reader.prune() == 0
        index = cache.Index(tmp_path, "records")
        index.put("a", 1)
        index.save()
    assert _entries(tmp_path, "pages") == [path]
    assert not (tmp_path / "records").exists()
    assert cache.Cache(tmp_path, "pages").writable


def test_diagnostics_are_stored_without_their_path_and_read_back_whole() -> None:
    problems = [Diagnostic("a.yaml", 2, 3, Level.ERROR, "id", "déjà utilisé")]
    rows = cache.encode_diagnostics(problems, "a.yaml")
    assert rows == [[2, 3, "error", "id", "déjà utilisé"]]
    assert cache.decode_diagnostics(rows, "a.yaml") == problems
    assert cache.decode_diagnostics(json.loads(json.dumps(rows)), "b.yaml") == [
        dataclasses.replace(problems[0], path="b.yaml")
    ]
    with pytest.raises(ValueError):
        cache.encode_diagnostics(problems, "b.yaml")
    assert cache.decode_diagnostics([[2, 3, "fatal", "id", "x"]], "a.yaml") is None
    assert cache.decode_diagnostics([[2, 3]], "a.yaml") is None
    assert cache.decode_diagnostics({"rows": []}, "a.yaml") is None


# Loading a repository (pipeline.load_site) from the cache: the YAML files as loaded and
# checked (discover), what each record says (awards), each consents file (consents) and the
# signature checks (verification).

CONSENTS = "issuers/atelier-test/consents.yaml"
KINDS = ("sources", "records", "consents", "signatures")


def _plain(value: object) -> object:
    """Every field of a model, those that == leaves out (positions, digests, paths) included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (
            type(value).__name__,
            tuple((f.name, _plain(getattr(value, f.name))) for f in fields),
        )
    if isinstance(value, Mapping):
        return tuple((key, _plain(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return value


def _load(root: Path) -> tuple[object, list[str]]:
    """The site as plain values and the report in its own order, each diagnostic as text."""
    site, report = pipeline.load_site(root)
    return _plain(site), [str(d) for d in report]


def _cold(root: Path) -> tuple[object, list[str]]:
    cache.disable()
    try:
        return _load(root)
    finally:
        cache.disable(False)


def _refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file must come from the cache: reading one otherwise fails the test."""
    monkeypatch.setattr(discover, "load_yaml_bytes", _refuse)
    monkeypatch.setattr(consents, "load_yaml_bytes", _refuse)
    monkeypatch.setattr(consents, "read_entry", _refuse)
    monkeypatch.setattr(awards, "read_claims", _refuse)
    monkeypatch.setattr(verification, "_verify", _refuse)


def _consents(repo: AwardedRepo, text: str) -> None:
    text = text.format(today=consents.today().isoformat(), **repo.ids)
    (repo.root / CONSENTS).write_text(text, encoding="utf-8")


IN_FORCE = (
    "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n"
    "  display_name: Awa\n  given: {today}\n"
    # Ended long ago: a warning, and the entry is left out.
    "- id: c-bob\n  assertions: [{bob}]\n  commune: {{name: Blois, postcode: '41000'}}\n"
    "  given: 2026-01-20\n  until: 2026-01-31\n"
)


def test_a_warm_load_is_the_cold_load_to_the_last_position(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _consents(awarded_repo, IN_FORCE)
    cold = _cold(awarded_repo.root)
    assert not folder.exists()
    site, report = cold
    assert site is not None and len(report) == 1 and "échu le 2026-01-31" in report[0]
    assert _load(awarded_repo.root) == cold
    assert all(_entries(folder, kind) for kind in KINDS)
    _refuse_parsing(monkeypatch)
    assert _load(awarded_repo.root) == cold
    assert _stored(folder, "records") == 3


BROKEN_CONSENTS = (
    "- id: c-awa\n  assertions: [{awa}, {awa}]\n  commune: {{insee: '41999'}}\n"
    "  given: 2099-02-01\n"
    "- id: c-awa\n  assertions: [{bob}]\n  commune: {{name: Blois, postcode: '41100'}}\n"
    "  given: 2026-02-01\n  until: 2026-01-01\n"
)


def _break_records(repo: AwardedRepo) -> tuple[str, str]:
    """A record that is not JSON, and awa's record copied under another id; their paths."""
    folder = repo.root / "issuers" / "atelier-test" / "assertions"
    (folder / f"{'b' * 26}.json").write_text(
        '{\n  "format": "badgeons/assertion/1",\n  "ob3": ,\n}'
    )
    shutil.copy(repo.record("awa"), folder / f"{'c' * 26}.json")
    shown = "issuers/atelier-test/assertions/"
    return f"{shown}{'b' * 26}.json", f"{shown}{'c' * 26}.json"


def test_errors_are_reported_from_the_cache_every_time_with_their_positions(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _consents(awarded_repo, BROKEN_CONSENTS)
    not_json, copied = _break_records(awarded_repo)
    (awarded_repo.root / "issuers" / "atelier-test" / "revocations.yaml").write_text(
        f"- assertion: {awarded_repo.ids['bob']}\n  reason: [erreur]\n", encoding="utf-8"
    )
    cold = _cold(awarded_repo.root)
    site, report = cold
    assert site is None
    assert f"{not_json}:3:10: error: JSON invalide : Expecting value" in report
    assert any(line.startswith(f"{copied}:1:1: error: ob3.id: ") for line in report)
    assert any(line.startswith(f"{CONSENTS}:3:13: error: [0].commune.insee: ") for line in report)
    assert f"{CONSENTS}:4:3: error: [0].given: date de consentement 2099-02-01 dans le futur" in (
        report
    )
    assert any(line.startswith(f"{CONSENTS}:5:3: error: [1].id: ") for line in report)
    assert any(
        line.startswith("issuers/atelier-test/revocations.yaml:2:3: error: ") for line in report
    )
    assert _load(awarded_repo.root) == cold
    _refuse_parsing(monkeypatch)
    assert _load(awarded_repo.root) == cold
    assert _load(awarded_repo.root) == cold


def test_an_edited_file_is_read_again(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _consents(awarded_repo, IN_FORCE)
    _load(awarded_repo.root)
    _consents(awarded_repo, IN_FORCE.replace("Awa", "Awa D."))
    badge = awarded_repo.root / "badges" / "telephone.yaml"
    badge.write_text(badge.read_text(encoding="utf-8").replace("portable", "mobile"), "utf-8")
    awarded_repo.record("chloe").write_text("{}", encoding="utf-8")
    expected = _cold(awarded_repo.root)
    assert _load(awarded_repo.root) == expected
    site, report = expected
    assert site is None
    chloe = f"issuers/atelier-test/assertions/{awarded_repo.ids['chloe']}.json"
    assert report[0] == (
        f"{chloe}:1:1: error: format: enregistrement inconnu : « format » doit valoir "
        "« badgeons/assertion/1 »"
    )
    # Awa's badge page names her "Awa", the map now "Awa D.": the map does not link it.
    assert len(report) == 3 and "ce consentement en montre un autre" in report[1]
    assert "« c-bob » échu" in report[2]
    # The site as it now stands, from the cache: the edited files were read again.
    awarded_repo.record("chloe").unlink()
    _load(awarded_repo.root)
    _refuse_parsing(monkeypatch)
    site_now, _ = pipeline.load_site(awarded_repo.root)
    assert site_now is not None
    assert site_now.consents[0].display_name == "Awa D."
    assert site_now.badges["telephone"].name.fr == "Utiliser un téléphone mobile"
    assert sorted(site_now.awards) == sorted([awarded_repo.ids["awa"], awarded_repo.ids["bob"]])


def test_an_award_added_is_the_only_record_parsed(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(awarded_repo.root)
    _add_award(awarded_repo, "dora")
    parsed: list[str] = []
    real = awards.read_claims

    def counted(data: bytes, shown: str) -> tuple[object, object]:
        parsed.append(shown)
        return real(data, shown)

    monkeypatch.setattr(awards, "read_claims", counted)
    site, report = pipeline.load_site(awarded_repo.root)
    assert site is not None and list(report) == [] and len(site.awards) == 4
    (dora,) = parsed
    assert site.awards[Path(dora).stem].source.path == dora
    assert _stored(folder, "records") == 4


def test_corrupt_entries_of_every_kind_are_computed_again(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _consents(awarded_repo, IN_FORCE)
    cold = _cold(awarded_repo.root)
    _load(awarded_repo.root)
    for kind in KINDS:
        for path in _entries(folder, kind):
            data = bytearray(path.read_bytes())
            data[-1] ^= 0xFF
            path.write_bytes(bytes(data))
    assert _load(awarded_repo.root) == cold
    # Computed again and stored again: the next load reads everything from the cache.
    _refuse_parsing(monkeypatch)
    assert _load(awarded_repo.root) == cold


def test_no_cache_reads_and_writes_nothing(
    awarded_repo: AwardedRepo, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _consents(awarded_repo, IN_FORCE)
    warm = _load(awarded_repo.root)
    before = _tree(folder)
    monkeypatch.setattr(cache.Cache, "get", _refuse)
    _consents(awarded_repo, IN_FORCE.replace("Awa", "Awa D."))
    cold = _cold(awarded_repo.root)
    assert cold != warm
    assert _tree(folder) == before


def test_commands_that_only_add_leave_the_cache_as_the_last_check_left_it(
    awarded_repo: AwardedRepo, folder: Path
) -> None:
    _consents(awarded_repo, IN_FORCE)
    _load(awarded_repo.root)
    # An edited file, and a corrupt entry: neither is stored, pruned nor deleted.
    _consents(awarded_repo, IN_FORCE.replace("Awa", "Awa D."))
    for path in _entries(folder, "records"):
        path.write_bytes(path.read_bytes()[:-1] + b"!")
    before = _tree(folder)
    site, _ = pipeline.load_site(awarded_repo.root, check_signatures=False)
    assert site is not None and site.consents[0].display_name == "Awa D."
    assert _tree(folder) == before


def test_a_versioned_cache_deletes_the_entries_of_other_code(tmp_path: Path, folder: Path) -> None:
    old = folder / "canon" / "0123456789abcdef" / "ab"
    old.mkdir(parents=True)
    (old / "ab01").write_bytes(b"older code")
    store = cache.open_versioned(tmp_path, "canon")
    assert not (folder / "canon" / "0123456789abcdef").exists()
    store.put(cache.key("canon", "x"), b"y")
    assert cache.open_versioned(tmp_path, "canon").get(cache.key("canon", "x")) == b"y"
    assert [p.name for p in (folder / "canon").iterdir()] == [cache.code_version()[:16]]


def test_a_read_only_versioned_cache_deletes_nothing(tmp_path: Path, folder: Path) -> None:
    old = folder / "canon" / "0123456789abcdef"
    old.mkdir(parents=True)
    with cache.read_only():
        cache.open_versioned(tmp_path, "canon")
    assert old.is_dir()


def test_canonicalisation_templates_are_kept_for_the_next_check(
    awarded_repo: AwardedRepo, folder: Path
) -> None:
    """A later build that checks a new award neither imports pyld nor derives a template."""
    from build_tools import canon_templates

    site = awarded_repo.site()
    canon_templates.clear_cache()
    shutil.rmtree(folder / "signatures", ignore_errors=True)
    assert verification.verify_all(site, workers=1) == []
    assert canon_templates.STATS.derived > 0
    assert _entries(folder, f"canon/{cache.code_version()[:16]}")
    # The next process: no template in memory, no signature check in the cache.
    canon_templates.clear_cache()
    shutil.rmtree(folder / "signatures")
    assert verification.verify_all(site, workers=1) == []
    assert canon_templates.STATS.fast > 0
    assert canon_templates.STATS.derived == 0


def test_a_build_without_cache_neither_keys_nor_packs_the_awards_files(
    awarded_repo: AwardedRepo, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing the inputs of each award, or packing its files, for nothing kept: only time.

    The site is the one a build with the cache makes.
    """
    shutil.copy(PROJECT / "mkdocs.yml", awarded_repo.root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", awarded_repo.root / "site_src")
    sitebuild.build(awarded_repo.root, tmp_path / "cached")
    monkeypatch.setattr(cache, "pack", _refuse)
    monkeypatch.setattr(publish.DocumentKeys, "__call__", _refuse)
    monkeypatch.setattr(assertion_pages.PageKeys, "__call__", _refuse)
    cache.disable()
    sitebuild.build(awarded_repo.root, tmp_path / "site")
    assert (tmp_path / "site" / "a" / f"{awarded_repo.ids['awa']}.html").is_file()
    assert _tree(tmp_path / "site") == _tree(tmp_path / "cached")


def test_a_disabled_versioned_cache_does_not_hash_the_code(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """About 50 ms in each worker of a build without cache, for nothing."""
    monkeypatch.setattr(cache, "code_version", _refuse)
    cache.disable()
    store = cache.open_versioned(tmp_path, "canon")
    assert not store.enabled and store.get("x") is None
    assert not folder.exists()
