"""Holders' consents to appear on the map of the territoire apprenant.

Each issuer keeps them in ``issuers/<issuer>/consents.yaml`` (schema
``build_tools/schemas/consents.schema.json``), written by ``badgeons consent add`` and removed
by ``badgeons consent withdraw``. A consent names badges that this issuer awarded to the holder,
a commune of the gazetteer (never an address), an optional display name, and its dates.

The build keeps only the consents in force, with only the badges that may still be shown:

- an error stops the build when an entry is wrong: a badge unknown to that issuer, awarded by
  another one, already revoked or expired when the consent was given, listed twice; an unknown
  commune (close matches suggested), a postcode of another commune, a bad date;
- a warning, and the entry or badge is left out, when time has passed: the consent has ended,
  or a badge was revoked or expired after the consent was given. Nobody has to commit anything
  for the map to stop showing them, and a revocation never blocks a publication;
- a warning, and the badge is shown without its link, when another page of the site shows the
  holder's name with that badge (its verification page, from ``holders.yaml``, or a named badge
  collection) while the map shows no name, or another one. The holder agreed to each page on
  its own; a link from one to the other would publish their name and their commune together.
"""

from __future__ import annotations

import calendar
import json
import secrets
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from build_tools import cache, discover
from build_tools.collections import Collection
from build_tools.diagnostics import Diagnostic, Position
from build_tools.gazetteer import MIN_POPULATION, Gazetteer, Place, name_key
from build_tools.model import Consent, Site
from build_tools.yamlsource import Source, load_yaml_bytes

FILE_NAME = "consents.yaml"
#: The kind of cached results of :func:`load_consents` (build_tools/cache.py).
CACHE_KIND = "consents"
DEFAULT_MONTHS = 12
MAX_MONTHS = 24
HEADER = (
    "# yaml-language-server: $schema=../../build_tools/schemas/consents.schema.json\n"
    "# Accords des personnes pour figurer sur la carte du territoire apprenant\n"
    "# (badgeons consent add ...). Si une personne retire son accord : badgeons consent withdraw ID.\n"
    "# Jamais d'adresse e-mail ni d'adresse postale ici : seulement la commune.\n"
)


def consents_path(root: Path, issuer: str) -> Path:
    return root / "issuers" / issuer / FILE_NAME


def today() -> date:
    """The day the build describes for consents: always the real one, never the commit's.

    A consent that has ended must leave the map at the next build, even of an unchanged commit.
    """
    return datetime.now(UTC).date()


