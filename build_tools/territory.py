"""The territoire apprenant: who agreed to be shown, with which badges, in which commune.

From the consents in force (:mod:`build_tools.consents`), this module makes the data of the map
page (``territoire.html``, drawn by :mod:`build_tools.territory_map`) and its open-data exports
``territoire.geojson`` and ``territoire.csv``: one feature, or row, per commune and badge.

What may leave the repository is decided here and only here:

- a position is the gazetteer's point of the holder's commune, never finer, and holders of one
  commune share it: the page groups them into one marker;
- a holder is a consent: its optional display name and the badges it lists, each with the link
  to its verification page; no email address of a person, ever;
- the contact route is the issuing organisation's public request address, with the badge's
  reference, unless the holder declined contact.

A badge whose verification page (or a named badge collection) shows the holder's name is not
linked where that name is not shown too: on the map when the consent shows no name or another
one (``Consent.unlinked``), in the exports always (``Consent.named``). Its reference, which is
the address of its page, is then replaced by the consent's id, which the organisation finds
with ``badgeons consent list``. Otherwise the map would put a name and a commune together that
the holder agreed to show only apart.

The exports leave out display names: an open-data file is copied beyond the reach of a
withdrawal, so it carries only what a recruiter needs to ask the organisation.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from build_tools import cache, i18n
from build_tools.gazetteer import Gazetteer, Place
from build_tools.gazetteer import load as load_gazetteer
from build_tools.model import BadgeClass, Consent, Site
from build_tools.searchtext import fold
from build_tools.urls import Urls

PAGE_SOURCE = "territoire.md"
PAGE = "territoire.html"
GEOJSON = "territoire.geojson"
CSV = "territoire.csv"
LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
POSITIONS_CREDIT = (
    "Positions des communes : GeoNames (CC BY 4.0) ; codes et noms : INSEE, La Poste, Etalab "
    "(Licence Ouverte 2.0)"
)
CSV_COLUMNS = (
    "insee",
    "commune",
    "departement",
    "latitude",
    "longitude",
    "badge",
    "badge_nom",
    "niveau",
    "type",
    "referentiels",
    "personnes",
    "pages_de_verification",
    "contact",
    "licence",
)


@dataclass(frozen=True)
class Shown:
    """One badge shown on the map: the assertion, its badge class and the consent showing it."""

    assertion: str
    badge: BadgeClass
    consent: Consent


def shown_badges(site: Site) -> list[Shown]:
    """Every badge shown, in a stable order (consents are kept in file order)."""
    found = []
    for consent in site.consents:
        for assertion in consent.assertions:
            award = site.awards[assertion]
            found.append(Shown(assertion, site.badges[award.badge], consent))
    return found


def _place(gazetteer: Gazetteer, consent: Consent) -> Place:
    place = gazetteer.get(consent.insee)
    assert place is not None, f"consent {consent.id} names a commune outside the gazetteer"
    return place


def _level(badge: BadgeClass) -> tuple[int, str]:
    return (badge.level.rank, badge.level.label.fr) if badge.level else (0, "")


def map_data(site: Site, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The compact document the page's script reads: tables, then one row per holder.

    ``holders`` rows are ``[commune, issuer, display name, contact (0/1), [badge, assertion,
    badge, assertion...], reference]``, where commune, issuer and badge are indexes in their
    tables. An assertion the map does not link is ``""``; the holder's ``reference`` (the
    consent's id) then stands for it in the contact route, and is ``""`` when not needed.
    """
    places = gazetteer or load_gazetteer()
    shown = shown_badges(site)
    badges = sorted({s.badge.slug: s.badge for s in shown}.values(), key=lambda b: fold(b.name.fr))
    frameworks = sorted({a.framework for b in badges for a in b.alignments}, key=fold)
    issuer_slugs = sorted({c.issuer for c in site.consents})
    communes = sorted({c.insee for c in site.consents})
    badge_index = {b.slug: i for i, b in enumerate(badges)}
    commune_index = {insee: i for i, insee in enumerate(communes)}
    issuer_index = {slug: i for i, slug in enumerate(issuer_slugs)}
    holders = []
    for consent in sorted(site.consents, key=lambda c: (c.insee, c.issuer, c.id)):
        pairs: list[int | str] = []
        for assertion in consent.assertions:
            linked = "" if assertion in consent.unlinked else assertion
            pairs += [badge_index[site.awards[assertion].badge], linked]
        holders.append(
            [
                commune_index[consent.insee],
                issuer_index[consent.issuer],
                consent.display_name or "",
                int(consent.contact),
                pairs,
                consent.id if consent.contact and consent.unlinked else "",
            ]
        )
    return {
        "badges": [_badge_entry(b, frameworks) for b in badges],
        "frameworks": frameworks,
        "issuers": [_issuer_entry(site, s) for s in issuer_slugs],
        "communes": [_commune_entry(places.get(i)) for i in communes],
        "holders": holders,
    }


