"""Load the awarded badges of every issuer: signed records, revocations and display names.

Layout below ``issuers/<issuer>/``:

- ``assertions/<id>.json``: one signed record per award, never edited once committed;
- ``revocations.yaml``: written by ``badgeons revoke``;
- ``holders.yaml``: display names that holders agreed to show.

This stage checks shape and consistency only; signatures are checked by
:mod:`build_tools.verification`, which needs the linked site.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from build_tools import parallel, schemacheck
from build_tools.diagnostics import Diagnostic, Position
from build_tools.identity import is_assertion_id
from build_tools.model import Award, Revocation, Site
from build_tools.urls import Urls
from build_tools.yamlsource import load_yaml

RECORD_FORMAT = "badgeons/assertion/1"
_ACHIEVEMENT_PATH = re.compile(
    r"^badges/([a-z0-9]+(?:-[a-z0-9]+)*)/v([0-9]+(?:\.[0-9]+){0,2})/achievement\.json$"
)


def record_path(root: Path, issuer: str, assertion_id: str) -> Path:
    return root / "issuers" / issuer / "assertions" / f"{assertion_id}.json"


def record_to_json(credential: dict[str, Any], credential_jwt: str, ob2_jws: str) -> str:
    """The stored form of an award: stable key order, one file per award."""
    record = {
        "format": RECORD_FORMAT,
        "ob3": credential,
        "ob3_jwt": credential_jwt,
        "ob2_jws": ob2_jws,
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def read_record_file(
    path: Path, shown: str, record_format: str
) -> tuple[bytes, dict[str, Any] | None, list[Diagnostic]]:
    """The bytes and JSON object of a signed record (award or endorsement), or its problems."""
    where = Position(shown, 1, 1)
    try:
        data = path.read_bytes()
        record = json.loads(data.decode("utf-8"))
    except OSError as exc:
        return b"", None, [where.error("", f"fichier illisible : {exc.strerror}")]
    except UnicodeDecodeError:
        return b"", None, [where.error("", "le fichier n'est pas encodé en UTF-8")]
    except json.JSONDecodeError as exc:
        return (
            b"",
            None,
            [Position(shown, exc.lineno, exc.colno).error("", f"JSON invalide : {exc.msg}")],
        )
    if not isinstance(record, dict) or record.get("format") != record_format:
        return (
            data,
            None,
            [
                where.error(
                    "format", f"enregistrement inconnu : « format » doit valoir « {record_format} »"
                )
            ],
        )
    return data, record, []


def parse_award(
    site: Site, issuer: str, path: Path, shown: str
) -> tuple[Award | None, list[Diagnostic]]:
    """Read one record and check that it belongs where it is stored."""
    where = Position(shown, 1, 1)
    assertion_id = path.stem
    if not is_assertion_id(assertion_id):
        return None, [
            Position(shown).error(
                "",
                "nom de fichier invalide : l'identifiant d'un badge délivré a 26 caractères a-z et 2-7",
            )
        ]
    data, record, problems = read_record_file(path, shown, RECORD_FORMAT)
    if record is None:
        return None, problems
    credential = record.get("ob3")
    jwt = record.get("ob3_jwt")
    jws = record.get("ob2_jws")
    for name, value, kind in (
        ("ob3", credential, dict),
        ("ob3_jwt", jwt, str),
        ("ob2_jws", jws, str),
    ):
        if not isinstance(value, kind):
            problems.append(where.error(name, "champ obligatoire manquant ou mal formé"))
    if problems:
        return None, problems
    assert isinstance(credential, dict) and isinstance(jwt, str) and isinstance(jws, str)
    urls = Urls(site.settings.site_url)
    try:
        subject = credential["credentialSubject"]
        identifier = subject["identifier"][0]
        achievement_id = subject["achievement"]["id"]
        issuer_id = credential["issuer"]["id"]
        issued_on = credential["validFrom"]
        expires = credential.get("validUntil")
        identity_hash, salt = identifier["identityHash"], identifier["salt"]
        credential_id = credential["id"]
    except (KeyError, IndexError, TypeError) as exc:
        return None, [
            where.error("ob3", f"credential incomplet ({exc.__class__.__name__} : {exc})")
        ]
    if credential_id != urls.absolute(urls.assertion_file(assertion_id, "vc.json")):
        problems.append(
            where.error(
                "ob3.id",
                f"l'identifiant « {credential_id} » ne correspond pas au fichier {assertion_id}.json",
            )
        )
    if issuer_id != urls.did(issuer):
        problems.append(
            where.error(
                "ob3.issuer.id",
                f"émetteur « {issuer_id} » : ce badge est rangé chez « {issuer} » ({urls.did(issuer)})",
            )
        )
    match = _ACHIEVEMENT_PATH.match(urls.path_of(str(achievement_id)) or "")
    if not match:
        problems.append(
            where.error(
                "ob3.credentialSubject.achievement.id",
                f"« {achievement_id} » n'est pas un badge de ce site",
            )
        )
        return None, problems
    badge, version = match.groups()
    if badge not in site.badges:
        problems.append(
            where.error("ob3.credentialSubject.achievement.id", f"badge inconnu « {badge} »")
        )
    if problems:
        return None, problems
    award = Award(
        id=assertion_id,
        issuer=issuer,
        badge=badge,
        badge_version=version,
        issued_on=str(issued_on),
        expires=str(expires) if expires else None,
        identity_hash=str(identity_hash),
        salt=str(salt),
        record=path,
        digest=hashlib.sha256(data).hexdigest(),
        source=where,
        criteria_digest=criteria_digest(credential),
    )
    return award, []


def criteria_digest(credential: dict[str, Any]) -> str:
    """SHA-256 of the criteria narrative embedded in a credential ("" when it has none)."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    criteria = achievement.get("criteria") if isinstance(achievement, dict) else None
    narrative = criteria.get("narrative") if isinstance(criteria, dict) else None
    return hashlib.sha256(str(narrative or "").encode("utf-8")).hexdigest()


