"""The platform through TLS-only servers, as a production cluster runs them: PostgreSQL
accepting only TLS (certificate and host name verified by the platform, a password),
Kafka only SASL_SSL with SCRAM-SHA-512. A plaintext client of either is refused."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from pactstream_cli import infra, tls
from tests.e2e.platform import Platform, poll, running, settings_of
from tests.e2e.test_slice import create_plan, make_commitment
from tests.refs import random_ref


@pytest.fixture(scope="module")
def secured() -> Iterator[infra.Layout]:
    """A PostgreSQL server and a Kafka broker of their own, TLS only."""
    layout = infra.Layout(
        root=infra.home() / ".local" / "test-infra" / random_ref("secure-"),
        pg_port=infra.free_port_block(1),
        kafka_port=infra.free_port_block(2),
        secure=True,
    )
    try:
        infra.start_postgres(layout)
        infra.start_kafka(layout)
        yield layout
    finally:
        infra.stop_kafka(layout)
        infra.stop_postgres(layout, mode="immediate")
        shutil.rmtree(infra.postgres_root(layout).parent, ignore_errors=True)
        shutil.rmtree(layout.root, ignore_errors=True)


@pytest.fixture(scope="module")
def platform(secured: infra.Layout) -> Iterator[Platform]:
    with running(env=secured.env(), migrated=False) as p:  # Migrations over TLS too.
        yield p


def test_the_platform_runs_through_tls_only_servers(platform: Platform) -> None:
    plan = create_plan(platform)
    made = make_commitment(platform, plan["id"])
    assert made.status_code == 201, made.text
    with platform.client("reporting") as c:
        listed = poll(
            lambda: c.get(f"/v1/plans/{plan['id']}/commitments").json(),
            lambda listed: isinstance(listed, list) and len(listed) == 1,
            timeout=60,
        )
    assert listed[0]["id"] == made.json()["id"]
    for service in ("commitments", "funding", "reporting"):
        with platform.client(service) as c:
            body = c.get("/readyz").json()
        assert body["database"]["ok"] and body["kafka"]["ok"], body


def test_postgresql_refuses_plaintext_and_a_server_it_cannot_verify(
    secured: infra.Layout, tmp_path: Path
) -> None:
    password = secured.env()["PACTSTREAM_POSTGRES_PASSWORD"]
    url = f"postgresql://{infra.PG_USER}:{password}@127.0.0.1:{secured.pg_port}/postgres"
    ca = secured.env()["PACTSTREAM_POSTGRES_SSL_ROOT_CERT"]

    async def connect(query: str) -> None:
        conn = await asyncpg.connect(f"{url}?{query}", timeout=10)
        await conn.close()

    asyncio.run(connect(f"sslmode=verify-full&sslrootcert={ca}"))
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        asyncio.run(connect("sslmode=disable"))
    other_ca = tls.ensure(tmp_path / "other").ca_cert
    with pytest.raises(ssl.SSLCertVerificationError):
        asyncio.run(connect(f"sslmode=verify-full&sslrootcert={other_ca}"))


def test_kafka_refuses_plaintext_and_a_wrong_password(secured: infra.Layout) -> None:
    endpoint = settings_of(secured.env()).kafka

    async def start(**options: Any) -> None:
        producer: Any = AIOKafkaProducer(**options, request_timeout_ms=5000)
        try:
            await asyncio.wait_for(producer.start(), 20)
        finally:
            await producer.stop()

    asyncio.run(start(**endpoint.options()))
    with pytest.raises(KafkaConnectionError):
        asyncio.run(start(bootstrap_servers=secured.bootstrap))
    wrong = dataclasses.replace(endpoint, password="not-the-password")
    with pytest.raises(KafkaConnectionError):
        asyncio.run(start(**wrong.options()))


def test_migrate_reaches_a_tls_only_server(secured: infra.Layout) -> None:
    """``./pactstream migrate`` connects as the services do: password, TLS, CA."""
    env = {**os.environ, **secured.env()}
    env.pop("PACTSTREAM_DATABASE", None)
    for args in (["migrate"], ["migrate", "--status"]):
        done = subprocess.run(
            [sys.executable, "-m", "pactstream_cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert "pending" not in done.stdout
