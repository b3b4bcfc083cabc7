"""The catalogue pages rendered last time, reused while nothing they are made from has changed.

MkDocs renders every catalogue page on every build: about 4 s for the 244 pages of a repository
of 10,000 awards, most of a build that adds one award. Yet its output is a function of its
inputs: the Markdown pages (those of ``docs_dir`` and those Badgeons generates, with the
award figures left as tokens, build_tools/figures.py), the configuration, the theme and its
overrides, the versions of the installed packages, the Badgeons code and the build date. The
build hashes all of them into one key; when the previous output was made from the same key, it
is reused as it is, and MkDocs is not run at all.

The output is kept in the build cache (``rendered/<key>/``, one entry: a new one replaces the
old) with the SHA-256 of each of its files (``rendered/<key>.json``). An entry whose files do not match is deleted and
MkDocs runs, so a damaged cache costs time, never a wrong page. What the key covers is listed
where it is computed (``mkdocs_plugin.rendering_inputs``); ``--no-cache`` always runs MkDocs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from build_tools import cache, writer
from build_tools.sitesync import walk

KIND = "rendered"


def key(inputs: Iterable[tuple[str, bytes]]) -> str:
    """The key of a rendering from its named inputs (their order matters)."""
    return cache.key(KIND, *(part for name, data in inputs for part in (name, data)))


class Store:
    """The output of the last rendering, in ``folder`` (None: nothing is kept or reused)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / KIND if folder is not None else None

    def find(self, entry: str) -> Path | None:
        """The folder of the output made from ``entry``, if it is kept and intact."""
        if self.folder is None:
            return None
        found, index = self.folder / entry, self.folder / f"{entry}.json"
        try:
            expected = json.loads(index.read_bytes())
            actual = _digests(found)
        except (OSError, ValueError):
            return None
        if actual != expected:
            index.unlink(missing_ok=True)
            shutil.rmtree(found, ignore_errors=True)
            return None
        return found

    def keep(self, entry: str, output: Path) -> None:
        """Keep a copy of ``output``, made from ``entry``, in place of any older one."""
        if self.folder is None:
            return
        try:
            for old in os.scandir(self.folder) if self.folder.is_dir() else ():
                if old.is_dir(follow_symlinks=False):
                    shutil.rmtree(old.path, ignore_errors=True)
                else:
                    os.unlink(old.path)
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copytree(output, self.folder / entry)
            # The index is written last: an entry without one is never used.
            writer.write_text_atomically(
                self.folder / f"{entry}.json", json.dumps(_digests(self.folder / entry))
            )
        except OSError:
            # A cache that cannot be written only costs the next build its rendering.
            return


def _digests(folder: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name, _ in sorted(walk(folder))
    }
