"""A content-addressed cache of build results, so that an unchanged input costs only a hash.

The build keeps its results under ``.cache/badgeons/`` in the repository (or
``BADGEONS_CACHE_DIR``), one folder per kind: what each YAML file holds once loaded and checked
(``sources``), what each award's record says (``records``), what each consents file says
(``consents``), the diagnostics of each award's signature checks (``signatures``), each award's
published documents (baked images included), each award's verification page and the map's
exports (``territory``). A result is
stored under the SHA-256 of everything that goes into it, the version of the code included
(:func:`code_version`), so a changed input is simply a key that is not there yet, and the output
of a build is the same bytes with or without the cache. Results that are many and small (one
per award) are kept together in one :class:`Index` per kind, read and written once per build.

Every entry carries the SHA-256 of its content: an entry that does not match (a truncated
write, a disk error, a hand edit) is deleted and its result computed again, never trusted.
Failures are cached as what they are (the list of diagnostics of a bad signature or of a bad
file), never as success, and nothing is stored when a computation raises. After a complete pass
over one kind, :meth:`Cache.prune` deletes the entries of that kind that the pass did not use
(:meth:`Index.save` keeps only the results it used), so the cache holds about one build's worth
of results.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cache as memoize
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import build_tools
from build_tools import fastjson
from build_tools.diagnostics import Diagnostic, Level

if TYPE_CHECKING:
    from jinja2 import BytecodeCache

    from build_tools.model import Award

ENV_FOLDER = "BADGEONS_CACHE_DIR"
FOLDER = Path(".cache") / "badgeons"
_DIGEST = hashlib.sha256().digest_size
# Libraries whose output ends up in cached results (signature checks, JSON-LD, pages, QR codes,
# sanitised Markdown, JSON documents).
_LIBRARIES = (
    "cryptography",
    "PyLD",
    "Jinja2",
    "MarkupSafe",
    "zxing-cpp",
    "orjson",
    "Pillow",
    "Markdown",
    "nh3",
)
# Set by ``--no-cache`` on the command line: every result is computed, nothing is stored.
_disabled = False
# Set while caches are only read (see :func:`read_only`).
_read_only = False


def disable(value: bool = True) -> None:
    """Turn the cache off (or on again) for this process."""
    global _disabled
    _disabled = value


@contextmanager
def read_only() -> Iterator[None]:
    """Caches opened inside are read, never written: nothing is stored, pruned or deleted.

    Commands that only add to the repository load it this way, so that a dry run writes
    nothing and the cache stays as the last build left it.
    """
    global _read_only
    before, _read_only = _read_only, True
    try:
        yield
    finally:
        _read_only = before


@memoize
def code_version() -> str:
    """A digest of the Badgeons code, templates, static files and contexts, and library versions.

    Any change to the code that computes a result changes every key, so no result made by older
    code is reused.
    """
    package = Path(build_tools.__file__).resolve().parent
    digest = hashlib.sha256(f"python {sys.version_info[:2]}\n".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(kind: str, *parts: bytes | str) -> str:
    """The SHA-256 key of a result of ``kind`` computed from ``parts`` by the current code."""
    digest = hashlib.sha256(f"{kind}\0{code_version()}\0".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def stable_json(value: object) -> str:
    """JSON with sorted keys: the same content always gives the same text to hash."""
    return _STABLE.encode(value)


def _plain(value: object) -> object:
    """Read-only mappings and tuples of the site model, as JSON can write them."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a cache key")


# One encoder for every key (json.dumps would make one per call, for each of 10,000 awards).
_STABLE = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
)


def award_record(award: Award) -> str:
    """Everything an award's record holds, where it was read from included, as stable text.

    The record's SHA-256 stands for its signed forms, which the fields were read from.
    """
    where = award.source
    return stable_json(
        [
            [award.id, award.issuer, award.badge, award.badge_version, award.issued_on],
            [award.expires, award.identity_hash, award.salt, where.path, where.line, where.col],
            award.digest,
        ]
    )


