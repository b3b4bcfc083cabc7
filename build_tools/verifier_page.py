"""The "Vérifier un badge" page, ``verifier.html`` at the site root, its English twin
``en/verifier.html``, and the assets they share.

A visitor drops a baked PNG or SVG, a JSON credential or assertion, or pastes a VC-JWT or JWS;
``static/verifier.js`` reads and verifies it in the browser, with the rules of
:mod:`build_tools.checker`, and uploads nothing. Open Badges 3.0 Data Integrity proofs need
JSON-LD expansion and RDFC-1.0 canonicalisation: ``static/vendor/jsonld.min.js`` (built from the
npm package ``jsonld`` by ``browser/build.mjs``, and committed so that a build needs no Node)
does it, with the JSON-LD contexts of ``build_tools/contexts/`` published unmodified below
``assets/badgeons/contexts/`` and read from the same origin, never from the network.

Each page is one static file, written outside MkDocs like the assertion pages, from one
template whose words come from :data:`TEXTS`; the script is the same file for both, and picks
its messages by the page's ``lang``. Its Content
Security Policy allows scripts and styles of its own origin only, and lets the script read any
HTTPS site: a badge of another issuer is checked against the keys and revocation list that
issuer publishes, as the page says.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from markupsafe import Markup

from build_tools import templating
from build_tools.model import Site
from build_tools.publish import Files
from build_tools.urls import Urls

PAGE = "verifier.html"
#: The page in each language: French at the site root, English below ``en/`` as the catalogue.
PAGES = {"fr": PAGE, "en": f"en/{PAGE}"}
ASSET_FOLDER = "assets/badgeons"
#: Our own assets, from ``build_tools/static/`` (verify.css is shared with the assertion pages).
ASSETS = ("verify.css", "verifier.css", "verifier.js")
#: The vendored JSON-LD bundle and the licences of the packages inside it.
VENDOR = ("jsonld.min.js", "jsonld.min.js.LICENSES.txt")
CONTEXT_FOLDER = f"{ASSET_FOLDER}/contexts"

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # blob: shows the dropped image back to the visitor.
        "img-src 'self' data: blob:",
        # https: lets the script read another issuer's keys and revocation list.
        "connect-src 'self' https:",
        "base-uri 'none'",
        "form-action 'none'",
    )
)


#: The words of the page, by language (Markup: written as HTML); the script's own messages
#: are in verifier.js. French puts a no-break space before ":" and ";", so that a line never
#: starts with one.
TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Vérifier un badge",
        "description": "Vérifiez un open badge (image PNG ou SVG, fichier JSON, VC-JWT ou JWS) dans votre navigateur\u00a0: rien n'est envoyé.",
        "catalogue": "Catalogue des badges",
        "other_language": "English",
        "intro": "Déposez l'image d'un open badge (PNG ou SVG), son fichier JSON, ou collez son VC-JWT ou son JWS\u00a0: la page vérifie dans votre navigateur qui l'a délivré, que rien n'a été modifié depuis, et s'il est toujours valide.",
        "nothing_sent": "Le badge n'est envoyé nulle part.",
        "issuer_keys": "Pour vérifier la signature, votre navigateur lit les clés publiques et la liste de révocation de l'émetteur. Pour un badge de ce site, il les lit ici\u00a0; pour un badge d'un autre émetteur, il les demande au site de cet émetteur (en HTTPS), qui voit donc passer cette demande, mais jamais le badge.",
        "noscript": Markup(
            "Ce vérificateur fonctionne dans votre navigateur et a besoin de JavaScript. Sans JavaScript, utilisez la commande <code>badgeons verify</code> ou un autre vérificateur Open Badges."
        ),
        "your_badge": "Votre badge",
        "drop": "Déposez ici l'image du badge (PNG ou SVG) ou son fichier (JSON, JWT, JWS), ou choisissez-le\u00a0:",
        "paste": "Ou collez le badge\u00a0: JSON, VC-JWT, JWS, ou l'adresse d'un badge hébergé",
        "paste_button": "Vérifier le texte collé",
        "email": "Adresse e-mail de la personne (facultatif)",
        "email_hint": "Comparée dans votre navigateur à l'empreinte enregistrée dans le badge\u00a0; elle n'est envoyée nulle part.",
        "email_button": "Comparer l'adresse",
        "preview": "Image du badge déposé",
        "the_badge": "Le badge",
        "fact_badge": "Badge",
        "fact_issuer": "Émetteur",
        "fact_format": "Format",
        "fact_issued": "Délivré le",
        "fact_expires": "Expire le",
        "fact_id": "Identifiant",
        "badge_page": "Voir la page du badge\u00a0: ses critères, ses recommandations, son attestation à imprimer",
        "badge_class_page": "Voir le badge dans le catalogue\u00a0: ce qu'il reconnaît, et sa version actuelle",
        "checks": "Contrôles effectués",
        "sources": "Adresses consultées pour cette vérification",
    },
    "en": {
        "title": "Verify a badge",
        "description": "Verify an open badge (PNG or SVG image, JSON file, VC-JWT or JWS) in your browser: nothing is sent.",
        "catalogue": "Badge catalogue",
        "other_language": "Version française",
        "intro": "Drop the image of an open badge (PNG or SVG) or its JSON file, or paste its VC-JWT or JWS: the page checks in your browser who issued it, that nothing has been changed since, and whether it is still valid.",
        "nothing_sent": "The badge is not sent anywhere.",
        "issuer_keys": "To check the signature, your browser reads the issuer's public keys and revocation list. For a badge of this site, it reads them here; for a badge of another issuer, it asks that issuer's site for them (over HTTPS), which therefore sees the request, but never the badge.",
        "noscript": Markup(
            "This verifier runs in your browser and needs JavaScript. Without JavaScript, use the <code>badgeons verify</code> command or another Open Badges verifier."
        ),
        "your_badge": "Your badge",
        "drop": "Drop the badge's image (PNG or SVG) or its file (JSON, JWT, JWS) here, or choose it:",
        "paste": "Or paste the badge: JSON, VC-JWT, JWS, or the address of a hosted badge",
        "paste_button": "Verify the pasted text",
        "email": "The person's email address (optional)",
        "email_hint": "Compared in your browser with the fingerprint recorded in the badge; it is not sent anywhere.",
        "email_button": "Compare the address",
        "preview": "Image of the dropped badge",
        "the_badge": "The badge",
        "fact_badge": "Badge",
        "fact_issuer": "Issuer",
        "fact_format": "Format",
        "fact_issued": "Issued on",
        "fact_expires": "Expires on",
        "fact_id": "Identifier",
        # The badges' own pages are in French only.
        "badge_page": "See the badge's page (in French): its criteria, endorsements and printable certificate",
        "badge_class_page": "See the badge in the catalogue: what it recognises, in its current version",
        "checks": "Checks made",
        "sources": "Addresses read for this verification",
    },
}


def _static() -> Traversable:
    return resources.files("build_tools.static")


def _contexts() -> Traversable:
    return resources.files("build_tools").joinpath("contexts")


def sri(content: bytes) -> str:
    """A Subresource Integrity value (SHA-384), which the browser checks before running a script."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def context_paths() -> dict[str, str]:
    """The site path of each packaged JSON-LD context, by the URL it answers."""
    index: dict[str, str] = json.loads(_contexts().joinpath("index.json").read_text("utf-8"))
    return {url: f"{CONTEXT_FOLDER}/{name}" for url, name in sorted(index.items())}


