"""``badgeons init``: start a collective's own repository from the demonstration.

The command only parses its arguments and calls :mod:`build_tools.repoinit`; what it prints is
for the collective member who sets the repository up, so it is in French.
"""

from __future__ import annotations

from pathlib import Path

import click

from build_tools import repoinit
from build_tools.cli_common import ROOT_OPTION


@click.command("init")
@click.argument(
    "folder",
    metavar="[DOSSIER]",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--site-url",
    metavar="ADRESSE",
    required=True,
    help="Adresse publique définitive du site, en https et terminée par « / » "
    "(ex. https://collectif.github.io/badges/ ; voir docs/deploy.md).",
)
@click.option("--title", metavar="TITRE", required=True, help="Titre du site, en français.")
@click.option("--title-en", metavar="TITRE", help="Titre du site, en anglais (facultatif).")
@click.option("--description", metavar="TEXTE", help="Présentation du site en une phrase.")
@click.option("--description-en", metavar="TEXTE", help="La même, en anglais (facultatif).")
@click.option("--yes", "-y", is_flag=True, help="Ne pas demander de confirmation.")
@ROOT_OPTION
def init_command(
    folder: Path | None,
    site_url: str,
    title: str,
    title_en: str | None,
    description: str | None,
    description_en: str | None,
    yes: bool,
    root: Path,
) -> None:
    """Créer le dépôt du collectif à partir de celui de démonstration.

    Retire du site toutes les données de démonstration (émetteurs, badges, badges signés,
    consentements, sacs à badges, recommandations, révocations), qui restent dans
    tests/data/demo pour les tests de Badgeons, et écrit l'adresse et le titre du site dans
    badgeons.yml. Avec DOSSIER, le dépôt est d'abord copié, sans ses données ni
    son historique git, dans ce nouveau dossier (conseillé) ; sans DOSSIER, le dépôt --root
    est modifié sur place.
    """
    settings = repoinit.Settings(
        site_url=site_url,
        title=title,
        title_en=title_en,
        description=description,
        description_en=description_en,
    )
    source = root.resolve()
    target = folder.resolve() if folder is not None else source
    # Every problem of the settings is reported before anything is copied or removed.
    problems = repoinit.settings_problems(settings)
    if problems:
        click.echo("\n".join(str(p) for p in problems), err=True)
        raise click.ClickException(f"{len(problems)} erreur(s) : rien n'a été modifié")
    if folder is None and not yes:
        count = len(repoinit.demo_files(source))
        click.confirm(
            f"Retirer les {count} fichiers de démonstration de {source} (badges/, issuers/) "
            "et écrire badgeons.yml ?",
            abort=True,
        )
    try:
        if folder is not None:
            removed = repoinit.new_repository(source, target, settings)
        else:
            removed = repoinit.init(target, settings)
    except repoinit.InitError as exc:
        raise click.ClickException(str(exc)) from None
    if folder is not None:
        click.echo(f"Dépôt créé dans {target}, sans les données de démonstration.")
    else:
        click.echo(
            f"Données de démonstration retirées du site : {removed.issuers} émetteur(s), "
            f"{removed.badges} badge(s), {removed.awards} badge(s) signé(s) "
            f"({removed.files} fichiers)."
        )
    if (target / repoinit.DEMO_COPY).is_dir():
        click.echo(
            f"Une copie en reste dans {repoinit.DEMO_COPY.as_posix()}, hors du site : les tests "
            "de Badgeons (make test) s'en servent."
        )
    click.echo(f"badgeons.yml : site_url: {settings.site_url}")
    shown = "." if folder is None else str(folder)
    click.echo("Ensuite (docs/deploy.md, « Démarrer le dépôt du collectif ») :")
    steps = [
        f"cd {shown}" if folder is not None else None,
        "git init -b main" if folder is not None else None,
        'git add -A && git commit -m "Dépôt du collectif" ; git push (avant de protéger '
        "la branche principale)",
        "badgeons new issuer mon-organisme (ou --network pour le réseau)",
        "badgeons keygen mon-organisme",
        "badgeons new badge mon-badge --issuer mon-organisme",
    ]
    for step in steps:
        if step is not None:
            click.echo(f"  {step}")
