"""Tests of build_tools.consents: which consents the map may show, and the exact diagnostics.

The awards of ``awarded_repo`` were made on 2026-01-10 by atelier-test (Blois): awa and bob
hold ``telephone`` (valid 24 months, until 2028-01-10), chloe holds ``accueillir-1`` (no end).
Unless a test says otherwise, the consents are read on ``DAY``.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from build_tools import collections, consents
from build_tools.diagnostics import format_text
from build_tools.model import Consent, Revocation, Site
from build_tools.pipeline import load_site
from tests.conftest import PROJECT, AwardedRepo

DAY = date(2026, 3, 1)
FILE = "issuers/atelier-test/consents.yaml"


def _write(repo: AwardedRepo, text: str, issuer: str = "atelier-test") -> Path:
    path = repo.root / "issuers" / issuer / "consents.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.format(**repo.ids), encoding="utf-8")
    return path


@pytest.fixture
def site(awarded_repo: AwardedRepo) -> Site:
    """The awarded site, loaded before any consent is written."""
    return awarded_repo.site()


def _load(site: Site, day: date = DAY) -> tuple[Site, str]:
    """The site with the consents kept on ``day``, and the diagnostics as text."""
    kept, problems = consents.load_consents(site, day)
    return dataclasses.replace(site, consents=kept), format_text(sorted(problems))


def test_a_consent_by_name_and_postcode_and_one_by_insee_code(
    awarded_repo: AwardedRepo, site: Site
) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n"
        "  assertions: [{awa}]\n"
        "  commune: {{name: blois, postcode: '41000'}}\n"
        "  display_name: Awa\n"
        "  given: 2026-02-01\n"
        "- id: c-chloe\n"
        "  assertions: [{chloe}]\n"
        "  commune: {{insee: '37261'}}\n"
        "  given: 2026-02-15\n"
        "  until: 2026-08-31\n"
        "  contact: aucun\n",
    )
    loaded, problems = _load(site)
    assert problems == ""
    awa, chloe = loaded.consents
    assert (awa.id, awa.issuer, awa.assertions) == (
        "c-awa",
        "atelier-test",
        (awarded_repo.ids["awa"],),
    )
    assert (awa.insee, awa.display_name, awa.given, awa.until, awa.contact) == (
        "41018",
        "Awa",
        "2026-02-01",
        "2027-02-01",
        True,
    )
    assert awa.source.path == FILE and awa.source.line == 1
    assert (chloe.insee, chloe.display_name, chloe.until, chloe.contact) == (
        "37261",
        None,
        "2026-08-31",
        False,
    )


def test_the_pipeline_keeps_the_consents_in_force(awarded_repo: AwardedRepo, site: Site) -> None:
    today = consents.today()
    _write(
        awarded_repo,
        f"- id: c-bob\n  assertions: [{{bob}}]\n  commune: {{{{insee: '41018'}}}}\n"
        f"  given: {today.isoformat()}\n",
    )
    site, report = load_site(awarded_repo.root)
    assert format_text(report.sorted()) == ""
    assert site is not None and [c.id for c in site.consents] == ["c-bob"]


@pytest.mark.parametrize(
    "commune,expected",
    [
        (
            "{{name: La Chatr, postcode: '36400'}}",
            "3:13: error: [0].commune.name: commune « La Chatr » inconnue, ou de moins de 500 "
            "habitants (absente de la carte pour protéger les personnes) : indiquez la commune plus "
            "grande la plus proche. Vouliez-vous dire La Châtre (36400), La Charmée (71100) ou La "
            "Chambre (73130) ? Communes de la carte au code postal 36400 : La Châtre, Montgivray, "
            "Le Magny, Lacs",
        ),
        (
            "{{name: Blois, postcode: '41100'}}",
            "3:26: error: [0].commune.postcode: le code postal 41100 ne correspond pas à Blois "
            "(code postal : 41000)",
        ),
        (
            "{{insee: '41999'}}",
            "3:13: error: [0].commune.insee: commune « 41999 » inconnue, ou de moins de 500 "
            "habitants (absente de la carte pour protéger les personnes) : indiquez la commune plus "
            "grande la plus proche",
        ),
        (
            "{{insee: '41018', name: Vineuil}}",
            "3:29: error: [0].commune.name: « Vineuil » n'est pas le nom de la commune 41018 (Blois)",
        ),
        (
            "{{name: Blois}}",
            "3:3: error: [0].commune: indiquez le code INSEE de la commune (insee), ou son nom et "
            "son code postal (name et postcode)",
        ),
        (
            "{{insee: 41018}}",
            '3:13: error: [0].commune.insee: doit être du texte, pas 41018 (écrivez "41018" '
            "entre guillemets)",
        ),
    ],
)
def test_bad_communes(awarded_repo: AwardedRepo, site: Site, commune: str, expected: str) -> None:
    _write(
        awarded_repo,
        f"- id: c-awa\n  assertions: [{{awa}}]\n  commune: {commune}\n  given: 2026-02-01\n",
    )
    site, problems = _load(site)
    assert problems == f"{FILE}:{expected}"
    assert site.consents == ()


def test_a_small_village_is_refused_and_its_larger_neighbours_are_named(
    awarded_repo: AwardedRepo, site: Site
) -> None:
    # Nohant-Vic (36400) has 450 inhabitants: it is not on the map, on purpose.
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{name: Nohant-Vic, postcode: '36400'}}\n"
        "  given: 2026-02-01\n",
    )
    _, problems = _load(site)
    assert problems.startswith(
        f"{FILE}:3:13: error: [0].commune.name: commune « Nohant-Vic » inconnue, ou de moins de "
        "500 habitants"
    )
    assert problems.endswith(
        "plus proche. Communes de la carte au code postal 36400 : La Châtre, Montgivray, Le Magny, Lacs"
    )


def test_dates_in_the_wrong_format_or_order(awarded_repo: AwardedRepo, site: Site) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 01/02/2026\n"
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "  until: 2026-01-15\n"
        "- id: c-chloe\n  assertions: [{chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "  until: 2028-03-01\n",
    )
    _, problems = _load(site)
    assert problems == (
        f"{FILE}:4:3: error: [0].given: doit être une date ISO 8601 (2026-11-23), pas « 01/02/2026 »"
    )
    # Once the schema is satisfied, the order of the dates is checked.
    _write(
        awarded_repo,
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "  until: 2026-01-15\n"
        "- id: c-chloe\n  assertions: [{chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "  until: 2028-03-01\n"
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2026-04-01\n",
    )
    _, problems = _load(site)
    assert problems.splitlines() == [
        f"{FILE}:5:3: error: [0].until: la fin du consentement (2026-01-15) précède son début (2026-02-01)",
        f"{FILE}:10:3: error: [1].until: un consentement dure au plus 24 mois : 2028-03-01 est après le "
        "2028-02-01 (renouvelez-le le moment venu avec la personne)",
        f"{FILE}:14:3: error: [2].given: date de consentement 2026-04-01 dans le futur",
    ]


def test_a_consent_that_has_ended_is_dropped_with_a_warning(
    awarded_repo: AwardedRepo, site: Site
) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2026-01-12\n"
        "  until: 2026-02-28\n  display_name: Awa\n"
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2026-01-12\n",
    )
    site, problems = _load(site)
    assert problems == (
        f"{FILE}:5:3: warning: [0].until: consentement « c-awa » échu le 2026-02-28 : la personne "
        "n'apparaît plus sur la carte (renouvelez-le avec elle, ou retirez-le : badgeons consent "
        "withdraw c-awa)"
    )
    assert [c.id for c in site.consents] == ["c-bob"]
    # Its last day is still a day on the map.
    site, problems = _load(site, day=date(2026, 2, 28))
    assert problems == "" and [c.id for c in site.consents] == ["c-awa", "c-bob"]


def test_badges_that_cannot_be_shown(awarded_repo: AwardedRepo, site: Site) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}, {awa}, aaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
        "  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "- id: c-awa-2\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "- id: c-chloe\n  assertions: [{chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-01-09\n",
    )
    _, problems = _load(site)
    assert problems.splitlines() == [
        f"{FILE}:2:44: error: [0].assertions[1]: badge cité deux fois dans ce consentement",
        f"{FILE}:2:72: error: [0].assertions[2]: aucun badge « aaaaaaaaaaaaaaaaaaaaaaaaaa » délivré par atelier-test",
        f"{FILE}:6:16: error: [1].assertions[0]: badge déjà montré par le consentement « c-awa » "
        f"({FILE}:2) : un badge ne figure qu'une fois sur la carte",
        f"{FILE}:10:16: error: [2].assertions[0]: le consentement (2026-01-09) précède l'attribution "
        "du badge (2026-01-10)",
    ]


def test_a_consent_for_another_issuers_badge(awarded_repo: AwardedRepo, site: Site) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n",
        issuer="reseau-test",
    )
    site, problems = _load(site)
    assert problems == (
        f"issuers/reseau-test/consents.yaml:2:16: error: [0].assertions[0]: le badge « {awarded_repo.ids['awa']} » "
        "a été délivré par « atelier-test », pas par « reseau-test » : seul l'organisme qui l'a "
        "délivré recueille l'accord de la personne"
    )
    assert site.consents == ()


def test_duplicated_consent_ids(awarded_repo: AwardedRepo, site: Site) -> None:
    _write(
        awarded_repo,
        "- id: c-1\n  assertions: [{chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "- id: c-1\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n",
    )
    _, problems = _load(site)
    assert problems == f"{FILE}:5:3: error: [1].id: identifiant « c-1 » déjà utilisé ({FILE}:1)"


def _revoked(site: Site, assertion: str, day: str) -> Site:
    revocation = Revocation(assertion, "Délivré par erreur", f"{day}T10:00:00Z")
    return dataclasses.replace(site, revocations=MappingProxyType({assertion: revocation}))


def test_revoked_badges(awarded_repo: AwardedRepo, site: Site) -> None:
    awa = awarded_repo.ids["awa"]
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}, {chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n",
    )
    # Revoked after the consent: the badge leaves the map, the build goes on.
    site, problems = _load(_revoked(site, awa, "2026-02-20"))
    assert problems == (
        f"{FILE}:2:16: warning: [0].assertions[0]: badge révoqué le 2026-02-20 : retiré de la carte "
        "(retirez-le du consentement « c-awa »)"
    )
    assert site.consents[0].assertions == (awarded_repo.ids["chloe"],)
    # Revoked before the consent was given: the consent is wrong.
    site, problems = _load(_revoked(site, awa, "2026-01-20"))
    assert problems == (
        f"{FILE}:2:16: error: [0].assertions[0]: badge révoqué le 2026-01-20, avant le consentement : "
        "il ne peut pas figurer sur la carte"
    )
    assert site.consents == ()


def test_expired_badges(awarded_repo: AwardedRepo, site: Site) -> None:
    # The telephone badges end on 2028-01-10.
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2027-06-01\n"
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2028-01-15\n",
    )
    site, problems = _load(site, day=date(2028, 2, 1))
    assert problems.splitlines() == [
        f"{FILE}:2:16: warning: [0].assertions[0]: badge expiré le 2028-01-10 : retiré de la carte "
        "(retirez-le du consentement « c-awa »)",
        f"{FILE}:6:16: error: [1].assertions[0]: badge expiré le 2028-01-10, avant le consentement : "
        "il ne peut pas figurer sur la carte",
    ]
    assert site.consents == ()


def test_a_display_name_is_never_an_address(awarded_repo: AwardedRepo, site: Site) -> None:
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n"
        "  display_name: awa@example.org\n  given: 2026-02-01\n  phone: '0600000000'\n",
    )
    _, problems = _load(site)
    assert problems.splitlines() == [
        f"{FILE}:4:3: error: [0].display_name: « awa@example.org » : un nom affiché est un prénom "
        "ou un pseudonyme : ni adresse e-mail, ni numéro de téléphone, ni adresse postale (pas de "
        "@ < >, au plus quatre chiffres)",
        f"{FILE}:6:3: error: [0].phone: champ inconnu",
    ]


def test_add_months_keeps_the_day_or_takes_the_last_one() -> None:
    assert consents.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert consents.add_months(date(2026, 11, 23), 12) == date(2027, 11, 23)
    assert consents.add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)


def test_new_consent_ids_are_valid_and_distinct() -> None:
    made = {consents.new_consent_id() for _ in range(50)}
    assert len(made) == 50
    assert all(len(i) == 12 and i.startswith("c-") for i in made)


def test_the_demo_consents_point_editors_at_their_schema() -> None:
    files = sorted((PROJECT / "issuers").glob("*/consents.yaml"))
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (
            first
            == "# yaml-language-server: $schema=../../build_tools/schemas/consents.schema.json"
        )
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file()


def test_what_a_file_says_is_cached_and_the_rest_checked_at_every_load(
    awarded_repo: AwardedRepo, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    awa = awarded_repo.ids["awa"]
    _write(
        awarded_repo,
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{name: blois, postcode: '41000'}}\n"
        "  given: 2026-02-01\n  until: 2026-06-30\n  display_name: Awa\n"
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41999'}}\n  given: 2026-02-01\n",
    )
    first = _load(site)
    unknown = f"{FILE}:9:13: error: [1].commune.insee: commune « 41999 » inconnue"
    assert first[1].startswith(unknown)
    assert (awarded_repo.root / ".cache" / "badgeons" / "consents").is_dir()

    def refuse(*_: object) -> None:
        raise AssertionError("an unchanged consents file was read again")

    monkeypatch.setattr(consents, "read_entry", refuse)
    monkeypatch.setattr(consents, "load_yaml_bytes", refuse)
    again = _load(site)
    assert again == first
    assert [(c, c.source) for c in again[0].consents] == [(c, c.source) for c in first[0].consents]
    # The day, the revocations and the other consents are checked at every load.
    later = _load(site, day=date(2026, 7, 1))[1].splitlines()
    assert later[0].startswith(f"{FILE}:5:3: warning: [0].until: consentement « c-awa » échu")
    revoked = _load(_revoked(site, awa, "2026-02-20"))[1].splitlines()
    assert revoked[0].startswith(f"{FILE}:2:16: warning: [0].assertions[0]: badge révoqué")
    # Another gazetteer than the shipped one: the file is read and checked again.
    monkeypatch.undo()
    called: list[int] = []
    real = consents.read_entry

    def counted(*args: object) -> consents.Entry:
        called.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(consents, "read_entry", counted)
    from build_tools.gazetteer import load

    assert format_text(sorted(consents.load_consents(site, DAY, load)[1])) == first[1]
    assert len(called) == 2


NAMED_PAGE = (
    "la page de vérification de ce badge (holders.yaml) montre le nom de la personne, mais ce "
    "consentement {shown} sur la carte : la carte ne donne donc ni le lien vers la page de "
    "vérification de ce badge ni sa référence, sinon on lirait ce nom avec la commune{quoted}. "
    "Si la personne accepte que la carte montre ce nom : badgeons consent withdraw {id}, puis "
    "badgeons consent add avec les mêmes badges, la même commune et --name NOM"
)


def test_a_badge_whose_page_shows_a_name_is_not_linked_from_a_map_without_it(
    awarded_repo: AwardedRepo, site: Site
) -> None:
    # Awa agreed to "Awa" on her badge's page (holders.yaml); bob and chloe to no name there.
    # Bob's badge collection shows "Bob" and links to his badge's page.
    sac = "b" * 26
    (awarded_repo.root / "issuers" / "atelier-test" / "collections.yaml").write_text(
        f"- id: {sac}\n  assertions: [{awarded_repo.ids['bob']}]\n  display_name: Bob\n"
        "  given: 2026-02-01\n",
        encoding="utf-8",
    )
    in_force, problems = collections.load_collections(site, DAY)
    assert problems == [] and len(in_force) == 1
    entries = (
        "- id: c-awa\n  assertions: [{awa}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "{awa_name}"
        "- id: c-bob\n  assertions: [{bob}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
        "  contact: aucun\n{bob_name}"
        "- id: c-chloe\n  assertions: [{chloe}]\n  commune: {{insee: '41018'}}\n  given: 2026-02-01\n"
    )

    def load(awa_name: str, bob_name: str) -> tuple[tuple[Consent, ...], str]:
        _write(
            awarded_repo, entries.replace("{awa_name}", awa_name).replace("{bob_name}", bob_name)
        )
        kept, problems = consents.load_consents(site, DAY, collections=in_force)
        return kept, format_text(sorted(problems))

    awa, bob = awarded_repo.ids["awa"], awarded_repo.ids["bob"]
    kept, problems = load("", "")
    quoted = " ; les recruteurs citent la référence « c-awa »"
    assert problems.splitlines() == [
        f"{FILE}:2:16: warning: [0].assertions[0]: "
        + NAMED_PAGE.format(shown="n'en montre aucun", quoted=quoted, id="c-awa"),
        # Bob declined contact: no reference is quoted at all.
        f"{FILE}:6:16: warning: [1].assertions[0]: "
        + NAMED_PAGE.format(shown="n'en montre aucun", quoted="", id="c-bob").replace(
            "la page de vérification de ce badge (holders.yaml)",
            f"le sac à badges « {sac} » (issuers/atelier-test/collections.yaml), qui renvoie à ce "
            "badge,",
        ),
    ]
    # Every badge stays on the map; only those two lose their link.
    assert [(c.id, c.named, c.unlinked) for c in kept] == [
        ("c-awa", (awa,), (awa,)),
        ("c-bob", (bob,), (bob,)),
        ("c-chloe", (), ()),
    ]
    # The map shows another name than the page: still no link.
    kept, problems = load("  display_name: Awa B.\n", "  display_name: Bob\n")
    assert problems == f"{FILE}:2:16: warning: [0].assertions[0]: " + NAMED_PAGE.format(
        shown="en montre un autre", quoted=quoted, id="c-awa"
    )
    # The map shows the very name the pages show: the map links them, the exports do not.
    kept, problems = load("  display_name: Awa\n", "  display_name: Bob\n")
    assert problems == ""
    assert [(c.named, c.unlinked) for c in kept] == [((awa,), ()), ((bob,), ()), ((), ())]
