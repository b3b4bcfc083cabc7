"""Turn the demonstration repository into a collective's own, empty one (``badgeons init``).

Badgeons ships with demonstration data: issuers, badge classes and badges signed for
``https://badgeons.example.org/``, with the consents, collections, endorsements, revocations and
key statements that go with them. A collective that adopts Badgeons keeps the tooling (the
package, CI, site sources, documentation) and none of that data: its own site has its own
address, and every signature depends on it. :func:`init` removes every demonstration file and
writes ``badgeons.yml`` with the collective's address and title, or refuses before touching
anything. :func:`copy_tooling` first copies the repository into a new folder, without its data
or its git history (the history of a badge page is read from git: a fresh repository shows none
of the demonstration's). Either way the demonstration data is kept in ``tests/data/demo``
(:data:`DEMO_COPY`), outside the site, for Badgeons' own tests and benchmarks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from build_tools import discover, siteurl
from build_tools.diagnostics import Diagnostic, Position
from build_tools.yamlsource import load_yaml, load_yaml_bytes

#: The folders of data: every file below them belongs to the demonstration.
DATA_FOLDERS = ("badges", "issuers")

#: Where a collective's repository keeps the demonstration data, for Badgeons' own tests and
#: benchmarks, which check the tooling against it (its signed badges, long criteria, consents).
DEMO_COPY = Path("tests") / "data" / "demo"

_DEMO_README = """\
# Données de démonstration

Les badges, émetteurs et badges signés du dépôt de démonstration de Badgeons, rangés ici par
`badgeons init`. Le site du collectif ne les publie pas (il est fait de `badges/` et `issuers/`
à la racine) ; seuls les tests et les mesures de Badgeons (`make test`, `make bench`) s'en
servent. Ne les modifiez pas.
"""

#: What is never copied into a new folder: git, build outputs, caches, installed tools.
_NOT_COPIED = {
    ".git",
    ".venv",
    ".cache",
    "site",
    "public",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "screenshots",
}

SETTINGS_TEMPLATE = """\
# Settings of this Badgeons repository. `badgeons validate` checks this file too.
# yaml-language-server: $schema=build_tools/schemas/settings.schema.json

# The public address of the site. Every Open Badges identifier is an absolute URL below it,
# so it must not change once assertions exist (`badgeons validate` refuses the change).
site_url: {site_url}

title: {title}
{rest}"""


class InitError(Exception):
    """The repository cannot be initialised; the message is in French, nothing was changed."""


@dataclass(frozen=True)
class Settings:
    """What ``badgeons init`` writes into ``badgeons.yml``."""

    site_url: str
    title: str
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None


@dataclass(frozen=True)
class Removed:
    """What :func:`init` removed, counted for the summary it prints."""

    issuers: int
    badges: int
    awards: int
    files: int


def settings_text(settings: Settings) -> str:
    """The text of ``badgeons.yml`` for ``settings``, each value quoted for YAML."""
    rest = "".join(
        f"{key}: {_quoted(value)}\n"
        for key, value in (
            ("title_en", settings.title_en),
            ("description", settings.description),
            ("description_en", settings.description_en),
        )
        if value
    )
    return SETTINGS_TEMPLATE.format(
        site_url=settings.site_url, title=_quoted(settings.title), rest=rest
    )


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's)."""
    import json

    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def settings_problems(settings: Settings) -> list[Diagnostic]:
    """Every problem of the settings to write, as ``badgeons validate`` would report them.

    An example address is refused too: the point of ``init`` is the collective's own address.
    """
    text = settings_text(settings)
    source, problems = load_yaml_bytes(text.encode("utf-8"), discover.SETTINGS_FILE)
    _, problems = discover.check_settings(source, problems, "settings")
    domain = siteurl.example_domain(settings.site_url)
    if domain is not None and not any(p.field == "site_url" for p in problems):
        problems.append(
            Position("--site-url").error(
                "site_url",
                f"« {settings.site_url} » est une adresse d'exemple ({domain}) : indiquez "
                "l'adresse où votre site sera publié (docs/deploy.md)",
            )
        )
    return sorted(problems)


def current_site_url(root: Path) -> str | None:
    """The ``site_url`` written in the repository's ``badgeons.yml``, if it can be read."""
    source, _ = load_yaml(root / discover.SETTINGS_FILE, discover.SETTINGS_FILE)
    if source is None or not isinstance(source.data, dict):
        return None
    value = source.data.get("site_url")
    return value if isinstance(value, str) else None


def demo_root(project: Path) -> Path:
    """The folder whose ``badgeons.yml``, ``badges/`` and ``issuers/`` are the demonstration.

    That is the project itself in Badgeons' own repository, and :data:`DEMO_COPY` in a
    collective's repository made by ``badgeons init``.
    """
    kept = project / DEMO_COPY
    return kept if (kept / discover.SETTINGS_FILE).is_file() else project


def _keep_demo(source: Path, target: Path, names: list[str]) -> None:
    """Copy the demonstration's settings and data files ``names`` of ``source`` into the
    :data:`DEMO_COPY` of ``target``, when ``target`` holds Badgeons' tests."""
    if not (target / "tests").is_dir() or (target / DEMO_COPY).exists():
        return
    kept = target / DEMO_COPY
    for name in [discover.SETTINGS_FILE, *names]:
        origin = source / name
        if not origin.is_file():
            continue
        destination = kept / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, destination)
    (kept / "README.md").write_text(_DEMO_README, encoding="utf-8")


