"""The immutable model of a whole Badgeons repository, as the link stage builds it.

Every later stage (Open Badges serialisation, signing, rendering) reads this model and nothing
else, so that every page sees one consistent whole. Human texts keep their Markdown source; the
render stage turns it into sanitised HTML.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from build_tools import fastjson
from build_tools.diagnostics import Position

IssuerType = Literal["organisation", "network", "endorser"]

#: The Open Badges 3.0 ``achievementType`` for our two plain-French kinds.
KIND_TO_ACHIEVEMENT_TYPE = MappingProxyType(
    {"competence": "Competency", "participation": "ext:Participation"}
)


@dataclass(frozen=True)
class Text:
    """A human text in French, with its optional English version (both Markdown or plain)."""

    fr: str
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to French."""
        return self.en if lang == "en" and self.en else self.fr


@dataclass(frozen=True)
class Commune:
    name: str
    postcode: str | None = None
    insee: str | None = None


@dataclass(frozen=True)
class PublicKey:
    """A public key of an issuer, as published in its profile."""

    id: str
    type: Literal["Ed25519", "RSA"]
    created: str
    public_key_multibase: str | None = None
    public_key_jwk: MappingProxyType[str, str] | None = None
    compromised: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Issuer:
    """An organisation that awards badges, or a network of organisations."""

    slug: str
    type: IssuerType
    name: Text
    url: str
    email: str
    description: Text
    logo: Path | None
    commune: Commune | None
    networks: tuple[str, ...]
    request_email: str
    request_url: str | None
    request_instructions: str | None
    keys: tuple[PublicKey, ...]
    source: Position = field(compare=False, repr=False)
    #: For a network: its members award its badges only once it has approved them.
    requires_approval: bool = False

    @property
    def is_network(self) -> bool:
        return self.type == "network"

    @property
    def is_endorser(self) -> bool:
        """An endorser (employer, tutor, professional branch) signs endorsements, never badges."""
        return self.type == "endorser"


@dataclass(frozen=True)
class Alignment:
    name: str
    url: str
    framework: str
    code: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Level:
    """The place of a badge in a family of levels of one competence."""

    family: str
    rank: int
    label: Text
    family_name: str | None = None
    family_name_en: str | None = None


@dataclass(frozen=True)
class Criteria:
    narrative: Text
    checklist: tuple[str, ...] = ()
    checklist_en: tuple[str, ...] = ()


BadgeStatus = Literal["draft", "proposed", "approved"]


@dataclass(frozen=True)
class Approval:
    """Who approved a badge class (a network or an issuer slug) and on which day."""

    by: str
    date: str


@dataclass(frozen=True)
class BadgeClass:
    """A badge class: what it recognises, how it is earned, and who may award it."""

    slug: str
    name: Text
    description: Text
    image: Path
    kind: str
    level: Level | None
    criteria: Criteria
    evidence: Text | None
    tags: tuple[str, ...]
    alignments: tuple[Alignment, ...]
    validity_months: int | None
    issuers: tuple[str, ...]
    version: str
    source: Position = field(compare=False, repr=False)
    #: Draft and proposed badges are shown for discussion but may not be awarded.
    status: BadgeStatus = "approved"
    approval: Approval | None = None
    #: The tags in English, one for each French tag and in the same order (or none).
    tags_en: tuple[str, ...] = ()

    def tags_in(self, lang: str) -> tuple[str, ...]:
        """The tags as shown in ``lang``, falling back to French."""
        return self.tags_en if lang == "en" and self.tags_en else self.tags

    @property
    def achievement_type(self) -> str:
        """The Open Badges 3.0 ``achievementType`` of this badge."""
        return KIND_TO_ACHIEVEMENT_TYPE.get(self.kind, self.kind)

    @property
    def image_format(self) -> Literal["png", "svg"]:
        return "svg" if self.image.suffix.lower() == ".svg" else "png"


@dataclass(frozen=True)
class LevelFamily:
    """Badges that are levels of one competence, ordered by rank."""

    slug: str
    #: In French, and in English when the badges give it.
    name: Text
    badges: tuple[str, ...]


@dataclass(frozen=True)
class RecordForms:
    """The three signed forms of an award's record. Shared by every reader: never mutate them."""

    credential: dict[str, Any]
    credential_jwt: str
    ob2_jws: str


class RecordChangedError(RuntimeError):
    """A record file no longer holds the bytes that were loaded and checked."""


@functools.lru_cache(maxsize=64)
def read_record(path: Path, digest: str, exact: bool = False) -> RecordForms:
    """The signed forms of the record at ``path``, which must still have the SHA-256 ``digest``.

    Awards keep only their metadata in memory and read their signed forms again when a stage
    needs them: a site of 100,000 awards would otherwise hold gigabytes of parsed JSON. A
    record edited while the build runs is refused rather than published unchecked. ``exact``:
    :func:`fastjson.exact` held for the bytes of that digest when they were first read.
    """
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise RecordChangedError(f"{path} changed during the build")
    record = fastjson.loads(data, exact=exact)
    return RecordForms(record["ob3"], record["ob3_jwt"], record["ob2_jws"])


