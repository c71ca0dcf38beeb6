"""Parts of request bodies that several routes turn into the domain's values: a
plan's section tree, indicators, parties. A change's own body → command is declared
beside its route (``commitments.api.changes``)."""

from __future__ import annotations

from commitments.api import schemas
from commitments.api.local_text import local
from commitments.domain.plan import Section
from shared.contracts.commitments import IndicatorData, IndicatorPoint, PartyData


def sections(given: list[schemas.SectionIn]) -> tuple[Section, ...]:
    """A plan's section tree as a body gives it: a top-level section is a domain and
    one under it an action unless the body says which kind."""
    return tuple(
        Section(
            code=s.code,
            title=local(s.title),
            parent=s.parent,
            kind=s.kind or ("domain" if s.parent is None else "action"),
        )
        for s in given
    )


def indicator(i: schemas.IndicatorIn) -> IndicatorData:
    return IndicatorData(
        code=i.code,
        title=local(i.title),
        unit=i.unit,
        direction=i.direction,
        baseline=None
        if i.baseline is None
        else IndicatorPoint(value=i.baseline.value, date=i.baseline.date),
        target=IndicatorPoint(value=i.target.value, date=i.target.date),
    )


def parties(items: list[schemas.PartyIn]) -> tuple[PartyData, ...]:
    return tuple(PartyData(name=p.name, role=p.role) for p in items)
