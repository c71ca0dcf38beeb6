"""Settings of the commitments service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class CommitmentsSettings(ServiceSettings):
    service: str = "commitments"
    port: int = 8001
    #: Where people reach this service (``https://…``), for the invitation links it
    #: hands out; by default the address the operator's request came to.
    public_url: str | None = None
    #: Where people reach the dashboard, for the link shown once a password is set.
    dashboard_url: str | None = None
