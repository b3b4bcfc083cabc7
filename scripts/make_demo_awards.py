"""Award the demo catalogue's badges to fictional learners, signed with throw-away keys.

Run it from the repository with ``.venv/bin/python scripts/make_demo_awards.py``. The learners
are the rows of the group files in ``scripts/demo_rows/<issuer>/<badge>.csv``, in the very
format that ``badgeons award BADGE --issuer ISSUER --csv FILE`` reads, and they go through the
same code: :func:`build_tools.groupfile.read_group`, then :mod:`build_tools.issuing`. Their
addresses (``prenom.nom@example.org``) are never written: each award stores only a salted hash.

For each organisation named by the demo rows, the script makes an Ed25519 and an RSA-2048 key
with :func:`build_tools.keygen.generate` (no passphrase) in a temporary key directory, which is
deleted at the end: the private keys are never kept, so nobody can sign more demo badges with
them, and the demo awards can only be remade as a whole. The public keys stay in the profiles,
dated ``KEYS_CREATED`` so that they predate every demo award.

Then one award is revoked through :func:`build_tools.issuing.revoke` (``REVOCATIONS``); one has
expired (its row gives ``expires``). The script refuses to run when demo awards, display names,
revocations or keys already exist; ``--force`` first deletes them all, then makes new ones (the
identifiers, salts and signatures change at every run).

The demo consents of the territory map (``issuers/<issuer>/consents.yaml``, made by
``scripts/make_demo_consents.py``) name demo awards, so ``--force`` removes them with the awards
and runs that script again at the end, against the new awards. It refuses to remove a consents
file that holds anything but demo consents (ids ``demo-...``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from build_tools import groupfile, issuing, keygen
from build_tools.diagnostics import Diagnostic, format_text
from build_tools.model import Site
from build_tools.pipeline import load_site
from build_tools.yamlsource import load_yaml

ROOT = Path(__file__).resolve().parent.parent
ROWS = Path("scripts") / "demo_rows"
# Every demo key is dated before the first demo award (3 July 2023).
KEYS_CREATED = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
_TOP_LEVEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:")
_KEYS_LINE = re.compile(r"^keys\s*:")
CONSENTS = "consents.yaml"
CONSENTS_SCRIPT = Path("scripts") / "make_demo_consents.py"


@dataclass(frozen=True)
class DemoRevocation:
    """One demo award to revoke, found by its group file and the learner's address."""

    issuer: str
    badge: str
    email: str
    reason: str
    when: datetime


REVOCATIONS = (
    DemoRevocation(
        issuer="atelier-demo-blois",
        badge="activite-logistique-je-fais",
        email="lucas.moreau@example.org",
        reason=(
            "Délivré par erreur avec le groupe du 14 octobre 2024 : la personne n'avait participé "
            "qu'à un seul des deux événements demandés. Elle pourra le demander de nouveau après "
            "le prochain événement."
        ),
        when=datetime(2024, 10, 21, 14, 30, tzinfo=UTC),
    ),
)


class DemoError(Exception):
    """The demo awards cannot be made; nothing is left half-made."""


@dataclass(frozen=True)
class Group:
    """One group file: the learners of one issuer for one badge."""

    issuer: str
    badge: str
    path: Path


def groups(root: Path) -> list[Group]:
    """Every group file of the demo rows, sorted."""
    folder = root / ROWS
    found = [Group(p.parent.name, p.stem, p) for p in sorted(folder.glob("*/*.csv"))]
    if not found:
        raise DemoError(f"no group file in {folder}")
    return found


def demo_issuers(found: Sequence[Group]) -> list[str]:
    return sorted({g.issuer for g in found})


