"""End-to-end fixtures: a built site served on 127.0.0.1 and driven in headless Chromium.

Once per session, a scratch repository is made from tests/data/minimal with the project's
mkdocs.yml and site_src, exactly as a trainer would do it with the command line: ``keygen``,
four ``award`` runs (one with a consented display name, one expired), one ``revoke``, then
``build``. The built site is served by ``sitebuild.make_server`` on a free port, from an origin
that is not its ``site_url`` (https://badges.example.org/test/), as a visitor of a mirror would
see it.

The browser is Debian's Chromium driven by Playwright. When Chromium (or axe-core, for the
accessibility tests) is missing, the tests are skipped on a developer's machine and fail when
``CI`` is set, as the external verifiers do (``tests/support/verifiers.py``).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from build_tools.cli import main as badgeons
from tests.conftest import DATA, PROJECT
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, VERDICT_CLOCK
from tests.support.static_server import serving
from tests.support.verifiers import missing_verifier

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Response

AXE = PROJECT / "conformance" / "node_modules" / "axe-core" / "axe.min.js"
#: The impacts of axe-core violations that the pages must not have.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

ISSUER = "atelier-test"
DISPLAY_NAME = "Awa Diallo"
REVOCATION_REASON = "Badge délivré par erreur"
#: The awards of the scratch repository: key -> (badge, recipient, extra ``award`` options).
AWARDS: Mapping[str, tuple[str, str, tuple[str, ...]]] = MappingProxyType(
    {
        "valid": ("telephone", "Awa@Example.org", ("--name", DISPLAY_NAME, "--name-consent")),
        "revoked": ("telephone", "bob@example.org", ()),
        "expired": (
            "accueillir-1",
            "chloe@example.org",
            ("--issued-on", "2020-01-01", "--expires", "2021-01-01"),
        ),
        "unnamed": ("accueillir-2", "dina@example.org", ()),
    }
)
#: The folder below which the site is also served, as on a host that gives it a sub-path.
SUB_PATH = "/sous-dossier/"


@dataclass(frozen=True)
class BuiltSite:
    """The scratch repository, its built site and the id of each award of ``AWARDS``."""

    root: Path
    site: Path
    ids: Mapping[str, str]

    def assertion(self, key: str) -> str:
        """The site path of the verification page of an award of ``AWARDS``."""
        return f"a/{self.ids[key]}.html"


def _run_cli(arguments: list[str], env: Mapping[str, str]) -> str:
    result = CliRunner().invoke(badgeons, arguments, env=dict(env), catch_exceptions=False)
    assert result.exit_code == 0, f"badgeons {' '.join(arguments)}:\n{result.output}"
    return result.output


def scratch_repository(base: Path) -> tuple[Path, dict[str, str]]:
    """The small repository with the project's site sources and keys for its issuer.

    Returns its root and the environment for the CLI. The private keys stay outside the
    repository. The build describes the present moment, as a build made right after the last
    commit would (the scratch folder is no git repository).
    """
    root = base / "repo"
    shutil.copytree(DATA / "minimal", root)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site_src", root / "site_src")
    env = {
        "BADGEONS_KEY_DIR": str(base / "keys"),
        "BADGEONS_KEY_PASSPHRASE": "",
        "SOURCE_DATE_EPOCH": str(int(time.time())),
    }
    _run_cli(["keygen", ISSUER, "--no-passphrase", "--root", str(root)], env)
    return root, env


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The scratch repository, awarded and built once for the whole session."""
    base = tmp_path_factory.mktemp("e2e")
    root, env = scratch_repository(base)
    ids: dict[str, str] = {}
    for key, (badge, recipient, options) in AWARDS.items():
        command = ["award", badge, "--issuer", ISSUER, "--recipient", recipient, *options]
        output = _run_cli([*command, "--root", str(root)], env)
        found = re.search(r"/a/([a-z0-9]+)\.html", output)
        assert found, output
        ids[key] = found.group(1)
    revoke = ["revoke", ids["revoked"], "--reason", REVOCATION_REASON, "--root", str(root)]
    _run_cli(revoke, env)
    _run_cli(["build", "--root", str(root), "--site-dir", str(base / "site")], env)
    return BuiltSite(root, base / "site", MappingProxyType(ids))


