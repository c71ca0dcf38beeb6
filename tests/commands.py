"""Commitments commands with the fields tests do not care about filled in."""

from __future__ import annotations

from datetime import date

from commitments.domain.commitment import MakeCommitment
from commitments.domain.plan import CreatePlan, Section
from shared.contracts.commitments import PartyData


def create_plan(plan_id: str, code: str) -> CreatePlan:
    """A plan adopted on 2015-11-12 with one domain, section ``1``."""
    return CreatePlan(
        plan_id=plan_id,
        code=code,
        title="Plan",
        language="en",
        period=None,
        adopted_on=date(2015, 11, 12),
        parties=(),
        monitoring_bodies=(),
        sections=(Section("1", "Domain", None, "domain"),),
    )


def make_commitment(commitment_id: str, code: str) -> MakeCommitment:
    """A commitment under section ``1`` with the EU responsible, no deadline."""
    return MakeCommitment(
        commitment_id=commitment_id,
        code=code,
        section="1",
        title="Do it",
        parties=(PartyData(name="EU", role="responsible"),),
        deadline=None,
        priority=False,
        made_on=None,
        indicators=(),
    )
