"""Tests of build_tools.checker (``badgeons verify``) on our own files, offline, and of fetching."""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from build_tools import checker, issuing, keys, publish, signing, writer
from build_tools.fetching import Fetcher, FetchError
from tests.conftest import DATA, AwardedRepo

S = "https://badges.example.org/test/"
WHEN = datetime(2026, 3, 1, tzinfo=UTC)
ALL_FORMS = ("json", "jws", "vc.json", "vc.jwt", "png", "svg", "vc.png", "vc.svg")


@dataclass(frozen=True)
class Built:
    """The awarded repository's documents as a built site, before and after Bob's revocation."""

    ids: Mapping[str, str]
    site: Path
    revoked: Path

    def award(self, learner: str, suffix: str) -> Path:
        return self.site / "a" / f"{self.ids[learner]}.{suffix}"


@pytest.fixture(scope="module")
def built(_awarded_template: AwardedRepo, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Built once per module: the tests only read these sites."""
    base = tmp_path_factory.mktemp("built")
    repo = dataclasses.replace(_awarded_template, root=base / "repo")
    shutil.copytree(_awarded_template.root, repo.root)
    writer.write_files(base / "site", publish.files(repo.site()))
    when = datetime(2026, 2, 1, tzinfo=UTC)
    issuing.revoke(repo.site(), repo.ids["bob"], "Erreur de saisie", when)
    writer.write_files(base / "revoked", publish.files(repo.site()))
    return Built(repo.ids, base / "site", base / "revoked")


@pytest.fixture(scope="module")
def forger() -> rsa.RSAPrivateKey:
    return keys.generate_rsa_key()


def _fetcher(site_dir: Path) -> Fetcher:
    return Fetcher(site_url=S, site_dir=site_dir, offline=True)


def _verify(
    site_dir: Path, target: Path | str, recipient: str | None = None, now: datetime = WHEN
) -> checker.Report:
    return checker.verify(str(target), fetcher=_fetcher(site_dir), recipient=recipient, now=now)


def _outcomes(report: checker.Report) -> dict[str, str]:
    return {c.name: c.outcome for c in report.checks}


def _failures(report: checker.Report) -> list[str]:
    return [f"{c.name} : {c.message}" for c in report.checks if c.outcome == "failed"]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return payload


@pytest.mark.parametrize("suffix", ALL_FORMS)
def test_every_form_of_a_valid_award(built: Built, suffix: str) -> None:
    report = _verify(built.site, built.award("awa", suffix), "Awa@Example.org")
    assert report.verdict == "VALIDE", report.as_text()
    assert report.valid
    assert _outcomes(report) == {
        "signature": "ok",
        "révocation": "ok",
        "validité": "ok",
        "destinataire": "ok",
    }
    assert report.badge == "Utiliser un téléphone portable"
    assert report.issuer is not None and report.issuer.startswith("Atelier de test (")
    assert any(c.message == "valide jusqu'au 10 janvier 2028" for c in report.checks)


@pytest.mark.parametrize("suffix", ["json", "jws", "vc.json", "vc.jwt", "svg", "vc.svg"])
def test_every_form_of_an_award_of_an_svg_badge(built: Built, suffix: str) -> None:
    report = _verify(built.site, built.award("chloe", suffix), "chloe@example.org")
    assert report.verdict == "VALIDE", report.as_text()
    assert report.badge == "Accueillir un public — Je fais"


@pytest.mark.parametrize("suffix", ALL_FORMS)
def test_a_revoked_award(built: Built, suffix: str) -> None:
    target = built.revoked / "a" / f"{built.ids['bob']}.{suffix}"
    report = _verify(built.revoked, target, "bob@example.org")
    assert report.verdict == "RÉVOQUÉ"
    assert _failures(report) == ["révocation : révoqué — motif : Erreur de saisie"]


@pytest.mark.parametrize("suffix", ["json", "jws", "vc.json", "vc.jwt"])
def test_expired_and_not_yet_valid(built: Built, suffix: str) -> None:
    target = built.award("awa", suffix)
    later = _verify(built.site, target, now=datetime(2028, 1, 10, 9, 0, tzinfo=UTC))
    assert later.verdict == "EXPIRÉ OU PAS ENCORE VALIDE"
    assert _failures(later) == ["validité : expiré depuis le 10 janvier 2028"]
    earlier = _verify(built.site, target, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert earlier.verdict == "EXPIRÉ OU PAS ENCORE VALIDE"
    assert _failures(earlier) == ["validité : pas encore valide (à partir du 10 janvier 2026)"]


@pytest.mark.parametrize("suffix", ["json", "jws", "vc.json", "vc.jwt", "png", "vc.svg"])
def test_another_recipient(built: Built, suffix: str) -> None:
    target = built.award("awa", suffix)
    report = _verify(built.site, target, "bob@example.org")
    assert report.verdict == "AUTRE DESTINATAIRE"
    assert _failures(report) == ["destinataire : ce badge n'a pas été délivré à cette adresse"]
    invalid = _verify(built.site, target, "bob")
    assert _failures(invalid) == ["destinataire : adresse e-mail invalide : « bob »"]
    unchecked = _verify(built.site, target)
    assert unchecked.valid and unchecked.verdict == "VALIDE"
    assert [c.outcome for c in unchecked.checks if c.name == "destinataire"] == ["warning"]


def test_a_tampered_credential(built: Built, tmp_path: Path) -> None:
    credential = json.loads(built.award("awa", "vc.json").read_bytes())
    credential["credentialSubject"]["achievement"]["name"] = "Expert en téléphonie"
    report = _verify(built.site, _write(tmp_path, "faux.json", json.dumps(credential)))
    assert report.verdict == "SIGNATURE INVALIDE"
    assert _failures(report)[0].startswith(
        "signature : la signature ne correspond pas au contenu : badge modifié ou signé par une "
        "autre clé (signature eddsa-rdfc-2022 refusée par la clé"
    )


def test_a_tampered_hosted_assertion(built: Built, tmp_path: Path) -> None:
    hosted = json.loads(built.award("awa", "json").read_bytes())
    hosted["expires"] = "2099-01-01T00:00:00Z"
    report = _verify(built.site, _write(tmp_path, "faux.json", json.dumps(hosted)))
    assert report.verdict == "SIGNATURE INVALIDE"
    assert _failures(report) == [
        "signature : le badge ne correspond pas à l'assertion servie par l'émetteur (modifié ?)"
    ]


@pytest.mark.parametrize("suffix", ["jws", "vc.jwt"])
def test_tampered_and_truncated_tokens(built: Built, tmp_path: Path, suffix: str) -> None:
    token = built.award("awa", suffix).read_text(encoding="ascii")
    head, body, signature = token.split(".")
    cut = _verify(built.site, _write(tmp_path, "a.txt", f"{head}.{body}.{signature[:-20]}"))
    assert cut.verdict == "SIGNATURE INVALIDE"
    truncated = _verify(built.site, _write(tmp_path, "b.txt", f"{head}.{body[: len(body) // 2]}."))
    assert truncated.verdict == "ILLISIBLE"
    assert _failures(truncated)[0].startswith("lecture : JWS tronqué ou mal formé (")
    no_signature = _verify(built.site, _write(tmp_path, "c.txt", f"{head}.{body}"))
    assert no_signature.verdict == "ILLISIBLE"
    assert _failures(no_signature) == [
        "lecture : JWS tronqué ou mal formé : un JWS compact a trois parties séparées par des points"
    ]


@pytest.mark.parametrize(
    ("name", "content", "failure"),
    [
        (
            "image.png",
            (DATA / "minimal" / "badges" / "images" / "telephone.png").read_bytes(),
            "lecture : ce PNG ne contient aucun badge (pas de bloc openbadges)"
            " : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page",
        ),
        (
            "image.svg",
            (DATA / "minimal" / "badges" / "images" / "accueillir-1.svg").read_bytes(),
            "lecture : ce SVG ne contient aucun badge"
            " : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page",
        ),
        (
            "doc.json",
            '{"@context": "https://schema.org/", "type": "Person"}',
            "lecture : ce document n'est pas un badge Open Badges 2.0 ou 3.0",
        ),
        ("doc.json", '{\n  "a": ,\n}', "lecture : JSON invalide : Expecting value (ligne 2)"),
        ("doc.bin", b"\xff\xfe\x00", "lecture : ni JSON, ni JWS, ni image PNG ou SVG"),
        (
            "doc.json",
            '{"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialSubject": {}}',
            "signature : le credential ne porte aucune preuve : il n'est pas vérifiable",
        ),
    ],
    ids=["png", "svg", "not-a-badge", "bad-json", "binary", "no-proof"],
)
def test_things_that_are_not_verifiable_badges(
    built: Built, tmp_path: Path, name: str, content: str | bytes, failure: str
) -> None:
    report = _verify(built.site, _write(tmp_path, name, content))
    assert not report.valid
    assert _failures(report) == [failure]
    expected = "SIGNATURE INVALIDE" if failure.startswith("signature") else "ILLISIBLE"
    assert report.verdict == expected


def test_a_badge_that_cannot_be_read_is_neither_valid_nor_invalid(
    built: Built, tmp_path: Path
) -> None:
    # A mistyped file name or an address out of reach proves nothing about the badge.
    for target, failure in (
        (tmp_path / "absent.json", "lecture : fichier introuvable"),
        (tmp_path, "lecture : fichier illisible : c'est un dossier"),
        (f"{S}a/absent.vc.json", f"lecture : {S}a/absent.vc.json absent du site construit"),
    ):
        report = _verify(built.site, target)
        assert [f.split(" (/")[0] for f in _failures(report)] == [failure]
        assert report.verdict == "VÉRIFICATION IMPOSSIBLE"
        assert [c.unreachable for c in report.checks] == [True]
        assert "il n'a pas pu être lu" in report.as_text()
    # A file that is there but holds no badge is not one: that is a verdict.
    other = tmp_path / "photo.png"
    other.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert _verify(built.site, other).verdict == "ILLISIBLE"


def test_an_unknown_context(built: Built, tmp_path: Path) -> None:
    credential = json.loads(built.award("awa", "vc.json").read_bytes())
    credential["@context"].append("https://example.org/contexts/badges.json")
    report = _verify(built.site, _write(tmp_path, "faux.json", json.dumps(credential)))
    assert report.verdict == "SIGNATURE INVALIDE"
    assert _failures(report) == [
        "signature : contexte JSON-LD inconnu : le badge ne peut pas être lu hors ligne "
        "(unknown JSON-LD document, refused offline: https://example.org/contexts/badges.json)"
    ]


def test_a_status_wrapped_in_a_list_is_still_checked(built: Built, tmp_path: Path) -> None:
    # In JSON-LD a value and a list of that one value are the same graph: the proof still
    # holds, so the revocation list must still be read.
    target = built.revoked / "a" / f"{built.ids['bob']}.vc.json"
    credential = json.loads(target.read_bytes())
    credential["credentialStatus"] = [credential["credentialStatus"]]
    credential["credentialSubject"] = [credential["credentialSubject"]]
    report = _verify(
        built.revoked, _write(tmp_path, "liste.json", json.dumps(credential)), "bob@example.org"
    )
    assert _outcomes(report)["signature"] == "ok"
    assert _outcomes(report)["destinataire"] == "ok"
    assert report.verdict == "RÉVOQUÉ"


def test_a_vc_jwt_whose_key_is_on_a_look_alike_host(
    built: Built, tmp_path: Path, forger: rsa.RSAPrivateKey
) -> None:
    credential = json.loads(built.award("awa", "vc.json").read_bytes())
    credential.pop("proof")
    jwk = json.dumps(keys.rsa_public_key_to_jwk(forger.public_key())).encode()
    # Neither a longer host name nor a user name makes a key published by badges.example.org.
    for kid in (
        "https://badges.example.org.evil.test/k.jwk.json",
        "https://badges.example.org@evil.test/k.jwk.json",
    ):
        fetcher = _fetcher(built.site)
        fetcher.cache[kid] = jwk
        token = signing.encode_vc_jwt(credential, forger, kid=kid)
        report = checker.verify(str(_write(tmp_path, "faux.jwt", token)), fetcher=fetcher, now=WHEN)
        assert report.verdict == "SIGNATURE INVALIDE"
        assert _failures(report) == [
            f"signature : la clé {kid} n'est pas publiée par l'émetteur (https://badges.example.org)"
        ]


@pytest.mark.parametrize(
    "change",
    [
        {"recipient": "x"},
        {"recipient": ["x"]},
        {"verification": "x"},
        {
            "verification": {
                "creator": "https://badges.example.org/test/issuers/atelier-test/jwks.json"
            }
        },
        {"badge": 3},
    ],
    ids=["recipient-text", "recipient-list", "verification-text", "undeclared-key", "badge-number"],
)
def test_malformed_signed_assertions_are_reported_not_raised(
    built: Built, tmp_path: Path, forger: rsa.RSAPrivateKey, change: dict[str, Any]
) -> None:
    payload = _payload(built.award("awa", "jws").read_text(encoding="ascii"))
    payload.update(change)
    forged = signing.sign_jws(payload, forger)
    report = _verify(built.site, _write(tmp_path, "faux.jws", forged), "awa@example.org")
    assert not report.valid
    assert report.verdict in ("SIGNATURE INVALIDE", "ILLISIBLE")


@pytest.mark.parametrize(
    ("suffix", "missing", "message"),
    [
        ("vc.json", "issuers/*/did.json", "document DID introuvable : "),
        ("vc.jwt", "issuers/*/keys/*.jwk.json", ""),
        ("jws", "issuers/*/keys/*[0-9].json", ""),
        ("json", "a/{awa}.json", "l'assertion n'est pas servie à son adresse : "),
    ],
    ids=["data-integrity", "vc-jwt", "ob2-signed", "ob2-hosted"],
)
def test_a_key_out_of_reach_makes_the_check_impossible_not_the_signature_invalid(
    built: Built, tmp_path: Path, suffix: str, missing: str, message: str
) -> None:
    """The issuer's site down, or the verifier offline: a genuine badge must not be called
    forged. The signature check fails (the badge is not shown valid) but the verdict says
    that nothing was proven."""
    site = tmp_path / "site"
    shutil.copytree(built.site, site)
    # What the check needs from the issuer's site, removed as if the site did not answer.
    gone = list(site.glob(missing.format(awa=built.ids["awa"])))
    assert gone
    for path in gone:
        path.unlink()
    report = _verify(site, built.award("awa", suffix), "awa@example.org")
    assert report.verdict == "VÉRIFICATION IMPOSSIBLE", report.as_text()
    assert not report.valid
    [signature] = [c for c in report.checks if c.name == "signature"]
    assert signature.outcome == "failed" and signature.unreachable
    assert signature.message.startswith(message) and "absent du site construit" in signature.message
    text = report.as_text()
    assert f"  ? IMPOSSIBLE signature : {signature.message}" in text.splitlines()
    assert "ni confirmé ni réfuté" in text
    assert [c["unreachable"] for c in report.as_dict()["checks"] if c["name"] == "signature"] == [
        True
    ]


def test_a_key_named_on_another_site_is_refused_not_out_of_reach(
    built: Built, tmp_path: Path, forger: rsa.RSAPrivateKey
) -> None:
    """A forger's key, named at an address outside the issuer's site, is refused before any
    fetch: the badge is invalid, never merely impossible to check."""
    token = built.award("awa", "vc.jwt").read_text(encoding="ascii").strip()
    payload = _payload(token)
    credential = {k: v for k, v in payload.items() if k not in signing.JWT_REGISTERED_CLAIMS}
    kid = "https://ailleurs.example.org/k.jwk.json"
    forged = signing.encode_vc_jwt(credential, forger, kid=kid)
    report = _verify(built.site, _write(tmp_path, "faux.jwt", forged))
    assert report.verdict == "SIGNATURE INVALIDE"
    assert not report.checks[0].unreachable


def test_report_as_text_and_as_dict(built: Built) -> None:
    target = built.award("awa", "vc.json")
    report = _verify(built.site, target, "awa@example.org")
    lines = report.as_text().splitlines()
    assert lines[0] == f"Vérification de : {target}"
    assert lines[1] == "Format : Open Badges 3.0, preuve Data Integrity eddsa-rdfc-2022"
    assert lines[2] == "Badge : Utiliser un téléphone portable"
    assert lines[3] == (
        "Émetteur : Atelier de test (did:web:badges.example.org:test:issuers:atelier-test)"
    )
    assert lines[-1] == "Verdict : VALIDE"
    assert "  ✓ OK      validité : valide jusqu'au 10 janvier 2028" in lines
    data = report.as_dict()
    assert (data["valid"], data["verdict"]) == (True, "VALIDE")
    assert [c["name"] for c in data["checks"]] == [
        "signature",
        "validité",
        "révocation",
        "destinataire",
    ]
    assert checker.Report("x").verdict == "ILLISIBLE"


# Fetching (the checker's only way to documents).


def test_fetching_answers_our_urls_from_the_built_site(built: Built) -> None:
    fetcher = _fetcher(built.site)
    document = fetcher.get_json(f"{S}issuers/atelier-test/did.json#key")
    assert document["id"] == "did:web:badges.example.org:test:issuers:atelier-test"
    with pytest.raises(FetchError, match="absent du site construit"):
        fetcher.get(f"{S}issuers/absent.json")
    with pytest.raises(FetchError, match="hors ligne : impossible de récupérer https://ailleurs"):
        fetcher.get("https://ailleurs.example/badge.json")
    with pytest.raises(FetchError, match="n'est pas un document JSON"):
        fetcher.get_json(f"{S}issuers/atelier-test/logo.png")


@pytest.mark.parametrize("path", ["../secret.txt", "a/../../secret.txt", "/../secret.txt"])
def test_fetching_never_leaves_the_site_dir(tmp_path: Path, path: str) -> None:
    site_dir = tmp_path / "site"
    (site_dir / "a").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    with pytest.raises(FetchError, match="absent du site construit"):
        _fetcher(site_dir).get(S + path)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/badge.json", "data:,{}", "/etc/passwd"]
)
def test_fetching_follows_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher().get(url)
    assert str(caught.value) == f"adresse refusée (seuls http et https sont suivis) : {url}"


def test_fetching_over_the_network_fails_cleanly_in_tests() -> None:
    # The test suite blocks the network: the failure must be a FetchError naming the URL.
    with pytest.raises(
        FetchError, match=r"^https://badges\.example\.org/x\.json : le site ne répond pas \("
    ):
        Fetcher().get("https://badges.example.org/x.json")
