"""Find the files of a Badgeons repository, and load each with its schema.

The layout is fixed: ``badgeons.yml`` at the root, one ``issuers/<slug>.yaml`` per issuer or
network and one ``badges/<slug>.yaml`` per badge class. The slug is the file name, so a file name
that is not a valid slug is an error here, before its content is even read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from build_tools import schemacheck
from build_tools.diagnostics import Diagnostic, Position
from build_tools.yamlsource import Source, format_field, load_yaml

SETTINGS_FILE = "badgeons.yml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_HELP = (
    "minuscules ASCII, chiffres et tirets, sans espace ni accent (ex. « accueillir-un-public »)"
)


@dataclass(frozen=True)
class Loaded:
    """A file that parsed and passed its schema; ``slug`` is empty for the settings file."""

    kind: str
    slug: str
    source: Source


def relative(root: Path, path: Path) -> str:
    """The path shown in diagnostics: relative to the repository, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_kind(root: Path, folder: str, kind: str) -> tuple[list[Loaded], list[Diagnostic]]:
    """Load and schema-check every ``<folder>/*.yaml`` file of one kind."""
    directory = root / folder
    loaded: list[Loaded] = []
    problems: list[Diagnostic] = []
    if not directory.is_dir():
        return loaded, problems
    for path in sorted(directory.iterdir()):
        shown = relative(root, path)
        if path.suffix == ".yml":
            problems.append(Position(shown).error("", "extension .yml : nommez le fichier .yaml"))
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        slug = path.stem
        if not SLUG.match(slug) or len(slug) > 64:
            problems.append(Position(shown).error("", f"nom de fichier invalide : {SLUG_HELP}"))
            continue
        source, found = load_yaml(path, shown)
        problems.extend(found)
        if source is None:
            continue
        if not isinstance(source.data, dict):
            problems.append(
                Position(shown, 1, 1).error("", "le fichier doit contenir des champs (clé: valeur)")
            )
            continue
        schema_problems = schemacheck.check(source, kind) + placeholders(source)
        problems.extend(schema_problems)
        if not found and not schema_problems:
            loaded.append(Loaded(kind, slug, source))
    return loaded, problems


def load_list_file(root: Path, path: Path, kind: str) -> tuple[Source | None, list[Diagnostic]]:
    """A per-issuer YAML list (consents, collections...) checked against its schema.

    None with no problem when the file is absent; None with the problems when it is bad; an
    empty file gives a source whose data is None.
    """
    if not path.is_file():
        return None, []
    source, problems = load_yaml(path, relative(root, path))
    if source is None or problems:
        return None, problems
    if source.data is None:
        return source, []
    problems = schemacheck.check(source, kind)
    return (None, problems) if problems else (source, [])


def load_settings(root: Path) -> tuple[Loaded | None, list[Diagnostic]]:
    """Load and schema-check ``badgeons.yml``."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        where = Position(SETTINGS_FILE)
        return None, [
            where.error("", "fichier de réglages absent : ce dossier n'est pas un dépôt Badgeons")
        ]
    source, problems = load_yaml(path, SETTINGS_FILE)
    if source is None:
        return None, problems
    if not isinstance(source.data, dict):
        return None, [
            *problems,
            Position(SETTINGS_FILE, 1, 1).error("", "le fichier doit contenir des champs"),
        ]
    problems = problems + schemacheck.check(source, "settings")
    return (Loaded("settings", "", source) if not problems else None), problems


PLACEHOLDER = "À COMPLÉTER"
#: The same marker where accents and spaces are not allowed (URLs, email addresses).
PLACEHOLDER_ASCII = "a-completer"


def placeholders(source: Source) -> list[Diagnostic]:
    """Fields of a skeleton (``badgeons new``) that still hold the "À COMPLÉTER" marker."""
    found: list[Diagnostic] = []

    def walk(node: object, doc_path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*doc_path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*doc_path, index))
        elif isinstance(node, str) and (
            PLACEHOLDER.casefold() in node.casefold() or PLACEHOLDER_ASCII in node.casefold()
        ):
            where = source.locate(doc_path)
            found.append(
                where.error(
                    format_field(doc_path), "champ à compléter (il contient encore « À COMPLÉTER »)"
                )
            )

    walk(source.data, ())
    return found
