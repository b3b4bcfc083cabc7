"""JSON read and written with orjson where it gives exactly what the standard library gives.

Records, cache indexes and the site manifest are parsed at every build (hundreds of megabytes
at 100,000 awards); orjson does it several times faster than ``json``. It differs from the
standard library in a few corners, which go to ``json`` instead, so callers see the same
values and the same errors (with their line and column) as before:

- it refuses lone surrogates (``"\\ud800"``), ``NaN``, ``Infinity`` and numbers beyond a
  double's range: its error sends the text to ``json``;
- it reads integers beyond 64 bits (from 2**64, or below -2**63) as floats: a text that may
  hold one goes to ``json`` at once. That is a minus sign followed by 19 digits, or 20 digits
  that follow what may come before a number (the start, ``[``, ``,``, ``:`` or white space);
  digits that follow anything else (a letter of a hexadecimal digest, a quote) are inside a
  string. Every integer of 19 digits is below 2**64 and read exactly: the site manifest and
  the records index are full of them (file times in nanoseconds), and of digests, some with
  long runs of digits. Digits in a fraction or an exponent give the same float either way
  (``tests/unit/test_fastjson.py`` compares both);
- it cannot write those surrogates or integers beyond 64 bits: :func:`dumps` writes them with
  ``json``, as ASCII.
"""

from __future__ import annotations

import gc
import json
from typing import Any

import orjson

# Every digit becomes "0", a minus sign stays, what may come before a number becomes "!" and
# every other byte a space: the long integers are then found with plain substring searches,
# some fifteen times faster than a regular expression (records are mostly base64 and
# hexadecimal, full of short runs of digits that a regex engine tries each).
_BEFORE_NUMBER = frozenset(b"[,: \t\n\r")


def _class_of(byte: int) -> int:
    if 0x30 <= byte <= 0x39:
        return ord("0")
    if byte == ord("-"):
        return byte
    return ord("!") if byte in _BEFORE_NUMBER else ord(" ")


_DIGITS_ONLY = bytes(_class_of(byte) for byte in range(256))
_LONG_RUN = b"0" * 20
_LONG_POSITIVE = b"!" + _LONG_RUN
_LONG_NEGATIVE = b"-" + b"0" * 19


def exact(text: bytes | str) -> bool:
    """Whether orjson reads ``text`` exactly: no integer in it is beyond 64 bits (see above).

    A caller that keeps this verdict with the text's digest can read the same bytes again with
    ``loads(..., exact=True)``, and skip the search, which costs more than orjson's parse.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return not _may_hold_a_long_integer(data)


def _may_hold_a_long_integer(data: bytes) -> bool:
    """Whether ``data`` may hold an integer that orjson does not read exactly (see above)."""
    digits = data.translate(_DIGITS_ONLY)
    return _LONG_POSITIVE in digits or _LONG_NEGATIVE in digits or digits.startswith(_LONG_RUN)


#: From this size (in bytes) on, a text is parsed with the cyclic garbage collector paused.
_LARGE = 1 << 16


def loads(text: bytes | str, *, exact: bool = False) -> Any:
    """The value of a JSON text, as ``json.loads`` gives it (and its ``JSONDecodeError``).

    ``exact``: the caller knows that :func:`exact` holds for these very bytes.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(data) < _LARGE or not gc.isenabled():
        return _loads(text, data, exact)
    # A large text makes hundreds of thousands of objects at once, none of them garbage: with
    # the collector on, they set off collections that walk the whole heap again and again (the
    # manifest of a site of 10,000 awards, read beside the loaded site: 0.2 s instead of 0.09).
    gc.disable()
    try:
        return _loads(text, data, exact)
    finally:
        gc.enable()


def _loads(text: bytes | str, data: bytes, exact: bool) -> Any:
    if exact or not _may_hold_a_long_integer(data):
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
