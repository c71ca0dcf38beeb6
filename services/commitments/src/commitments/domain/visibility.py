"""Who may read a plan's reports: its members only (private, the default), or anyone
(public). An operator's decision about publishing a plan, not part of the plan's text,
so it has a stream of its own and the plan's stream stays as it was adopted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.contracts.commitments import PlanVisibilityChanged
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData


@dataclass(frozen=True, slots=True)
class SetVisibility:
    plan_id: str
    public: bool


def decide(public: bool, command: SetVisibility) -> list[PlanVisibilityChanged]:
    """Setting what already holds changes nothing: a repeated request records no event."""
    if command.public == public:
        return []
    return [PlanVisibilityChanged(plan_id=command.plan_id, public=command.public)]


def evolve(_: bool, event: EventData) -> bool:
    if not isinstance(event, PlanVisibilityChanged):
        raise UnknownEvent("plan visibility", event)
    return event.public


#: A plan is private until an operator makes it public.
DECIDER: Final[Decider[SetVisibility, bool, EventData]] = Rules(lambda: False, decide, evolve)
