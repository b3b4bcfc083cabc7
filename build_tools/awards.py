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
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from build_tools import cache, discover, fastjson, parallel
from build_tools.diagnostics import Diagnostic, Position, unreadable_file
from build_tools.identity import is_assertion_id
from build_tools.model import Award, Revocation, Site
from build_tools.urls import Urls

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


def decode_record(
    data: bytes, shown: str, record_format: str, *, exact: bool = False
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """The JSON object of a signed record's bytes (award or endorsement), or its problems.

    ``exact``: :func:`fastjson.exact` is known to hold for ``data``.
    """
    where = Position(shown, 1, 1)
    try:
        record = fastjson.loads(data.decode("utf-8"), exact=exact)
    except UnicodeDecodeError:
        return None, [where.error("", "le fichier n'est pas encodé en UTF-8")]
    except json.JSONDecodeError as exc:
        return None, [
            Position(shown, exc.lineno, exc.colno).error("", f"JSON invalide : {exc.msg}")
        ]
    if not isinstance(record, dict) or record.get("format") != record_format:
        message = f"enregistrement inconnu : « format » doit valoir « {record_format} »"
        return None, [where.error("format", message)]
    return record, []


def read_record_file(
    path: Path, shown: str, record_format: str
) -> tuple[bytes, dict[str, Any] | None, list[Diagnostic]]:
    """The bytes and JSON object of a signed record (award or endorsement), or its problems.

    The bytes are empty when the file could not be read.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return b"", None, [Position(shown, 1, 1).error("", unreadable_file(exc))]
    record, problems = decode_record(data, shown, record_format)
    return data, record, problems


class Claims(NamedTuple):
    """What an award's record says of itself: all that its bytes alone tell (see read_claims).

    The three identifiers are kept as the record has them (any JSON value): whether they name
    this site, this issuer and a known badge is checked against the site by :class:`_Placer`.
    """

    credential_id: Any
    issuer_id: Any
    achievement_id: Any
    issued_on: str
    expires: str | None
    identity_hash: str
    salt: str
    criteria_digest: str
    #: Whether orjson reads the record exactly (fastjson.exact): the stages that read it again
    #: then parse it without searching it for long integers first.
    exact: bool


def read_claims(data: bytes, shown: str) -> tuple[Claims | None, list[Diagnostic]]:
    """The claims of an award's record, or its problems; a function of the bytes alone."""
    where = Position(shown, 1, 1)
    exact = fastjson.exact(data)
    record, problems = decode_record(data, shown, RECORD_FORMAT, exact=exact)
    if record is None:
        return None, problems
    credential = record.get("ob3")
    for name, value, kind in (
        ("ob3", credential, dict),
        ("ob3_jwt", record.get("ob3_jwt"), str),
        ("ob2_jws", record.get("ob2_jws"), str),
    ):
        if not isinstance(value, kind):
            problems.append(where.error(name, "champ obligatoire manquant ou mal formé"))
    if problems:
        return None, problems
    assert isinstance(credential, dict)
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
    claims = Claims(
        credential_id=credential_id,
        issuer_id=issuer_id,
        achievement_id=achievement_id,
        issued_on=str(issued_on),
        expires=str(expires) if expires else None,
        identity_hash=str(identity_hash),
        salt=str(salt),
        criteria_digest=criteria_digest(credential),
        exact=exact,
    )
    return claims, []


class _Placer:
    """Checks that records belong where they are stored, in one site (its URLs made once)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.urls = Urls(site.settings.site_url)
        self._dids: dict[str, str] = {}
        self._badges: dict[str, tuple[str, str] | None] = {}
        #: Records whose identifier is this site's but under another site_url, by that URL.
        self.moved: dict[str, list[str]] = {}

    def award(
        self, issuer: str, path: Path, shown: str, digest: str, claims: Claims
    ) -> tuple[Award | None, list[Diagnostic]]:
        """The award of a record's claims, or why it does not belong at ``path``."""
        return self.award_of(issuer, path.stem, path, shown, digest, claims)

    def award_of(
        self,
        issuer: str,
        assertion_id: str,
        path: Path,
        shown: str,
        digest: str,
        claims: Claims,
    ) -> tuple[Award | None, list[Diagnostic]]:
        """:meth:`award`, the id (the stem of ``path``) already known."""
        where = Position(shown, 1, 1)
        urls = self.urls
        problems: list[Diagnostic] = []
        tail = urls.assertion_file(assertion_id, "vc.json")
        if claims.credential_id != urls.absolute(tail):
            if claims.credential_id.endswith("/" + tail):
                # Signed under another site_url: load_awards tells whether the settings moved.
                self.moved.setdefault(claims.credential_id[: -len(tail)], []).append(shown)
            problems.append(
                where.error(
                    "ob3.id",
                    f"l'identifiant « {claims.credential_id} » ne correspond pas au fichier "
                    f"{assertion_id}.json",
                )
            )
        did = self._dids.get(issuer)
        if did is None:
            did = self._dids[issuer] = urls.did(issuer)
        if claims.issuer_id != did:
            problems.append(
                where.error(
                    "ob3.issuer.id",
                    f"émetteur « {claims.issuer_id} » : ce badge est rangé chez « {issuer} » ({did})",
                )
            )
        achievement_id = str(claims.achievement_id)
        if achievement_id not in self._badges:
            match = _ACHIEVEMENT_PATH.match(urls.path_of(achievement_id) or "")
            self._badges[achievement_id] = (match[1], match[2]) if match else None
        found = self._badges[achievement_id]
        if found is None:
            problems.append(
                where.error(
                    "ob3.credentialSubject.achievement.id",
                    f"« {achievement_id} » n'est pas un badge de ce site",
                )
            )
            return None, problems
        badge, version = found
        if badge not in self.site.badges:
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
            issued_on=claims.issued_on,
            expires=claims.expires,
            identity_hash=claims.identity_hash,
            salt=claims.salt,
            record=path,
            digest=digest,
            source=where,
            criteria_digest=claims.criteria_digest,
            exact=claims.exact,
        )
        return award, []


