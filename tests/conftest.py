"""Shared fixtures: small repositories built in temporary folders, and no network."""

from __future__ import annotations

import dataclasses
import shutil
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from build_tools import issuing, keygen, repoinit
from build_tools.diagnostics import format_text
from build_tools.keygen import NewKeys
from build_tools.model import Site
from build_tools.pipeline import load_site

DATA = Path(__file__).parent / "data"
PROJECT = Path(__file__).parent.parent
#: The demonstration data (badgeons.yml, badges/, issuers/): the project's own, or in a
#: collective's repository made by `badgeons init`, the copy it keeps in tests/data/demo.
DEMO = repoinit.demo_root(PROJECT)


@pytest.fixture(autouse=True)
def _demo_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test repositories' example site_url is meant: `badgeons award` does not warn."""
    monkeypatch.setenv("BADGEONS_DEMO_SITE", "1")


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


# A repository with keys and awarded badges, signed once per test module.

#: When the fixture's keys were made and its badges awarded.
AWARDED_AT = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
#: The awards of ``awarded_repo``: (learner, badge, display name with consent).
AWARD_PLAN = (
    ("awa", "telephone", "Awa"),
    ("bob", "telephone", None),
    ("chloe", "accueillir-1", None),
)


@dataclass(frozen=True)
class AwardedRepo:
    """A repository where ``atelier-test`` has keys and has awarded the badges of AWARD_PLAN.

    ``ids`` maps each learner ("awa", "bob", "chloe") to the id of its award; the address of a
    learner is ``<learner>@example.org``. The private keys are in ``key_dir``, unencrypted.
    """

    root: Path
    key_dir: Path
    keys: NewKeys
    ids: Mapping[str, str]

    def site(self) -> Site:
        """The linked site, which must load without a single diagnostic."""
        site, report = load_site(self.root)
        assert format_text(report.sorted()) == ""
        assert site is not None
        return site

    def record(self, learner: str) -> Path:
        return self.root / "issuers" / "atelier-test" / "assertions" / f"{self.ids[learner]}.json"


@pytest.fixture(scope="module")
def _awarded_template(tmp_path_factory: pytest.TempPathFactory) -> AwardedRepo:
    """Keys and signatures are made once per module; each test gets its own copy."""
    base = tmp_path_factory.mktemp("awarded")
    root, key_dir = base / "repo", base / "keys"
    shutil.copytree(DATA / "minimal", root)
    made = keygen.generate(root, "atelier-test", passphrase=None, key_dir=key_dir, now=AWARDED_AT)
    site, report = load_site(root)
    assert site is not None, format_text(report.sorted())
    signer = issuing.load_signer(site.issuers["atelier-test"], None, key_dir, AWARDED_AT)
    ids: dict[str, str] = {}
    for learner, badge, name in AWARD_PLAN:
        profile, badge_class = issuing.check_allowed(site, "atelier-test", badge)
        request = issuing.AwardRequest(
            email=f"{learner}@example.org",
            issued_on=AWARDED_AT,
            name=name,
            name_consent=name is not None,
        )
        signed = issuing.sign_award(site, profile, badge_class, request, signer)
        issuing.write_awards(root, "atelier-test", [signed], AWARDED_AT.date())
        ids[learner] = signed.assertion_id
    return AwardedRepo(root, key_dir, made, MappingProxyType(ids))


@pytest.fixture
def awarded_repo(_awarded_template: AwardedRepo, tmp_path: Path) -> AwardedRepo:
    """A fresh copy of the awarded repository and of its key directory (modes kept)."""
    root, key_dir = tmp_path / "awarded", tmp_path / "keys"
    shutil.copytree(_awarded_template.root, root)
    shutil.copytree(_awarded_template.key_dir, key_dir)
    return dataclasses.replace(_awarded_template, root=root, key_dir=key_dir)


@pytest.fixture
def buildable_repo(
    awarded_repo: AwardedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AwardedRepo]:
    """The awarded repository with the project's site sources, a build cache of its own and a
    fixed build date: ready for ``sitebuild.build``."""
    from build_tools import cache

    root = awarded_repo.root
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", root / "site_src")
    monkeypatch.setenv(cache.ENV_FOLDER, str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    cache.disable(False)
    yield awarded_repo
    cache.disable(False)
