"""Tests of build_tools.signing: eddsa-rdfc-2022, compact JWS RS256 and VC-JWT."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
import re
import string
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from build_tools import keys, signing
from build_tools.jsonld_loader import OfflineDocumentLoader, canonicalize
from build_tools.signing import VerificationError

DATA = Path(__file__).parents[1] / "data" / "signing"
VECTOR = json.loads((DATA / "eddsa-rdfc-2022-vector.json").read_text(encoding="utf-8"))
RFC7515 = json.loads((DATA / "rfc7515-a2.json").read_text(encoding="utf-8"))
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER = "did:web:badges.example.org:issuers:atelier-blois"
METHOD = ISSUER + "#ed25519-2026-11-23"
KID = ISSUER + "#rsa-2026-11-23"
CREATED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


@pytest.fixture(scope="module")
def vector_loader() -> OfflineDocumentLoader:
    examples = json.loads((DATA / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
    return OfflineDocumentLoader({EXAMPLES_V2: examples})


@pytest.fixture(scope="module")
def vector_key() -> ed25519.Ed25519PrivateKey:
    secret = keys.multibase_base58btc_decode(VECTOR["secretKeyMultibase"])
    return ed25519.Ed25519PrivateKey.from_private_bytes(secret[2:])


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return keys.generate_ed25519_key()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return keys.generate_rsa_key()


@pytest.fixture(scope="module")
def rfc_key() -> rsa.RSAPrivateKey:
    jwk = RFC7515["jwk"]
    p, q, d = _int(jwk["p"]), _int(jwk["q"]), _int(jwk["d"])
    public = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    )
    return numbers.private_key()


def _credential(**extra: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": "https://badges.example.org/a/0123456789abcdefghijklmnop.vc.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Atelier de Blois"},
        "validFrom": "2026-11-23T10:00:00Z",
        "name": "Accueillir un public",
        "credentialSubject": {
            "id": "urn:uuid:6e2b8c1e-4b1a-4f5e-9c61-2f1d1c8b7a10",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.org/badges/accueillir/v1/achievement.json",
                "type": ["Achievement"],
                "name": "Accueillir un public",
                "description": "Savoir accueillir un public en formation.",
                "criteria": {"narrative": "Observé en situation réelle, deux fois."},
            },
        },
    }
    credential.update(extra)
    return credential


def _resolver(key: Any) -> Callable[[Any], Any]:
    return lambda _method: key


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


# eddsa-rdfc-2022: the W3C test vector (Recommendation, Appendix B.1).


def test_vector_canonical_document_and_hash(vector_loader: OfflineDocumentLoader) -> None:
    canonical = canonicalize(VECTOR["credentialWithoutProof"], vector_loader)
    assert canonical == "\n".join(VECTOR["canonicalCredentialWithoutProof"]) + "\n"
    assert hashlib.sha256(canonical.encode()).hexdigest() == VECTOR["credentialHashHex"]


def test_vector_canonical_proof_options(vector_loader: OfflineDocumentLoader) -> None:
    config = {**VECTOR["proofOptions"], "@context": VECTOR["credentialWithoutProof"]["@context"]}
    canonical = canonicalize(config, vector_loader)
    assert canonical == "\n".join(VECTOR["canonicalProofOptions"]) + "\n"
    assert hashlib.sha256(canonical.encode()).hexdigest() == VECTOR["proofOptionsHashHex"]


def test_vector_signature_is_reproduced_exactly(
    vector_loader: OfflineDocumentLoader, vector_key: ed25519.Ed25519PrivateKey
) -> None:
    options = VECTOR["proofOptions"]
    signed = signing.add_eddsa_rdfc_2022_proof(
        VECTOR["credentialWithoutProof"],
        vector_key,
        options["verificationMethod"],
        options["created"],
        loader=vector_loader,
    )
    assert signed["proof"] == {**options, "proofValue": VECTOR["proofValue"]}
    signature = keys.multibase_base58btc_decode(signed["proof"]["proofValue"])
    assert signature.hex() == VECTOR["signatureHex"]
    assert "proof" not in VECTOR["credentialWithoutProof"]


def test_vector_signed_credential_verifies(vector_loader: OfflineDocumentLoader) -> None:
    signed = {
        **VECTOR["credentialWithoutProof"],
        "proof": {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]},
    }
    public = keys.ed25519_public_key_from_multibase(VECTOR["publicKeyMultibase"])
    seen: list[str] = []

    def resolve(method: str) -> ed25519.Ed25519PublicKey:
        seen.append(method)
        return public

    verified = signing.verify_eddsa_rdfc_2022_proof(signed, resolve, loader=vector_loader)
    assert verified == VECTOR["credentialWithoutProof"]
    assert seen == [VECTOR["proofOptions"]["verificationMethod"]]


# eddsa-rdfc-2022: round trips on an Open Badges 3.0 credential.


def test_sign_and_verify_an_open_badge(ed_key: ed25519.Ed25519PrivateKey) -> None:
    credential = _credential()
    original = copy.deepcopy(credential)
    signed = signing.add_eddsa_rdfc_2022_proof(credential, ed_key, METHOD, CREATED)
    assert credential == original
    assert signed["proof"]["created"] == "2026-11-23T10:00:00Z"
    assert list(signed["proof"]) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]
    assert len(keys.multibase_base58btc_decode(signed["proof"]["proofValue"])) == 64
    verified = signing.verify_eddsa_rdfc_2022_proof(signed, _resolver(ed_key.public_key()))
    assert verified == original
    # JSON round trip and key order do not matter to the canonical form.
    reread = json.loads(json.dumps(dict(reversed(list(signed.items())))))
    signing.verify_eddsa_rdfc_2022_proof(reread, _resolver(ed_key.public_key()))


def test_created_is_written_in_utc(ed_key: ed25519.Ed25519PrivateKey) -> None:
    paris = timezone(timedelta(hours=1))
    created = datetime(2026, 11, 23, 11, 0, 30, 999, tzinfo=paris)
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, created)
    assert signed["proof"]["created"] == "2026-11-23T10:00:30Z"


def _tampered_values(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, str) and value.startswith(("http", "urn:", "did:")):
        return value + "x"
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        return value.replace("T10", "T11")
    return value + "x" if isinstance(value, str) else value


def test_every_field_changed_one_at_a_time_breaks_the_proof(
    ed_key: ed25519.Ed25519PrivateKey,
) -> None:
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, CREATED)
    resolve = _resolver(ed_key.public_key())
    checked = 0
    for path, value in _leaves({k: v for k, v in signed.items() if k != "proof"}):
        if path[0] == "@context":
            continue
        tampered = copy.deepcopy(signed)
        _set(tampered, path, _tampered_values(value))
        expected: type[VerificationError] = signing.SignatureInvalid
        if "type" in path:
            expected = signing.UndefinedTermError  # a changed type is no longer defined
        with pytest.raises(expected):
            signing.verify_eddsa_rdfc_2022_proof(tampered, resolve)
        checked += 1
    assert checked >= 15
    added = copy.deepcopy(signed)
    added["description"] = "ajouté après la signature"
    removed = copy.deepcopy(signed)
    del removed["name"]
    for tampered in (added, removed):
        with pytest.raises(signing.SignatureInvalid):
            signing.verify_eddsa_rdfc_2022_proof(tampered, resolve)


@pytest.mark.parametrize(
    ("member", "value", "error"),
    [
        ("created", "2026-11-23T10:00:01Z", signing.SignatureInvalid),
        ("created", "23/11/2026", signing.MalformedProof),
        ("verificationMethod", ISSUER + "#other", signing.SignatureInvalid),
        ("verificationMethod", "relative#key", signing.MalformedProof),
        ("proofPurpose", "authentication", signing.WrongProofPurpose),
        ("cryptosuite", "eddsa-jcs-2022", signing.UnsupportedAlgorithm),
        ("type", "Ed25519Signature2020", signing.UnsupportedAlgorithm),
        ("proofValue", "u" + "A" * 86, signing.MalformedProof),
        ("proofValue", "z" + keys.base58btc_encode(b"\x01" * 63), signing.MalformedProof),
        ("proofValue", "z" + keys.base58btc_encode(b"\x01" * 64), signing.SignatureInvalid),
        ("proofValue", None, signing.MalformedProof),
        ("colour", "blue", signing.UndefinedTermError),
    ],
)
def test_every_proof_member_is_checked(
    ed_key: ed25519.Ed25519PrivateKey, member: str, value: Any, error: type[VerificationError]
) -> None:
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, CREATED)
    signed["proof"][member] = value
    with pytest.raises(error):
        signing.verify_eddsa_rdfc_2022_proof(signed, _resolver(ed_key.public_key()))


def test_wrong_key_and_wrong_key_type(
    ed_key: ed25519.Ed25519PrivateKey, rsa_key: rsa.RSAPrivateKey
) -> None:
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, CREATED)
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_eddsa_rdfc_2022_proof(
            signed, _resolver(keys.generate_ed25519_key().public_key())
        )
    with pytest.raises(signing.WrongKeyType):
        signing.verify_eddsa_rdfc_2022_proof(signed, _resolver(rsa_key.public_key()))

    def unknown(method: str) -> ed25519.Ed25519PublicKey:
        raise signing.KeyResolutionError(f"no key {method}")

    with pytest.raises(signing.KeyResolutionError):
        signing.verify_eddsa_rdfc_2022_proof(signed, unknown)


@pytest.mark.parametrize(
    "proof",
    [None, "z123", [], [{"type": "DataIntegrityProof"}]],
)
def test_missing_or_malformed_proof(ed_key: ed25519.Ed25519PrivateKey, proof: Any) -> None:
    document = _credential()
    if proof is not None:
        document["proof"] = proof
    with pytest.raises(signing.MalformedProof):
        signing.verify_eddsa_rdfc_2022_proof(document, _resolver(ed_key.public_key()))


def test_proof_context_must_start_the_document_context(ed_key: ed25519.Ed25519PrivateKey) -> None:
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, CREATED)
    good = copy.deepcopy(signed)
    good["proof"]["@context"] = [VC_V2]
    signing.verify_eddsa_rdfc_2022_proof(good, _resolver(ed_key.public_key()))
    bad = copy.deepcopy(signed)
    bad["proof"]["@context"] = [OB_V3]
    with pytest.raises(signing.MalformedProof):
        signing.verify_eddsa_rdfc_2022_proof(bad, _resolver(ed_key.public_key()))


def test_signing_refuses_bad_inputs(
    ed_key: ed25519.Ed25519PrivateKey, rsa_key: rsa.RSAPrivateKey
) -> None:
    cases: list[tuple[Callable[[], object], type[Exception]]] = [
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(_credential(), rsa_key, METHOD, CREATED),  # type: ignore[arg-type]
            signing.WrongKeyType,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(
                _credential(), ed_key, METHOD, datetime(2026, 1, 1)
            ),
            signing.InvalidDocument,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, "2026-01-01"),
            signing.MalformedProof,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, "#key", CREATED),
            signing.MalformedProof,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(
                _credential(proof={}), ed_key, METHOD, CREATED
            ),
            signing.InvalidDocument,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof({"name": "x"}, ed_key, METHOD, CREATED),
            signing.InvalidDocument,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(
                _credential(colour="blue"), ed_key, METHOD, CREATED
            ),
            signing.UndefinedTermError,
        ),
        (
            lambda: signing.add_eddsa_rdfc_2022_proof(
                _credential(**{"@context": [VC_V2, EXAMPLES_V2]}), ed_key, METHOD, CREATED
            ),
            signing.UnknownContextError,
        ),
    ]
    for call, error in cases:
        with pytest.raises(error):
            call()
    # Type errors are still verification errors, and TypeErrors for callers who expect them.
    assert issubclass(signing.WrongKeyType, TypeError)
    assert issubclass(signing.WrongKeyType, VerificationError)


# Compact JWS, RS256.


def test_rfc7515_a2_is_reproduced_and_verified(rfc_key: rsa.RSAPrivateKey) -> None:
    token = signing.sign_jws(RFC7515["payload"].encode(), rfc_key)
    assert token == RFC7515["jws"]
    header, payload = signing.verify_jws(RFC7515["jws"], lambda _header: rfc_key.public_key())
    assert header == {"alg": "RS256"}
    assert payload == RFC7515["payload"].encode()


def test_jws_round_trip_with_json_payload(rsa_key: rsa.RSAPrivateKey) -> None:
    payload = {"id": "https://badges.example.org/a/x.json", "name": "Accueillir é"}
    token = signing.sign_jws(payload, rsa_key, kid=KID, typ="JWT")
    headers: list[Mapping[str, Any]] = []

    def resolve(header: Mapping[str, Any]) -> rsa.RSAPublicKey:
        headers.append(header)
        return rsa_key.public_key()

    verified = signing.verify_jws(token, resolve)
    assert verified.header == {"alg": "RS256", "kid": KID, "typ": "JWT"}
    assert headers == [verified.header]
    assert verified.json() == payload
    with pytest.raises(signing.InvalidDocument):
        signing.VerifiedJws({"alg": "RS256"}, b"[1]").json()


def _forge(header: dict[str, Any], payload: bytes, key: bytes | None = None) -> str:
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(payload)}"
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), "sha256").digest()
    return f"{signing_input}.{_b64url(signature)}"


def test_the_algorithm_is_pinned(rsa_key: rsa.RSAPrivateKey) -> None:
    public_pem = keys.public_key_to_pem(rsa_key.public_key()).encode()
    looked_up: list[object] = []

    def resolve(header: Mapping[str, Any]) -> rsa.RSAPublicKey:
        looked_up.append(header)
        return rsa_key.public_key()

    forged = [
        _forge({"alg": "none"}, b"{}") + "AA",
        _forge({"alg": "none"}, b"{}"),
        _forge({"alg": "HS256"}, b"{}", public_pem),  # the classic RSA/HMAC confusion
        _forge({"alg": "RS512"}, b"{}", b"x"),
        _forge({"alg": "ES256"}, b"{}", b"x"),
        _forge({"alg": "rs256"}, b"{}", b"x"),
        _forge({"typ": "JWT"}, b"{}", b"x"),
        _forge({"alg": ["RS256"]}, b"{}", b"x"),
    ]
    for token in forged:
        with pytest.raises((signing.UnsupportedAlgorithm, signing.MalformedJws)):
            signing.verify_jws(token, resolve)
    valid = signing.sign_jws(b"{}", rsa_key)
    signature = valid.rsplit(".", 1)[1]
    critical = _forge({"alg": "RS256", "crit": ["exp"], "exp": 1}, b"{}").rsplit(".", 1)[0]
    with pytest.raises(signing.UnsupportedAlgorithm):
        signing.verify_jws(f"{critical}.{signature}", resolve)
    assert looked_up == []


def test_every_truncation_of_a_jws_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    token = signing.sign_jws({"id": "urn:x", "name": "y"}, rsa_key)
    resolve = _resolver(rsa_key.public_key())
    for end in range(len(token)):
        with pytest.raises(VerificationError):
            signing.verify_jws(token[:end], resolve)
    for start in range(1, len(token)):
        with pytest.raises(VerificationError):
            signing.verify_jws(token[start:], resolve)


def test_tampered_jws_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    token = signing.sign_jws({"id": "urn:x", "name": "y"}, rsa_key)
    resolve = _resolver(rsa_key.public_key())
    header, _payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index in range(len(token)):
        if token[index] == ".":
            continue
        replacement = alphabet[(alphabet.index(token[index]) + 1) % 64]
        tampered = token[:index] + replacement + token[index + 1 :]
        with pytest.raises(
            (signing.SignatureInvalid, signing.MalformedJws, signing.UnsupportedAlgorithm)
        ):
            signing.verify_jws(tampered, resolve)
    other_payload = _b64url(b'{"id":"urn:x","name":"z"}')
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_jws(f"{header}.{other_payload}.{signature}", resolve)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d",
        "..",
        "eyJhbGciOiJSUzI1NiJ9..c2ln",
        "eyJhbGciOiJSUzI1NiJ9.e30=.c2ln",
        "eyJhbGciOiJSUzI1NiJ9.e30.c2l+",
        "eyJhbGciOiJSUzI1NiJ9.e31.c2ln",  # non-canonical base64url (unused bits set)
        _b64url(b"[1]") + ".e30.c2ln",
        _b64url(b"not json") + ".e30.c2ln",
        _b64url(b'{"alg":"RS256","alg":"none"}') + ".e30.c2ln",
        _b64url(b'\xff{"alg":"RS256"}') + ".e30.c2ln",
    ],
)
def test_malformed_jws(token: str, rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(signing.MalformedJws):
        signing.verify_jws(token, _resolver(rsa_key.public_key()))


def test_jws_key_checks(rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey) -> None:
    token = signing.sign_jws(b"{}", rsa_key)
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_jws(token, _resolver(keys.generate_rsa_key().public_key()))
    with pytest.raises(signing.WrongKeyType):
        signing.verify_jws(token, _resolver(ed_key.public_key()))
    with pytest.raises(signing.WrongKeyType):
        signing.verify_jws(token, _resolver(ec.generate_private_key(ec.SECP256R1()).public_key()))
    with pytest.raises(signing.WrongKeyType):
        signing.sign_jws(b"{}", ed_key)  # type: ignore[arg-type]
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(signing.UnsupportedAlgorithm):
        signing.sign_jws(b"{}", small)
    with pytest.raises(signing.UnsupportedAlgorithm):
        signing.verify_jws(token, _resolver(small.public_key()))
    with pytest.raises(signing.MalformedJws):
        signing.verify_jws(b"a.b.c", _resolver(rsa_key.public_key()))  # type: ignore[arg-type]


# VC-JWT (Open Badges 3.0 section 8.2).


def _json_part(part: str) -> dict[str, Any]:
    value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert isinstance(value, dict)
    return value


def _jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return _json_part(header), _json_part(payload)


def test_vc_jwt_header_and_claims(rsa_key: rsa.RSAPrivateKey) -> None:
    credential = _credential(validUntil="2031-11-23T10:00:00Z")
    token = signing.encode_vc_jwt(credential, rsa_key, kid=KID)
    header, payload = _jwt_parts(token)
    assert header == {"alg": "RS256", "kid": KID, "typ": "JWT"}
    assert "vc" not in payload
    assert payload["iss"] == ISSUER
    assert payload["jti"] == credential["id"]
    assert payload["sub"] == credential["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2031, 11, 23, 10, tzinfo=UTC).timestamp())
    assert {
        k: v for k, v in payload.items() if k not in signing.JWT_REGISTERED_CLAIMS
    } == credential
    decoded = signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW)
    assert decoded == credential


def test_vc_jwt_without_valid_until_and_with_issuer_as_string(rsa_key: rsa.RSAPrivateKey) -> None:
    credential = _credential(issuer=ISSUER)
    token = signing.encode_vc_jwt(credential, rsa_key, kid=KID)
    assert "exp" not in _jwt_parts(token)[1]
    assert signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW) == credential


def test_vc_jwt_can_wrap_a_credential_with_a_data_integrity_proof(
    rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey
) -> None:
    signed = signing.add_eddsa_rdfc_2022_proof(_credential(), ed_key, METHOD, CREATED)
    token = signing.encode_vc_jwt(signed, rsa_key, kid=KID)
    decoded = signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW)
    signing.verify_eddsa_rdfc_2022_proof(decoded, _resolver(ed_key.public_key()))


def test_vc_jwt_reads_the_vc_claim_of_vcdm_1_1(rsa_key: rsa.RSAPrivateKey) -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "issuer": {"id": ISSUER},
        "issuanceDate": "2026-11-23T10:00:00Z",
        "expirationDate": "2027-11-23T10:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    payload = {
        "iss": ISSUER,
        "sub": "did:example:1",
        "jti": "urn:uuid:1",
        "nbf": int(datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2027, 11, 23, 10, tzinfo=UTC).timestamp()),
        "vc": credential,
    }
    token = signing.sign_jws(payload, rsa_key, kid=KID, typ="JWT")
    assert signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW) == credential


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "did:web:other"),
        ("sub", "urn:uuid:someone-else"),
        ("jti", "https://badges.example.org/a/other.vc.json"),
        ("nbf", 0),
        ("nbf", "2026-11-23T10:00:00Z"),
        ("nbf", True),
        ("exp", 4000000000),
        ("iss", None),
        ("sub", None),
        ("jti", None),
        ("nbf", None),
    ],
)
def test_vc_jwt_claims_must_match(rsa_key: rsa.RSAPrivateKey, claim: str, value: Any) -> None:
    credential = _credential(validUntil="2031-11-23T10:00:00Z")
    _, payload = _jwt_parts(signing.encode_vc_jwt(credential, rsa_key, kid=KID))
    if value is None:
        del payload[claim]
    else:
        payload[claim] = value
    token = signing.sign_jws(payload, rsa_key, kid=KID, typ="JWT")
    with pytest.raises(signing.ClaimMismatch):
        signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW)


def test_vc_jwt_validity_period(rsa_key: rsa.RSAPrivateKey) -> None:
    token = signing.encode_vc_jwt(_credential(validUntil="2027-01-01T00:00:00Z"), rsa_key, kid=KID)
    resolve = _resolver(rsa_key.public_key())
    with pytest.raises(signing.CredentialNotYetValid):
        signing.decode_vc_jwt(token, resolve, now=datetime(2026, 11, 23, 9, 59, 59, tzinfo=UTC))
    signing.decode_vc_jwt(token, resolve, now=datetime(2026, 11, 23, 10, tzinfo=UTC))
    with pytest.raises(signing.CredentialExpired):
        signing.decode_vc_jwt(token, resolve, now=datetime(2027, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": KID, "typ": "vc+jwt"},
        {"alg": "RS256", "kid": KID, "cty": "vc"},
        {"alg": "RS256"},
        {"alg": "RS256", "jwk": {"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}},
    ],
)
def test_vc_jwt_header_rules(rsa_key: rsa.RSAPrivateKey, header: dict[str, Any]) -> None:
    _, payload = _jwt_parts(signing.encode_vc_jwt(_credential(), rsa_key, kid=KID))
    signing_input = (
        f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    )
    signature = rsa_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{signing_input}.{_b64url(signature)}"
    with pytest.raises(signing.MalformedProof):
        signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW)


def test_vc_jwt_accepts_a_public_jwk_header(rsa_key: rsa.RSAPrivateKey) -> None:
    _, payload = _jwt_parts(signing.encode_vc_jwt(_credential(), rsa_key, kid=KID))
    jwk = keys.rsa_public_key_to_jwk(rsa_key.public_key())
    header = {"alg": "RS256", "jwk": jwk}
    signing_input = (
        f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    )
    signature = rsa_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    resolve = lambda h: keys.rsa_public_key_from_jwk(h["jwk"])  # noqa: E731
    decoded = signing.decode_vc_jwt(f"{signing_input}.{_b64url(signature)}", resolve, now=NOW)
    assert decoded == _credential()


@pytest.mark.parametrize(
    ("credential", "kid", "error"),
    [
        (_credential(iss="x"), KID, signing.InvalidDocument),
        (_credential(credentialSubject={"id": 5}), KID, signing.InvalidDocument),
        (_credential(id=None), KID, signing.InvalidDocument),
        (_credential(issuer={"name": "no id"}), KID, signing.InvalidDocument),
        (_credential(validFrom="2026-11-23T10:00:00"), KID, signing.InvalidDocument),
        (_credential(validUntil="soon"), KID, signing.InvalidDocument),
        (_credential(), "rsa-2026-11-23", signing.MalformedProof),
        ([], KID, signing.InvalidDocument),
    ],
)
def test_vc_jwt_encode_refuses_incomplete_credentials(
    rsa_key: rsa.RSAPrivateKey, credential: Any, kid: str, error: type[VerificationError]
) -> None:
    with pytest.raises(error):
        signing.encode_vc_jwt(credential, rsa_key, kid=kid)


def test_vc_jwt_of_a_subject_without_id_has_no_sub(rsa_key: rsa.RSAPrivateKey) -> None:
    # A recipient known only by a hashed `identifier` has no credentialSubject.id: `sub` is left
    # out rather than invented, and a `sub` claim for such a credential is refused.
    credential = _credential()
    del credential["credentialSubject"]["id"]
    token = signing.encode_vc_jwt(credential, rsa_key, kid=KID)
    _, payload = _jwt_parts(token)
    assert "sub" not in payload
    assert signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW) == credential
    payload["sub"] = "urn:uuid:invented"
    forged = signing.sign_jws(payload, rsa_key, kid=KID, typ="JWT")
    with pytest.raises(signing.ClaimMismatch):
        signing.decode_vc_jwt(forged, _resolver(rsa_key.public_key()), now=NOW)


def test_vc_jwt_alg_none_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    _, payload = _jwt_parts(signing.encode_vc_jwt(_credential(), rsa_key, kid=KID))
    token = _forge({"alg": "none", "kid": KID, "typ": "JWT"}, json.dumps(payload).encode())
    with pytest.raises(signing.UnsupportedAlgorithm):
        signing.decode_vc_jwt(token, _resolver(rsa_key.public_key()), now=NOW)


def _b64url_decode_by_reencoding(segment: str) -> bytes:
    """The earlier decoder, kept as the reference: canonical when re-encoding gives the text."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", segment) or len(segment) % 4 == 1:
        raise signing.MalformedJws("not base64url without padding")
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if _b64url(data) != segment:
        raise signing.MalformedJws("not canonical base64url")
    return data


