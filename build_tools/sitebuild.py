"""Build the whole site through MkDocs, atomically, and serve a built site locally.

The build is reproducible: ``SOURCE_DATE_EPOCH`` (the time of the last commit by default) fixes
every date that MkDocs or Badgeons would otherwise take from the clock.
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import subprocess
import time
import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import Any

from build_tools import cache, heap, pagereuse, sitesync
from build_tools.model import Site

log = logging.getLogger(__name__)

#: MkDocs' configuration, at the root of the repository.
CONFIG_FILE = "mkdocs.yml"

CONTENT_TYPES = {
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".jwt": "application/jwt",
    ".jws": "application/jose",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".css": "text/css",
    ".geojson": "application/geo+json",
    ".csv": "text/csv; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}


def source_date_epoch(root: Path) -> str:
    """``SOURCE_DATE_EPOCH`` from the environment, else the last commit's time, else now.

    Outside a git checkout there is no commit to be reproducible to; the clock at least keeps
    the statuses that the build writes (expired or not) true.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return result.stdout.strip() or str(int(time.time()))
    except (OSError, subprocess.SubprocessError):
        return str(int(time.time()))


def start_sync(root: Path, site_dir: Path) -> sitesync.SiteSync:
    """The sync of ``site_dir`` for a build of the repository at ``root``.

    Its check of the site folder against the previous build's manifest starts at once on the
    other core (sitesync.py): a caller that starts the sync before it loads the repository
    gives that check the whole load to run in.
    """
    state = sitesync.state_file(cache.folder_for(root), site_dir)
    return sitesync.SiteSync(site_dir, state, background=True)


def build(
    root: Path,
    site_dir: Path,
    *,
    strict: bool = False,
    site: Site | None = None,
    sync: sitesync.SiteSync | None = None,
) -> None:
    """Build the site of the repository at ``root`` into ``site_dir``, all or nothing.

    ``site`` is the repository already loaded and checked by the caller, if it has it: the
    plugin then uses it instead of loading and checking everything again. ``sync`` is the
    caller's :func:`start_sync` of ``site_dir``, if it started one (and then closes it);
    else the build starts its own.

    Raises ``mkdocs.exceptions.Abort`` (or ``PluginError``) when the build fails; the previous
    content of ``site_dir`` is then left untouched.
    """
    if sync is None:
        with start_sync(root, site_dir) as own:
            _build_into(root, own, strict, site)
    else:
        _build_into(root, sync, strict, site)


def _build_into(root: Path, sync: sitesync.SiteSync, strict: bool, site: Site | None) -> None:
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    from build_tools.mkdocs_plugin import BadgeonsPlugin

    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    # MkDocs writes its pages into a scratch folder (it empties the folder it is given); the
    # plugin hands them and the core's files to the sync, which writes what changed.
    pages = sync.scratch("mkdocs")
    config = load_config(str(root / CONFIG_FILE), site_dir=str(pages), strict=strict)
    plugin = config.plugins.get("badgeons")
    if not isinstance(plugin, BadgeonsPlugin):
        raise PluginError("mkdocs.yml doit déclarer l'extension badgeons (plugins: - badgeons)")
    plugin.preloaded = site
    plugin.sync = sync
    plugin.reuse = pagereuse.Store(cache.folder_for(root))
    # The loaded site lives until the build ends: the collector leaves it alone (heap.py).
    with heap.aside():
        try:
            # The generated pages and the awards' files are started on the other cores.
            plugin.begin(config)
            kept = plugin.kept_rendering(config)
            if kept is None:
                # Imported only here: a build whose pages are all kept never needs it.
                from mkdocs.commands.build import build as mkdocs_build

                mkdocs_build(config)
            else:
                # Nothing MkDocs reads has changed since it rendered the pages kept in the cache:
                # the site is finished from them, award figures written in (figures.py).
                plugin.finish(kept)
        finally:
            plugin.cancel()
        sync.commit()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site below the path of its ``site_url``, as its static host would.

    A site whose ``site_url`` is ``https://org.github.io/repo/`` is published below ``/repo/``,
    and its 404 page loads its styles from there: served at ``/``, it would look broken.
    ``/`` itself redirects to the site; any other address outside it, and any missing file,
    gets the site's own 404 page.
    """

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.extensions_map = {**self.extensions_map, **CONTENT_TYPES}
        self._prefix = _normalised(prefix)
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        log.debug(format, *args)

    def send_head(self) -> Any:
        path = _normalised(urllib.parse.urlsplit(self.path).path)
        if self._prefix != "/" and path in ("/", self._prefix.rstrip("/")):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self._prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(self._prefix):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        below = _normalised(urllib.parse.urlsplit(path).path)[len(self._prefix) :]
        return super().translate_path("/" + below)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        # Static hosts list no folder.
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Serve the site's own 404 page, as static hosts do.
        page = Path(str(self.directory)) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def _normalised(path: str) -> str:
    """A URL path percent-encoded one way only, so that two spellings of it compare equal."""
    return urllib.parse.quote(urllib.parse.unquote(path))


def served_path(site_url: str) -> str:
    """The path below which a site is served: that of its ``site_url`` (``/`` or ``/repo/``)."""
    return urllib.parse.urlsplit(site_url).path or "/"


def make_server(
    site_dir: Path, host: str, port: int, prefix: str = "/"
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for a built site, below ``prefix``, as a static host would serve it.

    Raises ``OSError`` when the address cannot be bound (``errno.EADDRINUSE``: the port is
    taken).
    """
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    handler = functools.partial(_Handler, directory=str(site_dir), prefix=prefix)
    return http.server.ThreadingHTTPServer((host, port), handler)
