"""What every read route needs: the caller, one consistent state of the read models,
and the dates asked for (defaults from the injected clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from reporting.adapters.queries import snapshot
from reporting.application.dates import Clock, report_dates
from reporting.application.models import ReportDates
from reporting.application.ports import Readers
from shared.http.auth import KeyAuthenticator, Principal, bearer_key


async def get_principal(request: Request) -> Principal:
    auth: KeyAuthenticator = request.app.state.authenticator
    principal = await auth.authenticate(bearer_key(request))
    request.state.principal = principal
    return principal


Reader = Annotated[Principal, Depends(get_principal)]


async def get_readers(request: Request, _: Reader) -> AsyncIterator[Readers]:
    """Every read of one request sees the same state. The caller is authenticated
    first: the key lookup takes a connection of its own, and a burst of requests each
    holding a snapshot while waiting for one would exhaust the pool."""
    async with snapshot(request.app.state.pool) as readers:
        yield readers


Snapshot = Annotated[Readers, Depends(get_readers)]


def get_dates(
    request: Request,
    as_of: Annotated[date | None, Query(description="Business date (default today, UTC).")] = None,
    known_at: Annotated[
        datetime | None, Query(description="Record time: what was known then (default now).")
    ] = None,
) -> ReportDates:
    clock: Clock = request.app.state.clock
    return report_dates(as_of, known_at, clock())


Dates = Annotated[ReportDates, Depends(get_dates)]
ConvertTo = Annotated[
    str | None,
    Query(pattern=r"^[A-Z]{3}$", description="Also show totals converted to this currency"),
]