def new_consent_id() -> str:
    """A random consent id such as ``c-k3x9m2pqzt``."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "c-" + "".join(secrets.choice(alphabet) for _ in range(10))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when that day does not exist)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def end_of(item: dict[str, Any]) -> str:
    """The last day of a consent: ``until``, or 12 months after ``given``."""
    if item.get("until"):
        return str(item["until"])
    return add_months(date.fromisoformat(str(item["given"])), DEFAULT_MONTHS).isoformat()


def read_file(root: Path, issuer: str) -> tuple[Source | None, list[Diagnostic]]:
    """The consents file of an issuer, loaded and checked against its schema (None if absent)."""
    return discover.load_list_file(root, consents_path(root, issuer), "consents")


def resolve_commune(
    gazetteer: Gazetteer, commune: dict[str, str]
) -> tuple[Place | None, list[tuple[str, str]]]:
    """The commune of a consent, or the (field, message) pairs that explain why not."""
    insee, name, postcode = commune.get("insee"), commune.get("name"), commune.get("postcode")
    if insee:
        place = gazetteer.get(insee)
        if place is None:
            return None, [("commune.insee", _absent(f"« {insee} »", gazetteer, name, postcode))]
        problems = []
        if name and name_key(name) != name_key(place.name):
            problems.append(
                (
                    "commune.name",
                    f"« {name} » n'est pas le nom de la commune {insee} ({place.name})",
                )
            )
        if postcode and postcode not in place.postcodes:
            problems.append(("commune.postcode", _wrong_postcode(postcode, [place])))
        return (None if problems else place), problems
    assert name and postcode, "the schema asks for insee, or name and postcode"
    found = gazetteer.find(name, postcode)
    if len(found) > 1:
        return None, [
            (
                "commune",
                f"plusieurs communes « {name} » au code postal {postcode} : indiquez le code INSEE (insee)",
            )
        ]
    if found:
        return found[0], []
    same_name = gazetteer.named(name)
    if same_name:
        return None, [("commune.postcode", _wrong_postcode(postcode, same_name))]
    return None, [("commune.name", _absent(f"« {name} »", gazetteer, name, postcode))]


def _wrong_postcode(postcode: str, places: list[Place]) -> str:
    if len(places) == 1:
        codes = ", ".join(places[0].postcodes)
        return f"le code postal {postcode} ne correspond pas à {places[0].name} (code postal : {codes})"
    labels = ", ".join(f"{p.label} [{p.insee}]" for p in places)
    return f"le code postal {postcode} ne correspond à aucune commune de ce nom ({labels})"


def _absent(what: str, gazetteer: Gazetteer, name: str | None, postcode: str | None) -> str:
    message = (
        f"commune {what} inconnue, ou de moins de {MIN_POPULATION} habitants (absente de la carte "
        "pour protéger les personnes) : indiquez la commune plus grande la plus proche"
    )
    close = [p.label for p in gazetteer.close_to(name, postcode)] if name else []
    nearby = [p.name for p in gazetteer.with_postcode(postcode)[:4]] if postcode else []
    sentences = []
    if close:
        listed = ", ".join(close[:-1]) + " ou " + close[-1] if len(close) > 1 else close[0]
        sentences.append(f"Vouliez-vous dire {listed} ?")
    if nearby:
        sentences.append(f"Communes de la carte au code postal {postcode} : {', '.join(nearby)}")
    for sentence in sentences:
        message += ("" if message.endswith("?") else ".") + " " + sentence
    return message


class Naming(NamedTuple):
    """A page of the site that shows a holder's name with a badge."""

    name: str
    #: The page, as the trainer knows it (French, for the warning).
    page: str


def names_shown(site: Site, collections: Sequence[Collection] = ()) -> dict[str, list[Naming]]:
    """Every page that shows a holder's name, by the assertion it shows it with.

    That is the verification page of a badge whose holder agreed to a name there
    (``holders.yaml``), and a badge collection ("sac à badges") with a display name, for each
    badge it lists (its page links to theirs).
    """
    found: dict[str, list[Naming]] = {}
    for assertion, name in site.display_names.items():
        page = "la page de vérification de ce badge (holders.yaml)"
        found.setdefault(assertion, []).append(Naming(name, page))
    for collection in collections:
        if collection.display_name:
            page = (
                f"le sac à badges « {collection.id} » "
                f"(issuers/{collection.issuer}/collections.yaml), qui renvoie à ce badge,"
            )
            for assertion in collection.assertions:
                found.setdefault(assertion, []).append(Naming(collection.display_name, page))
    return found


#: A line and a column in a consents file (the file is the entry's ``path``).
Spot = Sequence[int]


class Entry(NamedTuple):
    """One consent of a file, checked as far as the file alone allows (see :func:`read_entry`).

    Everything here depends only on the file's bytes, the gazetteer and the code, so it is kept
    in the build cache; :meth:`Checker.check_entry` checks the rest at every build: the day,
    the awards and revocations of the site, the other entries and files.
    """

    #: The entry's place in its file (0 for the first).
    number: int
    id: str
    given: str
    until: str
    has_until: bool
    display_name: str | None
    contact: bool
    #: The commune's INSEE code, or None when ``commune`` says why it is not known.
    insee: str | None
    assertions: tuple[str, ...]
    #: Where the entry, its id, ``given`` and ``until`` stand in ``path`` (``until``: the entry
    #: when it has none), and each of its assertions.
    at: Spot
    at_id: Spot
    at_given: Spot
    at_until: Spot
    at_assertions: tuple[Spot, ...]
    #: Errors found from the file alone: an end before the start or too late, a bad commune.
    dates: tuple[Diagnostic, ...]
    commune: tuple[Diagnostic, ...]
    path: str

    def position(self, spot: Spot) -> Position:
        return Position(self.path, spot[0], spot[1])