def _badge_entry(badge: BadgeClass, frameworks: list[str]) -> dict[str, Any]:
    rank, label = _level(badge)
    return {
        "slug": badge.slug,
        "name": badge.name.fr,
        "level": rank,
        "levelLabel": label,
        "kind": badge.kind,
        "kindLabel": i18n.kind_label(badge.kind, "fr"),
        "frameworks": sorted({frameworks.index(a.framework) for a in badge.alignments}),
    }


def _issuer_entry(site: Site, slug: str) -> dict[str, Any]:
    issuer = site.issuers[slug]
    return {
        "slug": slug,
        "name": issuer.name.fr,
        "email": issuer.request_email,
        "url": issuer.request_url or "",
        "networks": list(issuer.networks),
    }


def _commune_entry(place: Place | None) -> list[Any]:
    assert place is not None
    return [place.insee, place.name, place.departement, place.lat, place.lon]


def filter_options(site: Site) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter of the page: only values that some shown badge has."""
    shown = shown_badges(site)
    badges = {s.badge.slug: s.badge for s in shown}.values()
    organisations = {s.consent.issuer for s in shown}
    networks = {n for o in organisations for n in site.issuers[o].networks if n in site.issuers}

    def by_name(slugs: set[str]) -> list[tuple[str, str]]:
        named = [(s, site.issuers[s].name.fr) for s in slugs]
        return sorted(named, key=lambda pair: fold(pair[1]))

    levels = sorted({_level(b) for b in badges if b.level})
    return {
        "badge": sorted(((b.slug, b.name.fr) for b in badges), key=lambda p: fold(p[1])),
        # One choice per rank, as in the catalogue (families may name their levels differently).
        "level": [(str(rank), f"{rank} · {label}") for rank, label in dict(levels).items()],
        "kind": sorted(
            {(b.kind, i18n.kind_label(b.kind, "fr")) for b in badges}, key=lambda p: p[1]
        ),
        "framework": [
            (f, f) for f in sorted({a.framework for b in badges for a in b.alignments}, key=fold)
        ],
        "network": by_name(networks),
        "organisation": by_name(organisations),
    }


@dataclass
class _Group:
    """The holders of one badge in one commune, for the exports."""

    place: Place
    badge: BadgeClass
    people: int
    #: The assertions whose page may be linked: those that show no name.
    pages: list[str]
    #: The references to quote, by issuer: the assertion, or the consent's id for one that
    #: shows a name (an export carries no name, and is copied beyond the reach of a withdrawal).
    contacts: dict[str, list[str]]


def _groups(site: Site, gazetteer: Gazetteer) -> list[_Group]:
    groups: dict[tuple[str, str], _Group] = {}
    for item in shown_badges(site):
        place = _place(gazetteer, item.consent)
        key = (place.insee, item.badge.slug)
        group = groups.setdefault(key, _Group(place, item.badge, 0, [], defaultdict(list)))
        group.people += 1
        named = item.assertion in item.consent.named
        if not named:
            group.pages.append(item.assertion)
        if item.consent.contact:
            reference = item.consent.id if named else item.assertion
            group.contacts[item.consent.issuer].append(reference)
    return [groups[k] for k in sorted(groups, key=lambda k: (fold(groups[k].place.name), k))]


def _contact_text(site: Site, contacts: dict[str, list[str]]) -> str:
    parts = []
    for slug, references in sorted(contacts.items()):
        issuer = site.issuers[slug]
        parts.append(
            f"{issuer.name.fr} : {issuer.request_email}, en citant la référence du badge "
            + " ou ".join(references)
        )
    return " ; ".join(parts)


@dataclass(frozen=True)
class _Row:
    """What both exports say of one commune and badge, computed once for the two."""

    group: _Group
    level: str
    kind: str
    frameworks: list[str]
    pages: list[str]
    contact: str


def _rows(site: Site, groups: list[_Group]) -> list[_Row]:
    urls = Urls(site.settings.site_url)
    # Thousands of groups show a hundred badges at most: each badge's facts are made once.
    facts: dict[str, tuple[str, str, list[str]]] = {}
    rows = []
    for group in groups:
        badge = group.badge
        if badge.slug not in facts:
            rank, label = _level(badge)
            facts[badge.slug] = (
                f"{rank} · {label}" if rank else "",
                i18n.kind_label(badge.kind, "fr"),
                sorted({a.framework for a in badge.alignments}),
            )
        level, kind, frameworks = facts[badge.slug]
        pages = [urls.absolute(urls.assertion_page(a)) for a in group.pages]
        rows.append(
            _Row(group, level, kind, frameworks, pages, _contact_text(site, group.contacts))
        )
    return rows


def geojson(site: Site, gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946): one point feature per commune and badge."""
    return _geojson(site, _rows(site, _groups(site, gazetteer or load_gazetteer())))


