"""``badgeons verify``: check any Open Badges 2.0 or 3.0 badge, ours or another issuer's.

A target is a JSON file, a compact JWS or VC-JWT, a baked PNG or SVG, or a URL. The report
lists each check with its outcome: a check that could not be made is said so, never counted as
passed. Signatures are checked by :mod:`build_tools.signing` (algorithms pinned); keys are
found from the badge itself, by the rules of each format (did:web or did:key, JWK at the ``kid``,
CryptographicKey of the signed 2.0 assertion).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import bake, i18n, keys, signing
from build_tools.diagnostics import unreadable_file
from build_tools.fetching import Fetcher, FetchError
from build_tools.identity import InvalidEmail, normalise_email
from build_tools.urls import did_web_to_url

Outcome = Literal["ok", "failed", "warning"]


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    message: str
    unreachable: bool = False
    """Failed only because a document it needs could not be fetched: it proves nothing."""


@dataclass
class Report:
    target: str
    format: str = "inconnu"
    badge: str | None = None
    issuer: str | None = None
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, outcome: Outcome, message: str, *, unreachable: bool = False) -> None:
        self.checks.append(Check(name, outcome, message, unreachable))

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.outcome != "failed" for c in self.checks)

    @property
    def verdict(self) -> str:
        failed = {c.name for c in self.checks if c.outcome == "failed"}
        # A badge that could not be read, or a signature that could not be checked (the
        # issuer's key or assertion out of reach), is neither valid nor invalid: saying
        # "invalid" would call a genuine badge forged.
        if self._out_of_reach("lecture") or self._out_of_reach("signature"):
            return "VÉRIFICATION IMPOSSIBLE"
        # What was given is not a badge that can be read (as the verifier page says).
        if not self.checks or "lecture" in failed:
            return "ILLISIBLE"
        for name, word in (
            ("signature", "SIGNATURE INVALIDE"),
            ("révocation", "RÉVOQUÉ"),
            ("validité", "EXPIRÉ OU PAS ENCORE VALIDE"),
            ("destinataire", "AUTRE DESTINATAIRE"),
        ):
            if name in failed:
                return word
        return "INVALIDE" if failed else "VALIDE"

    def _out_of_reach(self, name: str) -> bool:
        """Whether check ``name`` failed, and only for want of a file or an answer."""
        failures = [c for c in self.checks if c.name == name and c.outcome == "failed"]
        return bool(failures) and all(c.unreachable for c in failures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "valid": self.valid,
            "verdict": self.verdict,
            "format": self.format,
            "badge": self.badge,
            "issuer": self.issuer,
            "checks": [
                {
                    "name": c.name,
                    "outcome": c.outcome,
                    "message": c.message,
                    "unreachable": c.unreachable,
                }
                for c in self.checks
            ],
        }

    def as_text(self) -> str:
        marks = {"ok": "✓ OK     ", "failed": "✗ ÉCHEC  ", "warning": "! ATTENTION"}
        lines = [f"Vérification de : {self.target}", f"Format : {self.format}"]
        if self.badge:
            lines.append(f"Badge : {self.badge}")
        if self.issuer:
            lines.append(f"Émetteur : {self.issuer}")
        lines += [
            f"  {'? IMPOSSIBLE' if c.unreachable else marks[c.outcome]} {c.name} : {c.message}"
            for c in self.checks
        ]
        lines.append(f"Verdict : {self.verdict}")
        if self._out_of_reach("lecture"):
            lines.append(
                "Le badge n'est ni confirmé ni réfuté : il n'a pas pu être lu. Vérifiez le nom "
                "du fichier ou l'adresse, ou réessayez une fois connecté."
            )
        elif self.verdict == "VÉRIFICATION IMPOSSIBLE":
            lines.append(
                "Le badge n'est ni confirmé ni réfuté : un document de l'émetteur n'a pas pu être "
                "lu. Réessayez une fois connecté, ou hors ligne avec --offline DOSSIER_DU_SITE."
            )
        return "\n".join(lines)


class _Unreadable(Exception):
    """A target that is not a badge, or (``missing``) that could not be read at all."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


class KeyUnreachable(signing.KeyResolutionError):
    """The document that holds the issuer's key could not be fetched."""


