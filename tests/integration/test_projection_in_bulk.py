"""A poll's commitments made and its facts (measurements, status changes, reports,
allocations, flows) are inserted in one statement each before its other events are
applied in order, or copied in a rebuild's shadow: what the read models hold after a
poll must be what applying its events one by one gives, the retraction of a report and
the reversal of a flow in the same poll included, and each commitment made must be
stored with every field and indicator it was made with."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from reporting.adapters import commitment_state
from reporting.adapters.migrations import CHAIN
from reporting.adapters.projections import project, project_many
from shared.cloudevents import ReceivedEvent
from shared.contracts import build_registry, funding
from shared.contracts import commitments as contract
from shared.database import create_pool
from shared.migrations import migrate
from tests.received import received

TABLES = ("rm_progress_reports", "rm_status_changes", "rm_measurements", "rm_timeline",
          "rm_commitments", "rm_indicators", "rm_commitment_state", "rm_fund_allocations",
          "rm_fund_flows")  # fmt: skip
INDICATOR = {"code": "km", "title": "Roads built", "unit": "km", "direction": "increase",
             "target": {"value": "100"}}  # fmt: skip


def _flow(flow_id: str, amount: str) -> ReceivedEvent:
    return received(funding.FlowRecorded.event_type,
                    {"agreement_id": "a1", "flow_id": flow_id, "type": "disbursement",
                     "iati_code": 3, "amount": amount, "currency": "EUR",
                     "date": "2024-02-01", "commitment_id": "c1", "plan_id": "p1"})  # fmt: skip


def _reversal(flow_id: str) -> ReceivedEvent:
    return received(funding.FlowReversed.event_type,
                    {"agreement_id": "a1", "flow_id": flow_id, "reason": "typo",
                     "date": "2024-03-01"})  # fmt: skip


def _money() -> list[list[ReceivedEvent]]:
    """Two polls of funding: one reversing a flow it records and one it has not yet,
    one recording a flow id twice (the first stands) beside allocations."""
    allocated = {"agreement_id": "a1", "commitment_id": "c1", "plan_id": "p1",
                 "currency": "EUR"}  # fmt: skip
    return [
        # A reversal finds only a flow recorded before it.
        [_flow("f1", "10"), _reversal("f1"), _reversal("f2"), _flow("f2", "20")],
        [received(funding.FundsAllocated.event_type,
                  {**allocated, "allocation_id": "x1", "amount": "5.50"}),
         _flow("f3", "30"), _flow("f3", "31"),
         received(funding.FundsAllocated.event_type,
                  {**allocated, "allocation_id": "x2", "amount": "7"})],
    ]  # fmt: skip


def _poll() -> list[ReceivedEvent]:
    ids = {"commitment_id": "c1", "plan_id": "p1"}
    report = {**ids, "as_of": "2024-03-01", "completion": "limited", "narrative": "begun"}
    made = {"plan_id": "p1", "section": "A", "made_on": "2024-01-15"}
    return [
        received(contract.CommitmentMade.event_type,
                 {**made, "commitment_id": "c1", "code": "1", "priority": True,
                  "title": {"fr": "Routes", "en": "Roads"},
                  "parties": [{"name": "Ministry", "role": "responsible"}],
                  "deadline": {"label": "2025", "start": "2025-01-01", "end": "2025-12-31"},
                  "indicators": [INDICATOR, {**INDICATOR, "code": "n", "unit": "roads"}]}),
        received(contract.CommitmentMade.event_type,
                 {**made, "commitment_id": "c2", "code": "2", "title": "Bridges"}),
        received(contract.MeasurementRecorded.event_type,
                 {**ids, "indicator": "km", "value": "12.5", "as_of": "2024-02-01"}),
        received(contract.ProgressReported.event_type,
                 {**report, "report_id": "r1", "evidence": ["https://example.org/a"]}),
        received(contract.CommitmentStatusChanged.event_type,
                 {**ids, "previous": "planned", "status": "launched", "as_of": "2024-02-01"}),
        received(contract.ProgressReportRetracted.event_type,
                 {**ids, "report_id": "r1", "reason": "wrong commitment"}),
        received(contract.ProgressReported.event_type,
                 {**report, "report_id": "r2", "narrative": {"fr": "commencé", "en": "begun"}}),
        # The same report id again after its retraction: the retraction before it must
        # not mark it.
        received(contract.ProgressReported.event_type, {**report, "report_id": "r1"}),
    ]  # fmt: skip


async def _state(conn: asyncpg.Connection, schema: str) -> dict[str, list[Any]]:
    return {
        table: [
            # A row's generation counts the polls that marked it: one, or one an event.
            tuple(v for k, v in r.items() if k != "generation")
            for r in await conn.fetch(f'SELECT * FROM "{schema}".{table} ORDER BY 1, 2')
        ]
        for table in TABLES
    }


async def test_a_poll_in_bulk_leaves_what_its_events_one_by_one_leave(database_url: str) -> None:
    registry = build_registry()
    polls = [_poll(), *_money()]
    for schema in ("one_by_one", "in_bulk", "copied"):
        await migrate(database_url, CHAIN, schema=schema)
    pool = await create_pool(database_url, min_size=1, max_size=1)  # The services' codecs.
    conn = await pool.acquire()
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL search_path TO one_by_one")
            for event in (e for poll in polls for e in poll):
                await project(registry, conn, event)
            await commitment_state.refresh_all(conn)
        async with conn.transaction():
            await conn.execute("SET LOCAL search_path TO in_bulk")
            for poll in polls:
                await project_many(registry, conn, poll)
            await commitment_state.refresh_all(conn)
        async with conn.transaction():  # As a rebuild's replay writes its shadow.
            await conn.execute("SET LOCAL search_path TO copied")
            for poll in polls:
                await project_many(registry, conn, poll, into_shadow=True)
            await commitment_state.fill(conn)
        one_by_one = await _state(conn, "one_by_one")
        in_bulk = await _state(conn, "in_bulk")
        copied = await _state(conn, "copied")
        retracted = await conn.fetch(
            "SELECT report_id, retracted_at IS NOT NULL AS retracted, narrative_local "
            "FROM in_bulk.rm_progress_reports ORDER BY report_id"
        )
        made = await conn.fetch(
            "SELECT c.*, c.parties::text AS parties_text, c.title_local::text AS local, "
            "array(SELECT i.code || ' ' || (i.definition ->> 'unit') FROM in_bulk.rm_indicators i "
            "      WHERE i.commitment_id = c.commitment_id ORDER BY i.code) AS indicated, "
            "s.status FROM in_bulk.rm_commitments c "
            "JOIN in_bulk.rm_commitment_state s USING (commitment_id) ORDER BY commitment_id"
        )
        flows = await conn.fetch(
            "SELECT flow_id, amount::text, reversed_on IS NOT NULL AS reversed "
            "FROM in_bulk.rm_fund_flows ORDER BY flow_id"
        )
    finally:
        await pool.release(conn)
        await pool.close()
    assert copied == one_by_one
    assert [tuple(f) for f in flows] == [("f1", "10", True), ("f2", "20", False),
                                         ("f3", "30", False)]  # fmt: skip
    assert in_bulk == one_by_one
    assert all(in_bulk[table] for table in TABLES)
    assert sorted((r["report_id"], r["retracted"]) for r in retracted) == [
        ("r1", False),
        ("r1", True),
        ("r2", False),
    ]
    assert retracted[2]["narrative_local"] == [{"lang": "fr", "text": "commencé"},
                                               {"lang": "en", "text": "begun"}]  # fmt: skip
    roads, bridges = made
    assert (roads["title"], roads["priority"], roads["made_on"]) == (
        "Routes",
        True,
        date(2024, 1, 15),
    )
    assert roads["deadline_end"] == date(2025, 12, 31) and roads["deadline"]["label"] == "2025"
    assert roads["parties_text"] == '[{"name": "Ministry", "role": "responsible"}]'
    assert roads["local"] == '[{"lang": "fr", "text": "Routes"}, {"lang": "en", "text": "Roads"}]'
    assert roads["indicated"] == ["km km", "n roads"] and roads["status"] == "launched"
    assert (bridges["title"], bridges["deadline"], bridges["local"]) == ("Bridges", None, None)
    assert bridges["indicated"] == [] and bridges["indicators"] == []
