"""Where one set of local servers lives and how it is shaped."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pactstream_cli.infra.common import read_json, write_private
from pactstream_cli.paths import local

if TYPE_CHECKING:
    from pactstream_cli import tls

PG_PORT = int(os.environ.get("PACTSTREAM_LOCAL_PG_PORT", "55432"))
KAFKA_PORT = int(os.environ.get("PACTSTREAM_LOCAL_KAFKA_PORT", "59092"))
#: The role the platform connects as (initdb's superuser of a local cluster).
PG_USER = "pactstream"
#: Kafka's users when it runs with SASL: brokers among themselves, and the platform.
KAFKA_ADMIN = "admin"
KAFKA_USER = "pactstream"


@dataclass(frozen=True)
class Layout:
    """Where one set of local servers lives and how it is shaped."""

    root: Path
    pg_port: int = PG_PORT
    kafka_port: int = KAFKA_PORT
    brokers: int = 1
    secure: bool = False

    @classmethod
    def local(cls, *, brokers: int | None = None, secure: bool | None = None) -> Layout:
        """This checkout's servers, in the shape asked for, else in the shape they
        were last started in, else one plaintext broker."""
        root = Path(os.environ.get("PACTSTREAM_LOCAL_DIR") or local())
        shape = read_json(root / "infra.json")
        return cls(
            root=root,
            brokers=brokers if brokers is not None else int(shape.get("brokers", 1)),
            secure=secure if secure is not None else bool(shape.get("secure", False)),
        )

    def with_shape(self, *, brokers: int | None = None, secure: bool | None = None) -> Layout:
        return Layout(
            self.root,
            self.pg_port,
            self.kafka_port,
            self.brokers if brokers is None else brokers,
            self.secure if secure is None else secure,
        )

    # Kafka: node n (from 1) listens for clients on kafka_port + 2(n-1), and as a
    # controller on the port after.
    def nodes(self) -> range:
        return range(1, self.brokers + 1)

    def broker_port(self, node: int) -> int:
        return self.kafka_port + 2 * (node - 1)

    def controller_port(self, node: int) -> int:
        return self.broker_port(node) + 1

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.broker_port(n)}" for n in self.nodes())

    @property
    def postgres_url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.pg_port}"

    @property
    def kafka_dir(self) -> Path:
        return self.root / "kafka"

    def node_dir(self, node: int) -> Path:
        return self.kafka_dir / f"node-{node}"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    def credentials(self) -> dict[str, str]:
        """Passwords of this layout's secured servers, made once and kept (0600)."""
        path = self.tls_dir / "credentials.json"
        found = read_json(path)
        wanted = ("postgres", "kafka_admin", "kafka")
        if all(k in found for k in wanted):
            return {k: str(v) for k, v in found.items()}
        made = {k: secrets.token_urlsafe(24) for k in wanted}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(made))
        return made

    def env(self) -> dict[str, str]:
        """The platform's settings for these servers (secrets included)."""
        env = {
            "PACTSTREAM_POSTGRES_URL": self.postgres_url,
            "PACTSTREAM_KAFKA_BOOTSTRAP": self.bootstrap,
        }
        if self.secure:
            ca = str(self.tls_dir / "ca.pem")
            creds = self.credentials()
            env |= {
                "PACTSTREAM_POSTGRES_PASSWORD": creds["postgres"],
                "PACTSTREAM_POSTGRES_SSLMODE": "verify-full",
                "PACTSTREAM_POSTGRES_SSL_ROOT_CERT": ca,
                "PACTSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "PACTSTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "PACTSTREAM_KAFKA_SASL_USERNAME": KAFKA_USER,
                "PACTSTREAM_KAFKA_SASL_PASSWORD": creds["kafka"],
                "PACTSTREAM_KAFKA_SSL_CA_FILE": ca,
            }
        return env


def ensure_certificates(layout: Layout) -> tls.Files:
    """A local CA and a server certificate for 127.0.0.1 and localhost, made once."""
    from pactstream_cli import tls  # cryptography: only for a secured layout

    return tls.ensure(layout.tls_dir)
