from __future__ import annotations

import pytest

from build_tools import searchtext
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


def test_fold_drops_exactly_the_combining_marks() -> None:
    import random
    import unicodedata

    def by_definition(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text.translate(searchtext._LIGATURES).lower())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    alphabet = "aeiouyéèêëàâäîïôöùûüçœæÆŒßÉÈ’'- 09AZ\u0301\u0327ñãõ한국日本עבעربي\u2028😀ǅﬁ"
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert searchtext.fold(text) == by_definition(text), text


def test_variants_are_only_the_words_not_already_written() -> None:
    """The site search matches words as written: a page lists only the other spellings."""
    text = "Utiliser un téléphone, des usages numériques et un smartphone"
    assert searchtext.variants(text) == ["telephone", "usage", "numerique"]
    assert searchtext.variants("tout est déjà écrit sans accent") == ["deja", "ecrit", "san"]
    assert searchtext.variants("rien a plier") == []
