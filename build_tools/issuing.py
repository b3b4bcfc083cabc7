"""Award badges: check the requests, sign every format, then write the records all at once.

One award produces one record (see :mod:`build_tools.awards`) holding the Open Badges 3.0
credential with its ``eddsa-rdfc-2022`` proof, the same credential as a VC-JWT, and the signed
Open Badges 2.0 assertion. Requests are all checked, then all signed in memory, and only then
written: a bad row in a group file means nothing of that file is issued.
"""

from __future__ import annotations

import calendar
import os
import re
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import (
    awards,
    badge_status,
    keys,
    ob2,
    ob3,
    schemacheck,
    signing,
    siteurl,
    writer,
)
from build_tools.diagnostics import Diagnostic, Position
from build_tools.identity import hash_identity, new_assertion_id, new_salt, normalise_email
from build_tools.jsonld_loader import OfflineDocumentLoader
from build_tools.model import BadgeClass, Issuer, PublicKey, Site
from build_tools.urls import Urls


class IssuingError(Exception):
    """The award cannot be made; the message is for the issuer, in French."""


@dataclass(frozen=True)
class Evidence:
    url: str | None = None
    narrative: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("url", self.url), ("narrative", self.narrative)) if v}


@dataclass(frozen=True)
class AwardRequest:
    """One learner to award, as given on the command line or by one row of a group file."""

    email: str
    issued_on: datetime
    expires: datetime | None = None
    name: str | None = None
    name_consent: bool = False
    evidence: tuple[Evidence, ...] = ()
    narrative: str | None = None
    where: Position = field(default=Position("(ligne de commande)"))


@dataclass(frozen=True)
class Signer:
    """The private keys an issuer signs with, and the ids under which they are published.

    The JSON-LD loader is shared by every award the signer signs: it keeps the contexts it has
    processed, which makes canonicalising a group's awards much faster.
    """

    issuer: str
    ed25519_id: str
    ed25519_key: ed25519.Ed25519PrivateKey
    rsa_id: str
    rsa_key: rsa.RSAPrivateKey
    loader: OfflineDocumentLoader = field(
        default_factory=OfflineDocumentLoader, repr=False, compare=False
    )


@dataclass(frozen=True)
class SignedAward:
    assertion_id: str
    request: AwardRequest
    record: str
    expires: str | None