def demo_files(root: Path) -> list[Path]:
    """Every file of data in the repository: all of ``badges/`` and ``issuers/``."""
    found: list[Path] = []
    for folder in DATA_FOLDERS:
        base = root / folder
        if base.is_dir():
            found.extend(p for p in sorted(base.rglob("*")) if p.is_file() or p.is_symlink())
    return found


def init(root: Path, settings: Settings, *, copied: bool = False) -> Removed:
    """Remove every demonstration file of ``root`` and write its ``badgeons.yml``.

    Refused, with nothing changed, when the settings are not valid or when the repository is
    not the demonstration: a ``site_url`` that is not an example address belongs to a
    collective whose badges must never be deleted. ``copied``: ``root`` is a new copy made by
    :func:`copy_tooling`, which holds no data of its own whatever its source's address.
    """
    if not (root / discover.SETTINGS_FILE).is_file():
        raise InitError(f"{root} n'est pas un dépôt Badgeons (pas de {discover.SETTINGS_FILE})")
    problems = settings_problems(settings)
    if problems:
        raise InitError("\n".join(str(p) for p in problems))
    current = current_site_url(root)
    if not copied and current is not None and siteurl.example_domain(current) is None:
        raise InitError(
            f"ce dépôt a déjà sa propre adresse (site_url: {current}) : badgeons init ne "
            "s'utilise sur place que sur le dépôt de démonstration, dont il retire toutes les "
            "données (badges, émetteurs, badges signés) ; pour partir de ce dépôt, indiquez un "
            "nouveau dossier (badgeons init DOSSIER ...)"
        )
    files = demo_files(root)
    removed = Removed(
        issuers=len(list((root / "issuers").glob("*.yaml"))),
        badges=len(list((root / "badges").glob("*.yaml"))),
        awards=sum(1 for p in files if p.parent.name == "assertions" and p.suffix == ".json"),
        files=len(files),
    )
    # The new settings are written aside first: a failure leaves the old ones in place.
    target = root / discover.SETTINGS_FILE
    handle, scratch = tempfile.mkstemp(dir=root, prefix=".badgeons.yml.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        out.write(settings_text(settings))
    kept_before = (root / DEMO_COPY).exists()
    try:
        _keep_demo(root, root, [p.relative_to(root).as_posix() for p in files])
    except BaseException:
        # A copy that failed halfway (a full disk) is removed, with the new settings.
        if not kept_before:
            shutil.rmtree(root / DEMO_COPY, ignore_errors=True)
        Path(scratch).unlink(missing_ok=True)
        raise
    for folder in DATA_FOLDERS:
        shutil.rmtree(root / folder, ignore_errors=True)
    os.replace(scratch, target)
    _name_the_site(root, settings)
    # Empty folders, where `badgeons new` writes (git keeps no empty folder: it is recreated).
    for folder in (*DATA_FOLDERS, "badges/images"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return removed


def _name_the_site(root: Path, settings: Settings) -> None:
    """Write the collective's title as the name MkDocs shows in every page's header.

    Only the ``site_name`` and ``site_description`` lines of ``mkdocs.yml`` change; the rest
    of the file (theme, plugins, menu) is the tooling's.
    """
    path = root / "mkdocs.yml"
    if not path.is_file():
        return
    names = {"site_name": settings.title, "site_description": settings.description}
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        key = line.split(":", 1)[0]
        value = names.get(key)
        if value and not line.startswith(" "):
            lines[index] = f"{key}: {_quoted(value)}\n"
    path.write_text("".join(lines), encoding="utf-8")


def new_repository(source: Path, target: Path, settings: Settings) -> Removed:
    """:func:`copy_tooling` from ``source`` into ``target``, then :func:`init` the copy.

    All or nothing: if either step fails, what was copied is removed again and ``target`` is
    left as it was (absent, or empty).
    """
    existed = target.exists()
    copy_tooling(source, target)
    try:
        return init(target, settings, copied=True)
    except BaseException:
        _discard(target, existed)
        raise


def _discard(target: Path, keep_folder: bool) -> None:
    """Remove what was written into ``target``, and the folder itself unless it was there."""
    if not keep_folder:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def copy_tooling(source: Path, target: Path) -> None:
    """Copy the repository at ``source`` into the new folder ``target``, without its data.

    The files tracked by git are copied when ``source`` is a git checkout (so nothing local,
    such as a built site or private notes, travels); otherwise every file but the build
    outputs, caches and installed tools. ``target`` must not exist, or be an empty folder.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"le dossier {target} existe déjà et n'est pas vide")
    if not (source / discover.SETTINGS_FILE).is_file():
        raise InitError(f"{source} n'est pas un dépôt Badgeons (pas de {discover.SETTINGS_FILE})")
    names = _tracked(source)
    if names is None:
        names = _walk(source)
    kept = [n for n in names if n.split("/", 1)[0] not in DATA_FOLDERS]
    existed = target.exists()
    target.mkdir(parents=True, exist_ok=True)
    try:
        for name in kept:
            origin = source / name
            if not origin.is_file():
                continue  # A tracked file deleted in the working tree.
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
        _keep_demo(source, target, [n for n in names if n.split("/", 1)[0] in DATA_FOLDERS])
    except BaseException:
        _discard(target, existed)
        raise


def _tracked(source: Path) -> list[str] | None:
    """The files git tracks in ``source``, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "-C", str(source), "ls-files", "-z"],
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return [n for n in result.stdout.decode("utf-8").split("\0") if n]


def _walk(source: Path) -> list[str]:
    """Every file below ``source`` but the build outputs, caches and installed tools."""
    found: list[str] = []
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_COPIED and not d.endswith(".egg-info"))
        for name in sorted(files):
            found.append(Path(folder, name).relative_to(source).as_posix())
    return found
