"""Markdown from the badge files, rendered to sanitised HTML.

Descriptions and criteria are written by many hands, so they are Markdown only: raw HTML is not
interpreted (it is shown as text, and ``badgeons validate`` reports it), and the HTML that
Markdown produces still goes through nh3 (the Ammonia sanitiser) with a short allow-list, which
also removes ``javascript:`` links and any attribute that could run code.
"""

from __future__ import annotations

import html as html_module
import re
from functools import cache, lru_cache
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension

from build_tools.diagnostics import Diagnostic, Position
from build_tools.yamlsource import Source, format_field

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# A raw HTML tag in Markdown source (autolinks such as <https://...> are Markdown, not HTML).
_RAW_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)(?![A-Za-z0-9-]*:)(\s[^>]*)?/?>")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1|^( {4}|\t).*$|^```.*?^```", re.S | re.M)
# A Markdown image: the sanitiser drops it (no <img> is allowed), so it would vanish unseen.
_IMAGE = re.compile(r"!\[[^\]]*\]\(")
_BAD_LINK = re.compile(r"\]\(\s*<?\s*(javascript|data|vbscript|file):", re.I)


class _NoRawHtml(Extension):
    """Python-Markdown extension that escapes raw HTML instead of passing it through."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


@cache
def _renderer() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["sane_lists", "tables", _NoRawHtml()], output_format="html"
    )


@lru_cache(maxsize=4096)
def render(text: str | None) -> str:
    """Markdown to sanitised HTML; headings are shifted so a description never outranks its page.

    Cached: the same criteria are rendered on the page of every award of a badge version.
    """
    if not text:
        return ""
    md = _renderer()
    md.reset()
    html = md.convert(text)
    html = re.sub(r"<(/?)h([12])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 2}", html)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer",
    )


def render_inline(text: str | None) -> str:
    """Markdown to sanitised HTML without the surrounding paragraph, for short texts."""
    html = render(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def plain(text: str | None) -> str:
    """The text content of rendered Markdown, as text (not HTML): « & » stays « & ».

    For search snippets and the descriptions of the signed documents; escape it to put it in
    HTML.
    """
    html = render(text)
    stripped = html_module.unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\s+", " ", stripped).strip()


def check_markdown(text: str, where: Position, field: str) -> list[Diagnostic]:
    """Report raw HTML and dangerous links in a Markdown text, which the site will not render."""
    problems: list[Diagnostic] = []
    visible = _CODE_SPAN.sub("", text)
    tags = sorted({m.group(1).lower() for m in _RAW_TAG.finditer(visible)})
    if tags:
        shown = ", ".join(f"<{t}>" for t in tags)
        problems.append(
            where.error(
                field,
                f"HTML interdit ({shown}) : écrivez en Markdown, le HTML n'est pas interprété",
            )
        )
    if _IMAGE.search(visible):
        problems.append(
            where.warning(
                field,
                "image Markdown (![…](…)) : les images ne sont pas affichées dans ce texte ; "
                "mettez un lien ([texte](adresse)) ou, pour le badge, le champ image",
            )
        )
    for match in _BAD_LINK.finditer(visible):
        problems.append(
            where.error(
                field,
                f"lien « {match.group(1)}: » interdit : seuls http, https et mailto sont permis",
            )
        )
    return problems


#: The Markdown fields of issuer and badge files.
MARKDOWN_FIELDS = (
    ("description",),
    ("description_en",),
    ("criteria", "narrative"),
    ("criteria", "narrative_en"),
    ("evidence",),
    ("evidence_en",),
    ("requests", "instructions"),
)


def check_plain_text(text: str, where: Position, field: str) -> list[Diagnostic]:
    """Report raw HTML in a field of plain text (a name, a tag, a task of a checklist).

    Such texts are escaped wherever they are shown, so a tag would appear as typed, in the
    page's title as in the badge's signed credential.
    """
    tags = sorted({m.group(1).lower() for m in _RAW_TAG.finditer(text)})
    if not tags:
        return []
    shown = ", ".join(f"<{t}>" for t in tags)
    return [
        where.error(
            field,
            f"HTML interdit ({shown}) : ce champ est du texte simple, écrit tel qu'il sera affiché",
        )
    ]


def _strings(node: Any, doc_path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every text of a YAML value, with its path."""
    if isinstance(node, str):
        return [(doc_path, node)]
    if isinstance(node, dict):
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return []
    return [found for key, value in items for found in _strings(value, (*doc_path, key))]


def check_markdown_fields(source: Source) -> list[Diagnostic]:
    """Raw HTML and dangerous links in every text of an issuer or badge file.

    The Markdown fields get :func:`check_markdown`, every other text :func:`check_plain_text`.
    It reads nothing but the fields' texts, so it runs on a file that failed its schema too.
    """
    problems: list[Diagnostic] = []
    for doc_path, text in _strings(source.data, ()):
        if doc_path in MARKDOWN_FIELDS:
            problems.extend(check_markdown(text, source.locate(doc_path), format_field(doc_path)))
        else:
            problems.extend(
                check_plain_text(text, source.locate_value(doc_path), format_field(doc_path))
            )
    return problems
