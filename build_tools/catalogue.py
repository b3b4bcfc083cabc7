"""Render the catalogue: home, one page per badge class and one per issuer or network.

The pages are produced as Markdown documents made of sanitised HTML with a front matter, so
that MkDocs and Material give them the site's look, navigation and search, while nothing of the
page content depends on MkDocs: the same pages could feed another static site generator. Their
HTML is published as rendered here: MkDocs takes the front matter, and the plugin hands it the
body without a second reading as Markdown.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from build_tools import i18n, searchtext, templating, versions
from build_tools.figures import Figure
from build_tools.figures import plain as plain_figure
from build_tools.history import Change
from build_tools.markup import plain
from build_tools.model import BadgeClass, Issuer, Site
from build_tools.urls import Urls


@dataclass(frozen=True)
class Page:
    """A generated catalogue page: its path in the docs tree and its content."""

    path: str
    title: str
    description: str
    body: str
    #: Material's parts of the page layout to hide (``navigation``, ``toc``).
    hide: tuple[str, ...] = ()
    lang: str = "fr"
    #: The title is the whole of the browser's title, not followed by the site's name (the
    #: home pages, whose title already names the site).
    full_title: bool = False
    #: For a French page in the site's navigation: its title in the navigation of English
    #: pages, and its English version's URL if it has one (front matter ``nav_title_en`` and
    #: ``page_en``, which hand-written pages may set too).
    nav_title_en: str | None = None
    page_en: str | None = None

    @property
    def url(self) -> str:
        """The page's path in the built site (directory URLs are off, for any static host)."""
        return self.path[: -len(".md")] + ".html"

    def markdown(self) -> str:
        # JSON strings are valid YAML scalars, so the front matter needs no escaping rules.
        # MkDocs and Material put the title and description into the page as HTML, unescaped
        # (in <title>, the header, the <h1>, a <meta> attribute): they are escaped here, so a
        # name holding « & » or « < » reads as typed and can never become markup.
        front: dict[str, object] = {
            "title": _escape(self.title),
            "description": _escape(self.description),
        }
        if self.hide:
            front["hide"] = list(self.hide)
        if self.lang != "fr":
            front["lang"] = self.lang
        if self.full_title:
            front["full_title"] = True
        if self.nav_title_en:
            front["nav_title_en"] = self.nav_title_en
        if self.page_en:
            front["page_en"] = self.page_en
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        return "---\n" + "\n".join(lines) + "\n---\n\n" + self.body


def _escape(text: str) -> str:
    """Text as HTML, in an element or a double-quoted attribute (apostrophes stay as typed)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def prefix(lang: str) -> str:
    """Where the pages of a language live: French at the root, English below ``en/``."""
    return "" if lang == "fr" else f"{lang}/"


def badge_page_path(slug: str, lang: str = "fr") -> str:
    return f"{prefix(lang)}badges/{slug}.md"


def issuer_page_path(slug: str, lang: str = "fr") -> str:
    return f"{prefix(lang)}issuers/{slug}.md"


def badge_image_path(badge: BadgeClass) -> str:
    """Where the badge image is published, relative to the site root."""
    return f"badges/{badge.slug}/image.{badge.image_format}"


def issuer_logo_path(issuer: Issuer) -> str | None:
    if issuer.logo is None:
        return None
    return f"issuers/{issuer.slug}/logo{issuer.logo.suffix.lower()}"


class _Links:
    """URL helpers bound to the page being rendered, so every link is relative.

    ``to`` reaches any file of the site (images); ``page`` reaches a page in the language of
    the page being rendered; ``other_language`` is this page in the other language.
    """

    def __init__(self, page_path: str, lang: str) -> None:
        self.page_path = page_path[: -len(".md")] + ".html"
        self.lang = lang

    def to(self, target: str) -> str:
        return templating.relative_url(self.page_path, target)

    def page(self, target: str) -> str:
        return self.to(prefix(self.lang) + target)

    def badge(self, slug: str) -> str:
        return self.page(f"badges/{slug}.html")

    def issuer(self, slug: str) -> str:
        return self.page(f"issuers/{slug}.html")

    def other_language(self) -> str:
        own = prefix(self.lang)
        bare = self.page_path[len(own) :]
        return self.to(prefix("en" if self.lang == "fr" else "fr") + bare)


def _context(
    site: Site, lang: str, path: str, figure: Figure = plain_figure, **extra: Any
) -> dict[str, Any]:
    return {
        "site": site,
        # Counts and dates that change with each award go through ``figure`` (figures.py).
        "figure": figure,
        "lang": lang,
        "t": i18n.WORDS[lang],
        "kind_label": lambda kind: i18n.kind_label(kind, lang),
        "link": _Links(path, lang),
        "image_path": badge_image_path,
        "logo_path": issuer_logo_path,
        **extra,
    }


def _render(template: str, context: dict[str, Any]) -> str:
    html = templating.environment().get_template(template).render(context)
    # The lines that the template's tags leave blank are dropped: the page is published as it
    # is rendered (MkDocs does not read it as Markdown, see mkdocs_plugin.on_page_markdown).
    return "\n".join(line for line in html.splitlines() if line.strip()) + "\n"


def badge_page(
    site: Site,
    badge: BadgeClass,
    lang: str = "fr",
    history: tuple[Change, ...] = (),
    figure: Figure = plain_figure,
) -> Page:
    """A badge class's page."""
    path = badge_page_path(badge.slug, lang)
    family = site.families.get(badge.level.family) if badge.level else None
    awarders = [site.issuers[s] for s in site.awarders(badge)]
    awarded = len(site.awards_by_badge.get(badge.slug, ()))
    context = _context(
        site,
        lang,
        path,
        figure,
        badge=badge,
        family=family,
        awarders=awarders,
        awarded=awarded,
        history=history,
        versions=versions.badge_versions(site, badge),
        version_words=versions.WORDS[lang],
        search_terms=" ".join(searchtext.variants(card_text(site, badge, lang))),
    )
    body = _render("catalogue/badge.html", context)
    return Page(
        path, badge.name.get(lang), plain(badge.description.get(lang))[:300], body, lang=lang
    )


