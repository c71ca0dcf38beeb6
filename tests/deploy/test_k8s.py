"""The Kubernetes manifests, validated offline and strictly against the Kubernetes
schemas bundled by kubernetes-validate."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
SECRETS = (
    "PACTSTREAM_OPERATOR_KEY",
    "PACTSTREAM_SECRETS_KEYS",
    "PACTSTREAM_POSTGRES_PASSWORD",
    "PACTSTREAM_KAFKA_SASL_USERNAME",
    "PACTSTREAM_KAFKA_SASL_PASSWORD",
)


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in MANIFESTS:
        for i, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if doc:
                found.append((f"{path.name}#{i}", doc))
    return found


@pytest.mark.parametrize(("where", "doc"), documents(), ids=[w for w, _ in documents()])
def test_every_manifest_is_valid_strictly(where: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, latest_version(), strict=True)


def test_each_service_has_a_deployment_service_autoscaler_and_disruption_budget() -> None:
    kinds: dict[str, set[str]] = {}
    for _, doc in documents():
        kinds.setdefault(doc["metadata"]["name"], set()).add(doc["kind"])
    for service in ("commitments", "funding", "reporting"):
        assert kinds[service] == {
            "Deployment",
            "Service",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
        }, service
    assert "Job" in kinds["pactstream-topics"]
    assert "ConfigMap" in kinds["pactstream-config"]


def test_probes_use_readyz_and_healthz_and_secrets_are_references() -> None:
    for where, doc in documents():
        if doc["kind"] != "Deployment":
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
        secrets = {
            e["name"]: e["valueFrom"]["secretKeyRef"]["name"]
            for e in container["env"]
            if "valueFrom" in e
        }
        assert secrets == dict.fromkeys(SECRETS, "pactstream-secrets"), where


def test_the_topics_job_makes_topics_as_the_services_would() -> None:
    """Partitions, replication and min.insync.replicas come from the services' own
    settings, and the job reaches Kafka with their credentials."""
    job = next(doc for _, doc in documents() if doc["kind"] == "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    script = container["args"][0]
    for setting in (
        "PACTSTREAM_KAFKA_PARTITIONS",
        "PACTSTREAM_KAFKA_REPLICATION_FACTOR",
        "PACTSTREAM_KAFKA_MIN_INSYNC_REPLICAS",
        "PACTSTREAM_TOPIC_PREFIX",
        "PACTSTREAM_KAFKA_SASL_PASSWORD",
    ):
        assert setting in script, setting
    config = next(doc for _, doc in documents() if doc["kind"] == "ConfigMap")["data"]
    assert int(config["PACTSTREAM_KAFKA_REPLICATION_FACTOR"]) == 3
    assert int(config["PACTSTREAM_KAFKA_MIN_INSYNC_REPLICAS"]) == 2
    assert container["envFrom"] == [{"configMapRef": {"name": "pactstream-config"}}]


def test_the_configuration_is_complete_for_the_services() -> None:
    """Every setting the ConfigMap gives is one the services read: a misspelt name
    would be silently ignored."""
    from shared.settings import ServiceSettings

    config = next(doc for _, doc in documents() if doc["kind"] == "ConfigMap")["data"]
    known = {f"PACTSTREAM_{name.upper()}" for name in ServiceSettings.model_fields}
    known |= {"PACTSTREAM_COMMITMENTS_URL"}
    known |= {"FORWARDED_ALLOW_IPS"}  # uvicorn's own
    assert set(config) <= known, set(config) - known


def test_a_broken_manifest_is_caught() -> None:
    _, deployment = next(d for d in documents() if d[1]["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, latest_version(), strict=True)


@pytest.mark.parametrize(
    "left_out",
    [
        (),
        ("PACTSTREAM_KAFKA_REPLICATION_FACTOR", "PACTSTREAM_KAFKA_MIN_INSYNC_REPLICAS"),
        ("PACTSTREAM_KAFKA_SSL_CA_FILE",),
        ("PACTSTREAM_KAFKA_SECURITY_PROTOCOL", "PACTSTREAM_KAFKA_SSL_CA_FILE"),
    ],
    ids=["as-shipped", "replication-unset", "public-ca", "plaintext"],
)
def test_the_topics_job_script_runs_with_settings_left_out(
    left_out: tuple[str, ...], tmp_path: Path
) -> None:
    """The script, run by bash against a stand-in for kafka-topics.sh, makes the three
    topics with what the ConfigMap gives, whatever an operator leaves out."""
    job = next(doc for _, doc in documents() if doc["kind"] == "Job")
    script = job["spec"]["template"]["spec"]["containers"][0]["args"][0]
    calls = tmp_path / "calls"
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(f'#!/bin/bash\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    config = next(doc for _, doc in documents() if doc["kind"] == "ConfigMap")["data"]
    env = {k: v for k, v in config.items() if k not in left_out}
    env |= {"PATH": "/usr/bin:/bin", "PACTSTREAM_KAFKA_SASL_USERNAME": "u"}
    env |= {"PACTSTREAM_KAFKA_SASL_PASSWORD": "p"}
    script = script.replace("/opt/kafka/bin/kafka-topics.sh", str(fake))
    script = script.replace("/tmp/client.properties", str(tmp_path / "client.properties"))
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    made = calls.read_text().splitlines()
    assert [line.split("--topic ")[1].split()[0] for line in made] == [
        "pactstream.commitments",
        "pactstream.access",
        "pactstream.funding",
        "pactstream.dead-letter",
    ]
    pinned = "PACTSTREAM_KAFKA_REPLICATION_FACTOR" not in left_out
    assert all(("--replication-factor 3" in line) == pinned for line in made)