_EXPLANATIONS: tuple[tuple[type[Exception], str], ...] = (
    (
        signing.SignatureInvalid,
        "la signature ne correspond pas au contenu : badge modifié ou signé par une autre clé",
    ),
    (signing.UnsupportedAlgorithm, "algorithme de signature refusé"),
    (
        signing.UnknownContextError,
        "contexte JSON-LD inconnu : le badge ne peut pas être lu hors ligne",
    ),
    (
        signing.UndefinedTermError,
        "le badge emploie des termes qu'aucun de ses contextes ne définit",
    ),
    (signing.ClaimMismatch, "le jeton ne correspond pas au badge qu'il contient"),
    (signing.WrongProofPurpose, "la preuve n'est pas faite pour attester un badge"),
    (signing.MalformedProof, "preuve de signature mal formée"),
    (signing.InvalidDocument, "document illisible pour la vérification"),
)


def explain(error: Exception) -> str:
    """A French sentence for a verification failure, with the technical detail after it."""
    if isinstance(error, signing.KeyResolutionError | keys.KeyStoreError):
        return str(error)
    for kind, sentence in _EXPLANATIONS:
        if isinstance(error, kind):
            return f"{sentence} ({error})"
    return str(error)


def _signature_failed(report: Report, error: Exception) -> None:
    unreachable = isinstance(error, KeyUnreachable | FetchError)
    report.add("signature", "failed", explain(error), unreachable=unreachable)


def _read_target(target: str, fetcher: Fetcher) -> bytes:
    if target.startswith(("https://", "http://")):
        try:
            return fetcher.get(target)
        except FetchError as exc:
            raise _Unreadable(str(exc), missing=True) from None
    try:
        return Path(target).read_bytes()
    except OSError as exc:
        raise _Unreadable(unreadable_file(exc), missing=True) from None


def _unwrap(data: bytes, fetcher: Fetcher) -> tuple[str, Any]:
    """What a target holds: ("jws", token) or ("json", document)."""
    if data.startswith(bake.PNG_SIGNATURE):
        for keyword in (bake.OB3_PNG_KEYWORD, bake.OB2_PNG_KEYWORD):
            try:
                return _unwrap(bake.read_png(data, keyword).encode("utf-8"), fetcher)
            except bake.NotBakedError:
                continue
            except bake.BakeError as exc:
                raise _Unreadable(f"PNG illisible : {exc}") from None
        raise _Unreadable(
            "ce PNG ne contient aucun badge (pas de bloc openbadges) : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page"
        )
    head = data[:2048].lstrip()
    if head.startswith((b"<svg", b"<?xml", b"<!--")):
        for reader in (bake.read_svg_ob3, bake.read_svg_ob2):
            try:
                found = reader(data)
            except bake.NotBakedError:
                continue
            except bake.BakeError as exc:
                raise _Unreadable(f"SVG illisible : {exc}") from None
            if found.text and found.text.strip():
                return _unwrap(found.text.encode("utf-8"), fetcher)
            if found.verify:
                return _unwrap(found.verify.encode("utf-8"), fetcher)
        raise _Unreadable(
            "ce SVG ne contient aucun badge : c'est peut-être seulement l'image du badge, sans le badge signé ; demandez le lien de sa page de vérification, son QR code ou l'image téléchargée depuis cette page"
        )
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Unreadable("ni JSON, ni JWS, ni image PNG ou SVG") from None
    if text.startswith(("https://", "http://")):
        return _unwrap(fetcher.get(text), fetcher)
    if text.startswith("{"):
        try:
            return "json", json.loads(text)
        except json.JSONDecodeError as exc:
            raise _Unreadable(f"JSON invalide : {exc.msg} (ligne {exc.lineno})") from None
    if text.count(".") == 2:
        return "jws", text
    if text.count(".") in (1, 3, 4) and re.fullmatch(r"[A-Za-z0-9_\-.=]+", text):
        raise _Unreadable(
            "JWS tronqué ou mal formé : un JWS compact a trois parties séparées par des points"
        )
    raise _Unreadable("ni JSON, ni JWS, ni image PNG ou SVG")


