"""A synthetic repository of Badgeons' own format, really signed, for the scale benchmark.

It starts from the demo catalogue (settings, badges, issuer profiles and images, without any
award or key, see :func:`bench.fixture.copy_catalogue`), tops the badge classes up to
``badges`` with numbered copies of the Bas-Berry network's first badge, gives every member
of that network fresh throw-away keys (in a temporary folder, never in the repository), awards
``count`` badges to fictional learners and records the map consent of ``holders`` of them, in
communes of Cher and Indre drawn by population. Everything but the keys follows from ``seed``,
so two repositories of the same size hold the same learners, badges, dates and communes.

Signing is the costly part (three real signatures per award, on both cores), so the
repository is kept under ``bench/out/scale-<count>/`` with a fingerprint of what shapes it, and
the time its generation took, and made again only when that changes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import fixture
from build_tools import consents, gazetteer, issuing, keygen
from build_tools.model import Site

NETWORK = "reseau-demo-bas-berry"
DEPARTEMENTS = ("18", "36")
CONSENT_GIVEN = date(2026, 11, 1)
# Change it whenever a change to this module changes the repositories it makes.
GENERATOR_VERSION = "1"

# What forked workers inherit while awards are signed: the site, signers and work items.
_Work = Sequence[tuple[str, str, issuing.AwardRequest]]
_STATE: tuple[Site, dict[str, issuing.Signer], _Work] | None = None


def _add_badges(root: Path, total: int) -> None:
    """Numbered copies of the network's first badge, until the catalogue holds ``total``."""
    model = (root / "badges" / f"{fixture.BADGE}.yaml").read_text(encoding="utf-8")
    existing = len(list((root / "badges").glob("*.yaml")))
    for number in range(1, total - existing + 1):
        text = model.replace(
            "name: Premiers pas avec mon smartphone\n",
            f"name: Premiers pas avec mon smartphone, série {number:03d}\n",
        ).replace(
            "name_en: First steps with my smartphone\n",
            f"name_en: First steps with my smartphone, series {number:03d}\n",
        )
        (root / "badges" / f"{fixture.BADGE}-{number:03d}.yaml").write_text(text, "utf-8")


def _sign_slice(bounds: tuple[int, int]) -> list[tuple[str, issuing.SignedAward]]:
    assert _STATE is not None
    site, signers, work = _STATE
    start, end = bounds
    return [
        (issuer, issuing.sign_award(site, *issuing.check_allowed(site, issuer, badge), r, s))
        for issuer, badge, r in work[start:end]
        for s in (signers[issuer],)
    ]


