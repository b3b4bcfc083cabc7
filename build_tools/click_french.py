"""Click's own messages in French: its help headings, usage errors and prompts.

Badgeons speaks French to the trainers who run it, but Click writes some messages itself:
``Usage:``, ``Missing option '--issuer'.``, ``Repeat for confirmation``... Click marks each of
them for translation with :mod:`gettext`, and looks them up through the module-level ``_`` and
``ngettext`` of each of its modules. :func:`install` points those names at the French below, so
that the whole command line is French whatever the machine's locale (the rest of Badgeons'
messages are French on every machine too). This is how ``i18nparse`` translates argparse.

``tests/unit/test_click_french.py`` fails when a Click release adds, renames or drops a
message, so that an English message never reaches a trainer unnoticed.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

# Every message that Click marks with ``_()``, and its French.
MESSAGES: dict[str, str] = {
    # Help. Click writes a section's heading followed by ":"; French puts a space before it.
    "Usage:": "Utilisation :",
    "Options": "Options ",
    "Commands": "Commandes ",
    "Positional arguments": "Arguments ",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "required": "obligatoire",
    "default: {default}": "par défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "deprecated": "obsolète",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Do you want to continue?": "Voulez-vous continuer ?",
    # Errors in what was typed.
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : '{command} {option}'.",
    "Missing argument": "Il manque l'argument",
    "Missing option": "Il manque l'option",
    "Missing parameter": "Il manque le paramètre",
    "Missing parameter: {param_name}": "Il manque le paramètre : {param_name}",
    "Missing {param_type}": "Il manque : {param_type}",
    "Missing command.": "Il manque la commande.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid start character for option ({option})": (
        "Caractère initial invalide pour une option ({option})"
    ),
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} attend {nargs} valeurs.",
    "Could not open file {filename!r}: {message}": (
        "Impossible d'ouvrir le fichier {filename!r} : {message}"
    ),
    "unknown error": "erreur inconnue",
    "Aborted!": "Interrompu.",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "Name '{name}' defined twice": "Nom '{name}' défini deux fois",
    # Values of a given type.
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a file.": "{name} {filename!r} : c'est un fichier.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} : c'est un dossier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} : lecture interdite.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} : écriture interdite.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} : exécution interdite.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "Choice({choices})": "Choix({choices})",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} n'est pas une valeur oui/non reconnue. Valeurs reconnues : {states}"
    ),
    "{value!r} is not a valid {number_type}.": (
        "{value!r} n'est pas une valeur valide ({number_type})."
    ),
    "{value!r} is not a valid UUID.": "{value!r} n'est pas un UUID valide.",
    # Prompts and the terminal.
    "Repeat for confirmation": "Saisissez-la de nouveau pour confirmer",
    "Error: The two entered values do not match.": (
        "Erreur : les deux saisies ne correspondent pas."
    ),
    "Error: invalid input": "Erreur : saisie invalide",
    "Press any key to continue...": "Appuyez sur une touche pour continuer...",
    "d": "j",
    "{editor}: Editing failed": "{editor} : la modification a échoué",
    "{editor}: Editing failed: {e}": "{editor} : la modification a échoué : {e}",
    "Windows error: {error}": "Erreur Windows : {error}",
    "Unknown color {colour!r}": "Couleur inconnue : {colour!r}",
    "Unknown standard stream '{name}'": "Flux standard inconnu : '{name}'",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Version de Bash inconnue : la complétion n'est pas possible."
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "La complétion demande Bash 4.4 ou plus récent."
    ),
    # Mistakes in a command's declaration (for the developers of Badgeons).
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Avertissement : la commande {name!r} est obsolète.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Avertissement : {param_type} {name!r} obsolète.{extra_message}"
    ),
    "Could not determine name for option with declarations {decls!r}": (
        "Impossible de nommer l'option déclarée par {decls!r}"
    ),
    "No options defined but a name was passed ({name}). Did you mean to declare an argument"
    " instead? Did you mean to pass '--{name}'?": (
        "Aucune option déclarée, mais un nom donné ({name}). Vouliez-vous déclarer un argument,"
        " ou passer '--{name}' ?"
    ),
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": (
        "Un argument se déclare par un seul nom ; {length} donnés : {decls}."
    ),
    "Boolean option {decl!r} cannot use the same flag for true/false.": (
        "L'option oui/non {decl!r} ne peut pas avoir le même nom pour oui et pour non."
    ),
}

# Every message that Click marks with ``ngettext()``: (singular, plural) and their French.
# Click chooses the singular for a count of 1 only, and some singulars say "1" themselves.
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Argument en trop ({args})",
        "Arguments en trop ({args})",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'une de celles-ci : {possibilities} ?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "L'option {name!r} attend une valeur.",
        "L'option {name!r} attend {nargs} valeurs.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Attend {nargs} valeurs, mais 1 seule a été donnée.",
        "Attend {nargs} valeurs, mais {len} ont été données.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} n'est pas {choice}.",
        "{value!r} ne fait pas partie de {choices}.",
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): (
        "{value!r} ne correspond pas au format {format}.",
        "{value!r} ne correspond à aucun des formats {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "{len_type} valeurs sont attendues, mais {len_value} a été donnée.",
        "{len_type} valeurs sont attendues, mais {len_value} ont été données.",
    ),
}

# The modules of Click that bind ``_`` or ``ngettext``, and the one that exists on Windows only.
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.shell_completion",
    "click.termui",
    "click.types",
    "click.utils",
    "click._termui_impl",
)
WINDOWS_MODULES = ("click._winconsole",)


def gettext(message: str) -> str:
    """The French of one of Click's messages (the message itself if it has none)."""
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The French of one of Click's messages that depend on a count."""
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if count == 1 else many


def _modules() -> list[ModuleType]:
    """Click's modules that are there: a release that drops one must not stop the commands."""
    names = CLICK_MODULES + (WINDOWS_MODULES if sys.platform == "win32" else ())
    found = []
    for name in names:
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    return found


def install() -> None:
    """Make Click write its messages in French, from now on, in this process.

    It must run before a command declares a path option: Click names a path's kind
    ("file", "directory") when the option is declared.
    """
    for module in _modules():
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