# Where fields stand in an entry as the cache keeps it (a JSON list, see _encode).
_ASSERTIONS = Entry._fields.index("assertions")
_AT_ASSERTIONS = Entry._fields.index("at_assertions")
_DATES = Entry._fields.index("dates")
_PATH = Entry._fields.index("path")


Resolver = Callable[[dict[str, str]], tuple[Place | None, list[tuple[str, str]]]]


def read_entry(source: Source, index: int, item: dict[str, Any], resolve: Resolver) -> Entry:
    """What one consent of a schema-checked file says, and its problems that need no site."""

    def at(*path: str | int) -> Position:
        return source.locate((index, *path))

    def spot(*path: str | int) -> Spot:
        return source.spot((index, *path))

    prefix = f"[{index}]."
    given, until = str(item["given"]), end_of(item)
    limit = add_months(date.fromisoformat(given), MAX_MONTHS).isoformat()
    dates = []
    if until < given:
        message = f"la fin du consentement ({until}) précède son début ({given})"
        dates.append(at("until").error(prefix + "until", message))
    elif until > limit:
        message = (
            f"un consentement dure au plus {MAX_MONTHS} mois : {until} est après le {limit} "
            "(renouvelez-le le moment venu avec la personne)"
        )
        dates.append(at("until").error(prefix + "until", message))
    place, found = resolve(item["commune"])
    commune = tuple(at(*name.split(".")).error(prefix + name, message) for name, message in found)
    assertions = tuple(item["assertions"])
    return Entry(
        number=index,
        id=str(item["id"]),
        given=given,
        until=until,
        has_until="until" in item,
        display_name=item.get("display_name"),
        contact=item.get("contact", "organisme") == "organisme",
        insee=place.insee if place is not None and not commune else None,
        assertions=assertions,
        at=spot(),
        at_id=spot("id"),
        at_given=spot("given"),
        at_until=spot("until"),
        at_assertions=tuple(spot("assertions", j) for j in range(len(assertions))),
        dates=tuple(dates),
        commune=commune,
        path=source.path,
    )


