"""The import use case on the in-memory store: new sections in one plan revision,
commitments made, the same sheet again changes nothing, a changed row is an
amendment, and a row's own problem rejects that row alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from commitments.application.import_rows import SheetRow
from commitments.application.importing import PlanImport
from commitments.application.service import CommitmentsService, commitment_stream, plan_stream
from shared.access import OutOfScope, Scope
from shared.contracts import build_registry
from shared.events import EventMetadata
from shared.eventstore.memory import InMemoryEventStore
from tests.commands import create_plan, make_commitment

META = EventMetadata(partner="ministry")
SHEET = [
    SheetRow(number=2, section="2", section_title="Development"),
    SheetRow(number=3, section="2.1", title="Jobs", parent="2"),
    SheetRow(
        number=4,
        section="2.1",
        code="J-1",
        title="Create jobs",
        title_fr="Créer des emplois",
        parties="EU:responsible; AU:contributor",
        deadline="d'ici fin 2017",
        priority="oui",
    ),
    SheetRow(number=5, section="1", code="J-2", title="Open centres", deadline="by autumn 2016"),
    SheetRow(number=6, section="1", code="J-3", title="Bad one", deadline="whenever"),
    SheetRow(number=7, section="9", section_title="Far", code="J-4", title="Nowhere", parent="8"),
    SheetRow(number=8, section="1", code="J-5", title="Roles", parties="EU:boss"),
]


async def setup() -> tuple[CommitmentsService, PlanImport, InMemoryEventStore]:
    store = InMemoryEventStore()
    registry = build_registry()

    def clock() -> datetime:
        return datetime(2016, 3, 1, tzinfo=UTC)

    service = CommitmentsService(store, registry, clock)
    await service.create_plan(create_plan("p1", "VAP"), META)
    return service, PlanImport(service, store, registry, clock), store


def statuses(results: list[object]) -> list[tuple[int, str | None, str]]:
    return [(r.row, r.code, r.status) for r in results]  # type: ignore[attr-defined]


async def test_a_sheet_makes_sections_then_commitments_and_again_changes_nothing() -> None:
    service, imports, store = await setup()
    results = await imports.run("p1", SHEET, "plan.csv", META, Scope())
    assert statuses(results) == [
        (2, None, "accepted"),
        (3, None, "accepted"),
        (4, "J-1", "accepted"),
        (5, "J-2", "accepted"),
        (6, "J-3", "rejected"),
        (7, "J-4", "rejected"),
        (8, "J-5", "rejected"),
    ]
    problems = {r.row: r.problem for r in results}
    assert "deadline" in str(problems[6])
    assert problems[7] == "section '9' names unknown parent '8'"
    assert "unknown role 'boss'" in str(problems[8])
    plan = (await service.get_plan("p1")).value
    assert [(s.code, s.parent, s.kind) for s in plan.sections] == [
        ("1", None, "domain"),
        ("2", None, "domain"),
        ("2.1", "2", "action"),
    ]
    assert plan.revision == 1
    jobs = plan.section("2.1")
    assert jobs is not None and jobs.title == "Jobs", "a section's row may title it in title"
    assert (await store.read_stream(plan_stream("p1")))[-1].data["reason"] == "import of plan.csv"
    owner = await store.owner_of("commitment-code", "p1/J-1")
    assert owner is not None
    made = (await service.get_commitment(owner.removeprefix("commitment-"))).value
    assert made.priority is True
    assert [(t.lang, t.text) for t in made.title] == [  # type: ignore[union-attr]
        ("en", "Create jobs"),
        ("fr", "Créer des emplois"),
    ]
    assert made.deadline is not None and made.deadline.end is not None
    assert made.deadline.end.isoformat() == "2017-12-31"

    before = len(await store.read_all(0, 10_000))
    again = await imports.run("p1", SHEET, "plan.csv", META, Scope())
    assert [s for _, _, s in statuses(again)][:4] == ["unchanged"] * 4
    assert len(await store.read_all(0, 10_000)) == before


async def test_a_changed_row_is_an_amendment_and_a_new_title_renames_a_section() -> None:
    service, imports, store = await setup()
    await imports.run("p1", SHEET[:4], None, META, Scope())
    changed = [
        SheetRow(number=2, section="2", section_title="Development and jobs"),
        SheetRow(
            number=3,
            section="2.1",
            code="J-1",
            title="Create more jobs",
            title_fr="Créer des emplois",
            parties="EU:responsible; AU:contributor",
            deadline="d'ici fin 2018",
            priority="1",
        ),
        SheetRow(number=4, section="9", code="J-1", title="Moved", priority="1"),
        SheetRow(number=5, section="2.1", code="J-1", title="x", deadline="d'ici fin 2018"),
    ]
    results = await imports.run("p1", changed, None, META, Scope())
    assert statuses(results) == [
        (2, None, "accepted"),
        (3, "J-1", "accepted"),
        (4, "J-1", "rejected"),
        (5, "J-1", "rejected"),
    ]
    assert results[2].problem == "new section '9' needs its section_title"
    assert "priority" in str(results[3].problem)
    plan = (await service.get_plan("p1")).value
    section = plan.section("2")
    assert section is not None and section.title == "Development and jobs"
    owner = await store.owner_of("commitment-code", "p1/J-1")
    assert owner is not None
    events = await store.read_stream(owner)
    assert events[-1].type.endswith("amended")
    assert events[-1].data["reason"] == "import"
    assert owner == commitment_stream(owner.removeprefix("commitment-"))


async def test_a_deadline_written_as_none_is_none_and_stays_unchanged() -> None:
    service, imports, store = await setup()
    rows = [
        SheetRow(number=2, section="1", code="N-1", title="No date", deadline="n/a"),
        SheetRow(number=3, section="1", code="N-2", title="Dash", deadline="-", priority="non"),
        SheetRow(
            number=4, section="1", code="N-3", title="Two", parties="EU:responsible, AU:funder"
        ),
    ]
    assert statuses(await imports.run("p1", rows, None, META, Scope())) == [
        (2, "N-1", "accepted"),
        (3, "N-2", "accepted"),
        (4, "N-3", "accepted"),
    ]
    again = await imports.run("p1", rows, None, META, Scope())
    assert [r.status for r in again] == ["unchanged"] * 3
    owner = await store.owner_of("commitment-code", "p1/N-3")
    assert owner is not None
    made = (await service.get_commitment(owner.removeprefix("commitment-"))).value
    assert [(p.name, p.role) for p in made.parties] == [("EU", "responsible"), ("AU", "funder")]


async def test_another_replica_makes_commitments_under_a_section_an_import_added() -> None:
    _, imports, store = await setup()
    replica = CommitmentsService(store, build_registry(), lambda: datetime(2016, 3, 1, tzinfo=UTC))
    await replica.get_plan("p1")  # Cached before the import revises the plan.
    rows = [SheetRow(number=2, section="5", section_title="New domain")]
    assert statuses(await imports.run("p1", rows, None, META, Scope())) == [(2, None, "accepted")]
    command = make_commitment("c-5", "C-5")
    made = await replica.make_commitment("p1", replace(command, section="5"), META)
    assert made.value.section == "5"


async def test_a_partner_limited_to_a_party_imports_its_commitments_but_no_sections() -> None:
    service, imports, _ = await setup()
    eu = Scope(parties=frozenset({"EU"}))
    rows = [
        SheetRow(number=2, section="7", section_title="Theirs"),
        SheetRow(number=3, section="1", code="E-1", title="Ours", parties="EU:responsible"),
        SheetRow(number=4, section="1", code="E-2", title="Not ours", parties="AU:responsible"),
    ]
    results = await imports.run("p1", rows, None, META, eu)
    assert statuses(results) == [
        (2, None, "rejected"),
        (3, "E-1", "accepted"),
        (4, "E-2", "rejected"),
    ]
    assert "outside this credential" in str(results[0].problem)
    assert "outside this credential" in str(results[2].problem)
    assert (await service.get_plan("p1")).value.revision == 0
    with pytest.raises(OutOfScope):
        await imports.run("p2", rows, None, META, Scope(plans=frozenset({"p1"})))


async def test_a_row_under_another_section_moves_its_commitment_through_the_revision() -> None:
    service, imports, store = await setup()
    await imports.run("p1", SHEET[:4], None, META, Scope())
    moved = [
        SheetRow(number=2, section="3", section_title="Elsewhere"),
        replace(SHEET[2], number=3, section="3"),
    ]
    assert statuses(await imports.run("p1", moved, "v2.csv", META, Scope())) == [
        (2, None, "accepted"),
        (3, "J-1", "accepted"),
    ]
    owner = await store.owner_of("commitment-code", "p1/J-1")
    assert owner is not None
    revised = (await store.read_stream(plan_stream("p1")))[-1].data
    assert revised["moves"] == [
        {"commitment_id": owner.removeprefix("commitment-"), "section": "3"}
    ]
    assert (await service.get_plan("p1")).value.revision == 2
    before = len(await store.read_all(0, 10_000))
    again = await imports.run("p1", moved, "v2.csv", META, Scope())
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert len(await store.read_all(0, 10_000)) == before
    back = await imports.run(
        "p1", [replace(SHEET[2], number=2, section="2.1")], None, META, Scope()
    )
    assert statuses(back) == [(2, "J-1", "accepted")]
    assert (await service.get_plan("p1")).value.revision == 3


def test_a_sheet_keeps_the_languages_it_does_not_write() -> None:
    from commitments.application.import_rows import merged
    from shared.contracts.common import Translation

    three = (
        Translation(lang="en", text="Jobs"),
        Translation(lang="fr", text="Emplois"),
        Translation(lang="es", text="Empleos"),
    )
    # The same English and French: nothing changes, Spanish stays.
    same = (Translation(lang="en", text="Jobs"), Translation(lang="fr", text="Emplois"))
    assert merged(three, same, "en") == three
    # A plain title is the plan's language; the others stay.
    assert merged(three, "Work", "en-GB")[0].text == "Work"
    assert [t.text for t in merged(three, "Work", "en-GB")[1:]] == ["Emplois", "Empleos"]
    # A language the title lacked is added; a plain current title is replaced.
    assert merged(three[:1], same, "en")[1].text == "Emplois"
    assert merged("Jobs", same, "en") == same


async def test_sections_a_sheet_adds_count_from_the_plans_start_and_renames_from_today() -> None:
    _, imports, store = await setup()
    await imports.run("p1", SHEET, "plan.csv", META, Scope())
    renamed = [SheetRow(number=2, section="2", section_title="Development and jobs")]
    await imports.run("p1", renamed, "again.csv", META, Scope())
    revised = [e for e in await store.read_stream(plan_stream("p1")) if e.type.endswith("revised")]
    # Adopted 2015-11-12; the clock says 2016-03-01.
    assert [e.data["as_of"] for e in revised] == ["2015-11-12", "2016-03-01"]
