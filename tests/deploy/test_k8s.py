"""The Kubernetes manifests, validated offline and strictly against the Kubernetes
schemas bundled by kubernetes-validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))


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
        refs = [
            e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e
        ]
        assert refs == ["pactstream-secrets", "pactstream-secrets"], where


def test_a_broken_manifest_is_caught() -> None:
    _, deployment = next(d for d in documents() if d[1]["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, latest_version(), strict=True)
