"""JSON-LD for the signing core: an offline document loader, safe-mode expansion, canonicalisation.

Signing and verifying `eddsa-rdfc-2022` proofs canonicalises JSON-LD, which needs the documents
of every `@context` URL. They ship in `build_tools/contexts/` (see `NOTICE.md` there), listed in
`index.json`. The loader never goes to the network: any other URL raises `UnknownContextError`
naming it. A verifier may add documents of its own (a mapping URL -> document), for instance the
DID documents of our own site, so that they resolve offline too.

`canonicalize` gives the RDFC-1.0 (URDNA2015) N-Quads of a document after a safe-mode check:
pyld silently drops terms that no context defines (and a signature would then not cover them),
while `@digitalbazaar/vc` rejects such documents, so any dropped term raises `UndefinedTermError`.

This module also defines `VerificationError`, the base of every error of the signing core, since
it is the lowest layer that can fail during signing or verification. Import the errors from
`build_tools.signing`, which re-exports them.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any

# pyld (and requests with it) is imported where it is used: a build whose signature checks all
# come from the cache never needs it, and importing it costs a tenth of a second.

_CONTEXTS_PACKAGE = "build_tools"
_CONTEXTS_FOLDER = "contexts"
_INDEX_FILE = "index.json"
_RESOLVED_CACHE_SIZE = 100
# An absolute IRI has a scheme; blank node identifiers start with "_:".
_ABSOLUTE_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|_:)")


class VerificationError(Exception):
    """Base class of every failure of signing or verification; verification never returns False."""


class InvalidDocument(VerificationError, ValueError):
    """The document is not processable: wrong shape, missing members or invalid JSON-LD."""


class UndefinedTermError(InvalidDocument):
    """Safe mode: terms or types that no context defines (pyld would drop them and sign anyway)."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = tuple(sorted(set(terms)))
        super().__init__("terms not defined by the document's contexts: " + ", ".join(self.terms))


class UnknownContextError(VerificationError):
    """A document URL that the offline loader does not know (it never goes to the network)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"unknown JSON-LD document, refused offline: {url}")
        self.url = url


@functools.cache
def _packaged_documents() -> Mapping[str, Any]:
    """Parse every packaged context file once; the result is shared and must not be mutated."""
    folder = resources.files(_CONTEXTS_PACKAGE).joinpath(_CONTEXTS_FOLDER)
    index = json.loads(folder.joinpath(_INDEX_FILE).read_text(encoding="utf-8"))
    documents: dict[str, Any] = {}
    for url, name in index.items():
        documents[url] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return documents


def packaged_context_urls() -> frozenset[str]:
    """Return the URLs of the JSON-LD contexts shipped with Badgeons."""
    return frozenset(_packaged_documents())


def packaged_context(url: str) -> Any:
    """Return a copy of a packaged context document, or raise `UnknownContextError`."""
    documents = _packaged_documents()
    if url not in documents:
        raise UnknownContextError(url)
    return copy.deepcopy(documents[url])


class OfflineDocumentLoader:
    """A pyld document loader that answers only from packaged files and the given extra documents.

    Use `options()` to get the pyld options of one operation: they carry the loader and a context
    resolver whose cache belongs to this loader, so that resolved contexts are reused across
    operations without leaking into pyld's process-wide cache.
    """

    def __init__(self, extra_documents: Mapping[str, Any] | None = None) -> None:
        self._extra: dict[str, Any] = {}
        for url, document in (extra_documents or {}).items():
            if not isinstance(url, str) or not url:
                raise ValueError(f"extra document URLs must be non-empty strings: {url!r}")
            if not isinstance(document, Mapping | list):
                raise ValueError(f"the extra document for {url} is not a JSON object or array")
            # A deep copy protects the loader from later changes by the caller.
            self._extra[url] = copy.deepcopy(document)
        self._resolved = _BoundedCache(_RESOLVED_CACHE_SIZE)

    @property
    def known_urls(self) -> frozenset[str]:
        """All URLs this loader answers."""
        return packaged_context_urls() | frozenset(self._extra)

    def document(self, url: str) -> Any:
        """Return a copy of the document for a URL, or raise `UnknownContextError`."""
        if url in self._extra:
            return copy.deepcopy(self._extra[url])
        return packaged_context(url)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Answer pyld's request for a URL with a RemoteDocument."""
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            # pyld caches resolved contexts only when the loader marks them static.
            "tag": "static",
        }

    def options(self) -> dict[str, Any]:
        """Return fresh pyld options for one operation (loader and context resolver)."""
        from pyld.context_resolver import ContextResolver

        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved, self),
        }


