from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.platform import SERVICES, Platform


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    p = Platform()
    try:
        for service in SERVICES:
            p.start(service)
        for service in SERVICES:
            p.wait_ready(service)
        yield p
    finally:
        p.stop()
