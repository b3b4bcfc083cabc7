from __future__ import annotations

import pytest

from build_tools.searchtext import fold, stem, words


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Numérique", "numerique"),
        ("ŒUVRE", "oeuvre"),
        ("Bénévole d'été", "benevole d'ete"),
        ("Ça", "ca"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_stem_drops_plural_marks_of_longer_words_only() -> None:
    assert [stem(w) for w in ["emplois", "bureaux", "jeux", "as", "classes", "stress"]] == [
        "emploi",
        "bureau",
        "jeu",
        "as",
        "classe",
        "stress",
    ]


def test_words_are_folded_stemmed_and_unique() -> None:
    assert words("Démarches, démarche ; Numériques !") == ["demarche", "numerique"]