def page_context(site: Site, lang: str = "fr") -> dict[str, Any]:
    """What the template shows, and the data the script reads from the page."""
    urls = Urls(site.settings.site_url)
    static = _static()
    page = PAGES[lang]
    # From en/verifier.html, the shared assets and the site's own files are one folder up.
    root = "../" * page.count("/")
    other = "en" if lang == "fr" else "fr"
    data = {
        "siteUrl": site.settings.site_url,
        "root": root,
        "jsonld": f"{root}{ASSET_FOLDER}/vendor/{VENDOR[0]}",
        "jsonldIntegrity": sri(static.joinpath("vendor", VENDOR[0]).read_bytes()),
        "contexts": {url: root + path for url, path in context_paths().items()},
    }
    return {
        "lang": lang,
        "t": TEXTS[lang],
        "csp": CSP,
        "site_title": site.settings.title.get(lang),
        "page_url": urls.absolute(page),
        "home": "index.html",
        "other_page": templating.relative_url(page, PAGES[other]),
        "other_lang": other,
        "assets": root + ASSET_FOLDER,
        # The site's icon (mkdocs.yml, theme.favicon), not /favicon.ico at the host's root.
        "icon": root + "assets/images/logo.svg",
        "script_integrity": sri(static.joinpath("verifier.js").read_bytes()),
        # JSON inside <script type="application/json">: "</" is escaped so no text can close it.
        "data_json": Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/")),
    }


def render_page(site: Site, lang: str = "fr") -> str:
    template = templating.environment().get_template("verifier/page.html")
    return template.render(page_context(site, lang))


def files(site: Site) -> Files:
    """Both pages, their script and styles, the JSON-LD bundle with its licences, and the contexts."""
    static = _static()
    output: Files = {page: render_page(site, lang).encode("utf-8") for lang, page in PAGES.items()}
    for name in ASSETS:
        output[f"{ASSET_FOLDER}/{name}"] = static.joinpath(name).read_bytes()
    for name in VENDOR:
        output[f"{ASSET_FOLDER}/vendor/{name}"] = static.joinpath("vendor", name).read_bytes()
    contexts = _contexts()
    for path in context_paths().values():
        output[path] = contexts.joinpath(path.rsplit("/", 1)[1]).read_bytes()
    # The contexts' licences require their notice to travel with the copies.
    output[f"{CONTEXT_FOLDER}/NOTICE.md"] = contexts.joinpath("NOTICE.md").read_bytes()
    return output