def _sign(
    site: Site,
    signers: dict[str, issuing.Signer],
    work: Sequence[tuple[str, str, issuing.AwardRequest]],
) -> list[tuple[str, issuing.SignedAward]]:
    """Sign every award for real, on every core (forked workers inherit site and keys)."""
    global _STATE
    _STATE = (site, signers, work)
    step = 250
    slices = [(i, min(i + step, len(work))) for i in range(0, len(work), step)]
    try:
        workers = len(os.sched_getaffinity(0))
        if workers < 2:
            return [a for s in slices for a in _sign_slice(s)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [a for part in pool.imap(_sign_slice, slices) for a in part]
    finally:
        _STATE = None


def _consents(root: Path, site: Site, chosen: list[tuple[str, str]], seed: int) -> None:
    """One consent per chosen ``(issuer, award id)``, in a commune of Cher or Indre."""
    places = [p for p in gazetteer.load() if p.departement in DEPARTEMENTS]
    chance = random.Random(seed)
    weights = [p.population for p in places]
    by_issuer: dict[str, list[dict[str, object]]] = {}
    until = consents.add_months(CONSENT_GIVEN, consents.DEFAULT_MONTHS)
    for number, (issuer, award_id) in enumerate(chosen, start=1):
        place = chance.choices(places, weights)[0]
        commune = {"insee": place.insee, "name": place.name}
        if len(place.postcodes) == 1:
            commune["postcode"] = place.postcodes[0]
        item: dict[str, object] = {"id": f"bench-{number:06d}", "assertions": [award_id]}
        item["commune"] = commune
        if chance.random() < 0.4:
            item["display_name"] = f"Personne {number}"
        item |= {"given": CONSENT_GIVEN.isoformat(), "until": until.isoformat()}
        by_issuer.setdefault(issuer, []).append(item)
    for issuer, items in sorted(by_issuer.items()):
        issuing.append_yaml_items(consents.consents_path(root, issuer), consents.HEADER, items)


def make(root: Path, keys: Path, count: int, *, badges: int, holders: int, seed: int) -> None:
    """Write the synthetic repository at ``root`` (which must not exist), its keys in ``keys``."""
    fixture.copy_catalogue(root)
    _add_badges(root, badges)
    site = fixture.load(root)
    awarders = [i for i in site.awarders(site.badges[fixture.BADGE]) if i != NETWORK]
    shutil.rmtree(keys, ignore_errors=True)
    for issuer in awarders:
        keygen.generate(root, issuer, passphrase=None, key_dir=keys, now=fixture.KEYS_CREATED)
    site = fixture.load(root)
    signers = {
        i: issuing.load_signer(site.issuers[i], None, keys, fixture.KEYS_CREATED) for i in awarders
    }
    classes = sorted(
        b.slug for b in site.badges.values() if all(site.may_award(i, b) for i in awarders)
    )
    chance = random.Random(seed)
    span = (fixture.LAST_DAY - fixture.FIRST_DAY).days
    work = []
    for index in range(1, count + 1):
        day = fixture.FIRST_DAY + timedelta(days=chance.randrange(span))
        request = issuing.AwardRequest(
            email=f"apprenant.{index:06d}@example.org",
            issued_on=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
            narrative=chance.choice(fixture.NARRATIVES),
        )
        work.append((chance.choice(awarders), chance.choice(classes), request))
    signed = _sign(site, signers, work)
    for issuer in awarders:
        mine = [a for i, a in signed if i == issuer]
        issuing.write_awards(root, issuer, mine, fixture.KEYS_CREATED.date())
    pick = random.Random(seed + 1).sample(range(len(signed)), min(holders, len(signed)))
    _consents(root, site, [(signed[i][0], signed[i][1].assertion_id) for i in sorted(pick)], seed)


def key_folder(count: int) -> Path:
    """Where the throw-away keys of a synthetic repository are kept, outside every repository.

    The benchmark awards one more badge with them, as an organisation would. Each checkout
    has a folder of its own: a second clone generating its repositories would otherwise replace
    the keys of the first one's, whose next award would then fail its signature checks.
    """
    checkout = hashlib.sha256(str(fixture.OUT).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "badgeons-bench-keys" / checkout / f"scale-{count}"


def fingerprint(count: int, badges: int, holders: int, seed: int) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION} {badges} {holders} {seed}\n".encode())
    digest.update(fixture.fingerprint(count).encode())
    return digest.hexdigest()


def repository(
    count: int,
    *,
    badges: int = 100,
    holders: int = 5_000,
    seed: int = 7,
    regenerate: bool = False,
    log: Callable[[str], None] = print,
) -> tuple[Path, float]:
    """The cached synthetic repository of ``count`` awards, and how long making it took (s)."""
    final = fixture.OUT / f"scale-{count}"
    stamp = fingerprint(count, badges, holders, seed)
    stamp_file, seconds_file = final / "FINGERPRINT", final / "GENERATION_SECONDS"
    fresh = stamp_file.is_file() and stamp_file.read_text().strip() == stamp
    if not regenerate and fresh and key_folder(count).is_dir():
        return final, float(seconds_file.read_text())
    log(f"Generating {count:,} signed awards (cached in {final}) ...")
    fixture.OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".scale-{count}-", dir=fixture.OUT) as scratch:
        root = Path(scratch) / "repo"
        make(root, key_folder(count), count, badges=badges, holders=holders, seed=seed)
        seconds = time.perf_counter() - started
        (root / "GENERATION_SECONDS").write_text(f"{seconds:.1f}\n")
        (root / "FINGERPRINT").write_text(stamp + "\n")
        if final.exists():
            shutil.rmtree(final)
        root.rename(final)
    log(f"  generated in {seconds:.0f} s")
    return final, seconds
