"""Tests of build_tools.attestation_cli: ``badgeons attestations`` (``award --attestations`` is
tested with the award command, in test_cli.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from build_tools.cli import main
from tests.conftest import AwardedRepo


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="badgeons")
    return result.exit_code, result.stdout, result.stderr


def _sheets(path: Path) -> list[str]:
    """The award ids of a printed file's sheets, in order."""
    return re.findall(r"<dt>Identifiant</dt><dd><code>([a-z2-7]{26})</code>", path.read_text())


def test_a_groups_attestations_are_written_in_one_file(
    awarded_repo: AwardedRepo, tmp_path: Path
) -> None:
    output = tmp_path / "impression" / "groupe.html"
    output.parent.mkdir()
    ids = awarded_repo.ids
    code, out, err = _run(
        "attestations",
        "--issuer",
        "atelier-test",
        "--badge",
        "telephone",
        "--issued-on",
        "2026-01-10",
        "--output",
        str(output),
        "--root",
        str(awarded_repo.root),
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"2 attestation(s) à imprimer : {output}",
        "Ouvrez ce fichier dans votre navigateur, puis imprimez-le (Ctrl+P) : une page A4 par badge.",
    ]
    assert sorted(_sheets(output)) == sorted([ids["awa"], ids["bob"]])
    # Named awards come in the order given.
    code, out, err = _run(
        "attestations",
        ids["chloe"],
        ids["awa"],
        "--output",
        str(output),
        "--root",
        str(awarded_repo.root),
    )
    assert (code, err) == (0, "")
    assert _sheets(output) == [ids["chloe"], ids["awa"]]


def test_nothing_is_written_for_a_bad_selection_or_a_bad_signature(
    awarded_repo: AwardedRepo, tmp_path: Path
) -> None:
    output = tmp_path / "groupe.html"
    root = str(awarded_repo.root)
    code, out, err = _run("attestations", "--issued-on", "10/01/2026", "--root", root)
    assert (code, err.splitlines()[-1]) == (
        2,
        "Erreur : Valeur invalide pour --issued-on : date invalide « 10/01/2026 » : "
        "écrivez AAAA-MM-JJ (ex. 2026-11-23)",
    )
    code, out, err = _run(
        "attestations",
        "--issuer",
        "atelier-test",
        "--output",
        str(tmp_path / "x" / "a.html"),
        "--root",
        root,
    )
    assert (code, err) == (
        1,
        f"Erreur : impossible d'écrire {tmp_path / 'x' / 'a.html'} : "
        f"le dossier {tmp_path / 'x'} n'existe pas\n",
    )
    code, out, err = _run("attestations", "--badge", "telephone", "--root", root)
    assert (code, err) == (
        1,
        "Erreur : indiquez les identifiants des badges, ou au moins --issuer ORGANISME\n",
    )
    record = awarded_repo.record("bob")
    document = json.loads(record.read_text("utf-8"))
    document["ob3"]["credentialSubject"]["narrative"] = "Modifié après la signature."
    record.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = _run(
        "attestations", "--issuer", "atelier-test", "--output", str(output), "--root", root
    )
    assert code == 1 and out == ""
    assert f"issuers/atelier-test/assertions/{awarded_repo.ids['bob']}.json" in err
    assert err.splitlines()[-1].endswith(
        "erreur(s) de signature : aucune attestation n'a été écrite"
    )
    assert not output.exists()
