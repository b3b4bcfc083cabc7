"""Signing keys: generation, public encodings and a private key directory outside the repository.

Ed25519 keys sign Data Integrity proofs (`eddsa-rdfc-2022`); their public half is published as a
Multikey (`z6Mk...`). RSA-2048 keys sign JWS and VC-JWT (RS256); their public half is published
as a JWK and as a PEM `SubjectPublicKeyInfo` (Open Badges 2.0 `CryptographicKey`).

Private keys live in a key directory (`BADGEONS_KEY_DIR`, by default
`platformdirs.user_config_dir("badgeons")/keys`) as `<issuer>/<key-id>.pem`, PKCS#8 PEM, encrypted
when a passphrase is given. Writing refuses any place inside the repository, and loading refuses a
file that group or others can read, as ssh does.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
import tempfile
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Literal

import platformdirs
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools.diagnostics import os_reason

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey
KeyType = Literal["ed25519", "rsa"]

KEY_DIR_ENV = "BADGEONS_KEY_DIR"
RSA_KEY_SIZE = 2048
RSA_PUBLIC_EXPONENT = 65537
# The multicodec prefix of an Ed25519 public key (`ed25519-pub`, 0xed as an unsigned varint).
ED25519_MULTICODEC_PREFIX = b"\xed\x01"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SLUG_MAX = 64
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(_BASE58_ALPHABET)}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_PEM_PLAIN = "PRIVATE KEY"
_PEM_ENCRYPTED = "ENCRYPTED PRIVATE KEY"
_PEM_BLOCK = re.compile(
    r"^-----BEGIN (?P<label>[A-Z ]+)-----\r?\n"
    r"(?P<body>[A-Za-z0-9+/=\r\n]+)"
    r"-----END (?P=label)-----\s*$"
)


class KeyStoreError(Exception):
    """Base class of every error raised by this module."""


class KeyFormatError(KeyStoreError, ValueError):
    """A public key encoding (multibase, JWK, PEM) is malformed or of the wrong kind."""


class KeyInsideRepositoryError(KeyStoreError):
    """Refused to write a private key inside the repository tree."""


class WronglyProtectedKeyFileError(KeyStoreError):
    """The private key file can be read or written by group or others."""


class WrongPassphraseError(KeyStoreError):
    """The passphrase does not decrypt the private key."""


class PassphraseRequiredError(WrongPassphraseError):
    """The private key is encrypted and no passphrase was given."""


class CorruptKeyFileError(KeyStoreError):
    """The file is not a PKCS#8 PEM private key."""


class WrongKeyTypeError(KeyStoreError):
    """The key is not of the expected type (Ed25519 or RSA)."""


class KeyExistsError(KeyStoreError):
    """A key file with this id already exists."""


class KeyNotFoundError(KeyStoreError, FileNotFoundError):
    """No key file at this place."""


# Generation.


def generate_ed25519_key() -> ed25519.Ed25519PrivateKey:
    """Return a new Ed25519 private key."""
    return ed25519.Ed25519PrivateKey.generate()


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """Return a new RSA private key of 2048 bits with the public exponent 65537."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_SIZE)


def key_type_of(key: PrivateKey | PublicKey) -> KeyType:
    """Return "ed25519" or "rsa" for a key of either half."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "rsa"
    raise WrongKeyTypeError(f"objet de clé non pris en charge : {type(key).__name__}")


def new_key_id(key_type: KeyType, day: date, taken: Collection[str] = ()) -> str:
    """Return a key id such as `ed25519-2026-11-23`, with `-2`, `-3`... if that id is taken."""
    if key_type not in ("ed25519", "rsa"):
        raise WrongKeyTypeError(f"type de clé inconnu : {key_type!r}")
    base = f"{key_type}-{day.isoformat()}"
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


# Base58 (Bitcoin alphabet) and multibase.


def base58btc_encode(data: bytes) -> str:
    """Encode bytes in base58 with the Bitcoin alphabet (no multibase prefix)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Decode base58 text in the Bitcoin alphabet (no multibase prefix)."""
    number = 0
    for char in text:
        index = _BASE58_INDEX.get(char)
        if index is None:
            raise KeyFormatError(f"caractère base58 invalide : {char!r}")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_base58btc_encode(data: bytes) -> str:
    """Encode bytes as a multibase base58btc string (prefix `z`)."""
    return "z" + base58btc_encode(data)


