"""Settings common to every service, read from ``PACTSTREAM_*`` environment variables.

Each service subclasses :class:`ServiceSettings` with its own defaults (port, database,
topic). A development operator key is provided so that a fresh checkout runs, but a
service refuses to start with it when ``PACTSTREAM_ENVIRONMENT=production``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_OPERATOR_KEY = "pactstream-dev-operator-key"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PACTSTREAM_", extra="ignore")

    service: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Server URL without a database name, e.g. ``postgresql://user:pw@127.0.0.1:5432``.
    postgres_url: str = "postgresql://pactstream@127.0.0.1:55432"
    #: Database name; ``None`` means ``pactstream_<service>``.
    database: str | None = None
    kafka_bootstrap: str = "127.0.0.1:59092"
    topic_prefix: str = "pactstream"
    operator_key: SecretStr = SecretStr(DEVELOPMENT_OPERATOR_KEY)
    #: Run relay and consumers in this process (``serve``); the worker entrypoint sets it.
    run_workers: bool = True
    db_pool_min: int = 1
    db_pool_max: int = 10
    max_body_bytes: int = 1_048_576
    #: Per credential and per replica; 0 turns the limit off. Operators are not limited.
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    request_timeout_seconds: float = 30.0
    log_level: str = "warning"
    #: ``json`` (one object a line) or ``text``.
    log_format: Literal["json", "text"] = "json"
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
        return self

    @property
    def database_name(self) -> str:
        return self.database or f"pactstream_{self.service}"

    @property
    def database_url(self) -> str:
        return f"{self.postgres_url.rstrip('/')}/{self.database_name}"

    def topic(self, context: str) -> str:
        """The topic owned by a bounded context, e.g. ``pactstream.commitments``."""
        return f"{self.topic_prefix}.{context}"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic_prefix}.dead-letter"