def format_time(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second (``2026-11-23T10:00:00Z``)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the last day of the month when that day does not exist)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_when(value: str, *, end_of_day: bool = False) -> datetime:
    """A date (``2026-11-23``) or a date and time with a zone; dates are taken in UTC."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1, seconds=-1) if end_of_day else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise IssuingError(
            f"date invalide « {value} » : écrivez AAAA-MM-JJ (ex. 2026-11-23)"
        ) from None
    if parsed.tzinfo is None:
        raise IssuingError(f"date et heure « {value} » sans fuseau horaire (ajoutez Z ou +01:00)")
    return parsed


#: Set to 1 where an example site_url is meant (a demonstration, the test suite): no warning.
DEMO_SITE_ENV = "BADGEONS_DEMO_SITE"


def example_site_warning(site_url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """A warning, in French, when ``site_url`` is still an example address; else None.

    An example domain (RFC 2606) never hosts a site: badges signed for it point, once printed,
    to an address that no one can open, and cannot be moved to the real one afterwards.
    ``BADGEONS_DEMO_SITE=1`` says that the example address is meant.
    """
    environ = os.environ if environ is None else environ
    domain = siteurl.example_domain(site_url)
    if domain is None or environ.get(DEMO_SITE_ENV) == "1":
        return None
    return (
        f"Attention : site_url vaut {site_url}, une adresse d'exemple ({domain}) où aucun site "
        "n'est publié. Les badges signés maintenant désigneront cette adresse pour toujours : "
        "leurs QR codes et leurs liens ne mèneront nulle part, et aucun vérificateur ne pourra "
        "les lire. Si ce dépôt est celui de votre collectif, écrivez d'abord son adresse "
        "définitive dans badgeons.yml (docs/deploy.md)."
    )


def check_allowed(site: Site, issuer: str, badge: str) -> tuple[Issuer, BadgeClass]:
    """The issuer and badge, if the issuer may award the badge; else :class:`IssuingError`."""
    if issuer not in site.issuers:
        raise IssuingError(f"émetteur inconnu « {issuer} »")
    if badge not in site.badges:
        raise IssuingError(f"badge inconnu « {badge} »")
    profile, badge_class = site.issuers[issuer], site.badges[badge]
    if profile.is_endorser:
        raise IssuingError(
            f"« {issuer} » recommande des badges (type: endorser) : il ne peut pas en délivrer"
        )
    if profile.is_network:
        raise IssuingError(
            f"« {issuer} » est un réseau : ce sont ses membres qui délivrent les badges"
        )
    if not site.may_award(issuer, badge_class):
        allowed = ", ".join(site.awarders(badge_class)) or "aucun"
        raise IssuingError(
            f"« {issuer} » n'est pas autorisé à délivrer « {badge} » (autorisés : {allowed})"
        )
    refused = badge_status.refusal(site, badge_class)
    if refused is not None:
        raise IssuingError(refused)
    return profile, badge_class


def current_key(profile: Issuer, key_type: str, at: datetime) -> PublicKey:
    """The newest key of a type that is not compromised at ``at``."""
    usable = [
        k
        for k in profile.keys
        if k.type == key_type
        and (k.compromised is None or datetime.fromisoformat(k.compromised) > at)
    ]
    if not usable:
        raise IssuingError(
            f"aucune clé {key_type} utilisable pour « {profile.slug} » : lancez d'abord « badgeons keygen {profile.slug} »"
        )
    return max(usable, key=lambda k: (k.created, k.id))


def load_signer(
    profile: Issuer, passphrase: str | None, key_dir: Path | None, at: datetime
) -> Signer:
    """Load the issuer's current private keys from the key directory (outside the repository)."""
    ed_key, rsa_key = current_key(profile, "Ed25519", at), current_key(profile, "RSA", at)
    try:
        ed = keys.load_private_key(
            profile.slug, ed_key.id, passphrase=passphrase, key_dir=key_dir, expected_type="ed25519"
        )
        rs = keys.load_private_key(
            profile.slug, rsa_key.id, passphrase=passphrase, key_dir=key_dir, expected_type="rsa"
        )
    except keys.PassphraseRequiredError:
        raise
    except keys.WrongPassphraseError:
        raise IssuingError("phrase de passe incorrecte : aucune clé n'a pu être ouverte") from None
    except keys.KeyNotFoundError as exc:
        raise IssuingError(
            f"clé privée introuvable : {exc.filename} ; vérifiez BADGEONS_KEY_DIR (ou --key-dir)"
        ) from None
    except keys.KeyStoreError as exc:
        raise IssuingError(f"clé privée inutilisable : {exc}") from None
    assert isinstance(ed, ed25519.Ed25519PrivateKey) and isinstance(rs, rsa.RSAPrivateKey)
    _check_matches(ed, ed_key, rs, rsa_key)
    return Signer(profile.slug, ed_key.id, ed, rsa_key.id, rs)


def _check_matches(
    ed: ed25519.Ed25519PrivateKey,
    ed_public: PublicKey,
    rs: rsa.RSAPrivateKey,
    rsa_public: PublicKey,
) -> None:
    if keys.ed25519_public_key_to_multibase(ed.public_key()) != ed_public.public_key_multibase:
        raise IssuingError(
            f"la clé privée {ed_public.id} ne correspond pas à la clé publique du profil"
        )
    if dict(keys.rsa_public_key_to_jwk(rs.public_key())) != dict(rsa_public.public_key_jwk or {}):
        raise IssuingError(
            f"la clé privée {rsa_public.id} ne correspond pas à la clé publique du profil"
        )