def record_files(site: Site, folder: str) -> Iterator[tuple[str, Path, str]]:
    """(issuer, path, path as shown) of every signed record in ``issuers/<slug>/<folder>/``."""
    for issuer in site.issuers:
        directory = site.root / "issuers" / issuer / folder
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            yield issuer, path, path.relative_to(site.root).as_posix()


def load_awards(site: Site) -> tuple[dict[str, Award], list[Diagnostic]]:
    """Every award of every issuer, keyed by assertion id."""
    awards: dict[str, Award] = {}
    problems: list[Diagnostic] = []
    files = list(record_files(site, "assertions"))
    # Reading and parsing records is most of the work: both cores, results in file order.
    parsed = parallel.map_chunks(_parse_chunk, site, files, label="Lecture des badges délivrés")
    for (_, _, shown), (award, found) in zip(files, parsed, strict=True):
        problems += found
        if award is None:
            continue
        if award.id in awards:
            other = awards[award.id].source.path
            problems.append(
                Position(shown, 1, 1).error("", f"identifiant déjà utilisé par {other}")
            )
            continue
        awards[award.id] = award
    return awards, problems


def _parse_chunk(
    site: Site, files: Sequence[tuple[str, Path, str]]
) -> list[tuple[Award | None, list[Diagnostic]]]:
    return [parse_award(site, issuer, path, shown) for issuer, path, shown in files]


def _load_list(
    site: Site, issuer: str, name: str, kind: str
) -> tuple[list[tuple[dict[str, Any], Position]], list[Diagnostic]]:
    path = site.root / "issuers" / issuer / name
    if not path.is_file():
        return [], []
    shown = path.relative_to(site.root).as_posix()
    source, problems = load_yaml(path, shown)
    if source is None or problems:
        return [], problems
    if source.data is None:
        return [], []
    problems = schemacheck.check(source, kind)
    if problems:
        return [], problems
    return [(item, source.locate((i,))) for i, item in enumerate(source.data)], []


def _unreadable(site: Site, issuer: str, assertion: str) -> bool:
    """Whether the issuer has a record of that id that did not load (and was reported)."""
    return record_path(site.root, issuer, assertion).is_file()


def load_revocations(
    site: Site, awards: dict[str, Award]
) -> tuple[dict[str, Revocation], list[Diagnostic]]:
    revocations: dict[str, Revocation] = {}
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        items, found = _load_list(site, issuer, "revocations.yaml", "revocations")
        problems += found
        for item, where in items:
            assertion = item["assertion"]
            award = awards.get(assertion)
            if award is None and _unreadable(site, issuer, assertion):
                continue
            if award is None or award.issuer != issuer:
                problems.append(
                    where.error("assertion", f"aucun badge « {assertion} » délivré par {issuer}")
                )
            elif assertion in revocations:
                problems.append(where.error("assertion", "badge déjà révoqué plus haut"))
            else:
                revocations[assertion] = Revocation(assertion, item["reason"], item["date"], where)
    return revocations, problems


def load_display_names(
    site: Site, awards: dict[str, Award]
) -> tuple[dict[str, str], list[Diagnostic]]:
    names: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        items, found = _load_list(site, issuer, "holders.yaml", "holders")
        problems += found
        for item, where in items:
            award = awards.get(item["assertion"])
            if award is None and _unreadable(site, issuer, item["assertion"]):
                continue
            if award is None or award.issuer != issuer:
                problems.append(
                    where.error(
                        "assertion", f"aucun badge « {item['assertion']} » délivré par {issuer}"
                    )
                )
            elif item["assertion"] in names:
                problems.append(where.error("assertion", "nom déjà donné plus haut pour ce badge"))
            else:
                names[item["assertion"]] = item["name"]
    return names, problems
