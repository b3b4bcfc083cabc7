"""Every file that Badgeons adds to a site besides MkDocs' pages, streamed to a :class:`SiteSync`.

Each file is checked for personal data (build_tools/leaks.py) as it is made, then handed to
the sync, which writes it only if it differs from the previous build's. Nothing is held in
memory beyond the file being made: a site of 100,000 awards is about 900,000 files and 9 GB.

The files of each award (hosted and signed forms, baked images, verification page) are its
*unit*. A unit's digest covers every input of those files (the cache keys of its documents
and its page, and the rules of the personal-data check); when the previous build wrote the
unit from the same digest and the site folder still holds it, the unit costs a hash and is
not even read. Changed units are made on every core, each worker writing its files into the
staging folder itself, and their documents and pages are stored in the build cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from build_tools import (
    assertion_pages,
    cache,
    collection_pages,
    leaks,
    parallel,
    publish,
    qrcodes,
    site_languages,
    territory_map,
    verifier_page,
    writer,
)
from build_tools.diagnostics import Diagnostic
from build_tools.model import Site
from build_tools.sitesync import SiteSync, Written, walk
from build_tools.urls import Urls


def shared_files(site: Site, moment: datetime) -> Iterator[tuple[str, bytes]]:
    """Every file that is not one award's: issuers, badges, endorsements, map, verifier."""
    yield from publish.shared_files(site)
    yield from assertion_pages.assets().items()
    yield from verifier_page.files(site).items()
    yield from territory_map.files(site).items()
    yield from collection_pages.files(site, moment).items()


def add_folder(
    sync: SiteSync | None,
    folder: Path,
    check: leaks.FileCheck,
    fill: Callable[[bytes], bytes] | None = None,
) -> list[Diagnostic]:
    """Check every file below ``folder`` (MkDocs' output) and hand it to the sync, if any.

    ``fill`` writes the award figures into a file (figures.py); the search index is split by
    language and the English pages are pointed at theirs (site_languages.py). The changes go
    into the sync's copy, or, with no sync, into the folder itself.
    """
    problems: list[Diagnostic] = []
    for made in sorted(made for made, _ in walk(folder)):
        original = (folder / made).read_bytes()
        filled = fill(original) if fill is not None else original
        # The search index becomes two files, one per language (site_languages.py).
        for name, data in site_languages.adapt(made, filled).items():
            if sync is None and (name != made or data != original):
                writer.write_file(str(folder), name, data, set())
            problems += check(name, data)
            if sync is not None:
                sync.add(name, data)
    return problems


def write(site: Site, sync: SiteSync, moment: datetime, check: leaks.FileCheck) -> list[Diagnostic]:
    """Make every Badgeons file of the site into ``sync``; the personal data found, as errors."""
    return start(site, sync, moment, check).finish()


class Writing:
    """The Badgeons files of a site being made: the awards' on every core, the rest done.

    :meth:`finish` waits for the awards' files and returns every problem found (personal data,
    as errors); :meth:`cancel` stops the workers of a build that failed meanwhile.
    """

    def __init__(
        self, sync: SiteSync, problems: list[Diagnostic], units: parallel.Pending, done: Any
    ) -> None:
        self._sync = sync
        self._problems = problems
        self._units = units
        self._done = done

    def finish(self) -> list[Diagnostic]:
        problems = list(self._problems)
        for written, found in self._units.results():
            problems += found
            for item in written:
                self._sync.record(item)
        self._done()
        return problems

    def cancel(self) -> None:
        self._units.cancel()


