"""Partner credentials as an aggregate: registered with a role, scopes and the
CloudEvents sources it posts with, keys issued and retired one by one (rotation without
downtime), revoked as a whole for good. That no two partners hold one source is kept
by the event store's unique keys (scope :data:`SOURCE_KEY`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from shared.contracts.access import (
    PartnerKeyIssued,
    PartnerKeyRetired,
    PartnerRegistered,
    PartnerRevoked,
    Role,
    WebhookSecretAdded,
    WebhookSecretRemoved,
    WebhookSecretSealed,
)
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData


@dataclass(frozen=True, slots=True)
class Partner:
    partner_id: str
    name: str
    role: Role
    plans: tuple[str, ...]
    parties: tuple[str, ...]
    keys: tuple[tuple[str, bool], ...] = ()  # (key_id, retired)
    secrets: tuple[str, ...] = ()  # ids of the webhook secrets in force
    revoked: bool = False
    #: The sources it alone may post with (none: any source no other partner holds).
    sources: tuple[str, ...] = ()


#: The unique-key scope of a partner's sources.
SOURCE_KEY: Final = "partner-source"
#: The longest source accepted (CloudEvents sets no bound; ours keeps rows small).
MAX_SOURCE = 255


def decide_register(
    state: Partner | None,
    partner_id: str,
    name: str,
    role: Role,
    plans: tuple[str, ...],
    parties: tuple[str, ...],
    key_id: str,
    key_digest: str,
    sources: tuple[str, ...] = (),
) -> list[EventData]:
    if state is not None:
        raise AlreadyExists("partner", partner_id)
    if not name.strip():
        raise RuleViolated("a partner needs a name", "/name")
    if role == "operator" and (plans or parties):
        raise RuleViolated("an operator is not limited by scopes", "/scopes")
    if role == "reader" and sources:
        raise RuleViolated("a reader posts no events, so it holds no sources", "/sources")
    for i, source in enumerate(sources):
        if not source.strip() or len(source) > MAX_SOURCE or any(c.isspace() for c in source):
            raise RuleViolated(
                f"a source is a URI reference of 1 to {MAX_SOURCE} characters without "
                f"spaces, not {source[:40]!r}",
                f"/sources/{i}",
            )
    if len(set(sources)) != len(sources):
        raise RuleViolated("a source is listed twice", "/sources")
    return [
        PartnerRegistered(
            partner_id=partner_id,
            name=name,
            role=role,
            plans=plans,
            parties=parties,
            sources=sources,
        ),
        PartnerKeyIssued(partner_id=partner_id, key_id=key_id, key_digest=key_digest),
    ]


def _active(state: Partner) -> None:
    if state.revoked:
        raise RuleViolated(f"partner {state.partner_id!r} is revoked for good", "")


def decide_issue_key(state: Partner, key_id: str, key_digest: str) -> list[EventData]:
    _active(state)
    return [PartnerKeyIssued(partner_id=state.partner_id, key_id=key_id, key_digest=key_digest)]


def decide_retire_key(state: Partner, key_id: str) -> list[EventData]:
    _active(state)
    key = next((k for k in state.keys if k[0] == key_id), None)
    if key is None:
        raise NotFound("key", key_id)
    if key[1]:
        raise RuleViolated(f"key {key_id!r} is already retired", "")
    return [PartnerKeyRetired(partner_id=state.partner_id, key_id=key_id)]


def decide_add_secret(state: Partner, secret_id: str, sealed: str) -> list[EventData]:
    """``sealed``: the secret as :mod:`shared.sealing` seals it; no plain secret is
    ever stored."""
    _active(state)
    if len(state.secrets) >= 5:
        raise RuleViolated("a partner has at most 5 webhook secrets; remove one first", "")
    return [WebhookSecretSealed(partner_id=state.partner_id, secret_id=secret_id, sealed=sealed)]


def decide_reseal(state: Partner, sealed: tuple[tuple[str, str], ...]) -> list[EventData]:
    """The secrets in force sealed again (under a newer key); a revoked partner's and
    removed secrets are left as they are."""
    if state.revoked:
        return []
    return [
        WebhookSecretSealed(partner_id=state.partner_id, secret_id=secret_id, sealed=token)
        for secret_id, token in sealed
        if secret_id in state.secrets
    ]


def decide_remove_secret(state: Partner, secret_id: str) -> list[EventData]:
    _active(state)
    if secret_id not in state.secrets:
        raise NotFound("webhook secret", secret_id)
    return [WebhookSecretRemoved(partner_id=state.partner_id, secret_id=secret_id)]


def decide_revoke(state: Partner) -> list[EventData]:
    if state.revoked:
        return []
    return [PartnerRevoked(partner_id=state.partner_id)]


@dataclass(frozen=True, slots=True)
class RegisterPartner:
    partner_id: str
    name: str
    role: Role
    plans: tuple[str, ...]
    parties: tuple[str, ...]
    key_id: str
    key_digest: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IssueKey:
    key_id: str
    key_digest: str


@dataclass(frozen=True, slots=True)
class RetireKey:
    key_id: str


@dataclass(frozen=True, slots=True)
class AddSecret:
    secret_id: str
    sealed: str


@dataclass(frozen=True, slots=True)
class ResealSecrets:
    sealed: tuple[tuple[str, str], ...]  # (secret id, token)


@dataclass(frozen=True, slots=True)
class RemoveSecret:
    secret_id: str


@dataclass(frozen=True, slots=True)
class Revoke:
    pass


Command = RegisterPartner | IssueKey | RetireKey | AddSecret | ResealSecrets | RemoveSecret | Revoke


def decide(state: Partner | None, command: Command) -> list[EventData]:
    if isinstance(command, RegisterPartner):
        c = command
        return decide_register(
            state,
            c.partner_id,
            c.name,
            c.role,
            c.plans,
            c.parties,
            c.key_id,
            c.key_digest,
            c.sources,
        )
    if state is None:
        raise NotFound("partner", "")
    match command:
        case IssueKey():
            return decide_issue_key(state, command.key_id, command.key_digest)
        case RetireKey():
            return decide_retire_key(state, command.key_id)
        case AddSecret():
            return decide_add_secret(state, command.secret_id, command.sealed)
        case ResealSecrets():
            return decide_reseal(state, command.sealed)
        case RemoveSecret():
            return decide_remove_secret(state, command.secret_id)
        case Revoke():
            return decide_revoke(state)


def evolve(state: Partner | None, event: EventData) -> Partner | None:
    if isinstance(event, PartnerRegistered):
        return Partner(
            event.partner_id,
            event.name,
            event.role,
            event.plans,
            event.parties,
            sources=event.sources,
        )
    if state is None and isinstance(event, _LATER):
        return None
    match event:
        case PartnerKeyIssued() if state is not None:
            return replace(state, keys=(*state.keys, (event.key_id, False)))
        case PartnerKeyRetired() if state is not None:
            return replace(
                state,
                keys=tuple((k, True if k == event.key_id else r) for k, r in state.keys),
            )
        case WebhookSecretAdded() | WebhookSecretSealed() if state is not None:
            if event.secret_id in state.secrets:  # Sealed again: the same secret.
                return state
            return replace(state, secrets=(*state.secrets, event.secret_id))
        case WebhookSecretRemoved() if state is not None:
            return replace(state, secrets=tuple(i for i in state.secrets if i != event.secret_id))
        case PartnerRevoked() if state is not None:
            return replace(state, revoked=True)
    raise UnknownEvent("partner", event)


#: The events that change a partner once it is registered.
_LATER = (
    PartnerKeyIssued,
    PartnerKeyRetired,
    WebhookSecretAdded,
    WebhookSecretSealed,
    WebhookSecretRemoved,
    PartnerRevoked,
)

#: The partner's rules in the one decider shape; a partner not yet registered is ``None``.
DECIDER: Final[Decider[Command, Partner | None, EventData]] = Rules(lambda: None, decide, evolve)
