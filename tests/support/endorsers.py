"""A test endorser: its profile, its keys and its endorsements in an awarded repository."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from build_tools import endorsing, issuing, keygen
from build_tools.model import Site
from build_tools.pipeline import load_site

ENDORSER = "employeur-test"
#: When the endorser's keys were made and its endorsements signed (after the fixture's awards).
ENDORSED_AT = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
COMMENT = "Nous recrutons des personnes qui ont ce badge : il correspond à nos besoins."

PROFILE = """\
# yaml-language-server: $schema=../build_tools/schemas/issuer.schema.json
type: endorser
name: Employeur de test
url: https://employeur-test.example.org/
email: contact@employeur-test.example.org
description: Un employeur fictif qui recommande des badges, pour les tests.
"""


def add_endorser(root: Path, key_dir: Path, slug: str = ENDORSER) -> None:
    """Write an endorser profile and make its keys (unencrypted, in ``key_dir``)."""
    (root / "issuers" / f"{slug}.yaml").write_text(PROFILE, encoding="utf-8")
    keygen.generate(root, slug, passphrase=None, key_dir=key_dir, now=ENDORSED_AT)


def loaded(root: Path) -> Site:
    site, report = load_site(root)
    assert site is not None, report.sorted()
    return site


def endorse(
    root: Path,
    key_dir: Path,
    *,
    badge: str | None = None,
    issuer: str | None = None,
    assertion: str | None = None,
    comment: str = COMMENT,
    endorser: str = ENDORSER,
) -> endorsing.SignedEndorsement:
    """Sign and write one endorsement, as ``badgeons endorse`` does."""
    site = loaded(root)
    profile = endorsing.check_endorser(site, endorser)
    target = endorsing.resolve_target(site, badge=badge, issuer=issuer, assertion=assertion)
    signer = issuing.load_signer(profile, None, key_dir, ENDORSED_AT)
    signed = endorsing.sign_endorsement(site, profile, target, comment, signer, ENDORSED_AT)
    endorsing.write_endorsement(root, signed)
    return signed
