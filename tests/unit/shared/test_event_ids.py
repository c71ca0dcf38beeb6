"""Event ids are UUIDv7: time first, so ids made later sort later; unique; and a
forked process does not repeat its parent's random bits."""

from __future__ import annotations

import os
import time

from shared import events
from shared.events import new_event_id


def test_an_event_id_is_a_version_7_uuid_with_the_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    event_id = new_event_id()
    after = time.time_ns() // 1_000_000
    assert (event_id.version, event_id.variant) == (7, "specified in RFC 4122")
    assert before <= event_id.int >> 80 <= after


def test_ids_made_later_sort_later_and_none_repeats() -> None:
    first = [new_event_id() for _ in range(50_000)]
    time.sleep(0.002)
    second = [new_event_id() for _ in range(10)]
    assert len(set(first + second)) == 50_010
    assert max(first) < min(second)


def test_a_forked_child_draws_other_random_bits_than_its_parent() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # The child: its next draw, to the parent.
        os.write(write, events._RANDOM.getrandbits(64).to_bytes(8, "big"))
        os._exit(0)
    os.close(write)
    parents = events._RANDOM.getrandbits(64)
    childs = int.from_bytes(os.read(read, 8), "big")
    os.waitpid(pid, 0)
    os.close(read)
    assert childs != parents
