"""Link the loaded files into one immutable :class:`~build_tools.model.Site`.

The schema already checked each file on its own; this stage checks what only the whole
repository can tell: references between files, image files, level families and Markdown.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from types import MappingProxyType
from typing import Any

from build_tools import images, markup
from build_tools.diagnostics import Diagnostic, Position
from build_tools.discover import Loaded
from build_tools.model import (
    Alignment,
    Approval,
    BadgeClass,
    Commune,
    Criteria,
    Issuer,
    Level,
    LevelFamily,
    PublicKey,
    Settings,
    Site,
    Text,
)
from build_tools.yamlsource import Source


def _text(data: dict[str, Any], key: str) -> Text:
    return Text(data[key], data.get(f"{key}_en"))


def build_issuer(item: Loaded, root: Path) -> tuple[Issuer | None, list[Diagnostic]]:
    data = item.source.data
    logo, problems = images.check_file_field(item.source, root, "issuers", "logo")
    problems += markup.check_markdown_fields(item.source)
    seen: dict[str, int] = {}
    for index, key in enumerate(data.get("keys", [])):
        if key["id"] in seen:
            where = item.source.locate(("keys", index, "id"))
            problems.append(
                where.error(f"keys[{index}].id", f"identifiant de clé « {key['id']} » déjà utilisé")
            )
        seen[key["id"]] = index
    commune = data.get("commune")
    requests = data.get("requests", {})
    keys = tuple(
        PublicKey(
            id=k["id"],
            type=k["type"],
            created=k["created"],
            public_key_multibase=k.get("public_key_multibase"),
            public_key_jwk=MappingProxyType(dict(k["public_key_jwk"]))
            if "public_key_jwk" in k
            else None,
            compromised=k.get("compromised"),
            note=k.get("note"),
        )
        for k in data.get("keys", [])
    )
    issuer = Issuer(
        slug=item.slug,
        type=data["type"],
        name=_text(data, "name"),
        url=data["url"],
        email=data["email"],
        description=_text(data, "description"),
        logo=logo,
        commune=Commune(commune["name"], commune.get("postcode"), commune.get("insee"))
        if commune
        else None,
        networks=tuple(data.get("networks", [])),
        request_email=requests.get("email", data["email"]),
        request_url=requests.get("url"),
        request_instructions=requests.get("instructions"),
        keys=keys,
        source=item.source.locate(()),
        requires_approval=bool(data.get("requires_approval", False)),
    )
    return issuer, problems


def build_badge(item: Loaded, root: Path) -> tuple[BadgeClass | None, list[Diagnostic]]:
    data = item.source.data
    image, problems = images.check_file_field(item.source, root, "badges", "image")
    problems += markup.check_markdown_fields(item.source)
    criteria = data["criteria"]
    checklist = tuple(criteria.get("checklist", []))
    checklist_en = tuple(criteria.get("checklist_en", []))
    if checklist_en and len(checklist_en) != len(checklist):
        where = item.source.locate(("criteria", "checklist_en"))
        problems.append(
            where.error(
                "criteria.checklist_en",
                f"{len(checklist_en)} tâches traduites pour {len(checklist)} tâches en français",
            )
        )
    tags = tuple(data.get("tags", []))
    tags_en = tuple(data.get("tags_en", []))
    if tags_en and len(tags_en) != len(tags):
        problems.append(
            item.source.locate(("tags_en",)).error(
                "tags_en",
                f"{len(tags_en)} mots-clés traduits pour {len(tags)} mots-clés en français : "
                "un par mot-clé, dans le même ordre",
            )
        )
        tags_en = ()
    level = data.get("level")
    badge = BadgeClass(
        slug=item.slug,
        name=_text(data, "name"),
        description=_text(data, "description"),
        image=image or root / "badges" / data["image"],
        kind=data["kind"],
        level=Level(
            level["family"],
            level["rank"],
            _text(level, "label"),
            level.get("family_name"),
            level.get("family_name_en"),
        )
        if level
        else None,
        criteria=Criteria(_text(criteria, "narrative"), checklist, checklist_en),
        evidence=_text(data, "evidence") if "evidence" in data else None,
        tags=tags,
        tags_en=tags_en,
        alignments=tuple(Alignment(**a) for a in data.get("alignments", [])),
        validity_months=data.get("validity_months"),
        issuers=tuple(data["issuers"]),
        version=data["version"],
        source=item.source.locate(()),
        status=data.get("status", "approved"),
        approval=Approval(**data["approval"]) if "approval" in data else None,
    )
    return badge, problems


def _check_references(
    issuers: dict[str, Issuer],
    badges: dict[str, BadgeClass],
    sources: dict[str, Source],
    declared: set[str],
) -> list[Diagnostic]:
    """Check links between files; a file that failed its own checks still counts as existing."""
    problems: list[Diagnostic] = []
    networks = sorted(slug for slug, i in issuers.items() if i.is_network)
    for issuer in issuers.values():
        source = sources[f"issuer:{issuer.slug}"]
        for index, network in enumerate(issuer.networks):
            where = source.locate(("networks", index))
            field = f"networks[{index}]"
            if issuer.is_network:
                problems.append(
                    where.error(field, "un réseau ne peut pas être membre d'un autre réseau")
                )
            elif issuer.is_endorser:
                problems.append(
                    where.error(
                        field, "un recommandeur (type: endorser) n'est membre d'aucun réseau"
                    )
                )
            elif network not in declared:
                hint = _suggest(network, networks)
                problems.append(where.error(field, f"réseau inconnu « {network} »{hint}"))
            elif network in issuers and not issuers[network].is_network:
                problems.append(
                    where.error(
                        field, f"« {network} » est un organisme, pas un réseau (type: network)"
                    )
                )
    known = sorted(issuers)
    for badge in badges.values():
        source = sources[f"badge:{badge.slug}"]
        for index, slug in enumerate(badge.issuers):
            if slug not in declared:
                where = source.locate(("issuers", index))
                hint = _suggest(slug, known)
                problems.append(
                    where.error(f"issuers[{index}]", f"émetteur ou réseau inconnu « {slug} »{hint}")
                )
            elif slug in issuers and issuers[slug].is_endorser:
                problems.append(
                    source.locate(("issuers", index)).error(
                        f"issuers[{index}]",
                        f"« {slug} » recommande des badges (type: endorser) : il ne peut pas en délivrer",
                    )
                )
    return problems


def _link_families(
    badges: dict[str, BadgeClass], sources: dict[str, Source]
) -> tuple[dict[str, LevelFamily], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    grouped: dict[str, list[BadgeClass]] = defaultdict(list)
    for badge in badges.values():
        if badge.level:
            grouped[badge.level.family].append(badge)
    families: dict[str, LevelFamily] = {}
    for slug, members in sorted(grouped.items()):
        members.sort(key=lambda b: (b.level.rank if b.level else 0, b.slug))
        ranks: dict[int, BadgeClass] = {}
        names = {b.level.family_name for b in members if b.level and b.level.family_name}
        names_en = {b.level.family_name_en for b in members if b.level and b.level.family_name_en}
        for badge in members:
            assert badge.level is not None
            where = sources[f"badge:{badge.slug}"].locate(("level", "rank"))
            if badge.level.rank in ranks:
                other = ranks[badge.level.rank].slug
                problems.append(
                    where.error(
                        "level.rank",
                        f"le niveau {badge.level.rank} de la famille « {slug} » est déjà pris par badges/{other}.yaml",
                    )
                )
            ranks[badge.level.rank] = badge
        missing = [r for r in range(1, max(ranks) + 1) if r not in ranks]
        if missing:
            first = members[-1]
            where = sources[f"badge:{first.slug}"].locate(("level", "rank"))
            gaps = ", ".join(str(r) for r in missing)
            problems.append(
                where.error(
                    "level.rank",
                    f"famille « {slug} » : niveau(x) {gaps} manquant(s), les niveaux doivent se suivre à partir de 1",
                )
            )
        for field, found in (("family_name", names), ("family_name_en", names_en)):
            if len(found) > 1:
                where = sources[f"badge:{members[0].slug}"].locate(("level", field))
                listed = " / ".join(sorted(found))
                problems.append(
                    where.error(
                        f"level.{field}",
                        f"famille « {slug} » : noms différents selon les badges ({listed})",
                    )
                )
        name = sorted(names)[0] if names else slug.replace("-", " ").capitalize()
        name_en = sorted(names_en)[0] if names_en else None
        families[slug] = LevelFamily(slug, Text(name, name_en), tuple(b.slug for b in members))
    return families, problems


def _check_unique_names(
    badges: dict[str, BadgeClass], sources: dict[str, Source]
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for slug, badge in sorted(badges.items()):
        key = badge.name.fr.casefold().strip()
        if key in seen:
            where = sources[f"badge:{slug}"].locate(("name",))
            problems.append(where.error("name", f"nom déjà utilisé par badges/{seen[key]}.yaml"))
        else:
            seen[key] = slug
    return problems


def _check_tag_translations(
    badges: dict[str, BadgeClass], sources: dict[str, Source]
) -> list[Diagnostic]:
    """Warn when one French tag is translated in two ways: the English filter shows one."""
    first: dict[str, tuple[str, str]] = {}
    problems: list[Diagnostic] = []
    for slug, badge in sorted(badges.items()):
        for index, (tag, english) in enumerate(zip(badge.tags, badge.tags_en, strict=False)):
            seen = first.setdefault(tag, (english, slug))
            if seen[0] != english:
                where = sources[f"badge:{slug}"].locate_value(("tags_en", index))
                problems.append(
                    where.warning(
                        "tags_en",
                        f"« {tag} » est traduit « {seen[0]} » dans badges/{seen[1]}.yaml et "
                        f"« {english} » ici : le filtre anglais n'en montre qu'un",
                    )
                )
    return problems


def _suggest(word: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def link(
    root: Path, settings: Loaded, loaded: list[Loaded], declared_issuers: set[str]
) -> tuple[Site, list[Diagnostic]]:
    """Build the site model from files that passed their schemas.

    ``declared_issuers`` holds the slugs of every issuer file, valid or not, so that a badge
    naming an issuer whose own file has errors is not reported a second time.
    """
    problems: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    issuers: dict[str, Issuer] = {}
    badges: dict[str, BadgeClass] = {}
    for item in loaded:
        sources[f"{item.kind}:{item.slug}"] = item.source
        if item.kind == "issuer":
            issuer, found = build_issuer(item, root)
            problems += found
            if issuer:
                issuers[item.slug] = issuer
        else:
            badge, found = build_badge(item, root)
            problems += found
            if badge:
                badges[item.slug] = badge
    problems += _check_references(issuers, badges, sources, declared_issuers)
    families, found = _link_families(badges, sources)
    problems += found
    problems += _check_unique_names(badges, sources)
    problems += _check_tag_translations(badges, sources)
    data = settings.source.data
    site_settings = Settings(
        data["site_url"],
        _text(data, "title"),
        Text(data.get("description", ""), data.get("description_en")),
    )
    site = Site(
        root=root,
        settings=site_settings,
        issuers=MappingProxyType(dict(sorted(issuers.items()))),
        badges=MappingProxyType(dict(sorted(badges.items()))),
        families=MappingProxyType(families),
    )
    return site, problems


def position_of(site: Site, kind: str, slug: str) -> Position:
    """Where an issuer or badge file starts, for later stages' diagnostics."""
    if kind == "issuer":
        return site.issuers[slug].source
    return site.badges[slug].source
