"""Inline SVG charts: no JavaScript, readable by screen readers (a title and a text
summary), exact to the data they draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from reporting.web.languages import Language

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


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where days and values land in the drawing."""

    first: date
    last: date
    low: float
    high: float

    def x(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return PAD + (WIDTH - 2 * PAD) * (day - self.first).days / span

    def y(self, value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - self.low) / (self.high - self.low)


def _points(
    baseline: tuple[date | None, object] | None, measurements: Sequence[tuple[date, object]]
) -> list[tuple[date, float]]:
    points: list[tuple[date, float]] = []
    if baseline is not None and baseline[0] is not None and _num(baseline[1]) is not None:
        points.append((baseline[0], _num(baseline[1]) or 0.0))
    for day, value in measurements:
        v = _num(value)
        if v is not None:
            points.append((day, v))
    return points


def _summary(
    title: str,
    unit: str,
    target: tuple[date | None, object],
    measurements: Sequence[tuple[date, object]],
    words: Language,
) -> str:
    aim = {"title": title, "target": words.number(target[1]), "unit": unit}
    if target[0]:
        head = words.gettext("%(title)s: target %(target)s %(unit)s by %(date)s") % {
            **aim,
            "date": words.day(target[0]),
        }
    else:
        head = words.gettext("%(title)s: target %(target)s %(unit)s") % aim
    if measurements:
        day, value = measurements[-1]
        tail = words.gettext("latest %(value)s on %(date)s") % {
            "value": words.number(value),
            "date": words.day(day),
        }
    else:
        tail = words.gettext("no measurement yet")
    return escape(f"{head}; {tail}")


def _target_line(frame: _Frame, value: float, label: str, unit: str, words: Language) -> list[str]:
    ty = frame.y(value)
    text = words.gettext("target %(value)s %(unit)s") % {"value": label, "unit": unit}
    return [
        f'<line x1="{PAD}" y1="{ty:.1f}" x2="{WIDTH - PAD}" y2="{ty:.1f}" class="target"/>',
        f'<text x="{WIDTH - PAD}" y="{ty - 4:.1f}" text-anchor="end" '
        f'class="label">{escape(text)}</text>',
    ]


def _series(
    frame: _Frame, points: list[tuple[date, float]], unit: str, words: Language
) -> list[str]:
    parts = []
    point = words.gettext("%(date)s: %(value)s")
    if len(points) > 1:
        path = " ".join(f"{frame.x(d):.1f},{frame.y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{path}" class="series"/>')
    for d, v in points:
        parts.append(
            f'<circle cx="{frame.x(d):.1f}" cy="{frame.y(v):.1f}" r="3" class="point">'
            f"<title>{escape(point % {'date': words.day(d), 'value': words.number(v)})} "
            f"{escape(unit)}</title></circle>"
        )
    return parts


def indicator_chart(
    title: str,
    unit: str,
    baseline: tuple[date | None, object] | None,
    target: tuple[date | None, object],
    measurements: Sequence[tuple[date, object]],
    today: date,
    words: Language,
) -> str:
    """Baseline, measurements and the target line of one indicator, as an SVG string
    in the interface's language and formats; ``today`` places a lone target line that
    has no date."""
    points = _points(baseline, measurements)
    target_value = _num(target[1])
    values = [v for _, v in points] + ([target_value] if target_value is not None else [])
    if not values:
        return ""
    days = [d for d, _ in points] + ([target[0]] if target[0] is not None else [])
    low, high = min([*values, 0.0]), max(values)
    first = min(days) if days else today
    frame = _Frame(first, max(days) if days else first, low, high if high != low else low + 1)
    summary = _summary(title, unit, target, measurements, words)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{summary}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{summary}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis"/>',
    ]
    if target_value is not None:
        parts += _target_line(frame, target_value, words.number(target[1]), unit, words)
    parts += _series(frame, points, unit, words)
    since, until = escape(words.day(frame.first)), escape(words.day(frame.last))
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 8}" class="label">{since}</text>')
    parts.append(
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end" class="label">{until}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
