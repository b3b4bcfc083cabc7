from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from build_tools.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_clean_repository(minimal_repo: Path) -> None:
    code, out, err = _run("validate", "--root", str(minimal_repo))
    assert (code, out) == (0, "")
    assert "Le dépôt est valide." in err


def test_validate_names_file_line_and_field_of_a_removed_required_field(minimal_repo: Path) -> None:
    badge = minimal_repo / "badges" / "telephone.yaml"
    lines = badge.read_text(encoding="utf-8").splitlines(keepends=True)
    badge.write_text(
        "".join(line for line in lines if not line.startswith("kind:")), encoding="utf-8"
    )
    code, out, err = _run("validate", "--root", str(minimal_repo))
    assert code == 1
    assert out == "badges/telephone.yaml:1:1: error: kind: champ obligatoire manquant\n"
    assert "1 erreur(s)" in err


def test_validate_json_report(minimal_repo: Path) -> None:
    (minimal_repo / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    code, out, _ = _run("validate", "--root", str(minimal_repo), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["errors"] == 1
    assert report["diagnostics"][0]["path"] == "badges/telephone.yaml"
    assert report["diagnostics"][0]["level"] == "error"


def test_new_badge_command(minimal_repo: Path) -> None:
    code, out, _ = _run(
        "new", "badge", "lire-un-horaire", "--issuer", "reseau-test", "--root", str(minimal_repo)
    )
    assert code == 0
    assert "Créé : badges/lire-un-horaire.yaml" in out
    code, out, err = _run(
        "new", "badge", "Lire Un Horaire", "--issuer", "reseau-test", "--root", str(minimal_repo)
    )
    assert code == 1
    assert "identifiant « Lire Un Horaire » invalide" in err


def test_build_refuses_an_invalid_repository_and_leaves_the_previous_site(site_repo: Path) -> None:
    site = site_repo / "site"
    site.mkdir()
    (site / "index.html").write_text("ancien site", encoding="utf-8")
    (site_repo / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    code, _, err = _run("build", "--root", str(site_repo))
    assert code == 1
    assert "badges/telephone.yaml:2:1: error: YAML invalide" in err
    assert "le site n'a pas été modifié" in err
    assert (site / "index.html").read_text(encoding="utf-8") == "ancien site"
    assert sorted(p.name for p in site_repo.iterdir() if p.name.startswith(".site")) == []
