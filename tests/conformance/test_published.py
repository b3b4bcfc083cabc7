"""Acceptance test of issue 3: what Badgeons publishes passes verifiers that Badgeons did not write.

A scratch repository is awarded and built with the real `badgeons` command (see conftest.py):
22 awards, one revoked, one expired. Every published form of every award goes through the
independent verifiers (Digital Bazaar's vc for Data Integrity proofs, jose for VC-JWTs, the
1EdTech Open Badges 2.0 validator) and through our own `badgeons verify`, online over TLS and
offline from the built site. Then tampered copies must fail all of them, no recipient address
may appear in any file, and a site served below a sub-path must verify too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ed25519

from build_tools import bake, checker, identity, keys, signing
from build_tools.cli import main
from build_tools.fetching import Fetcher
from tests.conformance.conftest import (
    ISSUER,
    REVOCATION_REASON,
    TAMPER_LEARNER,
    Issued,
    Published,
    badgeons,
    tampered_copies,
)
from tests.support import verifiers

pytestmark = pytest.mark.conformance

T = TypeVar("T")
R = TypeVar("R")
WRONG_EMAIL = "quelquun.dautre@example.org"
VERDICTS = {"valid": "VALIDE", "revoked": "RÉVOQUÉ", "expired": "EXPIRÉ OU PAS ENCORE VALIDE"}
FAILED_CHECK = {"valid": set(), "revoked": {"révocation"}, "expired": {"validité"}}
OB2_HOSTED = "Open Badges 2.0, assertion hébergée"
OB3_PROOF = "Open Badges 3.0, preuve Data Integrity eddsa-rdfc-2022"
FORMATS = {
    "json": OB2_HOSTED,
    "png": OB2_HOSTED,
    "svg": OB2_HOSTED,
    "jws": "Open Badges 2.0, assertion signée (JWS RS256)",
    "vc.json": OB3_PROOF,
    "vc.png": OB3_PROOF,
    "vc.svg": OB3_PROOF,
    "vc.jwt": "Open Badges 3.0, VC-JWT (RS256)",
}


@pytest.fixture
def node_verifiers() -> None:
    verifiers.require_node_verifiers()


@pytest.fixture
def ob2_validator() -> None:
    verifiers.require_ob2_validator()


@pytest.fixture
def trusted_ca(monkeypatch: pytest.MonkeyPatch, published: Published) -> None:
    """Let our checker's urllib fetches trust the test CA.

    `build_tools.fetching` opens URLs with Python's default TLS context, which OpenSSL fills from
    the `SSL_CERT_FILE` file whenever a context is made; no hook in the checker is needed.
    """
    monkeypatch.setenv("SSL_CERT_FILE", str(published.pki.ca_cert))


def parallel(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """Run a verifier subprocess per item, a few at a time (each one is a separate Python)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(function, items))


def not_served(published: Published, since: int) -> list[str]:
    """Requests made to the server since `since` that did not answer 200."""
    return [line for line in published.server.requests[since:] if not line.endswith(" 200")]


