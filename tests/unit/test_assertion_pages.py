"""The verification page of each award, rendered by the core."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from importlib import resources
from types import MappingProxyType
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from build_tools import assertion_pages, cache, endorsements, issuing, keygen
from build_tools.model import Award, EndorsedKind, Endorsement, Revocation, Site
from tests.conftest import AwardedRepo
from tests.support.records import with_forms

MOMENT = datetime(2026, 6, 1, tzinfo=UTC)


def _page(site: Site, award_id: str, moment: datetime = MOMENT) -> str:
    return assertion_pages.render_page(site, site.awards[award_id], moment)


def test_a_valid_award_says_so_first_and_hides_an_unconsented_holder(
    awarded_repo: AwardedRepo,
) -> None:
    site = awarded_repo.site()
    html = _page(site, awarded_repo.ids["bob"])
    body = html[html.index("<main") :]
    assert body.index('<h1 id="statut">Badge authentique</h1>') < body.index(
        "Utiliser un téléphone portable"
    )
    assert 'data-status="valid"' in html
    assert "identité masquée" in html
    assert "bob@" not in html
    assert (
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self';"
        in html
    )


def test_a_consented_display_name_is_shown(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    html = _page(site, awarded_repo.ids["awa"])
    assert "<dt>Titulaire</dt><dd>Awa</dd>" in html


def test_revoked_and_expired_statuses(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award_id = awarded_repo.ids["bob"]
    revoked = dataclasses.replace(
        site,
        revocations=MappingProxyType(
            {award_id: Revocation(award_id, "Attribué par erreur", "2026-02-01T00:00:00Z")}
        ),
    )
    html = _page(revoked, award_id)
    assert (
        "Badge révoqué" in html
        and "Attribué par erreur" in html
        and 'data-status="revoked"' in html
        and "a révoqué ce badge le 1er février 2026." in html
    )
    # A revoked badge is not offered for LinkedIn, printing or a CV; its files stay, for
    # verifiers.
    assert "linkedin.com" not in html and 'id="bdg-print"' not in html
    assert (
        "bdg-download-main" not in html and "Les fichiers du badge, pour les vérificateurs" in html
    )
    assert "linkedin.com" in _page(site, award_id) and 'id="bdg-print"' in _page(site, award_id)
    # The telephone badge is valid 24 months: two years and a half later it has expired.
    later = datetime(2028, 7, 1, tzinfo=UTC)
    assert assertion_pages.status_of(site, site.awards[award_id], later) == {
        "kind": "expired",
        "date": "2028-01-10",
        "reason": "",
    }
    assert "Badge expiré" in _page(site, award_id, later)


def test_an_award_signed_by_a_key_since_compromised_must_be_issued_again(
    awarded_repo: AwardedRepo,
) -> None:
    keygen.mark_compromised(
        awarded_repo.root,
        "atelier-test",
        awarded_repo.keys.ed25519_id,
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    site = awarded_repo.site()
    award = site.awards[awarded_repo.ids["bob"]]
    assert assertion_pages.signing_keys(award) == {
        awarded_repo.keys.ed25519_id,
        awarded_repo.keys.rsa_id,
    }
    assert assertion_pages.status_of(site, award, MOMENT)["kind"] == "compromised"
    html = _page(site, award.id)
    assert "Badge à délivrer de nouveau" in html
    assert "(signatures refusées à partir du 1er mars 2026)" in html
    assert "linkedin.com" not in html and 'id="bdg-print"' not in html


def test_links_are_relative_so_the_page_works_from_any_origin(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award_id = awarded_repo.ids["bob"]
    html = _page(site, award_id)
    data = json.loads(
        re.search(
            r'<script type="application/json" id="bdg-data">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["jwt"] == f"{award_id}.vc.jwt"
    assert data["jwk"] == f"../issuers/atelier-test/keys/{awarded_repo.keys.rsa_id}.jwk.json"
    assert data["status"] == "../issuers/atelier-test/status.json"
    assert (
        'src="../badges/telephone/image.png"' in html
        and 'href="../assets/badgeons/verify.css"' in html
    )
    assert f'href="{award_id}.png" download' in html


def test_an_svg_badge_offers_no_png(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    html = _page(site, awarded_repo.ids["chloe"])
    assert '.png" download' not in html and '.svg" download' in html


def test_one_image_to_download_named_after_the_badge(awarded_repo: AwardedRepo) -> None:
    """A learner gets one clear button; the other formats wait under « Autres formats »."""
    site = awarded_repo.site()
    awa, chloe = awarded_repo.ids["awa"], awarded_repo.ids["chloe"]
    html = _page(site, awa)
    main_download = html.split('<p class="bdg-download-main">', 1)[1].split("</p>", 1)[0]
    assert main_download == (
        f'<a class="bdg-button" href="{awa}.png" download="telephone.png">Image du badge (PNG)</a>'
    )
    more = html.split('<details class="bdg-downloads-more">', 1)[1].split("</details>", 1)[0]
    assert more.count("<li>") == 7 and 'download="telephone-ob3.png"' in more
    # An SVG badge's image is its baked SVG.
    assert f'href="{chloe}.svg" download="accueillir-1.svg">Image du badge (SVG)' in _page(
        site, chloe
    )


def test_linkedin_link(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award = site.awards[awarded_repo.ids["bob"]]
    url = assertion_pages.linkedin_url(site, award, "https://badges.example.org/test/a/x.html")
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).netloc == "www.linkedin.com"
    assert query["name"] == ["Utiliser un téléphone portable"] and query["certId"] == [award.id]
    assert query["issueYear"] == ["2026"] and query["expirationYear"] == ["2028"]


@pytest.mark.parametrize(
    "value",
    [
        "https://badges.example.org/test/a/01JXYZ3K4M5N6P7Q8R9S0T1V2W.html",
        "https://badges.exemple.fr/a b/élève été/😀 x+y&z=1.html",
        "Utiliser un téléphone portable",
        "nom/avec/des/barres et espaces/",
        "/",
        "",
        2026,
        "01JXYZ3K4M5N6P7Q8R9S0T1V2W",
    ],
)
def test_the_query_is_that_of_urlencode(value: str | int) -> None:
    """Texts shared by awards are quoted once, and the unique ones in two parts: same query."""
    query: dict[str, str | int] = {"name": value, "certUrl": value, "certId": value, "n é": 3}
    unique = assertion_pages._PER_AWARD
    # Twice, so that the second time comes from the cache of quoted texts.
    for _ in range(2):
        assert assertion_pages._urlencode(query, unique) == urlencode(query)


def test_text_that_could_close_the_data_block_is_escaped(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    award = site.awards[awarded_repo.ids["bob"]]
    credential = json.loads(json.dumps(award.credential))
    credential["credentialSubject"]["achievement"]["name"] = "</script><script>alert(1)</script>"
    tricky = with_forms(award, credential=credential)
    html = assertion_pages.render_page(site, tricky, MOMENT)
    assert "</script><script>alert(1)" not in html


def test_files_include_the_shared_assets_and_one_page_per_award(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    files = assertion_pages.files(site, MOMENT)
    assert {"assets/badgeons/verify.css", "assets/badgeons/verify.js"} <= set(files)
    assert sorted(p for p in files if p.startswith("a/")) == sorted(
        f"a/{i}.html" for i in awarded_repo.ids.values()
    )
    assert assertion_pages.build_moment("0") == datetime(1970, 1, 1, tzinfo=UTC)
    assert issuing is not None


@pytest.mark.parametrize("name", assertion_pages.ASSETS)
def test_the_shared_assets_close_every_block_they_open(name: str) -> None:
    """A stray or missing brace makes a browser drop the rules after it, silently."""
    text = resources.files("build_tools.static").joinpath(name).read_text(encoding="utf-8")
    # Comments, strings and regular expressions with braces in them would fool the count.
    code = re.sub(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", text, flags=re.S)
    depth = 0
    for line_number, line in enumerate(code.splitlines(), start=1):
        for brace in re.findall(r"[{}]", line):
            depth += 1 if brace == "{" else -1
            assert depth >= 0, f"{name}: a brace closes nothing (around line {line_number})"
    assert depth == 0, f"{name}: {depth} block(s) left open"


def _former_page_key(site: Site, award: Award, moment: datetime) -> str:
    """The key of an award's page as PageKeys made it before hashing shared parts once."""
    return cache.key(
        "pages",
        repr(site.settings) + repr(site.endorsements),
        repr(site.badges[award.badge]),
        repr(site.issuers[award.issuer]),
        cache.stable_json(
            [
                assertion_pages.status_of(site, award, moment),
                site.display_names.get(award.id),
                endorsements.shown_on_award(site, award.id),
            ]
        ),
        cache.award_record(award),
    )


