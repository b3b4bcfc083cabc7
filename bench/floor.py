"""The raw floor: the signature operations of N awards with ``cryptography`` alone.

One award is signed three times (the Data Integrity proof with Ed25519, the VC-JWT and the
Open Badges 2.0 JWS with RSA-2048 and SHA-256), so the floor of N awards is N Ed25519 and 2N
RSA operations on messages of the sizes that Badgeons really signs. Keys are made once and
messages prepared beforehand: only the signature operations are timed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

# Verification cost does not depend on the message, so a small set of distinct signed
# messages is cycled through rather than signing N of them before each run.
_DISTINCT = 64


@dataclass(frozen=True)
class Sizes:
    """Byte lengths of what one award signs: the Ed25519 hash data and two JWS inputs."""

    ed25519: int
    vc_jwt: int
    ob2_jws: int


def signing_input_length(compact_jws: str) -> int:
    """The length of what a compact JWS signs (``header.payload``)."""
    header, payload, _ = compact_jws.split(".")
    return len(header) + 1 + len(payload)


class Floor:
    """Keys and messages for the floor of one run."""

    def __init__(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.ed_key = ed25519.Ed25519PrivateKey.generate()
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ed_public = self.ed_key.public_key()
        self.rsa_public = self.rsa_key.public_key()
        self.messages = [
            (os.urandom(sizes.ed25519), os.urandom(sizes.vc_jwt), os.urandom(sizes.ob2_jws))
            for _ in range(_DISTINCT)
        ]
        self.signed = [
            (
                ed,
                self.ed_key.sign(ed),
                jwt,
                self.rsa_key.sign(jwt, padding.PKCS1v15(), hashes.SHA256()),
                jws,
                self.rsa_key.sign(jws, padding.PKCS1v15(), hashes.SHA256()),
            )
            for ed, jwt, jws in self.messages
        ]

    def sign(self, count: int) -> None:
        """1 Ed25519 and 2 RSA-2048 PKCS#1 v1.5 SHA-256 signatures per award."""
        ed_sign, rsa_sign = self.ed_key.sign, self.rsa_key.sign
        pad, digest = padding.PKCS1v15(), hashes.SHA256()
        messages = self.messages
        for index in range(count):
            ed, jwt, jws = messages[index % _DISTINCT]
            ed_sign(ed)
            rsa_sign(jwt, pad, digest)
            rsa_sign(jws, pad, digest)

    def verify(self, count: int) -> None:
        """1 Ed25519 and 2 RSA-2048 verifications per award; a bad signature raises."""
        ed_verify, rsa_verify = self.ed_public.verify, self.rsa_public.verify
        pad, digest = padding.PKCS1v15(), hashes.SHA256()
        signed = self.signed
        for index in range(count):
            ed, ed_sig, jwt, jwt_sig, jws, jws_sig = signed[index % _DISTINCT]
            ed_verify(ed_sig, ed)
            rsa_verify(jwt_sig, jwt, pad, digest)
            rsa_verify(jws_sig, jws, pad, digest)
