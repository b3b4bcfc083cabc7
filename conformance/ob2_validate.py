"""Run the 1EdTech Open Badges 2.0 validator (PyPI `openbadges` 1.1.2) offline.

Runs with the interpreter of conformance/.ob2-venv (see setup-ob2.sh), never the project's:

    .ob2-venv/bin/python ob2_validate.py [--recipient-email EMAIL] INPUT
    .ob2-venv/bin/python ob2_validate.py [--recipient-email EMAIL] --jws COMPACT-JWS
    .ob2-venv/bin/python ob2_validate.py --self-check

INPUT is the URL of a hosted assertion, or the path of a baked image (.png, .svg) or of a file
holding a signed assertion (compact JWS) or an assertion in JSON. Prints one JSON report on
standard output: {input, valid, errors, warnings, errorCount, warningCount,
openBadgesVersion, validationSubject, recipientProfile, assertionRevoked, messages, requested}. Exit status: 0 when valid,
1 when not, 2 on bad usage or a crash of the validator.

Offline: every HTTP request the validator makes goes through `requests`; this runner answers
the Open Badges JSON-LD context URLs from conformance/contexts/ and refuses any host that is not
loopback (unless --allow-remote). The test site is trusted through REQUESTS_CA_BUNDLE.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any, BinaryIO

import requests
import requests.adapters
import requests.structures

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
LOCAL_DOCUMENTS = {
    "https://w3id.org/openbadges/v2": "openbadges-v2.json",
    "https://openbadgespec.org/v2/context.json": "openbadges-v2.json",
}
DEFAULT_TIMEOUT_SECONDS = 15.0
IMAGE_SUFFIXES = {".png", ".svg"}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def install_offline_transport(*, allow_remote: bool) -> list[str]:
    """Route every `requests` call through local contexts and a loopback guard.

    Returns the list in which every URL requested is recorded, in order.
    """
    original_send = requests.adapters.HTTPAdapter.send
    requested: list[str] = []

    def send(
        self: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        requested.append(url)
        local = LOCAL_DOCUMENTS.get(url.split("#")[0])
        if local is not None:
            response = requests.Response()
            response.status_code = 200
            response.reason = "OK"
            response.url = url
            response.request = request
            response.encoding = "utf-8"
            response.headers = requests.structures.CaseInsensitiveDict(
                {"Content-Type": "application/ld+json"}
            )
            response._content = (CONTEXTS_DIR / local).read_bytes()
            return response
        host = urllib.parse.urlsplit(url).hostname or ""
        if not allow_remote and not _is_loopback(host):
            raise requests.exceptions.ConnectionError(
                f"Refusing to fetch {url}: only loopback hosts are allowed (offline run)"
            )
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = DEFAULT_TIMEOUT_SECONDS
        return original_send(self, request, **kwargs)

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign, assignment]
    return requested


def self_check() -> int:
    """Checks that the validator imports and uses the key backend it was written for."""
    from jose import backends
    from jose.backends import pycrypto_backend
    from openbadges import verify  # noqa: F401

    if backends.RSAKey is not pycrypto_backend.RSAKey:
        print(
            "ob2_validate: python-jose does not use its pycryptodome backend "
            f"({backends.RSAKey!r}); is `cryptography` installed in this environment?",
            file=sys.stderr,
        )
        return 1
    for name in sorted(set(LOCAL_DOCUMENTS.values())):
        json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
    print("ob2_validate: self-check passed")
    return 0


def _messages(report: dict[str, Any], level: str) -> list[str]:
    return [
        str(message.get("result"))
        for message in report.get("messages", [])
        if message.get("messageLevel") == level
    ]


def validate(
    badge_input: str | BinaryIO, recipient_profile: dict[str, str] | None
) -> dict[str, Any]:
    from openbadges import verify

    # No requests_cache: every document is fetched afresh through the guarded transport.
    return verify(  # type: ignore[no-any-return]
        badge_input,
        recipient_profile=recipient_profile,
        use_cache=False,
        cache_backend=None,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", help="hosted assertion URL or file path")
    parser.add_argument("--jws", help="a signed assertion given as a compact JWS string")
    parser.add_argument("--recipient-email", help="the email the assertion must be awarded to")
    parser.add_argument("--recipient-url", help="the URL the assertion must be awarded to")
    parser.add_argument("--recipient-telephone", help="the phone the assertion must name")
    parser.add_argument("--allow-remote", action="store_true", help="allow non-loopback hosts")
    parser.add_argument("--self-check", action="store_true", help="check the installation")
    args = parser.parse_args(argv)

    if args.self_check:
        return self_check()
    if (args.input is None) == (args.jws is None):
        parser.error("give exactly one of INPUT or --jws")

    profile = {
        key: value
        for key, value in (
            ("email", args.recipient_email),
            ("url", args.recipient_url),
            ("telephone", args.recipient_telephone),
        )
        if value
    }
    requested = install_offline_transport(allow_remote=args.allow_remote)

    label: str = args.jws if args.jws is not None else args.input
    image: BinaryIO | None = None
    badge_input: str | BinaryIO
    if args.jws is not None:
        badge_input = args.jws.strip()
    elif urllib.parse.urlsplit(args.input).scheme in ("http", "https"):
        badge_input = args.input
    else:
        path = Path(args.input)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            image = path.open("rb")
            badge_input = image
        else:
            badge_input = path.read_text(encoding="utf-8").strip()
    try:
        result = validate(badge_input, profile or None)
    finally:
        if image is not None:
            image.close()

    report = result.get("report", {})
    subject = report.get("validationSubject")
    nodes = [node for node in result.get("graph", []) if node.get("id") == subject]
    output = {
        "input": label,
        "valid": bool(report.get("valid")),
        "errors": _messages(report, "ERROR"),
        "warnings": _messages(report, "WARNING"),
        "errorCount": report.get("errorCount"),
        "warningCount": report.get("warningCount"),
        "openBadgesVersion": report.get("openBadgesVersion"),
        "validationSubject": report.get("validationSubject"),
        "recipientProfile": report.get("recipientProfile"),
        # openbadges 1.1.2 ignores `revoked: true` on a hosted assertion (it only reads the
        # issuer's RevocationList for signed ones): the flag is reported here, as read from
        # the validator's own graph, for the caller to judge.
        "assertionRevoked": nodes[0].get("revoked") if nodes else None,
        "messages": report.get("messages", []),
        "requested": requested,
    }
    json.dump(output, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0 if output["valid"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SystemExit:
        raise
    except BaseException as error:  # The report must say the validator crashed, and how.
        json.dump({"valid": False, "crashed": True, "errors": [repr(error)]}, sys.stdout)
        sys.stdout.write("\n")
        sys.exit(2)