@dataclass(frozen=True)
class Award:
    """A signed assertion, as stored in ``issuers/<issuer>/assertions/<id>.json``.

    The signed documents are the source of truth; the other fields are read from them when
    the record is loaded. The documents themselves stay on disk (see :func:`read_record`).
    """

    id: str
    issuer: str
    badge: str
    badge_version: str
    issued_on: str
    expires: str | None
    identity_hash: str
    salt: str
    #: The record file, and the SHA-256 of the bytes that were loaded and checked.
    record: Path = field(compare=False, repr=False)
    digest: str = field(compare=False, repr=False)
    source: Position = field(compare=False, repr=False, default=Position(""))
    #: SHA-256 of the criteria narrative embedded in the credential (see versions.py).
    criteria_digest: str = field(compare=False, repr=False, default="")
    #: Whether orjson reads the record exactly (awards.Claims.exact).
    exact: bool = field(compare=False, repr=False, default=False)

    @property
    def forms(self) -> RecordForms:
        return read_record(self.record, self.digest, self.exact)

    @property
    def credential(self) -> dict[str, Any]:
        return self.forms.credential

    @property
    def credential_jwt(self) -> str:
        return self.forms.credential_jwt

    @property
    def ob2_jws(self) -> str:
        return self.forms.ob2_jws


@dataclass(frozen=True)
class Revocation:
    assertion: str
    reason: str
    date: str
    source: Position = field(compare=False, repr=False, default=Position(""))


@dataclass(frozen=True)
class Consent:
    """A holder's consent to appear on the map of the territoire apprenant, as the build keeps it.

    Only consents in force are kept, with only the assertions that may still be shown; see
    :mod:`build_tools.consents`.
    """

    id: str
    issuer: str
    assertions: tuple[str, ...]
    #: INSEE code of the commune, resolved through the gazetteer.
    insee: str
    display_name: str | None
    given: str
    until: str
    #: Whether recruiters may ask the issuer to pass on a message (never the holder's address).
    contact: bool
    source: Position = field(compare=False, repr=False, default=Position(""))
    #: The assertions whose verification page, or a badge collection page listing them, shows
    #: a name of the holder: the open-data exports never link them (they carry no names).
    named: tuple[str, ...] = ()
    #: Those of ``named`` that the map does not link either, because the map shows no name, or
    #: another one: linking them would put a name and a commune together (build_tools/consents.py).
    unlinked: tuple[str, ...] = ()


EndorsedKind = Literal["badge", "issuer", "assertion"]


@dataclass(frozen=True)
class Endorsement:
    """A signed endorsement, as stored in ``issuers/<endorser>/endorsements/<id>.json``.

    ``target`` is a badge slug, an issuer slug or an assertion id, as ``target_kind`` says; the
    signed documents are the source of truth, the other fields are read from them.
    """

    id: str
    endorser: str
    target_kind: EndorsedKind
    target: str
    comment: str
    issued_on: str
    expires: str | None
    credential: dict[str, Any] = field(compare=False, repr=False)
    credential_jwt: str = field(compare=False, repr=False)
    ob2_jws: str = field(compare=False, repr=False)
    source: Position = field(compare=False, repr=False, default=Position(""))


@dataclass(frozen=True)
class Settings:
    site_url: str
    title: Text
    description: Text


@dataclass(frozen=True)
class Site:
    """The linked model of a whole repository."""

    root: Path
    settings: Settings
    issuers: MappingProxyType[str, Issuer]
    badges: MappingProxyType[str, BadgeClass]
    families: MappingProxyType[str, LevelFamily]
    awards: MappingProxyType[str, Award] = field(default_factory=lambda: MappingProxyType({}))
    revocations: MappingProxyType[str, Revocation] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Display names that holders agreed to show, by assertion id.
    display_names: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Consents in force to appear on the map of the territoire apprenant.
    consents: tuple[Consent, ...] = ()
    #: Signed endorsements of badges, issuers and awards, by endorsement id.
    endorsements: MappingProxyType[str, Endorsement] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @functools.cached_property
    def awards_by_badge(self) -> Mapping[str, tuple[Award, ...]]:
        """The awards of each badge (slug), in the order of :attr:`awards`.

        Pages and documents of each badge read their awards from here: a loop over every award
        for every badge costs 10 million steps at 100 badges and 100,000 awards.
        """
        grouped: dict[str, list[Award]] = {}
        for award in self.awards.values():
            grouped.setdefault(award.badge, []).append(award)
        return MappingProxyType({slug: tuple(found) for slug, found in grouped.items()})

    def members(self, network: str) -> tuple[str, ...]:
        """Slugs of the organisations that belong to a network, in name order."""
        found = [i for i in self.issuers.values() if network in i.networks]
        return tuple(i.slug for i in sorted(found, key=lambda i: i.name.fr.casefold()))

    def awarders(self, badge: BadgeClass) -> tuple[str, ...]:
        """Organisations allowed to award a badge, networks expanded into their members."""
        slugs: list[str] = []
        for slug in badge.issuers:
            issuer = self.issuers[slug]
            for member in self.members(slug) if issuer.is_network else (slug,):
                if member not in slugs:
                    slugs.append(member)
        return tuple(slugs)

    def may_award(self, issuer: str, badge: BadgeClass) -> bool:
        return issuer in self.awarders(badge)

    def badges_of(self, issuer: str) -> tuple[BadgeClass, ...]:
        """Badges an issuer or network may award (directly or through its networks)."""
        profile = self.issuers[issuer]
        own = {issuer, *profile.networks}
        found = [b for b in self.badges.values() if own & set(b.issuers)]
        return tuple(sorted(found, key=lambda b: b.name.fr.casefold()))
