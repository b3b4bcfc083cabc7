"""Tests of build_tools.keygen: keys made, recorded in the profile as text, rotated, compromised."""

from __future__ import annotations

import dataclasses
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import awards, issuing, keygen, keys, verification
from build_tools.diagnostics import format_text
from build_tools.keygen import KeygenError
from build_tools.pipeline import load_site
from tests.conftest import AWARDED_AT, AwardedRepo

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
ENTRIES = "  - id: new\n    type: Ed25519\n"


def _profile(root: Path, issuer: str = "atelier-test") -> Path:
    return root / "issuers" / f"{issuer}.yaml"


def _keys_of(text: str) -> list[str]:
    return [k["id"] for k in yaml.safe_load(text)["keys"]]


def test_generate_adds_only_public_keys_and_keeps_the_profile_text(
    minimal_repo: Path, tmp_path: Path
) -> None:
    profile = _profile(minimal_repo)
    original = "# Profil tenu par l'atelier.\n" + profile.read_text(encoding="utf-8").replace(
        "networks: [reseau-test]", "networks: [reseau-test]  # depuis 2025"
    )
    profile.write_text(original, encoding="utf-8")
    key_dir = tmp_path / "keys"
    made = keygen.generate(minimal_repo, "atelier-test", passphrase=None, key_dir=key_dir, now=NOW)
    assert (made.ed25519_id, made.rsa_id) == ("ed25519-2026-01-10", "rsa-2026-01-10")
    text = profile.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "PRIVATE" not in text
    data = yaml.safe_load(text)
    ed, rs = data["keys"]
    assert ed["id"] == made.ed25519_id and ed["type"] == "Ed25519"
    assert ed["created"] == "2026-01-10T09:00:00Z"
    assert set(rs["public_key_jwk"]) == {"kty", "n", "e"}
    # The private halves are in the key directory, readable by their owner only.
    assert made.private_files == (
        key_dir / "atelier-test" / f"{made.ed25519_id}.pem",
        key_dir / "atelier-test" / f"{made.rsa_id}.pem",
    )
    for path in made.private_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private = keys.load_private_key("atelier-test", made.ed25519_id, key_dir=key_dir)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    assert keys.ed25519_public_key_to_multibase(private.public_key()) == ed["public_key_multibase"]
    site, report = load_site(minimal_repo)
    assert site is not None, format_text(report.sorted())
    assert [k.id for k in site.issuers["atelier-test"].keys] == [made.ed25519_id, made.rsa_id]


def test_generate_refuses_a_network_and_an_unknown_issuer(
    minimal_repo: Path, tmp_path: Path
) -> None:
    before = _profile(minimal_repo, "reseau-test").read_text(encoding="utf-8")
    for issuer, message in (
        (
            "reseau-test",
            "« reseau-test » est un réseau : les clés appartiennent aux organismes qui délivrent",
        ),
        ("inconnu", "émetteur inconnu « inconnu » : issuers/inconnu.yaml n'existe pas"),
    ):
        with pytest.raises(KeygenError) as caught:
            keygen.generate(minimal_repo, issuer, passphrase=None, key_dir=tmp_path, now=NOW)
        assert str(caught.value) == message
    assert _profile(minimal_repo, "reseau-test").read_text(encoding="utf-8") == before
    assert list(tmp_path.iterdir()) == [minimal_repo]


def test_generate_refuses_an_invalid_profile(minimal_repo: Path, tmp_path: Path) -> None:
    _profile(minimal_repo).write_text("name: [\n", encoding="utf-8")
    with pytest.raises(KeygenError) as caught:
        keygen.generate(
            minimal_repo, "atelier-test", passphrase=None, key_dir=tmp_path / "k", now=NOW
        )
    assert str(caught.value) == (
        "issuers/atelier-test.yaml est invalide : corrigez-le d'abord (badgeons validate)"
    )


def test_generate_refuses_a_key_directory_inside_the_repository(minimal_repo: Path) -> None:
    before = _profile(minimal_repo).read_text(encoding="utf-8")
    with pytest.raises(keys.KeyInsideRepositoryError):
        keygen.generate(
            minimal_repo,
            "atelier-test",
            passphrase=None,
            key_dir=minimal_repo / "cles",
            now=NOW,
        )
    assert not (minimal_repo / "cles").exists()
    assert _profile(minimal_repo).read_text(encoding="utf-8") == before


def test_generate_with_a_passphrase(minimal_repo: Path, tmp_path: Path) -> None:
    made = keygen.generate(
        minimal_repo, "atelier-test", passphrase="phrase secrète", key_dir=tmp_path, now=NOW
    )
    with pytest.raises(keys.PassphraseRequiredError):
        keys.load_private_key("atelier-test", made.rsa_id, key_dir=tmp_path)
    loaded = keys.load_private_key(
        "atelier-test", made.rsa_id, key_dir=tmp_path, passphrase="phrase secrète"
    )
    assert isinstance(loaded, rsa.RSAPrivateKey)


