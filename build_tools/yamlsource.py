"""Load YAML while remembering the line and column of every key and value.

PyYAML's safe loader forgets positions and silently keeps the last of two duplicate keys. This
module composes the node tree itself, so that every later diagnostic can point at the exact line
of the faulty field, and a duplicate key is an error rather than a silent overwrite. Timestamps
are kept as strings: dates are parsed on purpose where the schema says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from build_tools.diagnostics import Diagnostic, Position, unreadable_file

#: A path into a loaded document: mapping keys and list indexes from the root.
DocPath = tuple[str | int, ...]

_MAX_BYTES = 1_000_000

#: The only YAML tags a data file may use: plain mappings, lists and scalars.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
)


#: A line and a column in a file, both 1-based.
Spot = tuple[int, int]


@dataclass(frozen=True)
class Source:
    """A loaded YAML document and where each of its parts stands in the file.

    Positions are kept as (line, column) pairs and made into :class:`Position` when asked for:
    a file of 5,000 consents has 100,000 of them, and few are ever reported.
    """

    path: str
    data: Any
    value_positions: Mapping[DocPath, Spot] = field(repr=False)
    key_positions: Mapping[DocPath, Spot] = field(repr=False)

    def locate(self, doc_path: DocPath) -> Position:
        """The best position for a field: its key if it has one, else its value, else a parent."""
        line, col = self.spot(doc_path)
        return Position(self.path, line, col)

    def spot(self, doc_path: DocPath) -> Spot:
        """:meth:`locate` as a (line, column) pair."""
        probe = tuple(doc_path)
        while True:
            found = self.key_positions.get(probe) or self.value_positions.get(probe)
            if found is not None:
                return found
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def locate_value(self, doc_path: DocPath) -> Position:
        """The position of a value itself (the first character after the colon)."""
        found = self.value_positions.get(tuple(doc_path))
        return Position(self.path, *found) if found else self.locate(doc_path)


def encode_source(source: Source) -> list[object]:
    """A source as JSON values (its path left out): data, then value and key positions."""

    def rows(positions: Mapping[DocPath, Spot]) -> list[list[object]]:
        return [[list(doc_path), line, col] for doc_path, (line, col) in positions.items()]

    return [source.data, rows(source.value_positions), rows(source.key_positions)]


def decode_source(value: object, path: str) -> Source | None:
    """The source of :func:`encode_source`, found at ``path``; None if ``value`` is not one."""
    parts: Any = value
    try:
        data, values, keys = parts
        return Source(
            path,
            data,
            {tuple(doc_path): (line, col) for doc_path, line, col in values},
            {tuple(doc_path): (line, col) for doc_path, line, col in keys},
        )
    except (TypeError, ValueError):
        return None


def format_field(doc_path: DocPath) -> str:
    """A field path as a reader writes it: ``criteria.checklist[2]``."""
    text = ""
    for part in doc_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Composer:
    """Turns a composed node tree into plain Python values, recording positions."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: dict[DocPath, Spot] = {}
        self.keys: dict[DocPath, Spot] = {}
        self.problems: list[Diagnostic] = []
        self._scalars = yaml.SafeLoader("")

    def position(self, node: yaml.Node) -> Position:
        return Position(self.path, *self.spot(node))

    @staticmethod
    def spot(node: yaml.Node) -> Spot:
        mark = node.start_mark
        return (mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node, doc_path: DocPath) -> Any:
        self.values[doc_path] = self.spot(node)
        if node.tag not in _PLAIN_TAGS:
            where = self.position(node)
            self.problems.append(
                where.error(
                    format_field(doc_path),
                    f"balise YAML {node.tag!r} interdite : seules les valeurs simples, listes et champs sont permis",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, doc_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*doc_path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, doc_path: DocPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._bad_key(key_node, doc_path, "les clés de fusion (<<) ne sont pas permises")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._bad_key(key_node, doc_path, "une clé doit être un texte simple")
                continue
            key = str(self._scalar(key_node))
            child = (*doc_path, key)
            if key in result:
                first_line = self.keys[child][0]
                self.problems.append(
                    self.position(key_node).error(
                        format_field(child), f"clé en double (déjà définie ligne {first_line})"
                    )
                )
                continue
            self.keys[child] = self.spot(key_node)
            result[key] = self.convert(value_node, child)
        return result

    def _bad_key(self, key_node: yaml.Node, doc_path: DocPath, message: str) -> None:
        name = format_field(doc_path) or "(document)"
        self.problems.append(self.position(key_node).error(name, message))

    def _scalar(self, node: yaml.Node) -> Any:
        # Texts are the node's value, as the safe loader gives them (most scalars of a file:
        # its keys and quoted values). Timestamps stay text; every other tag uses the safe
        # loader's own rules.
        if node.tag == _STR or node.tag == _TIMESTAMP:
            return str(node.value)
        return self._scalars.construct_object(node, deep=True)


def load_yaml(path: Path, display_path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Load one YAML file; a parse failure is returned as diagnostics, never raised."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Position(display_path).error("", unreadable_file(exc))]
    return load_yaml_bytes(raw, display_path)


def load_yaml_bytes(raw: bytes, display_path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Load YAML from the bytes of a file; see :func:`load_yaml`."""
    where = Position(display_path, 1, 1)
    if len(raw) > _MAX_BYTES:
        return None, [
            where.error("", f"fichier trop gros ({len(raw)} octets, au plus {_MAX_BYTES})")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Position(display_path, line, 1).error("", "le fichier n'est pas encodé en UTF-8")
        ]
    return load_yaml_text(text, display_path)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, by libyaml when it is there (ten times faster).

    Errors are reported by the pure-Python parser, whose messages and positions the
    diagnostics (and their tests) are written for: libyaml is only asked to succeed.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


#: What the parser's English problems mean for someone who writes French, and what to do:
#: (pattern of the problem, pattern of its context or None, message, whether the context's
#: position, where the faulty construct began, is the one to point at).
_QUOTE = 'mettez toute la valeur entre guillemets ("…")'
_PROBLEMS: tuple[tuple[str, str | None, str, bool], ...] = (
    (
        r"mapping values are not allowed here",
        None,
        "« : » au milieu d'une valeur : si c'est du texte "
        f"(« Lire un horaire : le bus »), {_QUOTE} ; si c'est un champ, vérifiez son indentation",
        False,
    ),
    (
        r"found character '\\t'|tab character",
        None,
        "tabulation : YAML n'accepte que des espaces pour décaler une ligne ; remplacez la "
        "tabulation par des espaces",
        False,
    ),
    (
        r"found character '(?P<char>.)' that cannot start any token",
        None,
        "une valeur ne peut pas commencer par « {char} » : " + _QUOTE,
        False,
    ),
    (
        r"found undefined alias|expected alphabetic or numeric character",
        r"alias|anchor|None",
        "une valeur ne peut pas commencer par « * » ni par « & » : " + _QUOTE,
        False,
    ),
    (
        r"could not find expected ':'",
        r"simple key",
        "ligne sans « : » : chaque champ s'écrit « nom: valeur » ; vérifiez aussi "
        "l'indentation de cette ligne",
        True,
    ),
    (
        r"found unexpected end of stream|found unexpected document separator",
        r"quoted scalar",
        "guillemet ouvert ici et jamais refermé : ajoutez le guillemet de fin",
        True,
    ),
    (
        r"found unknown escape character",
        None,
        "« \\ » dans un texte entre guillemets doubles : écrivez « \\\\ », ou mettez le texte "
        "entre guillemets simples ('…')",
        False,
    ),
    (
        r"expected ',' or '(?P<close>[\]}])'",
        r"flow",
        "crochet ou accolade ouvert ici et jamais refermé (« {close} » manquant) : si c'est du "
        "texte, " + _QUOTE,
        True,
    ),
    (
        r"expected the node content, but found '<stream end>'",
        None,
        "fin du fichier inattendue : un crochet « [ », une accolade « {{ » ou un guillemet ouvert "
        "plus haut n'est jamais refermé",
        False,
    ),
    (
        r"expected a comment or a line break",
        r"block scalar",
        "rien ne peut suivre « | » ou « > » sur la même ligne : commencez le texte à la ligne "
        "suivante, décalé de deux espaces",
        False,
    ),
    (
        r"but found '<scalar>'",
        None,
        "texte inattendu après une valeur : une valeur qui commence par un guillemet doit finir "
        "par ce même guillemet (vérifiez aussi la ligne précédente) ; sinon, " + _QUOTE,
        False,
    ),
    (
        r"but found '<block sequence start>'|but found '\?'|expected '-' indicator",
        None,
        "élément de liste mal aligné : chaque élément commence par « - », exactement sous les "
        "autres éléments de la même liste",
        False,
    ),
    (
        r"expected <block end>|expected <block mapping start>|did not find expected key",
        None,
        "indentation incorrecte : ce champ n'est pas aligné sur les champs du même niveau ; "
        "décalez-le avec des espaces comme eux",
        False,
    ),
)


def yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[str, yaml.Mark | None]:
    """What a YAML syntax error means, in French with what to do, and where to point at.

    The parser's own text is kept only for a problem this table does not know.
    """
    problem, context = exc.problem or "", exc.context or "None"
    for pattern, context_pattern, message, at_context in _PROBLEMS:
        found = re.search(pattern, problem)
        if found and (context_pattern is None or re.search(context_pattern, context)):
            mark = (exc.context_mark if at_context else None) or exc.problem_mark
            return message.format(**found.groupdict()), mark or exc.context_mark
    return exc.problem or exc.context or "syntaxe incorrecte", exc.problem_mark or exc.context_mark


def load_yaml_text(text: str, display_path: str) -> tuple[Source | None, list[Diagnostic]]:
    """Load YAML from text; see :func:`load_yaml`."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        problem, mark = yaml_problem(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Position(display_path, line, col).error("", f"YAML invalide : {problem}")]
    except yaml.YAMLError as exc:
        return None, [Position(display_path, 1, 1).error("", f"YAML invalide : {exc}")]
    composer = _Composer(display_path)
    if node is None:
        data: Any = None
    else:
        try:
            data = composer.convert(node, ())
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            where = Position(display_path, line, col)
            return None, [*composer.problems, where.error("", f"YAML invalide : {exc.problem}")]
    source = Source(display_path, data, composer.values, composer.keys)
    return source, composer.problems