@dataclass
class Checker:
    """Checks consents one entry at a time, remembering ids and badges already seen."""

    site: Site
    day: date
    gazetteer: Callable[[], Gazetteer]
    kept: list[Consent] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    ids: dict[str, Position] = field(default_factory=dict)
    shown: dict[str, tuple[str, Position]] = field(default_factory=dict)
    #: How the fields of the entry being checked are named (``[2].`` for the third entry).
    prefix: str = ""
    #: How many of ``problems`` are errors.
    errors: int = 0
    #: Communes already resolved: the files name the same few communes many times.
    communes: dict[tuple[str | None, ...], tuple[Place | None, list[tuple[str, str]]]] = field(
        default_factory=dict
    )
    #: The pages that show a holder's name, by assertion (:func:`names_shown`).
    names: dict[str, list[Naming]] = field(default_factory=dict)

    def resolve(self, commune: dict[str, str]) -> tuple[Place | None, list[tuple[str, str]]]:
        """:func:`resolve_commune` in this checker's gazetteer, once per commune."""
        return _resolve_once(self.communes, self.gazetteer, commune)

    def check(self, issuer: str, source: Source, index: int, item: dict[str, Any]) -> None:
        """Check one entry of a schema-checked file."""
        self.check_entry(issuer, read_entry(source, index, item, self.resolve))

    def check_entry(self, issuer: str, entry: Entry) -> None:
        """Check what depends on more than the entry's file; keep the entry if it may be shown."""
        self.prefix = f"[{entry.number}]."
        errors_before = self.errors
        at_id = entry.position(entry.at_id)
        if entry.id in self.ids:
            other = self.ids[entry.id]
            self._error(
                at_id, "id", f"identifiant « {entry.id} » déjà utilisé ({other.path}:{other.line})"
            )
        self.ids.setdefault(entry.id, at_id)
        if entry.given > self.day.isoformat():
            self._error(
                entry.position(entry.at_given),
                "given",
                f"date de consentement {entry.given} dans le futur",
            )
        self._add_errors(entry.dates)
        if self.errors == errors_before and entry.until < self.day.isoformat():
            self.problems.append(
                entry.position(entry.at_until if entry.has_until else entry.at_given).warning(
                    self.prefix + "until",
                    f"consentement « {entry.id} » échu le {entry.until} : la personne n'apparaît "
                    "plus sur la carte (renouvelez-le avec elle, ou retirez-le : badgeons consent "
                    f"withdraw {entry.id})",
                )
            )
            return
        self._add_errors(entry.commune)
        shown = self._check_assertions(issuer, entry)
        if self.errors > errors_before or entry.insee is None or not shown:
            return
        named = tuple(a for a in shown if a in self.names)
        unlinked = tuple(a for a in named if self._unlinked(entry, a))
        self.kept.append(
            Consent(
                id=entry.id,
                issuer=issuer,
                assertions=tuple(shown),
                insee=entry.insee,
                display_name=entry.display_name,
                given=entry.given,
                until=entry.until,
                contact=entry.contact,
                source=entry.position(entry.at),
                named=named,
                unlinked=unlinked,
            )
        )

    def _unlinked(self, entry: Entry, assertion: str) -> bool:
        """Whether the map must not link a badge whose holder is named elsewhere (and why).

        The map links it only when it shows the very name those pages show.
        """
        others = [n for n in self.names[assertion] if n.name != entry.display_name]
        if not others:
            return False
        j = entry.assertions.index(assertion)
        shown = "n'en montre aucun" if entry.display_name is None else "en montre un autre"
        quoted = f" ; les recruteurs citent la référence « {entry.id} »" if entry.contact else ""
        self.problems.append(
            entry.position(entry.at_assertions[j]).warning(
                f"{self.prefix}assertions[{j}]",
                f"{others[0].page} montre le nom de la personne, mais ce consentement {shown} "
                "sur la carte : la carte ne donne donc ni le lien vers la page de vérification "
                f"de ce badge ni sa référence, sinon on lirait ce nom avec la commune{quoted}. "
                "Si la personne accepte que la carte montre ce nom : badgeons consent withdraw "
                f"{entry.id}, puis badgeons consent add avec les mêmes badges, la même commune "
                "et --name NOM",
            )
        )
        return True

    def _check_assertions(self, issuer: str, entry: Entry) -> list[str]:
        """The badges of a consent that may be shown; problems are recorded on the way."""
        shown: list[str] = []
        assertions = entry.assertions
        for j, assertion in enumerate(assertions):
            name, where = f"assertions[{j}]", entry.position(entry.at_assertions[j])
            if assertion in assertions[:j]:
                self._error(where, name, "badge cité deux fois dans ce consentement")
                continue
            if assertion in self.shown:
                other, place = self.shown[assertion]
                self._error(
                    where,
                    name,
                    f"badge déjà montré par le consentement « {other} » ({place.path}:{place.line}) : "
                    "un badge ne figure qu'une fois sur la carte",
                )
                continue
            self.shown[assertion] = (entry.id, where)
            if self._may_show(issuer, where, name, entry.id, entry.given, assertion):
                shown.append(assertion)
        return shown

    def _may_show(
        self, issuer: str, where: Position, name: str, consent_id: str, given: str, assertion: str
    ) -> bool:
        award = self.site.awards.get(assertion)
        if award is None:
            record = self.site.root / "issuers" / issuer / "assertions" / f"{assertion}.json"
            if not record.is_file():  # An unreadable record has been reported already.
                self._error(where, name, f"aucun badge « {assertion} » délivré par {issuer}")
            return False
        if award.issuer != issuer:
            self._error(
                where,
                name,
                f"le badge « {assertion} » a été délivré par « {award.issuer} », pas par « {issuer} » : "
                "seul l'organisme qui l'a délivré recueille l'accord de la personne",
            )
            return False
        if award.issued_on[:10] > given:
            self._error(
                where,
                name,
                f"le consentement ({given}) précède l'attribution du badge ({award.issued_on[:10]})",
            )
            return False
        revocation = self.site.revocations.get(assertion)
        if revocation is not None:
            return self._still(where, name, consent_id, given, "révoqué", revocation.date[:10])
        if award.expires is not None:
            return self._still(where, name, consent_id, given, "expiré", award.expires[:10])
        return True

    def _still(
        self, where: Position, name: str, consent_id: str, given: str, what: str, day: str
    ) -> bool:
        """Whether a badge that is or will be revoked or expired may be shown today."""
        if day <= given:
            self._error(
                where,
                name,
                f"badge {what} le {day}, avant le consentement : il ne peut pas figurer sur la carte",
            )
            return False
        if day <= self.day.isoformat():
            self.problems.append(
                where.warning(
                    self.prefix + name,
                    f"badge {what} le {day} : retiré de la carte (retirez-le du consentement « {consent_id} »)",
                )
            )
            return False
        return True

    def _error(self, where: Position, name: str, message: str) -> None:
        self.problems.append(where.error(self.prefix + name, message))
        self.errors += 1

    def _add_errors(self, errors: Sequence[Diagnostic]) -> None:
        self.problems.extend(errors)
        self.errors += len(errors)


