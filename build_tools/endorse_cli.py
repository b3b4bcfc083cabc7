"""``badgeons endorse``: an endorser signs a recommendation of a badge, an issuer or an award.

The command only parses its arguments and calls :mod:`build_tools.endorsing`; what it prints is
for the employers, tutors and branches who run it, so it is in French.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from build_tools.cli_common import KEY_DIR_OPTION, ROOT_OPTION, passphrase_for_use, site_or_fail
from build_tools.urls import Urls


@click.command("endorse")
@click.option(
    "--endorser",
    metavar="RECOMMANDEUR",
    required=True,
    help="Recommandeur (profil issuers/SLUG.yaml, type: endorser).",
)
@click.option(
    "--badge",
    metavar="BADGE",
    help="Recommander ce badge (son identifiant, ex. premiers-pas-smartphone).",
)
@click.option("--issuer", metavar="ORGANISME", help="Recommander cet organisme ou ce réseau.")
@click.option(
    "--assertion",
    metavar="ID",
    help="Recommander ce badge délivré (son identifiant de 26 caractères).",
)
@click.option(
    "--comment",
    metavar="TEXTE",
    required=True,
    help="La recommandation, publique (sans donnée personnelle).",
)
@ROOT_OPTION
@KEY_DIR_OPTION
def endorse(
    endorser: str,
    badge: str | None,
    issuer: str | None,
    assertion: str | None,
    comment: str,
    root: Path,
    key_dir: Path | None,
) -> None:
    """Signer une recommandation (Open Badges 3.0 et 2.0) d'un badge, d'un émetteur ou d'un badge délivré."""
    from build_tools import endorsing, issuing, keys

    root = root.resolve()
    site = site_or_fail(root, check_signatures=False)
    now = datetime.now(UTC)
    try:
        profile = endorsing.check_endorser(site, endorser)
        target = endorsing.resolve_target(site, badge=badge, issuer=issuer, assertion=assertion)
        endorsing.check_comment(comment)
        signer = issuing.load_signer(
            profile, passphrase_for_use(profile, key_dir, now), key_dir, now
        )
        signed = endorsing.sign_endorsement(site, profile, target, comment, signer, now)
    except (endorsing.EndorsingError, issuing.IssuingError, keys.KeyStoreError) as exc:
        raise click.ClickException(str(exc)) from None
    path = endorsing.write_endorsement(root, signed)
    urls = Urls(site.settings.site_url)
    shown = urls.absolute(urls.endorsement_file(signed.endorsement_id, "vc.json"))
    click.echo(f"Recommandation signée ({target.label}) : {shown}")
    click.echo(
        f"({path.relative_to(root).as_posix()}) Enregistrez-la dans git "
        f"(git add issuers/{endorser}/endorsements) et proposez-la par une demande de fusion."
    )
