"""Fetch the documents a verification needs: over HTTPS, or from a built site with no network.

The verifier follows links found in badges (issuer profiles, keys, DID documents, revocation
lists), so every fetch is bounded in size and time, only http(s) is followed, and in offline
mode the URLs below our ``site_url`` are answered from the built site's files.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from build_tools.writer import safe_target

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 15.0


class FetchError(Exception):
    """A document could not be fetched; the message names the URL."""


class Fetcher:
    """Fetches documents, from a built site for our own URLs when ``offline`` is set."""

    def __init__(
        self, *, site_url: str | None = None, site_dir: Path | None = None, offline: bool = False
    ) -> None:
        self.site_url = site_url
        self.site_dir = site_dir
        self.offline = offline
        self.cache: dict[str, bytes] = {}

    def get(self, url: str) -> bytes:
        if url in self.cache:
            return self.cache[url]
        if self.site_url and self.site_dir and url.startswith(self.site_url):
            data = self._from_site(url[len(self.site_url) :])
        elif self.offline:
            raise FetchError(f"hors ligne : impossible de récupérer {url}")
        else:
            data = self._download(url)
        self.cache[url] = data
        return data

    def get_json(self, url: str) -> Any:
        try:
            return json.loads(self.get(url))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"{url} n'est pas un document JSON ({exc})") from None

    def _from_site(self, path: str) -> bytes:
        assert self.site_dir is not None
        path = path.split("#", 1)[0].split("?", 1)[0]
        try:
            target = safe_target(self.site_dir, path or "index.html")
            return target.read_bytes()
        except (ValueError, OSError):
            raise FetchError(
                f"{self.site_url}{path} absent du site construit ({self.site_dir})"
            ) from None

    @staticmethod
    def _download(url: str) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise FetchError(f"adresse refusée (seuls http et https sont suivis) : {url}")
        request = urllib.request.Request(
            url, headers={"Accept": "application/json, application/ld+json, */*"}
        )
        try:
            with urllib.request.urlopen(
                request, timeout=TIMEOUT
            ) as response:  # The scheme was checked above.
                data: bytes = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url} : erreur HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, ssl.SSLCertVerificationError):
                # Not a site that is down: one whose identity cannot be trusted.
                raise FetchError(
                    f"{url} : certificat du site non reconnu, connexion non sûre "
                    f"({reason.verify_message})"
                ) from None
            raise FetchError(f"{url} : le site ne répond pas ({reason})") from None
        if len(data) > MAX_BYTES:
            raise FetchError(f"{url} : document trop gros")
        return data
