"""A new Kafka cluster's id never starts with ``-``: the storage tool would read it as
an option and refuse to format the cluster (one random id in 64)."""

from __future__ import annotations

import uuid

import pytest

from pactstream_cli.infra import kafka


def test_an_id_that_would_start_with_a_dash_is_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 0xF8: the first six bits are 62, "-" in URL-safe base64.
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x04" + bytes(15))])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(drawn))

    assert kafka.new_cluster_id() == "BAAAAAAAAAAAAAAAAAAAAA"


def test_ids_are_kafkas_shape() -> None:
    ids = {kafka.new_cluster_id() for _ in range(2000)}

    assert len(ids) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