def multibase_base58btc_decode(text: str) -> bytes:
    """Decode a multibase base58btc string; any other multibase prefix is refused."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise KeyFormatError("valeur multibase base58btc attendue (commençant par « z »)")
    return base58btc_decode(text[1:])


# Ed25519 public keys as Multikey.


def ed25519_public_key_to_multibase(key: ed25519.Ed25519PublicKey) -> str:
    """Encode an Ed25519 public key as a Multikey `publicKeyMultibase` (`z6Mk...`)."""
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise WrongKeyTypeError("clé publique Ed25519 attendue")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_base58btc_encode(ED25519_MULTICODEC_PREFIX + raw)


def ed25519_public_key_from_multibase(value: str) -> ed25519.Ed25519PublicKey:
    """Decode a Multikey `publicKeyMultibase`: 'z' + base58btc(0xed01 + 32 bytes)."""
    data = multibase_base58btc_decode(value)
    if len(data) != 34 or not data.startswith(ED25519_MULTICODEC_PREFIX):
        raise KeyFormatError(
            "an Ed25519 Multikey is the multicodec prefix 0xed01 followed by 32 bytes"
        )
    return ed25519.Ed25519PublicKey.from_public_bytes(data[2:])


# RSA public keys as JWK and PEM.


def _b64url_uint(value: int) -> str:
    length = max(1, (value.bit_length() + 7) // 8)
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode("ascii")


def _b64url_uint_decode(text: object, member: str) -> int:
    if not isinstance(text, str) or not _BASE64URL.match(text) or len(text) % 4 == 1:
        raise KeyFormatError(f"membre {member!r} du JWK : base64url sans remplissage attendu")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64url_uint(int.from_bytes(raw, "big")) != text:
        raise KeyFormatError(f"membre {member!r} du JWK : entier base64url minimal attendu")
    return int.from_bytes(raw, "big")


def rsa_public_key_to_jwk(key: rsa.RSAPublicKey) -> dict[str, str]:
    """Return the public JWK of an RSA key: exactly `kty`, `n` and `e` (RFC 7518 section 6.3)."""
    if not isinstance(key, rsa.RSAPublicKey):
        raise WrongKeyTypeError("clé publique RSA attendue")
    numbers = key.public_numbers()
    return {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}


def rsa_public_key_from_jwk(jwk: Mapping[str, object]) -> rsa.RSAPublicKey:
    """Read an RSA public JWK; a JWK holding private members (`d`, `p`...) is refused."""
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("un JWK est un objet JSON")
    if jwk.get("kty") != "RSA":
        raise KeyFormatError("JWK de type « RSA » attendu (kty)")
    private_members = {"d", "p", "q", "dp", "dq", "qi", "oth"} & set(jwk)
    if private_members:
        raise KeyFormatError(
            f"le JWK contient des membres de clé privée : {sorted(private_members)}"
        )
    n = _b64url_uint_decode(jwk.get("n"), "n")
    e = _b64url_uint_decode(jwk.get("e"), "e")
    if n.bit_length() < RSA_KEY_SIZE:
        raise KeyFormatError(f"module RSA de {n.bit_length()} bits : 2048 au moins")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as error:
        raise KeyFormatError(f"clé publique RSA invalide : {error}") from error


def public_key_to_pem(key: PublicKey) -> str:
    """Return a public key as PEM `SubjectPublicKeyInfo` (`-----BEGIN PUBLIC KEY-----`)."""
    key_type_of(key)
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def rsa_public_key_from_pem(pem: str | bytes) -> rsa.RSAPublicKey:
    """Read an RSA public key from PEM `SubjectPublicKeyInfo`."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as error:
        raise KeyFormatError(f"ce n'est pas une clé publique PEM : {error}") from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise WrongKeyTypeError(f"clé publique RSA attendue, et non {type(key).__name__}")
    if key.key_size < RSA_KEY_SIZE:
        raise KeyFormatError(f"clé RSA de {key.key_size} bits : 2048 au moins")
    return key


# Private key serialisation.


def _passphrase_bytes(passphrase: str | bytes | None) -> bytes | None:
    if passphrase is None:
        return None
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if not data:
        raise WrongPassphraseError("une phrase de passe vide n'en est pas une (None pour aucune)")
    return data


