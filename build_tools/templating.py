"""The Jinja environment shared by every page the core renders.

Autoescaping is on and undefined names fail: a missing field breaks the build loudly instead of
printing an empty string on a public page. Sanitised Markdown enters templates only through the
``markdown`` filter, which returns markup that nh3 has already cleaned.
"""

from __future__ import annotations

import posixpath
import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from build_tools import i18n, markup

# A relative path of plain names: no empty, "." or ".." part, no leading slash (a target may
# end with one, a folder may not).
_PLAIN_FOLDER = re.compile(r"(?!\.\.?(?:/|$))[^/]+(?:/(?!\.\.?(?:/|$))[^/]+)*")
_PLAIN_TARGET = re.compile(_PLAIN_FOLDER.pattern + "/?")


def relative_url(from_page: str, target: str) -> str:
    """A link from one site path to another that works from a domain root or any sub-path.

    Both arguments are paths relative to the site root, such as ``badges/phone.html`` and
    ``issuers/atelier.html``; the result is ``../issuers/atelier.html``.
    """
    start = posixpath.dirname(from_page) or "."
    link = _relpath(target, start)
    return link + "/" if target.endswith("/") and not link.endswith("/") else link


def _relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for site paths, without its two trips to the working folder.

    Paths with ``.``, ``..`` or doubled slashes, or absolute ones, go to ``posixpath.relpath``.
    """
    if _PLAIN_TARGET.fullmatch(target) is None or (
        start != "." and _PLAIN_FOLDER.fullmatch(start) is None
    ):
        return posixpath.relpath(target, start)
    start_parts = start.split("/") if start != "." else []
    target_parts = target.rstrip("/").split("/")
    common = 0
    for mine, theirs in zip(start_parts, target_parts, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + target_parts[common:]
    return "/".join(parts) or "."


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
        # The templates are files of this package, which no build changes while it runs: by
        # default Jinja would look at each template file's time again on every page it renders
        # (a stat of page.html for each award).
        auto_reload=False,
    )
    env.filters["markdown"] = _markdown
    env.filters["markdown_inline"] = _markdown_inline
    env.filters["plain"] = markup.plain
    env.filters["long_date"] = i18n.long_date
    return env
