"""A group's attestations in one file, printed in one go: one A4 sheet per award.

A trainer who awards a badge to a whole group hands each learner a printed attestation with
the QR code of its verification page. Printing a dozen pages one by one is slow and error-prone,
so ``badgeons attestations`` (and ``badgeons award --attestations``) write one HTML file that
holds the attestation of each award, as its verification page prints it, one per sheet.

The sheets are the pages' own ``attestation`` block (build_tools/templates/assertion/page.html),
so a change to the page changes the printed sheet too. The file stands alone, to be opened from
the trainer's disk without the site: its stylesheet and badge images are inside it, and its
links are absolute. It holds nothing that the published pages do not show (the holder's name
only with consent, never an email address), and it is not part of the site.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources

from markupsafe import escape

from build_tools import assertion_pages, templating, verification
from build_tools.diagnostics import Diagnostic
from build_tools.jsonld_loader import OfflineDocumentLoader
from build_tools.model import Award, Site
from build_tools.urls import Urls

_MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# Links of the page relative to ``a/``: to the site's other pages and to the award's own files.
_RELATIVE_LINK = re.compile(r'href="(\.\./)?(?![a-z]+:|#)')


class AttestationError(Exception):
    """A selection of awards that cannot be printed, with a French message."""


def select(
    site: Site,
    ids: Sequence[str] = (),
    *,
    issuer: str | None = None,
    badge: str | None = None,
    issued_on: str | None = None,
) -> list[Award]:
    """The awards to print: those named, in the order given, or those that match every filter.

    ``issued_on`` is a day (AAAA-MM-JJ). Revoked awards, and awards signed with a key since
    declared compromised, are never printed: one named is an error, and the filters leave them
    out.
    """
    if ids and (issuer or badge or issued_on):
        raise AttestationError(
            "indiquez soit des identifiants, soit --issuer, --badge et --issued-on"
        )
    if ids:
        unknown = [i for i in ids if i not in site.awards]
        if unknown:
            raise AttestationError(
                f"aucun badge délivré ne porte l'identifiant « {', '.join(unknown)} »"
            )
        revoked = [i for i in ids if i in site.revocations]
        if revoked:
            raise AttestationError(
                f"badge révoqué, pas d'attestation à imprimer : « {', '.join(revoked)} »"
            )
        compromised = [i for i in ids if assertion_pages.compromised_keys(site, site.awards[i])]
        if compromised:
            raise AttestationError(
                "badge signé avec une clé déclarée compromise, à délivrer de nouveau : "
                f"« {', '.join(compromised)} »"
            )
        return [site.awards[i] for i in dict.fromkeys(ids)]
    if not issuer:
        raise AttestationError(
            "indiquez les identifiants des badges, ou au moins --issuer ORGANISME"
        )
    if issuer not in site.issuers:
        raise AttestationError(f"organisme inconnu : « {issuer} »")
    if badge is not None and badge not in site.badges:
        raise AttestationError(f"badge inconnu : « {badge} »")
    chosen = [
        award
        for award in site.awards.values()
        if award.issuer == issuer
        and (badge is None or award.badge == badge)
        and (issued_on is None or award.issued_on[:10] == issued_on)
        and award.id not in site.revocations
        and not assertion_pages.compromised_keys(site, award)
    ]
    if not chosen:
        raise AttestationError(
            "aucun badge à imprimer ne correspond à ces critères (les badges révoqués ou à "
            "délivrer de nouveau sont exclus)"
        )
    return sorted(chosen, key=lambda a: (a.issued_on, a.badge, a.id))


def problems(site: Site, awards: Sequence[Award]) -> list[Diagnostic]:
    """Every problem of the awards' signatures: a sheet says « Badge authentique » only if so."""
    loader = OfflineDocumentLoader()
    return [
        found for award in awards for found in verification.verify_award(site, award, loader=loader)
    ]


