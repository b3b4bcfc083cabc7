"""Tests of build_tools.canon_templates: the fast canonicalisation gives pyld's output, always.

Every test compares `canonicalize_fast` with `jsonld_loader.canonicalize` (the slow exact path)
on the same document and loader: the same N-Quads, or the same exception with the same message.
The documents are the demo repository's own signed records and many variants of them.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from build_tools import canon_templates, keys, signing
from build_tools.canon_templates import STATS, canonicalize_fast
from build_tools.jsonld_loader import OfflineDocumentLoader, canonicalize
from tests.conftest import DEMO

RECORDS = sorted(DEMO.glob("issuers/*/assertions/*.json")) + sorted(
    DEMO.glob("issuers/*/endorsements/*.json")
)
SIGNING_DATA = Path(__file__).parents[1] / "data" / "signing"
VECTOR = json.loads((SIGNING_DATA / "eddsa-rdfc-2022-vector.json").read_text(encoding="utf-8"))
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
OTHER_UUID = "urn:uuid:6e2b8c1e-4b1a-4f5e-9c61-2f1d1c8b7a10"
# Values that JSON-LD does not always leave alone: defined terms, compact IRIs whose prefix is a
# term, relative IRIs, blank node identifiers, characters N-Quads escapes, IRIs with spaces or a
# final newline (pyld's own absolute-IRI test lets the latter through), keyword look-alikes.
TRICKY = (
    "OpenBadgeCredential",
    "name",
    "id",
    "assertionMethod",
    "xsd:string",
    "sec:proof",
    "tag:badgeons.example,2026:x",
    "foo",
    "relative/abc",
    "_:b0",
    "",
    'say "hi"',
    "back\\slash \\n",
    "line\nbreak",
    "tab\tand\rreturn",
    "é 😀 ∑ \u2028 \x00",
    "https://example.org/a b",
    "https://example.org/x\n",
    "https://example.org/<x>",
    "@id",
    "@foo",
    "1.5",
    "2026-01-01T00:00:00Z",
    OTHER_UUID,
)


@pytest.fixture(autouse=True)
def _fresh_templates() -> Iterator[None]:
    canon_templates.clear_cache()
    yield
    canon_templates.clear_cache()


@pytest.fixture(scope="module")
def loader() -> OfflineDocumentLoader:
    return OfflineDocumentLoader()


def _record(path: Path) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["ob3"]
    return credential


def _unsecured(credential: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}


def _proof_configuration(credential: dict[str, Any]) -> dict[str, Any]:
    """The proof configuration that verification canonicalises (eddsa-rdfc-2022, 3.2.4)."""
    config = {k: v for k, v in credential["proof"].items() if k != "proofValue"}
    config["@context"] = credential["@context"]
    return config


def _outcome(
    function: Callable[[Any, OfflineDocumentLoader], str],
    document: Any,
    loader: OfflineDocumentLoader,
) -> tuple[Any, ...]:
    try:
        return ("N-Quads", function(document, loader))
    except Exception as error:
        return (type(error), str(error), getattr(error, "terms", None), getattr(error, "url", None))


def _assert_same(document: Any, loader: OfflineDocumentLoader) -> tuple[Any, ...]:
    """Fast and slow give the same result, and the fast path leaves the document unchanged."""
    before = copy.deepcopy(document)
    slow = _outcome(canonicalize, document, loader)
    fast = _outcome(canonicalize_fast, document, loader)
    assert fast == slow
    assert document == before
    return fast


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of every string of a document, outside its @context."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _with(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def _award() -> dict[str, Any]:
    """The demo award with the most strings (tags, alignments...)."""
    return max((_record(p) for p in RECORDS), key=lambda c: len(list(_string_leaves(c))))


# The demo repository's own records.


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_demo_record_equals_pyld_on_the_fast_path(
    path: Path, loader: OfflineDocumentLoader
) -> None:
    credential = _record(path)
    for document in (_unsecured(credential), credential, _proof_configuration(credential)):
        assert _assert_same(document, loader)[0] == "N-Quads"
    assert (STATS.fast, STATS.slow) == (3, 0)


def test_all_demo_records_share_a_few_templates(loader: OfflineDocumentLoader) -> None:
    credentials = [_record(p) for p in RECORDS]
    for credential in credentials:
        _assert_same(_unsecured(credential), loader)
        _assert_same(_proof_configuration(credential), loader)
    assert STATS.slow == 0
    # Records of the same kind share a shape: fewer templates than records, for two documents
    # (credential and proof configuration) per record.
    assert len(canon_templates._TEMPLATES) < len(credentials)


def test_a_known_shape_uses_its_template(loader: OfflineDocumentLoader) -> None:
    award = _unsecured(_award())
    _assert_same(award, loader)
    derived = STATS.derived
    other = copy.deepcopy(award)
    other["id"] = "https://badgeons.example.org/a/another.vc.json"
    other["validFrom"] = "2031-02-03T04:05:06Z"
    other["credentialSubject"]["id"] = OTHER_UUID
    other["credentialSubject"]["narrative"] = 'Un texte "cité", \\ une barre,\nune ligne, 😀.'
    other["name"] = "\t"
    assert _assert_same(other, loader)[0] == "N-Quads"
    assert STATS.derived == derived
    assert (STATS.fast, STATS.slow) == (2, 0)


def test_verification_takes_the_fast_path_and_signing_the_slow_one() -> None:
    key = keys.generate_ed25519_key()
    document = _unsecured(_award())
    method = document["issuer"]["id"] + "#ed25519-2026-01-01"
    created = datetime(2026, 1, 1, tzinfo=UTC)
    secured = signing.add_eddsa_rdfc_2022_proof(document, key, method, created)
    assert (STATS.fast, STATS.slow, STATS.derived) == (0, 0, 0)
    public = key.public_key()
    assert signing.verify_eddsa_rdfc_2022_proof(secured, lambda _m: public) == document
    assert (STATS.fast, STATS.slow) == (2, 0)
    # The same proof over a changed credential still fails, now from a template.
    changed = _with(secured, ("credentialSubject", "narrative"), "Modifié.")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_eddsa_rdfc_2022_proof(changed, lambda _m: public)
    assert (STATS.fast, STATS.slow) == (4, 0)


def test_the_w3c_vector_with_a_loader_of_extra_documents() -> None:
    examples = json.loads(
        (SIGNING_DATA / "credentials-examples-v2.jsonld").read_text(encoding="utf-8")
    )
    with_examples = OfflineDocumentLoader({EXAMPLES_V2: examples})
    document = VECTOR["credentialWithoutProof"]
    assert _assert_same(document, with_examples)[0] == "N-Quads"
    assert _assert_same(document, OfflineDocumentLoader())[0] is signing.UnknownContextError


def test_templates_are_not_shared_between_different_contexts(
    loader: OfflineDocumentLoader,
) -> None:
    """A loader may answer a context URL with another document: its shapes are its own."""
    award = _unsecured(_award())
    _assert_same(award, loader)
    v2 = loader.document(VC_V2)
    renamed = copy.deepcopy(v2)
    renamed["@context"]["name"] = "https://example.org/renamed#name"
    _assert_same(award, OfflineDocumentLoader({VC_V2: renamed}))
    assert _assert_same(award, loader) == _outcome(canonicalize, award, loader)


# Variants: every string of a real credential replaced by values JSON-LD may transform.


def test_every_string_leaf_with_tricky_values(loader: OfflineDocumentLoader) -> None:
    award = _unsecured(_award())
    paths = list(_string_leaves(award))
    ids = [_get(award, p) for p in paths if p[-1] == "id"]
    values = (*TRICKY, *ids)
    outcomes = set()
    for number, path in enumerate(paths):
        # Each string gets four values in turn, and each value lands in many positions.
        for step in range(4):
            value = values[(number * 5 + step * 7) % len(values)]
            outcomes.add(_assert_same(_with(award, path, value), loader)[0])
    assert "N-Quads" in outcomes and signing.UndefinedTermError in outcomes
    assert STATS.fast > 0 and STATS.slow > 0


@pytest.mark.parametrize("value", TRICKY)
def test_every_member_of_the_proof_configuration(value: str, loader: OfflineDocumentLoader) -> None:
    config = _proof_configuration(_award())
    for path in _string_leaves(config):
        _assert_same(_with(config, path, value), loader)


def test_literals_with_special_characters_reuse_the_template(
    loader: OfflineDocumentLoader,
) -> None:
    award = _unsecured(_award())
    _assert_same(award, loader)
    derived = STATS.derived
    for value in ('say "hi"', "back\\slash", "line\nbreak\r", "tab\t", "é 😀 \u2028", "", "_:b0"):
        assert _assert_same(_with(award, ("name",), value), loader)[0] == "N-Quads"
    assert STATS.derived == derived and STATS.slow == 0


def test_a_compact_iri_or_a_term_in_an_iri_position_is_part_of_the_shape(
    loader: OfflineDocumentLoader,
) -> None:
    config = _proof_configuration(_award())
    for purpose in ("assertionMethod", "authentication", "sec:assertionMethod"):
        _assert_same(_with(config, ("proofPurpose",), purpose), loader)
    for method in ("xsd:key", "cred:key", "did:web:other.example#key"):
        _assert_same(_with(config, ("verificationMethod",), method), loader)


# Nodes that merge and values that repeat: pyld's node map decides, the fast path must agree.


def test_two_nodes_with_the_same_identifier(loader: OfflineDocumentLoader) -> None:
    award = _unsecured(_award())
    subject = award["credentialSubject"]
    achievement_id = subject["achievement"]["id"]
    variants = [
        _with(award, ("credentialSubject", "id"), award["issuer"]["id"]),
        _with(award, ("issuer", "id"), award["id"]),
        _with(award, ("credentialSubject", "id"), achievement_id),
        _with(award, ("credentialSubject", "achievement", "criteria", "id"), achievement_id),
    ]
    same_uuid = _with(award, ("credentialSubject", "id"), OTHER_UUID)
    same_uuid["issuer"]["id"] = OTHER_UUID
    variants.append(same_uuid)
    for variant in variants:
        slow = STATS.slow
        assert _assert_same(variant, loader)[0] == "N-Quads"
        assert STATS.slow == slow + 1


def test_an_iri_object_equal_to_a_node(loader: OfflineDocumentLoader) -> None:
    """An IRI that is only an object may equal a node's identifier: nothing merges."""
    award = _unsecured(_award())
    award["credentialStatus"] = {"id": award["issuer"]["id"], "type": "1EdTechRevocationList"}
    _assert_same(award, loader)
    award["issuer"] = award["credentialSubject"]["id"] = "did:web:example.org"
    _assert_same(award, loader)