def _stem(shown: str) -> str:
    """The stem of a path as :func:`record_files` shows it (``Path.stem``, without a Path)."""
    name = shown[shown.rfind("/") + 1 :]
    return name[:-5] if len(name) > len(".json") else name


def _bad_name(shown: str) -> Diagnostic:
    return Position(shown).error(
        "", "nom de fichier invalide : l'identifiant d'un badge délivré a 26 caractères a-z et 2-7"
    )


def parse_award(
    site: Site, issuer: str, path: Path, shown: str
) -> tuple[Award | None, list[Diagnostic]]:
    """Read one record and check that it belongs where it is stored."""
    digest, claims, problems = _read_one(path, shown)
    if claims is None:
        return None, problems
    assert digest is not None
    return _Placer(site).award(issuer, path, shown, digest, claims)


def _read_one(path: Path, shown: str) -> tuple[str | None, Claims | None, list[Diagnostic]]:
    """The SHA-256 of a record and its claims, or its problems (no SHA-256 if not read)."""
    if not is_assertion_id(path.stem):
        return None, None, [_bad_name(shown)]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return (
            None,
            None,
            [Position(shown, 1, 1).error("", unreadable_file(exc))],
        )
    claims, problems = read_claims(data, shown)
    return hashlib.sha256(data).hexdigest(), claims, problems


