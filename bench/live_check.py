"""``python -m bench.live_check``: how long the in-browser check of a verification page takes.

Each verification page re-checks its award in the visitor's browser: it fetches the VC-JWT,
the issuer's key and the revocation list at once (relative URLs), verifies the RS256
signature with WebCrypto and shows its verdict with the time it took. The target is under
100 ms. This builds the repository's own demo site, serves it on 127.0.0.1, opens the page of
each valid award in a fresh context of headless Chromium (Debian's package, as the e2e tests
use; ``make browser`` installs it) and reads how long the check took, as the page shows it and
as measured from outside (from the start of the token's fetch to the moment the verdict
appears, on the page's clock). Beside it, in the same page, its floor: the same three files
fetched at once, nothing verified.

Timing belongs here rather than in the test suite (tests/e2e checks that the figure the page
shows is the time the check took, whatever that time is).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from build_tools import assertion_pages, repoinit, sitebuild
from build_tools.pipeline import load_site
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, VERDICT_CLOCK
from tests.support.static_server import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 100
# From the start of the token's fetch to the verdict, then the three files fetched again at
# once as the page's script fetches them (no cache), nothing verified.
_MEASURE = """async () => {
  const data = JSON.parse(document.getElementById("bdg-data").textContent);
  const token = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".vc.jwt"));
  const measured = window.__bdgLiveAt - token.startTime;
  const get = (url) => fetch(url, { cache: "no-store", credentials: "omit" }).then((r) => r.text());
  const started = performance.now();
  await Promise.all([get(data.status), get(data.jwt), get(data.jwk)]);
  return [measured, performance.now() - started];
}"""


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def valid_pages(root: Path, epoch: str) -> list[str]:
    """Site paths of the verification pages of the awards that are valid at the build's moment."""
    site, report = load_site(root, check_signatures=False)
    if site is None:
        raise SystemExit(f"the repository at {root} has errors:\n{report.sorted()}")
    moment = assertion_pages.build_moment(epoch)
    return [
        f"a/{award.id}.html"
        for award in site.awards.values()
        if assertion_pages.status_of(site, award, moment)["kind"] == "valid"
    ]


def demo_repository(scratch: Path) -> Path:
    """The repository of the demonstration: this one, or in a collective's repository made by
    ``badgeons init``, its kept demonstration data with this one's site sources (in
    ``scratch``)."""
    demo = repoinit.demo_root(ROOT)
    if demo == ROOT:
        return ROOT
    scratch.mkdir(parents=True)
    for name in (*repoinit.DATA_FOLDERS, "site_src"):
        shutil.copytree((demo if name in repoinit.DATA_FOLDERS else ROOT) / name, scratch / name)
    shutil.copy2(demo / "badgeons.yml", scratch / "badgeons.yml")
    shutil.copy2(ROOT / "mkdocs.yml", scratch / "mkdocs.yml")
    return scratch


def visit(browser: Browser, url: str) -> tuple[int, float, float]:
    """One fresh visit: the duration shown, the duration measured, and the fetch floor (ms)."""
    context = browser.new_context(service_workers="block")
    try:
        context.add_init_script(script=VERDICT_CLOCK)
        page = context.new_page()
        page.goto(url)
        status = page.locator("#bdg-status[data-live]")
        status.wait_for(timeout=10_000)
        verdict = status.get_attribute("data-live")
        if verdict != "valid":
            raise RuntimeError(f"{url}: the browser's verdict is {verdict!r}, not 'valid'")
        shown = re.search(r"\((\d+) ms\)", page.locator("#bdg-live").inner_text())
        if shown is None:
            raise RuntimeError(f"{url}: the page shows no duration")
        measured, fetched = page.evaluate(_MEASURE)
        return int(shown.group(1)), float(measured), float(fetched)
    finally:
        context.close()


def _median(values: Sequence[float]) -> float:
    return sorted(values)[len(values) // 2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_check", description=__doc__)
    parser.add_argument("--visits", type=int, default=3, help="fresh visits of each page")
    options = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} is missing: run `make browser` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    epoch = sitebuild.source_date_epoch(ROOT)
    with tempfile.TemporaryDirectory(prefix="badgeons-live-check-") as scratch:
        folder = Path(scratch)
        root = demo_repository(folder / "repo")
        _log("Building the demo site ...")
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "BADGEONS_CACHE_DIR": str(folder / "c")}
        badgeons = shutil.which("badgeons", path=str(Path(sys.executable).parent)) or "badgeons"
        subprocess.run(
            [badgeons, "build", "--root", str(root), "--site-dir", str(folder / "site")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        paths = valid_pages(root, epoch)
        results: list[tuple[int, float, float]] = []
        with serving(folder / "site") as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
            )
            _log(f"{len(paths)} valid awards, {options.visits} fresh visits each ...")
            for _ in range(max(1, options.visits)):
                for path in paths:
                    results.append(visit(browser, base + path))
            browser.close()
    shown = [float(r[0]) for r in results]
    measured = [r[1] for r in results]
    fetched = [r[2] for r in results]
    median = _median(measured)
    print(f"In-browser check of a verification page: {len(results)} visits, headless Chromium")
    print(
        f"  measured from outside: median {median:.0f} ms (from {min(measured):.0f} to "
        f"{max(measured):.0f}); target < {BUDGET_MS} ms: {'met' if median < BUDGET_MS else 'not met'}"
    )
    print(f"  shown by the page:     median {_median(shown):.0f} ms")
    print(
        f"  floor, the three files fetched at once, nothing verified: median "
        f"{_median(fetched):.0f} ms; the check takes {median / max(_median(fetched), 0.1):.1f}× it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
