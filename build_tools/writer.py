"""Write files safely: site paths that cannot escape the site, and atomic replacements.

How a whole build is put in place, all or nothing, is build_tools/sitesync.py.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath


def safe_target(site_dir: Path, site_path: str) -> Path:
    """The file for a site path, refusing any path that would escape the site folder."""
    return site_dir.joinpath(*PurePosixPath(checked_path(site_path)).parts)


def checked_path(site_path: str) -> str:
    """The site path itself, refused like :func:`safe_target` refuses it, without pathlib.

    Builds write about a million files at 100,000 awards; plain strings keep that cheap.
    """
    parts = site_path.split("/")
    if site_path.startswith("/") or ".." in parts or not any(p not in ("", ".") for p in parts):
        raise ValueError(f"unsafe site path: {site_path!r}")
    return site_path


def write_file(root: str, site_path: str, data: bytes, made: set[str]) -> os.stat_result:
    """Write one file below the folder ``root``; its stat. ``made``: folders known to exist."""
    return fill(create(root, site_path, made), data)


def create(root: str, site_path: str, made: set[str]) -> int:
    """Create (or empty) one file below the folder ``root``, open for writing: its descriptor.

    Creating a file is the step that takes its folder's lock in the kernel; writing its bytes
    (:func:`fill`) takes only the file's own, so several processes can do that at once.
    """
    target = os.path.join(root, checked_path(site_path))
    folder = os.path.dirname(target)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)


def create_all(root: str, site_paths: Sequence[str], made: set[str]) -> list[int]:
    """:func:`create` for each path, in order; none is left open if one fails."""
    descriptors: list[int] = []
    try:
        for site_path in site_paths:
            descriptors.append(create(root, site_path, made))
    except BaseException:
        for descriptor in descriptors:
            os.close(descriptor)
        raise
    return descriptors


def fill(descriptor: int, data: bytes) -> os.stat_result:
    """Write ``data`` to a file made by :func:`create` and close it: the file's stat."""
    return fill_all([descriptor], [data])[0]


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def fill_all(
    descriptors: Sequence[int], contents: Sequence[bytes], *, stat: bool = True
) -> list[os.stat_result]:
    """:func:`fill` each file with its content, in order; all are closed, even on failure.

    Without ``stat``, the files are not asked for their stat, and the list is empty.
    """
    if len(descriptors) != len(contents):
        for descriptor in descriptors:
            os.close(descriptor)
        raise ValueError(f"{len(descriptors)} files for {len(contents)} contents")
    stats: list[os.stat_result] = []
    filled = 0
    try:
        for descriptor, data in zip(descriptors, contents, strict=True):
            filled += 1
            try:
                _write_all(descriptor, data)
                if stat:
                    stats.append(os.fstat(descriptor))
            finally:
                os.close(descriptor)
    except BaseException:
        # The file that failed was closed; the files after it were never filled.
        for descriptor in descriptors[filled:]:
            os.close(descriptor)
        raise
    return stats


def write_files(site_dir: Path, files: Mapping[str, bytes | str]) -> None:
    """Write generated files (site path -> content) below ``site_dir``."""
    made: set[Path] = set()
    for site_path, content in sorted(files.items()):
        target = safe_target(site_dir, site_path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)


def shared_file_mode() -> int:
    """The mode an ordinary new file gets here (0644 under the usual umask of 022).

    ``tempfile.mkstemp`` creates files readable by their owner only, which suits secrets but
    not profiles and records that the whole team reads.
    """
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a file's text all at once: readers see the old file or the new, never half."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace a file's bytes all at once: readers see the old file or the new, never half."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, shared_file_mode())
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
