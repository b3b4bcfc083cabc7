"""orjson where it gives exactly what the standard library gives, json elsewhere."""

from __future__ import annotations

import json
import random

import pytest

from build_tools import fastjson

CORNERS = [
    '{"a": 1, "a": 2}',
    "-0",
    "-0.0",
    "1.0",
    "1e-05",
    "1E+2",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "9999999999999999999",
    "[1790000000123456789, -1790000000123456789]",
    "-9223372036854775808",
    "-9223372036854775809",
    "-9999999999999999999",
    "0.1234567890123456789",
    "1234567890123456789.5e-3",
    "1e0000000000000000001",
    '{"d": "ab12345678901234567890123", "n": 12345678901234567890}',
    '{"d": "ab12345678901234567890123", "n": [1, 12345678901234567890]}',
    '["12345678901234567890", "x-1234567890123456789",\n12345678901234567890]',
    "123456789012345678901234567890",
    '"12345678901234567890123"',
    '"\\ud800"',
    '"\\udc00x\\ud83d\\ude00"',
    "NaN",
    "-Infinity",
    "1e400",
    '{"é": "\\u00e9", "\\u2028": "/\\/"}',
    "[]",
    '  [1, [2, {"x": null}]]  ',
]


@pytest.mark.parametrize("text", CORNERS)
def test_loads_gives_what_json_gives(text: str) -> None:
    expected = json.loads(text)
    for form in (text, text.encode("utf-8", "surrogatepass")):
        found = fastjson.loads(form)
        assert repr(found) == repr(expected)


@pytest.mark.parametrize("text", ["{", '{"a" 1}', "[1,]", '"\\x"', "01"])
def test_errors_are_those_of_json_with_their_position(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as found:
        fastjson.loads(text)
    assert (found.value.lineno, found.value.colno, found.value.msg) == (
        expected.value.lineno,
        expected.value.colno,
        expected.value.msg,
    )


def _random_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2**31, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1])
    if kind == 2:
        return rng.choice([0.5, -0.0, 1e-5, 1e22, 123.456, 5e-324])
    if kind in (3, 4):
        return "".join(rng.choice('aé\u2028"\\/\n\t\x00😀\ud800z') for _ in range(rng.randrange(6)))
    if kind == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(_random_value(rng, 3)): _random_value(rng, depth + 1) for _ in range(3)}


def test_random_values_round_trip_as_with_json() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        value = _random_value(rng)
        written = fastjson.dumps(value)
        assert repr(fastjson.loads(written)) == repr(json.loads(written))
        assert repr(json.loads(written)) == repr(json.loads(json.dumps(value)))


def _digits(rng: random.Random, count: int) -> str:
    text = "".join(rng.choice("0123456789") for _ in range(count))
    return rng.choice("123456789") + text[1:] if count > 1 else text


def test_numbers_with_long_digit_runs_are_read_as_json_reads_them() -> None:
    # Integers, negative integers, fractions and exponents of 15 to 21 digits, alone or in a
    # list beside strings full of digits: orjson takes those that it reads exactly, json the
    # others, and the values are always json's.
    rng = random.Random(9)
    for _ in range(5000):
        count = rng.randrange(15, 22)
        number = rng.choice(
            [
                _digits(rng, count),
                "-" + _digits(rng, count),
                f"{_digits(rng, 2)}.{_digits(rng, count)}",
                f"-{_digits(rng, count)}.{_digits(rng, 2)}",
                f"{_digits(rng, 1)}e{rng.choice(['', '-', '+'])}{_digits(rng, count)}",
            ]
        )
        digest = f"{rng.choice('abcdef')}{_digits(rng, rng.randrange(15, 25))}"
        for text in (number, f'["{digest}",{rng.choice(["", " ", chr(10)])}{number}]'):
            assert repr(fastjson.loads(text)) == repr(json.loads(text)), text


def test_long_integers_are_found_as_a_regex_finds_them() -> None:
    # Texts of digits and other bytes (ASCII and not), with runs of every length around 19.
    import re

    pattern = re.compile(rb"(?:^|[\[,: \t\n\r])[0-9]{20}|-[0-9]{19}")
    rng = random.Random(5)
    for _ in range(5000):
        parts = [
            bytes([rng.choice(b'a\xff.\x00 /\xd9--[,:\t\n\r"e')])
            + bytes(rng.choice(b"0123456789") for _ in range(rng.randrange(25)))
            for _ in range(rng.randrange(1, 5))
        ]
        data = b"".join(parts)[rng.randrange(2) :]
        found = pattern.search(data) is not None
        assert fastjson._may_hold_a_long_integer(data) == found, data


def test_exact_is_the_verdict_of_the_search_and_loads_trusts_it() -> None:
    long = b'{"n": 123456789012345678901, "s": "a1234567890123456789012345"}'
    plain = b'{"n": 1234567890123456789, "s": "a1234567890123456789012345"}'
    assert not fastjson.exact(long) and not fastjson.exact(long.decode())
    assert fastjson.exact(plain) and fastjson.exact(plain.decode())
    assert fastjson.loads(plain, exact=True) == json.loads(plain)
    # Told wrongly that a text is exact, loads takes orjson's reading: the float the verdict
    # exists to avoid. That is why only a verdict kept with the same bytes is passed.
    assert fastjson.loads(long) == json.loads(long)
    assert fastjson.loads(long, exact=True)["n"] != json.loads(long)["n"]
    # What orjson refuses still goes to json, exact or not.
    assert repr(fastjson.loads(b"[NaN]", exact=True)) == repr(json.loads(b"[NaN]"))


@pytest.mark.parametrize("enabled", [True, False])
def test_a_large_text_is_parsed_with_the_collector_paused_and_left_as_it_was(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    states: list[bool] = []
    real = fastjson._loads

    def spy(text: bytes | str, data: bytes, exact: bool) -> object:
        states.append(gc.isenabled())
        return real(text, data, exact)

    monkeypatch.setattr(fastjson, "_loads", spy)
    large = json.dumps({f"page-{i}.html": [i, 10**18 + i, "ab" * 32] for i in range(2000)})
    assert len(large) >= fastjson._LARGE
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        assert fastjson.loads(large) == json.loads(large)
        with pytest.raises(json.JSONDecodeError):
            fastjson.loads(large[:-1])
        assert gc.isenabled() == enabled
        assert fastjson.loads('{"small": 1}') == {"small": 1}
    finally:
        if was:
            gc.enable()
    # Paused for both large texts, as it was for the small one.
    assert states == [False, False, enabled]
