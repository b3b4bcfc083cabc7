"""Holders' badge collections ("sacs à badges"): a page of the badges a holder chose to show.

A holder who agrees gets a public page ``S/sac/<id>.html`` (drawn by
:mod:`build_tools.collection_pages`) listing some of their badges, each linking to its
verification page, with a QR code to print on a CV. The page names nobody unless the holder
chose a display name. The issuer that met the holder records the collection in
``issuers/<issuer>/collections.yaml`` (schema ``build_tools/schemas/collections.schema.json``);
the badges may come from several issuers.

At build time:

- an error stops the build when an entry is wrong: a badge that was never awarded, an id used
  twice, a bad date, an end before the consent;
- a warning, and the entry or badge is left out, when time has passed: the collection has
  ended, or a badge was revoked. A withdrawn collection is simply gone from the file, so its
  page disappears at the next build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from build_tools import discover, schemacheck, writer
from build_tools.awards import record_exists
from build_tools.diagnostics import Diagnostic, Level, Position
from build_tools.identity import new_assertion_id
from build_tools.model import Site
from build_tools.yamlsource import Source, load_yaml, load_yaml_text

FILE_NAME = "collections.yaml"
COMMAND_LINE = "(ligne de commande)"
HEADER = (
    "# yaml-language-server: $schema=../../build_tools/schemas/collections.schema.json\n"
    "# Sacs à badges : pages publiques des badges que des personnes ont choisi de montrer\n"
    "# (badgeons collection add ...). Si une personne retire son accord : badgeons collection withdraw ID.\n"
    "# Jamais d'adresse e-mail ni d'adresse postale ici.\n"
)


class CollectionError(Exception):
    """A collection cannot be recorded or withdrawn; the message is for the trainer, in French."""

    def __init__(self, message: str, problems: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Collection:
    """A collection in force, with only the badges that may be shown today."""

    id: str
    issuer: str
    assertions: tuple[str, ...]
    display_name: str | None
    given: str
    until: str | None


def today() -> date:
    """The real day, never the commit's: an ended collection leaves the site at the next build."""
    return datetime.now(UTC).date()


def collections_path(root: Path, issuer: str) -> Path:
    return root / "issuers" / issuer / FILE_NAME


def read_file(root: Path, issuer: str) -> tuple[Source | None, list[Diagnostic]]:
    """The collections file of an issuer, checked against its schema (None if absent or bad)."""
    return discover.load_list_file(root, collections_path(root, issuer), "collections")


def check_entry(
    site: Site, source: Source, index: int, item: dict[str, Any], day: date
) -> tuple[list[str], list[Diagnostic]]:
    """The badges of one entry that may be shown today, and the entry's problems."""

    def at(*path: str | int) -> Position:
        return source.locate((index, *path))

    prefix = f"[{index}]."
    problems: list[Diagnostic] = []
    given, until = str(item["given"]), item.get("until")
    if until is not None and str(until) < given:
        problems.append(
            at("until").error(prefix + "until", f"fin ({until}) avant l'accord ({given})")
        )
    if given > day.isoformat():
        problems.append(at("given").error(prefix + "given", f"date d'accord {given} dans le futur"))
    shown: list[str] = []
    for position, assertion in enumerate(item["assertions"]):
        where = at("assertions", position)
        if assertion not in site.awards:
            if record_exists(site, assertion):
                continue  # A record that did not load: its own error says why.
            problems.append(
                where.error(f"{prefix}assertions[{position}]", f"badge « {assertion} » inconnu")
            )
        elif assertion in site.revocations:
            problems.append(
                where.warning(
                    f"{prefix}assertions[{position}]",
                    f"badge « {assertion} » révoqué le {site.revocations[assertion].date[:10]} : "
                    "il n'est plus montré dans le sac à badges",
                )
            )
        else:
            shown.append(assertion)
    return shown, problems