def _jws_payload(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, read without checking it (to choose how to check it)."""
    try:
        part = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as exc:
        raise _Unreadable(f"JWS tronqué ou mal formé ({exc.__class__.__name__})") from None
    if not isinstance(payload, dict):
        raise _Unreadable("JWS dont le contenu n'est pas un objet JSON")
    return payload


def verify(
    target: str, *, fetcher: Fetcher, recipient: str | None = None, now: datetime | None = None
) -> Report:
    """Check a badge and return the report; never raises on a bad badge."""
    report = Report(target)
    moment = now or datetime.now(UTC)
    try:
        kind, content = _unwrap(_read_target(target, fetcher), fetcher)
        if kind == "jws":
            payload = _jws_payload(content)
            if payload.get("type") == "Assertion" or "verification" in payload:
                _ob2_signed(report, content, payload, fetcher, recipient, moment)
            else:
                _ob3_jwt(report, content, fetcher, recipient, moment)
        elif isinstance(content, dict) and "proof" in content:
            _ob3_data_integrity(report, content, fetcher, recipient, moment)
        elif isinstance(content, dict) and content.get("type") == "Assertion":
            _ob2_hosted(report, content, fetcher, recipient, moment)
        elif isinstance(content, dict) and "credentialSubject" in content:
            report.format = "Open Badges 3.0 (sans preuve)"
            report.add(
                "signature",
                "failed",
                "le credential ne porte aucune preuve : il n'est pas vérifiable",
            )
        else:
            report.add("lecture", "failed", "ce document n'est pas un badge Open Badges 2.0 ou 3.0")
    except (_Unreadable, FetchError) as exc:
        missing = isinstance(exc, _Unreadable) and exc.missing
        report.add("lecture", "failed", str(exc), unreachable=missing)
    return report


# Open Badges 3.0.


def _resolve_did_key(method: str, issuer_id: str, fetcher: Fetcher) -> ed25519.Ed25519PublicKey:
    did = method.split("#", 1)[0]
    if did != issuer_id:
        raise signing.KeyResolutionError(
            f"la clé {method} n'appartient pas à l'émetteur {issuer_id}"
        )
    if did.startswith("did:key:"):
        value = did[len("did:key:") :]
        fragment = method.split("#", 1)[1] if "#" in method else value
        if fragment != value:
            raise signing.KeyResolutionError("fragment de did:key incohérent")
        return keys.ed25519_public_key_from_multibase(value)
    if not did.startswith("did:web:"):
        raise signing.KeyResolutionError(f"méthode DID non prise en charge : {did}")
    try:
        document = fetcher.get_json(did_web_to_url(did))
    except FetchError as exc:
        raise KeyUnreachable(f"document DID introuvable : {exc}") from None
    if not isinstance(document, dict) or document.get("id") != did:
        raise signing.KeyResolutionError("le document DID ne décrit pas cet identifiant")
    allowed = {
        m if isinstance(m, str) else m.get("id") for m in document.get("assertionMethod", [])
    }
    if method not in allowed:
        raise signing.KeyResolutionError(
            f"la clé {method} n'est pas (ou plus) autorisée à signer (assertionMethod)"
        )
    for entry in document.get("verificationMethod", []):
        if isinstance(entry, dict) and entry.get("id") == method:
            if entry.get("controller") != did:
                raise signing.KeyResolutionError("la clé n'est pas contrôlée par l'émetteur")
            return keys.ed25519_public_key_from_multibase(str(entry.get("publicKeyMultibase")))
    raise signing.KeyResolutionError(f"clé {method} absente du document DID")


def _many(value: Any) -> list[Any]:
    """A JSON-LD value as a list: in JSON-LD, one value and a list of it are the same graph."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _one(value: Any) -> dict[str, Any]:
    """The single object of a JSON-LD value (an object, or a list of one), else empty."""
    items = _many(value)
    return items[0] if len(items) == 1 and isinstance(items[0], dict) else {}


def _describe_ob3(report: Report, credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    name = issuer.get("name") if isinstance(issuer, dict) else None
    report.issuer = f"{name} ({issuer_id})" if name else str(issuer_id)
    achievement = _one(_one(credential.get("credentialSubject")).get("achievement"))
    report.badge = achievement.get("name") or credential.get("name")
    return str(issuer_id)


def _ob3_data_integrity(
    report: Report,
    credential: dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    moment: datetime,
) -> None:
    report.format = "Open Badges 3.0, preuve Data Integrity eddsa-rdfc-2022"
    issuer_id = _describe_ob3(report, credential)
    try:
        signing.verify_eddsa_rdfc_2022_proof(
            credential, lambda m: _resolve_did_key(m, issuer_id, fetcher)
        )
        report.add(
            "signature",
            "ok",
            f"preuve vérifiée avec la clé {credential['proof'].get('verificationMethod')}",
        )
    except (signing.VerificationError, keys.KeyStoreError) as exc:
        _signature_failed(report, exc)
    _ob3_status(report, credential, fetcher, recipient, moment)


def _jwk_for(kid: str, issuer_id: str, fetcher: Fetcher) -> rsa.RSAPublicKey:
    base = (
        did_web_to_url(issuer_id).rsplit("/", 1)[0]
        if issuer_id.startswith("did:web:")
        else issuer_id
    )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    # The whole origin is compared: a prefix would let "https://host.evil.test" or
    # "https://host@evil.test" pass for "https://host".
    key_origin = "{0.scheme}://{0.netloc}".format(urlsplit(kid))
    if not kid.startswith(("https://", "http://")) or key_origin != origin:
        raise signing.KeyResolutionError(
            f"la clé {kid} n'est pas publiée par l'émetteur ({origin})"
        )
    try:
        document = fetcher.get_json(kid)
    except FetchError as exc:
        raise KeyUnreachable(str(exc)) from None
    if isinstance(document, dict) and "keys" in document:
        document = next(
            (k for k in document["keys"] if isinstance(k, dict) and k.get("kid") == kid), None
        )
    if not isinstance(document, dict):
        raise signing.KeyResolutionError(f"aucune clé JWK à l'adresse {kid}")
    return keys.rsa_public_key_from_jwk(document)


def _ob3_jwt(
    report: Report, token: str, fetcher: Fetcher, recipient: str | None, moment: datetime
) -> None:
    report.format = "Open Badges 3.0, VC-JWT (RS256)"
    payload = _jws_payload(token)
    embedded = payload.get("vc")
    credential: dict[str, Any] = embedded if isinstance(embedded, dict) else payload
    issuer_id = _describe_ob3(report, credential)
    try:
        signing.decode_vc_jwt(
            token,
            lambda h: _jwk_for(str(h.get("kid")), issuer_id, fetcher),
            now=_claims_time(payload),
        )
        report.add("signature", "ok", "signature RS256 vérifiée avec la clé publiée par l'émetteur")
    except (signing.VerificationError, keys.KeyStoreError) as exc:
        _signature_failed(report, exc)
    _ob3_status(report, credential, fetcher, recipient, moment)


def _claims_time(payload: dict[str, Any]) -> datetime:
    """A moment inside the token's validity, so that expiry is reported by its own check."""
    nbf = payload.get("nbf")
    return datetime.fromtimestamp(nbf, UTC) if isinstance(nbf, int | float) else datetime.now(UTC)


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(moment: datetime) -> str:
    """The day of ``moment``, in words (« 1er janvier 2021 »), as the pages write it."""
    return i18n.long_date(moment.date().isoformat())


def _validity(report: Report, start: object, end: object, moment: datetime) -> None:
    begins, ends = _parse_time(start) if start else None, _parse_time(end) if end else None
    if (start and begins is None) or (end and ends is None):
        report.add("validité", "failed", "dates illisibles")
    elif begins and begins > moment:
        report.add("validité", "failed", f"pas encore valide (à partir du {_day(begins)})")
    elif ends and ends <= moment:
        report.add("validité", "failed", f"expiré depuis le {_day(ends)}")
    else:
        report.add(
            "validité", "ok", f"valide jusqu'au {_day(ends)}" if ends else "sans date d'expiration"
        )


def _ob3_status(
    report: Report,
    credential: dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    moment: datetime,
) -> None:
    _validity(
        report,
        credential.get("validFrom") or credential.get("issuanceDate"),
        credential.get("validUntil") or credential.get("expirationDate"),
        moment,
    )
    if "EndorsementCredential" in _many(credential.get("type")):
        _endorsement_subject(report, credential)
        return
    statuses = _many(credential.get("credentialStatus"))
    if not statuses:
        report.add("révocation", "warning", "aucune liste de révocation déclarée par l'émetteur")
    # A list of statuses is signed like a single one: each of them is checked.
    for status in statuses:
        _ob3_revocation(report, credential, status, fetcher)
    identifiers = _many(_one(credential.get("credentialSubject")).get("identifier"))
    pairs = [
        (i.get("identityHash"), i.get("salt"), i.get("hashed"))
        for i in identifiers
        if isinstance(i, dict) and i.get("identityType") == "emailAddress"
    ]
    _recipient(report, recipient, pairs)


def _endorsement_subject(report: Report, credential: dict[str, Any]) -> None:
    """What an EndorsementCredential endorses (it has no recipient and, here, no status list)."""
    report.format = report.format.replace(
        "Open Badges 3.0", "Open Badges 3.0 EndorsementCredential"
    )
    subject = _one(credential.get("credentialSubject"))
    if "EndorsementSubject" not in _many(subject.get("type")) or not subject.get("id"):
        report.add("recommandation", "failed", "credentialSubject n'est pas un EndorsementSubject")
        return
    comment = str(subject.get("endorsementComment") or "").strip()
    shown = f" : « {comment[:200]} »" if comment else ""
    report.add("recommandation", "ok", f"recommande {subject['id']}{shown}")


def _ob3_revocation(
    report: Report, credential: dict[str, Any], status: Any, fetcher: Fetcher
) -> None:
    if not isinstance(status, dict) or status.get("type") != "1EdTechRevocationList":
        kind = status.get("type") if isinstance(status, dict) else "?"
        report.add("révocation", "warning", f"méthode de statut {kind} non vérifiée")
        return
    try:
        listing = fetcher.get_json(str(status.get("id")))
        revoked = [
            r
            for r in listing.get("revokedCredentials", [])
            if r.get("id") == credential.get("id") and r.get("revoked", True)
        ]
        if revoked:
            report.add(
                "révocation",
                "failed",
                f"révoqué — motif : {revoked[0].get('revocationReason', 'non précisé')}",
            )
        else:
            report.add("révocation", "ok", "absent de la liste de révocation de l'émetteur")
    except (FetchError, AttributeError) as exc:
        report.add("révocation", "warning", f"liste de révocation illisible : {exc}")


def _recipient(report: Report, email: str | None, pairs: list[tuple[Any, Any, Any]]) -> None:
    if email is None:
        report.add(
            "destinataire", "warning", "non vérifié : indiquez --recipient EMAIL pour le vérifier"
        )
        return
    try:
        wanted = normalise_email(email)
    except InvalidEmail as exc:
        report.add("destinataire", "failed", str(exc))
        return
    for identity, salt, hashed in pairs:
        if not isinstance(identity, str):
            continue
        if not hashed:
            if identity.strip().lower() == wanted:
                report.add("destinataire", "ok", "délivré à cette adresse")
                return
            continue
        algorithm, _, digest = identity.partition("$")
        if algorithm.lower() not in ("sha256", "sha512"):
            continue
        computed = hashlib.new(
            algorithm.lower(), (wanted + (salt or "")).encode("utf-8")
        ).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            report.add("destinataire", "ok", "délivré à cette adresse")
            return
    report.add("destinataire", "failed", "ce badge n'a pas été délivré à cette adresse")


# Open Badges 2.0.


def _fetch_linked(value: Any, fetcher: Fetcher) -> dict[str, Any]:
    document = fetcher.get_json(value) if isinstance(value, str) else value
    if not isinstance(document, dict):
        raise FetchError("document lié illisible")
    return document


def _ob2_context(report: Report, assertion: dict[str, Any], fetcher: Fetcher) -> dict[str, Any]:
    """Fetch the badge class and issuer of a 2.0 assertion, and name them in the report."""
    badge = _fetch_linked(assertion.get("badge"), fetcher)
    issuer = _fetch_linked(badge.get("issuer"), fetcher)
    report.badge = badge.get("name")
    report.issuer = f"{issuer.get('name')} ({issuer.get('id')})"
    return issuer


def _ob2_status(
    report: Report, assertion: dict[str, Any], recipient: str | None, moment: datetime
) -> None:
    _validity(report, assertion.get("issuedOn"), assertion.get("expires"), moment)
    person = _one(assertion.get("recipient"))
    pairs = (
        [(person.get("identity"), person.get("salt"), person.get("hashed"))]
        if person.get("type", "email") == "email"
        else []
    )
    _recipient(report, recipient, pairs)


def _ob2_hosted(
    report: Report,
    assertion: dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    moment: datetime,
) -> None:
    report.format = "Open Badges 2.0, assertion hébergée"
    url = str(assertion.get("id", ""))
    try:
        hosted = _fetch_linked(url, fetcher)
    except FetchError as exc:
        report.add(
            "signature",
            "failed",
            f"l'assertion n'est pas servie à son adresse : {exc}",
            unreachable=True,
        )
        return
    if {k: v for k, v in hosted.items() if k not in ("revoked", "revocationReason")} != {
        k: v for k, v in assertion.items() if k not in ("revoked", "revocationReason")
    }:
        report.add(
            "signature",
            "failed",
            "le badge ne correspond pas à l'assertion servie par l'émetteur (modifié ?)",
        )
        return
    issuer = _ob2_context(report, hosted, fetcher)
    same_origin = urlsplit(url).netloc == urlsplit(str(issuer.get("id", ""))).netloc
    report.add(
        "signature",
        "ok" if same_origin else "failed",
        "assertion servie par le site de l'émetteur"
        if same_origin
        else "assertion servie hors du site de l'émetteur",
    )
    if hosted.get("revoked"):
        report.add(
            "révocation",
            "failed",
            f"révoqué — motif : {hosted.get('revocationReason', 'non précisé')}",
        )
    else:
        report.add("révocation", "ok", "l'émetteur ne l'a pas révoqué")
    _ob2_status(report, hosted, recipient, moment)


def _ob2_signed(
    report: Report,
    token: str,
    payload: dict[str, Any],
    fetcher: Fetcher,
    recipient: str | None,
    moment: datetime,
) -> None:
    report.format = "Open Badges 2.0, assertion signée (JWS RS256)"
    creator = str(_one(payload.get("verification")).get("creator", ""))
    issuer = _ob2_context(report, payload, fetcher)
    try:
        if not creator.startswith(("https://", "http://")):
            # Nothing to fetch: the badge itself is malformed, not out of reach.
            raise signing.KeyResolutionError(
                "l'assertion ne désigne pas la clé qui l'a signée (verification.creator)"
            )
        key = _fetch_linked(creator, fetcher)
        declared = issuer.get("publicKey")
        if creator not in (declared if isinstance(declared, list) else [declared]):
            raise signing.KeyResolutionError(
                "la clé n'est pas déclarée dans le profil de l'émetteur"
            )
        if key.get("owner") != issuer.get("id"):
            raise signing.KeyResolutionError("la clé n'appartient pas à l'émetteur")
        public = keys.rsa_public_key_from_pem(str(key.get("publicKeyPem")))
        signing.verify_jws(token, lambda _header: public)
        report.add("signature", "ok", f"signature RS256 vérifiée avec la clé {creator}")
    except (signing.VerificationError, keys.KeyStoreError, FetchError) as exc:
        _signature_failed(report, exc)
    try:
        listing = (
            _fetch_linked(issuer.get("revocationList"), fetcher)
            if issuer.get("revocationList")
            else {}
        )
        revoked = [
            r
            for r in listing.get("revokedAssertions", [])
            if (r.get("id") if isinstance(r, dict) else r) == payload.get("id")
        ]
        if revoked:
            reason = (
                revoked[0].get("revocationReason", "non précisé")
                if isinstance(revoked[0], dict)
                else "non précisé"
            )
            report.add("révocation", "failed", f"révoqué — motif : {reason}")
        elif listing:
            report.add("révocation", "ok", "absent de la liste de révocation de l'émetteur")
        else:
            report.add("révocation", "warning", "l'émetteur ne publie pas de liste de révocation")
    except FetchError as exc:
        report.add("révocation", "warning", f"liste de révocation illisible : {exc}")
    _ob2_status(report, payload, recipient, moment)