def test_repeated_values_of_one_property(loader: OfflineDocumentLoader) -> None:
    award = _unsecured(_award())
    award["credentialSubject"]["achievement"]["tag"] = ["a", "b", "c"]
    award["credentialSchema"] = ["https://example.org/s", "https://example.org/t"]
    _assert_same(award, loader)
    derived = STATS.derived
    # Equal strings of one property are one value for pyld, equal IRIs too.
    award["credentialSubject"]["achievement"]["tag"] = ["a", "a", "c"]
    assert _assert_same(award, loader)[0] == "N-Quads"
    award["credentialSchema"] = ["https://example.org/s", "https://example.org/s"]
    assert _assert_same(award, loader)[0] == "N-Quads"
    assert STATS.derived == derived and STATS.slow == 0
    # A string equal to an IRI is another value.
    award["credentialSubject"]["achievement"]["tag"] = ["https://example.org/s"] * 3
    _assert_same(award, loader)


# Structure: keys, lengths, types, contexts, and the errors of the slow path.


def _structural_variants(award: dict[str, Any]) -> Iterator[dict[str, Any]]:
    achievement = ("credentialSubject", "achievement")
    yield _with(award, ("description",), "Une description de plus.")
    yield {k: v for k, v in award.items() if k != "name"}
    for count in (0, 1, 2, 7):
        yield _with(award, (*achievement, "tag"), [f"mot {i}" for i in range(count)])
    yield _with(award, (*achievement, "tag"), "un seul mot")
    yield _with(award, ("type",), ["VerifiableCredential", "AchievementCredential"])
    yield _with(award, ("type",), "VerifiableCredential")
    yield _with(award, ("type",), ["VerifiableCredential", "OpenBadgeCredential", "Inconnu"])
    yield _with(award, ("colour",), "bleu")
    yield _with(award, (*achievement, "level"), "expert")
    yield _with(award, ("@unknownKeyword",), 1)
    yield _with(award, ("@context",), [VC_V2, "https://evil.example/ctx.jsonld"])
    yield _with(award, ("@context",), [VC_V2, OB_V3])
    yield _with(award, ("@context",), OB_V3)
    yield _with(award, ("@context",), [VC_V2, OB_V3, {"colour": "https://example.org/colour"}])
    yield _with(award, ("@context",), [VC_V2, {"id": "https://redefines.example/id"}])
    yield _with(award, ("@context",), 5)
    yield _with(award, ("issuer", "@context"), {"x": "https://example.org/x"})
    yield _with(award, ("name",), {"@value": "Nom", "@language": "fr"})
    yield _with(award, ("name",), {"@value": "Nom", "@direction": "ltr"})
    yield _with(award, ("name",), {"@value": "Nom", "@type": "xsd:string"})
    yield _with(award, ("name",), ["Nom", {"@value": "Nom", "@type": XSD_STRING}])
    yield _with(award, ("name",), [{"@value": "Nom"}, {"@value": "Nom", "@type": XSD_STRING}])
    yield _with(award, ("name",), ["Nom", {"@value": "Nom", "@language": "fr"}, "Nom"])
    yield _with(award, ("name",), 12)
    yield _with(award, ("name",), 1.0)
    yield _with(award, ("name",), -0.0)
    yield _with(award, ("name",), True)
    yield _with(award, ("name",), None)
    yield _with(award, ("id",), 12)
    yield _with(award, ("id",), ["https://example.org/a"])
    yield _with(award, ("issuer",), "did:web:example.org")
    yield _with(award, (*achievement, "criteria"), {"id": "https://example.org/c"})
    yield _with(award, ("credentialSubject", "result"), [{"type": ["Result"], "value": "A"}])
    yield _with(award, ("proof",), {"type": "DataIntegrityProof", "created": "x"})
    yield {"@context": award["@context"]}
    yield {"name": "no context"}


