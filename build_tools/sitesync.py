"""Put a built site in its folder all or nothing, touching only the files that changed.

A build hands every file of the new site to a :class:`SiteSync`. New or changed files are
written to a staging folder beside the site; nothing in the site folder changes until
:meth:`SiteSync.commit`, so a build that fails (bad input, personal data found) leaves the
previous site exactly as it was.

The first build, or any build whose previous site cannot be trusted, stages the whole site and
swaps it in with two renames. Later builds keep a manifest of the site they wrote (every
file's size and modification time, and a digest of its content or of the inputs it was made
from) in the build cache. When the site folder still matches that manifest, the commit moves
only the new and changed files into place and deletes the files that are gone: adding one
award to 10,000 rewrites about ten files instead of 90,000. A site folder edited by hand, a
missing manifest or an interrupted commit all make the next build a full one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from build_tools import parallel, writer
from build_tools.cache import dump_json, load_json

MANIFEST_FORMAT = "badgeons/site-manifest/2"


class Written(NamedTuple):
    """A file of the new site: where it is, its size and modification time, what made it."""

    path: str
    size: int
    mtime_ns: int
    digest: str


#: What the manifest knows of a file: size, modification time, digest.
Known = tuple[int, int, str]


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def walk(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(site path, stat) of every file below ``folder``, with one ``scandir`` per folder."""
    pending = [("", str(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                name = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{name}/", entry.path))
                else:
                    yield name, entry.stat(follow_symlinks=False)


class Manifest:
    """What the previous build wrote into a site folder, by site path."""

    def __init__(self, files: dict[str, Known]) -> None:
        self.files = files

    @classmethod
    def load(cls, path: Path, site_dir: Path) -> Manifest | None:
        """The manifest of ``site_dir``, if there is one and the folder still matches it."""
        try:
            content = path.read_bytes()
        except OSError:
            return None
        files = cls.parse(content, site_dir)
        return cls(files) if files is not None and matches(files, site_dir) else None

    @staticmethod
    def parse(content: bytes, site_dir: Path) -> dict[str, Known] | None:
        """The files that a manifest's bytes list for ``site_dir``, if they are its manifest."""
        try:
            data = load_json(content)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return None
        if data.get("site") != str(site_dir) or not site_dir.is_dir():
            return None
        files = data.get("files")
        return files if isinstance(files, dict) else None

    @staticmethod
    def save(path: Path, site_dir: Path, files: dict[str, Known]) -> None:
        data = {"format": MANIFEST_FORMAT, "site": str(site_dir), "files": files}
        path.parent.mkdir(parents=True, exist_ok=True)
        writer.write_bytes_atomically(path, dump_json(data))


def matches(files: dict[str, Known], site_dir: Path) -> bool:
    """Whether ``site_dir`` holds exactly these files, with these sizes and modification times."""
    # Each entry is checked against the folder as it is read: a malformed one (wrong types, a
    # missing field) cannot match a real file, so it makes the build a full one. The walk is
    # written out (rather than :func:`walk`) because it visits every file of the site.
    found = 0
    pending = [("", str(site_dir))]
    try:
        while pending:
            prefix, directory = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((f"{prefix}{entry.name}/", entry.path))
                        continue
                    size, mtime_ns, digest = files[prefix + entry.name]
                    stat = entry.stat(follow_symlinks=False)
                    if size != stat.st_size or mtime_ns != stat.st_mtime_ns:
                        return False
                    if type(digest) is not str:
                        return False
                    found += 1
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return found == len(files)


class _Check:
    """A manifest read and checked (:func:`matches`) in a forked process, on the other core.

    The build goes on meanwhile, and parses the manifest's bytes itself only once the verdict
    is in (:meth:`result`): the check starts without waiting for that parse.
    """

    def __init__(self, content: bytes, site_dir: Path) -> None:
        self.content = content
        self.site_dir = site_dir
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover (the child: its coverage is not collected)
            code = 2
            try:
                files = Manifest.parse(content, site_dir)
                code = 0 if files is not None and matches(files, site_dir) else 1
            finally:
                os._exit(code)

    def matched(self) -> bool:
        """Wait for the verdict: whether the folder matches the manifest."""
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    def result(self) -> Manifest | None:
        if not self.matched():
            return None
        files = Manifest.parse(self.content, self.site_dir)
        return Manifest(files) if files is not None else None


class SiteSync:
    """Collects the files of a new site and puts them in ``site_dir`` on :meth:`commit`.

    ``state`` is the manifest file of this site folder (in the build cache), or None to
    always stage and swap the whole site, keeping no manifest.
    """

    def __init__(self, site_dir: Path, state: Path | None, *, background: bool = False) -> None:
        self.site_dir = site_dir.absolute()
        self.state = state
        # The folders made here to hold the site are removed again if no site is committed.
        self._above = next(p for p in self.site_dir.parents if p.exists())
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        # Checking the site folder against its manifest stats every file (about 0.3 s for
        # 90,000, several times that when the folder has left the kernel's caches). With
        # ``background``, a forked process does it on the other core while the build loads
        # the repository and makes its pages, and :attr:`previous` waits for its verdict.
        self._previous: Manifest | None = None
        self._checking: _Check | None = None
        if state is not None:
            if background and parallel.can_fork():
                # Without a manifest (a first build, an emptied cache) the whole site is made.
                with contextlib.suppress(OSError):
                    self._checking = _Check(state.read_bytes(), self.site_dir)
            else:
                self._previous = Manifest.load(state, self.site_dir)
        self.staging = Path(
            tempfile.mkdtemp(prefix=f".{self.site_dir.name}.new-", dir=self.site_dir.parent)
        )
        self.files: dict[str, Known] = {}
        #: Files of an incremental build that differ from the previous site's.
        self.changed: list[str] = []
        self._made: set[str] = set()
        self._scratch: list[Path] = []
        self._done = False

    @property
    def previous(self) -> Manifest | None:
        """The previous build's manifest, if the site folder still matches it."""
        if self._checking is not None:
            self._previous = self._checking.result()
            self._checking = None
        return self._previous

    @property
    def incremental(self) -> bool:
        """Whether only changed files are staged (the previous site matches its manifest)."""
        return self.previous is not None

    def __enter__(self) -> SiteSync:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._checking is not None:
            # A build that stopped before it needed the verdict: the process is only reaped.
            self._checking.matched()
            self._checking = None
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)
        if not self._done:
            shutil.rmtree(self.staging, ignore_errors=True)
            _remove_empty_parents(self.site_dir.parent, self._above)

    def scratch(self, name: str) -> Path:
        """A private folder beside the site, removed with the staging folder."""
        folder = self.staging.with_name(f"{self.staging.name}.{name}")
        folder.mkdir()
        self._scratch.append(folder)
        return folder

    def unchanged(self, path: str, digest: str) -> bool:
        """Keep the previous build's file at ``path`` if it was made from ``digest``."""
        return self.unchanged_unit((path,), digest)

    def unchanged_unit(self, paths: Iterable[str], digest: str) -> bool:
        """Whether every file in ``paths`` was made from ``digest``; each one that was is kept.

        One call for all the files of an award's unit (ten thousand units at each build).
        """
        previous = self.previous
        if previous is None:
            return False
        known_files, files = previous.files, self.files
        kept = True
        for path in paths:
            known = known_files.get(path)
            if known is None or known[2] != digest:
                kept = False
            else:
                files[path] = known
        return kept

    def add(self, path: str, data: bytes, digest: str | None = None) -> None:
        """A file of the new site. ``digest`` names what it was made from (else its content)."""
        digest = digest or content_digest(data)
        if self.unchanged(path, digest):
            return
        stat = writer.write_file(str(self.staging), path, data, self._made)
        self.record(Written(path, stat.st_size, stat.st_mtime_ns, digest))

    def record(self, written: Written) -> None:
        """A file staged by someone else (a worker process) below :attr:`root`."""
        # A whole build without a manifest needs no list: 900,000 files at 100,000 awards.
        if self.state is not None:
            self.files[written.path] = (written.size, written.mtime_ns, written.digest)
        if self.previous is not None:
            self.changed.append(written.path)

    @property
    def root(self) -> Path:
        """The folder that new and changed files are written into."""
        return self.staging

    def commit(self) -> None:
        """Put the new site in place: the changed files, or the whole staged folder."""
        if self.state is not None:
            # Until the new manifest is written, the next build trusts nothing of this folder.
            self.state.unlink(missing_ok=True)
        if self.previous is None:
            self._done = True
            os.chmod(self.staging, 0o755)
            retired = self.site_dir.parent / f".{self.site_dir.name}.old-{os.getpid()}"
            if self.site_dir.exists():
                os.replace(self.site_dir, retired)
            os.replace(self.staging, self.site_dir)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            self._move_changed(self.previous)
            self._done = True
            shutil.rmtree(self.staging, ignore_errors=True)
        if self.state is not None:
            Manifest.save(self.state, self.site_dir, self.files)

    def _move_changed(self, previous: Manifest) -> None:
        # Files that are gone go first: a path that turns from a file into a folder (or back)
        # then finds its place free.
        for path in sorted(set(previous.files) - set(self.files)):
            gone = writer.safe_target(self.site_dir, path)
            gone.unlink(missing_ok=True)
            _remove_empty_parents(gone.parent, self.site_dir)
        made: set[str] = set()
        staging, site = str(self.staging), str(self.site_dir)
        for path in self.changed:
            target = os.path.join(site, writer.checked_path(path))
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            os.replace(os.path.join(staging, path), target)


class FolderWrite(SiteSync):
    """Writes every file straight into an existing folder: for MkDocs' own builds and serve.

    There is no previous site to keep, no manifest and nothing to swap: MkDocs owns the folder
    and its clean-up. The files are checked as they are made, as for a sync.
    """

    def __init__(self, folder: Path) -> None:
        self.site_dir = folder.absolute()
        self._above = self.site_dir
        self.state = None
        self._previous = None
        self._checking = None
        self.staging = self.site_dir
        self.files = {}
        self.changed = []
        self._made = set()
        self._scratch = []
        self._done = True

    def commit(self) -> None:
        return


def _remove_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def state_file(cache_folder: Path | None, site_dir: Path) -> Path | None:
    """The manifest of ``site_dir`` in the build cache (None when the cache is off)."""
    if cache_folder is None:
        return None
    name = hashlib.sha256(str(site_dir.absolute()).encode("utf-8")).hexdigest()[:32]
    return cache_folder / "sites" / f"{name}.json"
