"""``python -m bench.scale``: the whole build at 10,000 and 100,000 awards, against its floors.

On a synthetic repository (bench/generate.py: 100 badge classes, 5,000 consenting holders,
every award really signed), in the same run:

- the full build (``badgeons build``, a fresh process, as CI runs it) with the cache off,
  with an empty cache and with a warm one, against the raw floor (per award: three signature
  checks with ``cryptography``, one template rendered, the PNG chunk spliced, the files
  written, in one loop) and per page against the verification pages rendered as Markdown pages
  through MkDocs + Material (bench/pages.py, on a subset);
- one award added, then the site rebuilt with the warm cache, three times over (the median is
  reported); the result is compared byte for byte with a clean build of the same repository;
- ``badgeons validate``, cache off and warm;
- the largest size (100,000 by default): time and peak memory of a clean build.

Peak memory is the largest resident set of the build process or of one of its workers
(``wait4``, read by a small wrapper process); workers are forked and share the parent's pages.
``--count 2000 --large 20000`` measures other sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench import fixture, generate, pages
from bench.floor import Floor, Sizes, signing_input_length
from build_tools import issuing
from build_tools.model import Site

BADGEONS = Path(sys.executable).with_name("badgeons")
EPOCH = "1790000000"
#: Awards added one at a time to the 10,000 repository, each followed by a build.
ADDITIONS = 3


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _with_site_sources(root: Path) -> None:
    """The project's mkdocs.yml and site sources, which the synthetic repository lacks."""
    if not (root / "mkdocs.yml").is_file():
        shutil.copy(fixture.ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if not (root / "site_src").is_dir():
        shutil.copytree(fixture.ROOT / "site_src", root / "site_src")


# Peak memory is read by a small wrapper process that starts the build and waits for it. The
# benchmark itself holds gigabytes (whole sites compared byte for byte), and a child forked from
# it carries that high-water mark into its own ``ru_maxrss`` across ``exec``.
_WRAPPER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(args: Sequence[str], cache_dir: Path | None) -> tuple[float, int]:
    """Run a ``badgeons`` command in a fresh process: wall seconds and peak RSS in bytes."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("CI", None)
    if cache_dir is not None:
        env["BADGEONS_CACHE_DIR"] = str(cache_dir)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, "-c", _WRAPPER, report.name, str(BADGEONS), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak = report.read().strip()
    if process.returncode != 0:
        errors = process.stderr.decode("utf-8", "replace")
        raise RuntimeError(f"badgeons {' '.join(args)} failed:\n{errors[-2000:]}")
    return seconds, int(peak) * 1024


def _png_chunk(keyword: str, text: str) -> bytes:
    data = keyword.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8")
    body = b"iTXt" + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def floor(site: Site, out: Path) -> float:
    """The raw floor of a build, in one loop: seconds for every award of ``site``."""
    awards = list(site.awards.values())
    jwts = sorted(signing_input_length(a.credential_jwt) for a in awards)
    jwss = sorted(signing_input_length(a.ob2_jws) for a in awards)
    checks = Floor(Sizes(64, jwts[len(jwts) // 2], jwss[len(jwss) // 2]))
    images = {b.slug: b.image.read_bytes() for b in site.badges.values()}
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pad, digest = padding.PKCS1v15(), hashes.SHA256()
    # Awards read their records from disk; the floor starts from documents already in memory.
    forms = [award.forms for award in awards]
    started = time.perf_counter()
    for index, (award, form) in enumerate(zip(awards, forms, strict=True)):
        ed, ed_sig, jwt, jwt_sig, jws, jws_sig = checks.signed[index % len(checks.signed)]
        checks.ed_public.verify(ed_sig, ed)
        checks.rsa_public.verify(jwt_sig, jwt, pad, digest)
        checks.rsa_public.verify(jws_sig, jws, pad, digest)
        achievement = form.credential["credentialSubject"]["achievement"]
        html = pages.FLOOR_TEMPLATE.render(
            name=achievement["name"],
            status="Badge authentique",
            issuer=award.issuer,
            issued=award.issued_on,
            narrative=form.credential["credentialSubject"].get("narrative", ""),
            id=award.id,
        )
        credential = json.dumps(form.credential, ensure_ascii=False)
        image = images[award.badge]
        baked = image[:-12] + _png_chunk("openbadgecredential", credential) + image[-12:]
        (out / f"{award.id}.html").write_text(html, encoding="utf-8")
        (out / f"{award.id}.png").write_bytes(baked)
        (out / f"{award.id}.vc.json").write_text(credential, encoding="utf-8")
        (out / f"{award.id}.vc.jwt").write_text(form.credential_jwt, encoding="ascii")
        (out / f"{award.id}.jws").write_text(form.ob2_jws, encoding="ascii")
    return time.perf_counter() - started


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _add_one(root: Path, keys: Path) -> str:
    """One more badge, awarded by the repository's first organisation with its own keys."""
    site = fixture.load(root)
    issuer = min(a.issuer for a in site.awards.values())
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    profile, badge = issuing.check_allowed(site, issuer, fixture.BADGE)
    signer = issuing.load_signer(profile, None, keys, now)
    request = issuing.AwardRequest(email="nouvelle.apprenante@example.org", issued_on=now)
    signed = issuing.sign_award(site, profile, badge, request, signer)
    issuing.write_awards(root, issuer, [signed], now.date())
    return signed.assertion_id


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def measure_10k(count: int, mkdocs_pages: int, out: Path) -> list[tuple[str, str, str, str]]:
    """Every figure of the 10,000 repository, as table rows (task, n, time, comparison)."""
    source, generated = generate.repository(count, log=_log)
    root = out / "repo"
    _log(f"Copying the {count:,} repository ...")
    shutil.copytree(source, root)
    _with_site_sources(root)
    cache_dir = out / "cache"
    site = fixture.load(root)
    rows: list[tuple[str, str, str, str]] = []

    _log("Floor: verify, render, splice, write ...")
    floor_s = floor(site, out / "floor")
    _log("Clean build (no cache) ...")
    clean_s, clean_rss = run(
        ["build", "--no-cache", "--root", str(root), "--site-dir", str(out / "clean")], None
    )
    site_dir = out / "site"
    _log("Build with an empty cache ...")
    cold_s, _ = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
    _log("Build with a warm cache, into the same site folder ...")
    warm_s, warm_rss = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
    identical = _tree(site_dir) == _tree(out / "clean")
    _log("Build with a warm cache, into a new site folder (as CI does) ...")
    ci_s, _ = run(["build", "--root", str(root), "--site-dir", str(out / "ci")], cache_dir)
    shutil.rmtree(out / "ci")
    shutil.rmtree(out / "clean")
    _log(f"MkDocs route: {mkdocs_pages:,} pages ...")
    scratch = out / "mkdocs"
    route = pages.mkdocs_route(site, mkdocs_pages, scratch)
    started = time.perf_counter()
    route()
    mkdocs_s = time.perf_counter() - started
    shutil.rmtree(scratch)

    # One award added, then the site rebuilt, three times over: one build of about two seconds
    # is at the mercy of the machine's other work.
    added: list[float] = []
    for attempt in range(ADDITIONS):
        _log(f"Adding one award, incremental build ({attempt + 1}/{ADDITIONS}) ...")
        new_id = _add_one(root, generate.key_folder(count))
        added_s, _ = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
        added.append(added_s)
    added_s = sorted(added)[len(added) // 2]
    _log("Clean build of the same repository, for the comparison ...")
    run(["build", "--no-cache", "--root", str(root), "--site-dir", str(out / "clean2")], None)
    incremental = _tree(site_dir)
    same_after_add = incremental == _tree(out / "clean2") and f"a/{new_id}.html" in incremental
    del incremental
    shutil.rmtree(out / "clean2")

    _log("badgeons validate ...")
    validate_cold, _ = run(["validate", "--no-cache", "--root", str(root)], None)
    validate_warm, _ = run(["validate", "--root", str(root)], cache_dir)

    per_mkdocs = mkdocs_s / mkdocs_pages
    rows += [
        (
            f"generate (sign) {count:,} awards, cached",
            f"{count:,}",
            f"{generated:.0f} s",
            "once, reused",
        ),
        (
            "floor: verify 3 sigs, render, splice PNG, write",
            f"{count:,}",
            f"{floor_s:.1f} s",
            "1.0× (floor)",
        ),
        (
            "badgeons build, cache off (clean)",
            f"{count:,}",
            f"{clean_s:.1f} s",
            f"{clean_s / floor_s:.2f}× floor; peak {_mb(clean_rss)}",
        ),
        (
            "badgeons build, empty cache (writes it)",
            f"{count:,}",
            f"{cold_s:.1f} s",
            f"{cold_s / floor_s:.2f}× floor",
        ),
        (
            "badgeons build, warm cache, nothing changed",
            f"{count:,}",
            f"{warm_s:.1f} s",
            f"{warm_s / floor_s:.2f}× floor; peak {_mb(warm_rss)}; = clean: {identical}",
        ),
        (
            "  same, into a new site folder (CI)",
            f"{count:,}",
            f"{ci_s:.1f} s",
            f"{ci_s / floor_s:.2f}× floor",
        ),
        (
            "  pages as Markdown through MkDocs + Material",
            f"{mkdocs_pages:,}",
            f"{mkdocs_s:.1f} s",
            f"{per_mkdocs * 1e3:.1f} ms/page = {per_mkdocs / (clean_s / count):.1f}× the clean "
            f"build per award, {per_mkdocs * count:.0f} s for {count:,}",
        ),
        (
            "one award added, build with warm cache",
            f"{count + 1:,}–{count + ADDITIONS:,}",
            f"{added_s:.2f} s",
            f"median of {' / '.join(f'{a:.2f}' for a in added)} s, target < 2 s; "
            f"{added_s / floor_s:.2f}× floor; = clean build: {same_after_add}",
        ),
        ("badgeons validate, cache off", f"{count + ADDITIONS:,}", f"{validate_cold:.1f} s", ""),
        ("badgeons validate, warm cache", f"{count + ADDITIONS:,}", f"{validate_warm:.1f} s", ""),
    ]
    return rows


def measure_large(count: int, out: Path) -> list[tuple[str, str, str, str]]:
    """Generation, clean build and warm build of the largest repository: time and peak RSS."""
    source, generated = generate.repository(count, log=_log)
    root = out / f"repo-{count}"
    shutil.copytree(source, root)
    _with_site_sources(root)
    _log(f"Clean build of {count:,} awards ...")
    clean_s, clean_rss = run(
        ["build", "--no-cache", "--root", str(root), "--site-dir", str(out / "large")], None
    )
    shutil.rmtree(out / "large")
    return [
        (
            f"generate (sign) {count:,} awards, cached",
            f"{count:,}",
            f"{generated:.0f} s",
            "once, reused",
        ),
        (
            f"badgeons build {count:,}, cache off",
            f"{count:,}",
            f"{clean_s:.1f} s",
            f"peak {_mb(clean_rss)}; targets < 120 s, < 1024 MiB",
        ),
    ]


def _table(rows: Sequence[tuple[str, str, str, str]]) -> str:
    header = ("task", "n", "time", "comparison")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(
            c.ljust(widths[i]) if i in (0, 3) else c.rjust(widths[i]) for i, c in enumerate(r)
        ).rstrip()
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="awards of the main repository")
    parser.add_argument(
        "--large", type=int, default=100_000, help="awards of the large one (0: skip)"
    )
    parser.add_argument("--mkdocs-pages", type=int, default=1_000, help="pages through MkDocs")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="badgeons-bench-scale-"))
    try:
        rows = measure_10k(options.count, options.mkdocs_pages, out)
        if options.large:
            rows += measure_large(options.large, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"Badgeons scale benchmark: {len(os.sched_getaffinity(0))} cores, one run per figure")
    print(_table(rows))
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
