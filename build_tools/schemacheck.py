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
from collections.abc import Callable, Iterable, Iterator
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


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or (bool(_EMAIL.match(value)) and len(value) <= 254)


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not any(c.isspace() for c in value)


def _is_datetime(value: object) -> bool:
    """Raises ValueError for a text that is no date and time at all."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    return parsed.tzinfo is not None and "T" in value


def _is_date(value: object) -> bool:
    """Raises ValueError for a text that is no calendar day."""
    if not isinstance(value, str):
        return True
    # ASCII digits only (``\d`` would take other scripts' digits too).
    return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))


#: The formats the schemas use, and how each is checked (by both validators, see check).
_FORMATS = {"email": _is_email, "uri": _is_uri, "date-time": _is_datetime, "date": _is_date}


def _checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, function in _FORMATS.items():
        checker.checks(name, raises=ValueError)(function)
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
    if _surely_valid(source.data, kind):
        return []
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


#: Lists of at least this many entries (consents, display names, revocations of a large
#: network) are first checked by the schema compiled to Python (fastjsonschema), ten times
#: faster than jsonschema: 5,000 consents in 0.04 s instead of 0.5. Compiling a schema takes
#: about 15 ms, more than jsonschema spends on a small file.
FAST_MIN_ENTRIES = 200


def _surely_valid(data: Any, kind: str) -> bool:
    """Whether the compiled schema accepts a large list; False settles nothing.

    Only a yes is taken from it: a document it refuses, or that makes it fail in any way, is
    checked by jsonschema, which finds and explains every problem. The compiled check is
    never more lenient than jsonschema on our schemas: it reads them as draft 7, whose
    keywords they only use (the siblings of ``$ref`` apply, see :func:`_as_draft7`), with the
    same format functions and Python's own regular expressions (``$`` read as ``\\Z``:
    stricter). tests/unit/test_schemacheck.py compares both on hundreds of broken entries.
    """
    if not isinstance(data, list) or len(data) < FAST_MIN_ENTRIES:
        return False
    validate = _compiled(kind)
    if validate is None:
        return False
    try:
        validate(data)
    except Exception:  # Any doubt: jsonschema decides.
        return False
    return True


@cache
def _compiled(kind: str) -> Callable[[Any], Any] | None:
    """The schema of ``kind`` compiled by fastjsonschema, or None if it cannot compile it."""
    return compile_schema(load_schema(kind))


def compile_schema(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """A 2020-12 schema compiled by fastjsonschema (which raises on a document it refuses)."""
    import fastjsonschema

    try:
        return fastjsonschema.compile(_as_draft7(schema), formats=_FORMATS, use_default=False)
    except fastjsonschema.JsonSchemaDefinitionException:
        return None


def _as_draft7(schema: Any) -> Any:
    """A 2020-12 schema read the same way by a draft-7 validator.

    The only difference that matters for our schemas: in draft 7, the keywords beside a
    ``$ref`` are ignored; in 2020-12 they apply. Each ``$ref`` with siblings goes into an
    ``allOf`` of its own, where both drafts apply it and its siblings alike.
    """
    if isinstance(schema, list):
        return [_as_draft7(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _as_draft7(value) for key, value in schema.items()}
    if "$schema" in converted:
        converted["$schema"] = "http://json-schema.org/draft-07/schema#"
    if "$ref" in converted and len(converted) > 1:
        converted["allOf"] = [*converted.get("allOf", []), {"$ref": converted.pop("$ref")}]
    return converted


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
