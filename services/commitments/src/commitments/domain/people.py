"""People who use the dashboard, as an aggregate: invited by an operator with a role
and scopes, they set a password once through their invitation, and are revoked for
good. Names are unique (people sign in by name): the event store's unique keys keep
that (scope :data:`NAME_KEY`). Passwords arrive hashed and sealed: the rules never see
one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from shared.contracts.access import PersonInvited, PersonPasswordSet, PersonRevoked, Role
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData

#: The unique-key scope of people's names (compared case-insensitively).
NAME_KEY: Final = "person-name"


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    name: str
    role: Role
    plans: tuple[str, ...]
    parties: tuple[str, ...]
    invitation_digest: str
    invitation_expires_at: datetime | None = None
    password_set: bool = False
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class InvitePerson:
    person_id: str
    name: str
    role: Role
    plans: tuple[str, ...]
    parties: tuple[str, ...]
    invitation_digest: str
    invitation_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SetPassword:
    invitation_digest: str
    sealed_hash: str
    now: datetime


@dataclass(frozen=True, slots=True)
class ResealPassword:
    """The same hash sealed under a newer key (a sealing-key rotation)."""

    sealed_hash: str


@dataclass(frozen=True, slots=True)
class RevokePerson:
    pass


Command = InvitePerson | SetPassword | ResealPassword | RevokePerson


class InvitationUsed(RuleViolated):
    """An invitation works once: the password it set stays."""


class InvitationExpired(RuleViolated):
    """An invitation works for a while: after it, an operator invites again."""


def invitation_open(state: Person, now: datetime) -> None:
    """Raise unless ``state``'s invitation may still set a password at ``now``."""
    if state.password_set:
        raise InvitationUsed("this invitation has been used; ask an operator for another")
    if state.invitation_expires_at is not None and now > state.invitation_expires_at:
        raise InvitationExpired("this invitation has expired; ask an operator for another")


def decide(state: Person | None, command: Command) -> list[EventData]:
    match command:
        case InvitePerson():
            return _invite(state, command)
        case _ if state is None:
            raise NotFound("person", "")
        case SetPassword():
            return _set_password(state, command)
        case ResealPassword():
            if state.revoked or not state.password_set:
                return []
            return [PersonPasswordSet(person_id=state.person_id, sealed_hash=command.sealed_hash)]
        case RevokePerson():
            return [] if state.revoked else [PersonRevoked(person_id=state.person_id)]


def _invite(state: Person | None, c: InvitePerson) -> list[EventData]:
    if state is not None:
        raise AlreadyExists("person", c.person_id)
    if not c.name.strip():
        raise RuleViolated("a person needs a name", "/name")
    if c.role == "operator" and (c.plans or c.parties):
        raise RuleViolated("an operator is not limited by scopes", "/scopes")
    return [
        PersonInvited(
            person_id=c.person_id,
            name=c.name,
            role=c.role,
            plans=c.plans,
            parties=c.parties,
            invitation_digest=c.invitation_digest,
            invitation_expires_at=c.invitation_expires_at,
        )
    ]


def _set_password(state: Person, c: SetPassword) -> list[EventData]:
    if state.revoked or c.invitation_digest != state.invitation_digest:
        raise NotFound("invitation", "")  # Revoked or not theirs: as if there were none.
    invitation_open(state, c.now)
    return [PersonPasswordSet(person_id=state.person_id, sealed_hash=c.sealed_hash)]


def evolve(state: Person | None, event: EventData) -> Person | None:
    match event:
        case PersonInvited():
            return Person(
                event.person_id,
                event.name,
                event.role,
                event.plans,
                event.parties,
                event.invitation_digest,
                event.invitation_expires_at,
            )
        case PersonPasswordSet() if state is not None:
            return replace(state, password_set=True)
        case PersonRevoked() if state is not None:
            return replace(state, revoked=True)
    raise UnknownEvent("person", event)


#: A person's rules in the one decider shape; a person not yet invited is ``None``.
DECIDER: Final[Decider[Command, Person | None, EventData]] = Rules(lambda: None, decide, evolve)
