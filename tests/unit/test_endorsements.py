"""Tests of build_tools.endorsements: loading, verification at build time, publication, display."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from build_tools import (
    assertion_pages,
    catalogue,
    checker,
    endorsements,
    endorsing,
    publish,
    signing,
    writer,
)
from build_tools.diagnostics import format_text
from build_tools.fetching import Fetcher
from build_tools.pipeline import load_site
from build_tools.urls import Urls
from tests.conftest import AwardedRepo
from tests.support.endorsers import COMMENT, ENDORSER, add_endorser, endorse, loaded


@pytest.fixture
def repo(awarded_repo: AwardedRepo) -> AwardedRepo:
    add_endorser(awarded_repo.root, awarded_repo.key_dir)
    return awarded_repo


def _errors(root: Path) -> list[str]:
    site, report = load_site(root)
    assert site is None
    return format_text(report.sorted()).splitlines()


def _rewrite(path: Path, change: str, value: object) -> None:
    record = json.loads(path.read_text("utf-8"))
    record[change] = value
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")


def test_endorsements_load_and_verify(repo: AwardedRepo) -> None:
    first = endorse(repo.root, repo.key_dir, badge="telephone")
    second = endorse(repo.root, repo.key_dir, issuer="atelier-test")
    third = endorse(repo.root, repo.key_dir, assertion=repo.ids["bob"])
    site = loaded(repo.root)
    found = {e.id: (e.target_kind, e.target) for e in site.endorsements.values()}
    assert found == {
        first.endorsement_id: ("badge", "telephone"),
        second.endorsement_id: ("issuer", "atelier-test"),
        third.endorsement_id: ("assertion", repo.ids["bob"]),
    }
    assert endorsements.verify_all(site) == []


def test_a_bad_signature_is_refused_naming_the_file_and_the_rule(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, badge="telephone")
    path = endorsing.record_path(repo.root, ENDORSER, signed.endorsement_id)
    credential = json.loads(path.read_text("utf-8"))["ob3"]
    method = credential["proof"]["verificationMethod"]
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    # Signed by someone else, under the endorser's verification method.
    forged = signing.add_eddsa_rdfc_2022_proof(
        unsigned, ed25519.Ed25519PrivateKey.generate(), method, credential["proof"]["created"]
    )
    _rewrite(path, "ob3", forged)
    shown = f"issuers/{ENDORSER}/endorsements/{signed.endorsement_id}.json"
    assert _errors(repo.root) == [
        f"{shown}:1:1: error: ob3.proof: signature Data Integrity refusée : "
        f"signature eddsa-rdfc-2022 refusée par la clé {method}"
    ]


def test_an_edited_comment_breaks_every_signed_form(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, badge="telephone")
    path = endorsing.record_path(repo.root, ENDORSER, signed.endorsement_id)
    record = json.loads(path.read_text("utf-8"))
    record["ob3"]["credentialSubject"]["endorsementComment"] = "Un tout autre avis, ajouté après."
    _rewrite(path, "ob3", record["ob3"])
    errors = _errors(repo.root)
    assert sorted(line.split(": ")[2] for line in errors) == ["ob2_jws", "ob3.proof", "ob3_jwt"]
    assert any(
        line.endswith("claim.endorsementComment diffère du credential 3.0") for line in errors
    )


def test_a_bad_2_0_signature_is_refused(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, issuer="atelier-test")
    path = endorsing.record_path(repo.root, ENDORSER, signed.endorsement_id)
    token = json.loads(path.read_text("utf-8"))["ob2_jws"]
    _rewrite(path, "ob2_jws", token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"))
    shown = f"issuers/{ENDORSER}/endorsements/{signed.endorsement_id}.json"
    assert _errors(repo.root) == [
        f"{shown}:1:1: error: ob2_jws: recommandation Open Badges 2.0 refusée : "
        "signature RS256 refusée par la clé"
    ]


def test_an_endorsement_stored_by_an_organisation_is_refused(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, badge="telephone")
    source = endorsing.record_path(repo.root, ENDORSER, signed.endorsement_id)
    target = endorsing.record_path(repo.root, "atelier-test", signed.endorsement_id)
    target.parent.mkdir(parents=True)
    source.rename(target)
    shown = f"issuers/atelier-test/endorsements/{signed.endorsement_id}.json"
    errors = _errors(repo.root)
    assert f"{shown}:1:1: error: « atelier-test » n'est pas un recommandeur (type: endorser)" in (
        errors
    )
    assert any("ob3.issuer.id" in line for line in errors)


def test_an_endorsement_of_a_deleted_award_is_refused(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, assertion=repo.ids["bob"])
    repo.record("bob").unlink()
    shown = f"issuers/{ENDORSER}/endorsements/{signed.endorsement_id}.json"
    errors = _errors(repo.root)
    assert len(errors) == 1
    assert errors[0].startswith(f"{shown}:1:1: error: ob3.credentialSubject.id: ")
    assert errors[0].endswith("n'est ni un badge, ni un émetteur, ni un badge délivré de ce site")


def test_an_endorser_named_as_awarding_a_badge_is_refused(repo: AwardedRepo) -> None:
    path = repo.root / "badges" / "telephone.yaml"
    text = path.read_text("utf-8")
    changed = text.replace("issuers: [atelier-test]", f"issuers: [atelier-test, {ENDORSER}]")
    assert changed != text
    path.write_text(changed, "utf-8")
    errors = _errors(repo.root)
    assert len(errors) == 1
    assert errors[0].startswith("badges/telephone.yaml:")
    assert errors[0].endswith(
        f": error: issuers[1]: « {ENDORSER} » recommande des badges (type: endorser) : "
        "il ne peut pas en délivrer"
    )


def test_an_endorser_is_in_no_network(repo: AwardedRepo) -> None:
    path = repo.root / "issuers" / f"{ENDORSER}.yaml"
    path.write_text(path.read_text("utf-8") + "networks:\n  - reseau-test\n", "utf-8")
    errors = _errors(repo.root)
    assert any(
        line.endswith("networks[0]: un recommandeur (type: endorser) n'est membre d'aucun réseau")
        for line in errors
    ), errors


def test_published_documents(repo: AwardedRepo) -> None:
    signed = endorse(repo.root, repo.key_dir, assertion=repo.ids["awa"])
    site = loaded(repo.root)
    urls = Urls(site.settings.site_url)
    files = publish.files(site)
    name = signed.endorsement_id
    credential = json.loads(files[f"e/{name}.vc.json"])
    assert credential == json.loads(signed.record)["ob3"]
    assert files[f"e/{name}.vc.jwt"].decode() == json.loads(signed.record)["ob3_jwt"]
    hosted = json.loads(files[f"e/{name}.json"])
    assert hosted["id"] == urls.absolute(f"e/{name}.json")
    assert hosted["verification"] == {"type": "HostedBadge"}
    assert hosted["claim"] == {
        "id": urls.absolute(f"a/{repo.ids['awa']}.json"),
        "endorsementComment": COMMENT,
    }
    assert f"e/{name}.jws" in files


def test_shown_on_the_badge_issuer_and_award_pages(repo: AwardedRepo) -> None:
    badge = endorse(repo.root, repo.key_dir, badge="telephone", comment="Avis sur le badge.")
    award = endorse(repo.root, repo.key_dir, assertion=repo.ids["awa"], comment="Avis sur Awa.")
    site = loaded(repo.root)
    page = catalogue.badge_page(site, site.badges["telephone"]).body
    assert "Recommandé par" in page and "Avis sur le badge." in page
    assert f'href="../e/{badge.endorsement_id}.vc.json"' in page
    assert "Avis sur Awa." not in page
    endorser_page = catalogue.issuer_page(site, site.issuers[ENDORSER]).body
    assert "Recommandations données" in endorser_page and "Avis sur Awa." in endorser_page
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    html = assertion_pages.render_page(site, site.awards[repo.ids["awa"]], moment)
    assert "Recommandé par" in html
    assert html.index("Avis sur Awa.") < html.index("Avis sur le badge.")
    assert f'href="../e/{award.endorsement_id}.vc.json"' in html
    other = assertion_pages.render_page(site, site.awards[repo.ids["chloe"]], moment)
    assert "Recommandé par" not in other


def test_badgeons_verify_checks_an_endorsement_credential(
    repo: AwardedRepo, tmp_path: Path
) -> None:
    signed = endorse(repo.root, repo.key_dir, badge="telephone")
    site = loaded(repo.root)
    site_dir = tmp_path / "site"
    writer.write_files(site_dir, publish.files(site))
    fetcher = Fetcher(site_url=site.settings.site_url, site_dir=site_dir, offline=True)
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    for suffix in ("vc.json", "vc.jwt"):
        target = site_dir / "e" / f"{signed.endorsement_id}.{suffix}"
        report = checker.verify(str(target), fetcher=fetcher, now=moment)
        assert report.verdict == "VALIDE", report.as_text()
        assert "EndorsementCredential" in report.format
        assert {c.name for c in report.checks} == {"signature", "validité", "recommandation"}
    credential = json.loads((site_dir / "e" / f"{signed.endorsement_id}.vc.json").read_text())
    credential["credentialSubject"]["endorsementComment"] = "Un avis que l'employeur n'a pas signé."
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(credential), "utf-8")
    report = checker.verify(str(tampered), fetcher=fetcher, now=moment)
    assert report.verdict == "SIGNATURE INVALIDE"
    credential = json.loads((site_dir / "e" / f"{signed.endorsement_id}.vc.json").read_text())
    credential["issuer"]["id"] = site.settings.site_url.replace("https://", "did:web:").rstrip("/")
    tampered.write_text(json.dumps(credential), "utf-8")
    assert checker.verify(str(tampered), fetcher=fetcher, now=moment).verdict == (
        "SIGNATURE INVALIDE"
    )