def start(site: Site, sync: SiteSync, moment: datetime, check: leaks.FileCheck) -> Writing:
    """Make the shared files into ``sync`` and start the awards' files on every core.

    The build can meanwhile do something else in this process (render the catalogue through
    MkDocs): the workers write their files into the sync's staging folder themselves.
    """
    # The awards' units go first: their keys are computed while the sync's check of the site
    # folder may still run in another process (sitesync.SiteSync, ``background``), then the
    # workers start on the changed ones. This process makes the shared files meanwhile, so
    # that no core waits for it (about 1.7 s of a clean build of 10,000 awards).
    units, done = _award_units(site, sync, moment, check)
    problems: list[Diagnostic] = []
    try:
        for path, data in shared_files(site, moment):
            problems += check(path, data)
            sync.add(path, data)
    except BaseException:
        units.cancel()
        raise
    return Writing(sync, problems, units, done)


# The keys of a unit made without cache (they are looked up nowhere).
_UNKEYED = ("", "")


@dataclass(frozen=True)
class _Job:
    """What the workers that make changed units inherit."""

    site: Site
    moment: datetime
    root: Path
    check: leaks.FileCheck
    #: The two cache keys of each unit (none in a build without cache).
    keys: dict[str, tuple[str, str]]
    #: Each badge's image, as the keys of its awards' documents were computed from it.
    images: dict[str, publish.BadgeImage]
    #: Whether the sync keeps a record of each file (else only problems come back).
    keep: bool
    #: Taken by a worker while it creates a unit's files in the staging folder: one process
    #: at a time creates files there (parallel.shared_lock says why); the bytes are written
    #: after the lock is released.
    writing: AbstractContextManager[Any]


def _award_units(
    site: Site, sync: SiteSync, moment: datetime, check: leaks.FileCheck
) -> tuple[parallel.Pending, Callable[[], None]]:
    """The changed units being made, and what to do once they all are (prune the caches)."""
    published = cache.open_cache(site.root, "published")
    pages = cache.open_cache(site.root, "pages")
    keys: dict[str, tuple[str, str]] = {}
    if published.enabled or pages.enabled or sync.state is not None:
        document_key = publish.DocumentKeys(site)
        todo = _changed_units(site, sync, moment, check, keys, document_key, (published, pages))
        images = document_key.images
    else:
        # No cache to look results up in and no manifest to keep (--no-cache): every unit is
        # made, and hashing the inputs of each would only keep the workers waiting.
        todo = [(award_id, "") for award_id in site.awards]
        awarded = {award.badge for award in site.awards.values()}
        images = {slug: publish.BadgeImage.read(site.badges[slug]) for slug in awarded}
    job = _Job(
        site,
        moment,
        sync.root,
        check,
        keys,
        images,
        sync.state is not None,
        parallel.shared_lock(),
    )
    if parallel.default_workers(len(todo)) > 1:
        assertion_pages.prepare(len(todo))
    units = parallel.start_chunks(_make_units, job, todo, label="Badges délivrés")

    def done() -> None:
        published.prune()
        pages.prune()

    return units, done


def _changed_units(
    site: Site,
    sync: SiteSync,
    moment: datetime,
    check: leaks.FileCheck,
    keys: dict[str, tuple[str, str]],
    document_key: publish.DocumentKeys,
    caches: tuple[cache.Cache, cache.Cache],
) -> list[tuple[str, str]]:
    """The units to make again, with their digests; ``keys`` gets the cache keys of each.

    The keys are marked as used in ``caches`` (published documents, pages), which this
    process prunes once the units are made.
    """
    published, pages = caches
    page_key = assertion_pages.PageKeys(site, moment)
    page_path = Urls(site.settings.site_url).assertion_page
    # The rules of the check, then the two keys (64 hex digits each), make the unit's digest.
    rules = hashlib.sha256(f"{check.rules()}\0".encode())
    used = published.enabled
    digests: list[str] = []
    for award in site.awards.values():
        record = cache.award_record(award)
        documents, page = document_key(award, record), page_key(award, record)
        keys[award.id] = (documents, page)
        if used:
            published.used.add(documents)
            pages.used.add(page)
        digest = rules.copy()
        digest.update(f"{documents}\0{page}".encode())
        digests.append(digest.hexdigest())
    # Only now is the verdict on the site folder needed (its check may have run meanwhile).
    # The unit's digest stands for each of its files: the manifest knows them by path, and
    # every file is looked up, so that the sync keeps those it can.
    todo: list[tuple[str, str]] = []
    for award, unit in zip(site.awards.values(), digests, strict=True):
        paths = publish.award_paths(site, award)
        paths.append(page_path(award.id))
        if not sync.unchanged_unit(paths, unit):
            todo.append((award.id, unit))
    return todo