def strip_keys(text: str) -> str:
    """A profile's text without its ``keys:`` list (and the blank line keygen put before it)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _KEYS_LINE.match(line)), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and not _TOP_LEVEL.match(lines[end]):
        end += 1
    before, after = lines[:start], lines[end:]
    if not after:
        while before and not before[-1].strip():
            before.pop()
    return "".join(before + after)


def existing(root: Path, issuers: Sequence[str]) -> list[Path]:
    """Demo awards, display names, revocations and profiles with keys already in the tree."""
    found: list[Path] = []
    for issuer in issuers:
        folder = root / "issuers" / issuer
        found += sorted((folder / "assertions").glob("*.json"))
        found += [
            folder / n
            for n in ("holders.yaml", "revocations.yaml", CONSENTS)
            if (folder / n).exists()
        ]
        profile = root / "issuers" / f"{issuer}.yaml"
        if strip_keys(profile.read_text(encoding="utf-8")) != profile.read_text(encoding="utf-8"):
            found.append(profile)
    return found


def _check_demo_consents(root: Path, issuers: Sequence[str]) -> None:
    """Refuse to go on if a consents file of a demo issuer holds a consent that is not a demo's."""
    for issuer in issuers:
        path = root / "issuers" / issuer / CONSENTS
        if not path.is_file():
            continue
        shown = path.relative_to(root).as_posix()
        source, problems = load_yaml(path, shown)
        if source is None or problems:
            raise DemoError(f"{shown} is unreadable: fix or remove it by hand first")
        entries = source.data or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and str(e.get("id", "")).startswith("demo-") for e in entries
        ):
            raise DemoError(
                f"{shown} holds a consent that is not a demo consent (id demo-...): "
                "remove it by hand first"
            )


def clean(root: Path, issuers: Sequence[str]) -> bool:
    """Delete the demo awards, display names, revocations, consents and keys of the issuers.

    Return whether demo consents were deleted (they are then to be recorded again).
    """
    _check_demo_consents(root, issuers)
    consents = False
    for issuer in issuers:
        folder = root / "issuers" / issuer
        shutil.rmtree(folder / "assertions", ignore_errors=True)
        consents |= (folder / CONSENTS).is_file()
        for name in ("holders.yaml", "revocations.yaml", CONSENTS):
            (folder / name).unlink(missing_ok=True)
        profile = root / "issuers" / f"{issuer}.yaml"
        text = profile.read_text(encoding="utf-8")
        if strip_keys(text) != text:
            profile.write_text(strip_keys(text), encoding="utf-8")
    return consents


