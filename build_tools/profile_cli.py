"""``badgeons profile sign``: the signed statement of an issuer's own profile change.

Once an issuer has keys, ``badgeons validate --base`` accepts a change of its profile
(``issuers/<slug>.yaml``: name, email, logo, networks, where requests go...) only with a
statement signed by one of its keys (:mod:`build_tools.statements`). ``keygen`` and
``compromise`` write theirs; this command writes one for every other change, with the issuer's
current RSA key. Like the rest of the command line it only parses its arguments and calls the
core; what it prints is for the issuer's members, in French.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from build_tools import statements
from build_tools.cli_common import KEY_DIR_OPTION, ROOT_OPTION, SUBCOMMAND_METAVAR, ask_passphrase
from build_tools.diagnostics import format_text
from build_tools.yamlsource import load_yaml


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def profile() -> None:
    """Profil d'un organisme qui a des clés : signer ses changements."""


@profile.command("sign")
@click.argument("issuer", metavar="ORGANISME")
@ROOT_OPTION
@KEY_DIR_OPTION
def profile_sign(issuer: str, root: Path, key_dir: Path | None) -> None:
    """Signer le profil modifié d'un organisme (nom, courriel, logo, réseaux, demandes…).

    Écrit la déclaration issuers/ORGANISME/key-changes/AAAA-MM-JJ-N.jws, signée par la clé
    RSA en cours de l'organisme (il faut sa clé privée et sa phrase de passe). Sans elle, la
    CI refuse tout changement du profil d'un organisme qui a des clés (docs/gouvernance.md).
    Lancez cette commande après la dernière modification du profil.
    """
    root = root.resolve()
    name = f"issuers/{issuer}.yaml"
    path = root / name
    if not path.is_file():
        raise click.ClickException(f"émetteur inconnu « {issuer} » : {name} n'existe pas")
    source, problems = load_yaml(path, name)
    if source is None or problems:
        click.echo(format_text(sorted(problems)), err=True)
        raise click.ClickException(
            f"{name} contient des erreurs : corrigez-les d'abord (badgeons validate), "
            "rien n'a été signé"
        )
    current = statements.profile_keys(root, issuer)
    if not current:
        click.echo(
            f"« {issuer} » n'a pas encore de clé : son profil change sans déclaration signée "
            "(les relecteurs de la demande de fusion l'acceptent)."
        )
        return
    done = statements.signs_profile(root, issuer)
    if done is not None:
        click.echo(
            f"Le profil est déjà signé tel quel par {done.relative_to(root).as_posix()} : "
            "rien à faire."
        )
        return
    try:
        signer = statements.load_rsa_signer(root, issuer, key_dir, ask_passphrase)
        assert signer is not None  # The issuer has keys: the signer or an error.
        written = statements.record(root, issuer, current, current, *signer, datetime.now(UTC))
    except statements.StatementError as exc:
        raise click.ClickException(str(exc)) from None
    shown = written.relative_to(root).as_posix()
    click.echo(f"Déclaration signée par {signer[0]} : {shown}")
    click.echo(f"Ajoutez-la à la demande de fusion avec le profil : git add {name} {shown}")
