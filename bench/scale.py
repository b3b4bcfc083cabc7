"""``python -m bench.scale``: the whole build at 10,000 and 100,000 awards, against its floors.

On a synthetic repository (bench/generate.py: 100 badge classes, 5,000 consenting holders,
every award really signed), in the same run:

- the clean build (``badgeons build --no-cache``, a fresh process, as CI runs it) against the
  raw floor (per award: three signature checks with ``cryptography``, one template rendered,
  the PNG chunk spliced and five files written, in one loop), side by side three times over
  (``--pairs``), the median of the three ratios reported; beside them, the same floor writing
  the nine files a site publishes per award, to show what the size of the output costs alone;
- the build with an empty cache and with a warm one, into the same folder and a new one;
- per page, the verification pages rendered as Markdown pages through MkDocs + Material
  (bench/pages.py, on a subset);
- one award added, then the site rebuilt with the warm cache, three times over (the median is
  reported); the result is compared byte for byte with a clean build of the same repository;
- ``badgeons validate``, cache off and warm;
- the largest size (100,000 by default): time and peak memory of a clean build.

Every timed step writes into a folder of its own, after the previous step's writes are
flushed, and nothing is deleted until the run ends (measure_10k says why); the benchmark
checks first that the disk has room for that.

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
from build_tools import bake, issuing, publish
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
# it carries that high-water mark into its own ``ru_maxrss`` across ``exec``. The wrapper times
# the build too, so that its own start (an interpreter, tens of milliseconds) is not counted.
_WRAPPER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    report.write(f"{usage.ru_maxrss} {seconds!r}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(args: Sequence[str], cache_dir: Path | None) -> tuple[float, int]:
    """Run a ``badgeons`` command in a fresh process: wall seconds and peak RSS in bytes."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("CI", None)
    # Badgeons runs as it does once installed: Python keeps the bytecode of its modules. With
    # PYTHONDONTWRITEBYTECODE (set on some CI images and sandboxes), every run would compile
    # them again: about 60 ms of each build.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache_dir is not None:
        env["BADGEONS_CACHE_DIR"] = str(cache_dir)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        process = subprocess.run(
            [sys.executable, "-c", _WRAPPER, report.name, str(BADGEONS), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        measured = report.read().split()
    if process.returncode != 0:
        errors = process.stderr.decode("utf-8", "replace")
        raise RuntimeError(f"badgeons {' '.join(args)} failed:\n{errors[-2000:]}")
    peak, seconds = measured
    return float(seconds), int(peak) * 1024


def _png_chunk(keyword: str, text: str) -> bytes:
    data = keyword.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8")
    body = b"iTXt" + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def _svg_chunk(svg: bytes, element: str) -> bytes:
    """The badge's SVG with ``element`` spliced in after its opening tag."""
    end = svg.index(b">", svg.index(b"<svg")) + 1
    return svg[:end] + element.encode("utf-8") + svg[end:]


def floor(site: Site, out: Path, *, nine: bool = False) -> float:
    """The raw floor of a build, in one loop: seconds for every award of ``site``.

    Per award: three signature checks with ``cryptography`` (on prepared messages of the sizes
    Badgeons signs), one small template rendered, the credential spliced into the badge's PNG
    as an iTXt chunk, and five files written (page, baked PNG, credential, VC-JWT, 2.0 JWS).
    With ``nine``, the nine files a site publishes per award are written instead: the hosted
    2.0 assertion, a second baked PNG and the two baked SVGs too, each made the raw way (JSON
    text spliced into the badge's bytes). ``out`` must not exist.
    """
    awards = list(site.awards.values())
    jwts = sorted(signing_input_length(a.credential_jwt) for a in awards)
    jwss = sorted(signing_input_length(a.ob2_jws) for a in awards)
    checks = Floor(Sizes(64, jwts[len(jwts) // 2], jwss[len(jwss) // 2]))
    images = {b.slug: b.image.read_bytes() for b in site.badges.values()}
    svgs = {
        slug: bake.png_to_svg(data) if site.badges[slug].image_format == "png" else data
        for slug, data in images.items()
    }
    out.mkdir(parents=True)
    pad, digest = padding.PKCS1v15(), hashes.SHA256()
    # Awards read their records from disk; the floor starts from documents already in memory.
    forms = [award.forms for award in awards]
    hosted = [publish.hosted_assertion(site, award) for award in awards] if nine else []
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
        if nine:
            assertion = json.dumps(hosted[index], ensure_ascii=False)
            (out / f"{award.id}.json").write_text(assertion, encoding="utf-8")
            baked = image[:-12] + _png_chunk("openbadges", assertion) + image[-12:]
            (out / f"{award.id}.vc.png").write_bytes(baked)
            svg = svgs[award.badge]
            element = f"<openbadges:assertion><![CDATA[{assertion}]]></openbadges:assertion>"
            (out / f"{award.id}.svg").write_bytes(_svg_chunk(svg, element))
            element = f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
            (out / f"{award.id}.vc.svg").write_bytes(_svg_chunk(svg, element))
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


def _settle() -> None:
    """Flush what the last step wrote, so that the kernel's writeback does not run (on one of
    the two cores) during the next timed step."""
    os.sync()


def _median(values: Sequence[float]) -> float:
    return sorted(values)[len(values) // 2]


def _each(values: Sequence[float], digits: int = 1) -> str:
    return " / ".join(f"{v:.{digits}f}" for v in values)


def measure_10k(
    count: int, mkdocs_pages: int, out: Path, pairs: int
) -> list[tuple[str, str, str, str]]:
    """Every figure of the 10,000 repository, as table rows (task, n, time, comparison).

    Every timed step writes into a folder of its own, and nothing is deleted before the run
    ends: on a file system without a journal, ext4 does not reuse an inode deleted in the last
    minute or more (``recently_deleted``), and creating tens of thousands of files just after
    deleting as many took three to four times as long (5 s became 14 to 25 s for the floor).
    """
    source, generated = generate.repository(count, log=_log)
    root = out / "repo"
    _log(f"Copying the {count:,} repository ...")
    shutil.copytree(source, root)
    _with_site_sources(root)
    cache_dir = out / "cache"
    site = fixture.load(root)
    rows: list[tuple[str, str, str, str]] = []

    # The floors and the clean build, side by side, a few times over: the ratio of each pair
    # is computed, and the median reported.
    floors: list[float] = []
    nines: list[float] = []
    cleans: list[float] = []
    clean_rss = 0
    for index in range(pairs):
        _log(f"Floor, nine-file floor and clean build (no cache), {index + 1}/{pairs} ...")
        _settle()
        floors.append(floor(site, out / f"floor-{index}"))
        _settle()
        nines.append(floor(site, out / f"floor9-{index}", nine=True))
        _settle()
        seconds, peak = run(
            ["build", "--no-cache", "--root", str(root), "--site-dir", str(out / f"clean-{index}")],
            None,
        )
        cleans.append(seconds)
        clean_rss = max(clean_rss, peak)
    ratios = [c / f for c, f in zip(cleans, floors, strict=True)]
    nine_ratios = [c / f for c, f in zip(cleans, nines, strict=True)]
    floor_s, nine_s, clean_s = _median(floors), _median(nines), _median(cleans)
    reference = _tree(out / "clean-0")

    site_dir = out / "site"
    _log("Build with an empty cache ...")
    _settle()
    cold_s, _ = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
    _log("Build with a warm cache, into the same site folder ...")
    _settle()
    warm_s, warm_rss = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
    identical = _tree(site_dir) == reference
    del reference
    _log("Build with a warm cache, into a new site folder (as CI does) ...")
    _settle()
    ci_s, _ = run(["build", "--root", str(root), "--site-dir", str(out / "ci")], cache_dir)
    _log(f"MkDocs route: {mkdocs_pages:,} pages ...")
    route = pages.mkdocs_route(site, mkdocs_pages, out / "mkdocs")
    _settle()
    started = time.perf_counter()
    route()
    mkdocs_s = time.perf_counter() - started

    # One award added, then the site rebuilt, three times over: one build of about two seconds
    # is at the mercy of the machine's other work.
    added: list[float] = []
    for attempt in range(ADDITIONS):
        _log(f"Adding one award, incremental build ({attempt + 1}/{ADDITIONS}) ...")
        new_id = _add_one(root, generate.key_folder(count))
        _settle()
        added_s, _ = run(["build", "--root", str(root), "--site-dir", str(site_dir)], cache_dir)
        added.append(added_s)
    added_s = _median(added)
    _log("Clean build of the same repository, for the comparison ...")
    run(["build", "--no-cache", "--root", str(root), "--site-dir", str(out / "clean2")], None)
    incremental = _tree(site_dir)
    same_after_add = incremental == _tree(out / "clean2") and f"a/{new_id}.html" in incremental
    del incremental

    _log("badgeons validate ...")
    _settle()
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
            "floor: verify 3 sigs, render, splice PNG, write 5 files",
            f"{count:,}",
            f"{floor_s:.1f} s",
            f"1.0× (floor); median of {_each(floors)} s",
        ),
        (
            "  floor writing the site's 9 files per award",
            f"{count:,}",
            f"{nine_s:.1f} s",
            f"{nine_s / floor_s:.2f}× floor; median of {_each(nines)} s",
        ),
        (
            "badgeons build, cache off (clean)",
            f"{count:,}",
            f"{clean_s:.1f} s",
            f"{_median(ratios):.2f}× floor (median of {_each(ratios, 2)}); "
            f"{_median(nine_ratios):.2f}× the 9-file floor; peak {_mb(clean_rss)}",
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
            f"median of {_each(added, 2)} s, target < 2 s; "
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
    _settle()
    clean_s, clean_rss = run(
        ["build", "--no-cache", "--root", str(root), "--site-dir", str(out / "large")], None
    )
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
    parser.add_argument(
        "--pairs", type=int, default=3, help="floors and clean builds, side by side (default 3)"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="where the sites are built (default: temp)"
    )
    options = parser.parse_args(argv)
    started = time.perf_counter()
    parent = options.work_dir or Path(tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    # Every site stays on disk until the end (see measure_10k): about 120 kB per award built.
    needed = 120_000 * (options.count * (3 * options.pairs + 4) + options.large * 6 // 5)
    free = shutil.disk_usage(parent).free
    if free < needed:
        print(
            f"Not enough space in {parent}: the benchmark needs about {needed / 1e9:.0f} GB "
            f"(every site stays on disk until the end), {free / 1e9:.0f} GB are free. "
            "Use --work-dir, or smaller --count, --large or --pairs.",
            file=sys.stderr,
        )
        return 2
    out = Path(tempfile.mkdtemp(prefix="badgeons-bench-scale-", dir=parent))
    try:
        rows = measure_10k(options.count, options.mkdocs_pages, out, max(1, options.pairs))
        if options.large:
            rows += measure_large(options.large, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(
        f"Badgeons scale benchmark: {len(os.sched_getaffinity(0))} cores; floors and clean build "
        f"side by side {max(1, options.pairs)} times, one run for every other figure"
    )
    print(_table(rows))
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
