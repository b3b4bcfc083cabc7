"""Check every signature of every award before anything is published.

The build refuses to publish an award whose proof, JWT or JWS does not verify against the keys
its issuer publishes, or whose three signed forms disagree: each problem is a diagnostic naming
the record file. Keys come from the issuer profiles in the repository, never from the network.

Canonicalising JSON-LD (RDFC-1.0) costs far more than the signatures themselves, so
:func:`verify_all` shares one JSON-LD document loader, whose cache keeps the processed
contexts, and each issuer's parsed public keys across awards, and spreads large sites over the
machine's cores. Every award is still checked in full: three signatures, keys, dates and the
agreement of its three forms.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from build_tools import cache, canon_templates, keys, ob2, parallel, signing
from build_tools.diagnostics import Diagnostic, Position
from build_tools.jsonld_loader import OfflineDocumentLoader
from build_tools.model import Award, Issuer, PublicKey, Site
from build_tools.urls import Urls


class _Keys:
    """Public keys of one issuer, looked up by the identifiers our documents use."""

    def __init__(self, site: Site, issuer: Issuer) -> None:
        self.urls = Urls(site.settings.site_url)
        self.issuer = issuer
        self.by_id = {k.id: k for k in issuer.keys}
        # Parsed public keys by key id: parsing is cached, the checks of `_key` are not.
        self._ed25519: dict[str, ed25519.Ed25519PublicKey] = {}
        self._rsa: dict[str, rsa.RSAPublicKey] = {}

    def _key(self, key_id: str, key_type: str, signed_at: datetime | None) -> PublicKey:
        key = self.by_id.get(key_id)
        if key is None or key.type != key_type:
            raise signing.KeyResolutionError(
                f"clé {key_type} « {key_id} » absente du profil de {self.issuer.slug}"
            )
        if (
            key.compromised
            and signed_at is not None
            and signed_at >= datetime.fromisoformat(key.compromised)
        ):
            raise signing.KeyResolutionError(
                f"clé « {key_id} » compromise depuis le {key.compromised[:10]}"
            )
        return key

    def ed25519(self, method: str, signed_at: datetime | None) -> ed25519.Ed25519PublicKey:
        prefix = self.urls.did(self.issuer.slug) + "#"
        if not method.startswith(prefix):
            raise signing.KeyResolutionError(
                f"méthode de vérification « {method} » étrangère à {self.issuer.slug}"
            )
        key = self._key(method[len(prefix) :], "Ed25519", signed_at)
        assert key.public_key_multibase is not None
        if key.id not in self._ed25519:
            self._ed25519[key.id] = keys.ed25519_public_key_from_multibase(key.public_key_multibase)
        return self._ed25519[key.id]

    def rsa(
        self, url: str, suffixes: tuple[str, ...], signed_at: datetime | None
    ) -> rsa.RSAPublicKey:
        prefix = self.urls.absolute(f"issuers/{self.issuer.slug}/keys/")
        name = url[len(prefix) :] if url.startswith(prefix) else ""
        for suffix in suffixes:
            if name.endswith(suffix):
                key = self._key(name[: -len(suffix)], "RSA", signed_at)
                assert key.public_key_jwk is not None
                if key.id not in self._rsa:
                    self._rsa[key.id] = keys.rsa_public_key_from_jwk(key.public_key_jwk)
                return self._rsa[key.id]
        raise signing.KeyResolutionError(f"clé « {url} » étrangère à {self.issuer.slug}")


def _parse(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def verify_award(
    site: Site, award: Award, *, loader: OfflineDocumentLoader | None = None
) -> list[Diagnostic]:
    """Every problem of one award's signatures; an empty list means all three forms hold.

    Pass one ``loader`` to check many awards: it keeps the JSON-LD contexts it has processed.
    """
    return _verify(site, award, _Keys(site, site.issuers[award.issuer]), loader)


def _verify(
    site: Site, award: Award, resolver: _Keys, loader: OfflineDocumentLoader | None
) -> list[Diagnostic]:
    return verify_records([_record(site, award, resolver)], loader)[0]


def _record(site: Site, award: Award, resolver: _Keys) -> SignedRecord:
    """What checking an award's signatures takes: its record is read here, once."""
    forms = award.forms
    proof = forms.credential.get("proof")
    return SignedRecord(
        award.source,
        SignedForms(forms.credential, forms.credential_jwt, forms.ob2_jws),
        resolver,
        proof_time=_parse(proof.get("created")) if isinstance(proof, Mapping) else None,
        token_time=_parse(award.issued_on),
        ob2_mismatches=lambda payload: _ob2_mismatches(site, award, payload),
        ob2_name="assertion Open Badges 2.0 signée",
    )


