"""Acceptance test of issue 6, item 4: a published endorsement passes an independent verifier.

A scratch repository (tests/conformance/conftest.py) gets an endorser profile, its keys and an
endorsement of a badge, all through the real ``badgeons`` command, and is built and served over
TLS. Digital Bazaar's ``@digitalbazaar/vc`` (with the ``eddsa-rdfc-2022`` cryptosuite, resolving
the endorser's did:web on the served site) must verify the published EndorsementCredential and
refuse a copy whose comment was changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conformance.conftest import (
    ISSUER,
    Published,
    awarded_ids,
    badgeons,
    build,
    scratch_repository,
)
from tests.support import verifiers
from tests.support.endorsers import COMMENT, ENDORSER, PROFILE
from tests.support.static_server import StaticServer
from tests.support.tls import TestPKI, make_test_pki

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def endorsed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Published, str, str]]:
    """A served site with one award and two endorsements: of the badge and of the award."""
    work = tmp_path_factory.mktemp("endorsed")
    pki: TestPKI = make_test_pki(tmp_path_factory.mktemp("endorsed-pki"))
    with StaticServer(work / "site", pki=pki) as server:
        site = scratch_repository(work, server, pki)
        (site.repo / "issuers" / f"{ENDORSER}.yaml").write_text(PROFILE, encoding="utf-8")
        badgeons(site, "keygen", ISSUER, "--no-passphrase")
        badgeons(site, "keygen", ENDORSER, "--no-passphrase")
        output = badgeons(
            site, "award", "telephone", "--issuer", ISSUER, "--recipient", "awa@example.org"
        )
        [award] = awarded_ids(output.stdout)
        ids = []
        for target in (("--badge", "telephone"), ("--assertion", award)):
            output = badgeons(
                site, "endorse", "--endorser", ENDORSER, *target, "--comment", COMMENT
            )
            ids += [
                line.rsplit("/e/", 1)[1].split(".")[0]
                for line in output.stdout.splitlines()
                if "/e/" in line
            ]
        build(site)
        yield site, ids[0], ids[1]


def test_the_endorsement_credentials_pass_digitalbazaar_vc(
    endorsed: tuple[Published, str, str], tmp_path: Path
) -> None:
    verifiers.require_node_verifiers()
    site, of_badge, of_award = endorsed
    urls = [site.server.url(f"e/{i}.vc.json") for i in (of_badge, of_award)]
    tampered = json.loads((site.site_dir / "e" / f"{of_badge}.vc.json").read_text("utf-8"))
    tampered["credentialSubject"]["endorsementComment"] = "Un avis que personne n'a signé."
    copy = tmp_path / "tampered.vc.json"
    copy.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")

    results = verifiers.verify_vc([*urls, copy], ca_cert=site.pki.ca_cert)

    endorser_did = site.did.replace(f":issuers:{ISSUER}", f":issuers:{ENDORSER}")
    for url, result in zip(urls, results[:2], strict=True):
        assert result.verified and result.warnings == (), verifiers.explain([result])
        assert result.raw["credentialId"] == url
        assert result.raw["issuer"] == endorser_did
    assert not results[2].verified
    assert any("signature" in e.lower() for e in results[2].errors), verifiers.explain([results[2]])
