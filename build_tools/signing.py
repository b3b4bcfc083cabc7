"""Signing and verification with pinned algorithms: `eddsa-rdfc-2022`, compact JWS RS256, VC-JWT.

Every failure raises a subclass of `VerificationError`; verification returns the verified data,
never a boolean. Nothing here knows the Badgeons data model: callers pass JSON-like documents,
keys and a resolver that maps a verification method or a JOSE header to a public key.

- Data Integrity `eddsa-rdfc-2022` (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.2):
  the document and the proof configuration are canonicalised with RDFC-1.0 (pyld URDNA2015) to
  N-Quads, hashed with SHA-256 (proof configuration hash first), signed with Ed25519, and the
  signature is written as multibase base58btc. A safe-mode check first refuses any term or type
  that the document's contexts do not define, which pyld would silently drop.
- Compact JWS (RFC 7515), RS256 only: the header's `alg` never chooses the algorithm.
- VC-JWT as Open Badges 3.0 section 8.2 specifies: the JWT payload is the credential itself plus
  the claims `iss`, `jti`, `nbf`, `sub` and, with `validUntil`, `exp`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from build_tools.canon_templates import canonicalize_fast
from build_tools.jsonld_loader import (
    InvalidDocument,
    OfflineDocumentLoader,
    UndefinedTermError,
    UnknownContextError,
    VerificationError,
    canonicalize,
)
from build_tools.keys import KeyFormatError, multibase_base58btc_decode, multibase_base58btc_encode

__all__ = [
    "ClaimMismatch",
    "CredentialExpired",
    "CredentialNotYetValid",
    "InvalidDocument",
    "KeyResolutionError",
    "MalformedJws",
    "MalformedProof",
    "SignatureInvalid",
    "UndefinedTermError",
    "UnknownContextError",
    "UnsupportedAlgorithm",
    "VerificationError",
    "VerifiedJws",
    "WrongKeyType",
    "WrongProofPurpose",
    "add_eddsa_rdfc_2022_proof",
    "canonicalize",
    "decode_vc_jwt",
    "encode_vc_jwt",
    "sign_jws",
    "verify_eddsa_rdfc_2022_proof",
    "verify_jws",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
JWS_ALG = "RS256"
MIN_RSA_BITS = 2048
MAX_TOKEN_LENGTH = 4 * 1024 * 1024
JWT_REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
VC_JWT_HEADERS = frozenset({"alg", "kid", "jwk", "typ"})
# base64url becomes the standard alphabet, and the standard alphabet's own "+" and "/" become
# "-" and "_", which binascii's strict mode refuses like any other foreign character.
_B64URL_TO_STANDARD = bytes.maketrans(b"-_+/", b"+/-_")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DATE_TIME_STAMP = re.compile(
    r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


class MalformedProof(VerificationError, ValueError):
    """The proof (or a proof option) is missing, of the wrong shape or wrongly encoded."""


class MalformedJws(MalformedProof):
    """The compact JWS is truncated, not base64url, or its header or payload is not JSON."""


class UnsupportedAlgorithm(VerificationError):
    """An algorithm, proof type, cryptosuite, critical header or key size that is not pinned."""


class SignatureInvalid(VerificationError):
    """The signature does not match the data and the key."""


class WrongKeyType(VerificationError, TypeError):
    """The key is not of the type the pinned algorithm needs."""


class KeyResolutionError(VerificationError):
    """The resolver has no key for this verification method or header (resolvers raise it)."""


class WrongProofPurpose(VerificationError):
    """The proof's `proofPurpose` is not the one the verifier expects."""


class ClaimMismatch(InvalidDocument):
    """A VC-JWT claim is missing or does not match the credential."""


class CredentialNotYetValid(VerificationError):
    """The credential's `validFrom` (JWT `nbf`) is in the future."""


class CredentialExpired(VerificationError):
    """The credential's `validUntil` (JWT `exp`) has passed."""


# Data Integrity eddsa-rdfc-2022.


def _format_created(created: datetime | str) -> str:
    if isinstance(created, datetime):
        if created.tzinfo is None or created.utcoffset() is None:
            raise InvalidDocument("`created` doit être une date et heure avec fuseau horaire")
        return created.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    _parse_date_time_stamp(created, "created", MalformedProof)
    return created


