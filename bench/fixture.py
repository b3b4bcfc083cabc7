"""Benchmark repositories: the demo catalogue with one organisation's fresh keys and many awards.

A benchmark repository is a copy of this repository's catalogue (settings, badges, issuer
profiles and their images, without any award and with the demo keys removed). One organisation
gets fresh keys, made by :func:`build_tools.keygen.generate` in a temporary key directory
outside the repository, and awards one badge to fictional learners read from a group file.

The repository of the verification benchmark is costly to make (every award is really signed),
so it is kept under ``bench/out/verify-<n>/`` with a fingerprint of what shapes its records;
it is made again when that fingerprint changes, or with ``--regenerate``.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from build_tools import groupfile, issuing, keygen, repoinit
from build_tools.jsonld_loader import OfflineDocumentLoader
from build_tools.model import Site
from build_tools.pipeline import load_site

ROOT = Path(__file__).resolve().parent.parent
#: The demonstration data that the synthetic repositories start from (see repoinit.demo_root).
DEMO = repoinit.demo_root(ROOT)
OUT = ROOT / "bench" / "out"
ISSUER = "atelier-numerique-bas-berry"
BADGE = "premiers-pas-smartphone"
KEYS_CREATED = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2024, 1, 8), date(2026, 10, 30)
# What decides the bytes of a record: if any of it changes, the cached repository is remade.
FINGERPRINTED = (
    "badgeons.yml",
    "build_tools/awards.py",
    "build_tools/identity.py",
    "build_tools/ob2.py",
    "build_tools/ob3.py",
    "build_tools/signing.py",
    "build_tools/urls.py",
    f"badges/{BADGE}.yaml",
    f"issuers/{ISSUER}.yaml",
)
NARRATIVES = (
    "A réalisé les dix tâches en une séance, sur son propre téléphone, sans aide du geste.",
    "Dix tâches réussies en deux séances ; la messagerie vocale a été refaite seule la semaine suivante.",
    "A demandé qu'on lui redise la consigne à l'oral pour la photo de document, puis a tout fait seule.",
    "Très à l'aise avec les appels et les SMS ; la photo du courrier a été reprise une fois, nette ensuite.",
)
_TOP_LEVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")


def _strip_keys(text: str) -> str:
    """A profile without its ``keys:`` list, so that the benchmark's key is the only one."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("keys:")), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and not _TOP_LEVEL.match(lines[end]):
        end += 1
    return "".join(lines[:start] + lines[end:]).rstrip("\n") + "\n"


