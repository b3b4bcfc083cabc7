"""Take full-page screenshots of a built site in headless Chromium (Debian's package).

Usage: python scripts/screenshot.py SITE_DIR OUT_DIR PAGE [PAGE...]
Each PAGE is a path below the site root (``index.html``, ``badges/x.html``); the site is served
on 127.0.0.1 for the duration of the run, as a static host would serve it.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from build_tools.sitebuild import make_server

# The repository's root, so that screenshots start Chromium as the end-to-end tests do (the
# same build, flags and offline host rules: a page that reached for a third-party host would
# show it broken).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--mobile", action="store_true", help="A 390 px wide phone screen.")
    args = parser.parse_args()
    server = make_server(args.site_dir, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    width = 390 if args.mobile else args.width
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in args.pages:
                page.goto(f"http://127.0.0.1:{server.server_port}/{path}")
                page.wait_for_load_state("networkidle")
                # Scroll through the page so that lazily loaded images are in the picture.
                height = page.evaluate("document.body.scrollHeight")
                for offset in range(0, height, 600):
                    page.evaluate(f"window.scrollTo(0, {offset})")
                    page.wait_for_timeout(30)
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_load_state("networkidle")
                name = path.replace("/", "_").replace(".html", "") or "index"
                target = args.out_dir / f"{name}{'-mobile' if args.mobile else ''}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