def criteria_digest(credential: dict[str, Any]) -> str:
    """SHA-256 of the criteria narrative embedded in a credential ("" when it has none)."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    criteria = achievement.get("criteria") if isinstance(achievement, dict) else None
    narrative = criteria.get("narrative") if isinstance(criteria, dict) else None
    return hashlib.sha256(str(narrative or "").encode("utf-8")).hexdigest()


def record_files(site: Site, folder: str) -> Iterator[tuple[str, Path, str]]:
    """(issuer, path, path as shown) of every signed record in ``issuers/<slug>/<folder>/``.

    Every name that ends in ``.json`` counts, in name order (a hidden file or a folder too: it
    is reported rather than silently skipped).
    """
    for issuer in site.issuers:
        directory = site.root / "issuers" / issuer / folder
        try:
            with os.scandir(directory) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".json"))
        except OSError:  # No such folder (or not one that can be listed): no records.
            continue
        prefix = f"issuers/{issuer}/{folder}/"
        for name in names:
            yield issuer, directory / name, prefix + name


def _encode_claims(claims: Claims | None, problems: list[Diagnostic], shown: str) -> object:
    """What the index of records keeps of one record: its claims, or its problems."""
    if claims is not None:
        return list(claims)
    return {"problems": cache.encode_diagnostics(problems, shown)}


def _decode_claims(value: object, shown: str) -> tuple[Claims | None, list[Diagnostic]] | None:
    """The claims or problems of :func:`_encode_claims`, or None when ``value`` holds neither."""
    if isinstance(value, list) and len(value) == len(Claims._fields):
        claims = Claims._make(value)
        if (
            isinstance(claims.issued_on, str)
            and isinstance(claims.identity_hash, str)
            and isinstance(claims.salt, str)
            and isinstance(claims.criteria_digest, str)
            and isinstance(claims.exact, bool)
            and (claims.expires is None or isinstance(claims.expires, str))
        ):
            return claims, []
    elif isinstance(value, dict):
        problems = cache.decode_diagnostics(value.get("problems"), shown)
        if problems:
            return None, problems
    return None


# A file whose status changed less than this long before a build may still change within the
# same clock tick as its recorded status; it is hashed again until it has settled.
_SETTLED_NS = 2_000_000_000


def _known_digest(path: str, shown: str, stats: cache.Index, settled: int) -> str | None:
    """The SHA-256 of a record, or None when it cannot be read.

    As git does for its index, a record whose file has the size, modification and change times
    and inode it had when it was last hashed is not read again; every other record is read and
    hashed. Only files whose status had settled before that build are trusted this way (a
    change within the same clock tick would keep its times), and a record that changed anyway
    is caught when its signed forms are read (``model.RecordChangedError``).
    """
    try:
        status = os.stat(path)
    except OSError:
        return None
    signature = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
    known = stats.get(shown)
    if isinstance(known, list) and known[:4] == signature and isinstance(known[4], str):
        return known[4]
    try:
        with open(path, "rb", buffering=0) as handle:
            data = handle.read()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if len(data) == status.st_size and status.st_ctime_ns < settled:
        stats.put(shown, [*signature, digest])
    return digest


def load_awards(
    site: Site, meanwhile: Callable[[], None] = lambda: None
) -> tuple[dict[str, Award], list[Diagnostic]]:
    """Every award of every issuer, keyed by assertion id.

    Each record is read and hashed at every load. What its bytes say (:func:`read_claims`) is
    kept in the build cache under their SHA-256 (cache.Index, one file for all records), so
    that an unchanged record is not parsed again; whether it belongs where it is stored is
    checked every time against the site.

    ``meanwhile`` is called while the workers read the records that must be read: this
    process is free then, for what the caller can do without the awards.
    """
    files = list(record_files(site, "assertions"))
    root = os.fspath(site.root)
    index = cache.open_index(site.root, "records")
    stats = cache.open_index(site.root, "record-stats")
    placer = _Placer(site)
    results: list[tuple[Award | None, list[Diagnostic]]] = [(None, [])] * len(files)
    missing = list(range(len(files)))
    if index.stored:
        # Records the index may know: hash each (or know its hash from its unchanged file,
        # see _known_digest), parse only the unknown ones.
        missing = []
        settled = time.time_ns() - _SETTLED_NS
        for position, (issuer, path, shown) in enumerate(files):
            assertion_id = _stem(shown)
            if not is_assertion_id(assertion_id):
                results[position] = (None, [_bad_name(shown)])
                continue
            # The path as text: ten thousand Path objects would each format theirs.
            digest = _known_digest(os.path.join(root, shown), shown, stats, settled)
            if digest is None:
                missing.append(position)  # Read again below, where the error is reported.
                continue
            found = _decode_claims(index.get(digest), shown)
            if found is None:
                missing.append(position)
            elif found[0] is None:
                results[position] = (None, found[1])
            else:
                results[position] = placer.award_of(
                    issuer, assertion_id, path, shown, digest, found[0]
                )
    # Parsing records is most of the work when they are new: both cores, results in order.
    unread = [files[position] for position in missing]
    reading = parallel.start_chunks(_read_chunk, None, unread, label="Lecture des badges délivrés")
    try:
        meanwhile()
    except BaseException:
        reading.cancel()
        raise
    parsed = reading.results()
    for position, (read_digest, claims, read_problems) in zip(missing, parsed, strict=True):
        issuer, path, shown = files[position]
        if read_digest is not None:
            index.put(read_digest, _encode_claims(claims, read_problems, shown))
        if claims is None:
            results[position] = (None, read_problems)
        else:
            assert read_digest is not None
            results[position] = placer.award(issuer, path, shown, read_digest, claims)
    index.save()
    stats.save()
    awards: dict[str, Award] = {}
    problems, explained = site_url_moved(site, placer.moved, len(files))
    for (_, _, shown), (award, found_problems) in zip(files, results, strict=True):
        if shown not in explained:
            problems += found_problems
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


def site_url_moved(
    site: Site, moved: dict[str, list[str]], total: int, endorsements: bool = False
) -> tuple[list[Diagnostic], set[str]]:
    """One error on ``site_url`` when it changed after badges were signed, and their records.

    A badge's identifiers (its own, its issuer's did:web, its badge class) are signed below the
    site_url of the day: once badges are awarded, site_url cannot change. When most records were
    signed under one other site_url, that change is the cause, said once on badgeons.yml,
    instead of three errors on every record. A few records from elsewhere keep their own errors.
    The same holds for endorsements (``endorsements``: the records are endorsements).
    """
    if not moved:
        return [], set()
    old, shown = max(moved.items(), key=lambda item: len(item[1]))
    if 2 * len(shown) < total:
        return [], set()
    from build_tools.yamlsource import load_yaml

    source, _ = load_yaml(site.root / "badgeons.yml", "badgeons.yml")
    where = source.locate_value(("site_url",)) if source else Position("badgeons.yml", 1, 1)
    many = len(shown) > 1
    if endorsements:
        count = (
            f"{len(shown)} recommandations ont été signées"
            if many
            else "1 recommandation a été signée"
        )
    else:
        count = (
            f"{len(shown)} badges délivrés ont été signés"
            if many
            else "1 badge délivré a été signé"
        )
    message = (
        f"{count} sous {old} (par exemple {sorted(shown)[0]}) : site_url ne peut plus changer, "
        f"car leurs identifiants et leurs signatures en dépendent ; "
        f"remettez site_url: {old}"
    )
    return [where.error("site_url", message)], set(shown)


def _read_chunk(
    _: None, files: Sequence[tuple[str, Path, str]]
) -> list[tuple[str | None, Claims | None, list[Diagnostic]]]:
    return [_read_one(path, shown) for _, path, shown in files]


def _load_list(
    site: Site, issuer: str, name: str, kind: str, store: cache.Cache | None
) -> tuple[list[tuple[dict[str, Any], Position]], list[Diagnostic]]:
    path = site.root / "issuers" / issuer / name
    if not path.is_file():
        return [], []
    shown = path.relative_to(site.root).as_posix()
    source, problems = discover.load_checked(path, shown, kind, discover.check_list, store)
    if source is None or source.data is None:
        return [], problems
    return [(item, source.locate((i,))) for i, item in enumerate(source.data)], []


def record_exists(site: Site, assertion: str) -> bool:
    """Whether some issuer has a record of that id (one that did not load was reported)."""
    return any(_unreadable(site, issuer, assertion) for issuer in site.issuers)


def _unreadable(site: Site, issuer: str, assertion: str) -> bool:
    """Whether the issuer has a record of that id that did not load (and was reported)."""
    return record_path(site.root, issuer, assertion).is_file()


def load_revocations(
    site: Site, awards: dict[str, Award], store: cache.Cache | None = None
) -> tuple[dict[str, Revocation], list[Diagnostic]]:
    """Every issuer's revocations; ``store`` keeps the checked files (discover.load_checked)."""
    revocations: dict[str, Revocation] = {}
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        items, found = _load_list(site, issuer, "revocations.yaml", "revocations", store)
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
    site: Site, awards: dict[str, Award], store: cache.Cache | None = None
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Every issuer's consented display names; ``store`` as for :func:`load_revocations`."""
    names: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        items, found = _load_list(site, issuer, "holders.yaml", "holders", store)
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
