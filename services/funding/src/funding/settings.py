"""Settings of the funding service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class FundingSettings(ServiceSettings):
    service: str = "funding"
    port: int = 8002
