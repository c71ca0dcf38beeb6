"""Connection settings: topics fit the cluster unless pinned, TLS and SASL reach every
client, and settings that cannot work are refused at start."""

from __future__ import annotations

import pytest

from shared.kafka import KafkaEndpoint, TopicLayout
from shared.settings import ServiceSettings


@pytest.mark.parametrize(
    ("brokers", "expected"), [(1, (1, 1)), (2, (1, 1)), (3, (3, 2)), (5, (3, 2))]
)
def test_replication_defaults_to_what_the_cluster_allows(
    brokers: int, expected: tuple[int, int]
) -> None:
    assert TopicLayout().for_cluster(brokers) == expected


def test_settings_pin_replication_and_min_insync_replicas() -> None:
    assert TopicLayout(replication_factor=2).for_cluster(3) == (2, 1)
    assert TopicLayout(replication_factor=3, min_insync_replicas=3).for_cluster(3) == (3, 3)


def test_a_layout_the_cluster_cannot_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="needs at least 3 brokers"):
        TopicLayout(replication_factor=3).for_cluster(1)
    with pytest.raises(ValueError, match="exceeds the replication factor"):
        TopicLayout(replication_factor=2, min_insync_replicas=3).for_cluster(3)


def test_secured_kafka_settings_reach_every_client() -> None:
    settings = ServiceSettings(
        kafka_bootstrap="k1:9093,k2:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="pactstream",
        kafka_sasl_password="s3cret",
    )
    options = settings.kafka.options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "s3cret"
    assert options["ssl_context"].check_hostname
    assert "s3cret" not in repr(settings.kafka), "the password stays out of logs"


def test_sasl_without_credentials_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="PACTSTREAM_KAFKA_SASL_USERNAME"):
        ServiceSettings(kafka_security_protocol="SASL_SSL")


def test_postgres_tls_and_password_go_into_the_url_the_driver_reads() -> None:
    settings = ServiceSettings(
        postgres_url="postgresql://pactstream@db.example:5432",
        postgres_password="p@ss word",
        postgres_sslmode="require",
        service="commitments",
    )
    assert settings.database_url == (
        "postgresql://pactstream:p%40ss%20word@db.example:5432/pactstream_commitments"
        "?sslmode=require"
    )
    assert "p@ss" not in repr(settings)


def test_verify_full_without_a_ca_is_refused() -> None:
    with pytest.raises(ValueError, match="PACTSTREAM_POSTGRES_SSL_ROOT_CERT"):
        ServiceSettings(postgres_sslmode="verify-full")


def test_an_endpoint_given_as_bootstrap_servers_is_plaintext() -> None:
    assert KafkaEndpoint("127.0.0.1:9092").options() == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }


def test_the_command_line_knows_the_development_key_the_services_refuse_in_production() -> None:
    from pactstream_cli import operate
    from shared import settings

    assert operate.DEVELOPMENT_OPERATOR_KEY == settings.DEVELOPMENT_OPERATOR_KEY
