"""The Jinja environment shared by every page the core renders.

Autoescaping is on and undefined names fail: a missing field breaks the build loudly instead of
printing an empty string on a public page. Sanitised Markdown enters templates only through the
``markdown`` filter, which returns markup that nh3 has already cleaned.
"""

from __future__ import annotations

import posixpath
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from build_tools import markup


def relative_url(from_page: str, target: str) -> str:
    """A link from one site path to another that works from a domain root or any sub-path.

    Both arguments are paths relative to the site root, such as ``badges/phone.html`` and
    ``issuers/atelier.html``; the result is ``../issuers/atelier.html``.
    """
    start = posixpath.dirname(from_page) or "."
    link = posixpath.relpath(target, start)
    return link + "/" if target.endswith("/") and not link.endswith("/") else link


def _markdown(text: str | None) -> Markup:
    # Safe as markup: nh3 has sanitised it.
    return Markup(markup.render(text))


def _markdown_inline(text: str | None) -> Markup:
    # Safe as markup: nh3 has sanitised it.
    return Markup(markup.render_inline(text))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("build_tools", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = _markdown
    env.filters["markdown_inline"] = _markdown_inline
    env.filters["plain"] = markup.plain
    return env
