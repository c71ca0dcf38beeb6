"""Process-wide settings for the platform's long-running processes (service replicas,
rebuilds, the benchmark that stands in for them)."""

from __future__ import annotations

import gc


def tune_garbage_collector() -> None:
    """Look for reference cycles far less often than CPython's defaults, which suit
    short scripts: these processes allocate hundreds of thousands of short-lived
    objects a second (reference counting frees them anyway) while holding caches that
    every full collection walks again. Everything alive when this is called (modules,
    the app) is frozen out of collection for good.

    Measured on 2 cores: a rebuild's replay CPU per event fell from 47 to 32-36 µs and
    commitments' CPU per ingested event from about 120 to 80-95 µs."""
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
