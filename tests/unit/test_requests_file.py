from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from build_tools import cli, requests_file
from build_tools.cli import main
from build_tools.requests_file import RequestFileError, read_request
from tests.conftest import AwardedRepo

CLOCK = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


def _request(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "badgeons-demande/1",
        "badge": "telephone",
        "issuer": "atelier-test",
        "name": "Dan Martin",
        "email": " Dan@Example.org ",
        "narrative": "J'ai appelé la mairie pour prendre rendez-vous.",
        "evidence": ["https://example.org/video"],
        "date": "2026-01-30",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _write(tmp_path: Path, data: dict[str, Any], name: str = "demande.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _problems(path: Path, badge: str = "telephone", issuer: str = "atelier-test") -> list[str]:
    with pytest.raises(RequestFileError) as caught:
        read_request(path, badge, issuer)
    return [str(p) for p in caught.value.problems]


def test_a_valid_request(tmp_path: Path) -> None:
    request = read_request(_write(tmp_path, _request()), "telephone", "atelier-test")
    assert request == requests_file.BadgeRequest(
        badge="telephone",
        issuer="atelier-test",
        name="Dan Martin",
        email="dan@example.org",
        narrative="J'ai appelé la mairie pour prendre rendez-vous.",
        evidence=("https://example.org/video",),
        date="2026-01-30",
    )


def test_script_in_the_narrative_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, _request(narrative="Bonjour <script>alert(1)</script>"))
    assert _problems(path) == [
        "demande.json: narrative: HTML interdit (« <script ») : la demande doit être en texte "
        "simple ; demandez à la personne de la refaire sans balise ni script"
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("<img src=x onerror=alert(1)>", "<img"),
        ("voir javascript:alert(1)", "javascript:"),
        ("</p>", "</p"),
        ("<!-- caché -->", "<!"),
    ],
)
def test_every_kind_of_html_is_found(text: str, found: str) -> None:
    assert requests_file.html_in(text) == found


def test_plain_text_with_comparisons_is_accepted() -> None:
    assert requests_file.html_in("3 < 5 et 7 > 2, tarif <10 €") is None


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _request(
            badge="accueillir-1",
            issuer="autre-organisme",
            name="<b>Dan</b>",
            email="pas-une-adresse",
            evidence=["https://example.org/ok", "javascript:alert(1)", "ftp://example.org/x"],
            date="2026-13-40",
        ),
    )
    assert _problems(path) == [
        "demande.json: badge: la demande porte sur « accueillir-1 », pas sur « telephone »",
        "demande.json: date: date invalide « 2026-13-40 » (AAAA-MM-JJ)",
        "demande.json: email: adresse e-mail invalide : « pas-une-adresse »",
        "demande.json: evidence[1]: « javascript:alert(1) » : une preuve est une adresse "
        "http:// ou https://",
        "demande.json: evidence[2]: « ftp://example.org/x » : une preuve est une adresse "
        "http:// ou https://",
        "demande.json: issuer: la demande est adressée à « autre-organisme », pas à "
        "« atelier-test »",
        "demande.json: name: HTML interdit (« <b ») : la demande doit être en texte simple ; "
        "demandez à la personne de la refaire sans balise ni script",
    ]


def test_schema_problems(tmp_path: Path) -> None:
    data = _request(narrative=None, format="autre/2")
    data["extra"] = 1
    data["evidence"] = "https://example.org"
    assert _problems(_write(tmp_path, data)) == [
        "demande.json: evidence: type inattendu (attendu : array)",
        "demande.json: extra: champ inconnu",
        "demande.json: format: doit valoir « badgeons-demande/1 »",
        "demande.json: narrative: champ obligatoire manquant",
    ]


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "demande-telephone.json"
    path.write_text("{ pas du json", encoding="utf-8")
    assert _problems(path) == [
        "demande-telephone.json: : JSON invalide, ligne 1 colonne 3 : "
        "Expecting property name enclosed in double quotes"
    ]


def test_the_name_is_kept_only_with_consent(tmp_path: Path) -> None:
    request = read_request(_write(tmp_path, _request()), "telephone", "atelier-test")
    without = requests_file.award_request(
        request, issued_on=CLOCK, expires=None, name_consent=False
    )
    with_consent = requests_file.award_request(
        request, issued_on=CLOCK, expires=None, name_consent=True, narrative="Texte relu."
    )
    assert (without.name, without.email, without.narrative) == (
        None,
        "dan@example.org",
        "J'ai appelé la mairie pour prendre rendez-vous.",
    )
    assert (with_consent.name, with_consent.narrative) == ("Dan Martin", "Texte relu.")


def _award(awarded_repo: AwardedRepo, path: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main,
        [
            "award",
            "telephone",
            "--issuer",
            "atelier-test",
            "--request",
            str(path),
            *extra,
            "--key-dir",
            str(awarded_repo.key_dir),
            "--root",
            str(awarded_repo.root),
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_award_from_a_request(
    awarded_repo: AwardedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_now", lambda: CLOCK)
    monkeypatch.delenv("BADGEONS_KEY_PASSPHRASE", raising=False)
    before = set(awarded_repo.site().awards)
    code, out, err = _award(awarded_repo, _write(tmp_path, _request()))
    assert (code, err) == (0, "")
    assert out.splitlines()[:5] == [
        "Demande du 2026-01-30 : badge « telephone » par « atelier-test »",
        "  personne : Dan Martin <dan@example.org> — nom non affiché (pas de --name-consent)",
        "  récit (public) : J'ai appelé la mairie pour prendre rendez-vous.",
        "  preuve : https://example.org/video",
        out.splitlines()[4],
    ]
    assert out.splitlines()[4].startswith(
        "Délivré à dan@example.org : https://badges.example.org/test/a/"
    )
    site = awarded_repo.site()
    (new,) = set(site.awards) - before
    award = site.awards[new]
    assert new not in site.display_names
    assert award.credential["credentialSubject"]["narrative"] == (
        "J'ai appelé la mairie pour prendre rendez-vous."
    )
    assert award.credential["evidence"] == [
        {"id": "https://example.org/video", "type": ["Evidence"]}
    ]


def test_award_refuses_a_request_with_script(awarded_repo: AwardedRepo, tmp_path: Path) -> None:
    before = set(awarded_repo.site().awards)
    path = _write(tmp_path, _request(narrative="<script>alert(1)</script>"))
    code, _, err = _award(awarded_repo, path)
    assert code == 1
    assert err.splitlines() == [
        "Erreur : demande.json : 1 problème(s), aucun badge délivré",
        "demande.json: narrative: HTML interdit (« <script ») : la demande doit être en texte "
        "simple ; demandez à la personne de la refaire sans balise ni script",
    ]
    assert set(awarded_repo.site().awards) == before


def test_award_wants_one_source_of_recipients(awarded_repo: AwardedRepo, tmp_path: Path) -> None:
    path = _write(tmp_path, _request())
    code, _, err = _award(awarded_repo, path, "--recipient", "dan@example.org")
    assert code == 1
    assert "soit --request DEMANDE.json" in err
