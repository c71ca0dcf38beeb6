"""The cost curves' pure parts: the generated history is a valid event history with
the real mix, and the picture's geometry."""

from __future__ import annotations

import json
from collections import Counter

from pactstream_bench import svgplot
from pactstream_bench.curvedata import PLAN_SIZES, Generator, plan_sizes
from shared.contracts import build_registry


def test_plans_keep_their_real_sizes_when_the_first_size_holds_them() -> None:
    assert plan_sizes(1_000_000) == list(PLAN_SIZES)
    assert len(PLAN_SIZES) == 20 and max(PLAN_SIZES) == 10_000


def test_a_small_first_size_scales_the_plans_down() -> None:
    sizes = plan_sizes(100_000)
    assert len(sizes) == 20 and max(sizes) < 10_000 and min(sizes) >= 5


def test_every_generated_event_decodes_with_the_registry() -> None:
    gen = Generator("bench-test", 20_000)
    rows = gen.structure()
    history = list(gen.history(3_000, batch_size=1_000))
    registry = build_registry()
    every = rows.commitments + rows.funding
    every += [r for b in history for r in b.commitments + b.funding]
    for row in every:
        registry.decode(row[3], row[4], json.loads(row[5]))
    kinds = Counter(r[3].rsplit(".", 1)[1] for b in history for r in b.commitments + b.funding)
    assert kinds["measurement_recorded"] > kinds["progress_reported"] > 0
    assert kinds["flow_recorded"] > 0 and kinds["status_changed"] > 0
    assert sum(len(b) for b in history) == 3_000


def test_streams_are_numbered_without_gaps_and_ids_are_unique() -> None:
    gen = Generator("bench-test", 20_000)
    batches = [gen.structure(), *gen.history(5_000)]
    rows = [r for b in batches for r in b.commitments + b.funding]
    versions: dict[str, list[int]] = {}
    for row in rows:
        versions.setdefault(row[0], []).append(row[1])
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert len({r[2] for r in rows}) == len(rows)


def test_partner_events_carry_a_claim_each() -> None:
    gen = Generator("bench-test", 20_000)
    gen.structure()
    for batch in gen.history(2_000):
        partner = [r for r in batch.commitments if not r[3].endswith("status_changed")]
        assert [c[1] for c in batch.inbound] == [str(r[2]) for r in partner]


def test_the_history_is_deterministic() -> None:
    def first_rows() -> list[tuple[object, ...]]:
        gen = Generator("bench-test", 20_000)
        gen.structure()
        return next(gen.history(100)).commitments[:20]

    assert first_rows() == first_rows()


def test_a_series_spans_its_box_on_a_log_axis() -> None:
    points = svgplot.polyline([1_000_000, 10_000_000], [10.0, 20.0], (0, 0, 100, 50))
    assert points[0][0] == 0 and points[1][0] == 100
    assert points[1][1] < points[0][1]  # larger values higher up


def test_the_picture_has_a_chart_per_figure_present() -> None:
    svg = svgplot.render(
        [("rebuild_eps", "events/s"), ("absent", "ms"), ("progress_p99_ms", "ms")],
        [(300_000, {"rebuild_eps": 2e4, "progress_p99_ms": 9.0}), (100_000, {"rebuild_eps": 3e4})],
        "curves",
    )
    assert svg.count("<polyline") == 2 and "absent" not in svg
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svgplot.tick(1_500_000) == "1.5M" and svgplot.tick(340_000) == "340k"