class _BoundedCache(OrderedDict[str, Any]):
    """The small cache of resolved contexts that pyld's ContextResolver reads and fills."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


def find_unknown_context(error: BaseException) -> UnknownContextError | None:
    """Return the `UnknownContextError` behind an exception raised by pyld, if there is one."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, UnknownContextError):
            return current
        pending.extend(_causes(current))
    return None


def _causes(error: BaseException) -> Iterable[BaseException]:
    # pyld wraps loader failures in JsonLdError, keeping the cause both as the chained exception
    # and, in some versions, as a `cause` attribute.
    for candidate in (error.__cause__, error.__context__, getattr(error, "cause", None)):
        if isinstance(candidate, BaseException):
            yield candidate


def _pyld_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from pyld import jsonld

    try:
        return function(*args, **kwargs)
    except jsonld.JsonLdError as error:
        unknown = find_unknown_context(error)
        if unknown is not None:
            raise UnknownContextError(unknown.url) from error
        raise InvalidDocument(f"invalid JSON-LD: {error}") from error


def _relative_iris(element: Any, found: list[str]) -> None:
    """Collect `@id`, `@type` and datatype values of expanded JSON-LD that are not absolute."""
    if isinstance(element, list):
        for item in element:
            _relative_iris(item, found)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if isinstance(datatype, str) and datatype != "@json" and not _ABSOLUTE_IRI.match(datatype):
            found.append(f"datatype {datatype}")
        return
    node_id = element.get("@id")
    if isinstance(node_id, str) and not _ABSOLUTE_IRI.match(node_id):
        found.append(f"@id {node_id}")
    for node_type in element.get("@type", []):
        if isinstance(node_type, str) and not _ABSOLUTE_IRI.match(node_type):
            found.append(f"type {node_type}")
    for key, value in element.items():
        if key in ("@id", "@type", "@index", "@language", "@direction"):
            continue
        if key == "@reverse" and isinstance(value, dict):
            _relative_iris(list(value.values()), found)
        else:
            _relative_iris(value, found)


def expand_safely(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> list[Any]:
    """Expand a JSON-LD document, refusing every term and type its contexts do not define.

    pyld drops undefined terms silently, and the signature would then not cover them, while
    `@digitalbazaar/vc` rejects such a document ("safe mode"). Dropped properties are reported by
    pyld's `on_property_dropped` hook; undefined types and relative node IRIs (which RDF would
    drop too) are found by walking the expanded result.
    """
    if not isinstance(document, Mapping):
        raise InvalidDocument("a JSON-LD document is a JSON object")
    if "@context" not in document:
        raise InvalidDocument("the document has no @context")
    dropped: list[str] = []

    def on_dropped(term: str | None) -> None:
        dropped.append(f"term {term}" if term is not None else "a key with no IRI (null or @-like)")

    options = loader.options()
    # With an empty base pyld resolves relative IRIs against "http://example.org/base/"; with no
    # base they stay relative, and the walk below reports them as undefined.
    options["base"] = None
    from pyld import jsonld

    expanded = _pyld_call(
        jsonld.expand, copy.deepcopy(dict(document)), options, on_property_dropped=on_dropped
    )
    _relative_iris(expanded, dropped)
    if dropped:
        raise UndefinedTermError(dropped)
    return list(expanded)


def canonicalize(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a document, after safe mode."""
    loader = loader if loader is not None else OfflineDocumentLoader()
    expanded = expand_safely(document, loader)
    options = loader.options()
    options.update(algorithm="URDNA2015", format="application/n-quads")
    from pyld import jsonld

    canonical = _pyld_call(jsonld.normalize, expanded, options)
    if not isinstance(canonical, str):
        raise InvalidDocument("canonicalisation did not produce N-Quads")
    return canonical
