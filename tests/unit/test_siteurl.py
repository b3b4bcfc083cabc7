"""The rules of site_url beyond its schema, and the reserved example domains."""

from __future__ import annotations

import pytest

from build_tools import schemacheck, siteurl
from build_tools.yamlsource import load_yaml_bytes


@pytest.mark.parametrize(
    "site_url",
    [
        "https://badges.collectif.fr/",
        "https://collectif.github.io/Badges-Centre/",
        "https://127.0.0.1:8443/cvl/",
        "https://xn--bdges-gra.example.org/",
    ],
)
def test_usable_addresses_pass_the_schema_and_the_rules(site_url: str) -> None:
    assert siteurl.problem(site_url) is None
    source, problems = load_yaml_bytes(f"site_url: {site_url}\ntitle: T\n".encode(), "badgeons.yml")
    assert source is not None and not problems
    assert schemacheck.check(source, "settings") == []


@pytest.mark.parametrize(
    ("site_url", "fixed", "reason"),
    [
        ("http://badges.collectif.fr/", "https://badges.collectif.fr/", "n'accepte que https"),
        (
            "https://Org.GitHub.io/Repo/",
            "https://org.github.io/Repo/",
            "nom de domaine doit être en minuscules",
        ),
        (
            "https://Badges.collectif.fr:8443/x/",
            "https://badges.collectif.fr:8443/x/",
            "minuscules",
        ),
        ("https://bädges.collectif.fr/", "https://xn--bdges-gra.collectif.fr/", "punycode"),
    ],
)
def test_refused_addresses_name_the_rule_and_the_address_to_write(
    site_url: str, fixed: str, reason: str
) -> None:
    message = siteurl.problem(site_url)
    assert message is not None
    assert message.startswith(f"« {site_url} » : ")
    assert reason in message
    assert message.endswith(f"Écrivez « {fixed} »")
    # The schema that editors read refuses them too.
    source, _ = load_yaml_bytes(f"site_url: {site_url}\ntitle: T\n".encode(), "badgeons.yml")
    assert source is not None
    assert [d.field for d in schemacheck.check(source, "settings")] == ["site_url"]


@pytest.mark.parametrize("value", [None, 3, "badges.collectif.fr", "ftp://x.fr/"])
def test_what_is_not_an_address_is_left_to_the_schema(value: object) -> None:
    assert siteurl.problem(value) is None


@pytest.mark.parametrize(
    ("site_url", "domain"),
    [
        ("https://badgeons.example.org/", "example.org"),
        ("https://example.com/badges/", "example.com"),
        ("https://a.b.example.net/", "example.net"),
        ("https://badges.collectif.fr/", None),
        ("https://notexample.org/", None),
        ("https://example.org.collectif.fr/", None),
    ],
)
def test_example_domains_are_recognised(site_url: str, domain: str | None) -> None:
    assert siteurl.example_domain(site_url) == domain
