"""The rules of ``site_url`` that a JSON Schema pattern cannot explain, and the example domains.

Every identifier of a badge lives below ``site_url``, and each issuer is a ``did:web`` made from
its host: the address must be one that every verifier reads the same way. ``did:web`` resolves
over HTTPS only, and browsers lower-case the host of a URL (``new URL(...).origin``) while a
comparison of strings does not: a site_url in ``http://`` or with capitals in its host gives
badges that our own verifiers judge differently. A port is legal (``did:web`` writes it
``%3A``), and the path keeps its case, as URL paths are case-sensitive.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

#: Domains reserved for examples (RFC 2606 and RFC 6761): no site is ever published there.
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net", "example")


def problem(site_url: object) -> str | None:
    """Why ``site_url`` cannot be used, in French, with the address to write instead; or None.

    Only what the schema's pattern leaves unexplained is judged here: a value that is not a
    string, or not an absolute URL, is left to the schema.
    """
    if not isinstance(site_url, str):
        return None
    parts = urlsplit(site_url)
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    reasons: list[str] = []
    if parts.scheme != "https":
        reasons.append(
            "did:web n'accepte que https (le site doit être servi en HTTPS, docs/deploy.md)"
        )
    netloc = parts.netloc
    if not host.isascii():
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return "nom de domaine invalide"
        netloc = netloc.replace(_raw_host(parts.netloc), ascii_host)
        reasons.append(
            "le nom de domaine doit être écrit sous sa forme ASCII (punycode), "
            "celle que les navigateurs utilisent"
        )
    elif any(c.isupper() for c in _raw_host(parts.netloc)):
        netloc = netloc.replace(_raw_host(parts.netloc), host)
        reasons.append(
            "le nom de domaine doit être en minuscules (les navigateurs le mettent en minuscules : "
            "les badges ne s'y vérifieraient plus ; le chemin garde sa casse)"
        )
    if not reasons:
        return None
    fixed = urlunsplit(("https", netloc, parts.path, parts.query, parts.fragment))
    return f"« {site_url} » : {' ; '.join(reasons)}. Écrivez « {fixed} »"


def _raw_host(netloc: str) -> str:
    """The host of a ``netloc`` as written (``urlsplit().hostname`` lower-cases it)."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def example_domain(site_url: str) -> str | None:
    """The reserved example domain that ``site_url`` is on (``example.org``...), or None."""
    host = (urlsplit(site_url).hostname or "").rstrip(".")
    for domain in EXAMPLE_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None
