from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from build_tools import cli, identity, publish, writer
from build_tools.cli import main
from tests.conftest import AwardedRepo


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


class _Ended(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


@pytest.mark.parametrize(
    ("ending", "status", "message"),
    [(None, 0, ""), (0, 0, ""), (1, 1, ""), (258, 2, ""), ("échec", 1, "échec\n"), ("none", 0, "")],
)
def test_the_command_ends_its_process_with_the_status_python_would_give(
    ending: object,
    status: int,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def command() -> None:
        print("sortie")
        if ending != "none":
            raise SystemExit(ending)

    def hard_exit(code: int) -> None:
        raise _Ended(code)

    monkeypatch.setattr(cli, "main", command)
    monkeypatch.setattr(cli.os, "_exit", hard_exit)
    with pytest.raises(_Ended) as ended:
        cli.run()
    assert ended.value.status == status
    assert capsys.readouterr() == ("sortie\n", message)


_BUFFERED_COMMAND = """
import sys
from build_tools import cli

def command():
    print("rapport complet")
    sys.exit(3)

cli.main = command
cli.run()
"""


def test_output_still_in_its_buffer_reaches_a_pipe_before_the_process_ends() -> None:
    # On a pipe, stdout is block-buffered (unless PYTHONUNBUFFERED says otherwise): os._exit
    # alone would drop the report.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", _BUFFERED_COMMAND], capture_output=True, check=False, env=env
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, b"rapport complet\n", b"")


def test_the_console_script_ends_with_the_status_and_the_whole_report(minimal_repo: Path) -> None:
    import subprocess
    import sys

    (minimal_repo / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    badgeons = Path(sys.executable).with_name("badgeons")
    args = [str(badgeons), "validate", "--root", str(minimal_repo), "--format", "json"]
    done = subprocess.run(args, capture_output=True, check=False)
    assert done.returncode == 1
    assert json.loads(done.stdout)["diagnostics"][0]["path"] == "badges/telephone.yaml"


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


def test_build_names_a_missing_site_configuration_with_the_repositorys_other_errors(
    site_repo: Path,
) -> None:
    site = site_repo / "site"
    site.mkdir()
    (site / "index.html").write_text("ancien site", encoding="utf-8")
    (site_repo / "mkdocs.yml").unlink()
    (site_repo / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    code, _, err = _run("build", "--root", str(site_repo))
    assert code == 1
    assert "badges/telephone.yaml:2:1: error: YAML invalide" in err
    assert "mkdocs.yml: error: configuration du site absente : copiez le mkdocs.yml" in err
    assert "Config file" not in err
    assert (site / "index.html").read_text(encoding="utf-8") == "ancien site"


def test_a_refused_build_into_a_new_folder_leaves_no_folder_behind(
    site_repo: Path, tmp_path: Path
) -> None:
    (site_repo / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    site = tmp_path / "publication" / "2026" / "site"
    code, _, err = _run("build", "--root", str(site_repo), "--site-dir", str(site))
    assert code == 1 and "le site n'a pas été modifié" in err
    assert not (tmp_path / "publication").exists()


def test_a_refused_build_keeps_the_built_site_and_the_next_build_is_incremental(
    site_repo: Path,
) -> None:
    # The second build checks the site folder on the other core while it loads the repository
    # (sitebuild.start_sync): refused, it must still leave the site and nothing else behind.
    site = site_repo / "site"
    assert _run("build", "--root", str(site_repo))[0] == 0
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in site.rglob("*") if p.is_file()}
    badge = site_repo / "badges" / "telephone.yaml"
    text = badge.read_text(encoding="utf-8")
    badge.write_text("name: [\n", encoding="utf-8")
    code, _, err = _run("build", "--root", str(site_repo))
    assert code == 1 and "le site n'a pas été modifié" in err
    assert {p: (p.read_bytes(), p.stat().st_ino) for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in site_repo.iterdir() if p.name.startswith(".site")) == []
    badge.write_text(text, encoding="utf-8")
    assert _run("build", "--root", str(site_repo))[0] == 0
    # Nothing changed since the first build: every file is kept as it was, not written again.
    assert {p: (p.read_bytes(), p.stat().st_ino) for p in site.rglob("*") if p.is_file()} == before


# Keys, awards, revocations and verification (run offline, with a fixed clock).

CLOCK = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """A fixed "now" for the commands, and no key settings from the environment."""
    monkeypatch.setattr(cli, "_now", lambda: CLOCK)
    monkeypatch.delenv("BADGEONS_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("BADGEONS_KEY_DIR", raising=False)
    return CLOCK


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _run_with(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_keygen_command(minimal_repo: Path, tmp_path: Path, clock: datetime) -> None:
    key_dir = tmp_path / "keys"
    code, out, err = _run(
        "keygen",
        "atelier-test",
        "--no-passphrase",
        "--key-dir",
        str(key_dir),
        "--root",
        str(minimal_repo),
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Clés ajoutées au profil issuers/atelier-test.yaml : ed25519-2026-02-01, rsa-2026-02-01",
        f"Clé privée (à sauvegarder, ne jamais partager) : {key_dir}/atelier-test/ed25519-2026-02-01.pem",
        f"Clé privée (à sauvegarder, ne jamais partager) : {key_dir}/atelier-test/rsa-2026-02-01.pem",
    ]
    code, _, err = _run("validate", "--root", str(minimal_repo))
    assert code == 0, err
    code, _, err = _run(
        "keygen",
        "reseau-test",
        "--no-passphrase",
        "--key-dir",
        str(key_dir),
        "--root",
        str(minimal_repo),
    )
    assert code == 1
    assert err == (
        "Erreur : « reseau-test » est un réseau : les clés appartiennent aux organismes qui délivrent\n"
    )


def test_keygen_refuses_a_key_directory_in_the_repository(
    minimal_repo: Path, clock: datetime
) -> None:
    before = _tree(minimal_repo)
    code, _, err = _run(
        "keygen",
        "atelier-test",
        "--no-passphrase",
        "--key-dir",
        str(minimal_repo / "cles"),
        "--root",
        str(minimal_repo),
    )
    assert code == 1
    assert "une clé privée dans le dépôt" in err
    assert _tree(minimal_repo) == before


def test_keygen_without_a_passphrase_where_none_can_be_asked(
    minimal_repo: Path, tmp_path: Path, clock: datetime
) -> None:
    code, _, err = _run(
        "keygen", "atelier-test", "--key-dir", str(tmp_path / "k"), "--root", str(minimal_repo)
    )
    assert code == 1
    assert err == (
        "Erreur : phrase de passe requise : définissez BADGEONS_KEY_PASSPHRASE, "
        "ou utilisez --no-passphrase\n"
    )


def test_award_with_encrypted_keys(minimal_repo: Path, tmp_path: Path, clock: datetime) -> None:
    key_dir = str(tmp_path / "keys")
    secret = {"BADGEONS_KEY_PASSPHRASE": "phrase secrète"}
    code, _, err = _run_with(
        secret, "keygen", "atelier-test", "--key-dir", key_dir, "--root", str(minimal_repo)
    )
    assert code == 0, err
    award = ("award", "telephone", "--issuer", "atelier-test", "--recipient", "awa@example.org")
    code, _, err = _run(*award, "--key-dir", key_dir, "--root", str(minimal_repo))
    assert code == 1
    assert err == "Erreur : phrase de passe requise : définissez BADGEONS_KEY_PASSPHRASE\n"
    code, _, err = _run_with(
        {"BADGEONS_KEY_PASSPHRASE": "autre"},
        *award,
        "--key-dir",
        key_dir,
        "--root",
        str(minimal_repo),
    )
    assert code == 1
    assert err == "Erreur : phrase de passe incorrecte : aucune clé n'a pu être ouverte\n"
    code, out, err = _run_with(secret, *award, "--key-dir", key_dir, "--root", str(minimal_repo))
    assert code == 0, err
    assert out.endswith(
        "1 badge(s) délivré(s). Enregistrez-les dans git (git add issuers/atelier-test), puis publiez le site.\n"
    )


def test_award_command(awarded_repo: AwardedRepo, clock: datetime) -> None:
    root = str(awarded_repo.root)
    code, out, err = _run(
        "award",
        "telephone",
        "--issuer",
        "atelier-test",
        "--recipient",
        " Dan@Example.org ",
        "--name",
        "Dan",
        "--name-consent",
        "--evidence",
        "https://example.org/video",
        "--narrative",
        "A passé un appel.",
        "--key-dir",
        str(awarded_repo.key_dir),
        "--root",
        root,
    )
    assert (code, err) == (0, "")
    match = re.fullmatch(
        r"Délivré à dan@example\.org : https://badges\.example\.org/test/a/([a-z2-7]{26})\.html  "
        r"\(issuers/atelier-test/assertions/\1\.json\)\n"
        r"1 badge\(s\) délivré\(s\)\. Enregistrez-les dans git \(git add issuers/atelier-test\), "
        r"puis publiez le site\.\n",
        out,
    )
    assert match is not None, out
    site = awarded_repo.site()
    award = site.awards[match.group(1)]
    assert (award.issued_on, award.expires) == ("2026-02-01T10:00:00Z", "2028-02-01T10:00:00Z")
    assert site.display_names[award.id] == "Dan"
    assert award.credential["evidence"] == [
        {"id": "https://example.org/video", "type": ["Evidence"]}
    ]
    assert award.credential["credentialSubject"]["narrative"] == "A passé un appel."


def _group_file(folder: Path, rows: str) -> Path:
    """A trainer's group file, ``groupe.csv`` in ``folder``."""
    group = folder / "groupe.csv"
    group.write_text(rows, encoding="utf-8")
    return group


def _award_group(
    repo: AwardedRepo, group: Path, key_dir: Path, *options: str
) -> tuple[int, str, str]:
    """``badgeons award telephone --csv GROUP`` for the fixture's organisation."""
    return _run(
        "award",
        "telephone",
        "--issuer",
        "atelier-test",
        "--csv",
        str(group),
        *options,
        "--key-dir",
        str(key_dir),
        "--root",
        str(repo.root),
    )


def test_award_dry_run_writes_nothing(
    awarded_repo: AwardedRepo, tmp_path: Path, clock: datetime
) -> None:
    group = _group_file(
        tmp_path, "email;name;name_consent\ndan@example.org;Dan;oui\neve@example.org;;\n"
    )
    before = _tree(awarded_repo.root)
    keys_before = _tree(awarded_repo.key_dir)
    code, out, err = _award_group(awarded_repo, group, tmp_path / "aucune", "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "[essai] telephone pour dan@example.org le 2026-02-01T10:00:00Z — nom affiché : Dan",
        "[essai] telephone pour eve@example.org le 2026-02-01T10:00:00Z",
        "[essai] 2 badge(s) seraient délivrés par atelier-test ; rien n'a été écrit.",
    ]
    assert _tree(awarded_repo.root) == before
    assert _tree(awarded_repo.key_dir) == keys_before
    assert not (tmp_path / "aucune").exists()


def test_award_to_a_group_names_who_gets_which_page(
    awarded_repo: AwardedRepo, tmp_path: Path, clock: datetime
) -> None:
    group = _group_file(
        tmp_path, "email;name;name_consent\nDan@Example.org;Dan;oui\neve@example.org;;\n"
    )
    before = set(awarded_repo.site().awards)
    code, out, err = _award_group(awarded_repo, group, awarded_repo.key_dir)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    page = r"https://badges\.example\.org/test/a/([a-z2-7]{26})\.html"
    record = r"\(issuers/atelier-test/assertions/\1\.json\)"
    # One line a person, in the order of the group file, with the address as it is stored.
    dan = re.fullmatch(rf"Délivré à dan@example\.org : {page}  {record}", lines[0])
    eve = re.fullmatch(rf"Délivré à eve@example\.org : {page}  {record}", lines[1])
    assert dan is not None and eve is not None, out
    assert lines[2:] == [
        "2 badge(s) délivré(s). Enregistrez-les dans git (git add issuers/atelier-test), "
        "puis publiez le site."
    ]
    site = awarded_repo.site()
    assert set(site.awards) - before == {dan.group(1), eve.group(1)}
    # The line names the right person: the award's recipient is that address, hashed.
    for match, email in ((dan, "dan@example.org"), (eve, "eve@example.org")):
        award = site.awards[match.group(1)]
        assert award.identity_hash == identity.hash_identity(email, award.salt)
    assert site.display_names[dan.group(1)] == "Dan"
    assert eve.group(1) not in site.display_names


def test_award_writes_the_groups_attestations_in_the_order_of_the_file(
    awarded_repo: AwardedRepo, tmp_path: Path, clock: datetime
) -> None:
    group = _group_file(
        tmp_path, "email;name;name_consent\nzoe@example.org;Zoé;oui\nabel@example.org;Abel;non\n"
    )
    # A folder that does not exist is refused before anything is signed.
    before = _tree(awarded_repo.root)
    nowhere = tmp_path / "absent" / "attestations.html"
    code, out, err = _award_group(
        awarded_repo, group, awarded_repo.key_dir, "--attestations", str(nowhere)
    )
    assert (code, out, err) == (
        1,
        "",
        f"Erreur : impossible d'écrire {nowhere} : le dossier {nowhere.parent} n'existe pas\n",
    )
    assert _tree(awarded_repo.root) == before
    output = tmp_path / "attestations.html"
    attestations = ("--attestations", str(output))
    code, out, err = _award_group(
        awarded_repo, group, awarded_repo.key_dir, *attestations, "--dry-run"
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"[essai] leurs attestations seraient écrites dans {output}."
    assert not output.exists()
    # Without a file name, the file is attestations.html.
    code, out, err = _award_group(
        awarded_repo, group, awarded_repo.key_dir, "--attestations", "--dry-run"
    )
    assert (code, out.splitlines()[-1]) == (
        0,
        "[essai] leurs attestations seraient écrites dans attestations.html.",
    )
    code, out, err = _award_group(awarded_repo, group, awarded_repo.key_dir, *attestations)
    assert (code, err) == (0, "")
    awarded = re.findall(r"/a/([a-z2-7]{26})\.html", out)
    assert len(awarded) == 2
    assert out.splitlines()[-2:] == [
        f"2 attestation(s) à imprimer : {output}",
        "Ouvrez ce fichier dans votre navigateur, puis imprimez-le (Ctrl+P) : une page A4 par badge.",
    ]
    sheets = re.findall(r"<dt>Identifiant</dt><dd><code>([a-z2-7]{26})</code>", output.read_text())
    assert sheets == awarded
    text = output.read_text("utf-8")
    # Zoé agreed to show her name; Abel did not, and his sheet has a line to write it by hand.
    assert "<dt>Titulaire</dt><dd>Zoé</dd>" in text
    assert "Abel" not in text and "@example.org" not in text
    assert text.count('<span class="bdg-print-only">……') == 1


def test_award_from_a_bad_group_file_writes_nothing(
    awarded_repo: AwardedRepo, tmp_path: Path, clock: datetime
) -> None:
    group = _group_file(
        tmp_path,
        "name,email,expires\nDan,dan@example.org,2026-01-01\nEve,x,\nFay,fay@example.org,\n",
    )
    before = _tree(awarded_repo.root)
    code, out, err = _award_group(awarded_repo, group, awarded_repo.key_dir)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{group}:2:1: error: expires: la date d'expiration précède la date d'attribution",
        f"{group}:2:1: error: name_consent: un nom est donné sans réponse : "
        "écrivez oui si la personne accepte qu'il soit affiché, non sinon",
        f"{group}:3:2: error: email: adresse e-mail invalide : « x »",
        f"{group}:4:1: error: name_consent: un nom est donné sans réponse : "
        "écrivez oui si la personne accepte qu'il soit affiché, non sinon",
        "Erreur : 4 erreur(s) : aucun badge n'a été délivré",
    ]
    assert _tree(awarded_repo.root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("accueillir-1", "--issuer", "reseau-test", "--recipient", "a@example.org"),
            "Erreur : « reseau-test » est un réseau : ce sont ses membres qui délivrent les badges",
        ),
        (
            ("telephone", "--issuer", "atelier-test"),
            "Erreur : indiquez soit --recipient EMAIL, soit --csv FICHIER, soit --request DEMANDE.json",
        ),
        (
            ("telephone", "--issuer", "atelier-test", "--recipient", "pas-une-adresse"),
            "Erreur : adresse e-mail invalide : « pas-une-adresse »",
        ),
        (
            (
                "telephone",
                "--issuer",
                "atelier-test",
                "--recipient",
                "a@example.org",
                "--issued-on",
                "1/2/2026",
            ),
            "Erreur : date invalide « 1/2/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)",
        ),
        (
            (
                "telephone",
                "--issuer",
                "atelier-test",
                "--recipient",
                "a@example.org",
                "--name",
                "A",
            ),
            "(ligne de commande): error: name: un nom n'est publié qu'avec l'accord de la personne : "
            "ajoutez --name-consent si elle l'accepte\n"
            "Erreur : 1 erreur(s) : aucun badge n'a été délivré",
        ),
        (
            (
                "telephone",
                "--issuer",
                "atelier-test",
                "--recipient",
                "a@example.org",
                "--issued-on",
                "2026-03-01",
                "--expires",
                "2026-02-01",
            ),
            "(ligne de commande): error: expires: la date d'expiration précède la date d'attribution\n"
            "Erreur : 1 erreur(s) : aucun badge n'a été délivré",
        ),
    ],
    ids=[
        "network",
        "no-recipient",
        "bad-email",
        "bad-date",
        "name-without-consent",
        "expiry-first",
    ],
)
def test_award_refusals(
    awarded_repo: AwardedRepo, clock: datetime, args: tuple[str, ...], message: str
) -> None:
    before = _tree(awarded_repo.root)
    code, out, err = _run(
        "award", *args, "--key-dir", str(awarded_repo.key_dir), "--root", str(awarded_repo.root)
    )
    assert (code, out) == (1, "")
    assert err == message + "\n"
    assert _tree(awarded_repo.root) == before


def test_award_by_an_organisation_outside_the_network(
    awarded_repo: AwardedRepo, clock: datetime
) -> None:
    (awarded_repo.root / "issuers" / "atelier-autre.yaml").write_text(
        "type: organisation\nname: Autre atelier\nurl: https://autre.example.org/\n"
        "email: contact@autre.example.org\ndescription: Hors du réseau.\n",
        encoding="utf-8",
    )
    code, _, err = _run(
        "award",
        "accueillir-1",
        "--issuer",
        "atelier-autre",
        "--recipient",
        "a@example.org",
        "--root",
        str(awarded_repo.root),
    )
    assert code == 1
    assert err == (
        "Erreur : « atelier-autre » n'est pas autorisé à délivrer « accueillir-1 » "
        "(autorisés : atelier-test)\n"
    )


def test_revoke_command(awarded_repo: AwardedRepo, clock: datetime) -> None:
    bob, root = awarded_repo.ids["bob"], str(awarded_repo.root)
    code, out, err = _run("revoke", bob, "--reason", "Erreur de saisie", "--root", root)
    assert (code, err) == (0, "")
    assert out == (
        f"Badge {bob} révoqué (issuers/atelier-test/revocations.yaml). "
        "Publiez le site pour que la révocation soit visible.\n"
    )
    assert awarded_repo.site().revocations[bob].date == "2026-02-01T10:00:00Z"
    for args, message in (
        ((bob, "--reason", "Encore"), f"le badge « {bob} » est déjà révoqué"),
        (
            ("z" * 26, "--reason", "Erreur"),
            f"aucun badge délivré ne porte l'identifiant « {'z' * 26} »",
        ),
        (
            (awarded_repo.ids["awa"], "--reason", "Écrire à awa@example.org"),
            "le motif de révocation est public : n'y mettez pas d'adresse e-mail",
        ),
    ):
        code, _, err = _run("revoke", *args, "--root", root)
        assert (code, err) == (1, f"Erreur : {message}\n")


def test_compromise_command(awarded_repo: AwardedRepo, clock: datetime) -> None:
    key, root = awarded_repo.keys.ed25519_id, str(awarded_repo.root)
    code, out, err = _run(
        "compromise",
        "atelier-test",
        key,
        "--since",
        "2026-01-20",
        "--root",
        root,
        "--key-dir",
        str(awarded_repo.key_dir),
    )
    assert (code, err) == (0, "")
    # The change is signed with the issuer's current RSA key (docs/gouvernance.md).
    statement = f"issuers/atelier-test/key-changes/{clock.date().isoformat()}-1.jws"
    assert out == (
        f"Déclaration signée par {awarded_repo.keys.rsa_id} : {statement}\n"
        f"Clé {key} marquée compromise depuis le 2026-01-20. "
        "Créez-en une nouvelle : badgeons keygen atelier-test\n"
    )
    # The awards signed before that date still verify.
    code, _, err = _run("validate", "--root", root)
    assert code == 0, err
    code, _, err = _run("compromise", "atelier-test", key, "--since", "20/01/2026", "--root", root)
    assert (code, err) == (
        1,
        "Erreur : date invalide « 20/01/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)\n",
    )
    code, _, err = _run(
        "compromise", "atelier-test", "rsa-1999", "--since", "2026-01-20", "--root", root
    )
    assert (code, err) == (1, "Erreur : aucune clé « rsa-1999 » dans issuers/atelier-test.yaml\n")
    code, _, err = _run(
        "award",
        "telephone",
        "--issuer",
        "atelier-test",
        "--recipient",
        "a@example.org",
        "--key-dir",
        str(awarded_repo.key_dir),
        "--root",
        root,
    )
    assert (code, err) == (
        1,
        "Erreur : aucune clé Ed25519 utilisable pour « atelier-test » : "
        "lancez d'abord « badgeons keygen atelier-test »\n",
    )


def test_verify_command_offline(awarded_repo: AwardedRepo, tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    writer.write_files(site_dir, publish.files(awarded_repo.site()))
    awa = site_dir / "a" / f"{awarded_repo.ids['awa']}.vc.png"
    offline = ("--offline", str(site_dir), "--root", str(awarded_repo.root))
    code, out, _ = _run("verify", str(awa), "--recipient", "awa@example.org", *offline)
    assert code == 0
    assert out.splitlines()[-1] == "Verdict : VALIDE"
    code, out, _ = _run(
        "verify", str(awa), "--recipient", "bob@example.org", "--format", "json", *offline
    )
    assert code == 1
    report = json.loads(out)
    assert (report["valid"], report["verdict"]) == (False, "AUTRE DESTINATAIRE")
    # Without the built site, the issuer's documents cannot be fetched in the tests.
    code, out, _ = _run("verify", str(awa), "--root", str(awarded_repo.root))
    assert code == 1
    assert "Verdict : VÉRIFICATION IMPOSSIBLE" in out and "SIGNATURE INVALIDE" not in out
    assert out.splitlines()[-1].endswith("ou hors ligne avec --offline DOSSIER_DU_SITE.")
    code, _, err = _run("verify", str(awa), "--offline", str(site_dir), "--root", str(tmp_path))
    assert code == 1
    assert err == (
        "Erreur : --offline lit site_url dans badgeons.yml : lancez la commande depuis le dépôt (ou --root)\n"
    )
