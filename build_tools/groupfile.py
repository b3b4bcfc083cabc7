"""Read a group of learners to award from a CSV file (as exported by a spreadsheet).

Columns (header row required, in any order; ``;`` or ``,`` as separator, UTF-8 with or without
BOM): ``email`` (required), ``name`` and ``name_consent`` (oui/non: a name is kept only with
oui, and a name without an answer is an error), ``evidence_url`` (one or more addresses
separated by spaces), ``evidence_narrative``, ``narrative``, ``issued_on`` and ``expires``
(AAAA-MM-JJ). Every problem is reported as ``file:row:column: error: column: message``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from build_tools.diagnostics import Diagnostic, Position, unreadable_file
from build_tools.identity import InvalidEmail, normalise_email
from build_tools.issuing import AwardRequest, Evidence, IssuingError, parse_when

COLUMNS = (
    "email",
    "name",
    "name_consent",
    "evidence_url",
    "evidence_narrative",
    "narrative",
    "issued_on",
    "expires",
)
_YES = {"oui", "o", "yes", "y", "1", "true", "vrai", "x"}
_NO = {"non", "n", "no", "0", "false", "faux", ""}
MAX_ROWS = 10_000


def read_group(
    path: Path, shown: str, default_issued_on: datetime
) -> tuple[list[AwardRequest], list[Diagnostic]]:
    """All the requests of a group file, or the diagnostics of every bad cell."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [Position(shown).error("", unreadable_file(exc))]
    except UnicodeDecodeError:
        return [], [
            Position(shown, 1, 1).error(
                "", "le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »"
            )
        ]
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        return [], [
            Position(shown, 1, 1).error(
                "", "fichier vide : la première ligne doit nommer les colonnes"
            )
        ]
    header = [h.strip().lower() for h in rows[0]]
    problems: list[Diagnostic] = []
    for index, name in enumerate(header, 1):
        if name not in COLUMNS:
            problems.append(
                Position(shown, 1, index).error(
                    name or "(vide)",
                    f"colonne inconnue (colonnes possibles : {', '.join(COLUMNS)})",
                )
            )
    if "email" not in header:
        problems.append(Position(shown, 1, 1).error("email", "colonne obligatoire absente"))
    if len(set(header)) != len(header):
        problems.append(Position(shown, 1, 1).error("", "une colonne est nommée deux fois"))
    if problems:
        return [], problems
    if len(rows) - 1 > MAX_ROWS:
        return [], [
            Position(shown, 1, 1).error(
                "", f"trop de lignes ({len(rows) - 1}, au plus {MAX_ROWS} par fichier)"
            )
        ]
    requests: list[AwardRequest] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(
                Position(shown, line, len(header) + 1).error(
                    "", f"{len(row)} cellules pour {len(header)} colonnes"
                )
            )
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        column = {name: i + 1 for i, name in enumerate(header)}

        def bad(name: str, message: str, line: int = line, column: dict[str, int] = column) -> None:
            problems.append(Position(shown, line, column.get(name, 1)).error(name, message))

        try:
            email = normalise_email(cells["email"])
        except InvalidEmail as exc:
            bad("email", str(exc) if cells["email"] else "adresse e-mail manquante")
            continue
        if email in seen:
            bad("email", f"même personne qu'à la ligne {seen[email]}")
        seen[email] = line
        consent = cells.get("name_consent", "").lower()
        shown_name = cells.get("name") or None
        if consent not in _YES | _NO:
            bad("name_consent", f"« {cells['name_consent']} » : écrivez oui ou non")
        elif shown_name and not consent:
            bad(
                "name_consent",
                "un nom est donné sans réponse : écrivez oui si la personne accepte qu'il soit "
                "affiché, non sinon",
            )
        if consent not in _YES:
            # A class list names everyone; the name of a person who said no is left out of
            # the award (it is never stored), rather than making the trainer blank the cell.
            shown_name = None
        dates: dict[str, datetime | None] = {}
        for name in ("issued_on", "expires"):
            try:
                dates[name] = (
                    parse_when(cells[name], end_of_day=name == "expires")
                    if cells.get(name)
                    else None
                )
            except IssuingError as exc:
                bad(name, str(exc))
                dates[name] = None
        links = cells.get("evidence_url", "").split()
        told = cells.get("evidence_narrative") or None
        evidence = tuple(Evidence(url=u) for u in links)
        if told:
            # The narrative goes with the first link, or stands alone when there is none.
            evidence = (Evidence(url=links[0] if links else None, narrative=told), *evidence[1:])
        requests.append(
            AwardRequest(
                email=email,
                issued_on=dates["issued_on"] or default_issued_on,
                expires=dates["expires"],
                name=shown_name,
                name_consent=shown_name is not None,
                evidence=evidence,
                narrative=cells.get("narrative") or None,
                where=Position(shown, line, 1),
            )
        )
    return requests, problems
