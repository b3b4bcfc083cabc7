"""Key-change statements: how an issuer's keys and profile change under its own signature.

A repository that many members write to must not let one of them swap another issuer's keys or
edit its profile. Once an issuer has keys, any change to ``issuers/<slug>.yaml`` comes with a
statement ``issuers/<slug>/key-changes/<YYYY-MM-DD>-<n>.jws``: a compact JWS (RS256) signed by
one of the issuer's RSA keys, whose payload lists the keys added and marked compromised, the
resulting key set (by fingerprint) and the SHA-256 of the new profile file. ``badgeons keygen``
and ``badgeons compromise`` write it themselves; ``badgeons profile sign`` writes it for any
other change of the profile (name, email, logo, networks, requests); ``badgeons validate
--base`` checks it (see :mod:`build_tools.governance`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from build_tools import signing
from build_tools.writer import write_text_atomically

FORMAT = "badgeons/key-change/1"
TYP = "badgeons-key-change+jws"
FOLDER = "key-changes"
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d+)\.jws$")


class StatementError(Exception):
    """A statement cannot be read; the message is for reviewers, in French."""


def profile_digest(data: bytes) -> str:
    """The SHA-256 of a profile file, in lowercase hexadecimal."""
    return hashlib.sha256(data).hexdigest()


def key_fingerprint(entry: Mapping[str, Any]) -> str:
    """The SHA-256 of a key's type and public material (its id, dates and notes aside)."""
    material = {
        "type": entry.get("type"),
        "public_key_multibase": entry.get("public_key_multibase"),
        "public_key_jwk": dict(entry.get("public_key_jwk") or {}),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()


def key_set(entries: Sequence[Any]) -> list[dict[str, Any]]:
    """The key set a statement records: id, type, fingerprint and compromise date of each key."""
    result: list[dict[str, Any]] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            item = {
                "id": str(entry.get("id")),
                "type": str(entry.get("type")),
                "sha256": key_fingerprint(entry),
            }
            if entry.get("compromised"):
                item["compromised"] = str(entry["compromised"])
            result.append(item)
    return result


def payload(
    issuer: str, before: Sequence[Any], after: Sequence[Any], profile: bytes, now: datetime
) -> dict[str, Any]:
    """The payload of a statement from the key lists before and after, and the new profile."""
    old = {str(k.get("id")): k for k in before if isinstance(k, Mapping)}
    added = [str(k.get("id")) for k in after if isinstance(k, Mapping) and k.get("id") not in old]
    compromised = [
        str(k.get("id"))
        for k in after
        if isinstance(k, Mapping)
        and k.get("compromised")
        and str(k.get("id")) in old
        and not old[str(k.get("id"))].get("compromised")
    ]
    return {
        "format": FORMAT,
        "issuer": issuer,
        "date": now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "added": added,
        "compromised": compromised,
        "keys": key_set(after),
        "profile_sha256": profile_digest(profile),
    }


def sign(content: Mapping[str, Any], key_id: str, key: rsa.RSAPrivateKey) -> str:
    """The compact JWS of a statement, signed by the issuer's RSA key ``key_id``."""
    return signing.sign_jws(dict(content), key, kid=key_id, typ=TYP)


def read(token: str) -> tuple[str, dict[str, Any]]:
    """The signing key id and payload of a statement, before its signature is checked."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise StatementError("ce n'est pas un JWS compact (trois parties séparées par des points)")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        content = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StatementError(f"déclaration illisible ({exc})") from None
    if not isinstance(header, dict) or not isinstance(content, dict):
        raise StatementError("déclaration illisible (en-tête ou contenu non JSON)")
    if content.get("format") != FORMAT:
        raise StatementError(f"« format » doit valoir « {FORMAT} »")
    return str(header.get("kid", "")), content


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def verify(token: str, key: rsa.RSAPublicKey) -> None:
    """Check a statement's RS256 signature; raises :class:`signing.VerificationError`."""
    signing.verify_jws(token, lambda _header: key)


def statement_path(root: Path, issuer: str, now: datetime) -> Path:
    """The next free statement file of the day for an issuer."""
    folder = root / "issuers" / issuer / FOLDER
    day = now.astimezone(UTC).date().isoformat()
    taken = [int(m.group(2)) for p in folder.glob(f"{day}-*.jws") if (m := _NAME.match(p.name))]
    return folder / f"{day}-{max(taken, default=0) + 1}.jws"


def statement_order(path: str) -> tuple[str, int, str]:
    """The order statements are made in: by day, then by number (``-10`` after ``-9``)."""
    name = path.rsplit("/", 1)[-1]
    match = _NAME.match(name)
    return (match.group(1), int(match.group(2)), name) if match else ("", 0, name)


def latest(root: Path, issuer: str) -> Path | None:
    """The issuer's most recent statement on disk, or None when it has made none."""
    folder = root / "issuers" / issuer / FOLDER
    found = sorted(folder.glob("*.jws"), key=lambda p: statement_order(p.name))
    return found[-1] if found else None


def signs_profile(root: Path, issuer: str) -> Path | None:
    """The most recent statement when it signs the profile exactly as it stands, else None."""
    path = latest(root, issuer)
    if path is None:
        return None
    try:
        _, content = read(path.read_text(encoding="utf-8"))
    except (StatementError, OSError, UnicodeDecodeError):
        return None
    profile = (root / "issuers" / f"{issuer}.yaml").read_bytes()
    return path if content.get("profile_sha256") == profile_digest(profile) else None


def record(
    root: Path,
    issuer: str,
    before: Sequence[Any],
    after: Sequence[Any],
    key_id: str,
    key: rsa.RSAPrivateKey,
    now: datetime,
) -> Path:
    """Sign and write the statement of a profile change that is already written."""
    profile = (root / "issuers" / f"{issuer}.yaml").read_bytes()
    token = sign(payload(issuer, before, after, profile, now), key_id, key)
    path = statement_path(root, issuer, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, token + "\n")
    return path


def profile_keys(root: Path, issuer: str) -> list[Any]:
    """The ``keys:`` list of an issuer's profile as it stands on disk (empty when absent)."""
    from build_tools.yamlsource import load_yaml

    source, problems = load_yaml(root / "issuers" / f"{issuer}.yaml", f"issuers/{issuer}.yaml")
    data = source.data if source is not None and not problems else None
    entries = data.get("keys") if isinstance(data, dict) else None
    return list(entries) if isinstance(entries, list) else []


def load_rsa_signer(
    root: Path,
    issuer: str,
    key_dir: Path | None,
    ask_passphrase: Callable[[], str | None],
    passphrase: str | None = None,
) -> tuple[str, rsa.RSAPrivateKey] | None:
    """The issuer's newest uncompromised RSA key, to sign a statement; None if it has no key.

    ``passphrase`` is tried first; ``ask_passphrase`` is called when the key needs another one.
    """
    from build_tools import keys

    usable = [
        k
        for k in profile_keys(root, issuer)
        if isinstance(k, dict) and k.get("type") == "RSA" and not k.get("compromised")
    ]
    if not usable:
        if profile_keys(root, issuer):
            raise StatementError(
                f"aucune clé RSA utilisable de « {issuer} » pour signer la déclaration"
            )
        return None
    entry = max(usable, key=lambda k: (str(k.get("created")), str(k.get("id"))))
    key_id = str(entry["id"])
    try:
        try:
            key = keys.load_private_key(
                issuer, key_id, passphrase=passphrase, key_dir=key_dir, expected_type="rsa"
            )
        except keys.WrongPassphraseError:
            key = keys.load_private_key(
                issuer, key_id, passphrase=ask_passphrase(), key_dir=key_dir, expected_type="rsa"
            )
    except keys.KeyStoreError as exc:
        raise StatementError(
            f"la clé privée {key_id} est nécessaire pour signer la déclaration de changement : {exc}"
        ) from None
    assert isinstance(key, rsa.RSAPrivateKey)
    if dict(keys.rsa_public_key_to_jwk(key.public_key())) != dict(
        entry.get("public_key_jwk") or {}
    ):
        raise StatementError(
            f"la clé privée {key_id} ne correspond pas à la clé publique du profil"
        )
    return key_id, key
