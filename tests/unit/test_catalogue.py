from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

from build_tools import catalogue
from build_tools.model import Site, Text
from build_tools.pipeline import load_site


def _site(root: Path) -> Site:
    site, report = load_site(root)
    assert site is not None, [str(d) for d in report]
    return site


def test_one_page_per_badge_and_issuer_plus_indexes(minimal_repo: Path) -> None:
    paths = [page.path for page in catalogue.pages(_site(minimal_repo), ("fr",))]
    assert paths == [
        "index.md",
        "issuers/index.md",
        "badges/accueillir-1.md",
        "badges/accueillir-2.md",
        "badges/telephone.md",
        "issuers/atelier-test.md",
        "issuers/reseau-test.md",
    ]


def test_badge_page_content_and_relative_links(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    page = catalogue.badge_page(site, site.badges["accueillir-2"])
    body = page.body
    assert page.title == "Accueillir un public — Je transmets"
    assert 'src="accueillir-2/image.svg"' in body
    assert 'href="accueillir-1.html"' in body  # the other level of the family
    assert 'aria-current="page"' in body
    assert (
        'href="../issuers/reseau-test.html"' in body
        and 'href="../issuers/atelier-test.html"' in body
    )
    assert "\n\n" not in body  # Markdown would end the raw HTML block at a blank line.
    assert page.markdown().startswith('---\ntitle: "Accueillir un public — Je transmets"\n')


def test_checklist_and_alignments_are_shown(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    body = catalogue.badge_page(site, site.badges["telephone"]).body
    assert "Tâches observées (3)" in body
    assert "<li>Envoyer un SMS</li>" in body
    assert '<a href="https://example.org/referentiel/smartphone" rel="noopener noreferrer">' in body
    assert "24 mois après l&#39;attribution" in body
    assert "mailto:badges@atelier.example.org?subject=" in body


def test_text_from_files_is_escaped(minimal_repo: Path) -> None:
    """``validate`` refuses HTML in names and tasks; the pages escape them anyway."""
    site = _site(minimal_repo)
    telephone = site.badges["telephone"]
    criteria = dataclasses.replace(
        telephone.criteria, checklist=("Allumer", "Passer un <i>appel</i>")
    )
    telephone = dataclasses.replace(
        telephone, name=Text("Téléphone <b>& co</b>"), criteria=criteria
    )
    site = dataclasses.replace(
        site, badges=MappingProxyType(dict(site.badges) | {"telephone": telephone})
    )
    home = catalogue.home_page(site).body
    assert "Téléphone &lt;b&gt;&amp; co&lt;/b&gt;" in home
    page = catalogue.badge_page(site, telephone)
    assert "Passer un &lt;i&gt;appel&lt;/i&gt;" in page.body
    # MkDocs and Material put the front matter's title and description into the page as
    # HTML, unescaped: the core escapes them.
    front = page.markdown().split("---")[1]
    assert 'title: "Téléphone &lt;b&gt;&amp; co&lt;/b&gt;"' in front
    assert "<b>" not in front


def test_english_pages_use_translations_with_french_fallback(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    assert (
        catalogue.badge_page(site, site.badges["telephone"], "en").title == "Using a mobile phone"
    )
    assert (
        catalogue.badge_page(site, site.badges["accueillir-1"], "en").title
        == "Accueillir un public — Je fais"
    )


def test_assets_hold_every_image(minimal_repo: Path) -> None:
    files = catalogue.assets(_site(minimal_repo))
    assert sorted(files) == [
        "badges/accueillir-1/image.svg",
        "badges/accueillir-2/image.svg",
        "badges/telephone/image.png",
        "issuers/atelier-test/logo.png",
    ]
    assert files["badges/telephone/image.png"].startswith(b"\x89PNG")


def test_home_keeps_the_levels_of_a_family_together_in_rank_order(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    order = [
        b.slug
        for b in sorted(
            site.badges.values(), key=lambda b: catalogue.catalogue_order(site, b, "fr")
        )
    ]
    assert order == ["accueillir-1", "accueillir-2", "telephone"]
    home = catalogue.home_page(site)
    assert home.hide == ("navigation", "toc")
    assert 'hide: ["navigation", "toc"]' in home.markdown()


def test_a_family_of_levels_is_named_in_the_pages_language(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    badge = site.badges["accueillir-1"]
    french = catalogue.badge_page(site, badge, "fr").body
    english = catalogue.badge_page(site, badge, "en").body
    assert "Les niveaux de la compétence « Accueillir un public »" in french
    assert "Levels of the competence “Welcoming a public”" in english
    # The request form is in French on both pages (the message goes to a French organisation):
    # the English page says so on its button.
    assert "<summary>Demander ce badge</summary>" in french
    assert '<summary lang="en">Request this badge (form in French)</summary>' in english
    # Without an English name, the English page names the family in French.
    for path in (minimal_repo / "badges").glob("accueillir-*.yaml"):
        text = path.read_text(encoding="utf-8").replace(
            "  family_name_en: Welcoming a public\n", ""
        )
        path.write_text(text, encoding="utf-8")
    site = _site(minimal_repo)
    english = catalogue.badge_page(site, site.badges["accueillir-1"], "en").body
    assert "Levels of the competence “Accueillir un public”" in english


def test_english_pages_live_below_en_and_link_to_their_french_twin(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    paths = [p.path for p in catalogue.pages(site)]
    assert (
        "en/index.md" in paths
        and "en/badges/telephone.md" in paths
        and "en/issuers/reseau-test.md" in paths
    )
    page = catalogue.badge_page(site, site.badges["accueillir-2"], "en")
    assert page.markdown().count('lang: "en"') == 1
    assert 'href="../../badges/accueillir-2.html" hreflang="fr"' in page.body
    assert 'href="../issuers/reseau-test.html"' in page.body  # Links stay in English...
    assert 'src="../../badges/accueillir-2/image.svg"' in page.body  # ...images are shared.


def test_cards_carry_folded_text_for_filters(minimal_repo: Path) -> None:
    site = _site(minimal_repo)
    data = catalogue.card_data(site, site.badges["telephone"], "fr")
    assert data["tags"] == "numerique|telephone"
    assert data["frameworks"] == "referentiel regional"
    assert data["issuers"] == "atelier-test"
    assert "numerique" in data["text"].split() and "telephone" in data["text"].split()
    options = catalogue.filter_options(site, list(site.badges.values()), "fr")
    assert options["levels"] == [("1", "1 · Je fais"), ("2", "2 · Je transmets")]
    assert [v for v, _ in options["issuers"]] == ["reseau-test", "atelier-test"]


def test_pages_list_other_spellings_for_the_site_search(minimal_repo: Path) -> None:
    """MkDocs' search matches words as written; the page lists, under their own heading, the
    spellings without accents or plurals that it does not already hold."""
    site = _site(minimal_repo)
    body = catalogue.badge_page(site, site.badges["telephone"]).body
    section = body[body.index('<section class="bdg-search-terms" hidden>') :]
    assert '<h2 id="recherche">Autres graphies (pour la recherche)</h2>' in section
    terms = section.split("<p>", 1)[1].split("</p>", 1)[0].split()
    assert "telephone" in terms and "premier" in terms
    assert "portable" not in terms  # already written so on the page
    english = catalogue.badge_page(site, site.badges["telephone"], "en").body
    assert "Other spellings (for the search)" in english
    # The facts read as words, not « Version1.0 », once the search drops the markup.
    assert "</dt> <dd>" in body and "</dt><dd>" not in body


def test_tags_are_shown_in_english_on_english_pages(minimal_repo: Path) -> None:
    path = minimal_repo / "badges" / "telephone.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "tags_en: [digital, mobile phone]\n", encoding="utf-8")
    site = _site(minimal_repo)
    badge = site.badges["telephone"]
    french = catalogue.badge_page(site, badge, "fr").body
    english = catalogue.badge_page(site, badge, "en").body
    assert '<span class="bdg-tag">numérique</span> <span class="bdg-tag">téléphone</span>' in french
    assert (
        '<span class="bdg-tag">digital</span> <span class="bdg-tag">mobile phone</span>' in english
    )
    # The filter keeps the French values in both languages; only its labels change.
    assert catalogue.filter_options(site, [badge], "fr")["tags"] == [
        ("numerique", "numérique"),
        ("telephone", "téléphone"),
    ]
    assert catalogue.filter_options(site, [badge], "en")["tags"] == [
        ("numerique", "digital"),
        ("telephone", "mobile phone"),
    ]
    assert catalogue.card_data(site, badge, "en")["tags"] == "numerique|telephone"
    # The English catalogue's search finds the English words too.
    assert "digital" in catalogue.card_data(site, badge, "en")["text"].split()
    assert "digital" not in catalogue.card_data(site, badge, "fr")["text"].split()
