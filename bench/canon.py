"""``python -m bench.canon``: verifying awards with template canonicalisation, against pyld's.

Verification canonicalises each award's credential and proof configuration (RDFC-1.0) with
:func:`build_tools.canon_templates.canonicalize_fast`, which gives exactly the N-Quads of
:func:`build_tools.jsonld_loader.canonicalize` from templates of the documents' shapes. This
benchmark measures, side by side in one run on the signed records of a synthetic repository
(``bench/out/scale-10000`` by default, made by ``python -m bench.scale``), per award:

- the Data Integrity proof check (``signing.verify_eddsa_rdfc_2022_proof``), fast and with
  pyld's canonicalisation, and the canonicalisation of the two documents alone, fast and slow;
- the whole check of an award's three signed forms (``verification.verify_all``, one process,
  build cache off), fast and slow;
- the floor: one Ed25519 and two RSA-2048 signature checks per award with ``cryptography``.

Each fast round starts with an empty template cache, so it pays for deriving the templates of
every shape, as a fresh build process does. Every figure is the median of ``--repeat``
interleaved runs. The fast and slow N-Quads of every document are compared once first.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any
from unittest import mock

from cryptography.hazmat.primitives.asymmetric import ed25519

from bench import fixture
from bench.floor import Floor, Sizes, signing_input_length
from bench.measure import Task, interleave, table
from build_tools import cache, canon_templates, keys, signing, verification
from build_tools.jsonld_loader import OfflineDocumentLoader, canonicalize
from build_tools.model import Site
from build_tools.urls import Urls

Canonicalize = Callable[[Any, OfflineDocumentLoader | None], str]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _public_keys(site: Site) -> dict[str, ed25519.Ed25519PublicKey]:
    """Every issuer's Ed25519 keys by verification method, as verification resolves them."""
    urls = Urls(site.settings.site_url)
    found = {}
    for slug, issuer in site.issuers.items():
        for key in issuer.keys:
            if key.type == "Ed25519" and key.public_key_multibase is not None:
                method = f"{urls.did(slug)}#{key.id}"
                found[method] = keys.ed25519_public_key_from_multibase(key.public_key_multibase)
    return found


def _documents(site: Site) -> list[dict[str, Any]]:
    """The two documents verification canonicalises per award: credential and proof options."""
    documents = []
    for award in site.awards.values():
        credential = dict(award.credential)
        proof = credential.pop("proof")
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        config["@context"] = credential["@context"]
        documents += [credential, config]
    return documents


def _check_same(documents: Sequence[dict[str, Any]]) -> None:
    loader = OfflineDocumentLoader()
    for document in documents:
        if canon_templates.canonicalize_fast(document, loader) != canonicalize(document, loader):
            raise RuntimeError(f"fast and slow canonical forms differ: {document.get('id')}")


def _with(canonical: Canonicalize) -> Any:
    """Verification with this canonicalisation in place of the templates (for the slow rows)."""
    return mock.patch.object(signing, "canonicalize_fast", canonical)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.canon", description=__doc__)
    parser.add_argument("--repo", type=Path, default=fixture.OUT / "scale-10000")
    parser.add_argument("-n", type=int, help="awards measured (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median kept)")
    options = parser.parse_args(argv)
    cache.disable()
    _log(f"Loading {options.repo} ...")
    site = fixture.load(options.repo)
    if options.n is not None:
        subset = dict(list(site.awards.items())[: options.n])
        site = dataclasses.replace(site, awards=MappingProxyType(subset))
    count = len(site.awards)
    public_keys = _public_keys(site)
    credentials = [award.credential for award in site.awards.values()]
    documents = _documents(site)
    _log(f"Comparing fast and slow N-Quads of {len(documents):,} documents ...")
    _check_same(documents)

    def proofs() -> None:
        loader = OfflineDocumentLoader()
        for credential in credentials:
            signing.verify_eddsa_rdfc_2022_proof(
                credential, lambda m: public_keys[m], loader=loader
            )

    def slow_proofs() -> None:
        with _with(canonicalize):
            proofs()

    def canonical(function: Canonicalize) -> None:
        loader = OfflineDocumentLoader()
        for document in documents:
            function(document, loader)

    def verify_all() -> None:
        problems = verification.verify_all(site, workers=1)
        if problems:
            raise RuntimeError(f"{len(problems)} awards do not verify (first: {problems[0]})")

    def slow_verify_all() -> None:
        with _with(canonicalize):
            verify_all()

    def cold() -> None:
        canon_templates.clear_cache()

    award = next(iter(site.awards.values()))
    floor = Floor(
        Sizes(64, signing_input_length(award.credential_jwt), signing_input_length(award.ob2_jws))
    )
    tasks = [
        Task("Data Integrity proof, templates (as verification runs)", count, proofs, setup=cold),
        Task("Data Integrity proof, pyld canonicalize (before)", count, slow_proofs),
        Task(
            "canonicalisation of 2 documents, templates",
            count,
            lambda: canonical(canon_templates.canonicalize_fast),
            setup=cold,
        ),
        Task("canonicalisation of 2 documents, pyld", count, lambda: canonical(canonicalize)),
        Task(
            "verify_all, 1 process, templates",
            count,
            verify_all,
            setup=cold,
            floor="floor: verify",
        ),
        Task(
            "verify_all, 1 process, pyld canonicalize (before)",
            count,
            slow_verify_all,
            floor="floor: verify",
        ),
        Task("floor: verify", count, lambda: floor.verify(count)),
    ]
    _log(f"Verifying {count:,} awards, {options.repeat} rounds ...")
    interleave(tasks, options.repeat, _log)
    canon_templates.clear_cache()
    proofs()
    print(
        f"Template canonicalisation on {count:,} awards of {options.repo}: median of "
        f"{options.repeat} interleaved runs, one process; each templates run starts cold and "
        f"derives {canon_templates.STATS.derived} templates."
    )
    print()
    print(table(tasks))
    print()
    for fast, slow in zip(tasks[0:6:2], tasks[1:6:2], strict=True):
        print(
            f"{fast.label}: {fast.median / count * 1e3:.3f} ms per award, "
            f"{slow.median / count * 1e3:.3f} ms with pyld: {slow.median / fast.median:.1f}× faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
