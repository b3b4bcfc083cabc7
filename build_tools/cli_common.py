"""What the command modules share: the ``--root`` and ``--key-dir`` options, the passphrase of
the private keys, and loading the repository."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import click

from build_tools import click_french, identity
from build_tools.diagnostics import format_text
from build_tools.model import Site
from build_tools.pipeline import load_site

# Click's own messages in French. Every command module imports this one first, before it
# declares an option: Click translates a path option's kind when the option is declared.
click_french.install()

# How a group's usage line names its commands ("COMMAND [ARGS]..." in Click's English).
SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]..."

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Dossier du dépôt Badgeons.",
)

KEY_DIR_OPTION = click.option(
    "--key-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Dossier des clés privées (par défaut : $BADGEONS_KEY_DIR, sinon le dossier de configuration).",
)


RECIPIENT_OPTION = click.option(
    "--recipient",
    "recipients",
    multiple=True,
    metavar="EMAIL",
    help="Adresse e-mail de la personne, pour vérifier que les badges sont bien les siens "
    "(obligatoire pour plusieurs badges ; elle n'est enregistrée nulle part). À répéter si "
    "elle a reçu ses badges à plusieurs adresses.",
)


def check_one_holder(site: Site, assertions: Sequence[str], recipients: Sequence[str]) -> None:
    """Refuse badges that are not all the same person's, as far as ``recipients`` tell.

    Several badges shown together, on a « sac à badges » or at one point of the map, say
    that one person holds them all: the person's address, compared with each badge's salted
    hash, proves it without being kept. Unknown ids are left to the core's own checks.
    """
    if len(set(assertions)) > 1 and not recipients:
        raise click.UsageError(
            "plusieurs badges : indiquez l'adresse e-mail de la personne avec --recipient, pour "
            "vérifier qu'ils sont tous les siens (elle n'est enregistrée nulle part)"
        )
    known = [site.awards[a] for a in dict.fromkeys(assertions) if a in site.awards]
    others = identity.not_held_by(((a.id, a.identity_hash, a.salt) for a in known), recipients)
    if recipients and others:
        raise click.ClickException(
            f"badge(s) délivré(s) à une autre adresse que celle donnée : « {', '.join(others)} » ; "
            "on ne réunit que les badges d'une même personne, délivrés à l'adresse (ou aux "
            "adresses) indiquée(s) avec --recipient"
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


def ask_passphrase(confirm: bool = False) -> str | None:
    """The passphrase of the private keys: $BADGEONS_KEY_PASSPHRASE, or asked on a terminal.

    ``confirm`` (for keys about to be created) asks it twice. Without a terminal to ask on, the
    error says which variable to set.
    """
    value = os.environ.get("BADGEONS_KEY_PASSPHRASE")
    if value is not None:
        return value or None
    if not sys.stdin.isatty():
        # Only keygen has --no-passphrase; award finds out whether the key is encrypted.
        other = ", ou utilisez --no-passphrase" if confirm else ""
        raise click.ClickException(
            f"phrase de passe requise : définissez BADGEONS_KEY_PASSPHRASE{other}"
        )
    entered: str = click.prompt(
        "Phrase de passe des clés",
        hide_input=True,
        confirmation_prompt=confirm,
        prompt_suffix=" : ",
    )
    return entered


def passphrase_for_use(profile: object, key_dir: Path | None, now: datetime) -> str | None:
    """The passphrase, asked only if the signer's current private key is encrypted."""
    from build_tools import issuing, keys
    from build_tools.model import Issuer

    if os.environ.get("BADGEONS_KEY_PASSPHRASE") is not None:
        return ask_passphrase()
    assert isinstance(profile, Issuer)
    key = issuing.current_key(profile, "Ed25519", now)
    try:
        keys.load_private_key(profile.slug, key.id, key_dir=key_dir)
        return None
    except keys.PassphraseRequiredError:
        return ask_passphrase()
    except keys.KeyStoreError:
        return None  # The signer reports the real problem with its own message.