def record_demo_consents(root: Path) -> None:
    """Run the demo consents script again, now that the awards it names exist."""
    script = root / CONSENTS_SCRIPT
    if not script.is_file():
        return
    done = subprocess.run(
        [sys.executable, str(script), "--root", str(root)], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(
            f"warning: {CONSENTS_SCRIPT} failed; run it again by hand:\n{done.stderr}",
            file=sys.stderr,
        )
    else:
        print(f"demo consents recorded again by {CONSENTS_SCRIPT}.")


def _site(root: Path, *, check_signatures: bool = True) -> Site:
    site, report = load_site(root, check_signatures=check_signatures)
    if site is None or report.has_errors():
        raise DemoError("the repository has errors:\n" + format_text(report.sorted()))
    return site


@dataclass(frozen=True)
class Signed:
    group: Group
    awards: list[issuing.SignedAward]


def sign_groups(
    root: Path, site: Site, found: Sequence[Group], key_dir: Path, now: datetime
) -> list[Signed]:
    """Read every group file and sign every award in memory, as ``badgeons award --csv`` does."""
    requests_of: list[tuple[Group, list[issuing.AwardRequest]]] = []
    problems: list[Diagnostic] = []
    for group in found:
        try:
            issuing.check_allowed(site, group.issuer, group.badge)
        except issuing.IssuingError as exc:
            raise DemoError(f"{group.path}: {exc}") from None
        shown = group.path.relative_to(root).as_posix()
        requests, found_problems = groupfile.read_group(group.path, shown, now)
        problems += found_problems + issuing.request_problems(requests)
        requests_of.append((group, requests))
    if problems:
        raise DemoError("bad demo rows:\n" + format_text(sorted(problems)))
    signers: dict[str, issuing.Signer] = {}
    signed: list[Signed] = []
    for group, requests in requests_of:
        profile, badge = site.issuers[group.issuer], site.badges[group.badge]
        if group.issuer not in signers:
            signers[group.issuer] = issuing.load_signer(profile, None, key_dir, now)
        signer = signers[group.issuer]
        signed.append(
            Signed(group, [issuing.sign_award(site, profile, badge, r, signer) for r in requests])
        )
    return signed


def write_groups(root: Path, signed: Sequence[Signed]) -> int:
    """Write the records; display names are consented on the day of the award."""
    count = 0
    for item in signed:
        by_day: dict[datetime, list[issuing.SignedAward]] = defaultdict(list)
        for award in item.awards:
            day = award.request.issued_on
            by_day[day.replace(hour=0, minute=0, second=0, microsecond=0)].append(award)
        for day, awards in sorted(by_day.items()):
            count += len(issuing.write_awards(root, item.group.issuer, awards, day.date()))
    return count


def revoke_demo(root: Path, signed: Sequence[Signed]) -> int:
    site = _site(root, check_signatures=False)
    for revocation in REVOCATIONS:
        ids = [
            a.assertion_id
            for item in signed
            if (item.group.issuer, item.group.badge) == (revocation.issuer, revocation.badge)
            for a in item.awards
            if a.request.email == revocation.email
        ]
        if len(ids) != 1:
            raise DemoError(f"no single demo award to revoke for {revocation}")
        issuing.revoke(site, ids[0], revocation.reason, revocation.when)
    return len(REVOCATIONS)


@dataclass
class Timer:
    """Wall-clock time of each step, printed at the end."""

    steps: list[tuple[str, float]]

    def step(self, label: str, started: float) -> None:
        self.steps.append((label, time.perf_counter() - started))

    def lines(self) -> Iterator[str]:
        for label, seconds in self.steps:
            yield f"  {label:<38} {seconds:7.2f} s"


def make(root: Path, force: bool) -> None:
    found = groups(root)
    issuers = demo_issuers(found)
    already = existing(root, issuers)
    if already and not force:
        shown = "\n".join(f"  {p.relative_to(root).as_posix()}" for p in already[:10])
        more = f"\n  ... and {len(already) - 10} more" if len(already) > 10 else ""
        raise DemoError(
            f"demo data already exists ({len(already)} files), for instance:\n{shown}{more}\n"
            "Run again with --force to delete it and make new demo awards."
        )
    timer = Timer([])
    consents = False
    if already:
        started = time.perf_counter()
        # Delete nothing while the repository has errors: the new awards could not be made.
        _site(root)
        consents = clean(root, issuers)
        timer.step(f"delete previous demo data ({len(already)})", started)
    now = datetime.now(UTC)
    try:
        with tempfile.TemporaryDirectory(prefix="badgeons-demo-keys-") as temporary:
            key_dir = Path(temporary)
            started = time.perf_counter()
            for issuer in issuers:
                keygen.generate(root, issuer, passphrase=None, key_dir=key_dir, now=KEYS_CREATED)
            timer.step(f"keygen ({len(issuers)} organisations)", started)
            started = time.perf_counter()
            site = _site(root)
            signed = sign_groups(root, site, found, key_dir, now)
            total = sum(len(item.awards) for item in signed)
            timer.step(f"sign {total} awards ({len(found)} group files)", started)
        # The private keys are gone from here on.
        started = time.perf_counter()
        written = write_groups(root, signed)
        timer.step(f"write {written} records", started)
        started = time.perf_counter()
        revoked = revoke_demo(root, signed)
        timer.step(f"revoke {revoked}", started)
        started = time.perf_counter()
        site = _site(root)
        timer.step("validate, every signature checked", started)
    except BaseException:
        clean(root, issuers)
        raise
    names = sum(1 for item in signed for a in item.awards if a.request.name)
    badges = {item.group.badge for item in signed}
    expired = sum(
        1 for a in site.awards.values() if a.expires and issuing.parse_when(a.expires) < now
    )
    print(
        f"{len(site.awards)} awards of {len(badges)} badges by {len(issuers)} organisations; "
        f"{names} display names, {len(site.revocations)} revoked, {expired} expired."
    )
    for line in timer.lines():
        print(line)
    if consents:
        record_demo_consents(root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--force",
        action="store_true",
        help="delete the previous demo awards, names, revocations and keys first",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="repository (default: this one)")
    options = parser.parse_args(argv)
    try:
        make(options.root.resolve(), options.force)
    except (DemoError, issuing.IssuingError, keygen.KeygenError) as exc:
        print(f"make_demo_awards: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
