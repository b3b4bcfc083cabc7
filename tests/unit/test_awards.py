"""Tests of build_tools.awards: where records are stored, and what their shape must be."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from build_tools import awards, cache, parallel
from build_tools.diagnostics import format_text
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

S = "https://badges.example.org/test/"
DID = "did:web:badges.example.org:test:issuers:atelier-test"
OTHER_ORGANISATION = """\
type: organisation
name: Autre atelier
url: https://autre.example.org/
email: contact@autre.example.org
description: Un atelier hors du réseau.
"""


def _diagnostics(repo: AwardedRepo) -> str:
    site, report = load_site(repo.root)
    assert site is None
    return format_text(report.sorted())


def _edit(path: Path, change: Any) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")


def _shown(repo: AwardedRepo, learner: str, issuer: str = "atelier-test") -> str:
    return f"issuers/{issuer}/assertions/{repo.ids[learner]}.json"


def test_awards_are_loaded_from_their_records(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    awa = site.awards[awarded_repo.ids["awa"]]
    assert (awa.issuer, awa.badge, awa.badge_version) == ("atelier-test", "telephone", "1.0")
    assert (awa.issued_on, awa.expires) == ("2026-01-10T09:00:00Z", "2028-01-10T09:00:00Z")
    assert awa.source.path == _shown(awarded_repo, "awa")
    chloe = site.awards[awarded_repo.ids["chloe"]]
    assert (chloe.badge, chloe.badge_version, chloe.expires) == ("accueillir-1", "1", None)
    assert sorted(site.awards) == sorted(awarded_repo.ids.values())


def test_a_record_with_a_long_integer_is_read_again_as_json_reads_it(
    awarded_repo: AwardedRepo,
) -> None:
    # A record whose bytes hold an integer beyond 64 bits is not exact (fastjson.exact): its
    # forms are read again with that search. Every other record skips it.
    site = awarded_repo.site()
    _edit(awarded_repo.record("awa"), lambda record: record["ob3"].update(n=10**21))
    for attempt in ("read", "from the index of records"):
        found, problems = awards.load_awards(site)
        assert problems == [], attempt
        awa = found[awarded_repo.ids["awa"]]
        assert awa.exact is False, attempt
        assert awa.credential["n"] == 10**21 and isinstance(awa.credential["n"], int), attempt
        others = [award for award in found.values() if award.id != awa.id]
        assert others and all(award.exact for award in others), attempt


def test_record_round_trip(awarded_repo: AwardedRepo) -> None:
    text = awarded_repo.record("bob").read_text(encoding="utf-8")
    record = json.loads(text)
    assert awards.record_to_json(record["ob3"], record["ob3_jwt"], record["ob2_jws"]) == text


def test_a_record_moved_to_another_issuers_folder(awarded_repo: AwardedRepo) -> None:
    (awarded_repo.root / "issuers" / "atelier-autre.yaml").write_text(
        OTHER_ORGANISATION, encoding="utf-8"
    )
    target = awarded_repo.root / "issuers" / "atelier-autre" / "assertions"
    target.mkdir(parents=True)
    shutil.move(awarded_repo.record("awa"), target)
    assert _diagnostics(awarded_repo).splitlines() == [
        f"{_shown(awarded_repo, 'awa', 'atelier-autre')}:1:1: error: ob3.issuer.id: émetteur "
        f"« {DID} » : ce badge est rangé chez « atelier-autre » "
        "(did:web:badges.example.org:test:issuers:atelier-autre)",
        # Awa's display name now names a badge that atelier-test no longer holds.
        "issuers/atelier-test/holders.yaml:4:3: error: assertion: "
        f"aucun badge « {awarded_repo.ids['awa']} » délivré par atelier-test",
    ]


def test_a_record_copied_under_another_issuer_is_not_loaded_twice(
    awarded_repo: AwardedRepo,
) -> None:
    (awarded_repo.root / "issuers" / "atelier-autre.yaml").write_text(
        OTHER_ORGANISATION, encoding="utf-8"
    )
    target = awarded_repo.root / "issuers" / "atelier-autre" / "assertions"
    target.mkdir(parents=True)
    shutil.copy(awarded_repo.record("awa"), target)
    site, report = load_site(awarded_repo.root, check_signatures=False)
    assert site is None
    assert [(d.path, d.field) for d in report.errors] == [
        (_shown(awarded_repo, "awa", "atelier-autre"), "ob3.issuer.id")
    ]


def test_an_edited_credential_id(awarded_repo: AwardedRepo) -> None:
    other = "z" * 26

    def change(record: dict[str, Any]) -> None:
        record["ob3"]["id"] = f"{S}a/{other}.vc.json"

    _edit(awarded_repo.record("bob"), change)
    assert _diagnostics(awarded_repo) == (
        f"{_shown(awarded_repo, 'bob')}:1:1: error: ob3.id: l'identifiant « {S}a/{other}.vc.json » "
        f"ne correspond pas au fichier {awarded_repo.ids['bob']}.json"
    )


def test_an_unknown_badge_and_a_badge_of_another_site(awarded_repo: AwardedRepo) -> None:
    def unknown(record: dict[str, Any]) -> None:
        achievement = record["ob3"]["credentialSubject"]["achievement"]
        achievement["id"] = f"{S}badges/jardiner/v1/achievement.json"

    def elsewhere(record: dict[str, Any]) -> None:
        achievement = record["ob3"]["credentialSubject"]["achievement"]
        achievement["id"] = "https://ailleurs.example/badges/telephone/v1.0/achievement.json"

    _edit(awarded_repo.record("awa"), unknown)
    _edit(awarded_repo.record("bob"), elsewhere)
    expected = sorted(
        [
            f"{_shown(awarded_repo, 'awa')}:1:1: error: ob3.credentialSubject.achievement.id: "
            "badge inconnu « jardiner »",
            f"{_shown(awarded_repo, 'bob')}:1:1: error: ob3.credentialSubject.achievement.id: "
            "« https://ailleurs.example/badges/telephone/v1.0/achievement.json » "
            "n'est pas un badge de ce site",
        ]
    )
    assert _diagnostics(awarded_repo).splitlines() == expected


def test_bad_json_is_located(awarded_repo: AwardedRepo) -> None:
    awarded_repo.record("awa").write_text('{\n  "format": "badgeons/assertion/1",\n  "ob3": ,\n}\n')
    assert _diagnostics(awarded_repo) == (
        f"{_shown(awarded_repo, 'awa')}:3:10: error: JSON invalide : Expecting value"
    )


def test_shape_problems(awarded_repo: AwardedRepo) -> None:
    folder = awarded_repo.root / "issuers" / "atelier-test" / "assertions"
    (folder / "Pas-Un-Id.json").write_text("{}", encoding="utf-8")
    awarded_repo.record("awa").write_bytes(b'{"format": "caf\xe9"}')
    _edit(awarded_repo.record("bob"), lambda r: r.update(format="badgeons/assertion/0"))
    _edit(awarded_repo.record("chloe"), lambda r: r.pop("ob3_jwt"))
    assert _diagnostics(awarded_repo).splitlines() == sorted(
        [
            "issuers/atelier-test/assertions/Pas-Un-Id.json: error: nom de fichier invalide : "
            "l'identifiant d'un badge délivré a 26 caractères a-z et 2-7",
            f"{_shown(awarded_repo, 'awa')}:1:1: error: le fichier n'est pas encodé en UTF-8",
            f"{_shown(awarded_repo, 'bob')}:1:1: error: format: enregistrement inconnu : "
            "« format » doit valoir « badgeons/assertion/1 »",
            f"{_shown(awarded_repo, 'chloe')}:1:1: error: ob3_jwt: "
            "champ obligatoire manquant ou mal formé",
        ]
    )


def test_an_incomplete_credential(awarded_repo: AwardedRepo) -> None:
    _edit(awarded_repo.record("bob"), lambda r: r["ob3"].pop("credentialSubject"))
    assert _diagnostics(awarded_repo) == (
        f"{_shown(awarded_repo, 'bob')}:1:1: error: ob3: "
        "credential incomplet (KeyError : 'credentialSubject')"
    )


def test_revocations_and_names_must_name_an_award_of_their_issuer(
    awarded_repo: AwardedRepo,
) -> None:
    folder = awarded_repo.root / "issuers" / "atelier-test"
    bob, unknown = awarded_repo.ids["bob"], "z" * 26
    (folder / "revocations.yaml").write_text(
        f"- assertion: {bob}\n  reason: Erreur\n  date: 2026-02-01T00:00:00Z\n"
        f"- assertion: {bob}\n  reason: Encore\n  date: 2026-02-02T00:00:00Z\n"
        f"- assertion: {unknown}\n  reason: Erreur\n  date: 2026-02-01T00:00:00Z\n",
        encoding="utf-8",
    )
    holders = (folder / "holders.yaml").read_text(encoding="utf-8")
    (folder / "holders.yaml").write_text(
        holders + f"- assertion: {unknown}\n  name: Zoé\n  consent: 2026-02-01\n",
        encoding="utf-8",
    )
    assert _diagnostics(awarded_repo).splitlines() == [
        "issuers/atelier-test/holders.yaml:7:3: error: assertion: "
        f"aucun badge « {unknown} » délivré par atelier-test",
        "issuers/atelier-test/revocations.yaml:4:3: error: assertion: badge déjà révoqué plus haut",
        "issuers/atelier-test/revocations.yaml:7:3: error: assertion: "
        f"aucun badge « {unknown} » délivré par atelier-test",
    ]


def test_a_revocations_file_that_breaks_its_schema(awarded_repo: AwardedRepo) -> None:
    path = awarded_repo.root / "issuers" / "atelier-test" / "revocations.yaml"
    path.write_text(f"- assertion: {awarded_repo.ids['bob']}\n  reason: Erreur\n", encoding="utf-8")
    diagnostics = _diagnostics(awarded_repo)
    assert diagnostics.startswith("issuers/atelier-test/revocations.yaml:1:3: error: ")
    assert "date" in diagnostics


def test_what_a_record_says_is_cached_and_checked_against_the_site_every_time(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    awarded_repo.site()
    # The same bytes under another name: its claims come from the cache, its place is checked.
    copy = awarded_repo.record("awa").with_name(f"{'c' * 26}.json")
    shutil.copy(awarded_repo.record("awa"), copy)
    settings = awarded_repo.root / "badgeons.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(S, "https://ailleurs.example.org/"), "utf-8"
    )

    def refuse(*_: object) -> None:
        raise AssertionError("an unchanged record was parsed again")

    monkeypatch.setattr(awards, "read_claims", refuse)
    site, report = load_site(awarded_repo.root)
    assert site is None
    lines = format_text(report.sorted()).splitlines()
    # The three records signed under the former site_url: one error, on site_url.
    assert lines[0].startswith(
        f"badgeons.yml:1:11: error: site_url: 3 badges délivrés ont été signés sous {S} "
    )
    # The copy is not where its identifier says: its own errors, from the cached claims.
    copy_shown = copy.relative_to(awarded_repo.root).as_posix()
    awa = f"{copy_shown}:1:1: error: ob3.id: l'identifiant « {S}a/"
    assert any(line.startswith(awa) for line in lines)
    assert len(lines) == 1 + 3
    assert all(":1:1: error: ob3." in line for line in lines[1:])
    monkeypatch.undo()
    cache.disable()
    try:
        _, cold = load_site(awarded_repo.root)
    finally:
        cache.disable(False)
    assert list(cold) == list(report)


def _records_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files that the load opens, from now on."""
    import builtins

    opened: list[str] = []
    real = builtins.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> Any:
        if "/assertions/" in str(path):
            opened.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    return opened