def test_structural_changes(loader: OfflineDocumentLoader) -> None:
    outcomes = [_assert_same(v, loader)[0] for v in _structural_variants(_unsecured(_award()))]
    assert {signing.UndefinedTermError, signing.UnknownContextError} <= set(outcomes)
    assert signing.InvalidDocument in outcomes and "N-Quads" in outcomes


def test_odd_documents_take_the_slow_path(loader: OfflineDocumentLoader) -> None:
    award = _unsecured(_award())
    odd = [
        _with(award, ("@context",), [VC_V2, OB_V3, {"colour": "https://example.org/colour"}]),
        _with(award, ("issuer", "@context"), {"x": "https://example.org/x"}),
        _with(award, ("colour",), "bleu"),
        _with(award, ("@context",), [VC_V2, "https://evil.example/ctx.jsonld"]),
        _with(award, ("name",), {"@value": "Nom", "@direction": "ltr"}),
        {"name": "no context"},
    ]
    for document in odd:
        _assert_same(document, loader)
    assert (STATS.fast, STATS.slow) == (0, len(odd))


def test_random_mutations_of_demo_records(loader: OfflineDocumentLoader) -> None:
    generator = random.Random(20260101)
    credentials = [_record(p) for p in RECORDS]
    ids = sorted({_get(c, p) for c in credentials for p in _string_leaves(c) if p[-1] == "id"})
    for _ in range(250):
        credential = generator.choice(credentials)
        document = _unsecured(credential) if generator.random() < 0.8 else credential
        if generator.random() < 0.2:
            document = _proof_configuration(credential)
        for _change in range(generator.randint(1, 3)):
            paths = list(_string_leaves(document))
            path = generator.choice(paths)
            kind = generator.random()
            if kind < 0.4:
                document = _with(document, path, generator.choice(TRICKY))
            elif kind < 0.7:
                document = _with(document, path, generator.choice(ids))
            elif kind < 0.8 and len(path) > 1:
                parent = _get(document, path[:-1])
                if isinstance(parent, dict):
                    document = _with(document, path[:-1], {**parent, "narrative": "Ajouté."})
            elif kind < 0.9 and len(path) > 1:
                parent = _get(document, path[:-1])
                if isinstance(parent, list):
                    document = _with(document, path[:-1], [*parent, parent[-1]])
            else:
                document = _with(document, path, _get(document, generator.choice(paths)))
        _assert_same(document, loader)
    assert STATS.fast > 100