@dataclass(frozen=True)
class SignedForms:
    """The three signed forms of one record: 3.0 credential with its proof, VC-JWT, 2.0 JWS."""

    credential: Mapping[str, Any]
    credential_jwt: str
    ob2_jws: str


@dataclass(frozen=True)
class SignedRecord:
    """One record to check (see :func:`verify_signed_forms`), and where to report problems."""

    where: Position
    forms: SignedForms
    resolver: _Keys
    proof_time: datetime | None
    token_time: datetime | None
    ob2_mismatches: Callable[[dict[str, Any]], list[str]]
    ob2_name: str


def verify_signed_forms(
    where: Position,
    forms: SignedForms,
    resolver: _Keys,
    loader: OfflineDocumentLoader | None,
    *,
    proof_time: datetime | None,
    token_time: datetime | None,
    ob2_mismatches: Callable[[dict[str, Any]], list[str]],
    ob2_name: str,
) -> list[Diagnostic]:
    """Check a record's three signatures and that its forms agree; the problems, located.

    Awards and endorsements are both stored this way: the Data Integrity proof, the VC-JWT of
    the same credential and the signed Open Badges 2.0 document must all hold, with keys of
    the issuer that were not compromised at the time each signature claims.
    """
    record = SignedRecord(where, forms, resolver, proof_time, token_time, ob2_mismatches, ob2_name)
    return verify_records([record], loader)[0]


def verify_records(
    records: Sequence[SignedRecord], loader: OfflineDocumentLoader | None
) -> list[list[Diagnostic]]:
    """:func:`verify_signed_forms` of each record, in order, one kind of signature at a time.

    Every proof is checked first, then every VC-JWT, then every 2.0 JWS: each record's problems
    are the same, in the same order, as record by record, and it takes less time: 590 instead
    of 700 µs an award (the build's chunks of 2,048 awards of the benchmark, in batches of
    :data:`_BATCH`, eight runs of each, alternating; 2026-12-08). Probably because one check,
    run over a few dozen records, keeps its code and data in the processor's caches, which the
    three checks of one record, one after the other, push out of them.
    """
    problems: list[list[Diagnostic]] = [[] for _ in records]
    unsigned = [
        _check_proof(record, found, loader) for record, found in zip(records, problems, strict=True)
    ]
    for record, found, document in zip(records, problems, unsigned, strict=True):
        _check_vc_jwt(record, found, document)
    for record, found in zip(records, problems, strict=True):
        _check_ob2_jws(record, found)
    return problems


def _check_proof(
    record: SignedRecord, problems: list[Diagnostic], loader: OfflineDocumentLoader | None
) -> Mapping[str, Any]:
    """The credential without its proof, once the proof is checked (problems added)."""
    credential, resolver, proof_time = record.forms.credential, record.resolver, record.proof_time
    try:
        return signing.verify_eddsa_rdfc_2022_proof(
            credential, lambda m: resolver.ed25519(m, proof_time), loader=loader
        )
    except signing.VerificationError as exc:
        problems.append(
            record.where.error("ob3.proof", f"signature Data Integrity refusée : {exc}")
        )
        return {k: v for k, v in credential.items() if k != "proof"}


