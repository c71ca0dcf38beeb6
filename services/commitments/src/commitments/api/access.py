"""Credentials, issued by operators: ``/v1/access/partners``. Every service honours
them; keys are shown once and stored only as digests."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from commitments.adapters.access import AccessRegistry
from commitments.domain.access import Partner
from shared.http.dependencies import Metadata, Operator

router = APIRouter(prefix="/v1/access", tags=["access"])


class ScopesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plans: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500
    )
    parties: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=500
    )


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")] | None
    ) = None
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Literal["partner", "reader", "operator"]
    scopes: ScopesIn | None = None
    sources: list[Annotated[str, Field(min_length=1, max_length=255, pattern=r"^\S+$")]] | None = (
        Field(
            default=None,
            max_length=50,
            description="The CloudEvents `source` values only this partner may post with. "
            "Without them, it may use any source no other partner holds.",
        )
    )


class SecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: Annotated[str, Field(min_length=10, max_length=200)] | None = Field(
        default=None, description="whsec_… (generated when absent)"
    )


class SecretOut(BaseModel):
    """A webhook secret, shown this once."""

    id: str
    secret: str
    partner: str


class KeyOut(BaseModel):
    id: str
    retired: bool


class PartnerOut(BaseModel):
    id: str
    name: str
    role: str
    scopes: ScopesIn
    revoked: bool
    keys: list[KeyOut]
    webhook_secrets: list[str]
    sources: list[str]


class IssuedOut(BaseModel):
    """A new credential: ``key`` is shown this once and never again."""

    id: str
    key: str
    key_id: str
    name: str
    role: str
    scopes: ScopesIn
    sources: list[str]
    version: int = 1


class NewKeyOut(BaseModel):
    id: str
    key: str
    partner: str


def _registry(request: Request) -> AccessRegistry:
    registry: AccessRegistry = request.app.state.access
    return registry


def _out(p: Partner) -> PartnerOut:
    return PartnerOut(
        id=p.partner_id,
        name=p.name,
        role=p.role,
        scopes=ScopesIn(plans=list(p.plans), parties=list(p.parties)),
        revoked=p.revoked,
        keys=[KeyOut(id=k, retired=r) for k, r in p.keys],
        webhook_secrets=list(p.secrets),
        sources=list(p.sources),
    )


@router.post("/partners", status_code=201, response_model=IssuedOut)
async def register_partner(
    body: PartnerIn, request: Request, _: Operator, meta: Metadata, response: Response
) -> IssuedOut:
    """Issue a credential for a partner system, a reader or another operator."""
    scopes = body.scopes or ScopesIn()
    partner, key_id, key = await _registry(request).register(
        body.id,
        body.name,
        body.role,
        tuple(scopes.plans),
        tuple(scopes.parties),
        meta,
        tuple(body.sources or ()),
    )
    response.headers["Location"] = f"/v1/access/partners/{partner.partner_id}"
    response.headers["Cache-Control"] = "no-store"
    return IssuedOut(
        id=partner.partner_id,
        key=key,
        key_id=key_id,
        name=partner.name,
        role=partner.role,
        scopes=scopes,
        sources=list(partner.sources),
    )


@router.get("/partners/{partner_id}", response_model=PartnerOut)
async def get_partner(partner_id: str, request: Request, _: Operator) -> PartnerOut:
    return _out(await _registry(request).get(partner_id))


@router.post("/partners/{partner_id}/keys", status_code=201, response_model=NewKeyOut)
async def issue_key(
    partner_id: str, request: Request, _: Operator, meta: Metadata, response: Response
) -> NewKeyOut:
    """Rotation: a new key for the partner. Older keys keep working until retired, so a
    partner can switch without downtime."""
    key_id, key = await _registry(request).issue_key(partner_id, meta)
    response.headers["Cache-Control"] = "no-store"
    return NewKeyOut(id=key_id, key=key, partner=partner_id)


@router.delete("/partners/{partner_id}/keys/{key_id}", status_code=204)
async def retire_key(
    partner_id: str, key_id: str, request: Request, _: Operator, meta: Metadata
) -> Response:
    """Retire one key (the last step of a rotation)."""
    await _registry(request).retire_key(partner_id, key_id, meta)
    return Response(status_code=204)


@router.post("/partners/{partner_id}/webhook-secrets", status_code=201, response_model=SecretOut)
async def add_webhook_secret(
    partner_id: str,
    body: SecretIn,
    request: Request,
    _: Operator,
    meta: Metadata,
    response: Response,
) -> SecretOut:
    """From now on this partner's pushes to /v1/events must carry a Standard Webhooks
    signature made with one of its secrets. Several secrets allow rotation."""
    secret_id, secret = await _registry(request).add_secret(partner_id, body.secret, meta)
    response.headers["Cache-Control"] = "no-store"
    return SecretOut(id=secret_id, secret=secret, partner=partner_id)


@router.delete("/partners/{partner_id}/webhook-secrets/{secret_id}", status_code=204)
async def remove_webhook_secret(
    partner_id: str, secret_id: str, request: Request, _: Operator, meta: Metadata
) -> Response:
    await _registry(request).remove_secret(partner_id, secret_id, meta)
    return Response(status_code=204)


class ResealedOut(BaseModel):
    resealed: int = Field(description="Webhook secrets sealed again under the first key.")
    passwords: int = Field(description="People's password hashes sealed again.")
    unopenable: int = Field(
        description="Tokens no key opens (sealed under a key already dropped): left as "
        "they are; those secrets must be added again, those people invited again."
    )


@router.post("/webhook-secrets/reseal", response_model=ResealedOut)
async def reseal_webhook_secrets(request: Request, _: Operator, meta: Metadata) -> ResealedOut:
    """A step of a sealing-key rotation: every webhook secret and password hash in
    force is sealed again under the first of ``PACTSTREAM_SECRETS_KEYS`` and the new
    tokens reach every service. After it, the older keys can be dropped."""
    secrets, lost_secrets = await _registry(request).reseal(meta)
    people, lost_people = await request.app.state.people.reseal(meta)
    return ResealedOut(resealed=secrets, passwords=people, unopenable=lost_secrets + lost_people)


@router.delete("/partners/{partner_id}", status_code=204)
async def revoke_partner(
    partner_id: str, request: Request, _: Operator, meta: Metadata
) -> Response:
    """Revoke every key of the partner, in every service, for good."""
    await _registry(request).revoke(partner_id, meta)
    return Response(status_code=204)