def _resolve_once(
    found: dict[tuple[str | None, ...], tuple[Place | None, list[tuple[str, str]]]],
    gazetteer: Callable[[], Gazetteer],
    commune: dict[str, str],
) -> tuple[Place | None, list[tuple[str, str]]]:
    """:func:`resolve_commune`, remembered in ``found``: the files name the same few communes."""
    name = (commune.get("insee"), commune.get("name"), commune.get("postcode"))
    if name not in found:
        found[name] = resolve_commune(gazetteer(), commune)
    return found[name]


#: What each issuer's consents file says (see :func:`read_files`): its entries, its problems.
ConsentFiles = dict[str, tuple[list[Entry], list[Diagnostic]]]


def read_files(site: Site, gazetteer: Callable[[], Gazetteer] | None = None) -> ConsentFiles:
    """What every issuer's consents file says, checked as far as the file alone allows.

    No award is needed for that: the build reads these files while its workers read the
    awards' records (pipeline.py), then :func:`load_consents` checks the rest.

    With the shipped gazetteer (part of the code version), what each file says
    (:func:`read_entry`) is kept in the build cache under the SHA-256 of its bytes.
    """
    from build_tools.gazetteer import load

    communes: dict[tuple[str | None, ...], tuple[Place | None, list[tuple[str, str]]]] = {}

    def resolve(commune: dict[str, str]) -> tuple[Place | None, list[tuple[str, str]]]:
        return _resolve_once(communes, gazetteer or load, commune)

    store = cache.open_cache(site.root, CACHE_KIND) if gazetteer is None else cache.Cache(None, "")
    files = {issuer: _read_entries(site.root, issuer, resolve, store) for issuer in site.issuers}
    store.prune()
    return files


