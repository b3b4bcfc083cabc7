"""Tests of ``badgeons consent add|withdraw|list`` (build_tools.consent_records, consent_cli)."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from build_tools import consent_records, consents
from build_tools.cli import main
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _file(repo: AwardedRepo) -> str:
    return (repo.root / "issuers" / "atelier-test" / "consents.yaml").read_text(encoding="utf-8")


def test_add_writes_the_commune_in_full_and_the_end_date(awarded_repo: AwardedRepo) -> None:
    today = consents.today()
    root = str(awarded_repo.root)
    awa = awarded_repo.ids["awa"]
    code, out, err = _run(
        "consent", "add", awa, "--commune", "blois", "--postcode", "41000", "--name", "Awa",
        "--id", "c-awa", "--root", root,
    )  # fmt: skip
    assert (code, err) == (0, "")
    until = consents.add_months(today, 12).isoformat()
    assert out.splitlines() == [
        "Consentement « c-awa » enregistré (issuers/atelier-test/consents.yaml) : 1 badge(s), "
        f"commune Blois (41000), nom affiché : Awa, jusqu'au {until}.",
        "Enregistrez-le dans git (git add issuers/atelier-test/consents.yaml), puis publiez le site.",
    ]
    assert _file(awarded_repo) == consents.HEADER + (
        f'- id: "c-awa"\n  assertions: ["{awa}"]\n'
        '  commune: {"insee": "41018", "name": "Blois", "postcode": "41000"}\n'
        f'  display_name: "Awa"\n  given: "{today.isoformat()}"\n  until: "{until}"\n'
    )
    # The file reads back as the build reads it, and the site keeps the consent.
    assert [c.id for c in awarded_repo.site().consents] == ["c-awa"]


def test_add_refuses_what_the_build_would_refuse(awarded_repo: AwardedRepo) -> None:
    root = str(awarded_repo.root)
    awa = awarded_repo.ids["awa"]
    assert _run("consent", "add", awa, "--insee", "41018", "--id", "c-1", "--root", root)[0] == 0
    before = _file(awarded_repo)
    code, out, err = _run(
        "consent", "add", awa, "--commune", "Bloi", "--postcode", "41000", "--root", root
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "(ligne de commande): error: commune.name: commune « Bloi » inconnue, ou de moins de 500 "
        "habitants (absente de la carte pour protéger les personnes) : indiquez la commune plus "
        "grande la plus proche. Vouliez-vous dire Blois (41000), Loix (17111) ou Blou (49160) ? "
        "Communes de la carte au code postal 41000 : Blois, Villebarou, "
        "Saint-Sulpice-de-Pommeray, Saint-Denis-sur-Loire",
        "(ligne de commande): error: assertions[0]: badge déjà montré par le consentement « c-1 » "
        "(issuers/atelier-test/consents.yaml:6) : un badge ne figure qu'une fois sur la carte",
        "Erreur : 2 erreur(s) : aucun consentement enregistré",
    ]
    assert _file(awarded_repo) == before


def test_add_command_line_refusals(awarded_repo: AwardedRepo) -> None:
    root = str(awarded_repo.root)
    awa = awarded_repo.ids["awa"]
    cases = [
        (["--commune", "Blois"], "Erreur : indiquez la commune : --insee CODE, ou --commune NOM --postcode CP"),
        (["--insee", "41018", "--given", "01/02/2026"], "Erreur : Valeur invalide pour --given : date invalide « 01/02/2026 » : écrivez AAAA-MM-JJ (ex. 2026-11-23)"),
        (["--insee", "41018", "--until", "2099-01-01"], None),
    ]  # fmt: skip
    for options, expected in cases:
        code, _, err = _run("consent", "add", awa, *options, "--root", root)
        assert code != 0
        if expected:
            assert err.splitlines()[-1] == expected
    code, _, err = _run("consent", "add", "a" * 26, "--insee", "41018", "--root", root)
    assert err.splitlines()[-1] == (
        "Erreur : aucun badge délivré ne porte l'identifiant « aaaaaaaaaaaaaaaaaaaaaaaaaa »"
    )
    assert (
        "until: un consentement dure au plus 24 mois"
        in _run("consent", "add", awa, "--insee", "41018", "--until", "2099-01-01", "--root", root)[
            2
        ]
    )


def test_withdraw_removes_the_whole_entry_and_keeps_the_rest(awarded_repo: AwardedRepo) -> None:
    root = awarded_repo.root
    path = root / "issuers" / "atelier-test" / "consents.yaml"
    ids = awarded_repo.ids
    path.write_text(
        "# Mes notes.\n"
        f"- id: c-awa\n  assertions: [{ids['awa']}]\n  commune: {{insee: '41018'}}\n"
        "  given: 2026-02-01\n"
        "\n# Chloé, rencontrée au forum.\n"
        f"- id: c-chloe\n  assertions: [{ids['chloe']}, {ids['bob']}]\n"
        "  commune: {insee: '41018'}\n  given: 2026-02-01\n"
        f"- id: c-last\n  assertions: [{ids['bob']}]\n  commune: {{insee: '41018'}}\n"
        "  given: 2026-02-01\n",
        encoding="utf-8",
    )
    code, out, _ = _run("consent", "withdraw", "c-awa", "--root", str(root))
    assert code == 0
    assert out == (
        "Consentement « c-awa » retiré de issuers/atelier-test/consents.yaml. Enregistrez ce "
        "changement dans git et publiez le site : la personne disparaîtra de la carte et des "
        "exports.\n"
    )
    assert path.read_text(encoding="utf-8").startswith(
        "# Mes notes.\n\n# Chloé, rencontrée au forum.\n- id: c-chloe\n"
    )
    # By the id of one of its badges: the whole consent goes.
    assert _run("consent", "withdraw", ids["chloe"], "--root", str(root))[0] == 0
    assert _run("consent", "withdraw", "c-last", "--root", str(root))[0] == 0
    assert path.read_text(encoding="utf-8") == "# Mes notes.\n\n# Chloé, rencontrée au forum.\n"
    code, _, err = _run("consent", "withdraw", "c-awa", "--root", str(root))
    assert (code, err.splitlines()[-1]) == (
        1,
        "Erreur : aucun consentement « c-awa » (ni consentement montrant ce badge)",
    )


def test_withdraw_works_even_when_the_repository_has_errors(awarded_repo: AwardedRepo) -> None:
    root = awarded_repo.root
    (root / "badges" / "telephone.yaml").write_text("name: [\n", encoding="utf-8")
    path = root / "issuers" / "atelier-test" / "consents.yaml"
    path.write_text(
        f"- id: c-awa\n  assertions: [{awarded_repo.ids['awa']}]\n  commune: {{insee: '99999'}}\n"
        "  given: 2026-02-01\n",
        encoding="utf-8",
    )
    assert _run("consent", "withdraw", "c-awa", "--root", str(root))[0] == 0
    assert path.read_text(encoding="utf-8") == ""


def test_withdraw_of_an_ambiguous_badge_asks_for_the_consent_id(
    awarded_repo: AwardedRepo,
) -> None:
    root = awarded_repo.root
    awa = awarded_repo.ids["awa"]
    for issuer in ("atelier-test", "reseau-test"):
        folder = root / "issuers" / issuer
        folder.mkdir(exist_ok=True)
        (folder / "consents.yaml").write_text(
            f"- id: c-{issuer}\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n"
            "  given: 2026-02-01\n",
            encoding="utf-8",
        )
    code, _, err = _run("consent", "withdraw", awa, "--root", str(root))
    assert (code, err.splitlines()[-1]) == (
        1,
        f"Erreur : « {awa} » désigne plusieurs consentements (issuers/atelier-test/consents.yaml:1, "
        "issuers/reseau-test/consents.yaml:1) : donnez leur identifiant",
    )


def test_list_shows_each_consent_and_its_state(awarded_repo: AwardedRepo) -> None:
    root = awarded_repo.root
    ids = awarded_repo.ids
    (root / "issuers" / "atelier-test" / "consents.yaml").write_text(
        f"- id: c-old\n  assertions: [{ids['bob']}]\n  commune: {{insee: '41018'}}\n"
        "  given: 2024-01-01\n"
        f"- id: c-awa\n  assertions: [{ids['awa']}, {ids['chloe']}]\n"
        "  commune: {name: Vineuil, postcode: '41350'}\n  display_name: Awa\n"
        "  given: 2026-02-01\n  until: 2099-01-01\n",
        encoding="utf-8",
    )
    code, out, err = _run("consent", "list", "--root", str(root))
    assert code == 0
    assert out.splitlines() == [
        f"c-old  atelier-test  Blois (41000)  sans nom  échu le 2025-01-01  badges : {ids['bob']}",
        f"c-awa  atelier-test  Vineuil (41350)  Awa  actif jusqu'au 2099-01-01  badges : "
        f"{ids['awa']}, {ids['chloe']}",
    ]
    assert err == "2 consentement(s).\n"
    assert _run("consent", "list", "--issuer", "reseau-test", "--root", str(root))[1] == (
        "Aucun consentement enregistré.\n"
    )


def test_item_of_a_request() -> None:
    request = consent_records.NewConsent(
        assertions=("a" * 26,),
        commune={"insee": "41018"},
        given=date(2026, 1, 31),
        contact=False,
        id="c-x",
    )
    assert consent_records.item_of(request) == {
        "id": "c-x",
        "assertions": ["a" * 26],
        "commune": {"insee": "41018"},
        "given": "2026-01-31",
        "until": "2027-01-31",
        "contact": "aucun",
    }


def test_add_says_when_the_map_will_not_link_a_badge_whose_page_shows_a_name(
    awarded_repo: AwardedRepo,
) -> None:
    # Awa agreed to "Awa" on her badge's page, and to the map without a name.
    root = str(awarded_repo.root)
    awa = awarded_repo.ids["awa"]
    code, out, err = _run(
        "consent", "add", awa, "--insee", "41018", "--id", "c-awa", "--root", root
    )
    assert code == 0 and out.startswith("Consentement « c-awa » enregistré")
    assert err.splitlines() == [
        "(ligne de commande): warning: assertions[0]: la page de vérification de ce badge "
        "(holders.yaml) montre le nom de la personne, mais ce consentement n'en montre aucun sur "
        "la carte : la carte ne donne donc ni le lien vers la page de vérification de ce badge ni "
        "sa référence, sinon on lirait ce nom avec la commune ; les recruteurs citent la "
        "référence « c-awa ». Si la personne accepte que la carte montre ce nom : badgeons "
        "consent withdraw c-awa, puis badgeons consent add avec les mêmes badges, la même "
        "commune et --name NOM"
    ]
    # The build says it too, at the badge in the file.
    site, report = load_site(awarded_repo.root)
    assert site is not None and site.consents[0].unlinked == (awa,)
    (warning,) = report.sorted()
    assert str(warning).startswith(
        "issuers/atelier-test/consents.yaml:6:16: warning: [0].assertions[0]: la page de "
        "vérification de ce badge (holders.yaml) montre le nom de la personne"
    )
