from __future__ import annotations

import re
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