def test_a_record_file_unchanged_since_it_was_hashed_is_not_read_again(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import os

    monkeypatch.setattr(awards, "_SETTLED_NS", 0)
    awarded_repo.site()
    awarded_repo.site()
    opened = _records_opened(monkeypatch)
    awarded_repo.site()
    assert opened == []

    # Other bytes of the same size under the same modification time: the change time and
    # the inode give it away, and the record is read and hashed again.
    record = awarded_repo.record("bob")
    before = record.stat()
    data = record.read_bytes().replace(b"{\n", b"{ ", 1)
    assert len(data) == before.st_size
    record.write_bytes(data)
    os.utime(record, ns=(before.st_atime_ns, before.st_mtime_ns))
    site = awarded_repo.site()
    assert opened == [str(record)]
    assert site.awards[awarded_repo.ids["bob"]].digest == hashlib.sha256(data).hexdigest()


def test_a_record_file_that_changed_just_before_a_load_is_read_at_every_load(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Within the same clock tick, a change could keep every time of the file's status.
    monkeypatch.setattr(awards, "_SETTLED_NS", 3_600 * 10**9)
    awarded_repo.site()
    awarded_repo.site()
    opened = _records_opened(monkeypatch)
    awarded_repo.site()
    assert len(opened) == len(awarded_repo.ids)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_caller_works_while_the_records_are_read(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # The build reads the consents files meanwhile (pipeline.py): the records are read on the
    # workers from before it starts until after it ends, and the awards are the same.
    site = awarded_repo.site()
    expected = awards.load_awards(site)
    events: list[str] = []
    start = parallel.start_chunks

    def watched_start(*args: Any, **kwargs: Any) -> parallel.Pending:
        events.append("reading started")
        pending = start(*args, **{**kwargs, "workers": workers})
        results = pending.results

        def watched_results() -> list[Any]:
            events.append("records read")
            return results()

        pending.results = watched_results  # type: ignore[method-assign]
        return pending

    monkeypatch.setattr(awards.parallel, "start_chunks", watched_start)
    cache.disable()  # Every record is read.
    try:
        found = awards.load_awards(site, meanwhile=lambda: events.append("meanwhile"))
    finally:
        cache.disable(False)
    assert events == ["reading started", "meanwhile", "records read"]
    assert found == expected


def test_a_failure_meanwhile_stops_the_workers_and_is_raised(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled: list[bool] = []
    start = parallel.start_chunks

    def watched_start(*args: Any, **kwargs: Any) -> parallel.Pending:
        pending = start(*args, **kwargs)
        cancel = pending.cancel

        def watched_cancel() -> None:
            cancelled.append(True)
            cancel()

        pending.cancel = watched_cancel  # type: ignore[method-assign]
        return pending

    def failing() -> None:
        raise RuntimeError("meanwhile")

    monkeypatch.setattr(awards.parallel, "start_chunks", watched_start)
    cache.disable()
    try:
        with pytest.raises(RuntimeError, match="meanwhile"):
            awards.load_awards(awarded_repo.site(), meanwhile=failing)
    finally:
        cache.disable(False)
    assert cancelled == [True]
