"""A scratch Badgeons repository, awarded and built with the real CLI, served over TLS.

The acceptance tests of what Badgeons publishes (test_published.py) need a site made the way a
trainer makes one: `badgeons keygen`, `badgeons award` (a group file and single awards),
`badgeons revoke` and `badgeons build`, each run as a subprocess of the installed entry point.
The site is served on 127.0.0.1 by `StaticServer` with a throw-away CA; the server's socket is
bound first, so that its URL can be written into `badgeons.yml` as `site_url` before anything
is signed. Keys and the group file live in the work folder, outside the repository and the site.

The helpers at the end produce tampered copies of a document, one defect each.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.support.static_server import StaticServer
from tests.support.tls import TestPKI

PROJECT = Path(__file__).resolve().parents[2]
MINIMAL = PROJECT / "tests" / "data" / "minimal"
ISSUER = "atelier-test"
GROUP_SIZE = 20
# The first row is written the way a spreadsheet might keep it; Badgeons trims and lower-cases
# addresses, so the learner verifies with the plain form.
GROUP_ROW_AS_TYPED = {1: " Learner01@Example.ORG "}
SVG_RECIPIENT = "accueil.svg@example.org"
EXPIRED_RECIPIENT = "ancien.stagiaire@example.org"
REVOKED_LEARNER = 2
REVOCATION_REASON = "Délivré par erreur au mauvais groupe"
TAMPER_LEARNER = 12
"""Row 12 has both an evidence link and a narrative, so its credential has the most fields."""

Status = Literal["valid", "revoked", "expired"]


@dataclass(frozen=True)
class Issued:
    """One award made by the scenario, with the address it was made to."""

    id: str
    badge: str
    email: str
    status: Status

    @property
    def image_format(self) -> str:
        # The minimal repository's telephone badge has a PNG image, the accueillir ones SVG.
        return "png" if self.badge == "telephone" else "svg"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every published form of the award (docs/url-layout.md), baked PNGs for PNG badges."""
        baked = ("png", "vc.png") if self.image_format == "png" else ()
        return ("json", "jws", "vc.json", "vc.jwt", "svg", "vc.svg", *baked)


@dataclass
class Published:
    """A built site, served, and what was awarded in it."""

    work: Path
    """Outside the repository and the site: keys, the group file, scratch copies."""
    repo: Path
    site_dir: Path
    server: StaticServer
    pki: TestPKI
    env: dict[str, str]
    issued: list[Issued] = field(default_factory=list)
    typed_emails: list[str] = field(default_factory=list)
    """Every address as it was given to `badgeons award`, before normalisation."""
    status_before_revocation: dict[str, Any] = field(default_factory=dict)
    status_after_revocation: dict[str, Any] = field(default_factory=dict)

    def url(self, award: Issued, suffix: str) -> str:
        return self.server.url(f"a/{award.id}.{suffix}")

    def file(self, award: Issued, suffix: str) -> Path:
        return self.site_dir / "a" / f"{award.id}.{suffix}"

    def one(self, status: Status) -> Issued:
        return next(a for a in self.issued if a.status == status)

    def learner(self, row: int) -> Issued:
        return next(a for a in self.issued if a.email == learner_email(row))

    @property
    def did(self) -> str:
        segments = [s for s in self.server.prefix.split("/") if s]
        host = f"{self.server.host}%3A{self.server.port}"
        return ":".join(["did:web", host, *segments, "issuers", ISSUER])


def learner_email(row: int) -> str:
    return f"learner{row:02d}@example.org"


def badgeons_command() -> list[str]:
    """The installed `badgeons` entry point of the interpreter running the tests."""
    script = Path(sys.executable).parent / "badgeons"
    if not script.is_file():
        pytest.fail(f"the badgeons entry point is not installed beside {sys.executable}")
    return [str(script)]


