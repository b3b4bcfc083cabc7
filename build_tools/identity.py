"""Recipients known only by a salted hash, and random assertion identifiers.

The email address of a learner is never written anywhere: each award stores
``sha256$hex(sha256(email + salt))`` with a fresh random salt, the form that Open Badges 2.0
and 3.0 verifiers recompute when someone types an address to check a badge. Addresses are
trimmed and lower-cased first, so that "Awa@Example.org " and "awa@example.org" match.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_ID = re.compile(r"^[a-z2-7]{26}$")


class InvalidEmail(ValueError):
    """The text is not an email address; the message is for the issuer, in French."""


def normalise_email(email: str) -> str:
    """The canonical form of an address, or :class:`InvalidEmail`."""
    value = email.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidEmail(f"adresse e-mail invalide : « {email.strip()} »")
    return value


def new_salt() -> str:
    """A fresh random salt (128 bits, hexadecimal)."""
    return secrets.token_hex(16)


def hash_identity(email: str, salt: str) -> str:
    """The Open Badges identity hash of an address with its salt."""
    digest = hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def matches(email: str, identity_hash: str, salt: str) -> bool:
    """Whether an address is the one behind a hash (constant-time comparison)."""
    try:
        expected = hash_identity(email, salt)
    except InvalidEmail:
        return False
    return hmac.compare_digest(expected, identity_hash.lower())


def new_assertion_id() -> str:
    """A random assertion id: 128 bits as 26 lower-case base-32 characters, safe in URLs."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


def is_assertion_id(value: str) -> bool:
    return bool(_ID.match(value))


def not_held_by(awards: Iterable[tuple[str, str, str]], emails: Sequence[str]) -> list[str]:
    """The ids of the awards, given as (id, identity hash, salt), issued to none of ``emails``."""
    return [
        award_id
        for award_id, identity_hash, salt in awards
        if not any(matches(email, identity_hash, salt) for email in emails)
    ]
