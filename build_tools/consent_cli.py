"""``badgeons consent add|withdraw|list``: holders' consents to appear on the map.

Like the rest of the command line, these commands only parse their arguments and call the core
(:mod:`build_tools.consent_records`); what they print is for trainers, in French.
"""

from __future__ import annotations

from pathlib import Path

import click

from build_tools import consents
from build_tools.cli_common import (
    RECIPIENT_OPTION,
    ROOT_OPTION,
    SUBCOMMAND_METAVAR,
    check_one_holder,
    day_option,
    site_or_fail,
)
from build_tools.consent_records import ConsentError, NewConsent, add, recorded, withdraw
from build_tools.diagnostics import format_text
from build_tools.gazetteer import load as load_gazetteer


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def consent() -> None:
    """Accords des personnes pour figurer sur la carte du territoire apprenant."""


@consent.command("add")
@click.argument("assertions", nargs=-1, required=True, metavar="BADGES...")
@click.option("--insee", metavar="CODE", help="Code INSEE de la commune (ex. 36046).")
@click.option(
    "--commune", "commune_name", metavar="COMMUNE", help="Nom de la commune (avec --postcode)."
)
@click.option("--postcode", metavar="CODE", help="Code postal de la commune (avec --commune).")
@click.option(
    "--name", "display_name", metavar="NOM", help="Prénom ou pseudonyme choisi par la personne."
)
@click.option(
    "--given", metavar="DATE", help="Date de l'accord (AAAA-MM-JJ ; par défaut : aujourd'hui)."
)
@click.option(
    "--until",
    metavar="DATE",
    help=f"Dernier jour sur la carte (par défaut : {consents.DEFAULT_MONTHS} mois après l'accord).",
)
@click.option(
    "--no-contact",
    is_flag=True,
    help="Ne pas proposer aux recruteurs d'écrire à l'organisme à propos de ce badge.",
)
@click.option(
    "--id",
    "consent_id",
    metavar="ID",
    help="Identifiant du consentement (par défaut : tiré au hasard).",
)
@RECIPIENT_OPTION
@ROOT_OPTION
def consent_add(
    assertions: tuple[str, ...],
    insee: str | None,
    commune_name: str | None,
    postcode: str | None,
    display_name: str | None,
    given: str | None,
    until: str | None,
    no_contact: bool,
    consent_id: str | None,
    recipients: tuple[str, ...],
    root: Path,
) -> None:
    """Enregistrer l'accord d'une personne pour montrer ses BADGES (identifiants) sur la carte.

    La personne apparaît au centre de sa commune (jamais à son adresse), avec les badges
    choisis ; les recruteurs la joignent par l'organisme, en citant la référence du badge.
    """
    if not insee and not (commune_name and postcode):
        raise click.UsageError("indiquez la commune : --insee CODE, ou --commune NOM --postcode CP")
    commune = {"insee": insee} if insee else {}
    if commune_name:
        commune["name"] = commune_name
    if postcode:
        commune["postcode"] = postcode
    root = root.resolve()
    site = site_or_fail(root, check_signatures=False)
    check_one_holder(site, assertions, recipients)
    today = consents.today()
    request = NewConsent(
        assertions=assertions,
        commune={k: v for k, v in commune.items() if v},
        given=day_option(given, "--given") or today,
        until=day_option(until, "--until"),
        display_name=display_name,
        contact=not no_contact,
        id=consent_id,
    )
    try:
        path, item, place, warnings = add(site, request, today)
    except ConsentError as exc:
        if exc.problems:
            click.echo(format_text(exc.problems), err=True)
        raise click.ClickException(str(exc)) from None
    if warnings:
        click.echo(format_text(warnings), err=True)
    shown = f", nom affiché : {display_name}" if display_name else ""
    click.echo(
        f"Consentement « {item['id']} » enregistré ({path.relative_to(root).as_posix()}) : "
        f"{len(assertions)} badge(s), commune {place.label}{shown}, jusqu'au {item['until']}."
    )
    click.echo(
        f"Enregistrez-le dans git (git add {path.relative_to(root).as_posix()}), puis publiez le site."
    )


@consent.command("withdraw")
@click.argument("key", metavar="IDENTIFIANT")
@ROOT_OPTION
def consent_withdraw(key: str, root: Path) -> None:
    """Retirer un consentement (par son identifiant, ou par l'identifiant d'un de ses badges).

    L'entrée est supprimée : à la prochaine publication, la personne disparaît de la carte et
    des exports (GeoJSON, CSV).
    """
    root = root.resolve()
    try:
        removed = withdraw(root, key)
    except ConsentError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Consentement « {removed.id} » retiré de {removed.path.relative_to(root).as_posix()}. "
        "Enregistrez ce changement dans git et publiez le site : la personne disparaîtra de la "
        "carte et des exports."
    )


@consent.command("list")
@click.option("--issuer", metavar="ORGANISME", help="Seulement les consentements de cet organisme.")
@ROOT_OPTION
def consent_list(issuer: str | None, root: Path) -> None:
    """Lister les consentements enregistrés, avec leur état (actif, échu, à venir)."""
    root = root.resolve()
    today = consents.today()
    entries = [r for r in recorded(root) if issuer is None or r.issuer == issuer]
    if not entries:
        click.echo("Aucun consentement enregistré.")
        return
    gazetteer = load_gazetteer()
    for entry in entries:
        commune = entry.item.get("commune") or {}
        place = gazetteer.get(str(commune.get("insee", ""))) if commune.get("insee") else None
        where = (
            place.label if place else f"{commune.get('name', '?')} ({commune.get('postcode', '?')})"
        )
        name = entry.item.get("display_name") or "sans nom"
        badges = ", ".join(entry.item.get("assertions") or [])
        click.echo(
            f"{entry.id}  {entry.issuer}  {where}  {name}  {entry.status(today)}  badges : {badges}"
        )
    click.echo(f"{len(entries)} consentement(s).", err=True)
