"""Exact RDFC-1.0 canonicalisation for verification, memoised by document shape.

Verifying an `eddsa-rdfc-2022` proof canonicalises the credential and its proof configuration;
with pyld, JSON-LD expansion and the conversion to RDF cost about ten times more than the
canonical labelling itself. Credentials made by the same code differ mostly in the values of
their strings (names, dates, identifiers), and these values pass through JSON-LD processing
unchanged: only the structure of the document, its contexts and its types decide what RDF it
becomes. So `canonicalize_fast` runs pyld's pipeline (`jsonld_loader.expand_safely`, then the
conversion to RDF that `jsonld.normalize` does) once per *shape*, on a copy of the document whose
free strings are unique placeholders, and keeps the resulting dataset as a template. For every
later document of that shape it writes the real strings into a copy of the template and runs
pyld's own URDNA2015 canonical labelling and serialisation on it.

The output is exactly that of `jsonld_loader.canonicalize`. A string is free only where its
placeholder lands verbatim in the dataset: as the lexical value of a literal, or as an IRI,
and then only for real values that pyld leaves verbatim too (an absolute IRI whose scheme and
whole value are not terms of the contexts). Every other string, every number, boolean and
null, all keys, every value of `@type`, of another keyword or of a keyword alias, and the
contexts themselves are part of the shape key, so a template is applied only to documents that
pyld processes in the same way. Each template is checked once more with different probe values
before it is used. Two nodes that would merge (one subject IRI twice) and repeated values are
handled as pyld does or sent to the slow path. Anything unusual (an unknown or inline context,
keys pyld drops, lists, JSON literals, a shape whose template fails) takes the slow exact path,
`jsonld_loader.canonicalize`, which also raises its errors, so only the speed changes.

Deriving a template imports pyld and runs it three times: about 0.2 s, most of a build that
adds one award. Within :func:`kept_in`, plans and templates are also kept in a store (the
build cache) under the shape's key and the code version, and taken from it before any is
derived: they are plain data, written as JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

# pyld (and requests with it) is imported where it is used: a build whose signature checks all
# come from the cache never needs it, and importing it costs a tenth of a second.
from build_tools import cache, fastjson, rdfc
from build_tools.jsonld_loader import (
    OfflineDocumentLoader,
    UnknownContextError,
    canonicalize,
    expand_safely,
)

CACHE_SIZE = 256
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
# Keywords whose presence in the expanded document makes a shape go to the slow path: their
# RDF (lists, reverse properties, directions, indexes, JSON literals) is not templated here.
_UNSUPPORTED_KEYWORDS = frozenset({"@list", "@reverse", "@included", "@index", "@direction"})
# A real value may replace an IRI placeholder only if pyld would leave it verbatim: an absolute
# IRI (stricter than pyld's own test) without spaces, controls or characters IRIs exclude.
_PLAIN_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*")
_NONCE = secrets.token_hex(8)
_MARK = f"x-badgeons-placeholder-{_NONCE}"
_PLACEHOLDER = re.compile(re.escape(_MARK) + r"-([0-9]+)-")

# Tokens of a shape key; keys are strings, values are these integers or tuples.
_DICT, _LIST, _END, _FREE, _NULL = range(5)
# Roles of a free string in a template.
_LITERAL, _IRI, _FIXED = range(3)


class _Slow(Exception):
    """This document goes to the slow exact path."""


@dataclass
class Stats:
    """Counters of one process: documents canonicalised each way, plans and templates derived."""

    fast: int = 0
    slow: int = 0
    derived: int = 0


STATS = Stats()


@dataclass(frozen=True)
class _Contexts:
    """What the shape of a document needs from its contexts (all reachable documents)."""

    digest: str
    terms: frozenset[str]
    keyed_keys: frozenset[str]


@dataclass(frozen=True)
class _Plan:
    """The role of every free string of one shape, found with placeholders."""

    roles: tuple[int, ...]
    iri: tuple[int, ...]
    fixed: tuple[int, ...]


@dataclass(frozen=True)
class _Template:
    """The RDF dataset of one shape, with slots where the free strings go."""

    # (graph, subject, predicate, object): the subject and the object are (slot, model), where
    # slot is the index of the free string that replaces the model's value, or -1.
    quads: tuple[tuple[str, Any, dict[str, str], Any], ...]
    subject_slots: tuple[int, ...]
    fixed_subjects: frozenset[str]
    # Quads of one subject and predicate whose objects may become equal once filled in.
    groups: tuple[tuple[int, ...], ...]
    # For each literal slot: the @type and @language of its expanded value object.
    literal_tags: Mapping[int, tuple[Any, Any]]
    # The quads as N-Quads terms where they are fixed, for rdfc.py; None where it cannot be
    # used (generalised RDF, identifiers that look canonical).
    terms: tuple[_Terms, ...] | None


#: A quad of a template as N-Quads terms: (graph, subject slot, subject, predicate, object
#: slot, object kind, object). Where the slot of a subject or object is not -1, its term is
#: made from the document's string; for a literal object, the fixed part is what follows the
#: quoted value (its datatype or language tag).
_Terms = tuple[str, int, str, str, int, int, str]
_IRI_TERM, _LITERAL_TERM = 0, 1


def _compile(quads: list[tuple[str, Any, dict[str, str], Any]]) -> tuple[_Terms, ...] | None:
    compiled = []
    for graph, (s_slot, subject), predicate, (o_slot, obj) in quads:
        if predicate["type"] != "IRI" or graph.startswith(rdfc.CANONICAL_PREFIX):
            return None
        graph_term = rdfc.graph_term(graph)
        subject_term = rdfc.term(subject)
        object_term = rdfc.term(obj)
        if subject_term.startswith(rdfc.CANONICAL_PREFIX) or object_term.startswith(
            rdfc.CANONICAL_PREFIX
        ):
            return None
        kind = _IRI_TERM
        if s_slot >= 0 and subject["type"] != "IRI":
            return None
        if o_slot >= 0:
            if obj["type"] == "literal":
                kind = _LITERAL_TERM
                # The term of the empty string is '""' followed by the tag.
                object_term = rdfc.literal("", obj["datatype"], obj.get("language"))[2:]
            elif obj["type"] != "IRI":
                return None
        compiled.append(
            (graph_term, s_slot, subject_term, f"<{predicate['value']}>", o_slot, kind, object_term)
        )
    return tuple(compiled)


class _Lru(OrderedDict[Any, Any]):
    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > CACHE_SIZE:
            self.popitem(last=False)


_LOCK = threading.Lock()
_PLANS = _Lru()
_TEMPLATES = _Lru()
# What each loader answers for the context lists seen with it (loaders are made per operation
# or per chunk of work, so this is by loader; templates are shared by context content).
_CONTEXTS: weakref.WeakKeyDictionary[OfflineDocumentLoader, _Lru] = weakref.WeakKeyDictionary()
_DEFAULT_LOADER = OfflineDocumentLoader()
_SLOW_SHAPE = object()

#: The kind of build cache entries that hold plans and templates (cache.py).
KIND = "canon"


class Store(Protocol):
    """Where plans and templates are kept between processes: ``cache.Cache`` is one."""

    def get(self, entry: str) -> bytes | None: ...

    def put(self, entry: str, content: bytes) -> None: ...


_STORE: ContextVar[Store | None] = ContextVar("canon_templates_store", default=None)


@contextmanager
def kept_in(store: Store | None) -> Iterator[None]:
    """Within the block, look plans and templates up in ``store`` first, and keep them there.

    With None, nothing is kept (and the code version, part of every entry's name, is not
    computed).
    """
    token = _STORE.set(store)
    try:
        yield
    finally:
        _STORE.reset(token)


def clear_cache() -> None:
    """Forget every template and reset the counters (for tests and benchmarks)."""
    with _LOCK:
        _PLANS.clear()
        _TEMPLATES.clear()
        _CONTEXTS.clear()
        STATS.fast = STATS.slow = STATS.derived = 0


def canonicalize_fast(
    document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None
) -> str:
    """Return exactly `jsonld_loader.canonicalize(document, loader)`, faster on known shapes."""
    loader = loader if loader is not None else _DEFAULT_LOADER
    try:
        result = _fast(document, loader)
    except (_Slow, RecursionError):
        result = None
    if result is None:
        STATS.slow += 1
        return canonicalize(document, loader)
    STATS.fast += 1
    return result


def _fast(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str | None:
    if not isinstance(document, dict) or "@context" not in document:
        return None
    contexts = _contexts(document["@context"], loader)
    if contexts is None:
        return None
    shape = _Shape(contexts.keyed_keys)
    shape.root(document)
    values = shape.leaves
    key = (contexts.digest, tuple(shape.tokens))
    plan = _cached(_PLANS, key, lambda: _derive_plan(document, shape, loader, key))
    if not isinstance(plan, _Plan):
        return None
    fixed = [i for i in plan.iri if not _plain_iri(values[i], contexts.terms)]
    fixed = sorted(fixed + list(plan.fixed)) if fixed else list(plan.fixed)
    template_key = (key, tuple(fixed), tuple(values[i] for i in fixed))
    template = _cached(
        _TEMPLATES, template_key, lambda: _derive_template(document, shape, loader, plan, fixed)
    )
    if not isinstance(template, _Template):
        return None
    dropped = _dropped(template, values)
    if dropped is None:
        return None
    # Blank nodes told apart by their first-degree hashes (the usual case) are labelled here
    # (rdfc.py); a tie needs pyld's N-degree hashing.
    if template.terms is not None:
        found = rdfc.canonical_nquads(_quads(template.terms, values, dropped))
        if found is not None:
            return found
    from pyld.canon import URDNA2015

    dataset = _substitute(template, values, dropped)
    return str(URDNA2015().main(dataset, {"format": "application/n-quads"}))


def _cached(memory: _Lru, key: Any, derive: Any) -> Any:
    with _LOCK:
        found = memory.get(key)
        if found is not None:
            memory.move_to_end(key)
            return found
    store = _STORE.get()
    found = None
    if store is not None:
        entry = cache.key(KIND, "plan" if memory is _PLANS else "template", repr(key))
        found = _decode(store.get(entry))
    if found is None:
        try:
            found = derive()
        except Exception:
            # Any failure of a derivation (pyld refusing the document...): the slow path.
            found = None
        found = _SLOW_SHAPE if found is None else found
        if store is not None:
            store.put(entry, _encode(found))
        with _LOCK:
            STATS.derived += 1
    with _LOCK:
        memory.put(key, found)
    return found


def _encode(found: Any) -> bytes:
    """A plan, a template or the slow-path mark as JSON (read back by :func:`_decode`)."""
    if isinstance(found, _Plan):
        value: Any = {"plan": [found.roles, found.iri, found.fixed]}
    elif isinstance(found, _Template):
        value = {
            "template": [
                found.quads,
                found.subject_slots,
                sorted(found.fixed_subjects),
                found.groups,
                sorted([slot, *tags] for slot, tags in found.literal_tags.items()),
                found.terms,
            ]
        }
    else:
        value = {"slow": True}
    return fastjson.dumps(value)


def _decode(content: bytes | None) -> Any:
    """What :func:`_encode` wrote, or None when ``content`` is missing or does not hold it."""
    if content is None:
        return None
    try:
        value = fastjson.loads(content)
        if value == {"slow": True}:
            return _SLOW_SHAPE
        if "plan" in value:
            roles, iri, fixed = value["plan"]
            return _Plan(_ints(roles), _ints(iri), _ints(fixed))
        quads, subject_slots, fixed_subjects, groups, tags, terms = value["template"]
        return _Template(
            quads=tuple(
                (str(g), (int(s[0]), dict(s[1])), dict(p), (int(o[0]), dict(o[1])))
                for g, s, p, o in quads
            ),
            subject_slots=_ints(subject_slots),
            fixed_subjects=frozenset(str(v) for v in fixed_subjects),
            groups=tuple(_ints(group) for group in groups),
            literal_tags={int(slot): (kind, language) for slot, kind, language in tags},
            terms=None
            if terms is None
            else tuple(
                (str(g), int(s_slot), str(s), str(p), int(o_slot), int(kind), str(o))
                for g, s_slot, s, p, o_slot, kind, o in terms
            ),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _ints(values: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


# Contexts: the terms and keyword aliases of every context document a shape can reach.


def _contexts(value: Any, loader: OfflineDocumentLoader) -> _Contexts | None:
    if isinstance(value, str):
        urls: tuple[str, ...] = (value,)
    elif isinstance(value, list) and value and all(isinstance(u, str) for u in value):
        urls = tuple(value)
    else:
        return None
    with _LOCK:
        known = _CONTEXTS.setdefault(loader, _Lru())
        if urls in known:
            found: _Contexts | None = known[urls]
            return found
    found = _read_contexts(urls, loader)
    with _LOCK:
        known.put(urls, found)
    return found


def _read_contexts(urls: tuple[str, ...], loader: OfflineDocumentLoader) -> _Contexts | None:
    documents: dict[str, Any] = {}
    pending = list(urls)
    while pending:
        url = pending.pop()
        if url in documents:
            continue
        try:
            documents[url] = loader.document(url)
        except UnknownContextError:
            return None
        pending += _referenced_urls(documents[url])
    terms: set[str] = set()
    aliases: dict[str, set[str]] = {}
    for document in documents.values():
        _collect_terms(document, terms, aliases)
    keyed = {term for term, keywords in aliases.items() if keywords != {"@id"}}
    text = json.dumps([urls, sorted(documents.items())], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _Contexts(digest, frozenset(terms), frozenset(keyed))


def _referenced_urls(element: Any) -> list[str]:
    found: list[str] = []
    if isinstance(element, dict):
        for key, value in element.items():
            if key in ("@context", "@import"):
                references = value if isinstance(value, list) else [value]
                found += [url for url in references if isinstance(url, str)]
            found += _referenced_urls(value)
    elif isinstance(element, list):
        for item in element:
            found += _referenced_urls(item)
    return found


def _collect_terms(element: Any, terms: set[str], aliases: dict[str, set[str]]) -> None:
    """Every key of a context document is taken as a term; keyword definitions are aliases."""
    if isinstance(element, dict):
        for key, value in element.items():
            terms.add(key)
            definition = value.get("@id") if isinstance(value, dict) else value
            if isinstance(definition, str) and definition.startswith("@"):
                aliases.setdefault(key, set()).add(definition)
            _collect_terms(value, terms, aliases)
    elif isinstance(element, list):
        for item in element:
            _collect_terms(item, terms, aliases)


def _plain_iri(value: str, terms: frozenset[str]) -> bool:
    """Whether pyld leaves this value verbatim in an @id or @vocab position."""
    if not _PLAIN_IRI.fullmatch(value) or value in terms:
        return False
    scheme = value[: value.index(":")]
    return scheme not in terms and _MARK not in value


# Shapes: the key of a document's structure, and its free strings in document order.


class _Shape:
    """The shape key of a document (`tokens`) and its free strings (`leaves`)."""

    def __init__(self, keyed_keys: frozenset[str]) -> None:
        self.keyed_keys = keyed_keys
        self.tokens: list[Any] = []
        self.leaves: list[str] = []

    def root(self, document: dict[str, Any]) -> None:
        context = document["@context"]
        self.tokens += [_DICT, "@context", ("context", json.dumps(context))]
        for key, value in document.items():
            if key != "@context":
                self._entry(key, value, False)
        self.tokens.append(_END)

    def _entry(self, key: Any, value: Any, keyed: bool) -> None:
        if not isinstance(key, str) or key == "@context" or _MARK in key:
            raise _Slow
        self.tokens.append(key)
        if not keyed:
            keyed = key in self.keyed_keys or (key[:1] == "@" and key != "@id")
        self._value(value, keyed)

    def _value(self, value: Any, keyed: bool) -> None:
        if isinstance(value, str):
            if _MARK in value:
                raise _Slow
            if keyed:
                self.tokens.append(("str", value))
            else:
                self.tokens.append(_FREE)
                self.leaves.append(value)
        elif isinstance(value, dict):
            self.tokens.append(_DICT)
            for key, item in value.items():
                self._entry(key, item, keyed)
            self.tokens.append(_END)
        elif isinstance(value, list):
            self.tokens.append(_LIST)
            for item in value:
                self._value(item, keyed)
            self.tokens.append(_END)
        elif value is None:
            self.tokens.append(_NULL)
        elif isinstance(value, bool | int | float):
            self.tokens.append((type(value).__name__, repr(value)))
        else:
            raise _Slow


def _with_leaves(document: Any, shape: _Shape, leaves: list[str]) -> Any:
    """A copy of the document with its free strings replaced, in the order `_Shape` found them."""
    remaining = iter(leaves)

    def copy(value: Any, keyed: bool) -> Any:
        if isinstance(value, str):
            return value if keyed else next(remaining)
        if isinstance(value, dict):
            return {
                key: item
                if key == "@context"
                else copy(
                    item, keyed or key in shape.keyed_keys or (key[:1] == "@" and key != "@id")
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [copy(item, keyed) for item in value]
        return value

    return copy(document, False)


def _placeholder(index: int) -> str:
    return f"urn:{_MARK}-{index}-"


def _probe(index: int, role: int) -> str:
    """A second value for a free string: another IRI, or a literal that pyld would transform.

    Literal probes look like numbers with spaces around them, which pyld rewrites in its one
    known transformation of strings (the canonical form of `xsd:double`) and which any trimming
    or number parsing would change too.
    """
    if role == _IRI:
        return f"https://probe-{_NONCE}.invalid/{index}#x"
    return f" {index}.50 \n"


# Derivation: pyld's own pipeline on placeholders, then the template and its check.

_WHOLE = re.compile("urn:" + re.escape(_MARK) + r"-([0-9]+)-")


def _rdf(document: Any, loader: OfflineDocumentLoader) -> tuple[dict[str, Any], dict[int, Any]]:
    """The dataset pyld makes of a document before canonical labelling, as `canonicalize` does.

    `canonicalize` expands the document in safe mode and hands the result to `jsonld.normalize`,
    which converts it to RDF with these options before running URDNA2015. Also returned: the
    `@type` and `@language` of the expanded value object of every literal placeholder. Shapes
    whose expanded form uses keywords this module does not template raise `_Slow`.
    """
    expanded = expand_safely(document, loader)
    tags: dict[int, Any] = {}
    _check_expanded(expanded, tags)
    options = loader.options()
    options.update(
        base="",
        algorithm="URDNA2015",
        extractAllScripts=True,
        processingMode="json-ld-1.1",
        produceGeneralizedRdf=False,
    )
    from pyld import jsonld

    return jsonld.to_rdf(expanded, options), tags


def _check_expanded(element: Any, tags: dict[int, Any]) -> None:
    if isinstance(element, list):
        for item in element:
            _check_expanded(item, tags)
    elif isinstance(element, dict):
        if "@value" in element:
            if element.get("@type") == "@json" or "@direction" in element or "@index" in element:
                raise _Slow
            value = element["@value"]
            match = _WHOLE.fullmatch(value) if isinstance(value, str) else None
            if match is not None:
                tags[int(match.group(1))] = (element.get("@type"), element.get("@language"))
            return
        if not _UNSUPPORTED_KEYWORDS.isdisjoint(element):
            raise _Slow
        for value in element.values():
            _check_expanded(value, tags)


def _components(dataset: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """Every (graph, component, position) of a dataset; positions are s, p, o."""
    found = []
    for graph, triples in dataset.items():
        found.append((graph, {"type": "graph", "value": graph}, "g"))
        for triple in triples:
            found.append((graph, triple["subject"], "s"))
            found.append((graph, triple["predicate"], "p"))
            found.append((graph, triple["object"], "o"))
    return found


def _roles(dataset: dict[str, Any], count: int) -> list[int]:
    """Where each placeholder landed: only as literals, only as IRIs, or anywhere else."""
    seen: list[set[int]] = [set() for _ in range(count)]
    for _graph, component, position in _components(dataset):
        for field in ("value", "datatype", "language"):
            text = component.get(field)
            if not isinstance(text, str) or _MARK not in text:
                continue
            whole = _WHOLE.fullmatch(text)
            if whole is not None and field == "value" and position in "so":
                kind = component["type"]
                if kind == "IRI":
                    seen[int(whole.group(1))].add(_IRI)
                    continue
                if kind == "literal" and component.get("datatype") != XSD_DOUBLE:
                    seen[int(whole.group(1))].add(_LITERAL)
                    continue
            for match in _PLACEHOLDER.finditer(text):
                seen[int(match.group(1))].add(_FIXED)
    return [kinds.pop() if len(kinds) == 1 else _FIXED for kinds in seen]


def _derive_plan(
    document: dict[str, Any], shape: _Shape, loader: OfflineDocumentLoader, key: Any
) -> _Plan:
    """The roles of a shape's free strings; also its template when no string must be fixed."""
    count = len(shape.leaves)
    placeholders = [_placeholder(i) for i in range(count)]
    run = _rdf(_with_leaves(document, shape, placeholders), loader)
    roles = tuple(_roles(run[0], count))
    plan = _Plan(
        roles,
        iri=tuple(i for i, role in enumerate(roles) if role == _IRI),
        fixed=tuple(i for i, role in enumerate(roles) if role == _FIXED),
    )
    if not plan.fixed:
        # The same run serves as the template of documents whose IRIs are all plain.
        _cached(
            _TEMPLATES,
            (key, (), ()),
            lambda: _derive_template(document, shape, loader, plan, [], run),
        )
    return plan