def _make_units(
    job: _Job, todo: Sequence[tuple[str, str]]
) -> list[tuple[list[Written], list[Diagnostic]]]:
    """Make, check and write the files of changed units (in a worker, or in the build itself)."""
    site = job.site
    published = cache.open_cache(site.root, "published")
    pages = cache.open_cache(site.root, "pages")
    urls = Urls(site.settings.site_url)
    made: set[str] = set()
    results = []
    # Units are made as many at a time as qrcodes.svgs draws codes together.
    batch = qrcodes.BATCH
    for start in range(0, len(todo), batch):
        results += _make_batch(job, todo[start : start + batch], (published, pages), urls, made)
    return results


def _make_batch(
    job: _Job,
    todo: Sequence[tuple[str, str]],
    caches: tuple[cache.Cache, cache.Cache],
    urls: Urls,
    made: set[str],
) -> list[tuple[list[Written], list[Diagnostic]]]:
    """:func:`_make_units` of a few units, whose pages' QR codes are drawn together.

    All the units' files are made first, then all are checked, then all are written. A batch
    takes about a tenth less time so than unit by unit, as in verification.verify_records (600
    instead of 660 µs a unit: 2,048 units of the benchmark made and written to memory in one
    process, ten runs of each, alternating; 2026-12-08). Each unit's files stay in memory until
    its batch is written: about 20 MB for a batch of 256.
    """
    site = job.site
    published, pages = caches
    root = str(job.root)
    kept = {award_id: pages.get(job.keys.get(award_id, _UNKEYED)[1]) for award_id, _ in todo}
    missing = [site.awards[award_id] for award_id, page in kept.items() if page is None]
    codes = dict(
        zip(
            (award.id for award in missing),
            assertion_pages.page_qr_codes(site, missing),
            strict=True,
        )
    )
    units: list[list[tuple[str, bytes]]] = []
    for award_id, _ in todo:
        award = site.awards[award_id]
        documents_key, page_key = job.keys.get(award_id, _UNKEYED)
        stored = published.get(documents_key)
        files = cache.unpack(stored) if stored is not None else None
        if files is None:
            files = list(publish.award_files(site, award, job.images[award.badge]))
            if published.enabled:
                published.put(documents_key, cache.pack(files))
        page = kept[award_id]
        if page is None:
            html = assertion_pages.render_page(site, award, job.moment, codes[award_id])
            page = html.encode("utf-8")
            pages.put(page_key, page)
        units.append([*files, (urls.assertion_page(award_id), page)])
    checked = [
        [problem for path, data in unit_files for problem in job.check(path, data)]
        for unit_files in units
    ]
    results = []
    for (_, unit), unit_files, problems in zip(todo, units, checked, strict=True):
        written: list[Written] = []
        # Only creating the files takes the shared lock: their bytes are written by both
        # workers at once (creating is what contends for the folder, see parallel.shared_lock).
        with job.writing:
            descriptors = writer.create_all(root, [path for path, _ in unit_files], made)
        # A build without cache keeps no manifest: the files' stats are not asked for.
        stats = writer.fill_all(descriptors, [data for _, data in unit_files], stat=job.keep)
        if job.keep:
            for (path, _), stat in zip(unit_files, stats, strict=True):
                written.append(Written(path, stat.st_size, stat.st_mtime_ns, unit))
        results.append((written, problems))
    return results
