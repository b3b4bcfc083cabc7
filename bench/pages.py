"""Verification pages: Badgeons' own writer against MkDocs pages and against the raw floor.

Three ways to publish one page per award, measured side by side on the same awards:

- ``assertion_pages.files`` (what the build does): one Jinja template, a QR code, write;
- the floor: render a minimal template holding the same facts, and write the file;
- the MkDocs route: the same page bodies as Markdown pages of a Material site, built by MkDocs
  (on a subset, since its cost grows faster than the page count; compared per page).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment

from bench.measure import Task
from build_tools import assertion_pages, writer
from build_tools.model import Site

PROJECT = Path(__file__).resolve().parent.parent
MOMENT = datetime(2026, 11, 23, tzinfo=UTC)
FLOOR_TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><html lang=fr><head><meta charset=utf-8><title>{{ name }}</title></head>"
    "<body><h1>{{ status }}</h1><p>{{ name }} — {{ issuer }} — {{ issued }}</p>"
    "<p>{{ narrative }}</p><code>{{ id }}</code></body></html>"
)


def _fresh(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def ours(site: Site, out: Path) -> Callable[[], object]:
    def run() -> None:
        writer.write_files(out, assertion_pages.files(site, MOMENT))

    return run


def floor(site: Site, out: Path) -> Callable[[], object]:
    awards = list(site.awards.values())

    # Awards read their records from disk; the floor starts from documents already in memory.
    subjects = [award.credential["credentialSubject"] for award in awards]

    def run() -> None:
        for award, subject in zip(awards, subjects, strict=True):
            html = FLOOR_TEMPLATE.render(
                name=subject["achievement"]["name"],
                status="Badge authentique",
                issuer=award.issuer,
                issued=award.issued_on,
                narrative=subject.get("narrative", ""),
                id=award.id,
            )
            (out / f"{award.id}.html").write_text(html, encoding="utf-8")

    return run


def mkdocs_route(site: Site, count: int, project: Path) -> Callable[[], object]:
    """The first ``count`` verification pages as Markdown pages of a Material site."""
    awards = list(site.awards.values())[:count]
    docs = project / "docs"
    _fresh(docs)
    for award in awards:
        html = assertion_pages.render_page(site, award, MOMENT)
        body = html[html.index("<main") : html.index("</main>") + len("</main>")]
        (docs / f"{award.id}.md").write_text(f"# {award.id}\n\n{body}\n", encoding="utf-8")
    (docs / "index.md").write_text("# Badges\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Bench\nuse_directory_urls: false\ntheme:\n  name: material\n  language: fr\n"
        "  font: false\nplugins:\n  - search\nvalidation:\n  nav:\n    omitted_files: ignore\n",
        encoding="utf-8",
    )

    def run() -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
        build(config)

    return run


def page_weight(site: Site) -> tuple[int, int]:
    """Bytes of the heaviest verification page, and of the assets every page loads."""
    files = assertion_pages.files(site, MOMENT)
    pages = [len(v) for k, v in files.items() if k.startswith("a/")]
    assets = sum(len(v) for k, v in files.items() if k.startswith(assertion_pages.ASSET_FOLDER))
    return max(pages), assets


def tasks(site: Site, mkdocs_pages: int, scratch: Path) -> list[Task]:
    ours_out, floor_out = scratch / "ours", scratch / "floor"
    count = len(site.awards)
    return [
        Task(
            "verification pages (assertion_pages.files, written)",
            count,
            ours(site, ours_out),
            setup=lambda: _fresh(ours_out),
            floor="floor: render a template, write a file",
        ),
        Task(
            "  same pages as Markdown pages through MkDocs + Material",
            mkdocs_pages,
            mkdocs_route(site, mkdocs_pages, scratch / "mkdocs"),
            floor="floor: render a template, write a file",
        ),
        Task(
            "floor: render a template, write a file",
            count,
            floor(site, floor_out),
            setup=lambda: _fresh(floor_out),
        ),
    ]


def scratch_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="badgeons-bench-pages-"))