# JSON-LD features the templates do not cover, and the checks behind the templates.


def test_lists_json_literals_and_other_keywords_take_the_slow_path(
    loader: OfflineDocumentLoader,
) -> None:
    award = _unsecured(_award())
    achievement = ("credentialSubject", "achievement")
    description = {"type": ["ResultDescription"], "name": "Note", "resultType": "LetterGrade"}
    schema = {"id": "https://example.org/s.json", "type": "JsonSchema"}
    odd = [
        _with(award, (*achievement, "resultDescription"), [{**description, "allowedValue": []}]),
        _with(award, (*achievement, "resultDescription"), [{**description, "allowedValue": ["A"]}]),
        _with(award, ("credentialSchema",), [{**schema, "jsonSchema": {"type": "object"}}]),
        _with(award, ("@included",), [{"id": "https://example.org/n", "name": "N"}]),
        _with(award, ("credentialSubject", "@index"), "i"),
    ]
    for document in odd:
        _assert_same(document, loader)
    assert STATS.fast == 0


def _scores() -> OfflineDocumentLoader:
    """A loader with a context whose `score` is an xsd:double, which pyld rewrites."""
    score = {"@id": "https://example.org/score", "@type": XSD_DOUBLE}
    return OfflineDocumentLoader({"https://example.org/ctx": {"@context": {"score": score}}})


