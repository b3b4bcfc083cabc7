from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from build_tools import schemacheck
from build_tools.yamlsource import load_yaml_text
from tests.conftest import DEMO, PROJECT


@pytest.mark.parametrize("kind", schemacheck.SCHEMA_KINDS)
def test_published_schemas_are_valid_json_schemas(kind: str) -> None:
    Draft202012Validator.check_schema(schemacheck.load_schema(kind))


@pytest.mark.parametrize("folder,kind", [("badges", "badge"), ("issuers", "issuer")])
def test_repository_files_point_editors_at_their_schema(folder: str, kind: str) -> None:
    files = sorted((DEMO / folder).glob("*.yaml"))
    assert files, f"no {folder} in the demo repository"
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (
            first == f"# yaml-language-server: $schema=../build_tools/schemas/{kind}.schema.json"
        ), path
        # Resolved as from the repository's own folder (DEMO may be a copy elsewhere).
        schema = (PROJECT / folder / re.sub(r".*\$schema=", "", first)).resolve()
        assert schema.is_file()


def _check(text: str, kind: str = "issuer") -> list[str]:
    source, problems = load_yaml_text(text, "f.yaml")
    assert source is not None and not problems
    return [str(d) for d in schemacheck.check(source, kind)]


def test_email_and_url_formats_are_checked() -> None:
    text = (
        "type: organisation\nname: Atelier\nurl: https://a.example.org/\n"
        "email: a@b\ndescription: Une description assez longue.\n"
    )
    assert _check(text) == [
        "f.yaml:4:1: error: email: doit être une adresse e-mail valide, pas « a@b »"
    ]


def test_a_url_that_cannot_be_parsed_is_reported_not_raised() -> None:
    # urlsplit raises ValueError for "http://[" (an IPv6 address never closed): until
    # 2026-12-08 that escaped the check, and the build stopped with a traceback.
    text = (
        'type: organisation\nname: Atelier\nurl: "http://["\nemail: a@b.example.org\n'
        "description: Une description assez longue.\n"
    )
    assert _check(text) == [
        "f.yaml:3:1: error: url: doit être une URL complète (https://...), pas « http://[ »"
    ]


def test_key_date_time_needs_a_time_zone() -> None:
    text = (
        "type: organisation\nname: Atelier\nurl: https://a.example.org/\nemail: a@b.example.org\n"
        "description: Une description assez longue.\nkeys:\n  - id: rsa-1\n    type: RSA\n"
        "    created: 2026-11-23T10:00:00\n    public_key_jwk: {kty: RSA, n: abc, e: AQAB}\n"
    )
    assert _check(text) == [
        "f.yaml:9:5: error: keys[0].created: doit être une date et heure ISO 8601 avec fuseau "
        "(2026-11-23T10:00:00+01:00), pas « 2026-11-23T10:00:00 »"
    ]


def test_key_material_must_match_its_type() -> None:
    text = (
        "type: organisation\nname: Atelier\nurl: https://a.example.org/\nemail: a@b.example.org\n"
        "description: Une description assez longue.\nkeys:\n  - id: ed-1\n    type: Ed25519\n"
        "    created: 2026-11-23T10:00:00+00:00\n    public_key_jwk: {kty: RSA, n: abc, e: AQAB}\n"
    )
    messages = _check(text)
    assert "f.yaml:7:5: error: keys[0].public_key_multibase: champ obligatoire manquant" in messages
    assert any("keys[0]: cette combinaison de champs n'est pas permise ici" in m for m in messages)


def test_schema_files_are_packaged() -> None:
    for kind in schemacheck.SCHEMA_KINDS:
        assert (Path(schemacheck.__file__).parent / "schemas" / f"{kind}.schema.json").is_file()


@pytest.mark.parametrize(
    "day,valid",
    [
        ("2026-11-23", True),
        ("2028-02-29", True),
        ("2026-02-29", False),
        ("2026-13-01", False),
        ("2026-1-23", False),
        ("20261123", False),
        ("2026-11-23T10:00:00", False),
        # Digits of another script, which a pattern of \d alone would take.
        ("٢٠٢٦-١١-٢٣", False),
    ],
)
def test_a_date_is_a_calendar_day_written_yyyy_mm_dd(day: str, valid: bool) -> None:
    text = f'- assertion: {"a" * 26}\n  name: Awa\n  consent: "{day}"\n'
    messages = _check(text, "holders")
    if valid:
        assert messages == []
    else:
        assert messages == [
            f"f.yaml:3:3: error: [0].consent: doit être une date ISO 8601 (2026-11-23), pas « {day} »"
        ]


# The compiled schemas (fastjsonschema) that check large lists first: a document they accept
# is not checked by jsonschema, so they must never accept what jsonschema refuses.

