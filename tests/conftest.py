"""Shared fixtures: small repositories built in temporary folders, and no network."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PROJECT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests run offline: any connection outside the loopback range fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if (
            isinstance(host, str)
            and self.family in (socket.AF_INET, socket.AF_INET6)
            and not (host.startswith("127.") or host in ("::1", "localhost"))
        ):
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture
def minimal_repo(tmp_path: Path) -> Path:
    """A copy of the small valid repository of tests/data/minimal."""
    root = tmp_path / "repo"
    shutil.copytree(DATA / "minimal", root)
    return root


@pytest.fixture
def site_repo(minimal_repo: Path) -> Path:
    """The small repository with the project's site sources, ready for a full build."""
    shutil.copy(PROJECT / "mkdocs.yml", minimal_repo / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", minimal_repo / "site_src")
    return minimal_repo