def test_rotation_adds_keys_and_older_awards_still_verify(awarded_repo: AwardedRepo) -> None:
    first = awarded_repo.keys
    # The same day: the new ids take a suffix rather than replacing the old keys.
    again = keygen.generate(
        awarded_repo.root, "atelier-test", passphrase=None, key_dir=awarded_repo.key_dir, now=NOW
    )
    assert (again.ed25519_id, again.rsa_id) == (
        f"{first.ed25519_id}-2",
        f"{first.rsa_id}-2",
    )
    later = keygen.generate(
        awarded_repo.root,
        "atelier-test",
        passphrase=None,
        key_dir=awarded_repo.key_dir,
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )
    site = awarded_repo.site()  # Every older award still verifies.
    profile = site.issuers["atelier-test"]
    assert [k.id for k in profile.keys] == [
        first.ed25519_id,
        first.rsa_id,
        again.ed25519_id,
        again.rsa_id,
        later.ed25519_id,
        later.rsa_id,
    ]
    signer = issuing.load_signer(
        profile, None, awarded_repo.key_dir, datetime(2026, 6, 2, tzinfo=UTC)
    )
    assert (signer.ed25519_id, signer.rsa_id) == (later.ed25519_id, later.rsa_id)


def _sign(repo: AwardedRepo, issued_on: datetime, ed_id: str, rsa_id: str) -> str:
    """Sign an award with the given keys, bypassing the choice of the current key."""
    site, _ = load_site(repo.root, check_signatures=False)
    assert site is not None
    profile, badge = issuing.check_allowed(site, "atelier-test", "telephone")
    ed = keys.load_private_key("atelier-test", ed_id, key_dir=repo.key_dir)
    rs = keys.load_private_key("atelier-test", rsa_id, key_dir=repo.key_dir)
    assert isinstance(ed, ed25519.Ed25519PrivateKey)
    assert isinstance(rs, rsa.RSAPrivateKey)
    signer = issuing.Signer("atelier-test", ed_id, ed, rsa_id, rs)
    request = issuing.AwardRequest(email="dan@example.org", issued_on=issued_on)
    signed = issuing.sign_award(site, profile, badge, request, signer)
    issuing.write_awards(repo.root, "atelier-test", [signed], issued_on.date())
    return signed.assertion_id


def test_a_signature_made_after_a_compromise_is_refused(awarded_repo: AwardedRepo) -> None:
    first = awarded_repo.keys
    before = _sign(
        awarded_repo, datetime(2026, 1, 31, 23, 59, tzinfo=UTC), first.ed25519_id, first.rsa_id
    )
    after = _sign(
        awarded_repo, datetime(2026, 2, 1, 0, 0, tzinfo=UTC), first.ed25519_id, first.rsa_id
    )
    awarded_repo.site()  # Before the key is marked, both verify.
    profile = _profile(awarded_repo.root)
    text = profile.read_text(encoding="utf-8")
    keygen.mark_compromised(
        awarded_repo.root, "atelier-test", first.ed25519_id, datetime(2026, 2, 1, tzinfo=UTC)
    )
    keygen.mark_compromised(
        awarded_repo.root, "atelier-test", first.rsa_id, datetime(2026, 2, 1, tzinfo=UTC)
    )
    marked = profile.read_text(encoding="utf-8")
    assert marked.replace('    compromised: "2026-02-01T00:00:00Z"\n', "") == text
    site, report = load_site(awarded_repo.root, check_signatures=False)
    assert site is not None, format_text(report.sorted())
    assert verification.verify_award(site, site.awards[before]) == []
    shown = f"issuers/atelier-test/assertions/{after}.json:1:1: error:"
    assert format_text(verification.verify_award(site, site.awards[after])).splitlines() == [
        f"{shown} ob3.proof: signature Data Integrity refusée : "
        f"clé « {first.ed25519_id} » compromise depuis le 2026-02-01",
        f"{shown} ob3_jwt: VC-JWT refusé : clé « {first.rsa_id} » compromise depuis le 2026-02-01",
        f"{shown} ob2_jws: assertion Open Badges 2.0 signée refusée : "
        f"clé « {first.rsa_id} » compromise depuis le 2026-02-01",
    ]
    # The awards of the fixture, signed before, still hold; no key is left to sign with.
    for learner in ("awa", "bob", "chloe"):
        assert verification.verify_award(site, site.awards[awarded_repo.ids[learner]]) == []
    with pytest.raises(issuing.IssuingError, match="aucune clé Ed25519 utilisable"):
        issuing.load_signer(
            site.issuers["atelier-test"], None, awarded_repo.key_dir, AWARDED_AT.replace(month=3)
        )


def test_mark_compromised_refusals(awarded_repo: AwardedRepo) -> None:
    since = datetime(2026, 2, 1, tzinfo=UTC)
    key = awarded_repo.keys.ed25519_id
    keygen.mark_compromised(awarded_repo.root, "atelier-test", key, since)
    for issuer, key_id, message in (
        ("atelier-test", key, f"la clé « {key} » est déjà marquée compromise"),
        (
            "atelier-test",
            "rsa-1999-01-01",
            "aucune clé « rsa-1999-01-01 » dans issuers/atelier-test.yaml",
        ),
        ("inconnu", key, "issuers/inconnu.yaml est introuvable ou invalide"),
    ):
        with pytest.raises(KeygenError) as caught:
            keygen.mark_compromised(awarded_repo.root, issuer, key_id, since)
        assert str(caught.value) == message


