"""A throw-away certificate authority and a server certificate for loopback tests.

The external verifiers fetch documents over HTTPS (did:web requires it), so the tests serve the
site on 127.0.0.1 with a certificate signed by a CA made for the run. The CA certificate is
handed to the verifiers through `NODE_EXTRA_CA_CERTS` (node) and `REQUESTS_CA_BUNDLE` (requests).
Every key is written to a temporary directory chosen by the caller, never into the repository.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TestPKI:
    """Paths of the PEM files of a throw-away CA and of the server certificate it signed."""

    __test__ = False  # Tell pytest that this is not a test class despite its name.

    directory: Path
    ca_cert: Path
    """The CA certificate alone: what a client must trust."""
    server_cert: Path
    """The server certificate followed by the CA certificate (a full chain)."""
    server_key: Path
    """The server's private key (PKCS#8, unencrypted)."""
    hosts: tuple[str, ...]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Badgeons tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _subject_alt_names(hosts: tuple[str, ...]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_test_pki(
    directory: Path,
    *,
    hosts: tuple[str, ...] = DEFAULT_HOSTS,
    valid_for: dt.timedelta = dt.timedelta(days=2),
) -> TestPKI:
    """Create a CA and a server certificate for `hosts` (IP addresses and DNS names) in `directory`.

    The certificates follow what strict TLS clients check (OpenSSL 3 and its X.509 strict mode):
    version 3, key identifiers on both, basic constraints, key usages, `serverAuth`, and every
    host in the subject alternative name (IP addresses as IP entries, names as DNS entries).
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + valid_for

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Badgeons throw-away test CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(_subject_alt_names(hosts), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    pki = TestPKI(
        directory=directory,
        ca_cert=directory / "ca.pem",
        server_cert=directory / "server-chain.pem",
        server_key=directory / "server-key.pem",
        hosts=hosts,
    )
    pki.ca_cert.write_bytes(ca_pem)
    pki.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM) + ca_pem)
    pki.server_key.write_bytes(_pem_key(server_key))
    pki.server_key.chmod(0o600)
    return pki
