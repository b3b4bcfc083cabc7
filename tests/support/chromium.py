"""The headless Chromium that the end-to-end tests, ``bench.live_check`` and
``scripts/screenshot.py`` drive, offline."""

from __future__ import annotations

import os
from pathlib import Path

#: Debian's Chromium; ``BADGEONS_CHROMIUM`` names another build (a distribution that calls it
#: chromium-browser, for instance).
CHROMIUM = Path(os.environ.get("BADGEONS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Offline: a name other than the loopback address never resolves, so a stray request
    # fails at once (it is still recorded, and the tests report it).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
#: A page script that records the moment the page's live verdict appears (``data-live`` on
#: ``#bdg-status``) in ``window.__bdgLiveAt``, on the page's own clock, so that the duration of
#: the check can be measured from outside the page's script.
VERDICT_CLOCK = """
window.__bdgLiveAt = null;
new MutationObserver((changes, observer) => {
  const status = document.getElementById("bdg-status");
  if (status && status.dataset.live) {
    window.__bdgLiveAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""
