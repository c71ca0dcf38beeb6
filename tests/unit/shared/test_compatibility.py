"""A published event schema changes only in ways its readers can read: the lock in
docs/published-contracts.json holds every published type and version, and each is
still readable; the check itself refuses what would break a reader."""

import json
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from shared.compatibility import breaks, published_schemas, relock
from shared.contracts import build_registry

LOCK = Path(__file__).resolve().parents[3] / "docs" / "published-contracts.json"


def test_every_published_schema_is_locked_and_still_readable() -> None:
    locked = json.loads(LOCK.read_text())
    lock, reasons = relock(locked, published_schemas(build_registry()))
    assert reasons == [], "a published schema would break its readers"
    assert lock == locked, "a newly published type is not locked: run ./pactstream docs"


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: Literal["lead", "support"]


class Made(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commitment_id: str
    title: str
    parties: tuple[Party, ...] = ()
    priority: bool = False


def schema(model: type[BaseModel]) -> dict[str, object]:
    return model.model_json_schema()


def test_the_same_schema_with_new_words_reads_everything() -> None:
    class Reworded(Made):
        """Another description."""

    assert breaks(schema(Made), schema(Reworded)) == []


def test_a_new_field_with_a_default_and_a_wider_type_are_readable() -> None:
    class Wider(BaseModel):
        model_config = ConfigDict(extra="forbid")
        commitment_id: str
        title: str | list[str]
        parties: tuple[Party, ...] = ()
        priority: bool = False
        note: str | None = None

    assert breaks(schema(Made), schema(Wider)) == []


def test_an_enum_with_more_values_is_readable_and_one_with_fewer_is_not() -> None:
    class MoreRoles(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str
        role: Literal["lead", "support", "observer"]

    class FewerRoles(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str
        role: Literal["lead"]

    assert breaks(schema(Party), schema(MoreRoles)) == []
    assert breaks(schema(Party), schema(FewerRoles)) == ["/role: no longer accepts ['support']"]


class Removed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commitment_id: str
    parties: tuple[Party, ...] = ()
    priority: bool = False


class Retyped(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commitment_id: str
    title: str
    parties: tuple[Party, ...] = ()
    priority: int = 0


class Required(Made):
    section: str


class NarrowParty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: Literal["lead"]


class NarrowedInside(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commitment_id: str
    title: str
    parties: tuple[NarrowParty, ...] = ()
    priority: bool = False


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        (Removed, "/title: removed"),
        (Retyped, "/priority: type 'boolean' became 'integer'"),
        (Required, "/section: newly required"),
        (NarrowedInside, "/parties/*/role: no longer accepts ['support']"),
    ],
)
def test_what_a_reader_could_not_read_is_named(new: type[BaseModel], reason: str) -> None:
    assert breaks(schema(Made), schema(new)) == [reason]


def test_the_lock_keeps_what_was_published_and_adds_what_is_new() -> None:
    old = {"a@1": schema(Made)}
    lock, reasons = relock(old, {"a@1": schema(Retyped), "b@1": schema(Party)})
    assert reasons == ["a@1 /priority: type 'boolean' became 'integer'"]
    assert lock == {"a@1": schema(Made), "b@1": schema(Party)}
    assert relock(old, {})[1] == ["a@1: no longer published"]