def issuer_page(site: Site, issuer: Issuer, lang: str = "fr") -> Page:
    path = issuer_page_path(issuer.slug, lang)
    members = [site.issuers[s] for s in site.members(issuer.slug)] if issuer.is_network else []
    networks = [site.issuers[s] for s in issuer.networks if s in site.issuers]
    badges = sorted(site.badges_of(issuer.slug), key=lambda b: catalogue_order(site, b, lang))
    text = " ".join(
        [
            issuer.name.get(lang),
            plain(issuer.description.get(lang)),
            *(b.name.get(lang) for b in badges),
        ]
    )
    context = _context(
        site,
        lang,
        path,
        issuer=issuer,
        members=members,
        networks=networks,
        badges=badges,
        search_terms=" ".join(searchtext.variants(text)),
        did=Urls(site.settings.site_url).did(issuer.slug),
    )
    body = _render("catalogue/issuer.html", context)
    return Page(
        path, issuer.name.get(lang), plain(issuer.description.get(lang))[:300], body, lang=lang
    )


def home_page(site: Site, lang: str = "fr") -> Page:
    """The catalogue's home page."""
    path = prefix(lang) + "index.md"
    badges = sorted(site.badges.values(), key=lambda b: catalogue_order(site, b, lang))
    context = _context(
        site,
        lang,
        path,
        badges=badges,
        cards=[card_data(site, b, lang) for b in badges],
        filters=filter_options(site, badges, lang),
    )
    body = _render("catalogue/home.html", context)
    title = site.settings.title.get(lang)
    return Page(
        path,
        title,
        site.settings.description.get(lang),
        body,
        hide=("navigation", "toc"),
        lang=lang,
        full_title=True,
        nav_title_en="Catalogue" if lang == "fr" else None,
        page_en=_english_page(lang, path),
    )


def catalogue_order(site: Site, badge: BadgeClass, lang: str) -> tuple[str, int]:
    """Badges by name, the levels of a family together and in rank order."""
    if badge.level:
        family = site.families[badge.level.family]
        return family.name.get(lang).casefold(), badge.level.rank
    return badge.name.get(lang).casefold(), 0


def issuers_index(site: Site, lang: str = "fr") -> Page:
    path = prefix(lang) + "issuers/index.md"
    everyone = sorted(site.issuers.values(), key=lambda i: i.name.get(lang).casefold())
    context = _context(
        site,
        lang,
        path,
        networks=[i for i in everyone if i.is_network],
        organisations=[i for i in everyone if not i.is_network],
    )
    body = _render("catalogue/issuers.html", context)
    words = i18n.WORDS[lang]
    description = words["issuer_count"].format(n=len(everyone))
    return Page(
        path,
        words["issuers"],
        description,
        body,
        hide=("navigation", "toc"),
        lang=lang,
        nav_title_en="Issuers" if lang == "fr" else None,
        page_en=_english_page(lang, path),
    )


