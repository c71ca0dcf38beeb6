"""``bench/curves.svg``: one small chart per figure against the number of stored
events (log scale), written by hand. A plotting library would add a dependency tree
(matplotlib brings numpy, Pillow, fonttools, kiwisolver, contourpy) to draw a dozen
polylines; this is 100 lines of SVG with nothing to install."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 260, 170
COLUMNS = 4
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 28, 30


def scale_x(events: Sequence[int]) -> tuple[float, float]:
    """The log10 range of the x axis: the sizes' own, or one decade for a single size."""
    logs = [math.log10(max(1, n)) for n in events]
    low, high = min(logs), max(logs)
    return (low - 0.5, high + 0.5) if high == low else (low, high)


def scale_y(values: Sequence[float]) -> tuple[float, float]:
    """From 0 to a little above the largest value (1 when every value is 0)."""
    top = max(values, default=0.0)
    return 0.0, top * 1.15 if top > 0 else 1.0


def tick(value: float) -> str:
    """A short label: 1.2M, 340k, 12.5."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def polyline(
    events: Sequence[int], values: Sequence[float], box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """The points of one series inside ``box`` (x, y, width, height), y upwards."""
    x0, y0, w, h = box
    (lo_x, hi_x), (lo_y, hi_y) = scale_x(events), scale_y(values)
    return [
        (
            round(x0 + (math.log10(max(1, n)) - lo_x) / (hi_x - lo_x) * w, 1),
            round(y0 + h - (v - lo_y) / (hi_y - lo_y) * h, 1),
        )
        for n, v in zip(events, values, strict=True)
    ]


def _chart(x: float, y: float, name: str, unit: str, events: list[int], values: list[float]) -> str:
    box = (x + LEFT, y + TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM)
    bx, by, bw, bh = box
    points = polyline(events, values, box)
    top = scale_y(values)[1]
    parts = [
        f'<text x="{x + 8}" y="{y + 16}" class="t">{escape(name)} ({escape(unit)})</text>',
        f'<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" class="box"/>',
        f'<text x="{bx - 4}" y="{by + 4}" class="l" text-anchor="end">{tick(top)}</text>',
        f'<text x="{bx - 4}" y="{by + bh}" class="l" text-anchor="end">0</text>',
        '<polyline class="line" points="' + " ".join(f"{px},{py}" for px, py in points) + '"/>',
    ]
    for (px, py), n, v in zip(points, events, values, strict=True):
        parts.append(f'<circle cx="{px}" cy="{py}" r="2.5"><title>{n:,}: {v:,.1f}</title></circle>')
        parts.append(
            f'<text x="{px}" y="{by + bh + 14}" class="l" text-anchor="middle">{tick(n)}</text>'
        )
    return "\n".join(parts)


def render(
    figures: Sequence[tuple[str, str]], points: Sequence[tuple[int, dict[str, float]]], title: str
) -> str:
    """The SVG document: a chart for each figure any point has, in ``figures``' order;
    ``points`` are (stored events, figures) pairs."""
    ordered = sorted(points)
    drawn = [(n, u) for n, u in figures if any(n in f for _, f in ordered)]
    rows = max(1, -(-len(drawn) // COLUMNS))
    width, height = COLUMNS * WIDTH, rows * HEIGHT + 30
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        "<style>.t{font-size:12px}.l{font-size:10px;fill:#555}"
        ".box{fill:none;stroke:#ccc}.line{fill:none;stroke:#1f5fa8;stroke-width:2}"
        "circle{fill:#1f5fa8}</style>",
        f'<text x="8" y="20" font-size="14">{escape(title)}</text>',
    ]
    for i, (name, unit) in enumerate(drawn):
        series = [(n, f[name]) for n, f in ordered if name in f]
        x, y = (i % COLUMNS) * WIDTH, 30 + (i // COLUMNS) * HEIGHT
        body.append(_chart(x, y, name, unit, [n for n, _ in series], [v for _, v in series]))
    body.append("</svg>")
    return "\n".join(body) + "\n"