def document(site: Site, awards: Sequence[Award], moment: datetime) -> str:
    """The HTML file of the attestations of ``awards``, one sheet each, in that order."""
    template = templating.environment().get_template("assertion/page.html")
    urls = Urls(site.settings.site_url)
    images: dict[str, str] = {}
    sheets: list[str] = []
    for award in awards:
        context = assertion_pages.page_context(site, award, moment)
        badge = site.badges[award.badge]
        if badge.slug not in images:
            data = base64.b64encode(badge.image.read_bytes()).decode("ascii")
            images[badge.slug] = f"data:{_MEDIA_TYPES[badge.image_format]};base64,{data}"
        context["image"] = images[badge.slug]
        block = "".join(template.blocks["attestation"](template.new_context(context)))
        # The file is opened from the trainer's disk: every link leads to the published site.
        block = _RELATIVE_LINK.sub(_absolute_link(urls, award), block)
        sheets.append(_as_sheet(block, len(sheets) + 1))
    style = resources.files("build_tools.static").joinpath("verify.css").read_text("utf-8")
    count = len(awards)
    title = f"Attestations à imprimer ({count})"
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} — {escape(site.settings.title.fr)}</title>\n"
        f"<style>\n{style}{_BATCH_STYLE}</style>\n</head>\n<body>\n"
        f'<header class="bdg-batch-intro"><p><strong>{escape(title)}</strong>'
        " : une page A4 par badge, dans l'ordre de la liste. Imprimez ce fichier avec le menu"
        " Imprimer du navigateur (Ctrl+P). Si la personne n'a pas choisi d'afficher son nom,"
        " une ligne est laissée pour l'écrire à la main.</p></header>\n"
        + "<main>\n"
        + "\n".join(sheets)
        + "</main>\n</body>\n</html>\n"
    )


# What names an element of the page, or points to one: unique within a page, not within a file
# of many pages.
_ID_REFERENCE = re.compile(r'\b(id|for|aria-labelledby|aria-describedby)="([^"]+)"|href="#([^"]+)"')


def _as_sheet(block: str, number: int) -> str:
    """A page's body as the ``number``-th sheet of the file: a section, its ids its own."""
    if not (block.startswith('<main id="contenu">') and block.rstrip().endswith("</main>")):
        raise ValueError("the page's attestation block is not its <main> element")
    inner = block[len('<main id="contenu">') : block.rstrip().rindex("</main>")]

    def own(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return f'href="#{match.group(3)}-{number}"'
        names = " ".join(f"{name}-{number}" for name in match.group(2).split())
        return f'{match.group(1)}="{names}"'

    label = f'aria-labelledby="statut-{number}"'
    return f'<section class="bdg-sheet" {label}>{_ID_REFERENCE.sub(own, inner)}</section>\n'


def _absolute_link(urls: Urls, award: Award) -> Callable[[re.Match[str]], str]:
    """What replaces a relative ``href="`` on the sheet of ``award``: the site's, or ``a/``."""
    folder = urls.absolute(urls.assertion_page(award.id)).rsplit("/", 1)[0] + "/"

    def replace(match: re.Match[str]) -> str:
        return f'href="{urls.site_url if match.group(1) else folder}'

    return replace


# On screen, the sheets follow one another as they will print, without the page's buttons and
# forms (the file has no script); printed, each starts a page. A sheet is laid out as the page's
# <main> is, the QR code placed against its top right corner.
_BATCH_STYLE = """
/* Attestations of a group (badgeons attestations): one sheet per award. */
.bdg-batch-intro { padding: .8rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
.bdg-batch-intro p { max-width: 52rem; margin: 0 auto; }
.bdg-screen-only, .bdg-muted, .bdg-live { display: none !important; }
.bdg-print-only { display: inline; }
.bdg-print-note { display: block; }
.bdg-sheet { position: relative; }
.bdg-sheet + .bdg-sheet { margin-top: 2rem; border-top: 2px dashed var(--line); padding-top: 2rem; }
@media print {
  .bdg-batch-intro { display: none; }
  .bdg-sheet { break-after: page; }
  .bdg-sheet:last-child { break-after: auto; }
  .bdg-sheet + .bdg-sheet { margin-top: 0; border-top: none; padding-top: 0; }
}
"""