def _scored(value: str) -> dict[str, Any]:
    return {
        "@context": [VC_V2, "https://example.org/ctx"],
        "id": "https://example.org/c/1",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:example.org",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": OTHER_UUID, "score": value},
    }


def test_strings_that_pyld_rewrites_are_part_of_the_shape() -> None:
    loader = _scores()
    for value in ("1.50", " 2 ", "abc", "1.50"):
        _assert_same(_scored(value), loader)
    assert "1.5E0" in canonicalize(_scored("1.50"), loader)
    assert STATS.slow == 0


def test_the_probe_run_catches_what_the_roles_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the xsd:double rewriting unknown, the probes would reveal it: no template then."""
    monkeypatch.setattr(canon_templates, "XSD_DOUBLE", "not a datatype")
    loader = _scores()
    for value in ("1.50", "2"):
        _assert_same(_scored(value), loader)
    assert (STATS.fast, STATS.slow) == (0, 2)


def test_a_document_holding_the_placeholder_marker_takes_the_slow_path(
    loader: OfflineDocumentLoader,
) -> None:
    award = _unsecured(_award())
    marked = canon_templates._placeholder(0)
    _assert_same(_with(award, ("name",), marked), loader)
    _assert_same(_with(award, ("id",), marked), loader)
    assert (STATS.fast, STATS.slow) == (0, 2)


# The pieces.


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("https://badgeons.example.org/a/x.vc.json", True),
        ("did:web:badgeons.example.org:issuers:x#key-1", True),
        (OTHER_UUID, True),
        ("xsd:string", False),
        ("sec:proof", False),
        ("tag:example.org,2026:x", False),
        ("name:x", False),
        ("assertionMethod", False),
        ("_:b0", False),
        ("relative/abc", False),
        ("https://example.org/a b", False),
        ("https://example.org/x\n", False),
        ("https://example.org/<x>", False),
    ],
)
def test_which_iris_are_left_verbatim(value: str, plain: bool) -> None:
    """Plain: absolute, and neither the value nor its scheme is a term of any context."""
    contexts = canon_templates._contexts([VC_V2, OB_V3, VC_V1], OfflineDocumentLoader())
    assert contexts is not None
    assert canon_templates._plain_iri(value, contexts.terms) is plain


def test_compact_iris_of_credentials_v1(loader: OfflineDocumentLoader) -> None:
    """The VC 1.1 context defines the prefixes cred, sec and xsd: pyld expands them."""
    credential: dict[str, Any] = {
        "@context": [VC_V1],
        "id": "https://example.org/c/1",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:example.org",
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": OTHER_UUID},
        "credentialStatus": {"id": "https://example.org/status", "type": "cred:Status"},
    }
    assert _assert_same(credential, loader)[0] == "N-Quads"
    for value in ("cred:x", "sec:y", "xsd:z", "https://example.org/other"):
        for path in (("issuer",), ("credentialSubject", "id"), ("credentialStatus", "id")):
            _assert_same(_with(credential, path, value), loader)
    assert STATS.fast > 0


def test_the_template_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch, loader: OfflineDocumentLoader
) -> None:
    monkeypatch.setattr(canon_templates, "CACHE_SIZE", 3)
    award = _unsecured(_award())
    for count in range(6):
        tags = [f"mot {i}" for i in range(count)]
        _assert_same(_with(award, ("credentialSubject", "achievement", "tag"), tags), loader)
    assert len(canon_templates._PLANS) <= 3 and len(canon_templates._TEMPLATES) <= 3
    assert STATS.slow == 0


# Plans and templates kept in a store (the build cache) between processes.


class _Store:
    """A store in memory, as canon_templates uses the build cache."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def get(self, entry: str) -> bytes | None:
        return self.entries.get(entry)

    def put(self, entry: str, content: bytes) -> None:
        self.entries[entry] = content


