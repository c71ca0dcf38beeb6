"""Views flattened to CSV."""

from __future__ import annotations

import csv
import io

from reporting.application.models import Progress, SectionProgress, Totals
from reporting.application.progress import STATUSES


def progress_csv(report: Progress) -> str:
    """One row for the plan, one per section, depth-first, each with its level."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["level", "code", "title", "commitments", "priority", *STATUSES, "overdue", "completed_pct"]
    )

    def emit(level: int, code: str, title: str, t: Totals) -> None:
        writer.writerow(
            [
                level,
                code,
                title,
                t.commitments,
                t.priority,
                *(t.by_status[s] for s in STATUSES),
                t.overdue,
                t.completed_pct,
            ]
        )

    def walk(nodes: list[SectionProgress], level: int) -> None:
        for node in nodes:
            emit(level, node.code, node.title, node.totals)
            walk(node.sections, level + 1)

    emit(0, report.plan.code, report.plan.title, report.totals)
    walk(report.sections, 1)
    return out.getvalue()
