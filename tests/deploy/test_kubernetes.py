"""The Kubernetes manifests: valid against the Kubernetes JSON schemas (offline, strict:
an unknown field fails), and consistent with the product: probes on the routes each kind
really answers, ports and settings as the launcher and the desk read them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.server import OPEN_PATHS
from deploy.render import HEALTH_PATHS, ROOT
from shop.sources.connect import OUTBOX, POLLER

MANIFESTS = ROOT / "deploy" / "kubernetes"
VALIDATE = ROOT / ".var" / "load-venv" / "bin" / "kubernetes-validate"
KINDS = {
    ("v1", "ConfigMap"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("policy/v1", "PodDisruptionBudget"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("batch/v1", "CronJob"),
}
# The port each kind listens on in a pod, as in the Dockerfile's EXPOSE and the ConfigMap.
PORTS = {"rasa": 5005, "actions": 5055, "desk": 8000}
# The optional components a shop adds when its profile's platform needs their programs
# (shop.sources.connect.programs_needed): folder -> the program it runs.
COMPONENTS = {"platform": OUTBOX, "prestashop": POLLER}
KUBECTL = shutil.which("kubectl")


def manifest_files(folder: Path = MANIFESTS) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "kustomization.yaml")


def every_manifest_file() -> list[Path]:
    return manifest_files() + [p for c in COMPONENTS for p in manifest_files(MANIFESTS / c)]


def documents() -> list[dict[str, Any]]:
    return [doc for path in every_manifest_file() for doc in yaml.safe_load_all(path.read_text())]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert VALIDATE.exists(), "kubernetes-validate missing: run scripts/setup.sh"
    return subprocess.run(
        [str(VALIDATE), "--strict", "--quiet", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manifests_pass_the_kubernetes_schemas_strictly() -> None:
    result = validate(*every_manifest_file())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_refuses_an_unknown_field(tmp_path: Path) -> None:
    deployment = by_kind("Deployment")["bijou-desk"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGets"] = {}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(deployment))
    assert validate(broken).returncode != 0


def test_every_document_is_a_known_kind_and_kustomize_lists_every_file() -> None:
    for doc in documents():
        assert (doc["apiVersion"], doc["kind"]) in KINDS, doc["kind"]
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in manifest_files())
    assert [image["name"] for image in kustomization["images"]] == ["bijou-assistant"]
    for folder in COMPONENTS:
        component = yaml.safe_load((MANIFESTS / folder / "kustomization.yaml").read_text())
        assert component["kind"] == "Component", folder
        assert sorted(component["resources"]) == sorted(
            p.name for p in manifest_files(MANIFESTS / folder)
        )
        assert component["images"] == kustomization["images"], folder  # the same image


def overlay(tmp_path: Path, components: list[str]) -> list[dict[str, Any]]:
    """What ``kubectl kustomize`` renders for a shop's overlay of the base with ``components``
    (kustomize wants relative paths)."""
    assert KUBECTL is not None
    base = os.path.relpath(MANIFESTS, tmp_path)
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": [base],
                "components": [os.path.join(base, folder) for folder in components],
            }
        )
    )
    result = subprocess.run(
        [KUBECTL, "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return list(yaml.safe_load_all(result.stdout))


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize(
    ("components", "programs"),
    [([], []), (["platform"], [OUTBOX]), (["platform", "prestashop"], [OUTBOX, POLLER])],
)
def test_a_shops_overlay_runs_the_platform_programs_its_components_name(
    tmp_path: Path, components: list[str], programs: list[str]
) -> None:
    rendered = overlay(tmp_path, components)
    deployments = {d["metadata"]["name"]: d for d in rendered if d["kind"] == "Deployment"}
    assert sorted(n for n in deployments if n not in {f"bijou-{k}" for k in PORTS}) == sorted(
        f"bijou-{program}" for program in programs
    )
    images = {c["image"] for d in deployments.values() for c in containers(d)}
    assert images == {"registry.example.com/bijou-assistant:0.1.0"}
    for program in programs:
        pod = deployments[f"bijou-{program}"]["spec"]
        assert pod["replicas"] == 1 and pod["strategy"]["type"] == "Recreate"
        (container,) = pod["template"]["spec"]["containers"]
        assert container["args"] == [program]  # deploy/bin/bijou-process's kind
        assert pod["template"]["spec"]["terminationGracePeriodSeconds"] >= 30


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.mark.parametrize("kind", sorted(PORTS))
def test_probes_point_to_the_route_and_port_each_kind_answers(kind: str) -> None:
    deployment = by_kind("Deployment")[f"bijou-{kind}"]
    main = deployment["spec"]["template"]["spec"]["containers"][0]
    assert main["args"] == [kind, str(PORTS[kind])]
    (port,) = main["ports"]
    assert port["containerPort"] == PORTS[kind]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = main[probe]["httpGet"]
        assert check["path"] == HEALTH_PATHS[kind], probe
        assert check["port"] == port["name"], probe
    service = by_kind("Service")[f"bijou-{kind}"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["port"] == PORTS[kind]
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]


def test_health_paths_are_real_routes() -> None:
    from desk.app import create_app
    from desk.settings import Settings

    app = create_app(Settings(secret_key="k" * 32, database_url="sqlite://"))
    assert HEALTH_PATHS["desk"] in {route.path for route in app.routes}  # type: ignore[attr-defined]
    assert HEALTH_PATHS["actions"] in OPEN_PATHS  # answered without the token
    # Rasa's "/" is its hello route, open, served once the model is loaded (the end-to-end test
    # of scripts/serve.sh waits on it).
    assert HEALTH_PATHS["rasa"] == "/"


def test_every_container_uses_the_one_image_with_a_known_command() -> None:
    script = (ROOT / "deploy" / "bin" / "bijou-process").read_text()
    known = set(re.findall(r"^    ([a-z]+)\)$", script, re.M))
    pods = [d["spec"]["template"]["spec"] for d in by_kind("Deployment").values()]
    pods += [
        c["spec"]["jobTemplate"]["spec"]["template"]["spec"] for c in by_kind("CronJob").values()
    ]
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            assert container["image"] == "bijou-assistant"
            assert container["args"][0] in known
            refs = [next(iter(ref.values()))["name"] for ref in container["envFrom"]]
            assert refs == ["bijou-settings", "bijou-secrets"]
            resources = container["resources"]
            assert _mebibytes(resources["limits"]["memory"]) >= _mebibytes(
                resources["requests"]["memory"]
            )


def _mebibytes(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", text).groups()  # type: ignore[union-attr]
    return int(number) * (1024 if unit == "Gi" else 1)


def test_settings_name_the_services_and_are_read_by_the_product() -> None:
    settings = by_kind("ConfigMap")["bijou-settings"]["data"]
    assert settings["RASA_URL"] == f"http://bijou-rasa:{PORTS['rasa']}"
    assert settings["ACTIONS_HOST"] == "bijou-actions"
    assert settings["ACTIONS_PORT"] == str(PORTS["actions"])
    sources = "\n".join(
        p.read_text()
        for folder in ("desk", "shop", "scripts", "actions", "bot")
        for p in (ROOT / folder).rglob("*.py")
    )
    for name in settings:
        assert f'"{name}"' in sources, f"{name} is read by nothing"


def test_rasa_and_actions_are_reached_only_by_their_callers() -> None:
    policies = by_kind("NetworkPolicy")
    expected = {
        "bijou-rasa": ("bijou-desk", PORTS["rasa"]),
        "bijou-actions": ("bijou-rasa", PORTS["actions"]),
    }
    for policy in policies.values():
        target = policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        (rule,) = policy["spec"]["ingress"]
        caller = rule["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        assert (caller, rule["ports"][0]["port"]) == expected.pop(target)
    assert not expected, f"no network policy for {sorted(expected)}"
    backends = {
        path["backend"]["service"]["name"]
        for ingress in by_kind("Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"bijou-desk"}