def copy_catalogue(target: Path) -> None:
    """Copy the settings, badges and issuer profiles (with images), but no award and no key."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DEMO / "badgeons.yml", target / "badgeons.yml")
    shutil.copytree(DEMO / "badges", target / "badges")
    (target / "issuers").mkdir()
    for profile in sorted((DEMO / "issuers").glob("*.yaml")):
        text = _strip_keys(profile.read_text(encoding="utf-8"))
        (target / "issuers" / profile.name).write_text(text, encoding="utf-8")
        folder = DEMO / "issuers" / profile.stem
        for image in sorted(folder.glob("logo.*")) if folder.is_dir() else []:
            (target / "issuers" / profile.stem).mkdir(exist_ok=True)
            shutil.copy2(image, target / "issuers" / profile.stem / image.name)


def write_rows(path: Path, count: int, seed: int) -> None:
    """A group file of ``count`` fictional learners, with dates spread over three years."""
    chance = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["email", "evidence_url", "narrative", "issued_on"])
        for index in range(1, count + 1):
            day = FIRST_DAY + timedelta(days=chance.randrange(span))
            writer.writerow(
                [
                    f"apprenant.{index:05d}@example.org",
                    f"https://atelier-numerique.bas-berry.example.org/preuves/fiche-{index:05d}.pdf",
                    chance.choice(NARRATIVES),
                    day.isoformat(),
                ]
            )


def load(root: Path) -> Site:
    """The site model, without checking signatures (that is what the benchmark times)."""
    site, report = load_site(root, check_signatures=False)
    if site is None or report.has_errors():
        raise RuntimeError(f"benchmark repository {root} is invalid: {report.sorted()[:3]}")
    return site


@contextmanager
def awarding_repo(count: int) -> Iterator[tuple[Path, Path, Path]]:
    """A temporary repository with fresh keys, its key directory and a group file of ``count``."""
    with (
        tempfile.TemporaryDirectory(prefix="badgeons-bench-repo-") as repo,
        tempfile.TemporaryDirectory(prefix="badgeons-bench-keys-") as keys,
    ):
        root, key_dir = Path(repo), Path(keys)
        copy_catalogue(root)
        keygen.generate(root, ISSUER, passphrase=None, key_dir=key_dir, now=KEYS_CREATED)
        rows = root / "rows.csv"
        write_rows(rows, count, seed=count)
        yield root, key_dir, rows


def award_group(
    site: Site, rows: Path, key_dir: Path, *, loader_per_award: bool = False
) -> list[Path]:
    """What ``badgeons award BADGE --csv ROWS`` does once the site is loaded: all or nothing.

    With ``loader_per_award``, each award gets a fresh JSON-LD loader, as before the signer
    shared one: the baseline of that change.
    """
    profile, badge = issuing.check_allowed(site, ISSUER, BADGE)
    now = datetime.now(UTC)
    requests, problems = groupfile.read_group(rows, rows.name, now)
    problems += issuing.request_problems(requests)
    if problems:
        raise RuntimeError(f"bad benchmark rows: {problems[:3]}")
    signer = issuing.load_signer(profile, None, key_dir, now)
    signed = [
        issuing.sign_award(
            site,
            profile,
            badge,
            r,
            replace(signer, loader=OfflineDocumentLoader()) if loader_per_award else signer,
        )
        for r in requests
    ]
    return issuing.write_awards(site.root, ISSUER, signed, now.date())


def fingerprint(count: int) -> str:
    digest = hashlib.sha256(f"{count}\n".encode())
    for name in FINGERPRINTED:
        base = ROOT if name.startswith("build_tools/") else DEMO
        digest.update(name.encode() + b"\n" + (base / name).read_bytes())
    contexts = ROOT / "build_tools" / "contexts"
    for path in sorted(contexts.iterdir()):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


# The state that forked workers inherit while the verification repository is signed.
_SIGNING: tuple[Site, Sequence[issuing.AwardRequest], issuing.Signer] | None = None


def _sign_slice(bounds: tuple[int, int]) -> list[issuing.SignedAward]:
    assert _SIGNING is not None
    site, requests, signer = _SIGNING
    profile, badge = site.issuers[ISSUER], site.badges[BADGE]
    start, end = bounds
    return [issuing.sign_award(site, profile, badge, r, signer) for r in requests[start:end]]


def _sign_all(site: Site, rows: Path, key_dir: Path) -> list[issuing.SignedAward]:
    """Sign every row for real, on every core (forked workers inherit keys and site)."""
    global _SIGNING
    profile, _ = issuing.check_allowed(site, ISSUER, BADGE)
    now = datetime.now(UTC)
    requests, problems = groupfile.read_group(rows, rows.name, now)
    if problems:
        raise RuntimeError(f"bad benchmark rows: {problems[:3]}")
    _SIGNING = (site, requests, issuing.load_signer(profile, None, key_dir, now))
    step = 250
    slices = [(i, min(i + step, len(requests))) for i in range(0, len(requests), step)]
    try:
        workers = len(os.sched_getaffinity(0))
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [a for s in slices for a in _sign_slice(s)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [a for part in pool.imap(_sign_slice, slices) for a in part]
    finally:
        _SIGNING = None


def verification_repo(count: int, regenerate: bool, log: Callable[[str], None]) -> Path:
    """The cached repository of ``count`` really signed awards, made if needed."""
    final = OUT / f"verify-{count}"
    stamp = fingerprint(count)
    stamp_file = final / "FINGERPRINT"
    if not regenerate and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return final
    log(f"Signing {count:,} awards for the verification benchmark (cached in {final}) ...")
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=f".verify-{count}-", dir=OUT) as repo,
        tempfile.TemporaryDirectory(prefix="badgeons-bench-keys-") as keys,
    ):
        root, key_dir = Path(repo) / "repo", Path(keys)
        copy_catalogue(root)
        keygen.generate(root, ISSUER, passphrase=None, key_dir=key_dir, now=KEYS_CREATED)
        rows = root / "rows.csv"
        write_rows(rows, count, seed=count)
        signed = _sign_all(load(root), rows, key_dir)
        issuing.write_awards(root, ISSUER, signed, KEYS_CREATED.date())
        (root / "FINGERPRINT").write_text(stamp + "\n")
        if final.exists():
            shutil.rmtree(final)
        root.rename(final)
    return final