def test_b64url_decoding_matches_a_full_reencoding() -> None:
    # Random texts over the alphabet (with unused bits set at random in the last character),
    # and texts with padding, spaces, newlines and characters of the other base64 alphabet.
    chance = random.Random(7515)
    alphabet = string.ascii_letters + string.digits + "-_"
    strangers = "=+/ \n.é"
    refused = accepted = 0
    for _ in range(20_000):
        text = "".join(chance.choice(alphabet) for _ in range(chance.randrange(0, 14)))
        if chance.random() < 0.2:
            position = chance.randrange(len(text) + 1)
            text = text[:position] + chance.choice(strangers) + text[position:]
        try:
            expected: bytes | None = _b64url_decode_by_reencoding(text)
        except signing.MalformedJws:
            expected = None
        try:
            found: bytes | None = signing._b64url_decode(text, "payload")
        except signing.MalformedJws:
            found = None
        assert found == expected, text
        refused += expected is None
        accepted += expected is not None
    # Both outcomes were exercised many times.
    assert refused > 2_000 and accepted > 2_000


def _json_object_by_pairs(data: bytes) -> dict[str, Any] | None:
    """The earlier reader, kept as the reference: every object checked for repeated members."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            raise ValueError("repeated member")
        return dict(pairs)

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _random_json(chance: random.Random, depth: int = 0) -> Any:
    kind = chance.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return chance.choice([0, -1, 7, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1])
    if kind == 1:
        return chance.choice([0.5, 1.0, -2.25, 1e300, 1e-7, 123456789.125])
    if kind == 2:
        return chance.choice([True, False, None])
    if kind in (3, 4, 5):
        return "".join(
            chance.choice('ab"\\/\n\t\x01é€\u2028😀 ') for _ in range(chance.randrange(6))
        )
    if kind in (6, 7):
        keys = chance.sample(["id", "type", "name", "a", "é", "x\\y"], chance.randrange(4))
        return {key: _random_json(chance, depth + 1) for key in keys}
    return [_random_json(chance, depth + 1) for _ in range(chance.randrange(3))]


def _written(value: Any, style: int) -> bytes:
    """JSON as Badgeons writes it (compact, UTF-8), as ``json`` writes it, or compact ASCII."""
    if style == 0:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if style == 1:
        return json.dumps(value).encode()
    return json.dumps(value, separators=(",", ":")).encode()


def _mutated(chance: random.Random, text: bytes) -> bytes:
    """The text, sometimes with a repeated member, white space, an escape or a broken byte."""
    roll = chance.random()
    if roll < 0.15 and text.startswith(b"{") and len(text) > 2:
        return b'{"id":1,' + text[1:-1] + (b',"id":2}' if text != b"{}" else b'"id":2}')
    if roll < 0.25:
        return text.replace(b":", b": ", 1)
    if roll < 0.35:
        return text.replace("é".encode(), b"\\u00e9")
    if roll < 0.4:
        position = chance.randrange(len(text) + 1)
        return (
            text[:position] + chance.choice([b"\xff", b"\xc3", b"\xef\xbb\xbf"]) + text[position:]
        )
    if roll < 0.45:
        return text.replace(b"1", b"1e0", 1)
    return text


def test_json_members_read_as_the_duplicate_checking_reader_reads_them() -> None:
    chance = random.Random(4242)
    taken = refused = 0
    for _ in range(20_000):
        value = (
            _random_json(chance, 0)
            if chance.random() < 0.2
            else {key: _random_json(chance, 1) for key in chance.sample(["id", "a", "b", "é"], 3)}
        )
        text = _mutated(chance, _written(value, chance.randrange(3)))
        expected = _json_object_by_pairs(text)
        try:
            found: dict[str, Any] | None = signing._json_object(text, "x", signing.MalformedJws)
        except signing.MalformedJws:
            found = None
        # repr tells 1 from 1.0 and True from 1, which == does not.
        assert repr(found) == repr(expected), text
        taken += expected is not None
        refused += expected is None
    assert taken > 5_000 and refused > 2_000
