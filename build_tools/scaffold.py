"""Skeletons for a new issuer or badge class, written by ``badgeons new``.

A skeleton is a commented YAML file in French whose fields to fill hold the marker
``À COMPLÉTER``: ``badgeons validate`` reports every marker left, so a member who opens a pull
request too early is told exactly what is missing.
"""

from __future__ import annotations

import colorsys
import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from build_tools.discover import SLUG, SLUG_HELP

ISSUER_TEMPLATE = """\
# yaml-language-server: $schema=../build_tools/schemas/issuer.schema.json
# Profil de l'émetteur « {slug} ».
# Remplacez chaque « À COMPLÉTER », puis vérifiez avec : badgeons validate
# Les textes sont en Markdown (pas de HTML). Les champs *_en (anglais) sont facultatifs.

# organisation : un organisme qui délivre des badges ; network : un réseau (collectif) d'organismes.
type: {type}
name: "À COMPLÉTER : nom public de l'organisme"
# name_en: "Name in English, if it differs"
url: "https://a-completer.example.org/"
# Adresse de contact publique de l'organisme (jamais l'adresse personnelle d'une personne).
email: "contact@a-completer.example.org"
description: |
  À COMPLÉTER : qui vous êtes, ce que vous faites, pour quels publics.
# description_en: |
#   Who you are, in English.

# Logo PNG ou SVG, chemin relatif au dossier issuers/ (facultatif).
# logo: {slug}/logo.png

commune:
  name: "À COMPLÉTER : nom de la commune"
  # postcode: "41000"
  # insee: "41018"

# Réseaux dont l'organisme est membre (identifiants des fichiers issuers/<réseau>.yaml).
networks: []

# Où les personnes envoient leurs demandes de badge (par défaut : l'adresse de contact).
requests:
  instructions: |
    À COMPLÉTER : comment demander un badge (rendez-vous, permanences, pièces à apporter).
  # email: "badges@a-completer.example.org"
  # url: "https://a-completer.example.org/demande-de-badge"

# Les clés publiques sont ajoutées par : badgeons keygen {slug}
"""

BADGE_TEMPLATE = """\
# yaml-language-server: $schema=../build_tools/schemas/badge.schema.json
# Badge « {slug} ».
# Remplacez chaque « À COMPLÉTER », puis vérifiez avec : badgeons validate
# Les textes sont en Markdown (pas de HTML). Les champs *_en (anglais) sont facultatifs.

name: "À COMPLÉTER : nom du badge"
# name_en: "Badge name in English"
description: |
  À COMPLÉTER : ce que le badge reconnaît, pour qui, dans quel contexte.

# Image PNG ou SVG, chemin relatif au dossier badges/. Une image de départ a été créée :
# remplacez-la par la vôtre (carrée, 512×512 px conseillé, au plus 2048×2048 px et 2 Mo).
image: images/{slug}.png

# competence, participation, ou un type Open Badges 3.0 (Certificate, Course, Award...).
kind: competence

# Facultatif : place du badge dans une famille de niveaux d'une même compétence.
# level:
#   family: {slug}
#   family_name: "Nom de la compétence"
#   family_name_en: "Name of the competence"   # en anglais, facultatif
#   rank: 1            # 1, 2, 3... sans trou
#   label: "Je fais"   # « Je fais », « Je transmets », « Je pilote »...

criteria:
  narrative: |
    À COMPLÉTER : ce que la personne doit montrer pour obtenir le badge.
  # Tâches observables, cochées par le formateur (facultatif).
  checklist:
    - "À COMPLÉTER : première tâche observable"

# Preuves attendues (photos, attestation d'un tuteur, production...).
evidence: |
  À COMPLÉTER : les preuves que la personne apporte.

tags: []
# tags_en: []   # les mêmes mots-clés en anglais, dans le même ordre (facultatif)

# Référentiels (ESCO, ROME, RNCP/RS, référentiels régionaux), facultatif.
alignments: []
#  - name: "Nom de la compétence dans le référentiel"
#    url: "https://..."
#    framework: "ROME"
#    code: "K2111"

# Durée de validité en mois (facultatif ; sans ce champ, le badge n'expire pas).
# validity_months: 24

# Organismes ou réseaux autorisés à délivrer ce badge.
issuers:
  - {issuer}

version: "1.0"

# Un nouveau badge arrive au statut « proposé » : il figure au catalogue, mais personne ne peut
# encore le délivrer. Une fois le badge accepté par le collectif, une autre demande de fusion le
# passe à « approved » (voir docs/gouvernance.md). « draft » : brouillon, encore en écriture.
status: proposed
"""


class ScaffoldError(ValueError):
    """The skeleton cannot be written; the message says why, in French."""


def new_issuer(root: Path, slug: str, network: bool = False) -> Path:
    """Write ``issuers/<slug>.yaml`` and return its path."""
    _check_slug(slug)
    target = root / "issuers" / f"{slug}.yaml"
    _refuse_existing(target, root)
    text = ISSUER_TEMPLATE.format(slug=slug, type="network" if network else "organisation")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def new_badge(root: Path, slug: str, issuer: str) -> list[Path]:
    """Write ``badges/<slug>.yaml`` and a starting image; return the paths written."""
    _check_slug(slug)
    if not (root / "issuers" / f"{issuer}.yaml").is_file():
        raise ScaffoldError(f"émetteur inconnu « {issuer} » : issuers/{issuer}.yaml n'existe pas")
    target = root / "badges" / f"{slug}.yaml"
    image = root / "badges" / "images" / f"{slug}.png"
    _refuse_existing(target, root)
    written = [target]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(BADGE_TEMPLATE.format(slug=slug, issuer=issuer), encoding="utf-8")
    if not image.exists():
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(starting_image(slug))
        written.append(image)
    return written


def starting_image(slug: str, size: int = 512) -> bytes:
    """A plain round badge with the slug's initials, in a colour derived from the slug."""
    from io import BytesIO

    hue = int(hashlib.sha256(slug.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = (round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.38, 0.55))
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (8, 8, size - 8, size - 8), fill=(r, g, b, 255), outline=(255, 255, 255, 255), width=12
    )
    initials = "".join(part[0] for part in slug.split("-")[:3]).upper()
    font = ImageFont.load_default(size=size // 4)
    draw.text((size / 2, size / 2), initials, fill="white", font=font, anchor="mm")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _check_slug(slug: str) -> None:
    if not SLUG.match(slug) or len(slug) > 64:
        raise ScaffoldError(f"identifiant « {slug} » invalide : {SLUG_HELP}")


def _refuse_existing(target: Path, root: Path) -> None:
    if target.exists():
        raise ScaffoldError(
            f"{target.relative_to(root).as_posix()} existe déjà : rien n'a été écrit"
        )