def encode_diagnostics(problems: Iterable[Diagnostic], path: str) -> list[list[object]]:
    """Diagnostics that all name ``path``, as JSON rows without it (a result may move)."""
    rows: list[list[object]] = []
    for d in problems:
        if d.path != path:
            raise ValueError(f"{d.path} is not {path}: the row would lose its file")
        rows.append([d.line, d.col, d.level.value, d.field, d.message])
    return rows


def decode_diagnostics(rows: object, path: str) -> list[Diagnostic] | None:
    """The diagnostics of :func:`encode_diagnostics`, or None when ``rows`` do not hold them."""
    if not isinstance(rows, list):
        return None
    if not rows:
        return []
    try:
        return [
            Diagnostic(path, int(line), int(col), Level(level), str(name), str(message))
            for line, col, level, name, message in rows
        ]
    except (ValueError, TypeError):
        return None


class Cache:
    """Results of one kind, by key, in ``folder/<kind>/<2 hex>/<key>``."""

    def __init__(self, folder: Path | None, kind: str) -> None:
        self.folder = folder / kind if folder is not None else None
        self.writable = not _read_only
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, entry: str) -> Path:
        assert self.folder is not None
        return self.folder / entry[:2] / entry

    def get(self, entry: str) -> bytes | None:
        """The stored result, or None when it is missing, corrupt or the cache is off."""
        if self.folder is None:
            return None
        self.used.add(entry)
        path = self._path(entry)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        content = data[_DIGEST:]
        if len(data) < _DIGEST or hashlib.sha256(content).digest() != data[:_DIGEST]:
            if self.writable:
                path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return content

    def put(self, entry: str, content: bytes) -> None:
        """Store a result atomically (a reader sees the whole entry or none)."""
        if self.folder is None or not self.writable:
            return
        self.used.add(entry)
        path = self._path(entry)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{entry}.{os.getpid()}.tmp")
            partial.write_bytes(hashlib.sha256(content).digest() + content)
            partial.replace(path)
        except OSError:
            # A cache that cannot be written (full disk, read-only folder) only costs time.
            return

    def prune(self) -> int:
        """Delete the entries not used since this cache was opened; how many were deleted."""
        if self.folder is None or not self.writable or not self.folder.is_dir():
            return 0
        removed = 0
        for bucket in os.scandir(self.folder):
            if not bucket.is_dir():
                continue
            kept = 0
            for item in os.scandir(bucket.path):
                if item.name in self.used:
                    kept += 1
                    continue
                try:
                    os.unlink(item.path)
                    removed += 1
                except OSError:
                    kept += 1
            if not kept:
                # An empty bucket would be scanned again at every pass (256 of them, once an
                # index replaces many entries).
                with suppress(OSError):
                    os.rmdir(bucket.path)
        return removed


class Index:
    """Many small results of one kind in a single entry, read once and written once per pass.

    Ten thousand awards would otherwise cost ten thousand small files to open at every build.
    Each result is a JSON value (never None) found by its own key, the SHA-256 of what it was
    computed from (a record's, for instance). The index itself is one entry of
    ``folder/<kind>/``, keyed by the kind and the code version and checked like any entry: a
    corrupt index is deleted and every result computed again. :meth:`save` ends a complete
    pass: the index then holds exactly the results that pass used, and the other entries of the
    kind (an index of older code, say) are deleted.
    """

    def __init__(self, folder: Path | None, kind: str) -> None:
        self.store = Cache(folder, kind)
        self.entry = key(kind, "index") if self.store.enabled else ""
        self.hits = 0
        self.misses = 0
        self._old: dict[str, object] = {}
        self._new: dict[str, object] = {}
        self._changed = False
        content = self.store.get(self.entry) if self.store.enabled else None
        if content is not None:
            try:
                loaded = load_json(content)
            except ValueError:
                loaded = None
            if isinstance(loaded, dict):
                self._old = loaded
            else:
                self._changed = True

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    @property
    def stored(self) -> int:
        """How many results the index held when it was opened."""
        return len(self._old)

    def get(self, entry: str) -> object | None:
        """The stored result, or None when there is none (or the cache is off)."""
        value = self._old.get(entry)
        if value is None:
            self.misses += 1
            return None
        self._new[entry] = value
        self.hits += 1
        return value

    def put(self, entry: str, value: object) -> None:
        """Remember a result (a JSON value); it is written by :meth:`save`."""
        if self.enabled and self.store.writable:
            self._new[entry] = value
            self._changed = True

    def save(self) -> None:
        """End a complete pass: store the results it used, delete everything else of the kind."""
        if not self.enabled or not self.store.writable:
            return
        if self._changed or len(self._new) != len(self._old):
            self.store.put(self.entry, dump_json(self._new))
        self.store.prune()


