"""The "Vérifier un badge" page, ``verifier.html`` at the site root, and the assets it needs.

A visitor drops a baked PNG or SVG, a JSON credential or assertion, or pastes a VC-JWT or JWS;
``static/verifier.js`` reads and verifies it in the browser, with the rules of
:mod:`build_tools.checker`, and uploads nothing. Open Badges 3.0 Data Integrity proofs need
JSON-LD expansion and RDFC-1.0 canonicalisation: ``static/vendor/jsonld.min.js`` (built from the
npm package ``jsonld`` by ``browser/build.mjs``, and committed so that a build needs no Node)
does it, with the JSON-LD contexts of ``build_tools/contexts/`` published unmodified below
``assets/badgeons/contexts/`` and read from the same origin, never from the network.

The page is one static file, written outside MkDocs like the assertion pages. Its Content
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


def page_context(site: Site) -> dict[str, Any]:
    """What the template shows, and the data the script reads from the page."""
    urls = Urls(site.settings.site_url)
    static = _static()
    data = {
        "siteUrl": site.settings.site_url,
        "jsonld": f"{ASSET_FOLDER}/vendor/{VENDOR[0]}",
        "jsonldIntegrity": sri(static.joinpath("vendor", VENDOR[0]).read_bytes()),
        "contexts": context_paths(),
    }
    return {
        "csp": CSP,
        "site_title": site.settings.title.fr,
        "page_url": urls.absolute(PAGE),
        "assets": ASSET_FOLDER,
        # The site's icon (mkdocs.yml, theme.favicon), not /favicon.ico at the host's root.
        "icon": "assets/images/logo.svg",
        "script_integrity": sri(static.joinpath("verifier.js").read_bytes()),
        # JSON inside <script type="application/json">: "</" is escaped so no text can close it.
        "data_json": Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/")),
    }


def render_page(site: Site) -> str:
    template = templating.environment().get_template("verifier/page.html")
    return template.render(page_context(site))


def files(site: Site) -> Files:
    """The page, its script and styles, the JSON-LD bundle with its licences, and the contexts."""
    static = _static()
    output: Files = {PAGE: render_page(site).encode("utf-8")}
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