def _derive_template(
    document: dict[str, Any],
    shape: _Shape,
    loader: OfflineDocumentLoader,
    plan: _Plan,
    fixed: list[int],
    run: tuple[dict[str, Any], dict[int, Any]] | None = None,
) -> _Template | None:
    """The template of a shape with these strings fixed, checked with a second set of values."""
    fixed_set = set(fixed)
    count = len(shape.leaves)
    free = [i for i in range(count) if i not in fixed_set]
    leaves = [shape.leaves[i] if i in fixed_set else _placeholder(i) for i in range(count)]
    dataset, tags = run if run is not None else _rdf(_with_leaves(document, shape, leaves), loader)
    roles = _roles(dataset, count)
    if any(roles[i] != plan.roles[i] for i in free):
        return None
    template = _template(dataset, tags, set(free))
    if template is None:
        return None
    probes = list(leaves)
    for i in free:
        probes[i] = _probe(i, plan.roles[i])
    expected, _ = _rdf(_with_leaves(document, shape, probes), loader)
    filled = _substitute(template, probes, frozenset())
    if _multiset(filled) != _multiset(expected):
        return None
    if template.terms is not None:
        # The terms rdfc.py is given must be those of pyld's dataset too.
        terms = rdfc.quads_of(expected)
        if terms is None or sorted(terms) != sorted(_quads(template.terms, probes, frozenset())):
            return None
    return template


