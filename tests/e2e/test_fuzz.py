"""schemathesis against the three OpenAPI documents: no input makes a service answer
5xx, and every documented response is true to its schema.

Each operation's generated cases are run through Hypothesis directly (schemathesis's
pytest plugin does not load with pytest 9). CI runs a short pass
(``PACTSTREAM_FUZZ_EXAMPLES``, default 10 examples an operation); a longer one:
``PACTSTREAM_FUZZ_EXAMPLES=300 ./pactstream test --skip-checks tests/e2e/test_fuzz.py``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.e2e.platform import KEY, Platform

EXAMPLES = int(os.environ.get("PACTSTREAM_FUZZ_EXAMPLES", "10"))
AUTH = {"Authorization": f"Bearer {KEY}"}
CHECKS = [not_a_server_error, response_schema_conformance]


def fuzz(platform: Platform, service: str) -> list[str]:
    """Every operation of the service; the failures found, one line each."""
    schema = schemathesis.openapi.from_url(f"{platform.url(service)}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=platform.url(service), headers=AUTH, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # Each operation reports its own counterexample.
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}")
    return failures


@pytest.mark.parametrize("service", ["commitments", "funding", "reporting"])
def test_no_input_makes_a_service_fail_or_break_its_schema(
    platform: Platform, service: str
) -> None:
    failures = fuzz(platform, service)
    assert not failures, "\n".join(failures)
