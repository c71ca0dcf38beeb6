"""Inline SVG charts: no JavaScript, readable by screen readers (a title and a text
summary), exact to the data they draw."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD = 360, 140, 28


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        return float(Decimal(str(value)))
    except ArithmeticError:
        return None
    except ValueError:
        return None


def indicator_chart(
    title: str,
    unit: str,
    baseline: tuple[date | None, object] | None,
    target: tuple[date | None, object],
    measurements: Sequence[tuple[date, object]],
    today: date,
) -> str:
    """Baseline, measurements and the target line of one indicator, as an SVG string;
    ``today`` places a lone target line that has no date."""
    points: list[tuple[date, float]] = []
    if baseline is not None and baseline[0] is not None and _num(baseline[1]) is not None:
        points.append((baseline[0], _num(baseline[1]) or 0.0))
    for day, value in measurements:
        v = _num(value)
        if v is not None:
            points.append((day, v))
    target_value = _num(target[1])
    values = [v for _, v in points] + ([target_value] if target_value is not None else [])
    if not values:
        return ""
    days = [d for d, _ in points] + ([target[0]] if target[0] is not None else [])
    low, high = min([*values, 0.0]), max(values)
    if high == low:
        high = low + 1
    first = min(days) if days else today
    last = max(days) if days else first
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return PAD + (WIDTH - 2 * PAD) * (day - first).days / span

    def y(value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / (high - low)

    summary = (
        f"{escape(title)}: target {target[1]} {escape(unit)}"
        + (f" by {target[0]}" if target[0] else "")
        + (
            f"; latest {measurements[-1][1]} on {measurements[-1][0]}"
            if measurements
            else "; no measurement yet"
        )
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{summary}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{summary}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>',
    ]
    if target_value is not None:
        ty = y(target_value)
        parts.append(
            f'<line x1="{PAD}" y1="{ty:.1f}" x2="{WIDTH - PAD}" y2="{ty:.1f}" class="target"/>'
        )
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{ty - 4:.1f}" text-anchor="end" '
            f'class="label">target {escape(str(target[1]))} {escape(unit)}</text>'
        )
    if len(points) > 1:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{path}" class="series"/>')
    for d, v in points:
        parts.append(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" class="point">'
            f"<title>{d}: {v:g} {escape(unit)}</title></circle>"
        )
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 8}" class="label">{first}</text>')
    parts.append(
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end" class="label">{last}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
