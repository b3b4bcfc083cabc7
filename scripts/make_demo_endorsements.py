"""Sign the demo endorsements with throw-away keys of the two demo endorsers.

Run it from the repository with ``.venv/bin/python scripts/make_demo_endorsements.py``. The two
fictional endorsers (``ENDORSERS``: an employer and a professional branch, ``type: endorser``)
get an Ed25519 and an RSA-2048 key from :func:`build_tools.keygen.generate` (no passphrase) in a
temporary key directory, deleted at the end like ``scripts/make_demo_awards.py`` does: nobody
can sign more demo endorsements with them. Then the endorsements of ``ENDORSEMENTS`` go through
the same code as ``badgeons endorse`` (:mod:`build_tools.endorsing`).

One endorsement is of a single demo award: the oldest award of ``AWARD_BADGE`` that is not
revoked. ``scripts/make_demo_awards.py --force`` replaces every demo award, and the repository
is invalid while an endorsement names an award that no longer exists: run this script with
``--remove`` before it, and again without options after it. The script refuses to run when demo endorsements or endorser keys
already exist; ``--force`` first deletes them (the records, and the ``keys:`` block that ends
each endorser profile), then makes new ones.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from build_tools import endorsing, issuing, keygen
from build_tools.diagnostics import format_text
from build_tools.model import Site
from build_tools.pipeline import load_site

ROOT = Path(__file__).resolve().parent.parent
EMPLOYER = "entreprise-demo-entrepots-berry"
BRANCH = "branche-demo-services-personne"
ENDORSERS = (EMPLOYER, BRANCH)
KEYS_CREATED = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
AWARD_BADGE = "apprenant-agile"
_KEYS_LINE = re.compile(r"^keys\s*:", re.MULTILINE)


@dataclass(frozen=True)
class DemoEndorsement:
    endorser: str
    #: "badge", "issuer" or "assertion" (then the award is found from ``AWARD_BADGE``).
    kind: str
    key: str
    comment: str
    when: datetime


ENDORSEMENTS = (
    DemoEndorsement(
        EMPLOYER,
        "badge",
        "premiers-pas-smartphone",
        "Dans nos entrepôts, on consulte son planning, on photographie un colis abîmé et on "
        "prévient son chef d'équipe sur un smartphone. Ce badge nous dit qu'une personne sait "
        "le faire dès son premier jour : nous le regardons à chaque recrutement.",
        datetime(2025, 2, 10, 10, 0, tzinfo=UTC),
    ),
    DemoEndorsement(
        BRANCH,
        "badge",
        "apprenant-agile",
        "La commission emploi-formation de la branche recommande ce badge : apprendre d'une "
        "situation nouvelle et demander de l'aide à bon escient sont au cœur des métiers de "
        "l'aide à domicile.",
        datetime(2025, 3, 4, 14, 0, tzinfo=UTC),
    ),
    DemoEndorsement(
        EMPLOYER,
        "assertion",
        AWARD_BADGE,
        "Accueillie trois semaines en stage de préparation de commandes, cette personne a appris "
        "le scanner et le logiciel d'entrepôt en deux jours, et a su demander de l'aide au bon "
        "moment. Nous confirmons ce badge.",
        datetime(2025, 4, 18, 16, 30, tzinfo=UTC),
    ),
    DemoEndorsement(
        BRANCH,
        "issuer",
        "app-demo-indre",
        "Partenaire de la branche pour l'orientation vers les métiers du domicile : ses badges "
        "sont délivrés après une observation réelle, en situation.",
        datetime(2025, 5, 6, 9, 30, tzinfo=UTC),
    ),
)


def demo_award(site: Site) -> str:
    """The oldest award of ``AWARD_BADGE`` that is not revoked."""
    found = sorted(
        (a.issued_on, a.id)
        for a in site.awards.values()
        if a.badge == AWARD_BADGE and a.id not in site.revocations
    )
    if not found:
        raise SystemExit(f"no demo award of {AWARD_BADGE}: run scripts/make_demo_awards.py first")
    return found[0][1]


def _profile(root: Path, endorser: str) -> Path:
    return root / "issuers" / f"{endorser}.yaml"


def existing(root: Path) -> list[Path]:
    """Demo endorsement records and endorser profiles that already hold keys."""
    found: list[Path] = []
    for endorser in ENDORSERS:
        folder = root / "issuers" / endorser / "endorsements"
        found += sorted(folder.glob("*.json")) if folder.is_dir() else []
        profile = _profile(root, endorser)
        if _KEYS_LINE.search(profile.read_text(encoding="utf-8")):
            found.append(profile)
    return found


def remove(root: Path) -> None:
    """Delete the demo endorsements and the ``keys:`` block that ends each endorser profile."""
    for endorser in ENDORSERS:
        shutil.rmtree(root / "issuers" / endorser / "endorsements", ignore_errors=True)
        profile = _profile(root, endorser)
        text = profile.read_text(encoding="utf-8")
        match = _KEYS_LINE.search(text)
        if match:
            profile.write_text(text[: match.start()].rstrip("\n") + "\n", encoding="utf-8")


def _site(root: Path) -> Site:
    site, report = load_site(root, check_signatures=False)
    if site is None:
        print(format_text(report.sorted()), file=sys.stderr)
        raise SystemExit("the repository has errors: fix them first (badgeons validate)")
    return site


def make(root: Path) -> list[Path]:
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="badgeons-demo-endorsers-") as temporary:
        key_dir = Path(temporary)
        for endorser in ENDORSERS:
            keygen.generate(root, endorser, passphrase=None, key_dir=key_dir, now=KEYS_CREATED)
        site = _site(root)
        for item in ENDORSEMENTS:
            profile = endorsing.check_endorser(site, item.endorser)
            key = demo_award(site) if item.kind == "assertion" else item.key
            target = endorsing.resolve_target(
                site,
                badge=key if item.kind == "badge" else None,
                issuer=key if item.kind == "issuer" else None,
                assertion=key if item.kind == "assertion" else None,
            )
            signer = issuing.load_signer(profile, None, key_dir, item.when)
            signed = endorsing.sign_endorsement(
                site, profile, target, item.comment, signer, item.when
            )
            written.append(endorsing.write_endorsement(root, signed))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--force", action="store_true", help="delete the demo endorsements and keys first"
    )
    parser.add_argument(
        "--remove",
        action="store_true",
        help="only delete the demo endorsements and keys (before make_demo_awards.py --force)",
    )
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.remove:
        remove(root)
        return 0
    found = existing(root)
    if found and not args.force:
        shown = ", ".join(p.relative_to(root).as_posix() for p in found)
        print(f"demo endorsements or keys already exist ({shown}); use --force", file=sys.stderr)
        return 1
    remove(root)
    for path in make(root):
        print(f"wrote {path.relative_to(root).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
