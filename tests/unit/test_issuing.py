"""Tests of build_tools.issuing: who may award what, dates, signing, and writing the records."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from build_tools import issuing, keys
from build_tools.diagnostics import Position, format_text
from build_tools.issuing import AwardRequest, Evidence, IssuingError
from build_tools.pipeline import load_site
from tests.conftest import AWARDED_AT, AwardedRepo

OTHER_ORGANISATION = """\
type: organisation
name: Autre atelier
url: https://autre.example.org/
email: contact@autre.example.org
description: Un atelier hors du réseau.
"""


def _request(**changes: object) -> AwardRequest:
    return dataclasses.replace(
        AwardRequest(email="dan@example.org", issued_on=AWARDED_AT),
        **changes,  # type: ignore[arg-type]
    )


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# Dates.


def test_format_time_is_utc_to_the_second() -> None:
    moment = datetime.fromisoformat("2026-11-23T11:00:00.123456+01:00")
    assert issuing.format_time(moment) == "2026-11-23T10:00:00Z"


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2026-01-31T10:00:00+00:00", 1, "2026-02-28T10:00:00+00:00"),
        ("2028-01-31T10:00:00+00:00", 1, "2028-02-29T10:00:00+00:00"),
        ("2026-03-31T10:00:00+00:00", 1, "2026-04-30T10:00:00+00:00"),
        ("2026-12-15T10:00:00+00:00", 1, "2027-01-15T10:00:00+00:00"),
        ("2026-01-10T09:00:00+00:00", 24, "2028-01-10T09:00:00+00:00"),
        ("2026-11-30T09:00:00+00:00", 14, "2028-01-30T09:00:00+00:00"),
    ],
)
def test_add_months(start: str, months: int, end: str) -> None:
    assert issuing.add_months(datetime.fromisoformat(start), months) == datetime.fromisoformat(end)


def test_parse_when() -> None:
    assert issuing.parse_when("2026-11-23") == datetime(2026, 11, 23, tzinfo=UTC)
    assert issuing.parse_when(" 2026-11-23 ", end_of_day=True) == datetime(
        2026, 11, 23, 23, 59, 59, tzinfo=UTC
    )
    assert issuing.parse_when("2026-11-23T10:00:00Z") == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert issuing.format_time(issuing.parse_when("2026-11-23T10:00:00+01:00")) == (
        "2026-11-23T09:00:00Z"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("23/11/2026", "date invalide « 23/11/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)"),
        ("demain", "date invalide « demain » : écrivez AAAA-MM-JJ (ex. 2026-11-23)"),
        (
            "2026-11-23T10:00",
            "date et heure « 2026-11-23T10:00 » sans fuseau horaire (ajoutez Z ou +01:00)",
        ),
    ],
)
def test_parse_when_refuses(value: str, message: str) -> None:
    with pytest.raises(IssuingError) as caught:
        issuing.parse_when(value)
    assert str(caught.value) == message


# Who may award what.


def test_check_allowed(minimal_repo: Path) -> None:
    (minimal_repo / "issuers" / "atelier-autre.yaml").write_text(
        OTHER_ORGANISATION, encoding="utf-8"
    )
    site, report = load_site(minimal_repo)
    assert site is not None, format_text(report.sorted())
    profile, badge = issuing.check_allowed(site, "atelier-test", "accueillir-1")
    assert (profile.slug, badge.slug) == ("atelier-test", "accueillir-1")
    refused = {
        ("atelier-autre", "accueillir-1"): "« atelier-autre » n'est pas autorisé à délivrer "
        "« accueillir-1 » (autorisés : atelier-test)",
        ("atelier-autre", "telephone"): "« atelier-autre » n'est pas autorisé à délivrer "
        "« telephone » (autorisés : atelier-test)",
        ("reseau-test", "accueillir-1"): "« reseau-test » est un réseau : "
        "ce sont ses membres qui délivrent les badges",
        ("inconnu", "telephone"): "émetteur inconnu « inconnu »",
        ("atelier-test", "inconnu"): "badge inconnu « inconnu »",
    }
    for (issuer, badge_slug), message in refused.items():
        with pytest.raises(IssuingError) as caught:
            issuing.check_allowed(site, issuer, badge_slug)
        assert str(caught.value) == message


# Requests.


def test_request_problems() -> None:
    where = Position("group.csv", 4, 1)
    requests = [
        _request(expires=AWARDED_AT),
        _request(name="Dan", where=where),
        _request(name="Dan", name_consent=True, evidence=(Evidence(url="ftp://x.example/a"),)),
        _request(expires=datetime(2026, 1, 11, tzinfo=UTC), name="Dan", name_consent=True),
    ]
    assert format_text(issuing.request_problems(requests)).splitlines() == [
        "(ligne de commande): error: expires: la date d'expiration précède la date d'attribution",
        "group.csv:4:1: error: name: un nom n'est publié qu'avec l'accord de la personne : "
        "ajoutez --name-consent si elle l'accepte",
        "(ligne de commande): error: evidence_url: « ftp://x.example/a » : "
        "une preuve est une adresse https://",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Karim 0612345678",
        "Awa 06 12 34 56 78",
        "Awa, 12 rue des Lilas",
        "awa@example.org",
        "Awa 36000",
    ],
)
def test_a_shown_name_holds_no_contact_details(name: str) -> None:
    (problem,) = issuing.request_problems([_request(name=name, name_consent=True)])
    assert problem.field == "name"
    assert "ni numéro de téléphone, ni adresse postale" in problem.message


def test_a_shown_name_is_short() -> None:
    (problem,) = issuing.request_problems([_request(name="A" * 81, name_consent=True)])
    assert problem.message == f"« {'A' * 81} » : un nom affiché a au plus 80 caractères"


@pytest.mark.parametrize(
    "name", ["Awa D.", "Marie-Ève O'Neil", "Léa 2", "Zoé (promo 24)", "Léa 2006"]
)
def test_first_names_and_pseudonyms_are_shown(name: str) -> None:
    assert issuing.request_problems([_request(name=name, name_consent=True)]) == []


# Keys.


def test_load_signer_and_current_key(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    profile = site.issuers["atelier-test"]
    signer = issuing.load_signer(profile, None, awarded_repo.key_dir, AWARDED_AT)
    assert (signer.ed25519_id, signer.rsa_id) == (
        awarded_repo.keys.ed25519_id,
        awarded_repo.keys.rsa_id,
    )
    assert issuing.current_key(profile, "RSA", AWARDED_AT).id == awarded_repo.keys.rsa_id


def test_load_signer_without_the_private_key(awarded_repo: AwardedRepo, tmp_path: Path) -> None:
    profile = awarded_repo.site().issuers["atelier-test"]
    with pytest.raises(IssuingError) as caught:
        issuing.load_signer(profile, None, tmp_path / "vide", AWARDED_AT)
    assert str(caught.value) == (
        f"clé privée introuvable : {tmp_path / 'vide' / 'atelier-test'}/"
        f"{profile.keys[0].id}.pem ; vérifiez BADGEONS_KEY_DIR (ou --key-dir)"
    )


def test_load_signer_with_a_private_key_of_another_profile(awarded_repo: AwardedRepo) -> None:
    profile = awarded_repo.site().issuers["atelier-test"]
    keys.save_private_key(
        keys.generate_ed25519_key(),
        "atelier-test",
        awarded_repo.keys.ed25519_id,
        repo_root=awarded_repo.root,
        key_dir=awarded_repo.key_dir,
        overwrite=True,
    )
    with pytest.raises(IssuingError) as caught:
        issuing.load_signer(profile, None, awarded_repo.key_dir, AWARDED_AT)
    assert str(caught.value) == (
        f"la clé privée {awarded_repo.keys.ed25519_id} ne correspond pas à la clé publique du profil"
    )


def test_no_key_at_all(minimal_repo: Path) -> None:
    site, _ = load_site(minimal_repo)
    assert site is not None
    with pytest.raises(IssuingError) as caught:
        issuing.load_signer(site.issuers["atelier-test"], None, minimal_repo.parent, AWARDED_AT)
    assert str(caught.value) == (
        "aucune clé Ed25519 utilisable pour « atelier-test » : "
        "lancez d'abord « badgeons keygen atelier-test »"
    )


# Signing.


def _signed_credential(
    awarded_repo: AwardedRepo, badge: str, request: AwardRequest
) -> dict[str, object]:
    site = awarded_repo.site()
    profile, badge_class = issuing.check_allowed(site, "atelier-test", badge)
    signer = issuing.load_signer(profile, None, awarded_repo.key_dir, AWARDED_AT)
    signed = issuing.sign_award(site, profile, badge_class, request, signer)
    record = json.loads(signed.record)
    assert signed.expires == record["ob3"].get("validUntil")
    credential: dict[str, object] = record["ob3"]
    return credential


def test_validity_months_gives_the_expiry(awarded_repo: AwardedRepo) -> None:
    credential = _signed_credential(awarded_repo, "telephone", _request())
    assert credential["validFrom"] == "2026-01-10T09:00:00Z"
    assert credential["validUntil"] == "2028-01-10T09:00:00Z"


def test_an_explicit_expiry_wins_and_a_badge_without_validity_has_none(
    awarded_repo: AwardedRepo,
) -> None:
    until = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
    assert _signed_credential(awarded_repo, "telephone", _request(expires=until))["validUntil"] == (
        "2026-06-30T23:59:59Z"
    )
    assert "validUntil" not in _signed_credential(awarded_repo, "accueillir-1", _request())


def test_a_signed_record_names_no_address(awarded_repo: AwardedRepo) -> None:
    text = awarded_repo.record("awa").read_text(encoding="utf-8")
    assert "awa@example.org" not in text
    record = json.loads(text)
    assert list(record) == ["format", "ob3", "ob3_jwt", "ob2_jws"]
    assert record["format"] == "badgeons/assertion/1"


# Writing.


def test_write_awards_leaves_no_temporary_file(awarded_repo: AwardedRepo) -> None:
    folder = awarded_repo.root / "issuers" / "atelier-test" / "assertions"
    assert _files(folder) == sorted(f"{i}.json" for i in awarded_repo.ids.values())
    holders = (awarded_repo.root / "issuers" / "atelier-test").iterdir()
    assert not [p.name for p in holders if p.name.startswith(".")]


def test_write_awards_writes_nothing_when_one_record_cannot_be_written(
    awarded_repo: AwardedRepo, tmp_path: Path
) -> None:
    root = tmp_path / "vide"
    good = issuing.SignedAward("a" * 26, _request(), "{}\n", None)
    # A lone surrogate cannot be encoded: the second write fails half-way.
    bad = issuing.SignedAward("b" * 26, _request(), "{\ud800}\n", None)
    with pytest.raises(UnicodeEncodeError):
        issuing.write_awards(root, "atelier-test", [good, bad], date(2026, 1, 10))
    assert _files(root / "issuers" / "atelier-test" / "assertions") == []


def test_holders_file_is_appended_with_its_comments_kept(awarded_repo: AwardedRepo) -> None:
    holders = awarded_repo.root / "issuers" / "atelier-test" / "holders.yaml"
    before = holders.read_text(encoding="utf-8")
    assert before == (
        issuing.HOLDERS_HEADER
        + f'- assertion: "{awarded_repo.ids["awa"]}"\n  name: "Awa"\n  consent: "2026-01-10"\n'
    )
    holders.write_text(before + "# Liste tenue par Awa.\n", encoding="utf-8")
    site = awarded_repo.site()
    profile, badge = issuing.check_allowed(site, "atelier-test", "telephone")
    signer = issuing.load_signer(profile, None, awarded_repo.key_dir, AWARDED_AT)
    signed = [
        issuing.sign_award(site, profile, badge, _request(name="Dan", name_consent=True), signer),
        issuing.sign_award(site, profile, badge, _request(email="eve@example.org"), signer),
    ]
    issuing.write_awards(awarded_repo.root, "atelier-test", signed, date(2026, 2, 1))
    assert holders.read_text(encoding="utf-8") == (
        before
        + "# Liste tenue par Awa.\n"
        + f'- assertion: "{signed[0].assertion_id}"\n  name: "Dan"\n  consent: "2026-02-01"\n'
    )
    names = awarded_repo.site().display_names
    assert dict(names) == {awarded_repo.ids["awa"]: "Awa", signed[0].assertion_id: "Dan"}


def test_append_yaml_items_to_an_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "revocations.yaml"
    path.write_text("# Mes révocations.\n[]\n", encoding="utf-8")
    issuing.append_yaml_items(path, "# en-tête\n", [{"assertion": "x", "reason": "« motif »"}])
    assert path.read_text(encoding="utf-8") == (
        '# Mes révocations.\n- assertion: "x"\n  reason: "« motif »"\n'
    )


def test_append_yaml_items_leaves_no_temporary_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "holders.yaml"
    path.write_text("# Gardé.\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        issuing.append_yaml_items(path, "", [{"name": "\ud800"}])
    assert _files(tmp_path) == ["holders.yaml"]
    assert path.read_text(encoding="utf-8") == "# Gardé.\n"


# Revocation.


def test_revoke_appends_to_the_issuers_list_with_comments_kept(awarded_repo: AwardedRepo) -> None:
    path = awarded_repo.root / "issuers" / "atelier-test" / "revocations.yaml"
    path.write_text("# Tenue par le secrétariat.\n[]  # aucune pour l'instant\n", encoding="utf-8")
    bob = awarded_repo.ids["bob"]
    when = datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
    written = issuing.revoke(awarded_repo.site(), bob, "  Erreur de saisie ", when)
    assert written == path
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Tenue par le secrétariat.\n")
    assert text.endswith(
        f'- assertion: "{bob}"\n  reason: "Erreur de saisie"\n  date: "2026-02-01T08:30:00Z"\n'
    )
    site = awarded_repo.site()
    assert site.revocations[bob].reason == "Erreur de saisie"
    assert site.revocations[bob].date == "2026-02-01T08:30:00Z"


def test_revoke_refusals(awarded_repo: AwardedRepo) -> None:
    bob = awarded_repo.ids["bob"]
    now = datetime(2026, 2, 1, tzinfo=UTC)
    issuing.revoke(awarded_repo.site(), bob, "Erreur de saisie", now)
    site = awarded_repo.site()
    refused = [
        (bob, "Encore", f"le badge « {bob} » est déjà révoqué"),
        ("z" * 26, "Erreur", f"aucun badge délivré ne porte l'identifiant « {'z' * 26} »"),
        (
            awarded_repo.ids["awa"],
            "Demande de awa@example.org",
            "le motif de révocation est public : n'y mettez pas d'adresse e-mail",
        ),
        (
            awarded_repo.ids["awa"],
            " x ",
            "le motif de révocation doit faire de 3 à 500 caractères (il est public)",
        ),
    ]
    path = awarded_repo.root / "issuers" / "atelier-test" / "revocations.yaml"
    before = path.read_text(encoding="utf-8")
    for assertion, reason, message in refused:
        with pytest.raises(IssuingError) as caught:
            issuing.revoke(site, assertion, reason, now)
        assert str(caught.value) == message
    assert path.read_text(encoding="utf-8") == before


# The example address left in badgeons.yml.


@pytest.mark.parametrize(
    ("site_url", "warned"),
    [
        ("https://badgeons.example.org/", True),
        ("https://badges.example.com/cvl/", True),
        ("https://badges.collectif.fr/", False),
        ("https://collectif.github.io/badges/", False),
    ],
)
def test_an_example_site_url_is_warned_about(site_url: str, warned: bool) -> None:
    warning = issuing.example_site_warning(site_url, environ={})
    assert (warning is not None) == warned
    if warning is not None:
        assert warning.startswith(f"Attention : site_url vaut {site_url}, une adresse d'exemple")
        assert "badgeons.yml" in warning
    # A demonstration says that its example address is meant.
    assert issuing.example_site_warning(site_url, environ={"BADGEONS_DEMO_SITE": "1"}) is None


def test_award_warns_on_an_example_site_url_before_signing(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from build_tools.cli import main

    monkeypatch.delenv("BADGEONS_DEMO_SITE")
    args = ["award", "telephone", "--issuer", "atelier-test", "--recipient", "dan@example.org"]
    args += ["--dry-run", "--root", str(awarded_repo.root)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        "Attention : site_url vaut https://badges.example.org/test/, une adresse d'exemple "
        "(example.org) où aucun site n'est publié."
    )
    assert "[essai] 1 badge(s) seraient délivrés" in result.stdout