def badgeons(
    published: Published,
    *arguments: str,
    check: bool = True,
    root: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `badgeons ARGUMENTS --root REPO` as a trainer would, from the repository."""
    command = [*badgeons_command(), *arguments, *(["--root", str(published.repo)] if root else [])]
    completed = subprocess.run(
        command,
        cwd=published.repo,
        env=published.env if env is None else env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {completed.returncode}:\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}",
            pytrace=False,
        )
    return completed


def awarded_ids(output: str) -> list[str]:
    """The assertion ids printed by `badgeons award`, in the order of the requests."""
    return re.findall(r"/a/([a-z2-7]{26})\.html", output)


def fetch_json(server: StaticServer, pki: TestPKI, path: str) -> Any:
    """GET a document of the served site over TLS, trusting the test CA only."""
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    with urllib.request.urlopen(server.url(path), context=context, timeout=30) as response:
        return json.loads(response.read())


def scratch_repository(work: Path, server: StaticServer, pki: TestPKI) -> Published:
    """Copy the minimal repository and the site sources; point `site_url` at the server."""
    repo = work / "repo"
    shutil.copytree(MINIMAL, repo)
    shutil.copy(PROJECT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", repo / "site_src")
    settings = repo / "badgeons.yml"
    text, count = re.subn(
        r"(?m)^site_url:.*$",
        f"site_url: {server.base_url}",
        settings.read_text(encoding="utf-8"),
    )
    assert count == 1, "badgeons.yml of tests/data/minimal has no site_url line"
    settings.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BADGEONS_")}
    env["BADGEONS_KEY_DIR"] = str(work / "keys")
    # An empty passphrase means "keys stored without one" (they were made with --no-passphrase).
    env["BADGEONS_KEY_PASSPHRASE"] = ""
    return Published(work, repo, server.directory, server, pki, env)


def write_group_file(path: Path) -> list[str]:
    """A group of GROUP_SIZE learners; return the addresses as typed in the file."""
    rows = ["email,name,name_consent,evidence_url,evidence_narrative,narrative"]
    typed = []
    for row in range(1, GROUP_SIZE + 1):
        email = GROUP_ROW_AS_TYPED.get(row, learner_email(row))
        typed.append(email)
        name, consent = (f"Personne {row}", "oui") if row % 5 == 0 else ("", "")
        link = f"https://atelier.example.org/preuves/{row}" if row % 3 == 0 else ""
        told = "Appel passé devant le formateur" if row % 3 == 0 else ""
        narrative = "A passé un appel et envoyé un SMS sans aide." if row % 4 == 0 else ""
        rows.append(",".join([f'"{email}"', name, consent, link, told, narrative]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return typed


def award_everything(published: Published) -> None:
    """keygen, the group, one SVG badge and one expired award, with the real CLI."""
    badgeons(published, "keygen", ISSUER, "--no-passphrase")
    group = published.work / "group.csv"
    typed = write_group_file(group)
    output = badgeons(published, "award", "telephone", "--issuer", ISSUER, "--csv", str(group))
    ids = awarded_ids(output.stdout)
    assert len(ids) == GROUP_SIZE, output.stdout
    for row, (assertion_id, email) in enumerate(zip(ids, typed, strict=True), 1):
        status: Status = "revoked" if row == REVOKED_LEARNER else "valid"
        published.issued.append(Issued(assertion_id, "telephone", email.strip().lower(), status))
    expired = ("--issued-on", "2020-01-01", "--expires", "2021-01-01")
    single: list[tuple[str, str, Status, tuple[str, ...]]] = [
        ("accueillir-1", SVG_RECIPIENT, "valid", ()),
        ("telephone", EXPIRED_RECIPIENT, "expired", expired),
    ]
    for badge, email, state, options in single:
        output = badgeons(
            published, "award", badge, "--issuer", ISSUER, "--recipient", email, *options
        )
        [assertion_id] = awarded_ids(output.stdout)
        published.issued.append(Issued(assertion_id, badge, email, state))
        typed.append(email)
    published.typed_emails = typed


def build(published: Published) -> None:
    output = badgeons(published, "build", "--site-dir", str(published.site_dir))
    assert "Site construit" in output.stdout, output.stdout


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory, published_pki: TestPKI
) -> Iterator[Published]:
    """The whole scenario, built once per module: 22 awards, one revoked, one expired.

    The site is built, then one award is revoked and the site rebuilt into the same folder:
    the build swaps a new folder in, and the server, which serves that path, must serve it.
    """
    work = tmp_path_factory.mktemp("published")
    with StaticServer(work / "site", pki=published_pki) as server:
        site = scratch_repository(work, server, published_pki)
        award_everything(site)
        build(site)
        status = f"issuers/{ISSUER}/status.json"
        site.status_before_revocation = fetch_json(server, published_pki, status)
        revoked = site.one("revoked")
        badgeons(site, "revoke", revoked.id, "--reason", REVOCATION_REASON)
        build(site)
        site.status_after_revocation = fetch_json(server, published_pki, status)
        yield site


@pytest.fixture(scope="module")
def published_under_sub_path(
    tmp_path_factory: pytest.TempPathFactory, published_pki: TestPKI
) -> Iterator[Published]:
    """A smaller site served below /cvl/: one award, whose did:web carries the path segment."""
    work = tmp_path_factory.mktemp("published-cvl")
    with StaticServer(work / "site", pki=published_pki, prefix="/cvl/") as server:
        site = scratch_repository(work, server, published_pki)
        badgeons(site, "keygen", ISSUER, "--no-passphrase")
        email = "camille@example.org"
        output = badgeons(site, "award", "telephone", "--issuer", ISSUER, "--recipient", email)
        [assertion_id] = awarded_ids(output.stdout)
        site.issued.append(Issued(assertion_id, "telephone", email, "valid"))
        site.typed_emails = [email]
        build(site)
        yield site


@pytest.fixture(scope="module")
def published_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    from tests.support.tls import make_test_pki

    return make_test_pki(tmp_path_factory.mktemp("published-pki"))


# Tampering: one defect per copy.

Path_ = tuple[str | int, ...]


def json_path(path: Path_) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _get(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def leaves(document: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every scalar of a JSON document (list items included), with its path."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from leaves(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from leaves(value, (*path, index))
    else:
        yield path, document


def members(document: Any, path: Path_ = ()) -> Iterator[Path_]:
    """The path of every object member and list item, containers included."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*path, key)
            yield from members(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*path, index)
            yield from members(value, (*path, index))


def altered(value: Any) -> Any:
    """The value with one small change that keeps its shape.

    A string gets its last letter or digit replaced by another of the same kind (so a date stays
    a date, a URL a URL, a hex or base58 string stays in its alphabet), booleans are flipped and
    numbers moved by one.
    """
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        for index in range(len(value) - 1, -1, -1):
            char = value[index]
            if char.isdigit():
                swap = "2" if char == "1" else "1"
            elif char.isascii() and char.isalpha():
                swap = {"a": "b", "A": "B"}.get(char, "A" if char.isupper() else "a")
            else:
                continue
            return value[:index] + swap + value[index + 1 :]
        return value + "x"
    raise TypeError(f"not a JSON scalar: {value!r}")


def tampered_copies(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One copy per defect: each scalar altered, then each member or list item removed."""
    copies: list[tuple[str, dict[str, Any]]] = []
    for path, value in leaves(document):
        changed = copy.deepcopy(document)
        _get(changed, path[:-1])[path[-1]] = altered(value)
        copies.append((f"altered {json_path(path)}", changed))
    for path in members(document):
        removed = copy.deepcopy(document)
        del _get(removed, path[:-1])[path[-1]]
        copies.append((f"removed {json_path(path)}", removed))
    return copies
