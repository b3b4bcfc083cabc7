"""The deployment templates: GitHub Actions workflows, GitLab CI, the nginx example, docs/deploy.md.

The CI files are parsed as YAML and checked for what they must do (validate every pull or merge
request, build with ``badgeons build``, publish the folder that was built), and their inline
scripts are run here against a stand-in ``badgeons`` so that a broken script fails this test
rather than a collective's first deployment.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from build_tools import sitebuild
from build_tools.diagnostics import Diagnostic, Level, format_json

PROJECT = Path(__file__).resolve().parents[2]
PAGES = PROJECT / ".github" / "workflows" / "pages.yml"
VALIDATE = PROJECT / ".github" / "workflows" / "validate.yml"
GITLAB = PROJECT / ".gitlab-ci.yml"
DEPLOY_DOC = PROJECT / "docs" / "deploy.md"
NGINX = PROJECT / "docs" / "examples" / "nginx.conf"
CI_FILES = (PAGES, VALIDATE, GITLAB)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    return triggers


def _steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    steps = workflow["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def _step(steps: list[dict[str, Any]], *, uses: str | None = None, runs: str | None = None) -> int:
    """Index of the first step using an action (by name, any version) or running a command."""
    for index, step in enumerate(steps):
        if uses and str(step.get("uses", "")).split("@")[0] == uses:
            return index
        if runs and runs in str(step.get("run", "")):
            return index
    raise AssertionError(f"no step uses {uses!r} or runs {runs!r}")


def _site_dir(command: str) -> str:
    """The value of --site-dir in a `badgeons build` command line."""
    words = shlex.split(command)
    start = words.index("badgeons")
    assert words[start + 1] == "build", command
    return words[words.index("--site-dir", start) + 1]


def _all_uses(workflow: dict[Any, Any]) -> list[str]:
    return [
        str(s["uses"]) for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s
    ]


# GitHub Actions.


def test_validate_workflow_runs_on_every_pull_request() -> None:
    workflow = _load(VALIDATE)
    assert "pull_request" in _triggers(workflow)
    steps = _steps(workflow, "validate")
    assert _step(steps, uses="actions/checkout") < _step(steps, runs="pip install .")
    assert _step(steps, runs="pip install .") < _step(steps, runs="badgeons validate")
    assert workflow["permissions"] == {"contents": "read"}


def test_pages_workflow_builds_on_push_to_main_and_publishes_the_built_folder() -> None:
    workflow = _load(PAGES)
    assert _triggers(workflow)["push"]["branches"] == ["main"]
    steps = _steps(workflow, "build")
    build = _step(steps, runs="badgeons build")
    upload = _step(steps, uses="actions/upload-pages-artifact")
    assert _step(steps, uses="actions/checkout") < _step(steps, runs="pip install .") < build
    assert _step(steps, uses="actions/configure-pages") < build < upload
    assert _site_dir(steps[build]["run"]) == "public"
    assert steps[upload]["with"]["path"] == "public"


def test_pages_workflow_deploys_with_the_official_action_and_least_privilege() -> None:
    workflow = _load(PAGES)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    step = deploy["steps"][_step(deploy["steps"], uses="actions/deploy-pages")]
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"
    # Only the deploy job may write to Pages; the build job reads.
    assert workflow["permissions"] == {"contents": "read"}
    assert "write" not in workflow["jobs"]["build"]["permissions"].values()
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_pages_workflow_sets_source_date_epoch_from_the_commit_before_building() -> None:
    steps = _steps(_load(PAGES), "build")
    epoch = _step(steps, runs="SOURCE_DATE_EPOCH")
    assert "git log -1 --format=%ct" in steps[epoch]["run"]
    assert "GITHUB_ENV" in steps[epoch]["run"]
    assert epoch < _step(steps, runs="badgeons build")


@pytest.mark.parametrize("path", [PAGES, VALIDATE], ids=lambda p: p.name)
def test_workflows_use_only_official_actions_pinned_to_a_major_version(path: Path) -> None:
    uses = _all_uses(_load(path))
    assert uses
    for action in uses:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", action), action


@pytest.mark.parametrize("path", [PAGES, VALIDATE], ids=lambda p: p.name)
def test_workflows_use_the_projects_python(path: Path) -> None:
    workflow = _load(path)
    job = next(iter(workflow["jobs"]))
    steps = _steps(workflow, job)
    setup = steps[_step(steps, uses="actions/setup-python")]
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={setup['with']['python-version']}"
    assert setup["with"]["python-version"] == "3.11"


# GitLab CI.


def test_the_build_cache_is_kept_between_runs() -> None:
    steps = _steps(_load(PAGES), "build")
    cached = _step(steps, uses="actions/cache")
    assert cached < _step(steps, runs="badgeons build")
    assert steps[cached]["with"]["path"] == ".cache/badgeons"
    caches = _load(GITLAB)["cache"]
    badgeons = [c for c in caches if c["paths"] == [".cache/badgeons"]]
    assert len(badgeons) == 1 and "$CI_COMMIT_REF_SLUG" in badgeons[0]["key"]


def test_gitlab_pages_job_builds_public_on_the_default_branch_only() -> None:
    ci = _load(GITLAB)
    job = ci["pages"]
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    script = [str(line) for line in job["script"]]
    build = next(i for i, line in enumerate(script) if "badgeons build" in line)
    epoch = next(i for i, line in enumerate(script) if "SOURCE_DATE_EPOCH" in line)
    install = next(i for i, line in enumerate(script) if "pip install ." in line)
    assert install < build and epoch < build
    assert "git log -1 --format=%ct" in script[epoch]
    assert _site_dir(script[build]) == "public"
    assert job["artifacts"]["paths"] == ["public"]
    assert job.get("image", ci["default"]["image"]) == "python:3.11"


def test_gitlab_validate_job_runs_on_merge_requests_with_a_code_quality_report() -> None:
    ci = _load(GITLAB)
    job = ci["validate"]
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in job["rules"]
    assert any("badgeons validate" in str(line) for line in job["script"])
    report = job["artifacts"]["reports"]["codequality"]
    assert any(report in str(line) for line in job["script"]), "the script must write the report"
    assert job["artifacts"]["when"] == "always"
    assert ci["workflow"]["rules"][0] == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_files_need_no_secret_and_hold_no_key(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "secrets." not in text
    assert "PRIVATE KEY" not in text
    assert "BADGEONS_KEY" not in text
    assert "badgeons award" not in text


# The inline scripts, run against a stand-in `badgeons` that prints a known report.

DIAGNOSTICS = [
    Diagnostic(
        "badges/lire-un-horaire.yaml",
        14,
        3,
        Level.ERROR,
        "criteria.narrative",
        "champ obligatoire manquant",
    ),
    Diagnostic("issuers/a,b.yaml", 0, 0, Level.WARNING, "", "100% sûr: non\nvoir le profil"),
]


def _fake_badgeons(tmp_path: Path, report: str, status: int) -> dict[str, str]:
    """An environment whose `badgeons` prints ``report``, records its arguments, exits ``status``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "report.json").write_text(report, encoding="utf-8")
    fake = bin_dir / "badgeons"
    fake.write_text(
        f'#!/bin/sh\necho "$@" > "$FAKE_DIR/args"\ncat "$FAKE_DIR/report.json"\nexit {status}\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    python_dir = Path(sys.executable).parent
    path = f"{bin_dir}{os.pathsep}{python_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "FAKE_DIR": str(tmp_path), "RUNNER_TEMP": str(tmp_path)}


def _github_validate(
    tmp_path: Path, diagnostics: list[Diagnostic], status: int
) -> subprocess.CompletedProcess[str]:
    steps = _steps(_load(VALIDATE), "validate")
    script = tmp_path / "step.sh"
    script.write_text(steps[_step(steps, runs="badgeons validate")]["run"], encoding="utf-8")
    env = _fake_badgeons(tmp_path, format_json(diagnostics), status)
    return subprocess.run(
        ["bash", "-e", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )


def test_github_validate_step_turns_diagnostics_into_annotations(tmp_path: Path) -> None:
    result = _github_validate(tmp_path, DIAGNOSTICS, status=1)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "args").read_text(encoding="utf-8").split() == [
        "validate",
        "--format",
        "json",
    ]
    lines = result.stdout.splitlines()
    assert (
        "badges/lire-un-horaire.yaml:14:3: error: criteria.narrative: champ obligatoire manquant"
        in lines
    )
    assert (
        "::error file=badges/lire-un-horaire.yaml,line=14,col=3,title=criteria.narrative"
        "::champ obligatoire manquant"
    ) in lines
    # Property values escape ',' and ':'; the message escapes '%' and line breaks.
    assert "::warning file=issuers/a%2Cb.yaml::100%25 sûr: non%0Avoir le profil" in lines
    assert lines[-1] == "1 erreur(s), 1 avertissement(s)."


def test_github_validate_step_passes_when_the_repository_is_valid(tmp_path: Path) -> None:
    result = _github_validate(tmp_path, [], status=0)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 erreur(s), 0 avertissement(s)."]


@pytest.mark.parametrize("status", [0, 1])
def test_gitlab_validate_script_writes_code_quality_and_keeps_the_exit_status(
    tmp_path: Path, status: int
) -> None:
    ci = _load(GITLAB)
    lines = [str(line) for line in ci["validate"]["script"] if "pip install" not in str(line)]
    script = tmp_path / "job.sh"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = _fake_badgeons(tmp_path, format_json(DIAGNOSTICS), status)
    result = subprocess.run(
        ["bash", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == status, result.stderr
    report = json.loads(
        (tmp_path / ci["validate"]["artifacts"]["reports"]["codequality"]).read_text()
    )
    assert [(i["severity"], i["location"]) for i in report] == [
        ("major", {"path": "badges/lire-un-horaire.yaml", "lines": {"begin": 14}}),
        ("minor", {"path": "issuers/a,b.yaml", "lines": {"begin": 1}}),
    ]
    assert report[0]["description"] == "criteria.narrative: champ obligatoire manquant"
    assert len({i["fingerprint"] for i in report}) == 2
    assert "badges/lire-un-horaire.yaml:14:3: error:" in result.stdout


@pytest.mark.parametrize(
    ("pages_url", "status"),
    [
        ("https://collectif.github.io/badges/", 0),
        ("https://collectif.github.io/badges", 0),
        ("https://badges.collectif.fr/", 1),
        ("http://collectif.github.io/badges/", 1),
    ],
)
def test_pages_workflow_stops_when_site_url_is_not_the_pages_url(
    tmp_path: Path, pages_url: str, status: int
) -> None:
    steps = _steps(_load(PAGES), "build")
    check = steps[_step(steps, runs="site_url")]
    assert check["env"]["PAGES_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert steps[_step(steps, uses="actions/configure-pages")]["id"] == "pages"
    (tmp_path / "badgeons.yml").write_text(
        "site_url: https://collectif.github.io/badges/\n", encoding="utf-8"
    )
    script = tmp_path / "step.sh"
    script.write_text(check["run"], encoding="utf-8")
    env = {**_fake_badgeons(tmp_path, "{}", 0), "PAGES_URL": pages_url}
    result = subprocess.run(
        ["bash", "-e", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == status, result.stderr
    if status:
        assert result.stdout.startswith("::error file=badgeons.yml,title=site_url::")
        assert pages_url in result.stdout


@pytest.mark.parametrize(
    ("site_url", "pages_url", "status"),
    [
        ("https://collectif.gitlab.io/badges/", "https://collectif.gitlab.io/badges", 0),
        ("https://badges-0a1b2c.gitlab.io/", "https://badges-0a1b2c.gitlab.io", 0),
        # A custom domain is not known to CI: it is let through.
        ("https://badges.collectif.fr/", "https://collectif.gitlab.io/badges", 0),
        # Another project, or the unique domain while site_url names the classic address.
        ("https://collectif.gitlab.io/autre/", "https://collectif.gitlab.io/badges", 1),
        ("https://collectif.gitlab.io/badges/", "https://badges-0a1b2c.gitlab.io", 1),
        # The demonstration's address, never changed.
        ("https://badgeons.example.org/", "https://collectif.gitlab.io/badges", 1),
    ],
)
def test_gitlab_pages_job_stops_when_site_url_is_not_where_gitlab_publishes(
    tmp_path: Path, site_url: str, pages_url: str, status: int
) -> None:
    script = [str(line) for line in _load(GITLAB)["pages"]["script"]]
    check = next(i for i, line in enumerate(script) if "CI_PAGES_URL" in line)
    assert check < next(i for i, line in enumerate(script) if "badgeons build" in line)
    (tmp_path / "badgeons.yml").write_text(f"site_url: {site_url}\n", encoding="utf-8")
    job = tmp_path / "job.sh"
    job.write_text(script[check], encoding="utf-8")
    env = {
        **_fake_badgeons(tmp_path, "{}", 0),
        "CI_PAGES_URL": pages_url,
        "CI_PAGES_DOMAIN": "gitlab.io",
    }
    result = subprocess.run(
        ["bash", "-e", str(job)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == status, result.stderr
    if status:
        assert result.stdout.startswith(f"badgeons.yml: error: site_url: site_url vaut {site_url}")
        assert pages_url in result.stdout
    else:
        assert f"site_url = {site_url}" in result.stdout


# The nginx example and the documentation.


def test_nginx_example_serves_the_token_types_the_site_declares() -> None:
    text = NGINX.read_text(encoding="utf-8")
    for extension in (".jwt", ".jws"):
        block = re.search(
            r"location ~ \\"
            + re.escape(extension)
            + r"\$ \{\s*types \{ \}\s*default_type ([^;]+);",
            text,
        )
        assert block, f"no location block for {extension}"
        assert block.group(1) == sitebuild.CONTENT_TYPES[extension]
    assert "error_page 404 /404.html;" in text
    assert "listen 443 ssl;" in text
    assert text.count("{") == text.count("}")


def test_nginx_example_keeps_revocations_short_and_signed_files_long() -> None:
    """Checked against a running nginx 1.22 as well (see the commit that added it)."""
    text = NGINX.read_text(encoding="utf-8")
    server = text[text.index("listen 443 ssl;") :]
    # The default, which revocation lists, status lists, keys and hosted assertions keep.
    assert '\n    add_header Cache-Control "public, max-age=300" always;' in server
    # Each block: its pattern, and its body up to the closing brace at the block's indentation.
    long_blocks = re.findall(r"\n    location ~ (\S+) \{(.*?)\n    \}", server, re.S)
    immutable = [(path, body) for path, body in long_blocks if "immutable" in body]
    assert {path for path, _ in immutable} == {
        r"/a/[a-z2-7]+\.vc\.jwt$",
        r"/a/[a-z2-7]+\.jws$",
        r"/a/[a-z2-7]+\.vc\.(json|png|svg)$",
    }
    for path, body in immutable:
        # A location with its own add_header loses the server's: CORS is repeated.
        assert 'add_header Access-Control-Allow-Origin "*" always;' in body, path
        # nginx takes the first matching regex: these come before the token types' blocks.
        assert server.index(path) < server.index(r"location ~ \.jwt$"), path
    types = {path: body for path, body in immutable}
    assert "default_type application/jwt;" in types[r"/a/[a-z2-7]+\.vc\.jwt$"]
    assert "default_type application/jose;" in types[r"/a/[a-z2-7]+\.jws$"]


def test_deploy_doc_covers_every_host_in_french_then_english() -> None:
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    english = text.index("## Deploying the site (English summary)")
    french, summary = text[:english], text[english:]
    for part in (french, summary):
        for host in ("GitHub Pages", "GitLab Pages", "nginx", "S3"):
            assert host in part, host
    for topic in (
        "site_url",
        "SOURCE_DATE_EPOCH",
        "404.html",
        "did:web",
        "HTTPS",
        "application/jwt",
        "application/octet-stream",
        "badgeons verify https://",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "https://<organisation>.github.io/<dépôt>/",
        "badgeons init",
        "Cache-Control",
        "max-age=600",
        "status.json",
        "minuscules",
    ):
        assert topic in french, topic
    assert "secret" in french and "secret" in summary.lower()
    assert len(french) > len(summary)


def test_deploy_doc_links_resolve() -> None:
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    links = [
        link
        for link in re.findall(r"\]\(([^)#\s]+)\)", text)
        if not link.startswith(("http://", "https://"))
    ]
    assert "examples/nginx.conf" in links
    for link in links:
        assert (DEPLOY_DOC.parent / link).exists(), link
