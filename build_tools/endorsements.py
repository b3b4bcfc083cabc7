"""Load, verify, publish and show the endorsements signed with ``badgeons endorse``.

Each endorser (``type: endorser``) keeps its records in ``issuers/<endorser>/endorsements/``
(format in :mod:`build_tools.endorsing`). At build time every record is checked in full, like an
award: the ``eddsa-rdfc-2022`` proof, the VC-JWT and the 2.0 JWS against the keys the endorser's
profile publishes, and the agreement of the three forms. Each refusal names the file and the
rule. Published paths: ``e/<id>.vc.json`` and ``e/<id>.vc.jwt`` (Open Badges 3.0),
``e/<id>.json`` (hosted 2.0 Endorsement) and ``e/<id>.jws`` (signed 2.0 Endorsement).

An award signed before an endorsement cannot embed it (its ``achievement.endorsement`` is
frozen by its proof), so endorsements are shown alongside the awards they concern, never
written into them.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from build_tools import ob2
from build_tools.awards import read_record_file, record_files, site_url_moved
from build_tools.diagnostics import Diagnostic, Position
from build_tools.endorsing import RECORD_FORMAT
from build_tools.identity import is_assertion_id
from build_tools.jsonld_loader import OfflineDocumentLoader
from build_tools.model import EndorsedKind, Endorsement, Site
from build_tools.urls import Urls
from build_tools.verification import SignedForms, _Keys, verify_signed_forms

_ACHIEVEMENT = re.compile(r"^badges/([a-z0-9]+(?:-[a-z0-9]+)*)/v[0-9.]+/achievement\.json$")
_ASSERTION = re.compile(r"^a/([a-z2-7]{26})\.vc\.json$")


def _target_of(site: Site, subject_id: str) -> tuple[EndorsedKind, str] | None:
    """The kind and key of what a ``credentialSubject.id`` names, if it is of this site."""
    urls = Urls(site.settings.site_url)
    for slug, profile in site.issuers.items():
        if subject_id == urls.did(slug) and not profile.is_endorser:
            return "issuer", slug
    path = urls.path_of(subject_id) or ""
    match = _ACHIEVEMENT.match(path)
    if match and match.group(1) in site.badges:
        return "badge", match.group(1)
    match = _ASSERTION.match(path)
    if match and match.group(1) in site.awards:
        return "assertion", match.group(1)
    return None


def expected_ob2_claim(site: Site, endorsement: Endorsement) -> str:
    """The ``claim.id`` the 2.0 Endorsement must carry (see :mod:`build_tools.endorsing`)."""
    urls = Urls(site.settings.site_url)
    if endorsement.target_kind == "issuer":
        return urls.absolute(urls.ob2_profile(endorsement.target))
    if endorsement.target_kind == "assertion":
        return urls.absolute(urls.assertion_file(endorsement.target, "json"))
    return str(endorsement.credential["credentialSubject"]["id"])


def parse_endorsement(
    site: Site, endorser: str, path: Path, shown: str, moved: dict[str, list[str]] | None = None
) -> tuple[Endorsement | None, list[Diagnostic]]:
    """Read one record and check that it belongs where it is stored.

    A record signed under another site_url is added to ``moved``, by that site_url.
    """
    where = Position(shown, 1, 1)
    if not is_assertion_id(path.stem):
        return None, [
            where.error("", "nom de fichier invalide : un identifiant a 26 caractères a-z et 2-7")
        ]
    _, record, unreadable = read_record_file(path, shown, RECORD_FORMAT)
    if record is None:
        return None, unreadable
    credential, jwt, jws = record.get("ob3"), record.get("ob3_jwt"), record.get("ob2_jws")
    if not (isinstance(credential, dict) and isinstance(jwt, str) and isinstance(jws, str)):
        return None, [where.error("ob3", "champs ob3, ob3_jwt et ob2_jws obligatoires")]
    urls = Urls(site.settings.site_url)
    try:
        subject = credential["credentialSubject"]
        subject_id, comment = str(subject["id"]), str(subject["endorsementComment"])
        issuer_id, issued_on = credential["issuer"]["id"], str(credential["validFrom"])
        expires, types = credential.get("validUntil"), credential["type"]
    except (KeyError, TypeError) as exc:
        return None, [
            where.error("ob3", f"credential incomplet ({exc.__class__.__name__} : {exc})")
        ]
    problems: list[Diagnostic] = []
    if "EndorsementCredential" not in types:
        problems.append(where.error("ob3.type", "ce n'est pas un EndorsementCredential"))
    tail = urls.endorsement_file(path.stem, "vc.json")
    if credential.get("id") != urls.absolute(tail):
        if moved is not None and str(credential.get("id")).endswith("/" + tail):
            # Signed under another site_url: load_endorsements tells whether the settings moved.
            moved.setdefault(str(credential["id"])[: -len(tail)], []).append(shown)
        problems.append(
            where.error("ob3.id", f"l'identifiant ne correspond pas au fichier {path.stem}.json")
        )
    if not site.issuers[endorser].is_endorser:
        problems.append(
            where.error("", f"« {endorser} » n'est pas un recommandeur (type: endorser)")
        )
    if issuer_id != urls.did(endorser):
        problems.append(
            where.error(
                "ob3.issuer.id",
                f"émetteur « {issuer_id} » : cette recommandation est rangée chez « {endorser} »",
            )
        )
    target = _target_of(site, subject_id)
    if target is None:
        problems.append(
            where.error(
                "ob3.credentialSubject.id",
                f"« {subject_id} » n'est ni un badge, ni un émetteur, ni un badge délivré de ce site",
            )
        )
    if problems or target is None:
        return None, problems
    endorsement = Endorsement(
        id=path.stem,
        endorser=endorser,
        target_kind=target[0],
        target=target[1],
        comment=comment,
        issued_on=issued_on,
        expires=str(expires) if expires else None,
        credential=credential,
        credential_jwt=jwt,
        ob2_jws=jws,
        source=where,
    )
    return endorsement, []


def load_endorsements(site: Site) -> tuple[dict[str, Endorsement], list[Diagnostic]]:
    """Every endorsement of every endorser, keyed by id (shape and consistency only)."""
    found: dict[str, Endorsement] = {}
    moved: dict[str, list[str]] = {}
    files = list(record_files(site, "endorsements"))
    parsed = [parse_endorsement(site, slug, path, shown, moved) for slug, path, shown in files]
    # A changed site_url is said once, on badgeons.yml (see awards.site_url_moved).
    problems, explained = site_url_moved(site, moved, len(files), endorsements=True)
    for (_, _, shown), (endorsement, errors) in zip(files, parsed, strict=True):
        if shown not in explained:
            problems += errors
        if endorsement is None:
            continue
        if endorsement.id in found or endorsement.id in site.awards:
            problems.append(Position(shown, 1, 1).error("", "identifiant déjà utilisé"))
            continue
        found[endorsement.id] = endorsement
    return found, problems


def with_endorsements(site: Site, *, check_signatures: bool) -> tuple[Site, list[Diagnostic]]:
    """The site with its endorsements loaded and, if asked, verified (the pipeline's one call)."""
    found, problems = load_endorsements(site)
    site = dataclasses.replace(site, endorsements=MappingProxyType(found))
    if check_signatures and not problems:
        problems += verify_all(site)
    return site, problems


def _payload(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return value


def verify_endorsement(
    site: Site, endorsement: Endorsement, *, loader: OfflineDocumentLoader | None = None
) -> list[Diagnostic]:
    """Every problem of one endorsement's signatures; an empty list means all three hold."""
    signed_at = _parse(endorsement.issued_on)
    return verify_signed_forms(
        endorsement.source,
        SignedForms(endorsement.credential, endorsement.credential_jwt, endorsement.ob2_jws),
        _Keys(site, site.issuers[endorsement.endorser]),
        loader,
        proof_time=signed_at,
        token_time=signed_at,
        ob2_mismatches=lambda payload: _ob2_mismatches(site, endorsement, payload),
        ob2_name="recommandation Open Badges 2.0",
    )


def _ob2_mismatches(site: Site, endorsement: Endorsement, payload: dict[str, Any]) -> list[str]:
    urls = Urls(site.settings.site_url)
    claim = payload.get("claim") or {}
    problems = []
    if payload.get("@context") != ob2.OB_V2 or payload.get("type") != "Endorsement":
        problems.append("ce n'est pas une recommandation (Endorsement) Open Badges 2.0")
    if claim.get("id") != expected_ob2_claim(site, endorsement):
        problems.append("claim.id ne désigne pas ce que recommande le credential 3.0")
    if claim.get("endorsementComment") != endorsement.comment:
        problems.append("claim.endorsementComment diffère du credential 3.0")
    if payload.get("issuedOn") != endorsement.issued_on:
        problems.append("issuedOn diffère du credential 3.0")
    if payload.get("issuer") != urls.absolute(urls.ob2_profile(endorsement.endorser)):
        problems.append("issuer ne désigne pas le profil 2.0 du recommandeur")
    return problems


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def verify_all(site: Site) -> list[Diagnostic]:
    """Diagnostics of every endorsement whose signatures do not hold, in id order."""
    loader = OfflineDocumentLoader()
    problems: list[Diagnostic] = []
    for endorsement_id in sorted(site.endorsements):
        problems += verify_endorsement(site, site.endorsements[endorsement_id], loader=loader)
    return problems


def hosted(site: Site, endorsement: Endorsement) -> dict[str, Any]:
    """The hosted 2.0 Endorsement: the signed one re-identified by the URL it is served from."""
    urls = Urls(site.settings.site_url)
    document = _payload(endorsement.ob2_jws)
    document["id"] = urls.absolute(urls.endorsement_file(endorsement.id, "json"))
    document["verification"] = {"type": "HostedBadge"}
    return document


def files(site: Site) -> Iterator[tuple[str, bytes]]:
    """The published documents of every endorsement, by site path."""
    urls = Urls(site.settings.site_url)
    for endorsement in site.endorsements.values():
        file = urls.endorsement_file
        yield file(endorsement.id, "vc.json"), _dump(endorsement.credential)
        yield file(endorsement.id, "vc.jwt"), endorsement.credential_jwt.encode("ascii")
        yield file(endorsement.id, "json"), _dump(hosted(site, endorsement))
        yield file(endorsement.id, "jws"), endorsement.ob2_jws.encode("ascii")


def _dump(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def of(site: Site, kind: EndorsedKind, key: str) -> list[Endorsement]:
    """The endorsements of one badge, issuer or award, oldest first."""
    found = [e for e in site.endorsements.values() if e.target_kind == kind and e.target == key]
    return sorted(found, key=lambda e: (e.issued_on, e.id))


def shown_on_award(site: Site, award_id: str) -> list[dict[str, str]]:
    """What an award's verification page shows: endorsements of the award, its badge, its issuer.

    Links are relative to a page in ``a/``.
    """
    award = site.awards[award_id]
    urls = Urls(site.settings.site_url)
    groups: list[tuple[str, list[Endorsement]]] = [
        ("à propos de ce badge délivré", of(site, "assertion", award.id)),
        (
            f"à propos du badge « {site.badges[award.badge].name.fr} »",
            of(site, "badge", award.badge),
        ),
        (
            f"à propos de l'émetteur {site.issuers[award.issuer].name.fr}",
            of(site, "issuer", award.issuer),
        ),
    ]
    return [
        {
            "about": about,
            "endorser": site.issuers[e.endorser].name.fr,
            "endorser_page": "../" + urls.issuer_page(e.endorser),
            "comment": e.comment,
            "date": e.issued_on[:10],
            "href": "../" + urls.endorsement_file(e.id, "vc.json"),
            "href_ob2": "../" + urls.endorsement_file(e.id, "json"),
        }
        for about, items in groups
        for e in items
    ]
