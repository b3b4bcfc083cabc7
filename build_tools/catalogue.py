"""Render the catalogue: home, one page per badge class and one per issuer or network.

The pages are produced as Markdown documents made of sanitised HTML with a front matter, so
that MkDocs and Material give them the site's look, navigation and search, while nothing of the
page content depends on MkDocs: the same pages could feed another static site generator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from build_tools import i18n, templating
from build_tools.markup import plain
from build_tools.model import BadgeClass, Issuer, Site


@dataclass(frozen=True)
class Page:
    """A generated catalogue page: its path in the docs tree and its content."""

    path: str
    title: str
    description: str
    body: str
    #: Material's parts of the page layout to hide (``navigation``, ``toc``).
    hide: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """The page's path in the built site (directory URLs are off, for any static host)."""
        return self.path[: -len(".md")] + ".html"

    def markdown(self) -> str:
        # JSON strings are valid YAML scalars, so the front matter needs no escaping rules.
        front: dict[str, object] = {"title": self.title, "description": self.description}
        if self.hide:
            front["hide"] = list(self.hide)
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        return "---\n" + "\n".join(lines) + "\n---\n\n" + self.body


def badge_page_path(slug: str) -> str:
    return f"badges/{slug}.md"


def issuer_page_path(slug: str) -> str:
    return f"issuers/{slug}.md"


def badge_image_path(badge: BadgeClass) -> str:
    """Where the badge image is published, relative to the site root."""
    return f"badges/{badge.slug}/image.{badge.image_format}"


def issuer_logo_path(issuer: Issuer) -> str | None:
    if issuer.logo is None:
        return None
    return f"issuers/{issuer.slug}/logo{issuer.logo.suffix.lower()}"


class _Links:
    """URL helpers bound to the page being rendered, so every link is relative."""

    def __init__(self, page_path: str) -> None:
        self.page = page_path[: -len(".md")] + ".html"

    def to(self, target: str) -> str:
        return templating.relative_url(self.page, target)

    def badge(self, slug: str) -> str:
        return self.to(f"badges/{slug}.html")

    def issuer(self, slug: str) -> str:
        return self.to(f"issuers/{slug}.html")


def _context(site: Site, lang: str, path: str, **extra: Any) -> dict[str, Any]:
    return {
        "site": site,
        "lang": lang,
        "t": i18n.WORDS[lang],
        "kind_label": lambda kind: i18n.kind_label(kind, lang),
        "link": _Links(path),
        "image_path": badge_image_path,
        "logo_path": issuer_logo_path,
        **extra,
    }


def _render(template: str, context: dict[str, Any]) -> str:
    html = templating.environment().get_template(template).render(context)
    # Python-Markdown ends a raw HTML block at a blank line, so none may stand inside one.
    return "\n".join(line for line in html.splitlines() if line.strip()) + "\n"


def badge_page(site: Site, badge: BadgeClass, lang: str = "fr") -> Page:
    path = badge_page_path(badge.slug)
    family = site.families.get(badge.level.family) if badge.level else None
    awarders = [site.issuers[s] for s in site.awarders(badge)]
    context = _context(site, lang, path, badge=badge, family=family, awarders=awarders)
    body = _render("catalogue/badge.html", context)
    return Page(path, badge.name.get(lang), plain(badge.description.get(lang))[:300], body)


def issuer_page(site: Site, issuer: Issuer, lang: str = "fr") -> Page:
    path = issuer_page_path(issuer.slug)
    members = [site.issuers[s] for s in site.members(issuer.slug)] if issuer.is_network else []
    networks = [site.issuers[s] for s in issuer.networks if s in site.issuers]
    badges = sorted(site.badges_of(issuer.slug), key=lambda b: catalogue_order(site, b, lang))
    context = _context(
        site, lang, path, issuer=issuer, members=members, networks=networks, badges=badges
    )
    body = _render("catalogue/issuer.html", context)
    return Page(path, issuer.name.get(lang), plain(issuer.description.get(lang))[:300], body)


def home_page(site: Site, lang: str = "fr") -> Page:
    path = "index.md"
    badges = sorted(site.badges.values(), key=lambda b: catalogue_order(site, b, lang))
    context = _context(site, lang, path, badges=badges)
    body = _render("catalogue/home.html", context)
    title = site.settings.title.get(lang)
    return Page(path, title, site.settings.description.get(lang), body, hide=("navigation", "toc"))


def catalogue_order(site: Site, badge: BadgeClass, lang: str) -> tuple[str, int]:
    """Badges by name, the levels of a family together and in rank order."""
    if badge.level:
        family = site.families[badge.level.family]
        return family.name.casefold(), badge.level.rank
    return badge.name.get(lang).casefold(), 0


def issuers_index(site: Site, lang: str = "fr") -> Page:
    path = "issuers/index.md"
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
    return Page(path, words["issuers"], description, body, hide=("navigation", "toc"))


def pages(site: Site, lang: str = "fr") -> list[Page]:
    """Every catalogue page of the site, in a stable order."""
    result = [home_page(site, lang), issuers_index(site, lang)]
    result += [badge_page(site, b, lang) for b in site.badges.values()]
    result += [issuer_page(site, i, lang) for i in site.issuers.values()]
    return result


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
