"""``./pactstream migrate [--status]``: the schema migrations of the service databases.

Each service migrates its own database when it starts; this applies them beforehand (a
deploy step, say, ahead of rolling the replicas) or shows, per database, every
revision applied and every one pending. The databases are the ones the services'
settings name (``PACTSTREAM_POSTGRES_URL``, ``pactstream_<service>``).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

from shared.database import database_exists, ensure_database
from shared.migrations import MigrationChain, MigrationError, migrate, status
from shared.settings import ServiceSettings

SERVICES = ("commitments", "funding", "reporting")


@dataclass(frozen=True)
class Target:
    service: str
    settings: ServiceSettings
    chain: MigrationChain


def _target(service: str) -> Target:
    """One service's database and chain, imported only when asked for: an image holds
    one service (``pactstream-cli[<service>]``), and migrates that one."""
    if service == "commitments":
        from commitments.adapters.migrations import CHAIN as COMMITMENTS
        from commitments.settings import CommitmentsSettings

        return Target(service, CommitmentsSettings(), COMMITMENTS)
    if service == "funding":
        from funding.adapters.migrations import CHAIN as FUNDING
        from funding.settings import FundingSettings

        return Target(service, FundingSettings(), FUNDING)
    from reporting.adapters.migrations import CHAIN as REPORTING
    from reporting.settings import ReportingSettings

    return Target(service, ReportingSettings(), REPORTING)


def installed() -> tuple[str, ...]:
    """The services this environment holds: all three in a checkout, one in an image."""
    return tuple(s for s in SERVICES if importlib.util.find_spec(s) is not None)


def targets(services: Sequence[str] = SERVICES) -> list[Target]:
    """Each service's database and chain, from its settings class."""
    return [_target(service) for service in services]


async def apply(chosen: list[Target]) -> int:
    """Migrate each database in turn (creating it if missing, as a service would)."""
    for target in chosen:
        s = target.settings
        await ensure_database(s.postgres_server_url, s.database_name)
        applied = await migrate(s.database_url, target.chain)
        head = target.chain.revisions()[-1].id
        done = f"applied {', '.join(applied)}" if applied else "nothing to apply"
        print(f"{target.service:<12} {s.database_name}: {done} (at {head})", flush=True)
    return 0


async def show(chosen: list[Target]) -> int:
    """Every revision of every chain, applied or pending; 1 when any database lacks
    revisions or has one this release does not know."""
    behind = False
    for target in chosen:
        s = target.settings
        print(f"{target.service} ({s.database_name})")
        if not await database_exists(s.postgres_server_url, s.database_name):
            revisions = target.chain.revisions()
            print("  the database does not exist yet: every revision is pending")
            state = [("pending", r) for r in revisions]
        else:
            try:
                found = await status(s.database_url, target.chain)
            except MigrationError as exc:
                print(f"  {exc}")
                behind = True
                continue
            state = [("applied", r) for r in found.applied] + [
                ("pending", r) for r in found.pending
            ]
        for word, revision in state:
            print(f"  {word:<8} {revision.id}  {revision.message}")
        behind = behind or any(word == "pending" for word, _ in state)
    return 1 if behind else 0


def run(*, status_only: bool, services: Sequence[str] | None = None) -> int:
    chosen = targets(services or installed())
    return asyncio.run(show(chosen) if status_only else apply(chosen))