def jws_part(token: str, index: int) -> dict[str, Any]:
    """The header (0) or payload (1) of a compact JWS, decoded without any check."""
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """The token with another payload and its original header and signature."""
    header, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def write(path: Path, content: str | dict[str, Any]) -> Path:
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def check_with_cli(
    published: Published, target: str, email: str, *, offline: bool
) -> dict[str, Any]:
    """`badgeons verify TARGET --recipient EMAIL --format json`, in-process; the parsed report."""
    arguments = ["verify", target, "--recipient", email, "--format", "json"]
    if offline:
        arguments += ["--offline", str(published.site_dir), "--root", str(published.repo)]
    result = CliRunner().invoke(main, arguments, env={"SSL_CERT_FILE": str(published.pki.ca_cert)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == (0 if report["valid"] else 1), result.output
    return report


def failed_checks(report: dict[str, Any]) -> set[str]:
    return {c["name"] for c in report["checks"] if c["outcome"] == "failed"}


# The site itself.


def test_the_rebuilt_site_is_served_with_the_revocation(published: Published) -> None:
    revoked = published.one("revoked")

    assert published.status_before_revocation["revokedCredentials"] == []
    assert published.status_after_revocation["revokedCredentials"] == [
        {
            "id": published.url(revoked, "vc.json"),
            "revoked": True,
            "revocationReason": REVOCATION_REASON,
        }
    ]
    assert len(published.issued) == 22
    assert {a.status for a in published.issued} == {"valid", "revoked", "expired"}


# Open Badges 3.0 with a Data Integrity proof: Digital Bazaar's vc.


def extracted_credentials(published: Published, folder: Path) -> list[tuple[Issued, Path]]:
    """The credentials baked into every .vc.png and .vc.svg, written out as JSON files.

    verify-vc.mjs reads JSON documents only, so the credential is taken out of the image with our
    reader first; the test also checks that it is the very credential published as .vc.json.
    """
    folder.mkdir()
    extracted = []
    for award in published.issued:
        served = json.loads(published.file(award, "vc.json").read_bytes())
        for suffix in ("vc.png", "vc.svg"):
            if suffix not in award.suffixes:
                continue
            data = published.file(award, suffix).read_bytes()
            text = (
                bake.read_png(data, bake.OB3_PNG_KEYWORD)
                if suffix == "vc.png"
                else bake.read_svg_ob3(data).text
            )
            assert text is not None and json.loads(text) == served, f"{award.id}.{suffix}"
            extracted.append((award, write(folder / f"{award.id}.{suffix}.json", text)))
    return extracted


def test_every_credential_passes_the_data_integrity_verifier(
    node_verifiers: None, published: Published, tmp_path: Path
) -> None:
    hosted = [(award, published.url(award, "vc.json")) for award in published.issued]
    baked = extracted_credentials(published, tmp_path / "baked")
    inputs = hosted + baked
    since = len(published.server.requests)

    results = verifiers.verify_vc([item for _, item in inputs], ca_cert=published.pki.ca_cert)

    assert len(baked) == 21 + 22
    for (award, _), result in zip(inputs, results, strict=True):
        if award.status == "valid":
            assert result.verified and result.warnings == (), verifiers.explain([result])
            assert result.raw["issuer"] == published.did
            assert result.raw["status"][0]["checked"] is True
        elif award.status == "revoked":
            assert not result.verified
            assert result.raw["status"][0]["revoked"] is True
            assert any(f"is revoked ({REVOCATION_REASON})" in e for e in result.errors), (
                result.errors
            )
        else:
            assert not result.verified
            assert any('"validUntil" (2021-01-01T23:59:59Z)' in e for e in result.errors), (
                result.errors
            )
    assert not_served(published, since) == []


# Open Badges 3.0 as VC-JWT: jose.


def test_every_vc_jwt_passes_jose(node_verifiers: None, published: Published) -> None:
    urls = [published.url(award, "vc.jwt") for award in published.issued]
    since = len(published.server.requests)

    results = verifiers.verify_jwt(urls, ca_cert=published.pki.ca_cert)

    for award, result in zip(published.issued, results, strict=True):
        if award.status == "valid":
            assert result.verified and result.warnings == (), verifiers.explain([result])
            assert result.raw["credentialId"] == published.url(award, "vc.json")
            assert result.raw["keySource"] == "kid (JWK)"
        else:
            assert not result.verified, verifiers.explain([result])
    revoked = results[published.issued.index(published.one("revoked"))]
    assert revoked.raw["status"][0]["revoked"] is True
    assert any(f"is revoked ({REVOCATION_REASON})" in e for e in revoked.errors), revoked.errors
    expired = results[published.issued.index(published.one("expired"))]
    assert [e.split(":")[0] for e in expired.errors] == ["ERR_JWT_EXPIRED"], expired.errors
    assert not_served(published, since) == []


# Open Badges 2.0: the 1EdTech validator.


def ob2_cases(published: Published) -> Iterator[tuple[str, Issued, str | Path, str, bool]]:
    """(form, award, input, recipient, is_jws): the 2.0 forms to validate.

    Each run of the validator is a fresh Python that spends most of its time importing, so the
    hosted and signed forms are validated for every award, and the baked images and the wrong
    recipient for one award of each kind: PNG badge (plain, and with evidence and narrative),
    SVG badge, revoked, expired.
    """
    representatives = {
        published.learner(1).id,
        published.learner(TAMPER_LEARNER).id,
        published.one("revoked").id,
        published.one("expired").id,
        next(a for a in published.issued if a.image_format == "svg").id,
    }
    for award in published.issued:
        yield "hosted", award, published.url(award, "json"), award.email, False
        token = published.file(award, "jws").read_text(encoding="ascii").strip()
        yield "signed", award, token, award.email, True
        if award.id not in representatives:
            continue
        if award.status == "valid":
            yield "hosted, other recipient", award, published.url(award, "json"), WRONG_EMAIL, False
        for suffix in ("png", "svg"):
            if suffix in award.suffixes:
                yield f"baked {suffix}", award, published.file(award, suffix), award.email, False


def test_every_ob2_form_passes_the_1edtech_validator(
    ob2_validator: None, published: Published
) -> None:
    cases = list(ob2_cases(published))
    since = len(published.server.requests)

    reports = parallel(
        lambda case: verifiers.validate_ob2(
            case[2], ca_cert=published.pki.ca_cert, recipient_email=case[3], is_jws=case[4]
        ),
        cases,
    )

    problems = []
    for (form, award, _, _, _), report in zip(cases, reports, strict=True):
        revoked_flag = report.raw.get("assertionRevoked")
        if form == "hosted, other recipient":
            expected_ok = not report.valid and any("did not match" in e for e in report.errors)
        elif award.status == "expired":
            expected_ok = not report.valid and any(
                "expired on 2021-01-01" in e for e in report.errors
            )
        elif award.status == "revoked" and form == "signed":
            # The signed form is checked against the issuer's RevocationList.
            expected_ok = not report.valid and any(
                f"has been revoked in RevocationList {published.server.url(f'issuers/{ISSUER}/revocations.json')}"
                in e
                for e in report.errors
            )
        elif award.status == "revoked":
            # The validator ignores `revoked: true` on hosted assertions (conformance/README.md):
            # the runner reads the flag from the validator's graph.
            expected_ok = report.valid and revoked_flag is True
        else:
            expected_ok = report.valid and report.warnings == () and revoked_flag is None
        if not expected_ok:
            problems.append(f"{form} {award.status}: {verifiers.explain(report)}")
    assert problems == []
    assert len(cases) == 22 + 22 + 3 + 4 + 5
    assert not_served(published, since) == []


# Our own verifier, `badgeons verify`.


def test_badgeons_verify_agrees_online_and_offline(published: Published) -> None:
    problems = []
    for award in published.issued:
        for suffix in award.suffixes:
            for offline in (False, True):
                target = (
                    str(published.file(award, suffix)) if offline else published.url(award, suffix)
                )
                report = check_with_cli(published, target, award.email, offline=offline)
                seen = (report["verdict"], report["format"], failed_checks(report))
                wanted = (VERDICTS[award.status], FORMATS[suffix], FAILED_CHECK[award.status])
                warnings = [c for c in report["checks"] if c["outcome"] == "warning"]
                if seen != wanted or warnings:
                    problems.append(f"{target} (offline={offline}): {seen} {warnings}")
            if award.status == "valid":
                report = check_with_cli(
                    published, published.url(award, suffix), WRONG_EMAIL, offline=False
                )
                if report["verdict"] != "AUTRE DESTINATAIRE" or failed_checks(report) != {
                    "destinataire"
                }:
                    problems.append(f"{suffix} for another recipient: {report['verdict']}")
    assert problems == []


def test_the_installed_badgeons_verify_command(published: Published) -> None:
    valid, revoked = published.learner(1), published.one("revoked")
    # Our fetcher uses urllib with Python's default TLS context: SSL_CERT_FILE is what trusts
    # the test CA, as it would trust a private CA for a real user.
    online = {**published.env, "SSL_CERT_FILE": str(published.pki.ca_cert)}
    site = ["--offline", str(published.site_dir), "--root", str(published.repo)]

    by_url = badgeons(
        published,
        "verify",
        published.url(valid, "vc.json"),
        "--recipient",
        valid.email,
        check=False,
        root=False,
        env=online,
    )
    from_site = badgeons(
        published,
        "verify",
        *site,
        str(published.file(revoked, "png")),
        "--recipient",
        revoked.email,
        check=False,
        root=False,
    )
    untrusted = badgeons(
        published, "verify", published.url(valid, "vc.jwt"), check=False, root=False
    )

    assert by_url.returncode == 0, by_url.stdout + by_url.stderr
    assert by_url.stdout.splitlines()[-1] == "Verdict : VALIDE"
    assert from_site.returncode == 1, from_site.stdout + from_site.stderr
    assert from_site.stdout.splitlines()[-1] == "Verdict : RÉVOQUÉ"
    assert f"révoqué — motif : {REVOCATION_REASON}" in from_site.stdout
    # Without the test CA the server is not trusted, and the badge cannot even be read: that
    # proves nothing either way.
    assert untrusted.returncode == 1
    assert "? IMPOSSIBLE lecture : " in untrusted.stdout, untrusted.stdout
    assert "certificat du site non reconnu, connexion non sûre" in untrusted.stdout
    assert "Verdict : VÉRIFICATION IMPOSSIBLE" in untrusted.stdout


# Tampered copies.


def our_report(target: Path | str, email: str | None = None) -> checker.Report:
    return checker.verify(str(target), fetcher=Fetcher(), recipient=email)


def test_every_tampered_copy_of_a_credential_fails(
    node_verifiers: None, trusted_ca: None, published: Published, tmp_path: Path
) -> None:
    original = json.loads(published.file(published.learner(TAMPER_LEARNER), "vc.json").read_bytes())
    copies = tampered_copies(original)
    names = {name for name, _ in copies}
    for required in (
        "altered $.proof.proofValue",
        "altered $.proof.verificationMethod",
        "altered $.proof.created",
        "altered $.proof.cryptosuite",
        "altered $.issuer.id",
        "altered $.credentialSubject.achievement.criteria.narrative",
        "altered $.credentialSubject.identifier[0].identityHash",
        "altered $.credentialSubject.identifier[0].salt",
        "altered $.credentialSubject.identifier[0].hashed",
        "altered $.evidence[0].id",
        "altered $.credentialSubject.narrative",
        "altered $.validFrom",
        "altered $.type[1]",
        "removed $.validUntil",
        "removed $.credentialStatus",
    ):
        assert required in names, f"the tampering no longer covers {required}"
    control = write(tmp_path / "original.json", original)
    paths = [write(tmp_path / f"{i:03d}.json", doc) for i, (_, doc) in enumerate(copies)]

    results = verifiers.verify_vc([control, *paths], ca_cert=published.pki.ca_cert)
    reports = [our_report(path) for path in [control, *paths]]

    assert results[0].verified, verifiers.explain(results[:1])
    assert reports[0].valid, reports[0].as_text()
    accepted_by_vc = [name for (name, _), r in zip(copies, results[1:], strict=True) if r.verified]
    # Our checker must not only refuse each copy but say that the signature does not hold.
    accepted_by_us = [
        name
        for (name, _), report in zip(copies, reports[1:], strict=True)
        if report.valid
        or not any(c.name == "signature" and c.outcome == "failed" for c in report.checks)
    ]
    assert accepted_by_vc == []
    assert accepted_by_us == []


def test_a_credential_signed_again_with_another_key_fails(
    node_verifiers: None, trusted_ca: None, published: Published, tmp_path: Path
) -> None:
    original = json.loads(published.file(published.learner(1), "vc.json").read_bytes())
    unsigned = {key: value for key, value in original.items() if key != "proof"}
    # A fresh key that claims the issuer's verification method.
    forged = signing.add_eddsa_rdfc_2022_proof(
        unsigned,
        ed25519.Ed25519PrivateKey.generate(),
        original["proof"]["verificationMethod"],
        original["proof"]["created"],
    )
    path = write(tmp_path / "forged.json", forged)

    [result] = verifiers.verify_vc([path], ca_cert=published.pki.ca_cert)
    report = our_report(path)

    assert not result.verified
    assert "Invalid signature." in result.errors
    assert report.verdict == "SIGNATURE INVALIDE", report.as_text()


def test_tampered_vc_jwts_fail(
    node_verifiers: None, trusted_ca: None, published: Published, tmp_path: Path
) -> None:
    token = published.file(published.learner(1), "vc.jwt").read_text(encoding="ascii").strip()
    payload = jws_part(token, 1)
    changed = with_payload(token, payload | {"name": "Utiliser un ordinateur"})
    credential = {k: v for k, v in payload.items() if k not in signing.JWT_REGISTERED_CLAIMS}
    kid = jws_part(token, 0)["kid"]
    other_key = signing.encode_vc_jwt(credential, keys.generate_rsa_key(), kid=kid)
    files = [
        write(tmp_path / f"{name}.jwt", text)
        for name, text in (("original", token), ("changed", changed), ("other-key", other_key))
    ]

    results = verifiers.verify_jwt(files, ca_cert=published.pki.ca_cert)
    reports = [our_report(path) for path in files]

    assert results[0].verified and reports[0].valid, verifiers.explain(results[:1])
    for result, report in zip(results[1:], reports[1:], strict=True):
        assert result.errors == (
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed",
        )
        assert report.verdict == "SIGNATURE INVALIDE", report.as_text()


def test_tampered_ob2_signed_assertions_fail(
    ob2_validator: None, trusted_ca: None, published: Published, tmp_path: Path
) -> None:
    expired = published.file(published.one("expired"), "jws").read_text(encoding="ascii").strip()
    valid = published.file(published.learner(1), "jws").read_text(encoding="ascii").strip()
    intruder = "intrus@example.org"
    claimed = jws_part(valid, 1)
    claimed["recipient"]["identity"] = identity.hash_identity(
        intruder, claimed["recipient"]["salt"]
    )
    cases = [
        # Pushing back the expiry date of an expired badge.
        (with_payload(expired, jws_part(expired, 1) | {"expires": "2099-12-31T23:59:59Z"}), None),
        # Claiming someone else's badge: the recipient hash replaced by one's own.
        (with_payload(valid, claimed), intruder),
    ]

    reports = parallel(
        lambda case: verifiers.validate_ob2(
            case[0], ca_cert=published.pki.ca_cert, recipient_email=case[1], is_jws=True
        ),
        cases,
    )
    ours = [
        our_report(write(tmp_path / f"{index}.jws", token), email)
        for index, (token, email) in enumerate(cases)
    ]

    for ob2_report in reports:
        assert not ob2_report.valid
        assert any("failed verification" in e for e in ob2_report.errors), ob2_report.errors
    for ours_on_one in ours:
        assert ours_on_one.verdict == "SIGNATURE INVALIDE", ours_on_one.as_text()


def test_a_truncated_jws_says_which_check_failed(
    trusted_ca: None, published: Published, tmp_path: Path
) -> None:
    token = published.file(published.learner(1), "jws").read_text(encoding="ascii").strip()
    short_signature = write(tmp_path / "short.jws", token[:-10])
    no_signature = write(tmp_path / "cut.jws", token[: token.rindex(".")])

    short = our_report(short_signature)
    cut = our_report(no_signature)

    assert [(c.name, c.outcome) for c in short.checks if c.outcome == "failed"] == [
        ("signature", "failed")
    ], short.as_text()
    assert "✗ ÉCHEC   signature : " in short.as_text()
    assert [(c.name, c.outcome) for c in cut.checks] == [("lecture", "failed")], cut.as_text()
    assert not short.valid and not cut.valid


# Privacy.


_COMPACT_JWS = re.compile(rb"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


def readable_forms(path: Path) -> Iterator[bytes]:
    """The bytes of a file, decompressed if gzipped, and the decoded parts of every JWS in it."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    yield data
    for token in _COMPACT_JWS.findall(data):
        for part in token.split(b".")[:2]:
            # The pattern also matches dotted names in scripts, which are not base64url.
            with contextlib.suppress(binascii.Error):
                yield base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))


def addresses_found(roots: Sequence[Path], addresses: set[str]) -> tuple[list[str], int]:
    """Where an address appears (any case, raw or URL-encoded), and how many of the blobs read
    were decoded JWS payloads naming a recipient by its hash (to show that the scan saw them)."""
    needles = {a.encode() for a in addresses} | {quote(a).lower().encode() for a in addresses}
    found, decoded_recipients = [], 0
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if not path.is_file():
                continue
            for index, blob in enumerate(readable_forms(path)):
                lowered = blob.lower()
                found += [f"{path}: {n.decode()}" for n in needles if n in lowered]
                decoded_recipients += index > 0 and b'"salt"' in blob
    return found, decoded_recipients


def test_no_recipient_address_is_published(published: Published) -> None:
    addresses = {email.strip().lower() for email in published.typed_emails}

    found, decoded = addresses_found([published.repo, published.site_dir], addresses)
    in_group_file, _ = addresses_found([published.work / "group.csv"], addresses)

    assert len(addresses) == 22
    assert found == []
    # The scan finds addresses where they are (the group file, kept outside the repository),
    # and it read the payloads of the VC-JWT and the JWS of each award, in the records and in
    # the site, where the hashed recipient is base64url-encoded (and in the build cache of the
    # repository, .cache/, which holds more copies and must not leak either).
    assert len(in_group_file) == 20
    assert decoded >= 4 * 22


def test_no_private_key_is_in_the_repository_or_the_site(published: Published) -> None:
    files = [p for root in (published.repo, published.site_dir) for p in root.rglob("*")]
    keys_dir = published.work / "keys"

    with_private_keys = [p for p in files if p.is_file() and b"PRIVATE KEY" in p.read_bytes()]

    assert with_private_keys == []
    # They are where keygen was told to put them, outside the repository.
    assert len([p for p in keys_dir.rglob("*.pem") if b"PRIVATE KEY" in p.read_bytes()]) == 2


# A site below a sub-path.


def test_a_site_below_a_sub_path_verifies(
    node_verifiers: None, published_under_sub_path: Published
) -> None:
    site = published_under_sub_path
    [award] = site.issued
    ca = site.pki.ca_cert

    [vc] = verifiers.verify_vc([site.url(award, "vc.json")], ca_cert=ca)
    [jwt] = verifiers.verify_jwt([site.url(award, "vc.jwt")], ca_cert=ca)
    ours = [
        check_with_cli(site, site.url(award, s), award.email, offline=False)
        for s in ("vc.json", "vc.jwt")
    ]

    assert vc.verified and jwt.verified, verifiers.explain([vc, jwt])
    assert site.did.endswith(":cvl:issuers:atelier-test") and vc.raw["issuer"] == site.did
    assert vc.raw["didDocuments"] == [site.server.url(f"issuers/{ISSUER}/did.json")]
    assert jwt.raw["keyUrl"].startswith(site.server.base_url)
    assert [r["verdict"] for r in ours] == ["VALIDE", "VALIDE"]
