"""Record, withdraw and list consents: what ``badgeons consent`` does to the files.

Adding checks the new consent with the rules of the build (:mod:`build_tools.consents`) against
every consent already recorded, then appends it to the issuer's ``consents.yaml``, comments
kept. Withdrawing removes the whole entry, whatever state the rest of the repository is in:
a holder's withdrawal must never wait for an unrelated fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from build_tools import collections, consents, schemacheck
from build_tools.diagnostics import Diagnostic, Level
from build_tools.gazetteer import Gazetteer, Place
from build_tools.gazetteer import load as load_gazetteer
from build_tools.issuing import append_yaml_items
from build_tools.model import Site
from build_tools.writer import write_text_atomically
from build_tools.yamlsource import load_yaml_text

COMMAND_LINE = "(ligne de commande)"


class ConsentError(Exception):
    """The consent cannot be recorded or withdrawn; the message is for the trainer, in French."""

    def __init__(self, message: str, problems: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class NewConsent:
    """What the trainer gives on the command line."""

    assertions: tuple[str, ...]
    commune: dict[str, str]
    given: date
    until: date | None = None
    display_name: str | None = None
    contact: bool = True
    id: str | None = None


def item_of(request: NewConsent) -> dict[str, Any]:
    """The entry as it will be written (``until`` always explicit, so the file says it)."""
    given = request.given
    until = request.until or consents.add_months(given, consents.DEFAULT_MONTHS)
    item: dict[str, Any] = {
        "id": request.id or consents.new_consent_id(),
        "assertions": list(request.assertions),
        "commune": request.commune,
    }
    if request.display_name:
        item["display_name"] = request.display_name
    item |= {"given": given.isoformat(), "until": until.isoformat()}
    if not request.contact:
        item["contact"] = "aucun"
    return item


def issuer_of(site: Site, assertions: tuple[str, ...]) -> str:
    """The one issuer that awarded every badge of a consent."""
    found = {site.awards[a].issuer for a in assertions if a in site.awards}
    unknown = [a for a in assertions if a not in site.awards]
    if unknown:
        raise ConsentError(f"aucun badge délivré ne porte l'identifiant « {unknown[0]} »")
    if len(found) != 1:
        raise ConsentError(
            "ces badges ont été délivrés par plusieurs organismes ("
            + ", ".join(sorted(found))
            + ") : enregistrez un consentement auprès de chacun"
        )
    return found.pop()


class Added(NamedTuple):
    """A consent just recorded: its file, its entry, its commune, and what the trainer should know."""

    path: Path
    item: dict[str, Any]
    place: Place
    #: The warnings about the new consent (a badge the map shows without its link, for one).
    warnings: tuple[Diagnostic, ...]


def add(site: Site, request: NewConsent, day: date) -> Added:
    """Check a new consent against the recorded ones, then append it."""
    issuer = issuer_of(site, request.assertions)
    item = item_of(request)
    gazetteer: Gazetteer = load_gazetteer()
    in_force, _ = collections.load_collections(site, day)
    names = consents.names_shown(site, in_force)
    checker = consents.Checker(site, day, lambda: gazetteer, names=names)
    for slug in site.issuers:
        written, _ = consents.read_file(site.root, slug)
        if written is not None and written.data:
            for index, entry in enumerate(written.data):
                checker.check(slug, written, index, entry)
    before = len(checker.problems)
    source, problems = load_yaml_text(consents.entry_text(item), COMMAND_LINE)
    assert source is not None and not problems, problems
    problems = schemacheck.check(source, "consents")
    if not problems:
        checker.check(issuer, source, 0, source.data[0])
        problems = checker.problems[before:]
    # Lines of the generated text mean nothing to the trainer: keep the field and the message.
    problems = [
        Diagnostic(COMMAND_LINE, 0, 0, p.level, p.field.removeprefix("[0]."), p.message)
        for p in problems
    ]
    errors = tuple(p for p in problems if p.level is Level.ERROR)
    if errors:
        raise ConsentError(f"{len(errors)} erreur(s) : aucun consentement enregistré", errors)
    if not checker.kept or checker.kept[-1].id != item["id"]:
        raise ConsentError(
            "rien à montrer : aucun de ces badges ne peut figurer sur la carte aujourd'hui",
            tuple(problems),
        )
    place = gazetteer.get(checker.kept[-1].insee)
    assert place is not None
    # The file names the commune in full, so that a reader needs no gazetteer.
    postcode = request.commune.get("postcode") or (
        place.postcodes[0] if len(place.postcodes) == 1 else None
    )
    item["commune"] = {"insee": place.insee, "name": place.name}
    if postcode:
        item["commune"]["postcode"] = postcode
    path = consents.consents_path(site.root, issuer)
    append_yaml_items(path, consents.HEADER, [item])
    return Added(path, item, place, tuple(problems))


@dataclass(frozen=True)
class Recorded:
    """A consent as written in a file, for ``consent list`` and ``consent withdraw``."""

    issuer: str
    path: Path
    index: int
    line: int
    item: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.item.get("id", ""))

    def status(self, day: date) -> str:
        until = consents.end_of(self.item) if self.item.get("given") else ""
        if str(self.item.get("given", "")) > day.isoformat():
            return "à venir"
        if until and until < day.isoformat():
            return f"échu le {until}"
        return f"actif jusqu'au {until}"


def recorded(root: Path) -> list[Recorded]:
    """Every entry of every consents file, readable or not by the schema's standard."""
    from build_tools.yamlsource import load_yaml

    found = []
    for path in sorted((root / "issuers").glob(f"*/{consents.FILE_NAME}")):
        source, _ = load_yaml(path, path.relative_to(root).as_posix())
        if source is None or not isinstance(source.data, list):
            continue
        for index, item in enumerate(source.data):
            if isinstance(item, dict):
                line = source.locate((index,)).line
                found.append(Recorded(path.parent.name, path, index, line, item))
    return found