# Editing the profile as text.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nkeys: []\nb: 2\n", "a: 1\nkeys:\n" + ENTRIES + "b: 2\n"),
        ("a: 1\n", "a: 1\n\nkeys:\n" + ENTRIES),
        ("a: 1", "a: 1\n\nkeys:\n" + ENTRIES),
        (
            "a: 1\nkeys:\n  - id: old\n    type: RSA\n\n# La suite.\nb: 2\n",
            "a: 1\nkeys:\n  - id: old\n    type: RSA\n" + ENTRIES + "\n# La suite.\nb: 2\n",
        ),
        (
            "keys:  # nos clés\n  - id: old\n    type: RSA\n",
            "keys:  # nos clés\n  - id: old\n    type: RSA\n" + ENTRIES,
        ),
        ("keys: []  # aucune\n", "keys:  # aucune\n" + ENTRIES),
        (
            "keys:\n  - id: old\n    type: RSA",
            "keys:\n  - id: old\n    type: RSA\n" + ENTRIES,
        ),
        (
            "keys:\n- id: old\n  type: RSA\nb: 2\n",
            "keys:\n- id: old\n  type: RSA\n- id: new\n  type: Ed25519\nb: 2\n",
        ),
    ],
    ids=[
        "empty-list",
        "no-list",
        "no-final-newline",
        "before-comment",
        "comment-on-keys-line",
        "comment-after-empty-list",
        "list-without-final-newline",
        "list-not-indented",
    ],
)
def test_insert_key_entries(text: str, expected: str) -> None:
    result = keygen.insert_key_entries(text, ENTRIES)
    assert result == expected
    assert _keys_of(result)[-1] == "new"


def test_generate_refuses_a_profile_it_cannot_edit_safely(
    minimal_repo: Path, tmp_path: Path
) -> None:
    # A flow-style list is not edited: the command says so and leaves no private key behind.
    profile = _profile(minimal_repo)
    flow = (
        "keys: [{id: ed25519-2025-01-01, type: Ed25519, created: '2025-01-01T00:00:00Z', "
        "public_key_multibase: z6MkpmD64RPDGomKHEQri7VDpY61BEBLV8LSN8hXtqHMVsyg}]\n"
    )
    profile.write_text(profile.read_text(encoding="utf-8") + flow, encoding="utf-8")
    assert load_site(minimal_repo)[0] is not None
    before = profile.read_text(encoding="utf-8")
    with pytest.raises(KeygenError) as caught:
        keygen.generate(
            minimal_repo, "atelier-test", passphrase=None, key_dir=tmp_path / "k", now=NOW
        )
    assert str(caught.value) == (
        "impossible d'ajouter les clés à issuers/atelier-test.yaml sans le réécrire : "
        "écrivez la liste « keys: » une clé par ligne (- id: ...), puis relancez"
    )
    assert profile.read_text(encoding="utf-8") == before
    assert list((tmp_path / "k" / "atelier-test").iterdir()) == []


def test_mark_compromised_keeps_the_record_loadable(awarded_repo: AwardedRepo) -> None:
    record = awarded_repo.record("awa")
    award, problems = awards.parse_award(awarded_repo.site(), "atelier-test", record, record.name)
    assert problems == [] and award is not None
    keygen.mark_compromised(
        awarded_repo.root,
        "atelier-test",
        awarded_repo.keys.rsa_id,
        datetime(2026, 2, 1, tzinfo=UTC),
    )
    site = awarded_repo.site()
    (rsa_key,) = [k for k in site.issuers["atelier-test"].keys if k.type == "RSA"]
    assert rsa_key.compromised == "2026-02-01T00:00:00Z"
    assert dataclasses.replace(award, source=site.awards[award.id].source) == site.awards[award.id]


def test_mark_compromised_refuses_a_profile_it_cannot_edit_safely(minimal_repo: Path) -> None:
    profile = _profile(minimal_repo)
    flow = (
        "keys: [{id: ed25519-2025-01-01, type: Ed25519, created: '2025-01-01T00:00:00Z', "
        "public_key_multibase: z6MkpmD64RPDGomKHEQri7VDpY61BEBLV8LSN8hXtqHMVsyg}]\n"
    )
    profile.write_text(profile.read_text(encoding="utf-8") + flow, encoding="utf-8")
    before = profile.read_text(encoding="utf-8")
    with pytest.raises(KeygenError) as caught:
        keygen.mark_compromised(minimal_repo, "atelier-test", "ed25519-2025-01-01", NOW)
    assert str(caught.value).startswith(
        "impossible de marquer la clé compromise dans issuers/atelier-test.yaml sans le réécrire"
    )
    assert profile.read_text(encoding="utf-8") == before
