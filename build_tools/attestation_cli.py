"""``badgeons attestations``: the printed attestations of a group, in one file.

The command only parses its arguments and calls :mod:`build_tools.attestations`; what it prints
is for trainers, in French. ``badgeons award --attestations`` writes the same file for the
group it has just awarded.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from build_tools.cli_common import ROOT_OPTION, day_option, site_or_fail
from build_tools.diagnostics import format_text, os_reason

if TYPE_CHECKING:
    from build_tools.model import Award, Site

OUTPUT_HELP = (
    "Fichier à écrire, à ouvrir dans un navigateur pour l'imprimer (une page A4 par badge)."
)


@click.command("attestations")
@click.argument("assertions", nargs=-1, metavar="[BADGES]...")
@click.option("--issuer", metavar="ORGANISME", help="Les badges délivrés par cet organisme…")
@click.option("--badge", metavar="BADGE", help="…seulement ce badge…")
@click.option("--issued-on", metavar="DATE", help="…seulement ceux délivrés ce jour (AAAA-MM-JJ).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("attestations.html"),
    show_default=True,
    help=OUTPUT_HELP,
)
@ROOT_OPTION
def attestations_command(
    assertions: tuple[str, ...],
    issuer: str | None,
    badge: str | None,
    issued_on: str | None,
    output: Path,
    root: Path,
) -> None:
    """Écrire les attestations à imprimer d'un groupe : les BADGES (identifiants), dans cet ordre,
    ou ceux que choisissent --issuer, --badge et --issued-on.

    Le fichier ne contient que ce que montrent les pages publiées (le nom de la personne
    seulement avec son accord, jamais son adresse). Il ne fait pas partie du site.
    """
    # Imported here, as in the other commands: the command line starts without the page code.
    from build_tools import attestations

    day = day_option(issued_on, "--issued-on")
    site = site_or_fail(root.resolve(), check_signatures=False)
    try:
        chosen = attestations.select(
            site,
            assertions,
            issuer=issuer,
            badge=badge,
            issued_on=day.isoformat() if day else None,
        )
    except attestations.AttestationError as exc:
        raise click.ClickException(str(exc)) from None
    write(site, chosen, output)


def write(site: Site, awards: Sequence[Award], output: Path) -> None:
    """Check the awards' signatures, then write their attestations to ``output`` at once."""
    from build_tools import attestations, writer

    found = attestations.problems(site, awards)
    if found:
        click.echo(format_text(sorted(found)), err=True)
        raise click.ClickException(
            f"{len(found)} erreur(s) de signature : aucune attestation n'a été écrite"
        )
    text = attestations.document(site, awards, datetime.now(UTC))
    try:
        writer.write_text_atomically(output, text)
    except OSError as exc:
        reason = (
            f"le dossier {output.parent} n'existe pas"
            if exc.errno == errno.ENOENT
            else os_reason(exc)
        )
        raise click.ClickException(f"impossible d'écrire {output} : {reason}") from None
    click.echo(
        f"{len(awards)} attestation(s) à imprimer : {output.absolute()}\n"
        "Ouvrez ce fichier dans votre navigateur, puis imprimez-le (Ctrl+P) : "
        "une page A4 par badge."
    )
