"""Run the external verifiers as subprocesses and return typed results.

The verifiers live in `conformance/`: two node scripts built on independent libraries
(`verify-vc.mjs`: Digital Bazaar's vc and eddsa-rdfc-2022; `verify-jwt.mjs`: jose) and the
1EdTech Open Badges 2.0 validator in its own virtual environment (`ob2_validate.py`). They are
installed by `make node` (npm ci) and `conformance/setup-ob2.sh`.

A missing verifier must never look like a pass: `require_node_verifiers()` and
`require_ob2_validator()` skip the test on a developer's machine but fail it when `CI` is set.
A verifier that crashes, times out or prints something unreadable raises `VerifierError`; a
verdict (verified or not) is returned as a result for the test to assert.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE_DIR = REPO_ROOT / "conformance"
OB2_PYTHON = CONFORMANCE_DIR / ".ob2-venv" / "bin" / "python"
OB2_STAMP = CONFORMANCE_DIR / ".ob2-venv" / ".installed"
DEFAULT_TIMEOUT = 120.0
MIN_NODE_MAJOR = 20
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")


class VerifierUnavailable(RuntimeError):
    """A verifier is not installed (node, the npm packages or the OB 2.0 validator's venv)."""


class VerifierError(RuntimeError):
    """A verifier crashed, timed out or printed something that is not its report."""


@dataclass(frozen=True)
class VerificationResult:
    """The verdict of `verify-vc.mjs` or `verify-jwt.mjs` on one input."""

    input: str
    verified: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    raw: Mapping[str, Any]
    """The whole JSON line (credentialId, issuer, status, keyUrl, ...)."""


@dataclass(frozen=True)
class OB2Report:
    """The report of the 1EdTech Open Badges 2.0 validator on one input."""

    input: str
    valid: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    raw: Mapping[str, Any]
    """The whole JSON report (messages, openBadgesVersion, requested URLs, ...)."""


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing_verifier(reason: str) -> NoReturn:
    """Skip the current test, or fail it in CI: a check that did not run never passes there."""
    if running_in_ci():
        pytest.fail(f"verifier not installed (CI=true, so this fails): {reason}", pytrace=False)
    pytest.skip(f"verifier not installed: {reason}")


def check_node_verifiers() -> None:
    """Raise `VerifierUnavailable` unless node and every npm package of conformance/ are there."""
    node = shutil.which("node")
    if node is None:
        raise VerifierUnavailable("node is not on PATH")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        raise VerifierUnavailable(f"cannot read node's version: {version!r}") from None
    if major < MIN_NODE_MAJOR:
        raise VerifierUnavailable(f"node {version} is older than v{MIN_NODE_MAJOR}")
    manifest = json.loads((CONFORMANCE_DIR / "package.json").read_text(encoding="utf-8"))
    for name in manifest.get("dependencies", {}):
        if not (CONFORMANCE_DIR / "node_modules" / name / "package.json").is_file():
            raise VerifierUnavailable(
                f"npm package {name} is missing: run `make node` (npm ci in conformance/)"
            )


def check_ob2_validator() -> None:
    """Raise `VerifierUnavailable` unless setup-ob2.sh has completed."""
    if not OB2_PYTHON.is_file() or not OB2_STAMP.is_file():
        raise VerifierUnavailable(
            "the Open Badges 2.0 validator is not installed: run `bash conformance/setup-ob2.sh`"
        )


def require_node_verifiers() -> None:
    try:
        check_node_verifiers()
    except VerifierUnavailable as error:
        missing_verifier(str(error))


def require_ob2_validator() -> None:
    try:
        check_ob2_validator()
    except VerifierUnavailable as error:
        missing_verifier(str(error))


def verifier_environment(ca_cert: Path | None) -> dict[str, str]:
    """The environment of a verifier: the test CA trusted, no proxy between it and loopback."""
    env = {key: value for key, value in os.environ.items() if key not in _PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    env.pop("NODE_EXTRA_CA_CERTS", None)
    env.pop("REQUESTS_CA_BUNDLE", None)
    if ca_cert is not None:
        env["NODE_EXTRA_CA_CERTS"] = str(ca_cert)
        env["REQUESTS_CA_BUNDLE"] = str(ca_cert)
    return env


def _run(
    command: Sequence[str], *, env: Mapping[str, str], timeout: float, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        completed = subprocess.run(
            list(command),
            input=stdin,
            capture_output=True,
            text=True,
            env=dict(env),
            cwd=CONFORMANCE_DIR,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise VerifierError(f"{command[1]} timed out after {timeout} s") from error
    # Exit status 0 is "all verified", 1 is "some did not"; anything else is a broken run.
    if completed.returncode not in (0, 1):
        raise VerifierError(
            f"{' '.join(command[:2])} exited with {completed.returncode}:\n"
            f"{completed.stderr[-4000:]}{completed.stdout[-2000:]}"
        )
    return completed


def _iso(now: dt.datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _run_node_verifier(
    script: str,
    inputs: Sequence[str | Path],
    *,
    ca_cert: Path | None,
    now: dt.datetime | None,
    timeout: float,
) -> list[VerificationResult]:
    check_node_verifiers()
    arguments = ["node", script, *(["--now", _iso(now)] if now else []), "-"]
    listing = json.dumps([str(item) for item in inputs])
    completed = _run(arguments, env=verifier_environment(ca_cert), timeout=timeout, stdin=listing)
    results = []
    for line in completed.stdout.splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise VerifierError(f"{script} printed a line that is not JSON: {line!r}") from error
        results.append(
            VerificationResult(
                input=str(data["input"]),
                verified=data["verified"] is True,
                errors=tuple(str(item) for item in data.get("errors", [])),
                warnings=tuple(str(item) for item in data.get("warnings", [])),
                raw=data,
            )
        )
    if len(results) != len(inputs):
        raise VerifierError(
            f"{script} reported {len(results)} results for {len(inputs)} inputs:\n"
            f"{completed.stderr[-4000:]}"
        )
    return results


def verify_vc(
    inputs: Sequence[str | Path],
    *,
    ca_cert: Path | None,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[VerificationResult]:
    """Verify Open Badges 3.0 credentials with a Data Integrity proof (files or https URLs)."""
    return _run_node_verifier("verify-vc.mjs", inputs, ca_cert=ca_cert, now=now, timeout=timeout)


def verify_jwt(
    inputs: Sequence[str | Path],
    *,
    ca_cert: Path | None,
    now: dt.datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[VerificationResult]:
    """Verify Open Badges 3.0 VC-JWTs (files or URLs holding the compact token)."""
    return _run_node_verifier("verify-jwt.mjs", inputs, ca_cert=ca_cert, now=now, timeout=timeout)


def validate_ob2(
    badge: str | Path,
    *,
    ca_cert: Path | None,
    recipient_email: str | None = None,
    is_jws: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> OB2Report:
    """Validate with the 1EdTech Open Badges 2.0 validator.

    `badge` is a hosted assertion URL, the path of a baked PNG or SVG, the path of a file holding
    a JWS or JSON assertion, or (with `is_jws=True`) a compact JWS string.
    """
    check_ob2_validator()
    arguments = [str(OB2_PYTHON), "ob2_validate.py"]
    if recipient_email is not None:
        arguments += ["--recipient-email", recipient_email]
    arguments += ["--jws", str(badge)] if is_jws else [str(badge)]
    completed = _run(arguments, env=verifier_environment(ca_cert), timeout=timeout)
    try:
        data = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise VerifierError(
            f"ob2_validate.py printed no JSON report:\n{completed.stderr[-4000:]}"
        ) from error
    return OB2Report(
        input=str(data.get("input", badge)),
        valid=data.get("valid") is True,
        errors=tuple(str(item) for item in data.get("errors", [])),
        warnings=tuple(str(item) for item in data.get("warnings", [])),
        raw=data,
    )


def sign_di_fixture(
    credential: Mapping[str, Any],
    *,
    did: str,
    key: str,
    out_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sign `credential` with a fresh Ed25519 key by Digital Bazaar's libraries (eddsa-rdfc-2022).

    Returns the signed credential and the DID document of `did` holding the key `did#key`; both
    are also written to `out_dir` (with unsigned.json, credential.json, did.json: keep it apart
    from the served site). The private key is never saved.
    """
    check_node_verifiers()
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / "unsigned.json"
    source.write_text(json.dumps(credential), encoding="utf-8")
    command = ["node", "sign-fixture.mjs", "di", "--credential", str(source), "--did", did]
    command += ["--key", key, "--out-dir", str(out_dir)]
    completed = _run(command, env=verifier_environment(None), timeout=timeout)
    if completed.returncode != 0:
        raise VerifierError(f"sign-fixture.mjs di failed:\n{completed.stderr[-4000:]}")
    signed = json.loads((out_dir / "credential.json").read_text(encoding="utf-8"))
    did_document = json.loads((out_dir / "did.json").read_text(encoding="utf-8"))
    return signed, did_document


def sign_jwt_fixture(
    credential: Mapping[str, Any],
    *,
    kid: str,
    out_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[str, dict[str, Any]]:
    """Sign `credential` as an Open Badges 3.0 VC-JWT (RS256) with a fresh key, by `jose`.

    Returns the compact token and the public JWK (whose `kid` is `kid`); out_dir also receives
    unsigned.json, credential.jwt, jwk.json and jwks.json. The private key is never saved.
    """
    check_node_verifiers()
    out_dir.mkdir(parents=True, exist_ok=True)
    source = out_dir / "unsigned.json"
    source.write_text(json.dumps(credential), encoding="utf-8")
    command = ["node", "sign-fixture.mjs", "jwt", "--credential", str(source), "--kid", kid]
    command += ["--out-dir", str(out_dir)]
    completed = _run(command, env=verifier_environment(None), timeout=timeout)
    if completed.returncode != 0:
        raise VerifierError(f"sign-fixture.mjs jwt failed:\n{completed.stderr[-4000:]}")
    token = (out_dir / "credential.jwt").read_text(encoding="utf-8").strip()
    jwk = json.loads((out_dir / "jwk.json").read_text(encoding="utf-8"))
    return token, jwk


def explain(results: Sequence[VerificationResult] | OB2Report) -> str:
    """A readable account of verdicts, for assertion messages."""
    items: Sequence[VerificationResult | OB2Report] = (
        [results] if isinstance(results, OB2Report) else results
    )
    lines = []
    for item in items:
        verdict = item.valid if isinstance(item, OB2Report) else item.verified
        lines.append(f"{item.input}: {'OK' if verdict else 'FAILED'}")
        lines += [f"  error: {message}" for message in item.errors]
        lines += [f"  warning: {message}" for message in item.warnings]
    return "\n".join(lines)
