"""Views laid out as tables, for spreadsheets and CSV: one row per item, one column per
field, values typed (numbers stay numbers, dates stay dates). A view of several parts
(a commitment) is several tables; the first is its summary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reporting.application.funding import FIGURES
from reporting.application.list_tables import (
    Cell,
    Table,
    amount,
    flows_table,
    in_languages,
    timeline_table,
)
from reporting.application.models import (
    ByCurrency,
    Changes,
    CommitmentItem,
    CommitmentSummary,
    CommitmentView,
    Deadline,
    Deadlines,
    Indicator,
    Overdue,
    Party,
    Period,
    PlanFunding,
    PlanSummary,
    Progress,
    Scorecard,
    SectionProgress,
    Totals,
    Upcoming,
)
from reporting.application.progress import STATUSES


def _parties(parties: Iterable[Party]) -> str:
    return "; ".join(f"{p.name} ({p.role})" for p in parties)


def _period(p: Period | Deadline | None) -> tuple[Cell, Cell, Cell]:
    return (None, None, None) if p is None else (p.label, p.start, p.end)


_SUMMARY = (
    "code",
    "id",
    "section",
    "title",
    "status",
    "priority",
    "deadline",
    "deadline_start",
    "deadline_end",
    "parties",
)


def _summary(c: CommitmentSummary) -> tuple[Cell, ...]:
    return (
        c.code,
        c.id,
        c.section,
        c.title,
        c.status,
        c.priority,
        *_period(c.deadline),
        _parties(c.parties),
    )


def plans_table(plans: Sequence[PlanSummary]) -> Table:
    return in_languages(_plans_table(plans), [p.titles for p in plans])


def _plans_table(plans: Sequence[PlanSummary]) -> Table:
    return Table(
        "plans",
        (
            "code",
            "id",
            "title",
            "language",
            "period",
            "period_start",
            "period_end",
            "commitments",
            "priority",
            "completed",
        ),
        [
            (
                p.code,
                p.id,
                p.title,
                p.language,
                *_period(p.period),
                p.commitments,
                p.priority,
                p.completed,
            )
            for p in plans
        ],
    )


def commitments_table(items: Sequence[CommitmentItem]) -> Table:
    table = Table(
        "commitments", (*_SUMMARY, "completion"), [(*_summary(c), c.completion) for c in items]
    )
    return in_languages(table, [c.titles for c in items])


def progress_table(report: Progress) -> Table:
    """One row for the plan (level 0), one per section, depth-first."""
    rows: list[tuple[Cell, ...]] = []
    maps: list[dict[str, str] | None] = []

    def emit(level: int, code: str, title: str, t: Totals, titles: dict[str, str] | None) -> None:
        maps.append(titles)
        rows.append(
            (
                level,
                code,
                title,
                t.commitments,
                t.priority,
                *(t.by_status.get(s, 0) for s in STATUSES),
                t.overdue,
                t.completed_pct,
            )
        )

    def walk(nodes: Sequence[SectionProgress], level: int) -> None:
        for node in nodes:
            emit(level, node.code, node.title, node.totals, node.titles)
            walk(node.sections, level + 1)

    emit(0, report.plan.code, report.plan.title, report.totals, report.plan.titles)
    walk(report.sections, 1)
    columns = (
        "level",
        "code",
        "title",
        "commitments",
        "priority",
        *STATUSES,
        "overdue",
        "completed_pct",
    )
    return in_languages(Table("progress", columns, rows), maps)


def overdue_table(items: Sequence[Overdue]) -> Table:
    table = Table(
        "overdue", ("days_overdue", *_SUMMARY), [(c.days_overdue, *_summary(c)) for c in items]
    )
    return in_languages(table, [c.titles for c in items])


def upcoming_table(items: Sequence[Upcoming]) -> Table:
    table = Table(
        "upcoming", ("days_left", *_SUMMARY), [(c.days_left, *_summary(c)) for c in items]
    )
    return in_languages(table, [c.titles for c in items])


def deadlines_table(view: Deadlines) -> Table:
    rows = [("overdue", c.days_overdue, *_summary(c)) for c in view.overdue]
    rows += [("upcoming", c.days_left, *_summary(c)) for c in view.upcoming]
    maps = [c.titles for c in view.overdue] + [c.titles for c in view.upcoming]
    return in_languages(Table("deadlines", ("list", "days", *_SUMMARY), rows), maps)


def _figures(group: str, key: str, name: str | None, figures: ByCurrency) -> list[tuple[Cell, ...]]:
    return [
        (
            group,
            key,
            name,
            currency,
            *(amount(getattr(f, field)) for field in FIGURES),
            f.absorption_pct,
            f.spent_pct,
            f.illustrative,
        )
        for currency, f in figures.items()
    ]


def funding_table(view: PlanFunding) -> Table:
    """Every figure of the plan per currency: the totals, then by source, by section and
    by party."""
    rows = _figures("total", view.plan.code, view.plan.title, view.totals)
    maps = [view.plan.titles] * len(rows)
    for s in view.by_source:
        rows += _figures("source", s.source, s.name, s.figures)
    maps += [None] * (len(rows) - len(maps))
    for sec in view.by_section:
        rows += _figures("section", sec.code, sec.title, sec.figures)
        maps += [sec.titles] * (len(rows) - len(maps))
    for p in view.by_party:
        rows += _figures("party", p.party, None, p.figures)
    maps += [None] * (len(rows) - len(maps))
    columns = (
        "group",
        "key",
        "name",
        "currency",
        *FIGURES,
        "absorption_pct",
        "spent_pct",
        "illustrative",
    )
    return in_languages(Table("funding", columns, rows), maps, "name")


def _indicator_row(i: Indicator) -> tuple[Cell, ...]:
    baseline, latest = i.baseline, i.latest
    return (
        i.code,
        i.title,
        i.unit,
        i.direction,
        None if baseline is None else baseline.value,
        None if baseline is None else baseline.date,
        i.target.value,
        i.target.date,
        None if latest is None else latest.value,
        None if latest is None else latest.as_of,
        i.progress_pct,
    )


def _fields(view: CommitmentView) -> Table:
    return Table(
        "commitment",
        ("field", "value"),
        [
            *zip(_SUMMARY, _summary(view), strict=True),
            ("plan", view.plan),
            ("made_on", view.made_on),
            ("as_of", view.as_of),
            ("known_at", view.known_at),
            ("overdue", view.overdue),
            ("completion", view.completion),
            *((f"title_{lang}", text) for lang, text in (view.titles or {}).items()),
        ],
    )


def _indicators(view: CommitmentView) -> Table:
    return in_languages(_indicator_table(view), [i.titles for i in view.indicators])


def _indicator_table(view: CommitmentView) -> Table:
    return Table(
        "indicators",
        (
            "code",
            "title",
            "unit",
            "direction",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "latest",
            "latest_as_of",
            "progress_pct",
        ),
        [_indicator_row(i) for i in view.indicators],
    )


def _reports(view: CommitmentView) -> Table:
    return in_languages(_report_table(view), [r.narratives for r in view.reports], "narrative")


def _report_table(view: CommitmentView) -> Table:
    return Table(
        "reports",
        (
            "id",
            "as_of",
            "completion",
            "narrative",
            "evidence",
            "partner",
            "recorded_at",
            "retracted",
            "retraction_reason",
        ),
        [
            (
                r.id,
                r.as_of,
                r.completion,
                r.narrative,
                " ".join(r.evidence),
                r.partner,
                r.recorded_at,
                r.retracted,
                r.retraction_reason,
            )
            for r in view.reports
        ],
    )


def _milestones(view: CommitmentView) -> Table:
    table = Table(
        "milestones",
        ("code", "title", "planned", "planned_start", "planned_end", "reached_on"),
        [(m.code, m.title, *_period(m.planned), m.reached_on) for m in view.milestones],
    )
    return in_languages(table, [m.titles for m in view.milestones])


def _flows(view: CommitmentView) -> Table:
    return flows_table(view.flows)


def _timeline(view: CommitmentView) -> Table:
    return timeline_table(view.timeline)


def commitment_tables(view: CommitmentView) -> list[Table]:
    """The commitment's fields, then its indicators, reports, milestones, flows and
    timeline (with each event's provenance)."""
    return [part(view) for part in (_fields, _indicators, _reports, _milestones, _flows, _timeline)]


def scorecard_table(card: Scorecard) -> Table:
    table = Table(
        "commitments",
        ("plan", *_SUMMARY, "roles", "completion", "overdue"),
        [
            (c.plan, *_summary(c), ", ".join(c.roles), c.completion, c.overdue)
            for c in card.commitments
        ],
    )
    return in_languages(table, [c.titles for c in card.commitments])


def changes_table(view: Changes) -> Table:
    return Table(
        "changes",
        (
            "occurred_at",
            "recorded_at",
            "kind",
            "commitment",
            "correction",
            "partner",
            "type",
            "event_id",
        ),
        [
            (
                c.occurred_at,
                c.recorded_at,
                c.kind,
                c.commitment,
                c.correction,
                c.partner,
                c.type,
                c.event_id,
            )
            for c in view.changes
        ],
    )
