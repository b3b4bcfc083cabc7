"""Tests of build_tools.groupfile: reading a group of learners from a spreadsheet's CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from build_tools.diagnostics import Position, format_text
from build_tools.groupfile import MAX_ROWS, read_group
from build_tools.issuing import AwardRequest, Evidence

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _read(tmp_path: Path, content: str | bytes) -> tuple[list[AwardRequest], str]:
    """The requests, and the diagnostics as the command line shows them (sorted)."""
    path = tmp_path / "group.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    requests, problems = read_group(path, "group.csv", NOW)
    return requests, format_text(sorted(problems))


def test_a_good_file_with_semicolons_and_a_bom(tmp_path: Path) -> None:
    content = (
        "\ufeffEmail;Name;name_consent;evidence_url;evidence_narrative;issued_on;expires\r\n"
        " Awa@Example.org ;Awa;Oui;https://a.example/1 https://a.example/2;Vidéo, 2 min;2026-01-05;2027-01-05\r\n"
        "\r\n"
        ";;;;;;\r\n"
        "bob@example.org;;;;;;\r\n"
    )
    requests, problems = _read(tmp_path, content.encode("utf-8"))
    assert problems == ""
    awa, bob = requests
    assert awa.email == "awa@example.org"
    assert awa.name == "Awa" and awa.name_consent
    assert awa.issued_on == datetime(2026, 1, 5, tzinfo=UTC)
    assert awa.expires == datetime(2027, 1, 5, 23, 59, 59, tzinfo=UTC)
    assert awa.evidence == (
        Evidence(url="https://a.example/1", narrative="Vidéo, 2 min"),
        Evidence(url="https://a.example/2"),
    )
    assert awa.where == Position("group.csv", 2, 1)
    assert bob.email == "bob@example.org"
    assert bob.issued_on == NOW and bob.expires is None
    assert bob.name is None and not bob.name_consent and bob.evidence == ()
    assert bob.where == Position("group.csv", 5, 1)


def test_the_name_of_a_person_who_said_no_is_left_out(tmp_path: Path) -> None:
    content = "email;name;name_consent\nawa@example.org;Awa D.;oui\nbob@example.org;Bob M.;non\n"
    (awa, bob), problems = _read(tmp_path, content)
    assert problems == ""
    assert awa.name == "Awa D." and awa.name_consent
    assert bob.name is None and not bob.name_consent


def test_commas_and_a_narrative_without_link(tmp_path: Path) -> None:
    content = 'email,evidence_narrative,narrative\nawa@example.org,"Observée, en atelier",Bravo\n'
    (awa,), problems = _read(tmp_path, content)
    assert problems == ""
    assert awa.evidence == (Evidence(narrative="Observée, en atelier"),)
    assert awa.narrative == "Bravo"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "narrative,email\nBravo,awa@example.org\nBravo,x\n",
            "group.csv:3:2: error: email: adresse e-mail invalide : « x »",
        ),
        (
            "name;email\nAwa;\n",
            "group.csv:2:2: error: email: adresse e-mail manquante",
        ),
        (
            "email,issued_on\nawa@example.org,23/11/2026\n",
            "group.csv:2:2: error: issued_on: date invalide « 23/11/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)",
        ),
        (
            "email,expires\nawa@example.org,2026-02-30\n",
            "group.csv:2:2: error: expires: date invalide « 2026-02-30 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)",
        ),
        (
            "email,issued_on\nawa@example.org,2026-01-10T10:00:00\n",
            "group.csv:2:2: error: issued_on: date et heure « 2026-01-10T10:00:00 » sans fuseau horaire (ajoutez Z ou +01:00)",
        ),
        (
            "email,name,prenom\nawa@example.org,Awa,Awa\n",
            "group.csv:1:3: error: prenom: colonne inconnue (colonnes possibles : email, name, name_consent, evidence_url, evidence_narrative, narrative, issued_on, expires)",
        ),
        (
            "name,courriel\nAwa,awa@example.org\n",
            "group.csv:1:1: error: email: colonne obligatoire absente\n"
            "group.csv:1:2: error: courriel: colonne inconnue (colonnes possibles : email, name, name_consent, evidence_url, evidence_narrative, narrative, issued_on, expires)",
        ),
        (
            "email,name,email\nawa@example.org,Awa,awa@example.org\n",
            "group.csv:1:1: error: une colonne est nommée deux fois",
        ),
        (
            "email,narrative\nawa@example.org,Bravo\nbob@example.org\nAWA@example.org ,Bravo\n",
            "group.csv:4:1: error: email: même personne qu'à la ligne 2",
        ),
        (
            "email,name\nawa@example.org,Awa,en trop\n",
            "group.csv:2:3: error: 3 cellules pour 2 colonnes",
        ),
        (
            "email,name,name_consent\nawa@example.org,Awa,peut-être\n",
            "group.csv:2:3: error: name_consent: « peut-être » : écrivez oui ou non",
        ),
        (
            "email,name,name_consent\nawa@example.org,Awa,\n",
            "group.csv:2:3: error: name_consent: un nom est donné sans réponse : écrivez oui si la personne accepte qu'il soit affiché, non sinon",
        ),
        (
            "email,name\nawa@example.org,Awa\n",
            "group.csv:2:1: error: name_consent: un nom est donné sans réponse : écrivez oui si la personne accepte qu'il soit affiché, non sinon",
        ),
        ("", "group.csv:1:1: error: fichier vide : la première ligne doit nommer les colonnes"),
    ],
    ids=[
        "bad-email",
        "missing-email",
        "french-date",
        "impossible-date",
        "time-without-zone",
        "unknown-column",
        "missing-email-column",
        "duplicate-column",
        "duplicate-person",
        "too-many-cells",
        "bad-consent",
        "name-without-answer",
        "name-without-consent-column",
        "empty",
    ],
)
def test_exact_diagnostics(tmp_path: Path, content: str, expected: str) -> None:
    _, problems = _read(tmp_path, content)
    assert problems == expected


def test_every_bad_row_is_reported_in_one_run(tmp_path: Path) -> None:
    content = "email;issued_on\nx;2026-01-10\nawa@example.org;10/01/2026\nbob@example.org;2026-01-10\ny;\n"
    requests, problems = _read(tmp_path, content)
    assert problems.splitlines() == [
        "group.csv:2:1: error: email: adresse e-mail invalide : « x »",
        "group.csv:3:2: error: issued_on: date invalide « 10/01/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)",
        "group.csv:5:1: error: email: adresse e-mail invalide : « y »",
    ]
    assert len(requests) == 2


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    requests, problems = _read(tmp_path, "email,name\nawa@example.org,Aïssa\n".encode("cp1252"))
    assert requests == []
    assert problems == (
        "group.csv:1:1: error: le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »"
    )


def test_a_missing_file(tmp_path: Path) -> None:
    requests, problems = read_group(tmp_path / "absent.csv", "absent.csv", NOW)
    assert requests == []
    assert format_text(problems) == "absent.csv: error: fichier introuvable"


def test_too_many_rows(tmp_path: Path) -> None:
    rows = "".join(f"p{i}@example.org\n" for i in range(MAX_ROWS + 1))
    requests, problems = _read(tmp_path, "email\n" + rows)
    assert requests == []
    assert (
        problems
        == f"group.csv:1:1: error: trop de lignes ({MAX_ROWS + 1}, au plus {MAX_ROWS} par fichier)"
    )


def test_the_example_of_the_trainers_guide_reads_as_it_says(tmp_path: Path) -> None:
    guide = (Path(__file__).parents[2] / "docs" / "guide-formateurs.md").read_text("utf-8")
    example = guide.split("Exemple (`groupe.csv`) :\n\n```\n", 1)[1].split("```", 1)[0]
    (awa, karim), problems = _read(tmp_path, example)
    assert problems == ""
    assert (awa.name, karim.name) == ("Awa D.", None)
    assert awa.evidence == (Evidence(url="https://exemple.org/preuves/awa"),)
