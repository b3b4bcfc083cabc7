"""Serve a directory on 127.0.0.1 over HTTPS (or plain HTTP), in a background thread.

The listening socket is bound when the server object is created, so its port, and with it the
site's `site_url`, is known before the site is built; files are read when they are requested, so
the directory may be filled after the server has started. Typical use:

    with StaticServer(site_dir, pki=pki) as server:
        build_site(site_dir, site_url=server.base_url)
        verify(server.url("a/xyz.vc.json"))

`prefix` mounts the directory below a path (`/cvl/`), to test sites that do not live at the root
of their host (did:web identifiers then carry path segments).
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from build_tools import sitebuild
from tests.support.tls import TestPKI

# The content types a well-configured static host sends for the files of a Badgeons site.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    # RFC 7519, section 10.3.1.
    ".jwt": "application/jwt",
    # RFC 7515, section 9.2.1: the compact serialisation.
    ".jws": "application/jose",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    "": "application/octet-stream",
}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files with `CONTENT_TYPES`, records each request and logs nothing."""

    extensions_map: ClassVar[dict[str, str]] = CONTENT_TYPES  # type: ignore[misc]

    def __init__(self, *args: Any, prefix: str, log: list[str], **kwargs: Any) -> None:
        self._prefix = prefix
        self._log = log
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        # Only paths below the prefix exist; a static host lists no directories either.
        if not urllib.parse.urlsplit(self.path).path.startswith(self._prefix):
            self.send_error(404, "Not under the served prefix")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        parsed = urllib.parse.urlsplit(path).path
        return super().translate_path("/" + parsed[len(self._prefix) :])

    def list_directory(self, path: str | Any) -> None:
        self.send_error(404, "No directory listing")
        return None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self._log.append(f"{self.command} {self.path} {code}")

    def log_message(self, format: str, *args: Any) -> None:
        # Errors are already visible in the recorded status codes.
        return


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    ssl_context: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake happens here, in the request's own thread, so a slow or broken client
        # never blocks the accept loop.
        if self.ssl_context is not None:
            request.settimeout(30)
            request = self.ssl_context.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that drop the connection (or refuse our certificate) are part of some tests.
        return


class StaticServer:
    """A static file server bound to 127.0.0.1 on a free port, usable as a context manager."""

    def __init__(
        self,
        directory: Path,
        *,
        pki: TestPKI | None,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/",
    ) -> None:
        if not prefix.startswith("/") or not prefix.endswith("/"):
            raise ValueError(f"prefix must start and end with '/': {prefix!r}")
        self.directory = directory
        self.prefix = prefix
        self.requests: list[str] = []
        """Every request served, as `"GET /path status"`, in order."""
        handler = partial(_Handler, directory=str(directory), prefix=prefix, log=self.requests)
        self._server = _Server((host, port), handler)
        if pki is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(pki.server_cert, pki.server_key)
            self._server.ssl_context = context
        self.scheme = "https" if pki is not None else "http"
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        """`https://127.0.0.1:<port>`, without a trailing slash."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The `site_url` of the served site, with its trailing slash."""
        return self.origin + self.prefix

    def url(self, path: str) -> str:
        """The absolute URL of `path`, relative to the site's root."""
        return self.base_url + path.lstrip("/")

    def start(self) -> StaticServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"static-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago. Prefer `StaticServer(...).port`, which holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 and yield its base URL (with a trailing slash)."""
    server = sitebuild.make_server(directory, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