def _parse_date_time_stamp(value: object, name: str, error: type[VerificationError]) -> datetime:
    """Parse an XML Schema dateTimeStamp (a dateTime with a time zone)."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.match(value):
        raise error(
            f"`{name}` doit être une date et heure XML Schema avec fuseau horaire : {value!r}"
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as cause:
        raise error(f"`{name}` n'est pas une date et heure valide : {value!r}") from cause


def _hash_data(
    unsecured: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    loader: OfflineDocumentLoader | None,
    *,
    canonical: Callable[[Mapping[str, Any], OfflineDocumentLoader | None], str] = canonicalize,
) -> bytes:
    """Transformation, proof configuration and hashing of sections 3.2.3 to 3.2.5.

    Signing canonicalises with pyld (`canonicalize`); verifying passes `canonicalize_fast`,
    which gives the same N-Quads from templates of known document shapes.
    """
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedAlgorithm(
            f"seule la preuve {PROOF_TYPE} avec la suite {CRYPTOSUITE} est acceptée"
        )
    if "created" in proof_options:
        _parse_date_time_stamp(proof_options["created"], "created", MalformedProof)
    proof_config = dict(proof_options)
    proof_config["@context"] = unsecured["@context"]
    canonical_config = canonical(proof_config, loader)
    canonical_document = canonical(unsecured, loader)
    return (
        hashlib.sha256(canonical_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def add_eddsa_rdfc_2022_proof(
    document: Mapping[str, Any],
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
    *,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Return a copy of the document with an `eddsa-rdfc-2022` DataIntegrityProof added.

    `created` is a timezone-aware datetime (written in UTC, to the second) or an XML Schema
    dateTime string with a time zone. The document must not already carry a proof.
    """
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        raise WrongKeyType("eddsa-rdfc-2022 signe avec une clé privée Ed25519")
    if not isinstance(document, Mapping) or "@context" not in document:
        raise InvalidDocument("il faut un document JSON-LD avec un @context")
    if "proof" in document:
        raise InvalidDocument(
            "le document a déjà une preuve (les ensembles de preuves ne sont pas pris en charge)"
        )
    if not isinstance(verification_method, str) or not _ABSOLUTE_IRI.match(verification_method):
        raise MalformedProof("verificationMethod doit être une adresse absolue")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise MalformedProof("proofPurpose doit être un texte non vide")
    unsecured = copy.deepcopy(dict(document))
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    hash_data = _hash_data(unsecured, proof, loader or OfflineDocumentLoader())
    proof["proofValue"] = multibase_base58btc_encode(private_key.sign(hash_data))
    secured = unsecured
    secured["proof"] = proof
    return secured


