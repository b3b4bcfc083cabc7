"""A Content-Security-Policy that each page of the site satisfies.

Material for MkDocs puts a few small inline scripts in every page (their text depends on the
page's depth), so the policy allows exactly those, by hash, and nothing else from the page
itself: no other inline script, no style attribute, no asset from another host.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_META_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.I)

POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources (``'sha256-…'``) of the executable inline scripts of a page, in order."""
    found: list[str] = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs") or ""
        if re.search(r"\bsrc\s*=", attrs) or re.search(
            r"type\s*=\s*[\"']application/(ld\+)?json", attrs
        ):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in found:
            found.append(source)
    return found


def policy_for(html: str) -> str:
    hashes = "".join(f" {h}" for h in inline_script_hashes(html))
    return POLICY.format(hashes=hashes)


def add_policy(html: str) -> str:
    """The page with a ``<meta http-equiv="Content-Security-Policy">`` right after its charset."""
    if "Content-Security-Policy" in html:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    match = _META_CHARSET.search(html)
    if match is None:
        raise ValueError("a page without <meta charset=utf-8> cannot receive a policy")
    return html[: match.end()] + meta + html[match.end() :]
