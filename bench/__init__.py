"""Benchmarks of Badgeons' signing core against the raw cost of its signatures.

``python -m bench`` measures, side by side in one run, awarding learners from a CSV file
through :mod:`build_tools.issuing` and checking every award at build time with
:func:`build_tools.verification.verify_all`, each against a floor: the same number of Ed25519
and RSA-2048 operations made with ``cryptography`` alone. ``python -m bench --quick`` is the
small run for CI. ``python -m bench.scale`` measures whole builds of 10,000 and more awards
(clean, cached, one award added) against their floors, and ``badgeons validate``;
``python -m bench.canon`` the canonicalisation by templates against pyld's. Generated
repositories are cached under ``bench/out/`` (ignored by git); private keys only ever live in
temporary directories outside the repository.
"""

from __future__ import annotations
