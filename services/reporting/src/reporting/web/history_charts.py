"""A plan's charts over time, as inline SVG: commitments by status as a bar per month
(stacked, in the status colours) and each currency's money as four lines. Each is
drawn beside a table of the same figures (``templates/history.html``), which is what
a screen reader reads; the SVG carries a one-line summary as its accessible name."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from reporting.application.history import MONEY, STATUSES
from reporting.application.models import CurrencyHistory, StatusMonth

WIDTH, HEIGHT, PAD = 560, 180, 30
LINE_CLASSES = {name: f"m-{name}" for name in MONEY}


def _open(summary: str) -> list[str]:
    label = escape(summary)
    return [
        f'<svg class="chart wide" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>',
    ]


def _ends(first: str, last: str, top: str) -> list[str]:
    return [
        f'<text x="{PAD}" y="{HEIGHT - 10}" class="label">{escape(first)}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 10}" text-anchor="end" class="label">'
        f"{escape(last)}</text>",
        f'<text x="{PAD}" y="{PAD - 10}" class="label">{escape(top)}</text>',
    ]


def status_bars(months: Sequence[StatusMonth], summary: str) -> str:
    """One stacked bar per month, its height the commitments made by then."""
    if not months:
        return ""
    most = max(max(m.commitments for m in months), 1)
    step = (WIDTH - 2 * PAD) / len(months)
    scale = (HEIGHT - 2 * PAD) / most
    parts = _open(summary)
    for i, month in enumerate(months):
        x, bottom = PAD + i * step, float(HEIGHT - PAD)
        for status in STATUSES:
            count = month.by_status.get(status, 0)
            if count:
                height = count * scale
                bottom -= height
                parts.append(
                    f'<rect x="{x + step * 0.1:.1f}" y="{bottom:.1f}" width="{step * 0.8:.1f}" '
                    f'height="{height:.1f}" class="b-{status}"><title>{month.day}: '
                    f"{count} {status}</title></rect>"
                )
    parts += _ends(str(months[0].day), str(months[-1].day), str(most))
    parts.append("</svg>")
    return "".join(parts)


def money_lines(history: CurrencyHistory, summary: str) -> str:
    """Pledged, committed, disbursed and spent in one currency, cumulated, a line each."""
    months = history.months
    if not months:
        return ""
    top = max((Decimal(getattr(m, name)) for m in months for name in MONEY), default=Decimal(0))
    high = float(top) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(months) - 1, 1)
    parts = _open(summary)
    for name in MONEY:
        points = " ".join(
            f"{PAD + i * step:.1f},"
            f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(Decimal(getattr(m, name))) / high:.1f}"
            for i, m in enumerate(months)
        )
        parts.append(f'<polyline points="{points}" class="line {LINE_CLASSES[name]}"/>')
    parts += _ends(str(months[0].day), str(months[-1].day), f"{top} {history.currency}")
    parts.append("</svg>")
    return "".join(parts)