def test_page_keys_still_cover_every_input_of_a_page(awarded_repo: AwardedRepo) -> None:
    """Keys hashed from a shared prefix are those of the former, one-piece computation."""
    site = awarded_repo.site()
    bob = site.awards[awarded_repo.ids["bob"]]

    def endorsed(kind: EndorsedKind, target: str) -> Site:
        endorsement = Endorsement(
            f"e-{kind}", "atelier-test", kind, target, "Très bien", "2026-01-02", None, {}, "", ""
        )
        return dataclasses.replace(site, endorsements=MappingProxyType({"e": endorsement}))

    revoked = Revocation(bob.id, "Attribué par erreur", "2026-02-01T00:00:00Z")
    variants = [
        (site, MOMENT),
        (site, datetime(2100, 1, 1, tzinfo=UTC)),
        (dataclasses.replace(site, revocations=MappingProxyType({bob.id: revoked})), MOMENT),
        (endorsed("assertion", bob.id), MOMENT),
        (endorsed("badge", bob.badge), MOMENT),
        (endorsed("issuer", bob.issuer), MOMENT),
    ]
    seen: set[str] = set()
    for variant, moment in variants:
        keys = assertion_pages.PageKeys(variant, moment)
        for award in variant.awards.values():
            expected = _former_page_key(variant, award, moment)
            assert keys(award) == keys(award, cache.award_record(award)) == expected
        seen.add(keys(bob))
    # Each change of what Bob's page shows changes its key.
    assert len(seen) == len(variants)