@pytest.fixture(scope="session")
def base_url(built_site: BuiltSite) -> Iterator[str]:
    """The built site served at the root of http://127.0.0.1:<port>/."""
    with serving(built_site.site) as url:
        yield url


@pytest.fixture(scope="session")
def sub_path_url(built_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same site served below ``SUB_PATH``, as a host that gives it a folder would."""
    served = tmp_path_factory.mktemp("sub-path")
    shutil.copytree(built_site.site, served / SUB_PATH.strip("/"))
    with serving(served) as url:
        yield url + SUB_PATH.lstrip("/")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's package), one for the session."""
    if not CHROMIUM.is_file():
        missing_verifier(f"{CHROMIUM} is not installed: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page in a fresh browser context, with everything it asked for on the network."""

    page: Page
    shots: Path
    requests: list[str] = field(default_factory=list)
    """Every URL requested by the context's pages and workers, in order."""
    failed: list[str] = field(default_factory=list)
    """``"<status> <url>"`` of each response with an HTTP error status."""
    errors: list[str] = field(default_factory=list)
    """Uncaught script errors of the page."""

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot in the test's temporary folder."""
        target = self.shots / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def foreign_requests(self) -> list[str]:
        """The requests made to any host other than 127.0.0.1."""
        return [url for url in self.requests if urlsplit(url).hostname != "127.0.0.1"]


# The moment of the live verdict (VERDICT_CLOCK), and the page's CSP violations.
_LIVE_CLOCK = (
    VERDICT_CLOCK
    + """window.__bdgCsp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__bdgCsp.push(event.violatedDirective + " " + event.blockedURI);
});
"""
)

TabFactory = Callable[..., Tab]


@pytest.fixture
def new_tab(browser: Browser, tmp_path: Path) -> Iterator[TabFactory]:
    """Open tabs in fresh contexts (keyword arguments go to ``Browser.new_context``)."""
    contexts: list[BrowserContext] = []

    def open_tab(**options: Any) -> Tab:
        settings: dict[str, Any] = {
            "viewport": {"width": 1280, "height": 900},
            "locale": "fr-FR",
            "service_workers": "block",
        }
        context = browser.new_context(**(settings | options))
        contexts.append(context)
        context.add_init_script(script=_LIVE_CLOCK)
        tab = Tab(context.new_page(), tmp_path)

        def answered(response: Response) -> None:
            if response.status >= 400:
                tab.failed.append(f"{response.status} {response.url}")

        context.on("request", lambda request: tab.requests.append(request.url))
        context.on("response", answered)
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def tab(new_tab: TabFactory) -> Tab:
    """A tab of a desktop browser with JavaScript on."""
    return new_tab()


@dataclass(frozen=True)
class Violation:
    """One axe-core rule broken on a page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def describe(self, where: str) -> str:
        elements = "\n    ".join(self.targets)
        return f"{where}: {self.rule} ({self.impact}): {self.help}\n    {elements}"


_RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact || "",
    help: v.help,
    targets: v.nodes.map((n) => {
      const check = n.any[0] || n.all[0] || n.none[0];
      const html = n.html.replace(/\\s+/g, " ").slice(0, 160);
      return n.target.join(" ") + "  " + html + (check ? "  (" + check.message + ")" : "");
    }),
  }));
}"""


class Axe:
    """Runs axe-core (from conformance/node_modules) on the page shown in a tab."""

    def __init__(self, source: str) -> None:
        self._source = source

    def violations(self, page: Page) -> list[Violation]:
        # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (which
        # forbids inline scripts on the verification pages) does not stop the injection.
        if page.evaluate("() => typeof window.axe") == "undefined":
            page.evaluate(self._source)
        found = page.evaluate(_RUN_AXE)
        return [Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"])) for v in found]

    def blocking(self, page: Page) -> list[Violation]:
        """The ``serious`` and ``critical`` violations."""
        return [v for v in self.violations(page) if v.impact in BLOCKING_IMPACTS]


@pytest.fixture(scope="session")
def axe() -> Axe:
    if not AXE.is_file():
        missing_verifier(f"{AXE} is missing: run `make node` (npm ci in conformance/)")
    return Axe(AXE.read_text(encoding="utf-8"))
