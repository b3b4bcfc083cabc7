"""Key-change statements: payload, signature, tampering and file names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from build_tools import keys, signing, statements

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DIGEST = "75f1f81144f7eb4feaf5fed373eabdc621bcc0461d729efbc5a23efa8cb8fb94"
ED = {"id": "ed", "type": "Ed25519", "created": "x", "public_key_multibase": "z6Mkabc"}


def test_payload_lists_added_and_compromised_keys_and_the_profile_digest() -> None:
    rsa_entry = {"id": "rsa", "type": "RSA", "created": "x", "public_key_jwk": {"n": "1"}}
    after = [ED | {"compromised": "2026-03-01T00:00:00Z"}, rsa_entry]
    content = statements.payload("o", [ED], after, b"name: O\n", NOW)
    assert content["added"] == ["rsa"]
    assert content["compromised"] == ["ed"]
    assert [k["id"] for k in content["keys"]] == ["ed", "rsa"]
    assert content["keys"][0]["compromised"] == "2026-03-01T00:00:00Z"
    # SHA-256 of "name: O\n", computed independently (sha256sum).
    assert content["profile_sha256"] == DIGEST
    assert content["date"] == "2026-03-02T10:00:00Z"


def test_fingerprint_ignores_dates_and_notes_but_not_the_material() -> None:
    same = ED | {"created": "y", "note": "rotation", "id": "other"}
    assert statements.key_fingerprint(ED) == statements.key_fingerprint(same)
    assert statements.key_fingerprint(ED) != statements.key_fingerprint(
        ED | {"public_key_multibase": "z6Mkabd"}
    )


def test_signed_statement_verifies_and_tampering_is_refused() -> None:
    key = keys.generate_rsa_key()
    token = statements.sign(statements.payload("o", [], [ED], b"a", NOW), "rsa-1", key)
    kid, content = statements.read(token)
    assert (kid, content["issuer"]) == ("rsa-1", "o")
    statements.verify(token, key.public_key())
    with pytest.raises(signing.SignatureInvalid):
        statements.verify(token, keys.generate_rsa_key().public_key())
    header, _body, signature = token.split(".")
    forged = statements.sign(statements.payload("o", [], [ED], b"b", NOW), "rsa-1", key)
    with pytest.raises(signing.SignatureInvalid):
        statements.verify(f"{header}.{forged.split('.')[1]}.{signature}", key.public_key())


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("abc", "ce n'est pas un JWS compact"),
        ("e30.e30.c2ln", "« format » doit valoir « badgeons/key-change/1 »"),
        ("!!.e30.c2ln", "déclaration illisible"),
    ],
)
def test_unreadable_statements_are_named(token: str, message: str) -> None:
    with pytest.raises(statements.StatementError, match=message):
        statements.read(token)


def test_statement_files_are_numbered_per_day(tmp_path: Path) -> None:
    first = statements.statement_path(tmp_path, "o", NOW)
    assert first == tmp_path / "issuers/o/key-changes/2026-03-02-1.jws"
    first.parent.mkdir(parents=True)
    first.write_text("x", encoding="utf-8")
    assert statements.statement_path(tmp_path, "o", NOW).name == "2026-03-02-2.jws"


def test_issuer_without_keys_needs_no_statement(minimal_repo: Path) -> None:
    assert statements.load_rsa_signer(minimal_repo, "atelier-test", None, lambda: None) is None