def load_collections(
    site: Site, day: date | None = None
) -> tuple[list[Collection], list[Diagnostic]]:
    """Every collection in force, and the problems of every collections file."""
    day = day or today()
    kept: list[Collection] = []
    problems: list[Diagnostic] = []
    seen: dict[str, Position] = {}
    for issuer in sorted(site.issuers):
        source, found = read_file(site.root, issuer)
        problems += found
        if source is None or not source.data:
            continue
        for index, item in enumerate(source.data):
            position = source.locate((index, "id"))
            if item["id"] in seen:
                other = seen[item["id"]]
                problems.append(
                    position.error(
                        f"[{index}].id",
                        f"identifiant « {item['id']} » déjà utilisé ({other.path}:{other.line})",
                    )
                )
                continue
            seen[item["id"]] = position
            shown, found = check_entry(site, source, index, item, day)
            problems += found
            if any(p.level is Level.ERROR for p in found):
                continue
            until = item.get("until")
            if until is not None and str(until) < day.isoformat():
                problems.append(
                    source.locate((index, "until")).warning(
                        f"[{index}].until",
                        f"sac à badges « {item['id']} » échu le {until} : sa page n'est plus publiée",
                    )
                )
                continue
            if shown:
                kept.append(
                    Collection(
                        id=item["id"],
                        issuer=issuer,
                        assertions=tuple(shown),
                        display_name=item.get("display_name"),
                        given=str(item["given"]),
                        until=str(until) if until is not None else None,
                    )
                )
    return kept, problems


def entry_text(item: dict[str, Any]) -> str:
    """One entry as YAML, strings in JSON quotes (valid YAML, no surprise with 'no' or dates)."""
    lines = [f"- id: {json.dumps(item['id'])}", "  assertions:"]
    lines += [f"    - {json.dumps(a)}" for a in item["assertions"]]
    for key in ("display_name", "given", "until"):
        if item.get(key) is not None:
            lines.append(f"  {key}: {json.dumps(item[key], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _entries(root: Path, issuer: str) -> list[dict[str, Any]]:
    source, _ = (
        load_yaml(collections_path(root, issuer), collections_path(root, issuer).name)
        if collections_path(root, issuer).is_file()
        else (None, [])
    )
    data = source.data if source is not None and isinstance(source.data, list) else []
    return [item for item in data if isinstance(item, dict)]


def _write(root: Path, issuer: str, items: list[dict[str, Any]]) -> Path:
    path = collections_path(root, issuer)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.write_text_atomically(path, HEADER + "".join(entry_text(i) for i in items))
    return path


def add(
    site: Site,
    issuer: str,
    assertions: tuple[str, ...],
    *,
    given: date,
    until: date | None = None,
    display_name: str | None = None,
    day: date | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Check a new collection, then record it in the issuer's file; return the file and entry."""
    day = day or today()
    if issuer not in site.issuers:
        raise CollectionError(f"émetteur inconnu « {issuer} »")
    item: dict[str, Any] = {
        "id": new_assertion_id(),
        "assertions": list(assertions),
        "display_name": display_name,
        "given": given.isoformat(),
        "until": until.isoformat() if until else None,
    }
    source, problems = load_yaml_text(entry_text(item), COMMAND_LINE)
    assert source is not None and not problems, problems
    problems = schemacheck.check(source, "collections")
    if not problems:
        _, problems = check_entry(site, source, 0, source.data[0], day)
        # A revoked badge is refused here: nobody may choose to show it.
        problems = [
            Diagnostic(COMMAND_LINE, 0, 0, Level.ERROR, p.field, p.message) for p in problems
        ]
    problems = [
        Diagnostic(COMMAND_LINE, 0, 0, p.level, p.field.removeprefix("[0]."), p.message)
        for p in problems
    ]
    if problems:
        raise CollectionError(
            f"{len(problems)} erreur(s) : aucun sac à badges enregistré", tuple(problems)
        )
    recorded = _entries(site.root, issuer)
    path = _write(site.root, issuer, [*recorded, {k: v for k, v in item.items() if v is not None}])
    return path, item


@dataclass(frozen=True)
class Recorded:
    issuer: str
    item: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.item.get("id", ""))

    def status(self, day: date) -> str:
        until = self.item.get("until")
        if until is not None and str(until) < day.isoformat():
            return f"échu le {until}"
        return f"publié jusqu'au {until}" if until else "publié"


def recorded(root: Path) -> list[Recorded]:
    """Every entry of every collections file."""
    return [
        Recorded(path.parent.name, item)
        for path in sorted((root / "issuers").glob(f"*/{FILE_NAME}"))
        for item in _entries(root, path.parent.name)
    ]


def withdraw(root: Path, collection_id: str) -> tuple[Path, Recorded]:
    """Remove a collection from its file: its page disappears at the next build."""
    matches = [r for r in recorded(root) if r.id == collection_id]
    if not matches:
        raise CollectionError(f"aucun sac à badges « {collection_id} »")
    target = matches[0]
    rest = [item for item in _entries(root, target.issuer) if item.get("id") != collection_id]
    return _write(root, target.issuer, rest), target