def test_kept_templates_serve_another_process_without_deriving(
    loader: OfflineDocumentLoader,
) -> None:
    store = _Store()
    award = _unsecured(_award())
    with canon_templates.kept_in(store):
        _assert_same(award, loader)
    assert STATS.derived > 0 and store.entries
    # A new process, as far as the templates go: nothing in memory, only the store.
    canon_templates.clear_cache()
    other = _with(award, ("credentialSubject", "narrative"), "Un autre texte.")
    with canon_templates.kept_in(store):
        assert _assert_same(other, loader)[0] == "N-Quads"
        assert STATS.derived == 0
        # A shape the store does not hold yet is derived, and kept.
        assert _assert_same(_proof_configuration(_award()), loader)[0] == "N-Quads"
        assert STATS.derived > 0
    canon_templates.clear_cache()
    with canon_templates.kept_in(store):
        assert _assert_same(other, loader)[0] == "N-Quads"
        assert _assert_same(_proof_configuration(_award()), loader)[0] == "N-Quads"
    assert (STATS.fast, STATS.slow, STATS.derived) == (2, 0, 0)


def test_every_kind_of_entry_reads_back_as_it_was_written(loader: OfflineDocumentLoader) -> None:
    for document in (_unsecured(_award()), _proof_configuration(_award())):
        _assert_same(document, loader)
    _assert_same(
        {"@context": [VC_V2], "type": ["VerifiableCredential"], "x": [1, {"@list": []}]}, loader
    )
    found = [*canon_templates._PLANS.values(), *canon_templates._TEMPLATES.values()]
    kinds = {type(value).__name__ for value in found}
    assert {"_Plan", "_Template", "object"} <= kinds
    for value in found:
        decoded = canon_templates._decode(canon_templates._encode(value))
        assert decoded == value if value is not canon_templates._SLOW_SHAPE else decoded is value


@pytest.mark.parametrize(
    "content", [b"", b"not json", b"[]", b'"plan"', b'{"plan": [1]}', b'{"template": [[]]}']
)
def test_a_damaged_entry_is_derived_again(content: bytes, loader: OfflineDocumentLoader) -> None:
    store = _Store()
    award = _unsecured(_award())
    with canon_templates.kept_in(store):
        _assert_same(award, loader)
    canon_templates.clear_cache()
    store.entries = dict.fromkeys(store.entries, content)
    with canon_templates.kept_in(store):
        assert _assert_same(award, loader)[0] == "N-Quads"
    assert STATS.derived > 0
    assert all(content != stored for stored in store.entries.values())


def test_outside_the_block_nothing_is_kept(loader: OfflineDocumentLoader) -> None:
    store = _Store()
    with canon_templates.kept_in(store):
        pass
    _assert_same(_unsecured(_award()), loader)
    assert store.entries == {}


def test_a_block_without_store_keeps_nothing_and_names_no_entry(
    loader: OfflineDocumentLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from build_tools import cache

    def refuse(*_: object) -> str:
        raise AssertionError("an entry was named without a store")

    monkeypatch.setattr(cache, "key", refuse)
    with canon_templates.kept_in(None):
        assert _assert_same(_unsecured(_award()), loader)[0] == "N-Quads"