def _english_page(lang: str, path: str) -> str | None:
    """The URL of a French page's English version, which the English navigation leads to."""
    return prefix("en") + path[: -len(".md")] + ".html" if lang == "fr" else None


def pages(
    site: Site,
    languages: tuple[str, ...] = i18n.LANGUAGES,
    histories: dict[str, tuple[Change, ...]] | None = None,
    figure: Figure = plain_figure,
) -> list[Page]:
    """Every catalogue page of the site, in every language, in a stable order.

    ``figure`` writes the counts and dates that change with each award (build_tools/figures.py).
    """
    changes = histories or {}
    result: list[Page] = []
    for lang in languages:
        result += [home_page(site, lang), issuers_index(site, lang)]
        result += [
            badge_page(site, b, lang, changes.get(b.slug, ()), figure) for b in site.badges.values()
        ]
        result += [issuer_page(site, i, lang) for i in site.issuers.values()]
    return result


def card_text(site: Site, badge: BadgeClass, lang: str) -> str:
    """What a badge card says, as written: names, description, tags, frameworks, issuers."""
    awarders = set(badge.issuers) | set(site.awarders(badge))
    issuer_names = [site.issuers[s].name.get(lang) for s in sorted(awarders)]
    return " ".join(
        [
            badge.name.fr,
            badge.name.get("en"),
            plain(badge.description.get(lang)),
            *badge.tags,
            *(badge.tags_en if lang == "en" else ()),
            *(a.name for a in badge.alignments),
            *(a.framework for a in badge.alignments),
            *(a.code or "" for a in badge.alignments),
            *issuer_names,
            i18n.kind_label(badge.kind, lang),
        ]
    )


def card_data(site: Site, badge: BadgeClass, lang: str) -> dict[str, str]:
    """What the catalogue's filters and search read from a badge card (folded text)."""
    awarders = set(badge.issuers) | set(site.awarders(badge))
    text = card_text(site, badge, lang)
    return {
        "issuers": " ".join(sorted(awarders)),
        "kind": badge.kind,
        "level": str(badge.level.rank) if badge.level else "",
        "tags": "|".join(searchtext.fold(t) for t in badge.tags),
        "frameworks": "|".join(sorted({searchtext.fold(a.framework) for a in badge.alignments})),
        "text": " ".join(searchtext.words(text)),
    }


def filter_options(
    site: Site, badges: list[BadgeClass], lang: str
) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter of the catalogue: (value, label) pairs, only those in use."""
    awarding: set[str] = set()
    for badge in badges:
        awarding |= set(badge.issuers) | set(site.awarders(badge))
    issuers = sorted(
        awarding,
        key=lambda s: (not site.issuers[s].is_network, site.issuers[s].name.get(lang).casefold()),
    )
    kinds = sorted({b.kind for b in badges}, key=lambda k: i18n.kind_label(k, lang))
    levels = sorted({(b.level.rank, b.level.label.get(lang)) for b in badges if b.level})
    # The filter's values are the French tags (folded), whatever the language; English pages
    # show each tag's first translation (validate warns about a tag translated in two ways).
    labels: dict[str, str] = {}
    for badge in sorted(badges, key=lambda b: b.slug):
        for tag, shown in zip(badge.tags, badge.tags_in(lang), strict=True):
            labels.setdefault(tag, shown)
    tags = sorted(labels, key=lambda t: labels[t].casefold())
    frameworks = sorted({a.framework for b in badges for a in b.alignments}, key=str.casefold)
    return {
        "issuers": [(s, site.issuers[s].name.get(lang)) for s in issuers],
        "kinds": [(k, i18n.kind_label(k, lang)) for k in kinds],
        "levels": [(str(rank), f"{rank} · {label}") for rank, label in dict(levels).items()],
        "tags": [(searchtext.fold(t), labels[t]) for t in tags],
        "frameworks": [(searchtext.fold(f), f) for f in frameworks],
    }


def assets(site: Site) -> dict[str, bytes]:
    """Images the catalogue pages show: badge images and issuer logos, by site path."""
    files: dict[str, bytes] = {}
    for badge in site.badges.values():
        files[badge_image_path(badge)] = badge.image.read_bytes()
    for issuer in site.issuers.values():
        logo = issuer_logo_path(issuer)
        if logo and issuer.logo:
            files[logo] = issuer.logo.read_bytes()
    return files
