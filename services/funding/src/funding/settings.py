"""Settings of the funding service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class FundingSettings(ServiceSettings):
    service: str = "funding"
    port: int = 8002
    #: Where to ask about a commitment not yet seen on the topic.
    commitments_url: str = "http://127.0.0.1:8001"
