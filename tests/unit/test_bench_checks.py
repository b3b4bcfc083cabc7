"""The benchmark's own safeguards (bench/__main__.py): timing a check that checks nothing
would be worthless, so the benchmark first proves that a changed credential fails."""

from __future__ import annotations

import pytest

from bench.__main__ import _check_tamper_detected
from build_tools import verification
from tests.conftest import AwardedRepo


def test_the_tamper_check_passes_on_really_signed_awards(awarded_repo: AwardedRepo) -> None:
    site = awarded_repo.site()
    _check_tamper_detected(site)
    # The award it changed is untouched on disk and still verifies.
    award = next(iter(site.awards.values()))
    assert verification.verify_award(site, award) == []


def test_the_tamper_check_stops_a_benchmark_whose_verification_checks_nothing(
    awarded_repo: AwardedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verification, "verify_award", lambda site, award: [])
    with pytest.raises(RuntimeError, match="was not detected"):
        _check_tamper_detected(awarded_repo.site())
