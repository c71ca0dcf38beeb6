from __future__ import annotations

from collections.abc import Iterator

import pytest

from pactstream_cli import seed
from tests.e2e.platform import KEY, Platform, running


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with running() as p:
        yield p


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> Platform:
    urls = platform.url("commitments"), platform.url("funding")
    counts = seed.load(urls[0], KEY, funding_url=urls[1])
    assert counts["plans"] == 2
    assert counts["funding"] == 6
    again = seed.load(urls[0], KEY, funding_url=urls[1])
    assert again["plans"] == again["commitments"] == 0, "seeding twice changes nothing"
    return platform
