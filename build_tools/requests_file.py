"""Badge requests sent by learners: read, check and turn into an award request.

A learner fills in the "Demander ce badge" form of a badge page; the browser prepares an email
to the issuer and a file ``demande-<badge>.json`` (schema ``build_tools/schemas/request.schema.json``)
that the learner attaches. The file holds personal data, so it never enters the repository: the
trainer keeps it aside and runs ``badgeons award BADGE --issuer ISSUER --request FILE``.

Everything in the file comes from outside, so it is checked strictly: the schema, the badge and
issuer it names (they must match the command's), the email address, evidence addresses in
http(s), and no HTML or script in any text (the narrative becomes public). Every problem is
reported, each naming the file and the field: ``demande.json: narrative: HTML interdit ...``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from build_tools import issuing
from build_tools.identity import InvalidEmail, normalise_email

FORMAT = "badgeons-demande/1"
TEXT_FIELDS = ("name", "narrative")
# A tag (opening, closing, comment or doctype), or a URL scheme that runs code.
_HTML = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)|<\s*!|(?:java|vb)script\s*:", re.I)
KNOWN_FIELDS = frozenset(
    ("format", "badge", "issuer", "name", "email", "narrative", "evidence", "date")
)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem of a request file: ``demande.json: narrative: message``."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class RequestFileError(Exception):
    """The request file cannot be used; ``problems`` lists every reason."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(
            f"{file} : {len(problems)} problème(s), aucun badge délivré\n"
            + "\n".join(str(p) for p in self.problems)
        )


@dataclass(frozen=True)
class BadgeRequest:
    """A checked request: what will be awarded, to whom, with what evidence."""

    badge: str
    issuer: str
    name: str
    email: str
    narrative: str
    evidence: tuple[str, ...]
    date: str


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("build_tools.schemas").joinpath("request.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def html_in(text: str) -> str | None:
    """The first piece of HTML or script in a text (``<script``, ``javascript:``), or None."""
    match = _HTML.search(text)
    return match.group(0).strip() if match else None


def _schema_problems(file: str, data: Any) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(data):
        path = [str(p) for p in error.absolute_path]
        field = ".".join(path) if path else ""
        if error.validator == "required":
            missing = error.message.split("'")[1]
            problems.append(Problem(file, missing, "champ obligatoire manquant"))
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - KNOWN_FIELDS)
            problems.append(Problem(file, extra[0] if extra else "", "champ inconnu"))
        elif error.validator == "const":
            problems.append(Problem(file, field, f"doit valoir « {FORMAT} »"))
        elif error.validator == "type":
            problems.append(
                Problem(file, field, f"type inattendu (attendu : {error.validator_value})")
            )
        elif error.validator in ("maxLength", "maxItems"):
            problems.append(Problem(file, field, f"trop long (au plus {error.validator_value})"))
        elif error.validator in ("minLength",):
            problems.append(Problem(file, field, "ne peut pas être vide"))
        else:
            problems.append(Problem(file, field, f"valeur invalide : {error.message}"))
    return problems


def _content_problems(file: str, data: dict[str, Any], badge: str, issuer: str) -> list[Problem]:
    problems = []
    if data["badge"] != badge:
        problems.append(
            Problem(file, "badge", f"la demande porte sur « {data['badge']} », pas sur « {badge} »")
        )
    if data["issuer"] != issuer:
        problems.append(
            Problem(
                file,
                "issuer",
                f"la demande est adressée à « {data['issuer']} », pas à « {issuer} »",
            )
        )
    try:
        normalise_email(data["email"])
    except InvalidEmail as exc:
        problems.append(Problem(file, "email", str(exc)))
    for name in TEXT_FIELDS:
        found = html_in(data[name])
        if found:
            problems.append(
                Problem(
                    file,
                    name,
                    f"HTML interdit (« {found} ») : la demande doit être en texte simple ; "
                    "demandez à la personne de la refaire sans balise ni script",
                )
            )
    for index, url in enumerate(data["evidence"]):
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in url)
        ):
            problems.append(
                Problem(
                    file,
                    f"evidence[{index}]",
                    f"« {url} » : une preuve est une adresse http:// ou https://",
                )
            )
    try:
        datetime.fromisoformat(data["date"][:10])
    except ValueError:
        problems.append(Problem(file, "date", f"date invalide « {data['date']} » (AAAA-MM-JJ)"))
    return problems


def read_request(path: Path, badge: str, issuer: str) -> BadgeRequest:
    """The checked request of a file, for ``badge`` by ``issuer``; else :class:`RequestFileError`."""
    file = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestFileError(file, [Problem(file, "", f"illisible : {exc}")]) from None
    except json.JSONDecodeError as exc:
        message = f"JSON invalide, ligne {exc.lineno} colonne {exc.colno} : {exc.msg}"
        raise RequestFileError(file, [Problem(file, "", message)]) from None
    problems = _schema_problems(file, data)
    if problems:
        raise RequestFileError(file, problems)
    problems = _content_problems(file, data, badge, issuer)
    if problems:
        raise RequestFileError(file, problems)
    return BadgeRequest(
        badge=data["badge"],
        issuer=data["issuer"],
        name=data["name"].strip(),
        email=normalise_email(data["email"]),
        narrative=data["narrative"].strip(),
        evidence=tuple(data["evidence"]),
        date=data["date"][:10],
    )


def award_request(
    request: BadgeRequest,
    *,
    issued_on: datetime,
    expires: datetime | None,
    name_consent: bool,
    narrative: str | None = None,
) -> issuing.AwardRequest:
    """The award of an accepted request, exactly as ``--recipient`` would make it.

    The name is kept only with the learner's consent to show it; ``narrative`` replaces the
    learner's text when the trainer rewrote it for publication.
    """
    return issuing.AwardRequest(
        email=request.email,
        issued_on=issued_on,
        expires=expires,
        name=request.name if name_consent else None,
        name_consent=name_consent,
        evidence=tuple(issuing.Evidence(url=u) for u in request.evidence),
        narrative=narrative or request.narrative,
    )


def summary(request: BadgeRequest, name_consent: bool) -> list[str]:
    """What will be issued, in French, for the trainer to check before signing."""
    shown = (
        "affiché sur la page du badge" if name_consent else "non affiché (pas de --name-consent)"
    )
    lines = [
        f"Demande du {request.date} : badge « {request.badge} » par « {request.issuer} »",
        f"  personne : {request.name} <{request.email}> — nom {shown}",
        f"  récit (public) : {request.narrative}",
    ]
    lines += [f"  preuve : {url}" for url in request.evidence] or ["  preuve : aucune"]
    return lines
