from __future__ import annotations

import base64
import hashlib

import pytest

from build_tools import csp

PAGE = (
    '<html><head><meta charset="utf-8"><script>var a=1;</script>'
    '<script src="x.js"></script><script id="__config" type="application/json">{"a": 1}</script>'
    "</head><body><script>var a=1;</script><script>\nb()\n</script></body></html>"
)


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_only_executable_inline_scripts_are_hashed_once_each() -> None:
    assert csp.inline_script_hashes(PAGE) == [_sha("var a=1;"), _sha("\nb()\n")]


def test_policy_is_added_after_the_charset() -> None:
    html = csp.add_policy(PAGE)
    head = html.split("<script", 1)[0]
    assert head.startswith(
        '<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="'
    )
    assert f"script-src 'self' {_sha('var a=1;')} {_sha(chr(10) + 'b()' + chr(10))};" in head
    assert "default-src 'self'" in head and "object-src 'none'" in head
    assert csp.add_policy(html) == html  # Idempotent.


def test_a_page_without_charset_is_refused() -> None:
    with pytest.raises(ValueError, match="charset"):
        csp.add_policy("<html><head></head></html>")
