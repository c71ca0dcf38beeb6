"""Partner credentials as an aggregate: registered with a role and scopes, keys issued
and retired one by one (rotation without downtime), revoked as a whole for good."""

from __future__ import annotations

from dataclasses import dataclass, replace

from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from shared.contracts.access import (
    PartnerKeyIssued,
    PartnerKeyRetired,
    PartnerRegistered,
    PartnerRevoked,
    Role,
    WebhookSecretAdded,
    WebhookSecretRemoved,
)
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


def decide_register(
    state: Partner | None,
    partner_id: str,
    name: str,
    role: Role,
    plans: tuple[str, ...],
    parties: tuple[str, ...],
    key_id: str,
    key_digest: str,
) -> list[EventData]:
    if state is not None:
        raise AlreadyExists("partner", partner_id)
    if not name.strip():
        raise RuleViolated("a partner needs a name", "/name")
    if role == "operator" and (plans or parties):
        raise RuleViolated("an operator is not limited by scopes", "/scopes")
    return [
        PartnerRegistered(
            partner_id=partner_id, name=name, role=role, plans=plans, parties=parties
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


def decide_add_secret(state: Partner, secret_id: str, secret: str) -> list[EventData]:
    _active(state)
    if len(state.secrets) >= 5:
        raise RuleViolated("a partner has at most 5 webhook secrets; remove one first", "")
    return [WebhookSecretAdded(partner_id=state.partner_id, secret_id=secret_id, secret=secret)]


def decide_remove_secret(state: Partner, secret_id: str) -> list[EventData]:
    _active(state)
    if secret_id not in state.secrets:
        raise NotFound("webhook secret", secret_id)
    return [WebhookSecretRemoved(partner_id=state.partner_id, secret_id=secret_id)]


def decide_revoke(state: Partner) -> list[EventData]:
    if state.revoked:
        return []
    return [PartnerRevoked(partner_id=state.partner_id)]


def evolve(state: Partner | None, event: EventData) -> Partner | None:
    match event:
        case PartnerRegistered():
            return Partner(event.partner_id, event.name, event.role, event.plans, event.parties)
        case PartnerKeyIssued() if state is not None:
            return replace(state, keys=(*state.keys, (event.key_id, False)))
        case PartnerKeyRetired() if state is not None:
            return replace(
                state,
                keys=tuple((k, True if k == event.key_id else r) for k, r in state.keys),
            )
        case WebhookSecretAdded() if state is not None:
            return replace(state, secrets=(*state.secrets, event.secret_id))
        case WebhookSecretRemoved() if state is not None:
            return replace(state, secrets=tuple(i for i in state.secrets if i != event.secret_id))
        case PartnerRevoked() if state is not None:
            return replace(state, revoked=True)
    return state
