"""Tests of build_tools.identity: address normalisation, identity hashes and assertion ids."""

from __future__ import annotations

import hashlib
import re

import pytest

from build_tools import identity

# sha256("awa@example.org" + "abc"), computed with coreutils: printf 'awa@example.orgabc' | sha256sum
AWA_ABC = "sha256$7590255b4e5b1c0f650b92550d88e37096dba42f92e90c1a6cf597697b2502de"


def test_known_identity_hash_vector() -> None:
    assert identity.hash_identity("awa@example.org", "abc") == AWA_ABC


def test_hash_is_that_of_the_normalised_address() -> None:
    assert identity.hash_identity("  Awa@Example.ORG \n", "abc") == AWA_ABC
    expected = hashlib.sha256(b"awa@example.orgdef").hexdigest()
    assert identity.hash_identity("AWA@example.org", "def") == f"sha256${expected}"


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("awa@example.org", "awa@example.org"),
        (" Awa.Diallo@Example.ORG\t", "awa.diallo@example.org"),
        ("o'neil+badges@sub.example.fr", "o'neil+badges@sub.example.fr"),
    ],
)
def test_normalise_email(given: str, canonical: str) -> None:
    assert identity.normalise_email(given) == canonical


@pytest.mark.parametrize(
    "given",
    ["x", "", "awa@", "@example.org", "awa@example", "awa example@example.org", "awa@-ex.org"],
)
def test_invalid_addresses_are_refused_with_the_address_quoted(given: str) -> None:
    with pytest.raises(identity.InvalidEmail) as caught:
        identity.normalise_email(f" {given} ")
    assert str(caught.value) == f"adresse e-mail invalide : « {given} »"


def test_too_long_address_is_refused() -> None:
    address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".org"
    assert len(address) > 254
    with pytest.raises(identity.InvalidEmail):
        identity.normalise_email(address)


def test_matches() -> None:
    assert identity.matches(" AWA@example.org", AWA_ABC, "abc")
    assert identity.matches("awa@example.org", AWA_ABC.upper().replace("SHA256", "sha256"), "abc")
    assert not identity.matches("awa@example.org", AWA_ABC, "abd")
    assert not identity.matches("bob@example.org", AWA_ABC, "abc")
    assert not identity.matches("pas une adresse", AWA_ABC, "abc")


def test_salts_are_fresh_and_long() -> None:
    salts = {identity.new_salt() for _ in range(50)}
    assert len(salts) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}", s) for s in salts)


def test_assertion_ids_are_26_base32_characters_and_unique() -> None:
    ids = {identity.new_assertion_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        assert re.fullmatch(r"[a-z2-7]{26}", value)
        assert identity.is_assertion_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "a" * 25,
        "a" * 27,
        "A" * 26,
        "a" * 25 + "1",
        "a" * 25 + "8",
        "a" * 24 + "..",
        "",
    ],
)
def test_is_assertion_id_refuses_other_strings(value: str) -> None:
    assert not identity.is_assertion_id(value)
