"""Indexes that find the event that recorded a flow, or concluded an agreement, by the
ids in its data. The funding views and the flows' exports show each flow and agreement
with its event, which they looked up among every timeline entry of the plan or
commitment (``funding_queries._RECORDED_BY``): a cost that grew with the whole history.
Measured on 3 million stored events: a plan's flows (``plan_flows``, its export) took
22 s for a plan with 2,269 flows and over two minutes for one with 45,581; with these,
12 and 173 ms. The funding view's agreements took 43 ms, now 0.2.

Only events of those two types enter them (7 MB at 3 million events). Built in the
revision's transaction, under the migration lock, as ``reporting_0009`` explains:
writes to the timeline wait from the build until the migration commits (the build
read the table in 0.9 s at 3 million events)."""

from __future__ import annotations

from alembic import op

revision = "reporting_0017"
down_revision = "reporting_0016"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_timeline_flow_recorded_idx "
        "ON rm_timeline ((data->>'agreement_id'), (data->>'flow_id')) "
        "WHERE type = 'org.pactstream.funding.flow_recorded'"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_timeline_agreement_concluded_idx "
        "ON rm_timeline ((data->>'agreement_id')) "
        "WHERE type = 'org.pactstream.funding.agreement_concluded'"
    )
