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
  for the map to stop showing them, and a revocation never blocks a publication.
"""

from __future__ import annotations

import calendar
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from build_tools import discover
from build_tools.diagnostics import Diagnostic, Level, Position
from build_tools.gazetteer import MIN_POPULATION, Gazetteer, Place, name_key
from build_tools.model import Consent, Site
from build_tools.yamlsource import Source

FILE_NAME = "consents.yaml"
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

    def check(self, issuer: str, source: Source, index: int, item: dict[str, Any]) -> None:
        def at(*path: str | int) -> Position:
            return source.locate((index, *path))

        self.prefix = f"[{index}]."
        errors_before = len(self._errors())
        consent_id, given = str(item["id"]), str(item["given"])
        until = end_of(item)
        if consent_id in self.ids:
            other = self.ids[consent_id]
            self._error(
                at("id"),
                "id",
                f"identifiant « {consent_id} » déjà utilisé ({other.path}:{other.line})",
            )
        self.ids.setdefault(consent_id, at("id"))
        self._check_dates(at, given, until)
        if len(self._errors()) == errors_before and until < self.day.isoformat():
            self.problems.append(
                at("until" if "until" in item else "given").warning(
                    self.prefix + "until",
                    f"consentement « {consent_id} » échu le {until} : la personne n'apparaît plus sur "
                    f"la carte (renouvelez-le avec elle, ou retirez-le : badgeons consent withdraw {consent_id})",
                )
            )
            return
        place, found = resolve_commune(self.gazetteer(), item["commune"])
        for name, message in found:
            self._error(at(*name.split(".")), name, message)
        shown = self._check_assertions(issuer, at, consent_id, given, item["assertions"])
        if len(self._errors()) > errors_before or place is None or not shown:
            return
        self.kept.append(
            Consent(
                id=consent_id,
                issuer=issuer,
                assertions=tuple(shown),
                insee=place.insee,
                display_name=item.get("display_name"),
                given=given,
                until=until,
                contact=item.get("contact", "organisme") == "organisme",
                source=at(),
            )
        )

    def _check_dates(self, at: Callable[..., Position], given: str, until: str) -> None:
        if given > self.day.isoformat():
            self._error(at("given"), "given", f"date de consentement {given} dans le futur")
        limit = add_months(date.fromisoformat(given), MAX_MONTHS).isoformat()
        if until < given:
            self._error(
                at("until"),
                "until",
                f"la fin du consentement ({until}) précède son début ({given})",
            )
        elif until > limit:
            self._error(
                at("until"),
                "until",
                f"un consentement dure au plus {MAX_MONTHS} mois : {until} est après le {limit} "
                "(renouvelez-le le moment venu avec la personne)",
            )

    def _check_assertions(
        self,
        issuer: str,
        at: Callable[..., Position],
        consent_id: str,
        given: str,
        assertions: list[str],
    ) -> list[str]:
        """The badges of a consent that may be shown; problems are recorded on the way."""
        shown: list[str] = []
        for j, assertion in enumerate(assertions):
            name, where = f"assertions[{j}]", at("assertions", j)
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
            self.shown[assertion] = (consent_id, where)
            if self._may_show(issuer, where, name, consent_id, given, assertion):
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

    def _errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.level is Level.ERROR]


def load_consents(
    site: Site, day: date | None = None, gazetteer: Callable[[], Gazetteer] | None = None
) -> tuple[tuple[Consent, ...], list[Diagnostic]]:
    """The consents in force of every issuer, and every problem found in them."""
    from build_tools.gazetteer import load

    checker = Checker(site, day or today(), gazetteer or load)
    problems: list[Diagnostic] = []
    for issuer in site.issuers:
        source, found = read_file(site.root, issuer)
        problems += found
        if source is None or source.data is None:
            continue
        for index, item in enumerate(source.data):
            checker.check(issuer, source, index, item)
    return tuple(checker.kept), problems + checker.problems


def entry_text(item: dict[str, Any]) -> str:
    """One consent as ``append_yaml_items`` writes it: one ``key: JSON value`` line per field."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in item.items()]
    return "- " + "\n  ".join(lines) + "\n"
