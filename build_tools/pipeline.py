"""The front of the pipeline: discover, load, validate and link a repository.

``load_site`` never raises on bad input: it returns the site model (or None) and a report of
every problem found, so that one run shows them all. Later stages run only on a clean report.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from build_tools import (
    awards,
    cache,
    collections,
    consents,
    discover,
    endorsements,
    heap,
    verification,
)
from build_tools.diagnostics import Report
from build_tools.link import link
from build_tools.model import Site


def load_site(root: Path, *, check_signatures: bool = True) -> tuple[Site | None, Report]:
    """Load, validate and link every file of the repository at ``root``.

    With ``check_signatures`` (the default), every signature of every award is verified too:
    nothing is published, and no pull request passes, with a signature that does not hold.
    Without it (commands that only add to the repository), the build cache is read but left
    as the last check of the whole repository made it.
    """
    if not check_signatures:
        with cache.read_only():
            return _load_site(root, check_signatures=False)
    return _load_site(root, check_signatures=True)


def _load_site(root: Path, *, check_signatures: bool) -> tuple[Site | None, Report]:
    report = Report()
    # The awards' signatures are checked on the workers as soon as the awards are loaded,
    # while this process loads the rest (consents, collections, endorsements).
    checking: list[verification.Checking] = []

    def start(site: Site) -> None:
        if check_signatures and not report.has_errors():
            checking.append(verification.start_all(site))

    try:
        with _collector_paused() as built:
            site = _load_and_link(root, report, start)
            built()
            if site is None:
                return None, report
            site, problems = endorsements.with_endorsements(site, check_signatures=check_signatures)
            report.extend(problems)
            if checking:
                found = checking.pop().results()
                # As before the checks ran early: signatures are reported on a clean load.
                if not report.has_errors():
                    report.extend(found)
            return (None if report.has_errors() else site), report
    finally:
        for started in checking:
            started.cancel()


@contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """Keep Python's cyclic garbage collector away from the site model while it is built.

    Loading makes hundreds of thousands of objects that all live on in the model, and no
    reference cycles: the collector would only walk them again and again (a tenth of a warm
    load of 10,000 awards). It is paused until the function given to the block is called,
    once the model is built; the model is then set aside (heap.py) and the collector
    runs again for the checks that follow, whose signature checks leave cycles behind.
    Reference counting frees everything else as usual.
    """
    enabled = gc.isenabled()
    holds: list[Callable[[], None]] = []

    def built() -> None:
        holds.append(heap.set_aside())
        if enabled:
            gc.enable()

    gc.disable()
    try:
        yield built
    finally:
        for release in holds:
            release()
        if enabled:
            gc.enable()


def _load_and_link(
    root: Path, report: Report, loaded: Callable[[Site], None] = lambda site: None
) -> Site | None:
    """The linked site with its awards and consents, or None when its files have errors."""
    # What each YAML file holds once loaded and checked, kept by the SHA-256 of its bytes.
    sources = cache.open_cache(root, discover.SOURCES)
    settings, problems = discover.load_settings(root, sources)
    report.extend(problems)
    issuers, problems = discover.load_kind(root, "issuers", "issuer", sources)
    report.extend(problems)
    badges, problems = discover.load_kind(root, "badges", "badge", sources)
    report.extend(problems)
    if settings is None:
        return None
    declared = {p.stem for p in (root / "issuers").glob("*.yaml")}
    site, problems = link(root, settings, issuers + badges, declared)
    report.extend(problems)
    if report.has_errors():
        return None
    site = _with_awards(site, report, sources, loaded)
    # Every file of the site has been read: the results no file used are deleted.
    sources.prune()
    return site


def _with_awards(
    site: Site, report: Report, sources: cache.Cache, loaded: Callable[[Site], None]
) -> Site:
    """Add the awarded badges, their revocations, consented display names and map consents.

    ``loaded`` is given the site as soon as its awards are in it.
    """
    # The consents files are read while the workers read the awards' records: this process
    # has nothing else to do then, and they need no award until they are checked (below).
    consent_files: list[consents.ConsentFiles] = []
    found, problems = awards.load_awards(
        site, meanwhile=lambda: consent_files.append(consents.read_files(site))
    )
    report.extend(problems)
    loaded(dataclasses.replace(site, awards=MappingProxyType(found)))
    revocations, problems = awards.load_revocations(site, found, sources)
    report.extend(problems)
    names, problems = awards.load_display_names(site, found, sources)
    report.extend(problems)
    site = dataclasses.replace(
        site,
        awards=MappingProxyType(found),
        revocations=MappingProxyType(revocations),
        display_names=MappingProxyType(names),
    )
    # Holders' collections ("sacs à badges"): checked here, drawn by collection_pages. The
    # consents need them: the map does not link a badge that a named collection shows.
    in_force, collection_problems = collections.load_collections(site)
    shown, problems = consents.load_consents(site, collections=in_force, files=consent_files[0])
    report.extend(problems)
    report.extend(collection_problems)
    return dataclasses.replace(site, consents=shown)
