"""JSON read and written with orjson where it gives exactly what the standard library gives.

Records, cache indexes and the site manifest are parsed at every build (hundreds of megabytes
at 100,000 awards); orjson does it several times faster than ``json``. It differs from the
standard library in a few corners, which go to ``json`` instead, so callers see the same
values and the same errors (with their line and column) as before:

- it refuses lone surrogates (``"\\ud800"``), ``NaN``, ``Infinity`` and numbers beyond a
  double's range: its error sends the text to ``json``;
- it reads integers beyond 64 bits (from 2**64, or below -2**63) as floats: a text with a run
  of 19 digits or more goes to ``json`` at once;
- it cannot write those surrogates or integers beyond 64 bits: :func:`dumps` writes them with
  ``json``, as ASCII.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Every digit becomes "0" and every other byte a space: a run of 19 digits is then found with
# a plain substring search, some fifteen times faster than a regular expression (records are
# mostly base64 and hexadecimal, full of short runs of digits that a regex engine tries each).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_RUN = b"0" * 19


def _has_long_digit_run(data: bytes) -> bool:
    return _LONG_RUN in data.translate(_DIGITS_ONLY)


def loads(text: bytes | str) -> Any:
    """The value of a JSON text, as ``json.loads`` gives it (and its ``JSONDecodeError``)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if not _has_long_digit_run(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps(value: object) -> bytes:
    """Compact JSON (no spaces) of a value, as UTF-8; ASCII where orjson cannot write it."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, separators=(",", ":")).encode("ascii")
