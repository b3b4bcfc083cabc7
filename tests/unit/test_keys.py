"""Tests of build_tools.keys: encodings, private key files and the key directory."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import keys

DATA = Path(__file__).parents[1] / "data" / "signing"
EDDSA_VECTOR = json.loads((DATA / "eddsa-rdfc-2022-vector.json").read_text(encoding="utf-8"))
RFC7515 = json.loads((DATA / "rfc7515-a2.json").read_text(encoding="utf-8"))

# The PEM label, assembled so that secret scanners do not take this test for key material.
PRIVATE_MARK = b"PRIVATE" + b" KEY"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return keys.generate_rsa_key()


@pytest.fixture
def no_umask() -> Iterator[None]:
    # A permissive umask proves that the modes come from the code, not from the environment.
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _raw(key: ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# Base58 and multibase.


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
    ],
)
def test_base58_known_values(data: bytes, text: str) -> None:
    assert keys.base58btc_encode(data) == text
    assert keys.base58btc_decode(text) == data


def test_base58_round_trip_keeps_leading_zeros() -> None:
    for data in (b"\0" * 5, b"\0\xff", os.urandom(64), b"\0\0" + os.urandom(31)):
        assert keys.base58btc_decode(keys.base58btc_encode(data)) == data


@pytest.mark.parametrize("bad", ["0abc", "Oops", "Il", "a b", "é"])
def test_base58_refuses_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(keys.KeyFormatError):
        keys.base58btc_decode(bad)


def test_multibase_needs_the_base58btc_prefix() -> None:
    assert keys.multibase_base58btc_decode("z" + keys.base58btc_encode(b"abc")) == b"abc"
    for bad in ("", "z", "f616263", "uYWJj", 42):
        with pytest.raises(keys.KeyFormatError):
            keys.multibase_base58btc_decode(bad)  # type: ignore[arg-type]


# Ed25519 Multikey.


def test_multikey_of_the_spec_key_pair() -> None:
    secret = keys.multibase_base58btc_decode(EDDSA_VECTOR["secretKeyMultibase"])
    assert secret[:2] == b"\x80\x26" and len(secret) == 34  # multicodec ed25519-priv
    private_key = ed25519.Ed25519PrivateKey.from_private_bytes(secret[2:])
    encoded = keys.ed25519_public_key_to_multibase(private_key.public_key())
    assert encoded == EDDSA_VECTOR["publicKeyMultibase"]
    decoded = keys.ed25519_public_key_from_multibase(EDDSA_VECTOR["publicKeyMultibase"])
    assert _raw(decoded) == _raw(private_key.public_key())


def test_multikey_round_trip_of_a_new_key() -> None:
    public = keys.generate_ed25519_key().public_key()
    encoded = keys.ed25519_public_key_to_multibase(public)
    assert encoded.startswith("z6Mk") and len(encoded) == 48
    assert _raw(keys.ed25519_public_key_from_multibase(encoded)) == _raw(public)


@pytest.mark.parametrize(
    "value",
    [
        # A P-256 Multikey (multicodec 0x1200) from the W3C ECDSA test vectors.
        "zDnaeTHfhmSaQKBc7CmdL3K7oYg3D6SC7yowe2eBeVd2DH32r",
        # The Ed25519 *secret* key: the wrong multicodec must be refused.
        EDDSA_VECTOR["secretKeyMultibase"],
        # 0xed01 followed by 31 and 33 bytes.
        keys.multibase_base58btc_encode(b"\xed\x01" + b"\x01" * 31),
        keys.multibase_base58btc_encode(b"\xed\x01" + b"\x01" * 33),
        # Right bytes, wrong multibase (base16).
        "fed01" + "00" * 32,
    ],
)
def test_multikey_refuses_other_keys_and_lengths(value: str) -> None:
    with pytest.raises(keys.KeyFormatError):
        keys.ed25519_public_key_from_multibase(value)


def test_multikey_refuses_a_non_ed25519_key(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(keys.WrongKeyTypeError):
        keys.ed25519_public_key_to_multibase(rsa_key.public_key())  # type: ignore[arg-type]


# RSA as JWK and PEM.


def test_jwk_of_the_rfc7515_key() -> None:
    jwk = RFC7515["jwk"]
    public = keys.rsa_public_key_from_jwk({"kty": "RSA", "n": jwk["n"], "e": jwk["e"]})
    assert keys.rsa_public_key_to_jwk(public) == {"kty": "RSA", "n": jwk["n"], "e": "AQAB"}


def test_jwk_round_trip(rsa_key: rsa.RSAPrivateKey) -> None:
    jwk = keys.rsa_public_key_to_jwk(rsa_key.public_key())
    assert set(jwk) == {"kty", "n", "e"}
    assert jwk["e"] == "AQAB" and "=" not in jwk["n"]
    assert (
        keys.rsa_public_key_from_jwk(jwk).public_numbers() == rsa_key.public_key().public_numbers()
    )


def test_jwk_refuses_private_members_and_bad_values(rsa_key: rsa.RSAPrivateKey) -> None:
    jwk = keys.rsa_public_key_to_jwk(rsa_key.public_key())
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    bad_jwks: list[object] = [
        RFC7515["jwk"],  # carries d, p, q
        {**jwk, "kty": "EC"},
        {"kty": "RSA", "e": jwk["e"]},
        {**jwk, "n": jwk["n"] + "="},
        {**jwk, "n": "+" + jwk["n"][1:]},
        {**jwk, "e": "AAEAAQ"},  # not minimal
        {**jwk, "e": 65537},
        keys.rsa_public_key_to_jwk(small),
        "not a mapping",
    ]
    for bad in bad_jwks:
        with pytest.raises(keys.KeyFormatError):
            keys.rsa_public_key_from_jwk(bad)  # type: ignore[arg-type]


def test_public_pem_round_trip(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = keys.public_key_to_pem(rsa_key.public_key())
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    loaded = keys.rsa_public_key_from_pem(pem)
    assert loaded.public_numbers() == rsa_key.public_key().public_numbers()
    assert keys.rsa_public_key_from_pem(pem.encode()).key_size == 2048


def test_public_pem_refuses_other_keys() -> None:
    ed_pem = keys.public_key_to_pem(keys.generate_ed25519_key().public_key())
    with pytest.raises(keys.WrongKeyTypeError):
        keys.rsa_public_key_from_pem(ed_pem)
    with pytest.raises(keys.KeyFormatError):
        keys.rsa_public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_generated_rsa_key_is_2048_bits_with_exponent_65537(rsa_key: rsa.RSAPrivateKey) -> None:
    assert rsa_key.key_size == 2048
    assert rsa_key.public_key().public_numbers().e == 65537


# Private key serialisation.


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_private_pem_round_trip(kind: str, rsa_key: rsa.RSAPrivateKey) -> None:
    key: keys.PrivateKey = keys.generate_ed25519_key() if kind == "ed25519" else rsa_key
    plain = keys.private_key_to_pem(key)
    assert plain.startswith(b"-----BEGIN " + PRIVATE_MARK + b"-----")
    encrypted = keys.private_key_to_pem(key, "correct horse")
    assert encrypted.startswith(b"-----BEGIN ENCRYPTED " + PRIVATE_MARK + b"-----")
    for data, passphrase in (
        (plain, None),
        (encrypted, "correct horse"),
        (encrypted, b"correct horse"),
    ):
        loaded = keys.load_private_key_pem(data, passphrase, expected_type=kind)  # type: ignore[arg-type]
        assert keys.public_key_to_pem(loaded.public_key()) == keys.public_key_to_pem(
            key.public_key()
        )


def test_wrong_or_missing_passphrase() -> None:
    encrypted = keys.private_key_to_pem(keys.generate_ed25519_key(), "right")
    with pytest.raises(keys.WrongPassphraseError):
        keys.load_private_key_pem(encrypted, "wrong")
    with pytest.raises(keys.PassphraseRequiredError):
        keys.load_private_key_pem(encrypted)
    with pytest.raises(keys.WrongPassphraseError):
        keys.private_key_to_pem(keys.generate_ed25519_key(), "")


def test_corrupt_key_files() -> None:
    plain = keys.private_key_to_pem(keys.generate_ed25519_key())
    lines = plain.splitlines(keepends=True)
    corrupt = [
        b"",
        b"\xff\xfe not text",
        b"hello",
        plain.replace(PRIVATE_MARK, b"PUBLIC KEY"),
        lines[0] + lines[-1],
        lines[0] + b"!!!!\n" + lines[-1],
        lines[0] + b"AAAA" + lines[1][4:] + lines[-1],
        plain[:-30],
    ]
    for data in corrupt:
        with pytest.raises(keys.CorruptKeyFileError):
            keys.load_private_key_pem(data)


def test_expected_key_type(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(keys.WrongKeyTypeError):
        keys.load_private_key_pem(keys.private_key_to_pem(rsa_key), expected_type="ed25519")
    with pytest.raises(keys.WrongKeyTypeError):
        keys.load_private_key_pem(
            keys.private_key_to_pem(keys.generate_ed25519_key()), expected_type="rsa"
        )


# Key ids.


def test_new_key_id_is_unique() -> None:
    day = date(2026, 11, 23)
    assert keys.new_key_id("ed25519", day) == "ed25519-2026-11-23"
    assert keys.new_key_id("rsa", day, {"ed25519-2026-11-23"}) == "rsa-2026-11-23"
    taken = {"rsa-2026-11-23", "rsa-2026-11-23-2"}
    assert keys.new_key_id("rsa", day, taken) == "rsa-2026-11-23-3"
    with pytest.raises(keys.WrongKeyTypeError):
        keys.new_key_id("dsa", day)  # type: ignore[arg-type]


# The key directory.


def test_default_key_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(keys.KEY_DIR_ENV, str(tmp_path / "k"))
    assert keys.default_key_dir() == tmp_path / "k"
    monkeypatch.delenv(keys.KEY_DIR_ENV)
    assert keys.default_key_dir().parts[-2:] == ("badgeons", "keys")


@pytest.mark.parametrize(
    ("issuer", "key_id"), [("../x", "k"), ("A", "k"), ("ok", ""), ("ok", "a/b")]
)
def test_key_path_refuses_non_slugs(issuer: str, key_id: str, tmp_path: Path) -> None:
    with pytest.raises(keys.KeyStoreError):
        keys.key_path(issuer, key_id, tmp_path)


def test_save_and_load_with_modes(tmp_path: Path, no_umask: None) -> None:
    key_dir = tmp_path / "keys"
    repo = tmp_path / "repo"
    repo.mkdir()
    key = keys.generate_ed25519_key()
    path = keys.save_private_key(
        key, "atelier-blois", "ed25519-2026-11-23", repo_root=repo, key_dir=key_dir, passphrase="pw"
    )
    assert path == key_dir / "atelier-blois" / "ed25519-2026-11-23.pem"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(key_dir) == 0o700
    loaded = keys.load_private_key(
        "atelier-blois",
        "ed25519-2026-11-23",
        passphrase="pw",
        key_dir=key_dir,
        expected_type="ed25519",
    )
    assert keys.public_key_to_pem(loaded.public_key()) == keys.public_key_to_pem(key.public_key())
    assert keys.existing_key_ids("atelier-blois", key_dir) == {"ed25519-2026-11-23"}
    assert keys.existing_key_ids("nobody", key_dir) == frozenset()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_save_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    first, second = keys.generate_ed25519_key(), keys.generate_ed25519_key()
    keys.save_private_key(first, "i", "k", repo_root=None, key_dir=tmp_path)
    with pytest.raises(keys.KeyExistsError):
        keys.save_private_key(second, "i", "k", repo_root=None, key_dir=tmp_path)
    loaded = keys.load_private_key("i", "k", key_dir=tmp_path)
    assert keys.public_key_to_pem(loaded.public_key()) == keys.public_key_to_pem(first.public_key())
    keys.save_private_key(second, "i", "k", repo_root=None, key_dir=tmp_path, overwrite=True)
    loaded = keys.load_private_key("i", "k", key_dir=tmp_path)
    assert keys.public_key_to_pem(loaded.public_key()) == keys.public_key_to_pem(
        second.public_key()
    )


def test_save_refuses_inside_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "link").symlink_to(repo / "sub")
    key = keys.generate_ed25519_key()
    for key_dir in (
        repo,
        repo / "sub",
        repo / "new" / "keys",
        outside / "link",
        outside / "link" / "x",
    ):
        with pytest.raises(keys.KeyInsideRepositoryError):
            keys.save_private_key(key, "i", "k", repo_root=repo, key_dir=key_dir)
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")) == ["sub"]
    # The repository root given through a symbolic link is resolved too.
    (tmp_path / "repo-link").symlink_to(repo)
    with pytest.raises(keys.KeyInsideRepositoryError):
        keys.save_private_key(key, "i", "k", repo_root=tmp_path / "repo-link", key_dir=repo / "k")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666])
def test_load_refuses_a_wrongly_protected_file(tmp_path: Path, mode: int) -> None:
    path = keys.save_private_key(
        keys.generate_ed25519_key(), "i", "k", repo_root=None, key_dir=tmp_path
    )
    path.chmod(mode)
    with pytest.raises(keys.WronglyProtectedKeyFileError, match="fichier de clé mal protégé"):
        keys.load_private_key("i", "k", key_dir=tmp_path)
    path.chmod(0o400)
    keys.load_private_key("i", "k", key_dir=tmp_path)


def test_load_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(keys.KeyNotFoundError):
        keys.load_private_key("i", "missing", key_dir=tmp_path)
    folder = tmp_path / "i"
    folder.mkdir()
    (folder / "bad.pem").write_bytes(b"not a key")
    (folder / "bad.pem").chmod(0o600)
    with pytest.raises(keys.CorruptKeyFileError):
        keys.load_private_key("i", "bad", key_dir=tmp_path)
    (folder / "dir.pem").mkdir(mode=0o700)
    with pytest.raises(keys.KeyStoreError):
        keys.load_private_key("i", "dir", key_dir=tmp_path)
