"""Tests of build_tools.click_french: Click's own messages, in French."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
from click.testing import CliRunner

from build_tools import click_french
from build_tools.cli import main

# Messages that Click translates from a variable, not from a literal that the scan below sees.
DYNAMIC = {"required"}


def _click_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal that the installed Click passes to ``_()`` and to ``ngettext()``."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) >= 2:
                plurals.add((texts[0], texts[1]))
    return singles, plurals


def test_every_message_of_click_has_its_french_and_no_other() -> None:
    singles, plurals = _click_messages()
    assert singles, "the scan found none of Click's messages"
    assert sorted(singles - set(click_french.MESSAGES)) == []
    assert sorted(set(click_french.MESSAGES) - singles - DYNAMIC) == []
    assert sorted(plurals ^ set(click_french.PLURALS)) == []
    core = (Path(click.__file__).parent / "core.py").read_text("utf-8")
    assert all(f'"{message}"' in core for message in DYNAMIC)


def test_every_module_that_translates_is_there() -> None:
    modules = click_french._modules()
    assert [m.__name__ for m in modules] == list(click_french.CLICK_MODULES)
    assert all(hasattr(m, "_") or hasattr(m, "ngettext") for m in modules)


def _fields(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^}]*\}|%\(\w+\)s|\n|\t", text))


def test_the_french_keeps_every_placeholder() -> None:
    pairs: list[tuple[str, str]] = list(click_french.MESSAGES.items())
    for forms, french_forms in click_french.PLURALS.items():
        pairs += list(zip(forms, french_forms, strict=True))
    for english, french in pairs:
        assert _fields(french) == _fields(english), english
        assert french.strip() and french == french.lstrip(), english


def test_the_plural_is_chosen_as_click_does() -> None:
    key = ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.")
    assert click_french.ngettext(*key, 1) == "L'option {name!r} attend une valeur."
    assert click_french.ngettext(*key, 2) == "L'option {name!r} attend {nargs} valeurs."
    assert click_french.ngettext("one {n}", "many {n}", 3) == "many {n}"
    assert click_french.gettext("Not one of Click's") == "Not one of Click's"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="badgeons")
    return result.exit_code, result.output


def test_the_help_is_in_french() -> None:
    code, output = _run("award", "--help")
    assert code == 0
    assert output.startswith("Utilisation : badgeons award [OPTIONS] BADGE\n")
    assert re.search(
        r"--issuer ORGANISME +Organisme qui délivre le badge\.  \[obligatoire\]", output
    )
    assert "--csv FICHIER" in output and "[par défaut : .]" in output
    assert re.search(r"-h, --help +Afficher cette aide et quitter\.", output)
    code, output = _run("--help")
    assert output.startswith("Utilisation : badgeons [OPTIONS] COMMANDE [ARGUMENTS]...\n")
    assert "\nOptions :\n" in output and "\nCommandes :\n" in output
    assert "Afficher la version et quitter." in output


def test_usage_errors_are_in_french(tmp_path: Path) -> None:
    code, output = _run("award", "premiers-pas-smartphone")
    assert (code, output.splitlines()[-1]) == (2, "Erreur : Il manque l'option '--issuer'.")
    assert "Aide : 'badgeons award --help'." in output
    code, output = _run("awrd")
    assert (
        output.splitlines()[-1]
        == "Erreur : Commande inconnue : 'awrd'. Vouliez-vous dire 'award' ?"
    )
    missing = tmp_path / "groupe.csv"
    code, output = _run("award", "x", "--issuer", "y", "--csv", str(missing))
    assert output.splitlines()[-1] == (
        f"Erreur : Valeur invalide pour '--csv' : Fichier '{missing}' introuvable."
    )
    code, output = _run("award", "x", "--issuer")
    assert output.splitlines()[-1] == "Erreur : L'option '--issuer' attend une valeur."


def test_a_confirmed_prompt_is_in_french() -> None:
    @click.command()
    def ask() -> None:
        click.prompt("Phrase", hide_input=True, confirmation_prompt=True, prompt_suffix=" : ")

    result = CliRunner().invoke(ask, input="un\ndeux\nun\nun\n")
    assert result.output.splitlines() == [
        "Phrase : ",
        "Saisissez-la de nouveau pour confirmer : ",
        "Erreur : les deux saisies ne correspondent pas.",
        "Phrase : ",
        "Saisissez-la de nouveau pour confirmer : ",
    ]