def _geojson(site: Site, rows: list[_Row]) -> dict[str, Any]:
    features = []
    for row in rows:
        group = row.group
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [group.place.lon, group.place.lat]},
                "properties": {
                    "insee": group.place.insee,
                    "commune": group.place.name,
                    "departement": group.place.departement,
                    "badge": group.badge.slug,
                    "badge_nom": group.badge.name.fr,
                    "niveau": row.level,
                    "type": row.kind,
                    "referentiels": row.frameworks,
                    "personnes": group.people,
                    "pages_de_verification": row.pages,
                    "contact": row.contact,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "territoire-apprenant",
        "licence": {"name": LICENCE, "url": LICENCE_URL},
        "attribution": POSITIONS_CREDIT,
        "source": Urls(site.settings.site_url).absolute(PAGE),
        "features": features,
    }


def csv_text(site: Site, gazetteer: Gazetteer | None = None) -> str:
    """The same content as the GeoJSON export, one row per commune and badge."""
    return _csv_text(_rows(site, _groups(site, gazetteer or load_gazetteer())))


def _csv_text(rows: list[_Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    notice = f"{LICENCE} ; {POSITIONS_CREDIT}"
    for row in rows:
        group = row.group
        writer.writerow(
            [
                group.place.insee,
                group.place.name,
                group.place.departement,
                f"{group.place.lat:.3f}",
                f"{group.place.lon:.3f}",
                group.badge.slug,
                group.badge.name.fr,
                row.level,
                row.kind,
                " | ".join(row.frameworks),
                group.people,
                " ".join(row.pages),
                row.contact,
                notice,
            ]
        )
    return out.getvalue()


def exports_key(site: Site) -> str:
    """The cache key of :func:`exports`: everything it reads from the site, as text.

    That is the consents in force, the badge of each assertion shown, those badges and the
    issuers of the consents (whole, by ``repr``) and the site's address; the gazetteer ships
    with the code, which every key covers.
    """
    shown = shown_badges(site)
    badges = sorted({item.badge.slug: item.badge for item in shown}.items())
    issuers = sorted({consent.issuer for consent in site.consents})
    return cache.key(
        "territory",
        site.settings.site_url,
        repr(site.consents),
        repr([(item.assertion, item.badge.slug) for item in shown]),
        repr(badges),
        repr([site.issuers[slug] for slug in issuers]),
    )


def exports(site: Site, gazetteer: Gazetteer | None = None) -> dict[str, bytes]:
    """Both exports, from one grouping of the holders."""
    rows = _rows(site, _groups(site, gazetteer or load_gazetteer()))
    document = json.dumps(_geojson(site, rows), ensure_ascii=False, separators=(",", ":"))
    return {
        GEOJSON: (document + "\n").encode("utf-8"),
        CSV: _csv_text(rows).encode("utf-8"),
    }
