from __future__ import annotations

import json
from pathlib import Path

from build_tools.yamlsource import (
    decode_source,
    encode_source,
    format_field,
    load_yaml,
    load_yaml_text,
)


def test_positions_of_keys_and_list_items() -> None:
    source, problems = load_yaml_text("a: 1\nb:\n  c: [x, y]\n  d: 2026-11-23\n", "f.yaml")
    assert problems == []
    assert source is not None
    assert source.data == {"a": 1, "b": {"c": ["x", "y"], "d": "2026-11-23"}}
    assert (source.locate(("b", "c")).line, source.locate(("b", "c")).col) == (3, 3)
    assert (source.locate(("b", "c", 1)).line, source.locate(("b", "c", 1)).col) == (3, 10)
    # A missing field is located at its parent.
    assert source.locate(("b", "missing")).line == 2


def test_timestamps_stay_text() -> None:
    source, _ = load_yaml_text("when: 2026-11-23T10:00:00+01:00\n", "f.yaml")
    assert source is not None and source.data["when"] == "2026-11-23T10:00:00+01:00"


def test_duplicate_keys_are_errors_at_every_depth() -> None:
    _, problems = load_yaml_text("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:4:3: error: b.c: clé en double (déjà définie ligne 3)",
        "f.yaml:5:1: error: a: clé en double (déjà définie ligne 1)",
    ]


def test_python_and_custom_tags_are_refused_on_every_kind_of_node() -> None:
    text = "a: !!python/object/apply:os.system ['true']\nb: !!binary aGk=\nc: !custom {x: 1}\nd: !!set {x}\n"
    _, problems = load_yaml_text(text, "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:1:4: error: a: balise YAML 'tag:yaml.org,2002:python/object/apply:os.system' interdite : seules les valeurs simples, listes et champs sont permis",
        "f.yaml:2:4: error: b: balise YAML 'tag:yaml.org,2002:binary' interdite : seules les valeurs simples, listes et champs sont permis",
        "f.yaml:3:4: error: c: balise YAML '!custom' interdite : seules les valeurs simples, listes et champs sont permis",
        "f.yaml:4:4: error: d: balise YAML 'tag:yaml.org,2002:set' interdite : seules les valeurs simples, listes et champs sont permis",
    ]


def test_broken_yaml_is_a_located_diagnostic() -> None:
    source, problems = load_yaml_text("a: [1, 2\nb: 3\n", "f.yaml")
    assert source is None
    assert (problems[0].line, problems[0].col) == (2, 2)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    source, problems = load_yaml(path, "f.yaml")
    assert source is None
    assert str(problems[0]) == "f.yaml:2:1: error: le fichier n'est pas encodé en UTF-8"


def test_format_field() -> None:
    assert format_field(("criteria", "checklist", 2)) == "criteria.checklist[2]"
    assert format_field(()) == ""


def test_a_source_kept_as_json_comes_back_whole() -> None:
    text = "a: 1\nb:\n  c: [x, 2.5, null, true]\n  d: 2026-11-23\n  e: {}\n"
    source, _ = load_yaml_text(text, "f.yaml")
    assert source is not None
    encoded = json.loads(json.dumps(encode_source(source)))
    again = decode_source(encoded, "f.yaml")
    assert again == source
    assert again is not None and again.locate(("b", "c", 3)) == source.locate(("b", "c", 3))
    assert decode_source([1, 2], "f.yaml") is None
    assert decode_source([{}, [["a", 1]], []], "f.yaml") is None
