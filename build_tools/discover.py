"""Find the files of a Badgeons repository, and load each with its schema.

The layout is fixed: ``badgeons.yml`` at the root, one ``issuers/<slug>.yaml`` per issuer or
network and one ``badges/<slug>.yaml`` per badge class. The slug is the file name, so a file name
that is not a valid slug is an error here, before its content is even read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from build_tools import cache, images, markup, schemacheck, siteurl
from build_tools.diagnostics import Diagnostic, Position
from build_tools.yamlsource import (
    Source,
    decode_source,
    encode_source,
    format_field,
    load_yaml,
    load_yaml_bytes,
)

SETTINGS_FILE = "badgeons.yml"
#: The kind of cached results of :func:`load_checked` (build_tools/cache.py).
SOURCES = "sources"
#: The kinds of file whose texts are Markdown (build_tools/markup.py).
_MARKDOWN_KINDS = ("issuer", "badge")
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


def load_kind(
    root: Path, folder: str, kind: str, store: cache.Cache | None = None
) -> tuple[list[Loaded], list[Diagnostic]]:
    """Load and schema-check every ``<folder>/*.yaml`` file of one kind (see :func:`load_checked`)."""
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
        source, found = load_checked(path, shown, kind, check_fields, store)
        problems.extend(found)
        if source is not None:
            loaded.append(Loaded(kind, slug, source))
        elif kind in _IMAGE_FIELDS:
            problems.extend(_image_problems(root, path, shown, kind))
    return loaded, problems


# The image field of each kind, and the folder its path is relative to.
_IMAGE_FIELDS = {"badge": ("badges", "image"), "issuer": ("issuers", "logo")}


def _image_problems(root: Path, path: Path, shown: str, kind: str) -> list[Diagnostic]:
    """The problems of the image named by a file dropped for its fields.

    Such a file never reaches the link stage, which checks images; without this, a bad image
    would show only in the run after the fields are fixed. It reads another file, so it is not
    part of the cached check of the file itself.
    """
    source, _ = load_yaml(path, shown)
    folder, key = _IMAGE_FIELDS[kind]
    if source is None or not isinstance(source.data, dict):
        return []
    if not isinstance(source.data.get(key), str):
        return []
    return images.check_file_field(source, root, folder, key)[1]


def check_fields(
    source: Source | None, problems: list[Diagnostic], kind: str
) -> tuple[Source | None, list[Diagnostic]]:
    """A loaded file of fields checked against its schema and for placeholders.

    The source is kept only when the file has no problem at all. A file dropped here never
    reaches the checks of the link stage, so the one of them that reads only the file's texts
    (raw HTML in Markdown) runs here instead: every problem of the file shows in one run.
    """
    if source is None:
        return None, problems
    if not isinstance(source.data, dict):
        where = Position(source.path, 1, 1)
        return None, [
            *problems,
            where.error("", "le fichier doit contenir des champs (clé: valeur)"),
        ]
    problems = problems + schemacheck.check(source, kind) + placeholders(source)
    if problems and kind in _MARKDOWN_KINDS:
        problems += markup.check_markdown_fields(source)
    return (None if problems else source), problems


#: What to do with a loaded file: a check that returns the source when it may be used.
Check = Callable[[Source | None, list[Diagnostic], str], tuple[Source | None, list[Diagnostic]]]


def load_checked(
    path: Path, shown: str, kind: str, check: Check, store: cache.Cache | None
) -> tuple[Source | None, list[Diagnostic]]:
    """``check(*load_yaml(path, shown), kind)``, from the build cache when the file is known.

    The outcome of loading and checking a file (its source or its problems, every one of
    them, with positions) depends only on its bytes, its path, the kind, the check and the
    code, whose SHA-256 is the key: a file with problems reports them every time.
    """
    if store is None or not store.enabled:
        return check(*load_yaml(path, shown), kind)
    try:
        raw = path.read_bytes()
    except OSError:
        return check(*load_yaml(path, shown), kind)  # Which reports the error.
    entry = cache.key(SOURCES, check.__name__, kind, shown, raw)
    content = store.get(entry)
    found = _decode(content, shown) if content is not None else None
    if found is None:
        found = check(*load_yaml_bytes(raw, shown), kind)
        encoded = _encode(*found, shown)
        if encoded is not None:
            store.put(entry, encoded)
    return found


def _encode(source: Source | None, problems: list[Diagnostic], shown: str) -> bytes | None:
    """An outcome of :func:`load_checked` as JSON, or None when JSON cannot hold it."""
    try:
        document = {
            "source": encode_source(source) if source is not None else None,
            "problems": cache.encode_diagnostics(problems, shown),
        }
        return json.dumps(document, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError):
        return None


def _decode(content: bytes, shown: str) -> tuple[Source | None, list[Diagnostic]] | None:
    """The outcome of :func:`_encode`, or None when ``content`` does not hold one."""
    try:
        document = json.loads(content)
        problems = cache.decode_diagnostics(document["problems"], shown)
        encoded = document["source"]
    except (ValueError, TypeError, KeyError):
        return None
    source = decode_source(encoded, shown) if encoded is not None else None
    if problems is None or (encoded is not None and source is None):
        return None
    return source, problems


def load_list_file(
    root: Path, path: Path, kind: str, store: cache.Cache | None = None
) -> tuple[Source | None, list[Diagnostic]]:
    """A per-issuer YAML list (consents, collections...) checked against its schema.

    None with no problem when the file is absent; None with the problems when it is bad; an
    empty file gives a source whose data is None.
    """
    if not path.is_file():
        return None, []
    return load_checked(path, relative(root, path), kind, check_list, store)


def check_list(
    source: Source | None, problems: list[Diagnostic], kind: str
) -> tuple[Source | None, list[Diagnostic]]:
    """A loaded YAML list checked against its schema, as :func:`load_list_file` returns it."""
    if source is None or problems:
        return None, problems
    if source.data is None:
        return source, []
    problems = schemacheck.check(source, kind)
    return (None, problems) if problems else (source, [])


def load_settings(
    root: Path, store: cache.Cache | None = None
) -> tuple[Loaded | None, list[Diagnostic]]:
    """Load and schema-check ``badgeons.yml``."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        where = Position(SETTINGS_FILE)
        return None, [
            where.error("", "fichier de réglages absent : ce dossier n'est pas un dépôt Badgeons")
        ]
    source, problems = load_checked(path, SETTINGS_FILE, "settings", check_settings, store)
    return (Loaded("settings", "", source) if source is not None else None), problems


def check_settings(
    source: Source | None, problems: list[Diagnostic], kind: str
) -> tuple[Source | None, list[Diagnostic]]:
    """The loaded settings checked against their schema; the source if there is no problem."""
    if source is None:
        return None, problems
    if not isinstance(source.data, dict):
        where = Position(source.path, 1, 1)
        return None, [*problems, where.error("", "le fichier doit contenir des champs")]
    found = schemacheck.check(source, kind)
    # The rules of site_url that the schema's pattern only refuses are explained, with the
    # address to write instead (build_tools/siteurl.py); one message for the field.
    explained = siteurl.problem(source.data.get("site_url"))
    if explained is not None:
        found = [d for d in found if d.field != "site_url"]
        found.append(source.locate(("site_url",)).error("site_url", explained))
    problems = problems + found
    return (None if problems else source), problems


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
