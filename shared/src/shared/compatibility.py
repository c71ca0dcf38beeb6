"""Whether a published event schema may become another: the check that keeps a change
of a stored event from breaking Kafka's readers.

Readers are upgraded before writers (reporting and funding before the service whose
topic they read), so a reader built on the new schema must still read every event
written under the old one, which its topic keeps for good. That is what a schema
registry calls *backward* compatibility, and it allows: a new field with a default,
a field that accepts more (a string that may now also be a list, an enum with more
values), and new wording. It refuses: a field removed or renamed, a type or format
changed, a field newly required, an enum or a constraint narrowed. A change it
refuses is a new schema version with an upcaster, published on a route of its own
(:mod:`shared.publication`).

The schemas compared are pydantic's JSON Schemas (``$ref`` into ``$defs``), as
:func:`published_schemas` writes them and ``docs/published-contracts.json`` keeps
them.
"""

from __future__ import annotations

from typing import Any

from shared.contracts.publications import PUBLICATIONS
from shared.events import EventRegistry

Schema = dict[str, Any]

#: Keywords whose change alters what a value may be; anything else (title,
#: description, default, examples) is wording.
_EXACT: tuple[str, ...] = (
    "type",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
)


def published_schemas(
    registry: EventRegistry, topic_prefix: str = "pactstream"
) -> dict[str, Schema]:
    """The JSON Schema of every published type and version, keyed ``type@version``."""
    found: dict[str, Schema] = {}
    for publication_of in PUBLICATIONS.values():
        publication = publication_of(topic_prefix)
        for topic in publication.topics:
            for event_type, version in publication.published(topic.name):
                found[f"{event_type}@{version}"] = registry.model(event_type).model_json_schema()
    return dict(sorted(found.items()))


def breaks(old: Schema, new: Schema) -> list[str]:
    """Why a reader of ``new`` could not read every value valid under ``old`` (JSON
    pointers into the value, each with what changed); empty when it can."""
    return _accepts(_Side(old), old, _Side(new), new, "")


class _Side:
    """One schema's ``$defs``, to follow its references."""

    def __init__(self, root: Schema) -> None:
        self.defs: dict[str, Schema] = root.get("$defs", {})

    def resolve(self, node: Schema) -> Schema:
        seen = 0
        while "$ref" in node and seen < 32:
            node = {**self.defs[node["$ref"].rsplit("/", 1)[-1]], **_without(node, "$ref")}
            seen += 1
        return node


def _without(node: Schema, key: str) -> Schema:
    return {k: v for k, v in node.items() if k != key}


def _alternatives(side: _Side, node: Schema) -> list[Schema]:
    node = side.resolve(node)
    if "anyOf" in node:
        return [a for alt in node["anyOf"] for a in _alternatives(side, alt)]
    return [node]


def _accepts(old_side: _Side, old: Schema, new_side: _Side, new: Schema, at: str) -> list[str]:
    """Every alternative of ``old`` must be read by some alternative of ``new``."""
    reasons: list[str] = []
    candidates = _alternatives(new_side, new)
    for alternative in _alternatives(old_side, old):
        tried = [_single(old_side, alternative, new_side, c, at) for c in candidates]
        if not any(not t for t in tried):
            best = min(tried, key=len) if tried else [f"{at or '/'}: no longer accepted"]
            reasons.extend(best)
    return reasons


def _single(old_side: _Side, old: Schema, new_side: _Side, new: Schema, at: str) -> list[str]:
    where = at or "/"
    for keyword in _EXACT:
        if old.get(keyword) != new.get(keyword):
            return [f"{where}: {keyword} {old.get(keyword)!r} became {new.get(keyword)!r}"]
    before, after = _values(old), _values(new)
    if after is not None:
        if before is None:
            return [f"{where}: now limited to {sorted(after, key=repr)}"]
        if lost := [v for v in before if v not in after]:
            return [f"{where}: no longer accepts {lost}"]
    if old.get("type") == "array" and "items" in old:
        return _accepts(old_side, old["items"], new_side, new.get("items", {}), f"{at}/*")
    if old.get("type") == "object":
        return _object(old_side, old, new_side, new, at)
    return []


def _values(node: Schema) -> list[Any] | None:
    """The values an enumeration (or a constant, an enumeration of one) allows."""
    if "enum" in node:
        return list(node["enum"])
    return [node["const"]] if "const" in node else None


def _object(old_side: _Side, old: Schema, new_side: _Side, new: Schema, at: str) -> list[str]:
    reasons: list[str] = []
    old_fields: Schema = old.get("properties", {})
    new_fields: Schema = new.get("properties", {})
    closed = new.get("additionalProperties") is False
    for name, schema in old_fields.items():
        if name not in new_fields:
            if closed:
                reasons.append(f"{at}/{name}: removed")
            continue
        reasons += _accepts(old_side, schema, new_side, new_fields[name], f"{at}/{name}")
    for name in set(new.get("required", ())) - set(old.get("required", ())):
        reasons.append(f"{at}/{name}: newly required")
    if closed and old.get("additionalProperties") is not False:
        reasons.append(f"{at or '/'}: no longer accepts fields it does not name")
    return reasons


def relock(
    locked: dict[str, Schema], current: dict[str, Schema]
) -> tuple[dict[str, Schema], list[str]]:
    """The lock after this release (every entry of ``locked`` as it was, and each
    newly published type and version as it is now) and what breaks it: a locked type
    no longer published, or published in a schema its readers could not read."""
    reasons = [f"{key}: no longer published" for key in locked if key not in current]
    for key, schema in locked.items():
        if key in current:
            reasons += [f"{key} {reason}" for reason in breaks(schema, current[key])]
    added = {key: schema for key, schema in current.items() if key not in locked}
    return dict(sorted({**locked, **added}.items())), reasons