def sign_award(
    site: Site, issuer: Issuer, badge: BadgeClass, request: AwardRequest, signer: Signer
) -> SignedAward:
    """Sign one award in every format; nothing is written."""
    urls = Urls(site.settings.site_url)
    assertion_id = new_assertion_id()
    salt = new_salt()
    identity = hash_identity(request.email, salt)
    issued_on = format_time(request.issued_on)
    expires_at = request.expires
    if expires_at is None and badge.validity_months:
        expires_at = add_months(request.issued_on, badge.validity_months)
    expires = format_time(expires_at) if expires_at else None
    evidence = [e.as_dict() for e in request.evidence]
    credential = ob3.credential(
        site,
        issuer,
        badge,
        assertion_id=assertion_id,
        subject_id=f"urn:uuid:{uuid.uuid4()}",
        identity_hash=identity,
        salt=salt,
        valid_from=issued_on,
        valid_until=expires,
        evidence=evidence,
        narrative=request.narrative,
    )
    signed = signing.add_eddsa_rdfc_2022_proof(
        credential,
        signer.ed25519_key,
        urls.verification_method(issuer.slug, signer.ed25519_id),
        request.issued_on,
        loader=signer.loader,
    )
    jwk_url = urls.absolute(jwk_path(issuer.slug, signer.rsa_id))
    credential_jwt = signing.encode_vc_jwt(credential, signer.rsa_key, kid=jwk_url)
    payload = ob2.assertion(
        site,
        issuer,
        badge,
        assertion_id=assertion_id,
        identity_hash=identity,
        salt=salt,
        issued_on=issued_on,
        expires=expires,
        evidence=evidence,
        narrative=request.narrative,
        signed_uuid=str(uuid.uuid4()),
        signing_key=signer.rsa_id,
    )
    ob2_jws = signing.sign_jws(
        payload, signer.rsa_key, kid=urls.absolute(urls.ob2_key(issuer.slug, signer.rsa_id))
    )
    record = awards.record_to_json(signed, credential_jwt, ob2_jws)
    return SignedAward(assertion_id, request, record, expires)


def jwk_path(issuer: str, key: str) -> str:
    return Urls.jwk(issuer, key)


def write_awards(
    root: Path, issuer: str, signed: Sequence[SignedAward], consent_day: date
) -> list[Path]:
    """Write the records, then the consented display names; return the record paths.

    Each file is written to a temporary name and renamed, so a record is never half-written.
    """
    folder = root / "issuers" / issuer / "assertions"
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for award in signed:
            descriptor, temporary = tempfile.mkstemp(prefix=".award-", dir=folder)
            # Staged before writing, so that a failed write is cleaned up too.
            staged.append((temporary, awards.record_path(root, issuer, award.assertion_id)))
            os.fchmod(descriptor, writer.shared_file_mode())
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(award.record)
    except BaseException:
        for temporary, _ in staged:
            os.unlink(temporary)
        raise
    written = []
    for temporary, final in staged:
        os.replace(temporary, final)
        written.append(final)
    names = [
        (a.assertion_id, a.request.name)
        for a in signed
        if a.request.name and a.request.name_consent
    ]
    if names:
        append_yaml_items(
            root / "issuers" / issuer / "holders.yaml",
            HOLDERS_HEADER,
            [{"assertion": i, "name": n, "consent": consent_day.isoformat()} for i, n in names],
        )
    return written


HOLDERS_HEADER = (
    "# yaml-language-server: $schema=../../build_tools/schemas/holders.schema.json\n"
    "# Noms affichés avec l'accord des personnes (badgeons award --name ... --name-consent).\n"
    "# Si une personne retire son accord, supprimez son entrée : son nom disparaîtra du site.\n"
)


