"""Tests of build_tools.attestations: a group's printed attestations, in one file."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import MappingProxyType

import pytest

from build_tools import assertion_pages, attestations, qrcodes
from build_tools.attestations import AttestationError
from build_tools.model import Revocation, Site
from build_tools.pipeline import load_site
from tests.conftest import AwardedRepo

MOMENT = datetime(2026, 6, 1, tzinfo=UTC)


def _revoked(site: Site, assertion: str) -> Site:
    revocation = Revocation(assertion, "Attribué par erreur", "2026-02-01T00:00:00Z")
    return dataclasses.replace(site, revocations=MappingProxyType({assertion: revocation}))


def test_named_awards_come_in_the_order_given(awarded_repo: AwardedRepo) -> None:
    site, ids = awarded_repo.site(), awarded_repo.ids
    chosen = attestations.select(site, [ids["chloe"], ids["awa"], ids["chloe"]])
    assert [a.id for a in chosen] == [ids["chloe"], ids["awa"]]


def test_filters_choose_an_issuers_awards_of_a_badge_and_a_day(awarded_repo: AwardedRepo) -> None:
    site, ids = awarded_repo.site(), awarded_repo.ids
    every = attestations.select(site, issuer="atelier-test")
    assert {a.id for a in every} == set(ids.values())
    telephone = attestations.select(site, issuer="atelier-test", badge="telephone")
    assert {a.id for a in telephone} == {ids["awa"], ids["bob"]}
    on_the_day = attestations.select(site, issuer="atelier-test", issued_on="2026-01-10")
    assert {a.id for a in on_the_day} == set(ids.values())
    revoked = _revoked(site, ids["bob"])
    assert [
        a.id for a in attestations.select(revoked, issuer="atelier-test", badge="telephone")
    ] == [ids["awa"]]


def _compromised(site: Site) -> Site:
    """The site after its issuer declared its Ed25519 key compromised, after the awards."""
    issuer = site.issuers["atelier-test"]
    keys = tuple(
        dataclasses.replace(k, compromised="2026-03-01T00:00:00Z") if k.type == "Ed25519" else k
        for k in issuer.keys
    )
    issuers = dict(site.issuers) | {issuer.slug: dataclasses.replace(issuer, keys=keys)}
    return dataclasses.replace(site, issuers=MappingProxyType(issuers))


def test_awards_signed_with_a_compromised_key_are_not_printed(awarded_repo: AwardedRepo) -> None:
    site, ids = _compromised(awarded_repo.site()), awarded_repo.ids
    assert assertion_pages.status_of(site, site.awards[ids["awa"]], MOMENT)["kind"] == (
        "compromised"
    )
    with pytest.raises(AttestationError) as caught:
        attestations.select(site, [ids["chloe"], ids["awa"]])
    assert str(caught.value) == (
        "badge signé avec une clé déclarée compromise, à délivrer de nouveau : "
        f"« {ids['chloe']}, {ids['awa']} »"
    )
    with pytest.raises(AttestationError, match="à délivrer de nouveau sont exclus"):
        attestations.select(site, issuer="atelier-test")


@pytest.mark.parametrize(
    ("ids", "filters", "message"),
    [
        ((), {}, "indiquez les identifiants des badges, ou au moins --issuer ORGANISME"),
        (
            ("awa",),
            {"issuer": "atelier-test"},
            "indiquez soit des identifiants, soit --issuer, --badge et --issued-on",
        ),
        (("a" * 26,), {}, f"aucun badge délivré ne porte l'identifiant « {'a' * 26} »"),
        ((), {"issuer": "inconnu"}, "organisme inconnu : « inconnu »"),
        ((), {"issuer": "atelier-test", "badge": "x"}, "badge inconnu : « x »"),
        (
            (),
            {"issuer": "atelier-test", "issued_on": "2026-01-11"},
            "aucun badge à imprimer ne correspond à ces critères (les badges révoqués ou à "
            "délivrer de nouveau sont exclus)",
        ),
        (("bob",), {}, "badge révoqué, pas d'attestation à imprimer : « {bob} »"),
    ],
    ids=[
        "nothing",
        "ids-and-filters",
        "unknown-id",
        "unknown-issuer",
        "unknown-badge",
        "no-match",
        "revoked",
    ],
)
def test_what_cannot_be_printed(
    awarded_repo: AwardedRepo, ids: tuple[str, ...], filters: dict[str, str], message: str
) -> None:
    known = awarded_repo.ids
    site = _revoked(awarded_repo.site(), known["bob"])
    named = [known.get(i, i) for i in ids]
    with pytest.raises(AttestationError) as caught:
        attestations.select(site, named, **filters)
    assert str(caught.value) == message.format(bob=known["bob"])


class _Sheets(HTMLParser):
    """What a printed file holds: its sheets, links, images and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.sheets = 0
        self.mains = 0
        self.ids: list[str] = []
        self.references: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.scripts = 0
        self.stylesheets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.sheets += tag == "section" and "bdg-sheet" in str(found.get("class"))
        self.mains += tag == "main"
        self.ids += [str(found["id"])] if "id" in found else []
        for name in ("for", "aria-labelledby"):
            self.references += str(found[name]).split() if name in found else []
        self.scripts += tag == "script"
        self.stylesheets += tag == "link" and found.get("rel") == "stylesheet"
        if found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "img":
            self.images.append(str(found["src"]))