def _check_vc_jwt(
    record: SignedRecord, problems: list[Diagnostic], unsigned: Mapping[str, Any]
) -> None:
    """Check the VC-JWT and that it holds ``unsigned``, the credential of the proof."""
    resolver, token_time = record.resolver, record.token_time
    try:
        from_jwt = signing.decode_vc_jwt(
            record.forms.credential_jwt,
            lambda h: resolver.rsa(str(h.get("kid")), (".jwk.json",), token_time),
            now=token_time,
        )
        if _canonical(from_jwt) != _canonical(unsigned):
            problems.append(
                record.where.error(
                    "ob3_jwt", "le VC-JWT ne contient pas le même credential que ob3"
                )
            )
    except signing.VerificationError as exc:
        problems.append(record.where.error("ob3_jwt", f"VC-JWT refusé : {exc}"))


def _check_ob2_jws(record: SignedRecord, problems: list[Diagnostic]) -> None:
    """Check the signed 2.0 document and that it agrees with the credential."""
    resolver, token_time, where = record.resolver, record.token_time, record.where
    try:
        payload = signing.verify_jws(
            record.forms.ob2_jws,
            lambda h: resolver.rsa(str(h.get("kid")), (".json",), token_time),
        ).json()
        problems += [where.error("ob2_jws", m) for m in record.ob2_mismatches(payload)]
    except signing.VerificationError as exc:
        problems.append(where.error("ob2_jws", f"{record.ob2_name} refusée : {exc}"))


def _ob2_mismatches(site: Site, award: Award, payload: dict[str, Any]) -> list[str]:
    """Where the signed 2.0 assertion disagrees with the 3.0 credential it was issued with."""
    urls = Urls(site.settings.site_url)
    expected_badge = urls.absolute(
        ob2.badge_class_path(award.badge, award.badge_version, award.issuer)
    )
    checks = {
        "badge": expected_badge,
        "issuedOn": award.issued_on,
        "expires": award.expires,
        "recipient.identity": award.identity_hash,
        "recipient.salt": award.salt,
    }
    actual = {
        "badge": payload.get("badge"),
        "issuedOn": payload.get("issuedOn"),
        "expires": payload.get("expires"),
        "recipient.identity": (payload.get("recipient") or {}).get("identity"),
        "recipient.salt": (payload.get("recipient") or {}).get("salt"),
    }
    problems = [
        f"{name} diffère du credential 3.0" for name in checks if checks[name] != actual[name]
    ]
    verification = payload.get("verification") or {}
    creator = str(verification.get("creator", ""))
    if verification.get("type") != "SignedBadge" or not creator.startswith(
        urls.absolute(f"issuers/{award.issuer}/keys/")
    ):
        problems.append("verification doit être SignedBadge avec une clé de l'émetteur")
    if payload.get("@context") != ob2.OB_V2 or payload.get("type") != "Assertion":
        problems.append("ce n'est pas une assertion Open Badges 2.0")
    return problems


