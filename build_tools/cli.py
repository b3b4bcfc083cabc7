"""The ``badgeons`` command line.

The commands only parse their arguments and call the core; what they print is for the trainers
and collective members who run them, so it is in French.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from build_tools import __version__, scaffold
from build_tools.diagnostics import format_json, format_text
from build_tools.pipeline import load_site

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Dossier du dépôt Badgeons.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="badgeons")
def main() -> None:
    """Badgeons : un dépôt git comme plateforme d'open badges."""


@main.command()
@ROOT_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format du rapport.",
)
@click.option("--strict", is_flag=True, help="Les avertissements comptent comme des erreurs.")
def validate(root: Path, fmt: str, strict: bool) -> None:
    """Vérifier tout le dépôt (badges, émetteurs, réglages) sans construire le site."""
    _, report = load_site(root.resolve())
    diagnostics = report.sorted()
    if fmt == "json":
        click.echo(format_json(diagnostics))
    else:
        if diagnostics:
            click.echo(format_text(diagnostics))
        errors, warnings = len(report.errors), len(report.warnings)
        if errors or warnings:
            click.echo(f"{errors} erreur(s), {warnings} avertissement(s).", err=True)
        else:
            click.echo("Le dépôt est valide.", err=True)
    sys.exit(1 if report.has_errors(strict) else 0)


@main.group()
def new() -> None:
    """Créer le squelette d'un émetteur ou d'un badge, à compléter."""


@new.command("issuer")
@click.argument("slug")
@click.option("--network", is_flag=True, help="Créer un réseau (collectif) plutôt qu'un organisme.")
@ROOT_OPTION
def new_issuer(slug: str, network: bool, root: Path) -> None:
    """Créer issuers/SLUG.yaml."""
    try:
        path = scaffold.new_issuer(root, slug, network)
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Créé : {path.relative_to(root).as_posix()}")
    click.echo("Complétez les champs « À COMPLÉTER », puis lancez : badgeons validate")


@new.command("badge")
@click.argument("slug")
@click.option(
    "--issuer", required=True, help="Identifiant de l'émetteur ou du réseau qui le délivre."
)
@ROOT_OPTION
def new_badge(slug: str, issuer: str, root: Path) -> None:
    """Créer badges/SLUG.yaml et une image de départ."""
    try:
        paths = scaffold.new_badge(root, slug, issuer)
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(f"Créé : {path.relative_to(root).as_posix()}")
    click.echo("Complétez les champs « À COMPLÉTER », puis lancez : badgeons validate")


@main.command()
@ROOT_OPTION
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier de sortie (par défaut : site/ dans le dépôt).",
)
@click.option("--strict", is_flag=True, help="Les avertissements arrêtent la construction.")
def build(root: Path, site_dir: Path | None, strict: bool) -> None:
    """Construire le site statique (catalogue, pages de vérification, images)."""
    _build(root.resolve(), site_dir, strict)


@main.command()
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def serve(root: Path, host: str, port: int, site_dir: Path | None) -> None:
    """Construire le site puis le servir localement, tel qu'un hébergeur statique le servirait."""
    from build_tools import sitebuild

    output = _build(root.resolve(), site_dir, strict=False)
    server = sitebuild.make_server(output, host, port)
    click.echo(f"Site servi sur http://{host}:{server.server_port}/ (Ctrl+C pour arrêter)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("\nArrêt du serveur.")
    finally:
        server.server_close()


def _build(root: Path, site_dir: Path | None, strict: bool) -> Path:
    """Validate, then build through MkDocs; on any error the previous site stays as it was."""
    from mkdocs.exceptions import MkDocsException

    from build_tools import sitebuild

    output = (site_dir or root / "site").absolute()
    _, report = load_site(root)
    if report.sorted():
        click.echo(format_text(report.sorted()), err=True)
    if report.has_errors(strict):
        raise click.ClickException("le dépôt contient des erreurs : le site n'a pas été modifié")
    try:
        sitebuild.build(root, output, strict=strict)
    except MkDocsException as exc:
        raise click.ClickException(
            f"échec de la construction ({exc}) : le site n'a pas été modifié"
        ) from None
    click.echo(f"Site construit dans {output}")
    return output