def append_yaml_items(path: Path, header: str, items: list[dict[str, Any]]) -> None:
    """Append items to a YAML list file, keeping what it says (comments included)."""
    import json

    text = path.read_text(encoding="utf-8") if path.exists() else header
    lines = text.splitlines()
    # An empty flow list (``[]``, maybe with a comment after it) becomes the block list's start.
    last = next((i for i in reversed(range(len(lines))) if _content(lines[i])), None)
    if last is not None and _content(lines[last]) == "[]":
        comment = lines[last].strip()[2:].strip()
        lines[last : last + 1] = [comment] if comment else []
        text = "\n".join(lines) + "\n"
    if text and not text.endswith("\n"):
        text += "\n"
    for item in items:
        entry = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in item.items()]
        text += "- " + "\n  ".join(entry) + "\n"
    writer.write_text_atomically(path, text)


def _content(line: str) -> str:
    """A YAML line without its trailing comment (a ``#`` after a space), stripped."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return ""
    return stripped.split(" #", 1)[0].strip()


def _name_schema() -> dict[str, Any]:
    schema: dict[str, Any] = schemacheck.load_schema("holders")["items"]["properties"]["name"]
    return schema


def display_name_problem(name: str) -> str | None:
    """Why ``name`` may not be shown as a holder's name (an address, a number...), if so."""
    schema = _name_schema()
    if len(name) > schema["maxLength"]:
        return f"un nom affiché a au plus {schema['maxLength']} caractères"
    if re.search(schema["pattern"], name) is None:
        return str(schema["errorMessage"])
    return None


def request_problems(requests: Sequence[AwardRequest]) -> list[Diagnostic]:
    """Problems of the requests themselves, with the row of each (all of them, in one run)."""
    problems: list[Diagnostic] = []
    for request in requests:
        if request.expires and request.expires <= request.issued_on:
            problems.append(
                request.where.error("expires", "la date d'expiration précède la date d'attribution")
            )
        if request.name and not request.name_consent:
            problems.append(
                request.where.error(
                    "name",
                    "un nom n'est publié qu'avec l'accord de la personne : ajoutez --name-consent si elle l'accepte",
                )
            )
        # The rule of holders.yaml's schema, which those of the map's consents and of the
        # « sacs à badges » share: checked before anything is signed.
        refused = display_name_problem(request.name) if request.name else None
        if refused:
            problems.append(request.where.error("name", f"« {request.name} » : {refused}"))
        for item in request.evidence:
            if item.url and not item.url.startswith(("https://", "http://")):
                problems.append(
                    request.where.error(
                        "evidence_url", f"« {item.url} » : une preuve est une adresse https://"
                    )
                )
    return problems


def normalise(email: str) -> str:
    return normalise_email(email)


REVOCATIONS_HEADER = (
    "# yaml-language-server: $schema=../../build_tools/schemas/revocations.schema.json\n"
    '# Badges révoqués (badgeons revoke ID --reason "..."). Une révocation n\'est jamais retirée.\n'
)


def revoke(site: Site, assertion_id: str, reason: str, now: datetime) -> Path:
    """Record the revocation of an award in its issuer's revocations.yaml; return that file."""
    award = site.awards.get(assertion_id)
    if award is None:
        raise IssuingError(f"aucun badge délivré ne porte l'identifiant « {assertion_id} »")
    if assertion_id in site.revocations:
        raise IssuingError(f"le badge « {assertion_id} » est déjà révoqué")
    text = reason.strip()
    if len(text) < 3 or len(text) > 500:
        raise IssuingError(
            "le motif de révocation doit faire de 3 à 500 caractères (il est public)"
        )
    if "@" in text:
        raise IssuingError("le motif de révocation est public : n'y mettez pas d'adresse e-mail")
    path = site.root / "issuers" / award.issuer / "revocations.yaml"
    append_yaml_items(
        path,
        REVOCATIONS_HEADER,
        [{"assertion": assertion_id, "reason": text, "date": format_time(now)}],
    )
    return path