def load_consents(
    site: Site,
    day: date | None = None,
    gazetteer: Callable[[], Gazetteer] | None = None,
    collections: Sequence[Collection] = (),
    files: ConsentFiles | None = None,
) -> tuple[tuple[Consent, ...], list[Diagnostic]]:
    """The consents in force of every issuer, and every problem found in them.

    ``collections`` are the badge collections in force: with the display names of the site,
    they tell which badges are shown with a name elsewhere (see :func:`names_shown`).
    ``files`` are the consents files as :func:`read_files` read them, if the caller has them.

    What a file says may come from the build cache; the rest is checked at every build. A
    file's problems are reported every time, from the cache or not.
    """
    from build_tools.gazetteer import load

    if files is None:
        files = read_files(site, gazetteer)
    checker = Checker(site, day or today(), gazetteer or load, names=names_shown(site, collections))
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        entries, found = files.get(issuer, ([], []))
        problems += found
        for entry in entries:
            checker.check_entry(issuer, entry)
    return tuple(checker.kept), problems + checker.problems


def _read_entries(
    root: Path, issuer: str, resolve: Resolver, store: cache.Cache
) -> tuple[list[Entry], list[Diagnostic]]:
    """The entries of an issuer's consents file and its problems, from the cache if there."""
    path = consents_path(root, issuer)
    if not path.is_file():
        return [], []
    try:
        raw = path.read_bytes() if store.enabled else None
    except OSError:
        raw = None
    if raw is None:
        source, problems = read_file(root, issuer)
        return _entries(source, resolve), problems
    shown = discover.relative(root, path)
    entry = cache.key(CACHE_KIND, shown, raw)
    content = store.get(entry)
    found = _decode(content, shown) if content is not None else None
    if found is not None:
        return found
    source, problems = discover.check_list(*load_yaml_bytes(raw, shown), "consents")
    entries = _entries(source, resolve)
    # A value that JSON cannot hold is not kept: the file is read again next time.
    with suppress(TypeError, ValueError):
        store.put(entry, _encode(entries, problems, shown))
    return entries, problems


def _entries(source: Source | None, resolve: Resolver) -> list[Entry]:
    if source is None or source.data is None:
        return []
    return [read_entry(source, i, item, resolve) for i, item in enumerate(source.data)]


def _encode(entries: list[Entry], problems: list[Diagnostic], shown: str) -> bytes:
    """A file's entries and problems as JSON: every field of each entry but its path."""
    rows = [
        [
            *entry[:_DATES],
            cache.encode_diagnostics(entry.dates, shown),
            cache.encode_diagnostics(entry.commune, shown),
        ]
        for entry in entries
    ]
    document = {"problems": cache.encode_diagnostics(problems, shown), "entries": rows}
    return json.dumps(document, separators=(",", ":")).encode("ascii")


def _decode(content: bytes, shown: str) -> tuple[list[Entry], list[Diagnostic]] | None:
    """The entries and problems of :func:`_encode`, or None when ``content`` does not hold them."""
    try:
        document = json.loads(content)
        problems = cache.decode_diagnostics(document["problems"], shown)
        entries = []
        for row in document["entries"]:
            if len(row) != _PATH:
                return None
            dates = cache.decode_diagnostics(row[_DATES], shown)
            commune = cache.decode_diagnostics(row[_DATES + 1], shown)
            if dates is None or commune is None:
                return None
            row[_ASSERTIONS] = tuple(row[_ASSERTIONS])
            row[_AT_ASSERTIONS] = tuple(row[_AT_ASSERTIONS])
            entries.append(Entry._make([*row[:_DATES], tuple(dates), tuple(commune), shown]))
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return (entries, problems) if problems is not None else None


def entry_text(item: dict[str, Any]) -> str:
    """One consent as ``append_yaml_items`` writes it: one ``key: JSON value`` line per field."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in item.items()]
    return "- " + "\n  ".join(lines) + "\n"
