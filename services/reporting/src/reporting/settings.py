"""Settings of the reporting service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service: str = "reporting"
    port: int = 8003
    consumer_max_records: int = 500