def dump_json(value: object) -> bytes:
    """Compact JSON of a cache entry (build_tools/fastjson.py)."""
    return fastjson.dumps(value)


def load_json(content: bytes) -> Any:
    """A cache entry's JSON; ``ValueError`` when it is not JSON (build_tools/fastjson.py)."""
    return fastjson.loads(content)


def folder_for(root: Path) -> Path | None:
    """Where the cache of the repository at ``root`` lives, or None when it is turned off."""
    if _disabled:
        return None
    configured = os.environ.get(ENV_FOLDER)
    return Path(configured) if configured else root / FOLDER


def open_cache(root: Path, kind: str) -> Cache:
    """The cache of results of ``kind`` for the repository at ``root``."""
    return Cache(folder_for(root), kind)


def open_versioned(root: Path, kind: str) -> Cache:
    """A cache of ``kind`` that only the current code uses; older code's entries are deleted.

    For results that many processes read and add to, where no pass knows every entry it used
    (so :meth:`Cache.prune` cannot tell): the entries live in a folder named by the code
    version (``<kind>/<version>/``), and the folders of other versions go when it is opened.
    """
    top = folder_for(root)
    if top is None:
        return Cache(None, kind)
    version = code_version()[:16]
    store = Cache(top, f"{kind}/{version}")
    if store.writable:
        with suppress(OSError), os.scandir(top / kind) as folders:
            for folder in folders:
                if folder.name != version and folder.is_dir(follow_symlinks=False):
                    shutil.rmtree(folder.path, ignore_errors=True)
    return store


def open_index(root: Path, kind: str) -> Index:
    """The index of results of ``kind`` for the repository at ``root`` (see :class:`Index`)."""
    return Index(folder_for(root), kind)


def pack(files: Sequence[tuple[str, bytes]]) -> bytes:
    """Several named files as one entry: a JSON index of names and lengths, then the bytes."""
    index = json.dumps([[name, len(data)] for name, data in files]).encode("utf-8")
    return len(index).to_bytes(8, "big") + index + b"".join(data for _, data in files)


def unpack(content: bytes) -> list[tuple[str, bytes]] | None:
    """The files of :func:`pack`, or None when the entry does not hold them exactly."""
    try:
        size = int.from_bytes(content[:8], "big")
        index = json.loads(content[8 : 8 + size])
        files, offset = [], 8 + size
        for name, length in index:
            files.append((str(name), content[offset : offset + int(length)]))
            offset += int(length)
    except (ValueError, TypeError):
        return None
    return files if offset == len(content) else None


def template_bytecode(root: Path) -> BytecodeCache | None:
    """Jinja's cache of compiled templates for the repository at ``root`` (None when off).

    Compiling MkDocs' and Material's templates costs about half a second per build; Jinja
    keys each compiled template by the checksum of its source, so a changed template is
    simply compiled again.
    """
    from jinja2 import FileSystemBytecodeCache

    folder = folder_for(root)
    if folder is None:
        return None
    try:
        (folder / "templates").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder / "templates"))
