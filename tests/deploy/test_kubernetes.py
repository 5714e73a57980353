"""deploy/k8s: schema-valid manifests (kubernetes-validate, offline) wired the way the services need."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from services.cli import build_parser
from shared.config import Settings
from tests.deploy.conftest import DEPLOY, dockerfile_instructions
from tests.deploy.kustomize import kustomize_command, render, render_in_python, render_with_binary

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
PRODUCTION = K8S / "overlays" / "production"
KUBERNETES_VERSION = "1.30.0"
SERVICES = ("registry", "workshops", "reporting")
Manifest = dict[str, Any]


@pytest.fixture(scope="module", params=["base", "production"])
def rendered(request: pytest.FixtureRequest) -> list[Manifest]:
    return render(BASE if request.param == "base" else PRODUCTION)


@pytest.fixture(scope="module")
def production() -> list[Manifest]:
    return render(PRODUCTION)


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    return manifest["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def test_every_manifest_is_valid_for_kubernetes(rendered: list[Manifest]) -> None:
    assert len(rendered) >= 17
    for manifest in rendered:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_wrong_manifests(production: list[Manifest]) -> None:
    deployment = json.loads(json.dumps(find(production, "Deployment", "registry")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = {"x": 1}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    typo = json.loads(json.dumps(find(production, "Service", "registry")))
    typo["spec"]["selectr"] = typo["spec"].pop("selector")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(kustomize_command() is None, reason="no kustomize binary to compare with")
@pytest.mark.parametrize("directory", [BASE, PRODUCTION], ids=["base", "production"])
def test_python_renderer_agrees_with_kustomize(directory: Path) -> None:
    def key(manifest: Manifest) -> str:
        return f"{manifest['kind']}/{manifest['metadata']['name']}"

    by_binary = {key(m): m for m in render_with_binary(directory)}
    by_python = {key(m): m for m in render_in_python(directory)}
    assert by_binary == by_python


def _uid_of_image_user() -> int:
    users = [args for keyword, args in dockerfile_instructions(DEPLOY / "Dockerfile") if keyword == "USER"]
    return int(users[-1].split(":")[0])


@pytest.mark.parametrize("service", SERVICES)
def test_service_deployment_probes_resources_security_and_config(
    rendered: list[Manifest], service: str
) -> None:
    deployment = find(rendered, "Deployment", service)
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    port = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert port == {"http": 8000}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == _uid_of_image_user()
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"configMapRef": {"name": "communitylab-config"}} in container["envFrom"]
    assert {"secretRef": {"name": "communitylab-secrets"}} in container["envFrom"]

    args = build_parser().parse_args(container["args"])
    assert (args.command, args.service, args.root_path) == ("serve", service, f"/{service}")
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert spec["terminationGracePeriodSeconds"] > pre_stop + args.graceful_timeout

    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    svc = find(rendered, "Service", service)
    assert svc["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert svc["spec"]["ports"][0]["targetPort"] == "http"

    hpa = find(rendered, "HorizontalPodAutoscaler", service)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    pdb = find(rendered, "PodDisruptionBudget", service)
    assert pdb["spec"]["selector"]["matchLabels"].items() <= selector.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a drain must be able to evict a pod"
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"


def test_ingress_routes_each_prefix_to_its_service(rendered: list[Manifest]) -> None:
    ingress = find(rendered, "Ingress", "communitylab")
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
    for service in SERVICES:
        backend = routes[f"/{service}(/|$)(.*)"]
        assert backend == {"name": service, "port": {"name": "http"}}
        find(rendered, "Service", service)
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/$2"
    pattern = re.compile("/registry(/|$)(?P<rest>.*)")
    assert "/registry(/|$)(.*)" in routes
    assert pattern.fullmatch("/registry/docs").group("rest") == "docs"  # type: ignore[union-attr]


def test_migration_job_and_webhooks_worker(rendered: list[Manifest]) -> None:
    job = find(rendered, "Job", "communitylab-migrate")
    spec = pod_spec(job)
    assert spec["restartPolicy"] == "Never"
    assert spec["containers"][0]["args"] == ["migrate"]
    build_parser().parse_args(["migrate"])
    worker = find(rendered, "Deployment", "webhooks-worker")
    (container,) = pod_spec(worker)["containers"]
    assert container["args"] == ["webhooks-worker"]
    build_parser().parse_args(container["args"])
    assert pod_spec(worker)["securityContext"]["runAsNonRoot"] is True
    assert worker["spec"]["replicas"] >= 2, "several workers share deliveries through leases"
    find(rendered, "PodDisruptionBudget", "webhooks-worker")


def test_checkpoint_worker_alone_mounts_the_signing_key_from_a_secret(rendered: list[Manifest]) -> None:
    worker = find(rendered, "Deployment", "checkpoint-worker")
    assert worker["spec"]["replicas"] == 1 and worker["spec"]["strategy"]["type"] == "Recreate"
    spec = pod_spec(worker)
    (container,) = spec["containers"]
    build_parser().parse_args(container["args"])
    assert container["args"] == ["checkpoint-worker"]
    env = {e["name"]: e["value"] for e in container["env"]}
    key_file = env["COMMUNITYLAB_LOG_SIGNING_KEY_FILE"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mount = next(m for m in container["volumeMounts"] if key_file.startswith(m["mountPath"] + "/"))
    assert mount["readOnly"] is True
    assert volumes[mount["name"]]["secret"]["secretName"] == "communitylab-log-signing-key"
    config = find(rendered, "ConfigMap", "communitylab-config")["data"]
    assert "COMMUNITYLAB_LOG_SIGNING_KEY_FILE" not in config
    public_dir = config["COMMUNITYLAB_LOG_PUBLIC_KEYS_FILE"].rsplit("/", 1)[0]
    for name in ("reporting", "checkpoint-worker"):
        pod = pod_spec(find(rendered, "Deployment", name))
        mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
        by_name = {v["name"]: v for v in pod["volumes"]}
        assert by_name[mounts[public_dir]]["configMap"]["name"] == "communitylab-log-public-keys", name
    for manifest in rendered:
        if manifest["kind"] in ("Deployment", "Job") and manifest["metadata"]["name"] != "checkpoint-worker":
            assert all("secret" not in v for v in pod_spec(manifest).get("volumes", [])), manifest["metadata"]


def test_config_map_holds_only_known_non_secret_settings(rendered: list[Manifest]) -> None:
    data = find(rendered, "ConfigMap", "communitylab-config")["data"]
    known = {f"COMMUNITYLAB_{name.upper()}" for name in Settings.model_fields}
    assert set(data) <= known, set(data) - known
    assert not {"COMMUNITYLAB_SECRET_KEY", "COMMUNITYLAB_DATABASE_URL"} & set(data)
    assert data["COMMUNITYLAB_ENVIRONMENT"] == "production"
    assert all(m["kind"] != "Secret" for m in rendered), "secrets are created by operators, never committed"


def test_production_overlay_namespace_image_and_tls(production: list[Manifest]) -> None:
    assert all(
        m["metadata"].get("namespace") == "communitylab" for m in production if m["kind"] != "Namespace"
    )
    images = {
        c["image"]
        for m in production
        if m["kind"] in ("Deployment", "Job")
        for c in pod_spec(m)["containers"]
    }
    assert images == {"registry.example.org/communitylab/communitylab:0.1.0"}
    ingress = find(production, "Ingress", "communitylab")
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    config = find(production, "ConfigMap", "communitylab-config")["data"]
    assert config["COMMUNITYLAB_REGISTRY_URL"] == f"https://{ingress['spec']['rules'][0]['host']}/registry"
    assert all(h["spec"]["minReplicas"] == 3 for h in production if h["kind"] == "HorizontalPodAutoscaler")
    workshops = pod_spec(find(production, "Deployment", "workshops"))["containers"][0]
    assert workshops["resources"]["limits"]["memory"] == "768Mi"
    assert workshops["readinessProbe"]["httpGet"]["path"] == "/readyz", "the patch merged, not replaced"


@pytest.mark.parametrize(
    ("worker", "setting"),
    [
        ("webhooks-worker", "COMMUNITYLAB_WEBHOOKS_METRICS_PORT"),
        ("notifications-worker", "COMMUNITYLAB_NOTIFICATIONS_METRICS_PORT"),
    ],
)
def test_workers_expose_their_metrics_port_to_prometheus(
    rendered: list[Manifest], worker: str, setting: str
) -> None:
    deployment = find(rendered, "Deployment", worker)
    (container,) = pod_spec(deployment)["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = find(rendered, "ConfigMap", "communitylab-config")["data"]
    # The port the worker binds (from the ConfigMap) is the one declared and the one Prometheus scrapes.
    assert ports == {"metrics": int(config[setting])}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(ports["metrics"])
    assert annotations["prometheus.io/path"] == "/metrics"
    assert config["COMMUNITYLAB_HOST"] == "0.0.0.0", "reachable from outside the pod"
