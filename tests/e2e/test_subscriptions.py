"""Subscriptions: every change of the subscribed plan pushed in order, at least once,
signed per Standard Webhooks (checked by the `standardwebhooks` library), through
failures of the receiver and `kill -9` of reporting; a target that keeps failing is
paused with the reason."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.e2e.platform import Platform, poll, running
from tests.e2e.test_slice import create_plan, make_commitment


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    """Gives up on a failing target after 3 s instead of a day."""
    with running(env={"PACTSTREAM_SUBSCRIPTIONS_GIVE_UP_SECONDS": "3"}) as p:
        yield p


class Receiver(ThreadingHTTPServer):
    """Checks every push's signature; answers 500 to the first ``failing`` ones."""

    def __init__(self, failing: int = 0, always_fail: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret = ""
        self.failing = failing
        self.always_fail = always_fail
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def subjects(self) -> list[str]:
        """What arrived, each event once (a repeat after a crash is allowed)."""
        with self.lock:
            seen: dict[str, str] = {}
            for event in self.received:
                seen.setdefault(event["id"], event["subject"])
            return list(seen.values())


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        receiver = self.server
        with receiver.lock:
            try:
                Webhook(receiver.secret).verify(body, dict(self.headers.items()))
            except Exception:
                receiver.bad_signatures += 1
                self._answer(401)
                return
            if receiver.always_fail or receiver.failing > 0:
                receiver.failing -= 1
                self._answer(500)
                return
            receiver.received.append(json.loads(body))
        self._answer(204)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def subscribe(platform: Platform, receiver: Receiver, **body: Any) -> dict[str, Any]:
    with platform.client("reporting") as c:
        made = c.post("/v1/subscriptions", json={"url": receiver.url, **body})
    assert made.status_code == 201, made.text
    receiver.secret = made.json()["secret"]
    return made.json()  # type: ignore[no-any-return]


def test_every_change_of_the_plan_arrives_in_order_through_failures_and_kill_9(
    platform: Platform,
) -> None:
    plan, other = create_plan(platform), create_plan(platform)
    receiver = Receiver(failing=2)
    subscription = subscribe(platform, receiver, plans=[plan["id"]])
    assert subscription["secret"].startswith("whsec_") and subscription["state"] == "active"

    made = [make_commitment(platform, plan["id"]).json()["id"] for _ in range(3)]
    make_commitment(platform, other["id"])
    poll(receiver.subjects, lambda got: len(got) >= 1, timeout=20)
    platform.kill("reporting")
    made += [make_commitment(platform, plan["id"]).json()["id"] for _ in range(2)]
    platform.start("reporting")
    platform.wait_ready("reporting")

    expected = [f"commitment-{c}" for c in made]
    poll(
        receiver.subjects,
        lambda got: len([s for s in got if s.startswith("commitment-")]) >= len(expected),
        timeout=30,
    )
    # Pushes follow the feed's order (each stream's own order, the streams
    # interleaved as reporting applied them); a plan created just before the
    # subscription may come too.
    with platform.client("reporting") as c:
        followed = c.get("/v1/feed", params={"plan": plan["id"]}).json()["events"]
    commitments = [s for s in receiver.subjects() if s.startswith("commitment-")]
    assert commitments == [e["subject"] for e in followed if e["subject"] in expected]
    assert sorted(commitments) == sorted(expected)
    assert receiver.bad_signatures == 0
    with platform.client("reporting") as c:
        attempts = c.get(f"/v1/subscriptions/{subscription['id']}/deliveries").json()
        shown = c.get(f"/v1/subscriptions/{subscription['id']}").json()
    assert [a["status"] for a in attempts[:3]] == [500, 500, 204]
    assert [a["attempt"] for a in attempts[:3]] == [1, 2, 3]
    assert shown["failures"] == 0 and "secret" not in shown


def test_a_target_that_keeps_failing_is_paused_with_the_reason_and_can_resume(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    receiver = Receiver(always_fail=True)
    subscription = subscribe(platform, receiver, plans=[plan["id"]])
    make_commitment(platform, plan["id"])
    path = f"/v1/subscriptions/{subscription['id']}"
    with platform.client("reporting") as c:
        paused = poll(lambda: c.get(path).json(), lambda s: s["state"] == "paused", timeout=20)
        assert "answered 500" in paused["paused_reason"]
        receiver.always_fail = False
        assert c.post(f"{path}/resume").status_code == 204
    poll(receiver.subjects, lambda got: any(s.startswith("commitment-") for s in got), timeout=10)


def test_subscriptions_refuse_what_they_cannot_push_to_and_belong_to_their_owner(
    platform: Platform,
) -> None:
    from tests.e2e.test_access import as_key, issue

    with platform.client("reporting") as c:
        for url in ("ftp://example.org/x", "http://user:pw@example.org/x"):
            refused = c.post("/v1/subscriptions", json={"url": url})
            assert refused.status_code == 422, refused.text
            assert "url" in refused.text
        assert c.post("/v1/subscriptions", json={}).status_code == 422
        mine = c.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/x"}).json()
    reader = issue(platform, "reader")
    with as_key(platform, "reporting", reader["key"]) as c:
        seen = poll(
            lambda: c.get(f"/v1/subscriptions/{mine['id']}"), lambda r: r.status_code != 401
        )
        assert seen.status_code == 404
        theirs = c.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/y"}).json()
    with platform.client("commitments") as c:
        assert c.delete(f"/v1/access/partners/{reader['id']}").status_code == 204
    with platform.client("reporting") as c:  # The operator sees every subscription.
        paused = poll(
            lambda: c.get(f"/v1/subscriptions/{theirs['id']}").json(),
            lambda s: s["state"] == "paused",
            timeout=40,  # At its next attempt: its failures back off meanwhile.
        )
        assert "revoked" in paused["paused_reason"]
    with platform.client("reporting") as c:
        assert c.delete(f"/v1/subscriptions/{mine['id']}").status_code == 204
        assert c.get(f"/v1/subscriptions/{mine['id']}").status_code == 404
