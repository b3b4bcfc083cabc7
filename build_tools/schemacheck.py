"""Check a loaded YAML document against its published JSON Schema.

The JSON Schemas under ``build_tools/schemas/`` are the single description of each file kind:
editors use them for completion, and this module uses them for validation. Each schema error
becomes a diagnostic located at the faulty key, with a message in French for the collective
members who write the files, and a "did you mean" for misspelt keys and values.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from build_tools.diagnostics import Diagnostic
from build_tools.yamlsource import DocPath, Source, format_field

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

# jsonschema is imported where it is used: a build whose checked files all come from the cache
# (discover.load_checked) never needs it.

SCHEMA_KINDS = ("settings", "issuer", "badge", "revocations", "holders", "consents")

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_TYPE_NAMES = {
    "string": "du texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "true ou false",
    "array": "une liste",
    "object": "un ensemble de champs (clé: valeur)",
    "null": "vide",
}

_FORMAT_NAMES = {
    "email": "une adresse e-mail valide",
    "uri": "une URL complète (https://...)",
    "date-time": "une date et heure ISO 8601 avec fuseau (2026-11-23T10:00:00+01:00)",
    "date": "une date ISO 8601 (2026-11-23)",
}


def _checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks("email")
    def is_email(value: object) -> bool:
        return not isinstance(value, str) or (bool(_EMAIL.match(value)) and len(value) <= 254)

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and not any(c.isspace() for c in value)

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value)
        return parsed.tzinfo is not None and "T" in value

    @checker.checks("date", raises=ValueError)
    def is_date(value: object) -> bool:
        if not isinstance(value, str):
            return True
        # ASCII digits only (``\d`` would take other scripts' digits too).
        return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))

    return checker


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The published JSON Schema of a file kind (``settings``, ``issuer``, ``badge``...)."""
    text = resources.files("build_tools.schemas").joinpath(f"{kind}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind), format_checker=_checker())


def check(source: Source, kind: str) -> list[Diagnostic]:
    """Every schema problem of a document, located and explained."""
    errors = [
        leaf for error in _validator(kind).iter_errors(source.data) for leaf in _leaves(error)
    ]
    # A value with a format error also breaks its pattern; one message per value is enough.
    bad_format = {tuple(e.absolute_path) for e in errors if e.validator == "format"}
    errors = [
        e for e in errors if e.validator != "pattern" or tuple(e.absolute_path) not in bad_format
    ]
    diagnostics = [d for error in errors for d in _explain_leaf(source, error)]
    return sorted(set(diagnostics))


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The most specific errors: an ``allOf``/``if`` wrapper says less than what it wraps."""
    if error.validator in ("allOf", "if", "then") and error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


def _explain_leaf(source: Source, error: ValidationError) -> Iterable[Diagnostic]:
    doc_path: DocPath = tuple(error.absolute_path)
    name = format_field(doc_path)
    keyword = str(error.validator)
    value: Any = error.instance
    expected_value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")

    if keyword == "required":
        missing = [key for key in expected_value if key not in (value or {})]
        for key in missing:
            where = source.locate(doc_path)
            yield where.error(format_field((*doc_path, key)), "champ obligatoire manquant")
        return
    if keyword == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        for key in sorted(set(value) - set(known)):
            child = (*doc_path, key)
            message = "champ inconnu" + _did_you_mean(key, known)
            if not known:
                message = "champ inconnu : cet ensemble n'accepte aucun champ"
            yield source.locate(child).error(format_field(child), message)
        return

    where = source.locate(doc_path)
    if keyword == "type":
        wanted = expected_value
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        expected = " ou ".join(_TYPE_NAMES.get(n, n) for n in names)
        message = f"doit être {expected}, pas {_show(value)}"
        if names == ["string"] and isinstance(value, int | float) and not isinstance(value, bool):
            message += f' (écrivez "{value}" entre guillemets)'
        elif names == ["string"] and isinstance(value, dict) and len(value) == 1:
            # A text with « : » in it (French typography) reads as a field: quote it.
            ((key, rest),) = value.items()
            text = f"{key} : {rest}" if isinstance(rest, str) else f"{key} :"
            message += (
                f" : le « : » du texte en fait un champ ; mettez tout le texte entre "
                f'guillemets ("{text}")'
            )
    elif keyword == "enum":
        options = [str(v) for v in expected_value]
        message = f"valeur {_show(value)} non reconnue" + _did_you_mean(str(value), options)
        if len(options) <= 8:
            message += f" (valeurs possibles : {', '.join(options)})"
    elif keyword == "const":
        message = f"doit valoir {_show(expected_value)}"
    elif keyword == "anyOf":
        options = [str(v) for sub in expected_value for v in sub.get("enum", [])]
        message = custom or f"valeur {_show(value)} non reconnue"
        message += _did_you_mean(str(value), options)
    elif keyword == "format":
        fmt = str(expected_value)
        message = f"doit être {_FORMAT_NAMES.get(fmt, fmt)}, pas {_show(value)}"
    elif keyword == "pattern":
        message = custom or f"{_show(value)} n'a pas la forme attendue ({expected_value})"
        if custom:
            message = f"{_show(value)} : {custom}"
    elif keyword == "minLength":
        message = f"trop court (au moins {expected_value} caractères)"
    elif keyword == "maxLength":
        message = f"trop long ({len(value)} caractères, au plus {expected_value})"
    elif keyword == "minimum":
        message = f"doit être au moins {expected_value}, pas {_show(value)}"
    elif keyword == "maximum":
        message = f"doit être au plus {expected_value}, pas {_show(value)}"
    elif keyword == "minItems":
        message = f"doit contenir au moins {expected_value} élément(s)"
    elif keyword == "maxItems":
        message = f"doit contenir au plus {expected_value} éléments"
    elif keyword == "uniqueItems":
        message = "contient des éléments en double"
    elif keyword == "not":
        message = custom or "cette combinaison de champs n'est pas permise ici"
    else:
        message = error.message
    yield where.error(name, message)


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"« {shown} »"
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "un ensemble de champs"
    if isinstance(value, list):
        return "une liste"
    return str(value)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def schema_version() -> str:
    """The jsonschema library version, for reports."""
    import jsonschema

    return str(getattr(jsonschema, "__version__", "unknown"))
