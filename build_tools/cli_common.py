"""What the command modules share: the ``--root`` option and loading the repository."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from build_tools.diagnostics import format_text
from build_tools.model import Site
from build_tools.pipeline import load_site

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Dossier du dépôt Badgeons.",
)


def day_option(value: str | None, option: str) -> date | None:
    """A date typed as an option (AAAA-MM-JJ), or a French error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"date invalide « {value} » : écrivez AAAA-MM-JJ (ex. 2026-11-23)", param_hint=option
        ) from None


def site_or_fail(root: Path, *, check_signatures: bool = True) -> Site:
    """The linked repository, or every problem printed and a French error.

    Commands that only add to the repository (award, revoke, consent) skip checking every
    existing signature again: ``badgeons validate`` and the build do that.
    """
    site, report = load_site(root, check_signatures=check_signatures)
    if site is None:
        click.echo(format_text(report.sorted()), err=True)
        raise click.ClickException(
            "le dépôt contient des erreurs : corrigez-les d'abord (badgeons validate)"
        )
    return site
