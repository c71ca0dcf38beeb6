"""docker-compose.yml cannot run here (no Docker engine): check it with a parser."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_kafka_in_kraft_mode_postgres_and_the_three_services() -> None:
    services = compose()["services"]
    assert {"kafka", "postgres", "commitments", "funding", "reporting"} <= set(services)
    kafka_env = services["kafka"]["environment"]
    assert services["kafka"]["image"].startswith("apache/kafka:3.9")
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"]
    assert "zookeeper" not in str(services).lower()


def test_every_service_is_health_checked_and_configured_by_environment() -> None:
    services = compose()["services"]
    for name in ("kafka", "postgres", "commitments", "funding", "reporting"):
        assert "healthcheck" in services[name], name
    for name, port in (("commitments", 8001), ("funding", 8002), ("reporting", 8003)):
        svc = services[name]
        env = svc["environment"]
        assert env["PACTSTREAM_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["PACTSTREAM_POSTGRES_URL"].startswith("postgresql://")
        assert f"{port}" in str(svc["ports"])
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        dockerfile = ROOT / svc["build"]["context"] / svc["build"]["dockerfile"]
        assert dockerfile.is_file(), dockerfile
        assert "/readyz" in str(svc["healthcheck"]["test"])


def test_a_one_shot_job_seeds_the_demo_once_the_services_are_ready() -> None:
    seed = compose()["services"]["seed"]
    assert seed["restart"] == "no"
    assert seed["command"][:4] == ["python", "-m", "pactstream_cli", "seed"]
    assert seed["depends_on"]["commitments"]["condition"] == "service_healthy"


def test_every_image_is_multi_stage_slim_non_root_and_health_checked() -> None:
    for service in ("commitments", "funding", "reporting"):
        text = (ROOT / "deploy" / "docker" / f"{service}.Dockerfile").read_text()
        assert text.count("FROM python:3.11-slim") == 2, service
        assert "USER pactstream" in text, service
        assert "HEALTHCHECK" in text and "/readyz" in text, service
