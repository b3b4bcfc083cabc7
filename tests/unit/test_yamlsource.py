from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_values_are_those_of_the_safe_loader_but_timestamps() -> None:
    import yaml

    text = (
        "plain: un texte simple\n"
        'quoted: "2026-11-23"\n'
        "single: 'l''atelier'\n"
        'escapes: "tab\\there \\u00e9 \\x41"\n'
        "literal: |\n  ligne 1\n  ligne 2\n"
        "folded: >-\n  un\n  deux\n"
        "tagged: !!str 42\n"
        "'quoted key': 1\n"
        "numbers: [1, -2, 0x1F, 1_000, 3.5, .inf, 0o17]\n"
        "flags: [yes, no, true, False, ~, null, '']\n"
        "nested: {a: [b, {c: d}], 'e': \"f\"}\n"
        "empty:\n"
    )
    source, problems = load_yaml_text(text, "f.yaml")
    assert problems == [] and source is not None
    assert repr(source.data) == repr(yaml.load(text, Loader=yaml.SafeLoader))
    assert source.data["quoted"] == "2026-11-23" and source.data["tagged"] == "42"


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
    # The bracket that is never closed, not where the parser gave up.
    assert (problems[0].line, problems[0].col) == (1, 4)


QUOTE = 'mettez toute la valeur entre guillemets ("…")'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: Lire un horaire : le bus\n",
            "f.yaml:1:23: error: YAML invalide : « : » au milieu d'une valeur : si c'est du "
            f"texte (« Lire un horaire : le bus »), {QUOTE} ; si c'est un champ, vérifiez son "
            "indentation",
        ),
        (
            "name: x\ncriteria:\n\tnarrative: y\n",
            "f.yaml:3:1: error: YAML invalide : tabulation : YAML n'accepte que des espaces pour "
            "décaler une ligne ; remplacez la tabulation par des espaces",
        ),
        (
            # A field without its colon: pointed at where it stands, not two lines below.
            'name: x\ndescription\nversion: "1"\ntags: []\n',
            "f.yaml:2:1: error: YAML invalide : ligne sans « : » : chaque champ s'écrit « nom: "
            "valeur » ; vérifiez aussi l'indentation de cette ligne",
        ),
        (
            "name: x\ncriteria:\n  narrative: y\n checklist:\n  - a\n",
            "f.yaml:4:2: error: YAML invalide : indentation incorrecte : ce champ n'est pas aligné "
            "sur les champs du même niveau ; décalez-le avec des espaces comme eux",
        ),
        (
            "tags:\n  - a\n - b\n",
            "f.yaml:3:2: error: YAML invalide : élément de liste mal aligné : chaque élément "
            "commence par « - », exactement sous les autres éléments de la même liste",
        ),
        (
            'name: "Lire" un horaire\n',
            "f.yaml:1:14: error: YAML invalide : texte inattendu après une valeur : une valeur qui "
            "commence par un guillemet doit finir par ce même guillemet (vérifiez aussi la ligne "
            f"précédente) ; sinon, {QUOTE}",
        ),
        (
            'name: "Lire un horaire\n',
            "f.yaml:1:7: error: YAML invalide : guillemet ouvert ici et jamais refermé : ajoutez "
            "le guillemet de fin",
        ),
        (
            "name: @atelier\n",
            f"f.yaml:1:7: error: YAML invalide : une valeur ne peut pas commencer par « @ » : {QUOTE}",
        ),
        (
            "name: [\n",
            "f.yaml:2:1: error: YAML invalide : fin du fichier inattendue : un crochet « [ », une "
            "accolade « { » ou un guillemet ouvert plus haut n'est jamais refermé",
        ),
    ],
)
def test_common_yaml_mistakes_are_explained_in_french(text: str, expected: str) -> None:
    source, problems = load_yaml_text(text, "f.yaml")
    assert source is None
    assert [str(p) for p in problems] == [expected]


def test_an_unknown_yaml_problem_keeps_the_parser_text() -> None:
    _, problems = load_yaml_text("%YAML 2.0\n---\na: 1\n", "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:1:1: error: YAML invalide : found incompatible YAML document (version 1.* is "
        "required)"
    ]


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