_ODD_VALUES: list[object] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    -1,
    2.5,
    "",
    " ",
    "x",
    "a\n",
    "x" * 300,
    "a@b",
    "a@b.example.org",
    "https://a.example.org/",
    "a.example.org",
    "http://[",
    "2026-11-23",
    "2026-02-30",
    "2026-11-23T10:00:00",
    "2026-11-23T10:00:00+01:00",
    "٢٠٢٦-١١-٢٣",
    "Zoé 12 rue des Lilas",
    [],
    ["x"],
    {},
    {"x": 1},
]


def _mutations(value: object, depth: int = 0) -> Iterator[object]:
    """Copies of a YAML value, each changed in one place (most of them break it)."""
    if isinstance(value, dict):
        yield {**value, "champ_inconnu": 1}
        for key, item in value.items():
            yield {k: v for k, v in value.items() if k != key}
            for odd in _ODD_VALUES:
                yield {**value, key: odd}
            if depth < 3:
                for changed in _mutations(item, depth + 1):
                    yield {**value, key: changed}
    elif isinstance(value, list):
        yield []
        yield value + value[:1]
        yield value * 30
        for i, item in enumerate(value[:2]):
            for odd in _ODD_VALUES:
                yield [*value[:i], odd, *value[i + 1 :]]
            if depth < 3:
                for changed in _mutations(item, depth + 1):
                    yield [*value[:i], changed, *value[i + 1 :]]
    elif isinstance(value, str):
        yield from (value + "\n", value.upper(), " " + value, value * 40, value[:1])


def _accepts(validate: Callable[[object], object] | None, document: object) -> bool:
    assert validate is not None
    try:
        validate(document)
    except Exception:
        return False
    return True


@pytest.mark.parametrize(
    "kind,name",
    [
        ("consents", "consents.yaml"),
        ("holders", "holders.yaml"),
        ("revocations", "revocations.yaml"),
        ("collections", "collections.yaml"),
    ],
)
def test_compiled_schema_never_accepts_what_jsonschema_refuses(kind: str, name: str) -> None:
    from build_tools.yamlsource import load_yaml

    entries = []
    for path in sorted((DEMO / "issuers").glob(f"*/{name}")):
        source, problems = load_yaml(path, path.name)
        assert source is not None and not problems
        entries += source.data
    assert entries, f"no {name} in the demo repository"
    compiled = schemacheck._compiled(kind)
    reference = schemacheck._validator(kind)
    both = refused = lenient = 0
    for entry in entries[:3]:
        for changed in _mutations(entry):
            document = [changed]
            valid = reference.is_valid(document)
            accepted = _accepts(compiled, document)
            assert not accepted or valid, f"{kind}: compiled schema accepts {changed!r}"
            both += valid and accepted
            refused += not valid
            lenient += valid and not accepted
    # The corpus breaks the entries in many ways, and keeps some of them valid: the compiled
    # schema accepts those (else the fast path would never be taken).
    assert refused >= 50 and both >= 10, (refused, both)
    # Where only jsonschema accepts (a text ending in a newline: the compiled schema reads "$"
    # as the very end), it is asked anyway: slower, never wrong.
    assert lenient <= both


def test_compiled_schema_applies_the_siblings_of_a_ref() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"slug": {"type": "string", "pattern": "^[a-z]+$"}},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/slug", "maxLength": 3, "description": "d"}},
    }
    compiled = schemacheck.compile_schema(schema)
    assert _accepts(compiled, {"a": "abc"})
    assert not _accepts(compiled, {"a": "abcd"})
    assert not _accepts(compiled, {"a": "AB"})
    assert Draft202012Validator(schema).is_valid({"a": "abc"})
    assert not Draft202012Validator(schema).is_valid({"a": "abcd"})


def _consents(count: int) -> str:
    return "".join(
        f"- id: c-{i}\n  assertions: [{'a' * 26}]\n  commune: {{insee: '36044'}}\n"
        f"  given: 2026-11-0{1 + i % 9}\n"
        for i in range(count)
    )


def test_a_large_list_is_checked_by_the_compiled_schema_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_reference(kind: str) -> object:
        raise AssertionError("jsonschema was asked")

    monkeypatch.setattr(schemacheck, "_validator", no_reference)
    assert _check(_consents(schemacheck.FAST_MIN_ENTRIES), "consents") == []


def test_every_problem_of_a_large_list_is_still_reported() -> None:
    count = schemacheck.FAST_MIN_ENTRIES + 50
    text = _consents(count) + "- id: Bad Id\n  assertions: []\n  given: 2026-02-30\n"
    line = 4 * count + 1
    assert _check(text, "consents") == [
        f"f.yaml:{line}:3: error: [{count}].commune: champ obligatoire manquant",
        f"f.yaml:{line}:3: error: [{count}].id: « Bad Id » : identifiant de consentement : "
        "lettres minuscules, chiffres et tirets (ex. c-2026-001)",
        f"f.yaml:{line + 1}:3: error: [{count}].assertions: doit contenir au moins 1 élément(s)",
        f"f.yaml:{line + 2}:3: error: [{count}].given: doit être une date ISO 8601 (2026-11-23), "
        "pas « 2026-02-30 »",
    ]
