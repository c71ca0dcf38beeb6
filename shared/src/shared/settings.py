"""Settings common to every service, read from ``PACTSTREAM_*`` environment variables.

Each service subclasses :class:`ServiceSettings` with its own defaults (port, database,
topic). A development operator key is provided so that a fresh checkout runs, but a
service refuses to start with it when ``PACTSTREAM_ENVIRONMENT=production``.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import sealing
from shared.database import with_database
from shared.kafka import KafkaEndpoint, SaslMechanism, SecurityProtocol, TopicLayout

DEVELOPMENT_OPERATOR_KEY = "pactstream-dev-operator-key"
SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PACTSTREAM_", extra="ignore")

    service: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Server URL without a database name, e.g. ``postgresql://user@127.0.0.1:5432``;
    #: it may carry libpq-style parameters (``?sslmode=verify-full``).
    postgres_url: str = "postgresql://pactstream@127.0.0.1:55432"
    #: The password, kept out of the URL (and out of logs and ``repr``).
    postgres_password: SecretStr | None = None
    #: TLS to PostgreSQL, as libpq's ``sslmode``: ``verify-full`` checks the server's
    #: certificate and host name against ``postgres_ssl_root_cert``. ``None`` leaves
    #: the URL's choice (asyncpg's default is ``prefer``).
    postgres_sslmode: SslMode | None = None
    #: CA certificate file (PEM) that signed the server's certificate.
    postgres_ssl_root_cert: str | None = None
    #: Database name; ``None`` means ``pactstream_<service>``.
    database: str | None = None
    kafka_bootstrap: str = "127.0.0.1:59092"
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    #: CA certificate file (PEM) for the brokers; ``None`` trusts the system's CAs.
    kafka_ssl_ca_file: str | None = None
    #: A client certificate and key (PEM), for clusters that ask for one.
    kafka_ssl_cert_file: str | None = None
    kafka_ssl_key_file: str | None = None
    #: Topics this service creates when they are missing. Replication factor and
    #: ``min.insync.replicas`` default to what the cluster allows: 3 and 2 with at
    #: least three brokers, else 1 and 1.
    kafka_partitions: int = 6
    kafka_replication_factor: int | None = None
    kafka_min_insync_replicas: int | None = None
    topic_prefix: str = "pactstream"
    operator_key: SecretStr = SecretStr(DEVELOPMENT_OPERATOR_KEY)
    #: Fernet keys sealing webhook secrets (:mod:`shared.sealing`), comma-separated,
    #: newest first; the same on every service. A development key is provided.
    secrets_keys: SecretStr = SecretStr(sealing.DEVELOPMENT_KEY)
    #: Run relay and consumers in this process (``serve``); the worker entrypoint sets it.
    run_workers: bool = True
    db_pool_min: int = 1
    db_pool_max: int = 10
    max_body_bytes: int = 1_048_576
    #: Per credential and per replica; 0 turns the limit off. Operators are not limited.
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    #: Failed authentications per client address and replica: a burst, then so many a
    #: second; beyond it 429 before any key lookup. 0 a second turns the limit off.
    auth_failures_burst: int = 20
    auth_failures_per_second: float = 1.0
    request_timeout_seconds: float = 30.0
    log_level: str = "warning"
    #: ``json`` (one object a line) or ``text``.
    log_format: Literal["json", "text"] = "json"
    #: One log line a request (method, route template, status, duration, request id,
    #: partner), at INFO whatever ``log_level`` says; ``false`` turns it off.
    access_log: bool = True
    #: OpenTelemetry exporter; ``none`` turns tracing off.
    traces: Literal["none", "console", "otlp"] = "none"
    otlp_endpoint: str | None = None

    @model_validator(mode="after")
    def _refuse_development_key_in_production(self) -> ServiceSettings:
        if (
            self.environment == "production"
            and self.operator_key.get_secret_value() == DEVELOPMENT_OPERATOR_KEY
        ):
            raise ValueError("PACTSTREAM_OPERATOR_KEY must be set in production")
        keys = self.secrets_keys.get_secret_value()
        if self.environment == "production" and sealing.DEVELOPMENT_KEY in keys:
            raise ValueError("PACTSTREAM_SECRETS_KEYS must be set in production")
        sealing.Sealer.from_setting(keys)  # Refuse keys that are not keys, at start-up.
        return self

    @property
    def sealer(self) -> sealing.Sealer:
        return sealing.Sealer.from_setting(self.secrets_keys.get_secret_value())

    @model_validator(mode="after")
    def _check_connections(self) -> ServiceSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"PACTSTREAM_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "PACTSTREAM_KAFKA_SASL_USERNAME and PACTSTREAM_KAFKA_SASL_PASSWORD"
            )
        for name in (
            "postgres_ssl_root_cert",
            "kafka_ssl_ca_file",
            "kafka_ssl_cert_file",
            "kafka_ssl_key_file",
        ):
            path = getattr(self, name)
            if path is not None and not os.path.isfile(path):
                raise ValueError(f"PACTSTREAM_{name.upper()}: no file at {path}")
        if self.postgres_sslmode in ("verify-ca", "verify-full") and not (
            self.postgres_ssl_root_cert or "sslrootcert=" in self.postgres_url
        ):
            raise ValueError(
                f"PACTSTREAM_POSTGRES_SSLMODE={self.postgres_sslmode} needs "
                "PACTSTREAM_POSTGRES_SSL_ROOT_CERT (the CA that signed the server's certificate)"
            )
        return self

    @property
    def database_name(self) -> str:
        return self.database or f"pactstream_{self.service}"

    @property
    def postgres_server_url(self) -> str:
        """The server's URL with the password and TLS settings, without a database."""
        return with_database(
            self.postgres_url,
            None,
            password=None
            if self.postgres_password is None
            else self.postgres_password.get_secret_value(),
            sslmode=self.postgres_sslmode,
            sslrootcert=self.postgres_ssl_root_cert,
        )

    @property
    def database_url(self) -> str:
        """The service's own database, as asyncpg connects to it."""
        return with_database(self.postgres_server_url, self.database_name)

    @property
    def kafka(self) -> KafkaEndpoint:
        password = self.kafka_sasl_password
        return KafkaEndpoint(
            bootstrap=self.kafka_bootstrap,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=None if password is None else password.get_secret_value(),
            ca_file=self.kafka_ssl_ca_file,
            cert_file=self.kafka_ssl_cert_file,
            key_file=self.kafka_ssl_key_file,
        )

    @property
    def topic_layout(self) -> TopicLayout:
        return TopicLayout(
            partitions=self.kafka_partitions,
            replication_factor=self.kafka_replication_factor,
            min_insync_replicas=self.kafka_min_insync_replicas,
        )

    def topic(self, context: str) -> str:
        """The topic owned by a bounded context, e.g. ``pactstream.commitments``."""
        return f"{self.topic_prefix}.{context}"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic_prefix}.dead-letter"