def withdraw(root: Path, key: str) -> Recorded:
    """Remove the consent whose id is ``key``, or that shows the badge ``key``; return it."""
    matches = [r for r in recorded(root) if r.id == key or key in (r.item.get("assertions") or [])]
    if not matches:
        raise ConsentError(f"aucun consentement « {key} » (ni consentement montrant ce badge)")
    if len(matches) > 1:
        places = ", ".join(f"{m.path.relative_to(root).as_posix()}:{m.line}" for m in matches)
        raise ConsentError(
            f"« {key} » désigne plusieurs consentements ({places}) : donnez leur identifiant"
        )
    target = matches[0]
    siblings = [r for r in recorded(root) if r.path == target.path]
    lines = target.path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = target.line - 1
    after = [r.line - 1 for r in siblings if r.index == target.index + 1]
    end = after[0] if after else len(lines)
    if not lines[start].lstrip().startswith("-"):
        raise ConsentError(
            f"{target.path.relative_to(root).as_posix()}:{target.line} n'est pas écrit sous la forme "
            f"« - id: ... » : retirez l'entrée « {target.id} » vous-même"
        )
    # Comments and blank lines just above the next entry belong to it.
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    text = "".join(lines[:start] + lines[end:])
    _check_removed(text, target, len(siblings))
    _write(target.path, text)
    return target


def _check_removed(text: str, target: Recorded, count: int) -> None:
    """Refuse to write unless exactly that entry is gone and the rest still reads the same."""
    source, problems = load_yaml_text(text, target.path.name)
    items = source.data if source is not None and isinstance(source.data, list) else []
    if source is None or problems or len(items or []) != count - 1 or target.item in items:
        raise ConsentError(
            f"le retrait de « {target.id} » abîmerait {target.path.name} : retirez l'entrée vous-même"
        )


def _write(path: Path, text: str) -> None:
    write_text_atomically(path, text)
