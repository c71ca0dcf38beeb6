"""A local certificate authority and a server certificate for 127.0.0.1 and
localhost, made with the ``cryptography`` library, for servers that accept only TLS
(``./pactstream infra start --secure`` and the tests that run the platform so).

Keys are unencrypted PKCS#8 in files only their owner reads: Kafka on Java 17 cannot
read the PBES2-encrypted keys ``cryptography`` writes, and PostgreSQL wants a key it
can open unattended. Elliptic-curve keys (P-256) serve both.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Names the server certificate is valid for: what clients connect to locally.
HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1",)


@dataclass(frozen=True)
class Files:
    ca_cert: Path  # Clients' trust anchor, Kafka's truststore.
    ca_key: Path
    server_cert: Path  # The server's certificate, then the CA's (PostgreSQL).
    server_key: Path
    server_keystore: Path  # Key, certificate, CA certificate (Kafka's PEM keystore).

    @classmethod
    def under(cls, folder: Path) -> Files:
        return cls(
            folder / "ca.pem",
            folder / "ca-key.pem",
            folder / "server.pem",
            folder / "server-key.pem",
            folder / "server-keystore.pem",
        )


def ensure(folder: Path, *, days: int = 825) -> Files:
    """The certificates under ``folder``, made when missing or expiring within a day."""
    files = Files.under(folder)
    if all(p.exists() for p in vars(files).values()) and _valid_tomorrow(files.server_cert):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pactstream local CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), days=days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(h) for h in HOSTS] + [
        x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES
    ]
    server = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])]),
            ca.subject,
            key.public_key(),
            days=days,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(), critical=True)
        # Client authentication too: Kafka's nodes present it to one another.
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, server_pem = _cert_pem(ca), _cert_pem(server)
    _write(files.ca_key, _key_pem(ca_key), private=True)
    _write(files.server_key, _key_pem(key), private=True)
    _write(files.server_keystore, _key_pem(key) + server_pem + ca_pem, private=True)
    _write(files.server_cert, server_pem + ca_pem)
    _write(files.ca_cert, ca_pem)  # Last: its presence says the set is complete.
    return files


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, *, days: int
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )


def _usage(*, key_cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(partial, path)


def _valid_tomorrow(cert_file: Path) -> bool:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
