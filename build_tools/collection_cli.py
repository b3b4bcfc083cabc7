"""``badgeons collection add|withdraw|list``: holders' "sacs à badges".

Like the rest of the command line, these commands only parse their arguments and call the core
(:mod:`build_tools.collections`); what they print is for trainers, in French.
"""

from __future__ import annotations

from pathlib import Path

import click

from build_tools import collections
from build_tools.cli_common import (
    RECIPIENT_OPTION,
    ROOT_OPTION,
    SUBCOMMAND_METAVAR,
    check_one_holder,
    day_option,
    site_or_fail,
)
from build_tools.collection_pages import page_path
from build_tools.diagnostics import format_text
from build_tools.urls import Urls


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def collection() -> None:
    """Sacs à badges : une page publique des badges qu'une personne choisit de montrer."""


@collection.command("add")
@click.argument("assertions", nargs=-1, required=True, metavar="BADGES...")
@click.option(
    "--issuer",
    metavar="ORGANISME",
    required=True,
    help="Organisme qui enregistre l'accord de la personne.",
)
@click.option(
    "--name", "display_name", metavar="NOM", help="Prénom ou pseudonyme choisi par la personne."
)
@click.option(
    "--given", metavar="DATE", help="Date de l'accord (AAAA-MM-JJ ; par défaut : aujourd'hui)."
)
@click.option(
    "--until", metavar="DATE", help="Dernier jour de publication (par défaut : jusqu'au retrait)."
)
@RECIPIENT_OPTION
@ROOT_OPTION
def collection_add(
    assertions: tuple[str, ...],
    issuer: str,
    display_name: str | None,
    given: str | None,
    until: str | None,
    recipients: tuple[str, ...],
    root: Path,
) -> None:
    """Créer le sac à badges d'une personne, avec les BADGES (identifiants) qu'elle choisit.

    Les badges peuvent venir de plusieurs organismes. La page ne nomme la personne que si elle
    a choisi un nom affiché (--name).
    """
    root = root.resolve()
    site = site_or_fail(root, check_signatures=False)
    check_one_holder(site, assertions, recipients)
    today = collections.today()
    try:
        path, item = collections.add(
            site,
            issuer,
            assertions,
            given=day_option(given, "--given") or today,
            until=day_option(until, "--until"),
            display_name=display_name,
            day=today,
        )
    except collections.CollectionError as exc:
        if exc.problems:
            click.echo(format_text(exc.problems), err=True)
        raise click.ClickException(str(exc)) from None
    urls = Urls(site.settings.site_url)
    relative = path.relative_to(root).as_posix()
    click.echo(
        f"Sac à badges « {item['id']} » enregistré ({relative}) : {len(assertions)} badge(s)."
    )
    click.echo(f"Adresse de la page : {urls.absolute(page_path(item['id']))}")
    click.echo(f"Enregistrez-le dans git (git add {relative}), puis publiez le site.")


@collection.command("withdraw")
@click.argument("collection_id", metavar="IDENTIFIANT")
@ROOT_OPTION
def collection_withdraw(collection_id: str, root: Path) -> None:
    """Retirer un sac à badges : sa page disparaît à la prochaine publication."""
    root = root.resolve()
    try:
        path, removed = collections.withdraw(root, collection_id)
    except collections.CollectionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Sac à badges « {removed.id} » retiré de {path.relative_to(root).as_posix()}. "
        "Enregistrez ce changement dans git et publiez le site : la page disparaîtra."
    )


@collection.command("list")
@click.option(
    "--issuer",
    metavar="ORGANISME",
    help="Seulement les sacs à badges enregistrés par cet organisme.",
)
@ROOT_OPTION
def collection_list(issuer: str | None, root: Path) -> None:
    """Lister les sacs à badges enregistrés, avec leur état."""
    root = root.resolve()
    today = collections.today()
    entries = [r for r in collections.recorded(root) if issuer is None or r.issuer == issuer]
    if not entries:
        click.echo("Aucun sac à badges enregistré.")
        return
    for entry in entries:
        name = entry.item.get("display_name") or "sans nom"
        badges = ", ".join(entry.item.get("assertions") or [])
        click.echo(f"{entry.id}  {entry.issuer}  {name}  {entry.status(today)}  badges : {badges}")
    click.echo(f"{len(entries)} sac(s) à badges.", err=True)
