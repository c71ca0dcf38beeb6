"""Settings of the commitments service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class CommitmentsSettings(ServiceSettings):
    service: str = "commitments"
    port: int = 8001
