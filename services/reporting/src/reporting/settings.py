"""Settings of the reporting service."""

from __future__ import annotations

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service: str = "reporting"
    port: int = 8003
    consumer_max_records: int = 500
    #: The reporting organisation of the IATI activity files: its IATI organisation
    #: identifier (``PACTSTREAM_IATI_ORG_REF``, the prefix of every activity identifier,
    #: which must never change once published), name and OrganisationType code.
    iati_org_ref: str = "XM-DAC-PACTSTREAM"
    iati_org_name: str = "Pactstream"
    iati_org_type: str = "80"
    #: Subscriptions may push to loopback and private addresses (tests, local runs).
    subscriptions_allow_private: bool = False
    #: A subscription failing this long is paused (retries back off from 1 s to 1 h).
    subscriptions_give_up_seconds: float = 24 * 3600