def verify_eddsa_rdfc_2022_proof(
    document: Mapping[str, Any],
    resolve_public_key: Callable[[str], ed25519.Ed25519PublicKey],
    *,
    expected_proof_purpose: str = "assertionMethod",
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Verify the document's `eddsa-rdfc-2022` proof and return the document without its proof.

    The returned mapping shares its members with `document`: copy it before changing it.

    `resolve_public_key` receives the proof's `verificationMethod` and returns the Ed25519 public
    key that the controller authorises for the expected proof purpose; it raises
    `KeyResolutionError` (or another `VerificationError`) when it cannot.
    """
    if not isinstance(document, Mapping) or "@context" not in document:
        raise InvalidDocument("il faut un document JSON-LD avec un @context")
    proof = document.get("proof")
    if isinstance(proof, list):
        raise MalformedProof(
            "les ensembles de preuves ne sont pas pris en charge : une seule preuve attendue"
        )
    if not isinstance(proof, Mapping):
        raise MalformedProof("le document n'a pas de preuve (proof)")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedAlgorithm(
            f"proof {proof.get('type')!r}/{proof.get('cryptosuite')!r}: only "
            f"{PROOF_TYPE}/{CRYPTOSUITE} is accepted"
        )
    if proof.get("proofPurpose") != expected_proof_purpose:
        raise WrongProofPurpose(
            f"proofPurpose {proof.get('proofPurpose')!r}, expected {expected_proof_purpose!r}"
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not _ABSOLUTE_IRI.match(method):
        raise MalformedProof("verificationMethod doit être une adresse absolue")
    try:
        signature = multibase_base58btc_decode(proof.get("proofValue"))  # type: ignore[arg-type]
    except KeyFormatError as error:
        raise MalformedProof(f"proofValue n'est pas en multibase base58btc : {error}") from error
    if len(signature) != 64:
        raise MalformedProof(f"une signature Ed25519 a 64 octets, proofValue en a {len(signature)}")
    proof_context = proof.get("@context")
    if proof_context is not None:
        document_context = document["@context"]
        expected = proof_context if isinstance(proof_context, list) else [proof_context]
        actual = document_context if isinstance(document_context, list) else [document_context]
        if actual[: len(expected)] != expected:
            raise MalformedProof("le @context de la preuve ne commence pas celui du document")
    public_key = resolve_public_key(method)
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise WrongKeyType(f"la clé de {method} n'est pas une clé publique Ed25519")
    # Not a deep copy (a fifth of a build's verification time): canonicalisation never
    # modifies its input, and the returned document shares its members with ``document``.
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    # Without a loader, the fast path shares one loader (and its templates) across calls.
    hash_data = _hash_data(unsecured, proof_options, loader, canonical=canonicalize_fast)
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature as error:
        raise SignatureInvalid(f"signature {CRYPTOSUITE} refusée par la clé {method}") from error
    return unsecured


# Compact JWS, RS256 only.


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(segment: str, part: str) -> bytes:
    tail = len(segment) % 4
    # Padding is refused here: strict mode would accept it at the end of the text.
    if not segment or tail == 1 or not segment.isascii() or "=" in segment:
        raise MalformedJws(f"{part} du JWS n'est pas en base64url sans remplissage")
    # Checked and decoded in one pass of C code: a regular expression over the 8 KB payload of a
    # VC-JWT took as long as the decoding itself.
    standard = segment.encode("ascii").translate(_B64URL_TO_STANDARD) + b"=" * (-tail % 4)
    try:
        data = binascii.a2b_base64(standard, strict_mode=True)
    except binascii.Error:
        raise MalformedJws(f"{part} du JWS n'est pas en base64url sans remplissage") from None
    # Only the last, partial group of characters can carry unused bits: the text is canonical
    # when that group is what the last bytes encode to (the 8 KB payload of a VC-JWT is then
    # not encoded again for every award).
    if tail and _b64url_encode(data[-(tail - 1) :]) != segment[-tail:]:
        raise MalformedJws(f"{part} du JWS n'est pas en base64url canonique")
    return data


def _json_object(data: bytes, what: str, error: type[VerificationError]) -> dict[str, Any]:
    # A text that is exactly orjson's compact writing of what orjson read from it repeats no
    # member, is valid UTF-8 and holds what ``json`` reads (JWS made by Badgeons are written
    # so): it is taken at once, three times faster than checking each object for duplicates.
    try:
        value = orjson.loads(data)
        written_so = isinstance(value, dict) and orjson.dumps(value) == data
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        written_so = False
    if written_so:
        return value  # type: ignore[no-any-return]

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise error(f"{what} répète le membre {key!r}")
            result[key] = value
        return result

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as cause:
        raise error(f"{what} n'est pas du JSON en UTF-8") from cause
    if not isinstance(value, dict):
        raise error(f"{what} n'est pas un objet JSON")
    return value


def _dumps(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _check_rsa_size(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> None:
    if key.key_size < MIN_RSA_BITS:
        raise UnsupportedAlgorithm(f"clé RSA de {key.key_size} bits, il en faut au moins 2048")


class VerifiedJws(NamedTuple):
    """A verified compact JWS: its protected header and its payload bytes."""

    header: dict[str, Any]
    payload: bytes

    def json(self) -> dict[str, Any]:
        """Return the payload parsed as a JSON object."""
        return _json_object(self.payload, "le contenu du JWS", InvalidDocument)


def sign_jws(
    payload: bytes | Mapping[str, Any],
    private_key: rsa.RSAPrivateKey,
    *,
    kid: str | None = None,
    typ: str | None = None,
) -> str:
    """Return a compact JWS (RS256) of the payload: bytes as they are, a mapping as compact JSON."""
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise WrongKeyType("RS256 signe avec une clé privée RSA")
    _check_rsa_size(private_key)
    header: dict[str, str] = {"alg": JWS_ALG}
    if kid is not None:
        header["kid"] = kid
    if typ is not None:
        header["typ"] = typ
    body = payload if isinstance(payload, bytes) else _dumps(payload)
    signing_input = f"{_b64url_encode(_dumps(header))}.{_b64url_encode(body)}"
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url_encode(signature)}"


def verify_jws(
    token: str, resolve_key: Callable[[Mapping[str, Any]], rsa.RSAPublicKey]
) -> VerifiedJws:
    """Verify a compact JWS signed with RS256 and return its header and payload.

    The algorithm is pinned: any `alg` other than RS256 (`none`, HS256, ES256...) and any `crit`
    header are refused before a key is even looked up. `resolve_key` receives the header and
    returns the RSA public key to check against, or raises `KeyResolutionError`.
    """
    if not isinstance(token, str):
        raise MalformedJws("un JWS compact est un texte")
    if len(token) > MAX_TOKEN_LENGTH:
        raise MalformedJws("le JWS est trop long")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedJws("un JWS compact a trois parties en base64url séparées par des points")
    header = _json_object(_b64url_decode(parts[0], "l'en-tête"), "l'en-tête du JWS", MalformedJws)
    if header.get("alg") != JWS_ALG:
        raise UnsupportedAlgorithm(
            f"algorithme JWS {header.get('alg')!r} refusé : seul RS256 est accepté"
        )
    if "crit" in header:
        raise UnsupportedAlgorithm(
            "les paramètres d'en-tête critiques (crit) du JWS ne sont pas pris en charge"
        )
    if not parts[1] or not parts[2]:
        raise MalformedJws("le contenu ou la signature du JWS est vide")
    payload = _b64url_decode(parts[1], "le contenu")
    signature = _b64url_decode(parts[2], "la signature")
    public_key = resolve_key(dict(header))
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise WrongKeyType("RS256 se vérifie avec une clé publique RSA")
    _check_rsa_size(public_key)
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise SignatureInvalid("signature RS256 refusée par la clé") from error
    return VerifiedJws(header, payload)


# VC-JWT for Open Badges 3.0.


def _id_of(value: object) -> object:
    return value.get("id") if isinstance(value, Mapping) else value


def _numeric_date(moment: datetime) -> int | float:
    seconds = moment.timestamp()
    return int(seconds) if seconds == int(seconds) else seconds


def _from_numeric_date(value: object, claim: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClaimMismatch(f"la revendication `{claim}` doit être une NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ClaimMismatch(f"la revendication `{claim}` est hors limites") from error


def encode_vc_jwt(
    credential: Mapping[str, Any], private_key: rsa.RSAPrivateKey, *, kid: str
) -> str:
    """Return an Open Badges 3.0 credential as a VC-JWT (compact JWS, RS256).

    The header is `{"alg": "RS256", "kid": kid, "typ": "JWT"}` (no other header is allowed); the
    payload is the credential with the claims `iss` (issuer.id), `jti` (id), `nbf` (validFrom),
    `sub` (credentialSubject.id) and, when the credential has `validUntil`, `exp`.
    """
    if not isinstance(credential, Mapping):
        raise InvalidDocument("une attestation est un objet JSON")
    if not isinstance(kid, str) or not _ABSOLUTE_IRI.match(kid):
        raise MalformedProof("le `kid` du VC-JWT doit être une adresse qui mène à la clé publique")
    clashes = JWT_REGISTERED_CLAIMS & set(credential)
    if clashes:
        raise InvalidDocument(
            f"l'attestation a déjà des noms de revendications JWT : {sorted(clashes)}"
        )
    claims: dict[str, Any] = {}
    for claim, value, member in (
        ("iss", _id_of(credential.get("issuer")), "issuer.id"),
        ("jti", credential.get("id"), "id"),
    ):
        if not isinstance(value, str) or not value:
            raise InvalidDocument(
                f"un VC-JWT a besoin du champ {member} de l'attestation (revendication `{claim}`)"
            )
        claims[claim] = value
    # A recipient known only by a hashed `identifier` has no credentialSubject.id: `sub` is
    # then left out (it is optional in RFC 7519), rather than filled with a made-up value.
    subject_id = _id_of(credential.get("credentialSubject"))
    if subject_id is not None:
        if not isinstance(subject_id, str) or not subject_id:
            raise InvalidDocument("credentialSubject.id doit être un texte non vide")
        claims["sub"] = subject_id
    valid_from = _parse_date_time_stamp(credential.get("validFrom"), "validFrom", InvalidDocument)
    claims["nbf"] = _numeric_date(valid_from)
    if "validUntil" in credential:
        until = _parse_date_time_stamp(credential["validUntil"], "validUntil", InvalidDocument)
        claims["exp"] = _numeric_date(until)
    payload = {**copy.deepcopy(dict(credential)), **claims}
    return sign_jws(payload, private_key, kid=kid, typ="JWT")


def decode_vc_jwt(
    token: str,
    resolve_key: Callable[[Mapping[str, Any]], rsa.RSAPublicKey],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Verify an Open Badges 3.0 VC-JWT and return the credential (OB 3.0 section 8.2.4).

    A payload with a `vc` claim (VC Data Model 1.1 style) is read from that claim, with
    `issuanceDate` and `expirationDate`. The claims must match the credential, `nbf` must have
    passed and `exp`, if any, must not have passed at `now` (by default the current time).
    """
    verified = verify_jws(token, resolve_key)
    header = verified.header
    extra = set(header) - VC_JWT_HEADERS
    if extra:
        raise MalformedProof(f"JOSE headers not allowed by Open Badges 3.0: {sorted(extra)}")
    if "kid" not in header and "jwk" not in header:
        raise MalformedProof("the JOSE header needs `kid` or `jwk`")
    if "typ" in header and header["typ"] != "JWT":
        raise MalformedProof(f"the JOSE header `typ` must be 'JWT', not {header['typ']!r}")
    jwk = header.get("jwk")
    if jwk is not None and (not isinstance(jwk, dict) or "d" in jwk):
        raise MalformedProof("the JOSE header `jwk` must be a public JWK")
    payload = verified.json()
    if isinstance(payload.get("vc"), dict):
        credential: dict[str, Any] = copy.deepcopy(payload["vc"])
        start, end = "issuanceDate", "expirationDate"
    else:
        credential = {k: v for k, v in payload.items() if k not in JWT_REGISTERED_CLAIMS}
        start, end = "validFrom", "validUntil"
    for claim, expected in (
        ("iss", _id_of(credential.get("issuer"))),
        ("sub", _id_of(credential.get("credentialSubject"))),
        ("jti", credential.get("id")),
    ):
        if claim == "sub" and expected is None:
            if "sub" in payload:
                raise ClaimMismatch("a `sub` claim for a credential subject without id")
            continue
        if claim not in payload:
            raise ClaimMismatch(f"the VC-JWT has no `{claim}` claim")
        if payload[claim] != expected:
            raise ClaimMismatch(f"the `{claim}` claim does not match the credential")
    if "nbf" not in payload:
        raise ClaimMismatch("the VC-JWT has no `nbf` claim")
    not_before = _from_numeric_date(payload["nbf"], "nbf")
    if not_before != _parse_date_time_stamp(credential.get(start), start, ClaimMismatch):
        raise ClaimMismatch(f"the `nbf` claim does not match the credential's {start}")
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidDocument("`now` must be a timezone-aware datetime")
    if not_before > moment:
        raise CredentialNotYetValid(f"the credential is valid from {credential[start]}")
    if "exp" in payload:
        expires = _from_numeric_date(payload["exp"], "exp")
        if end in credential:
            if _parse_date_time_stamp(credential[end], end, ClaimMismatch) != expires:
                raise ClaimMismatch(f"the `exp` claim does not match the credential's {end}")
        else:
            credential[end] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        if expires <= moment:
            raise CredentialExpired(f"the credential expired at {credential[end]}")
    return credential