def test_the_file_holds_one_sheet_per_award_and_stands_alone(awarded_repo: AwardedRepo) -> None:
    site, ids = awarded_repo.site(), awarded_repo.ids
    chosen = attestations.select(site, [ids["bob"], ids["awa"]])
    text = attestations.document(site, chosen, MOMENT)
    parsed = _Sheets()
    parsed.feed(text)
    assert (parsed.sheets, parsed.mains) == (2, 1)
    # One page of many sheets: every id is unique, and every reference finds its own sheet's.
    assert len(parsed.ids) == len(set(parsed.ids))
    assert parsed.references and set(parsed.references) <= set(parsed.ids)
    assert "statut-1" in parsed.ids and "statut-2" in parsed.ids
    # Nothing to fetch: no script, no stylesheet, the badge's image inside the file.
    assert (parsed.scripts, parsed.stylesheets) == (0, 0)
    image = (awarded_repo.root / "badges" / "images" / "telephone.png").read_bytes()
    assert parsed.images == [f"data:image/png;base64,{base64.b64encode(image).decode()}"] * 2
    # Every link leads to the published site (or to LinkedIn), not to a file beside this one.
    assert parsed.links and all(
        link.startswith(("https://badges.example.org/test/", "https://www.linkedin.com/"))
        for link in parsed.links
    )
    assert f"https://badges.example.org/test/a/{ids['bob']}.vc.json" in parsed.links
    assert "https://badges.example.org/test/verifier.html" not in parsed.links
    # In the order given, each with the QR code and address of its own page.
    bob, awa = (text.index(f"<code>{ids[k]}</code>") for k in ("bob", "awa"))
    assert bob < awa
    for learner in ("bob", "awa"):
        page = f"https://badges.example.org/test/a/{ids[learner]}.html"
        assert str(qrcodes.svg(page)) in text
        assert f"Attestation imprimée depuis {page}" in text


def test_a_sheet_is_the_pages_own_and_shows_no_more(awarded_repo: AwardedRepo) -> None:
    site, ids = awarded_repo.site(), awarded_repo.ids
    award = site.awards[ids["awa"]]
    page = assertion_pages.render_page(site, award, MOMENT)
    main = re.search(r"<main id=\"contenu\">.*</main>", page, re.S)
    assert main is not None
    text = attestations.document(site, [award], MOMENT)
    # The page's body as a sheet: its links made absolute, its image inlined, its ids its own.
    sheet = re.search(r"<section class=\"bdg-sheet\" [^>]*>(.*)</section>", text, re.S)
    assert sheet is not None

    def plain(html: str) -> str:
        html = re.sub(r'(src|href)="[^"]*"', r'\1=""', html)
        return re.sub(r'((?:id|for|aria-labelledby)="[^"]*?)(?:-1)?"', r'\1"', html)

    assert plain(sheet.group(1)) == plain(
        main.group(0)[len('<main id="contenu">') : -len("</main>")]
    )
    # Names only with consent; never an address, nor the page's data for its script.
    body = text.split("</style>", 1)[1]
    assert "Awa" in body and "@" not in body
    other = attestations.document(site, [site.awards[ids["bob"]]], MOMENT)
    assert "bob" not in other.lower().replace(ids["bob"], "")
    assert json.dumps(award.salt) not in text


def test_the_signatures_are_checked(awarded_repo: AwardedRepo) -> None:
    site, ids = awarded_repo.site(), awarded_repo.ids
    assert attestations.problems(site, list(site.awards.values())) == []
    record = awarded_repo.record("bob")
    document = json.loads(record.read_text("utf-8"))
    document["ob3"]["credentialSubject"]["narrative"] = "Modifié après la signature."
    record.write_text(json.dumps(document), encoding="utf-8")
    tampered, _ = load_site(awarded_repo.root, check_signatures=False)
    assert tampered is not None
    found = attestations.problems(
        tampered, [tampered.awards[ids["awa"]], tampered.awards[ids["bob"]]]
    )
    assert found and {d.path for d in found} == {
        f"issuers/atelier-test/assertions/{ids['bob']}.json"
    }