def private_key_to_pem(key: PrivateKey, passphrase: str | bytes | None = None) -> bytes:
    """Serialise a private key as PKCS#8 PEM, encrypted with the passphrase when one is given."""
    key_type_of(key)
    secret = _passphrase_bytes(passphrase)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(secret)
        if secret is not None
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_private_key_pem(
    data: bytes,
    passphrase: str | bytes | None = None,
    expected_type: KeyType | None = None,
) -> PrivateKey:
    """Read a PKCS#8 PEM private key, telling a wrong passphrase from a corrupt file."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise CorruptKeyFileError("un fichier de clé PEM est du texte ASCII") from error
    match = _PEM_BLOCK.match(text.strip() + "\n")
    if match is None or match.group("label") not in (_PEM_PLAIN, _PEM_ENCRYPTED):
        raise CorruptKeyFileError("un seul bloc PEM PKCS#8 attendu (BEGIN [ENCRYPTED] PRIVATE KEY)")
    try:
        base64.b64decode("".join(match.group("body").split()), validate=True)
    except binascii.Error as error:
        raise CorruptKeyFileError("le contenu du PEM n'est pas du base64 valide") from error
    encrypted = match.group("label") == _PEM_ENCRYPTED
    secret = _passphrase_bytes(passphrase)
    if encrypted and secret is None:
        raise PassphraseRequiredError(
            "la clé privée est chiffrée : une phrase de passe est nécessaire"
        )
    try:
        key = serialization.load_pem_private_key(data, password=secret if encrypted else None)
    except ValueError as error:
        if encrypted:
            raise WrongPassphraseError(
                "wrong passphrase (or the encrypted key is damaged)"
            ) from error
        raise CorruptKeyFileError(f"clé privée illisible : {error}") from error
    except UnsupportedAlgorithm as error:
        raise WrongKeyTypeError(f"algorithme de clé non pris en charge : {error}") from error
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise WrongKeyTypeError(f"clé Ed25519 ou RSA attendue, et non {type(key).__name__}")
    if expected_type is not None and key_type_of(key) != expected_type:
        raise WrongKeyTypeError(f"clé {expected_type} attendue, et non {key_type_of(key)}")
    return key


# The key directory.


def default_key_dir() -> Path:
    """Return `$BADGEONS_KEY_DIR`, or `platformdirs.user_config_dir("badgeons")/keys`."""
    configured = os.environ.get(KEY_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir("badgeons")) / "keys"


def _check_slug(value: str, what: str) -> None:
    if not isinstance(value, str) or len(value) > _SLUG_MAX or not _SLUG.match(value):
        raise KeyStoreError(
            f"{what} invalide {value!r} : lettres minuscules, chiffres et tirets seulement"
        )


def key_path(issuer: str, key_id: str, key_dir: Path | None = None) -> Path:
    """Return `<key_dir>/<issuer>/<key_id>.pem` after checking both names are slugs."""
    _check_slug(issuer, "identifiant d'émetteur")
    _check_slug(key_id, "identifiant de clé")
    return (key_dir if key_dir is not None else default_key_dir()) / issuer / f"{key_id}.pem"


def existing_key_ids(issuer: str, key_dir: Path | None = None) -> frozenset[str]:
    """Return the ids of the private keys stored for an issuer (empty if none)."""
    folder = key_path(issuer, "x", key_dir).parent
    if not folder.is_dir():
        return frozenset()
    return frozenset(path.stem for path in folder.glob("*.pem") if _SLUG.match(path.stem))


def _refuse_inside(path: Path, repo_root: Path | None) -> None:
    if repo_root is None:
        return
    root = repo_root.resolve()
    target = path.resolve()
    if target == root or target.is_relative_to(root):
        raise KeyInsideRepositoryError(
            f"refus d'écrire une clé privée dans le dépôt {root} : {target}"
        )


def _make_private_dir(folder: Path, repo_root: Path | None) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _refuse_inside(folder, repo_root)
    folder.chmod(0o700)


def save_private_key(
    key: PrivateKey,
    issuer: str,
    key_id: str,
    *,
    repo_root: Path | None,
    passphrase: str | bytes | None = None,
    key_dir: Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a private key to `<key_dir>/<issuer>/<key_id>.pem` with mode 0600 (folders 0700).

    `repo_root` is required on purpose: pass the repository root so that no key ever lands
    inside it (symbolic links are resolved first), or None only where no repository exists.
    """
    path = key_path(issuer, key_id, key_dir)
    _refuse_inside(path, repo_root)
    pem = private_key_to_pem(key, passphrase)
    _make_private_dir(path.parent.parent, repo_root)
    _make_private_dir(path.parent, repo_root)
    _refuse_inside(path, repo_root)
    if path.exists() and not overwrite:
        raise KeyExistsError(f"un fichier de clé existe déjà : {path}")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{key_id}.", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            # A hard link fails if the name appeared meanwhile, so an existing key is never lost.
            os.link(temporary, path)
            os.unlink(temporary)
    except FileExistsError as error:
        os.unlink(temporary)
        raise KeyExistsError(f"un fichier de clé existe déjà : {path}") from error
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def load_private_key_file(
    path: Path,
    passphrase: str | bytes | None = None,
    expected_type: KeyType | None = None,
) -> PrivateKey:
    """Read a private key file, refusing one that group or others can access (like ssh)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError as error:
        missing = KeyNotFoundError(f"fichier de clé introuvable : {path}")
        missing.filename = os.fspath(path)
        raise missing from error
    except OSError as error:
        raise CorruptKeyFileError(
            f"impossible d'ouvrir le fichier de clé {path} : {os_reason(error)}"
        ) from error
    try:
        # The checks use the opened file itself, so the file cannot be swapped in between.
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise CorruptKeyFileError(f"ce n'est pas un fichier ordinaire : {path}")
        if status.st_mode & 0o077:
            raise WronglyProtectedKeyFileError(
                f"fichier de clé mal protégé {path} : ses droits "
                f"{stat.S_IMODE(status.st_mode):04o} le laissent lisible par d'autres ; "
                f"lancez « chmod 600 {path} »"
            )
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read()
    finally:
        os.close(descriptor)
    return load_private_key_pem(data, passphrase, expected_type)


def load_private_key(
    issuer: str,
    key_id: str,
    *,
    passphrase: str | bytes | None = None,
    key_dir: Path | None = None,
    expected_type: KeyType | None = None,
) -> PrivateKey:
    """Read the private key `<key_dir>/<issuer>/<key_id>.pem`."""
    return load_private_key_file(key_path(issuer, key_id, key_dir), passphrase, expected_type)
