"""What the funding use cases need from the outside."""

from __future__ import annotations

from typing import Protocol

from funding.domain.agreement import CommitmentRef


class CommitmentDirectory(Protocol):
    """Commitments and plans funding may refer to: its replica of the commitments
    topic first, then, for one not seen yet, the commitments service itself."""

    async def commitment(self, commitment_id: str) -> CommitmentRef | None: ...

    async def plan_exists(self, plan_id: str) -> bool: ...
