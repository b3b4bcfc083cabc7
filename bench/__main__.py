"""``python -m bench``: every speed and size target of Badgeons, each measured against its floor.

Full run: 1,000 learners awarded from a CSV file (against the raw ``cryptography`` signatures),
10,000 awards verified (against the raw signature checks), their 10,000 verification pages
(against rendering a template and writing a file, and against MkDocs pages on a subset), and the
map of 10,000 consenting holders (against folium's one-marker-at-a-time clusters). ``--quick``
(for CI): 100, 500, 500 and 1,000. Every figure is the median of ``--repeat`` interleaved runs.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import io
import json
import os
import platform
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

from bench import fixture, pages, territory
from bench.floor import Floor, Sizes, signing_input_length
from bench.measure import Task, interleave, table
from build_tools import cache, verification
from build_tools.awards import record_to_json
from build_tools.model import Award, Site


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sizes(site: Site) -> Sizes:
    """The sizes one award really signs (medians over the awards of the site)."""
    jwts = sorted(signing_input_length(a.credential_jwt) for a in site.awards.values())
    jwss = sorted(signing_input_length(a.ob2_jws) for a in site.awards.values())
    # The Data Integrity proof signs two SHA-256 digests (eddsa-rdfc-2022, section 3.2.5).
    return Sizes(ed25519=64, vc_jwt=jwts[len(jwts) // 2], ob2_jws=jwss[len(jwss) // 2])


def _check_tamper_detected(site: Site) -> None:
    """Prove that verification really checks each award: one changed credential must fail.

    Awards keep their signed forms on disk (``model.read_record``): the changed record is
    written to a file of its own, and the award pointed at it.
    """
    award = next(iter(site.awards.values()))
    forms = award.forms
    credential = json.loads(json.dumps(forms.credential))
    credential["credentialSubject"]["narrative"] = "Texte modifié après la signature."
    data = record_to_json(credential, forms.credential_jwt, forms.ob2_jws).encode()
    with tempfile.TemporaryDirectory(prefix="badgeons-bench-tampered-") as folder:
        record = Path(folder) / award.record.name
        record.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        changed = dataclasses.replace(award, record=record, digest=digest)
        problems = verification.verify_award(site, changed)
    if not any(p.field == "ob3.proof" for p in problems):
        raise RuntimeError("a tampered credential was not detected: the benchmark is invalid")


def _verify_task(site: Site, label: str, workers: int | None) -> Task:
    def run() -> None:
        problems = verification.verify_all(site, workers=workers)
        if problems:
            raise RuntimeError(
                f"{len(problems)} awards do not verify (first: {problems[0]}); "
                "run with --regenerate"
            )

    return Task(label, len(site.awards), run, floor="floor: verify")


def _verify_one_by_one(site: Site, awards: Sequence[Award]) -> None:
    """How ``verify_all`` worked before: a fresh loader and freshly parsed keys per award."""
    for award in awards:
        if verification.verify_award(site, award):
            raise RuntimeError(f"award {award.id} does not verify; run with --regenerate")


def _profile(site: Site, count: int) -> str:
    """The hottest functions of ``verify_all`` on ``count`` awards, in one process."""
    subset = dict(list(site.awards.items())[:count])
    part = dataclasses.replace(site, awards=MappingProxyType(subset))
    profiler = cProfile.Profile()
    profiler.enable()
    verification.verify_all(part, workers=1)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run for CI (about 1 minute)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median kept)")
    parser.add_argument("--award-n", type=int, help="learners awarded (default 1,000; quick 100)")
    parser.add_argument("--verify-n", type=int, help="awards verified (default 10,000; quick 500)")
    parser.add_argument(
        "--baseline-n",
        type=int,
        default=2_000,
        help="awards verified the old way, for the before/after comparison (default 2,000)",
    )
    parser.add_argument("--regenerate", action="store_true", help="re-sign the cached repository")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of verification")
    options = parser.parse_args(argv)
    # Cold figures: the build cache would answer every round after the first (its own gains
    # are measured by `python -m bench.scale`).
    cache.disable()
    award_n = options.award_n or (100 if options.quick else 1_000)
    verify_n = options.verify_n or (500 if options.quick else 10_000)
    started = time.perf_counter()

    with fixture.awarding_repo(award_n) as (root, key_dir, rows):
        award_site = fixture.load(root)
        assertions = root / "issuers" / fixture.ISSUER / "assertions"

        def award(loader_per_award: bool = False) -> None:
            written = fixture.award_group(
                award_site, rows, key_dir, loader_per_award=loader_per_award
            )
            assert len(written) == award_n

        def clear() -> None:
            shutil.rmtree(assertions, ignore_errors=True)

        award()  # One untimed round, to measure the sizes of what is signed.
        sizes = _sizes(fixture.load(root))
        shutil.rmtree(assertions)
        floor = Floor(sizes)
        awarding = [
            Task(
                "award from CSV via issuing (3 signed forms, records written)",
                award_n,
                award,
                setup=clear,
                floor="floor: sign",
            ),
            Task(
                "  same, fresh JSON-LD loader per award (before)",
                award_n,
                lambda: award(loader_per_award=True),
                setup=clear,
                floor="floor: sign",
            ),
            Task("floor: sign", award_n, lambda: floor.sign(award_n)),
        ]
        _log(f"Awarding {award_n:,} learners, {options.repeat} rounds ...")
        interleave(awarding, options.repeat, _log)

    repo = fixture.verification_repo(verify_n, options.regenerate, _log)
    load = Task("load_site, signatures not checked", verify_n, lambda: fixture.load(repo))
    time_load = time.perf_counter()
    site = fixture.load(repo)
    load.seconds.append(time.perf_counter() - time_load)
    if len(site.awards) != verify_n:
        raise RuntimeError(f"{repo} holds {len(site.awards)} awards, not {verify_n}")
    _check_tamper_detected(site)
    verify_floor = Floor(_sizes(site))
    workers = verification.default_workers(verify_n)
    baseline = list(site.awards.values())[: min(verify_n, options.baseline_n)]
    verifying = [
        _verify_task(site, f"verification.verify_all ({workers} processes, default)", None),
        _verify_task(site, "verification.verify_all, 1 process", 1),
        Task(
            "  verify_award one by one, fresh loader (before)",
            len(baseline),
            lambda: _verify_one_by_one(site, baseline),
            floor="floor: verify",
        ),
        Task("floor: verify", verify_n, lambda: verify_floor.verify(verify_n)),
    ]
    _log(f"Verifying {verify_n:,} awards, {options.repeat} rounds ...")
    interleave(verifying, options.repeat, _log)

    scratch = pages.scratch_folder()
    mkdocs_pages = 300 if options.quick else 1_000
    publishing = pages.tasks(site, mkdocs_pages, scratch)
    _log(f"Writing {verify_n:,} verification pages, {options.repeat} rounds ...")
    try:
        interleave(publishing, options.repeat, _log)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    heaviest, assets = pages.page_weight(site)
    _log("Map of the territoire apprenant ...")
    territory_rows = territory.run(options.quick)

    cores = len(os.sched_getaffinity(0))
    print(
        f"Badgeons benchmark{' (quick)' if options.quick else ''}: median of {options.repeat} "
        f"interleaved runs; {cores} cores, Python {platform.python_version()}, "
        f"cryptography {metadata.version('cryptography')}, PyLD {metadata.version('PyLD')}"
    )
    print(
        f"Signed per award: Ed25519 over {sizes.ed25519} B, RSA-2048 over {sizes.vc_jwt} B "
        f"(VC-JWT) and {sizes.ob2_jws} B (OB 2.0 JWS)"
    )
    print()
    print(table([*awarding, load, *verifying, *publishing]))
    print("Floors run in one process; ratios compare the time per item.")
    ours_page = publishing[0].median / publishing[0].count
    mkdocs_page = publishing[1].median / publishing[1].count
    print(
        f"Verification pages: {mkdocs_page / ours_page:.1f}× faster per page than MkDocs pages "
        f"(target ≥ 10×); heaviest page {heaviest / 1024:.1f} KB + {assets / 1024:.1f} KB of "
        "shared assets, before the badge image (target < 150 KB)."
    )
    print()
    print("Map of the territoire apprenant (target: < 1 MB, built in < 1 s):")
    for row in territory_rows:
        print(
            f"  {row['task']}: {row['holders']:,} holders, {row['seconds']:.2f} s, "
            f"{row['page_bytes'] / 1024:,.0f} KB"
            + ("" if row.get("meets_limits") is None else f", within limits: {row['meets_limits']}")
        )
    print()
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    if options.profile:
        print()
        print(_profile(site, min(verify_n, 300)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
