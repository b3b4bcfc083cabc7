"""The "sac à badges" pages (``S/sac/<id>.html``), written as static files outside MkDocs.

Like the verification pages (:mod:`build_tools.assertion_pages`), whose look and QR code they
reuse, they are rendered from one Jinja template and need no script: each badge links to its
verification page, and the page's own QR code is there to be printed on a CV.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

from build_tools import assertion_pages, collections, qrcodes, templating
from build_tools.collections import Collection
from build_tools.model import Site
from build_tools.publish import Files
from build_tools.urls import Urls

FOLDER = "sac"
CSS = "collection.css"
STATUS_LABELS = {
    "expired": "Badge expiré",
    "compromised": "Badge à délivrer de nouveau (clé de signature compromise)",
    "revoked": "Badge révoqué",
}


def page_path(collection_id: str) -> str:
    return f"{FOLDER}/{collection_id}.html"


def page_context(site: Site, collection: Collection, moment: datetime) -> dict[str, Any]:
    urls = Urls(site.settings.site_url)
    page_url = urls.absolute(page_path(collection.id))
    badges = []
    for assertion in collection.assertions:
        award = site.awards[assertion]
        badge = site.badges[award.badge]
        status = assertion_pages.status_of(site, award, moment)
        award_url = urls.absolute(urls.assertion_page(award.id))
        badges.append(
            {
                "name": award.credential["credentialSubject"]["achievement"]["name"],
                "issuer": site.issuers[award.issuer].name.fr,
                "issued": award.issued_on[:10],
                "expires": award.expires[:10] if award.expires else None,
                "status": status["kind"],
                "status_label": STATUS_LABELS.get(status["kind"], ""),
                "image": "../" + urls.badge_image(badge.slug, badge.image_format),
                "page": "../" + urls.assertion_page(award.id),
                "url": award_url,
                "english_check": assertion_pages.english_check(award_url),
            }
        )
    name = collection.display_name
    return {
        "collection": collection,
        "title": f"Les badges de {name}" if name else "Sac à badges",
        "badges": badges,
        "page_url": page_url,
        "qr": qrcodes.svg(page_url),
        "home": "../index.html",
        "verify_page": "../verifier.html",
        "assets": "../" + assertion_pages.ASSET_FOLDER,
        "icon": "../assets/images/logo.svg",
        "site_title": site.settings.title.fr,
    }


def render_page(site: Site, collection: Collection, moment: datetime) -> str:
    template = templating.environment().get_template("collection/page.html")
    return template.render(page_context(site, collection, moment))


def files(site: Site, moment: datetime) -> Files:
    """The page of every collection in force, and its stylesheet.

    The collections were checked when the site was loaded; their problems were reported then.
    """
    shown, _ = collections.load_collections(site)
    output: Files = {
        f"{assertion_pages.ASSET_FOLDER}/{CSS}": (
            resources.files("build_tools.static").joinpath(CSS).read_bytes()
        )
    }
    for collection in shown:
        output[page_path(collection.id)] = render_page(site, collection, moment).encode("utf-8")
    return output