def _canonical(document: Mapping[str, Any]) -> bytes:
    """A text of a JSON document in which equal documents (1 and 1.0 apart) are equal texts."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        # What orjson cannot write (integers beyond 64 bits, lone surrogates), for both
        # documents alike since equal documents take the same path.
        return json.dumps(document, sort_keys=True).encode("ascii")


#: Awards checked together by :func:`verify_records`; their parsed records are held meanwhile.
_BATCH = 64


def _verify_chunk(site: Site, ids: Sequence[str]) -> list[tuple[str, list[Diagnostic]]]:
    """Check the awards of one chunk (in a worker, the site is the one it inherited)."""
    loader = OfflineDocumentLoader()
    resolvers: dict[str, _Keys] = {}
    results: list[tuple[str, list[Diagnostic]]] = []
    # Canonicalisation templates are kept in the build cache: a build that checks one new
    # award then neither imports pyld nor derives them again (canon_templates.py).
    kept = cache.open_versioned(site.root, canon_templates.KIND)
    with canon_templates.kept_in(kept if kept.enabled else None):
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            records = []
            for award_id in batch:
                award = site.awards[award_id]
                resolver = resolvers.get(award.issuer)
                if resolver is None:
                    resolver = resolvers[award.issuer] = _Keys(site, site.issuers[award.issuer])
                records.append(_record(site, award, resolver))
            results += zip(batch, verify_records(records, loader), strict=True)
    return results


def default_workers(count: int) -> int:
    """How many processes :func:`verify_all` uses for ``count`` awards."""
    return parallel.default_workers(count)


def _issuer_part(site: Site, issuer: Issuer) -> str:
    """What a signature check takes from the issuer: its keys and their compromise dates."""
    return cache.stable_json(
        [
            site.settings.site_url,
            issuer.slug,
            [
                [k.id, k.type, k.public_key_multibase, k.public_key_jwk, k.compromised]
                for k in issuer.keys
            ],
        ]
    )


def _key(award: Award, issuer_key: str) -> str:
    """The SHA-256 of everything an award's signature checks depend on.

    That is its record (by SHA-256), its issuer's part (``issuer_key``, the SHA-256 of
    :func:`_issuer_part`) and the award's own fields, its position in the diagnostics included.
    The ``repr`` of a tuple of texts, numbers and None is unambiguous, and cheaper than JSON
    for ten thousand awards.
    """
    where = award.source
    inputs = (
        issuer_key,
        award.digest,
        award.id,
        award.issuer,
        award.badge,
        award.badge_version,
        award.issued_on,
        award.expires,
        award.identity_hash,
        award.salt,
        where.path,
        where.line,
        where.col,
    )
    return hashlib.sha256(repr(inputs).encode("utf-8")).hexdigest()


def verify_all(site: Site, *, workers: int | None = None) -> list[Diagnostic]:
    """Diagnostics of every award whose signatures do not hold, in the order of the awards.

    ``workers`` is the number of processes (by default :func:`default_workers`); each checks a
    share of the awards in full and the diagnostics are gathered in order. An award whose record
    and issuer keys are unchanged since an earlier check takes its diagnostics from the cache
    (build_tools/cache.py); every other award is checked.
    """
    return start_all(site, workers=workers).results()


def start_all(site: Site, *, workers: int | None = None) -> Checking:
    """:func:`verify_all`, started on the workers now and its diagnostics taken later.

    The caller can meanwhile go on in this process (loading the rest of the repository).
    """
    index = cache.open_index(site.root, "signatures")
    ids = list(site.awards)
    results: dict[str, list[Diagnostic]] = {}
    keys: dict[str, str] = {}
    missing = ids
    if index.enabled:
        # One index for every award (cache.Index), rather than ten thousand small files.
        issuers = {
            slug: hashlib.sha256(_issuer_part(site, issuer).encode("utf-8")).hexdigest()
            for slug, issuer in site.issuers.items()
        }
        missing = []
        for award_id in ids:
            award = site.awards[award_id]
            keys[award_id] = entry = _key(award, issuers[award.issuer])
            found = cache.decode_diagnostics(index.get(entry), award.source.path)
            if found is None:
                missing.append(award_id)
            else:
                results[award_id] = found
    pending = parallel.start_chunks(_verify_chunk, site, missing, workers, label="Signatures")
    return Checking(site, ids, results, keys, index, pending)


class Checking:
    """The signature checks of :func:`start_all`: :meth:`results` waits for them."""

    def __init__(
        self,
        site: Site,
        ids: list[str],
        results: dict[str, list[Diagnostic]],
        keys: dict[str, str],
        index: cache.Index,
        pending: parallel.Pending,
    ) -> None:
        self._site = site
        self._ids = ids
        self._results = results
        self._keys = keys
        self._index = index
        self._pending = pending

    def results(self) -> list[Diagnostic]:
        """Every problem found, in the order of the awards; the cache index is saved."""
        site, index, results = self._site, self._index, self._results
        for award_id, problems in self._pending.results():
            results[award_id] = problems
            if index.enabled:
                try:
                    rows = cache.encode_diagnostics(problems, site.awards[award_id].source.path)
                except ValueError:
                    continue  # A problem of another file: not kept, checked again next time.
                index.put(self._keys[award_id], rows)
        index.save()
        return [problem for award_id in self._ids for problem in results[award_id]]

    def cancel(self) -> None:
        """Stop the workers of a load that failed meanwhile."""
        self._pending.cancel()