def _template(dataset: dict[str, Any], tags: dict[int, Any], free: set[int]) -> _Template | None:
    def spec(component: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        whole = _WHOLE.fullmatch(component["value"])
        slot = int(whole.group(1)) if whole is not None else -1
        if slot >= 0 and slot not in free:
            raise _Slow
        return slot, dict(component)

    quads = []
    for graph, triples in dataset.items():
        for triple in triples:
            predicate = triple["predicate"]
            if _MARK in predicate["value"]:
                raise _Slow
            quads.append((graph, spec(triple["subject"]), predicate, spec(triple["object"])))
    if len(set(_quad_key(q, None) for q in quads)) != len(quads):
        return None
    subject_slots = {s[0] for _g, s, _p, _o in quads if s[0] >= 0}
    fixed_subjects = {s[1]["value"] for _g, s, _p, _o in quads if s[0] < 0}
    by_subject: dict[Any, list[int]] = {}
    for index, (graph, s, p, _o) in enumerate(quads):
        subject = s[0] if s[0] >= 0 else s[1]["value"]
        by_subject.setdefault((graph, subject, p["value"]), []).append(index)
    groups = tuple(
        tuple(members)
        for members in by_subject.values()
        if len(members) > 1 and any(quads[m][3][0] >= 0 for m in members)
    )
    return _Template(
        terms=_compile(quads),
        quads=tuple(quads),
        subject_slots=tuple(sorted(subject_slots)),
        fixed_subjects=frozenset(fixed_subjects),
        groups=groups,
        literal_tags={i: tags[i] for i in free if i in tags},
    )


def _quad_key(
    quad: tuple[str, Any, dict[str, str], Any], values: list[str] | None
) -> tuple[Any, ...]:
    graph, (s_slot, subject), predicate, (o_slot, obj) = quad
    s_value = values[s_slot] if values is not None and s_slot >= 0 else subject["value"]
    o_value = values[o_slot] if values is not None and o_slot >= 0 else obj["value"]
    return (
        graph,
        subject["type"],
        s_value,
        predicate["value"],
        obj["type"],
        o_value,
        obj.get("datatype"),
        obj.get("language"),
    )


def _multiset(dataset: dict[str, Any]) -> dict[tuple[Any, ...], int]:
    counts: dict[tuple[Any, ...], int] = {}
    for graph, triples in dataset.items():
        for triple in triples:
            quad = (graph, (-1, triple["subject"]), triple["predicate"], (-1, triple["object"]))
            key = _quad_key(quad, None)
            counts[key] = counts.get(key, 0) + 1
    return counts


# Filling a template with the strings of one document.


def _dropped(template: _Template, values: list[str]) -> frozenset[int] | None:
    """The quads of the template that pyld would merge into others, or None for the slow path.

    Two subjects of the template that get the same IRI are one node for pyld: the slow path
    handles that. Two objects of one subject and predicate that become equal are one value for
    pyld (it keeps the first) when both are IRIs, or both literals from free strings with the
    same expanded `@type` and `@language`; any other coincidence goes to the slow path.
    """
    subjects = [values[i] for i in template.subject_slots]
    if len(set(subjects)) != len(subjects) or not template.fixed_subjects.isdisjoint(subjects):
        return None
    dropped: set[int] = set()
    for group in template.groups:
        first_of: dict[tuple[Any, ...], int] = {}
        for index in group:
            slot, obj = template.quads[index][3]
            value = values[slot] if slot >= 0 else obj["value"]
            identity = (obj["type"], value, obj.get("datatype"), obj.get("language"))
            first = first_of.setdefault(identity, index)
            if first == index:
                continue
            if not _one_value_for_pyld(template, first, index):
                return None
            dropped.add(index)
    return frozenset(dropped)


def _quads(
    terms: tuple[_Terms, ...], values: list[str], dropped: frozenset[int]
) -> list[rdfc.Quad]:
    """The quads of a filled template as N-Quads terms (see :func:`_compile`)."""
    escape = rdfc.escape
    quads = []
    for index, (graph, s_slot, subject, predicate, o_slot, o_kind, obj) in enumerate(terms):
        if index in dropped:
            continue
        if s_slot >= 0:
            subject = f"<{values[s_slot]}>"
        if o_slot >= 0:
            if o_kind == _IRI_TERM:
                obj = f"<{values[o_slot]}>"
            else:
                # For a literal slot, ``obj`` is what follows the quoted value.
                obj = f'"{escape(values[o_slot])}"{obj}'
        quads.append((subject, predicate, obj, graph))
    return quads


def _one_value_for_pyld(template: _Template, first: int, second: int) -> bool:
    (slot_a, a), (slot_b, b) = template.quads[first][3], template.quads[second][3]
    if a["type"] == "IRI" and b["type"] == "IRI":
        return True
    if a["type"] != "literal" or slot_a < 0 or slot_b < 0:
        return False
    tags = template.literal_tags
    return slot_a in tags and slot_b in tags and tags[slot_a] == tags[slot_b]


def _substitute(
    template: _Template, values: list[str], dropped: frozenset[int] | set[int]
) -> dict[str, Any]:
    # URDNA2015 adds the graph name to each quad and relabels blank nodes in place, so every
    # quad, subject and object is a new dict; predicates are only read and are shared.
    dataset: dict[str, list[dict[str, Any]]] = {}
    for index, (graph, (s_slot, subject), predicate, (o_slot, obj)) in enumerate(template.quads):
        if index in dropped:
            continue
        subject = dict(subject)
        if s_slot >= 0:
            subject["value"] = values[s_slot]
        obj = dict(obj)
        if o_slot >= 0:
            obj["value"] = values[o_slot]
        triples = dataset.get(graph)
        if triples is None:
            triples = dataset[graph] = []
        triples.append({"subject": subject, "predicate": predicate, "object": obj})
    return dataset
