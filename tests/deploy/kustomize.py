"""Render a kustomization: with the `kustomize` or `kubectl kustomize` binary when present, else in Python.

The Python renderer covers exactly the features deploy/k8s uses (resources, labels, namespace, images,
strategic-merge patch files and inline JSON 6902 patches with kind/labelSelector targets); a test checks it
agrees with the binary wherever one exists.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]


def kustomize_command() -> list[str] | None:
    """The command that renders a kustomization on this machine, if any."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render_with_binary(directory: Path) -> list[Manifest]:
    """Render with the kustomize binary (error if none)."""
    command = kustomize_command()
    assert command is not None
    result = subprocess.run([*command, str(directory)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _load(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge for the shapes used here: maps merge, lists of named maps merge by name."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(item, dict) and "name" in item for item in base + patch)
    ):
        merged_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            for index, existing in enumerate(merged_list):
                if existing["name"] == item["name"]:
                    merged_list[index] = _merge(existing, item)
                    break
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return copy.deepcopy(patch)


def _same_object(a: Manifest, b: Manifest) -> bool:
    return a["kind"] == b["kind"] and a["metadata"]["name"] == b["metadata"]["name"]


def _matches(target: dict[str, Any], manifest: Manifest) -> bool:
    if "kind" in target and target["kind"] != manifest["kind"]:
        return False
    if "name" in target and target["name"] != manifest["metadata"]["name"]:
        return False
    if "labelSelector" in target:
        labels = manifest["metadata"].get("labels", {})
        for clause in target["labelSelector"].split(","):
            key, _, value = clause.partition("=")
            if labels.get(key) != value:
                return False
    return True


def _json_patch(manifest: Manifest, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        assert operation["op"] in ("replace", "add"), operation
        *parents, last = [part for part in operation["path"].split("/") if part]
        node: Any = manifest
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if operation["op"] == "replace":
            assert last in node, f"replace of a missing path {operation['path']}"
        node[last] = copy.deepcopy(operation["value"])


def _images(manifest: Manifest) -> list[dict[str, Any]]:
    spec = manifest.get("spec", {})
    pod = spec.get("template", {}).get("spec", {}) or spec.get("jobTemplate", {}).get("spec", {}).get(
        "template", {}
    ).get("spec", {})
    return [*pod.get("containers", []), *pod.get("initContainers", [])]


def render_in_python(directory: Path) -> list[Manifest]:
    """Render a kustomization directory without any binary."""
    config = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests: list[Manifest] = []
    for resource in config.get("resources", []):
        path = (directory / resource).resolve()
        manifests.extend(render_in_python(path) if path.is_dir() else _load(path))
    for patch in config.get("patches", []):
        if "path" in patch:
            for document in _load(directory / patch["path"]):
                index = next(i for i, m in enumerate(manifests) if _same_object(m, document))
                manifests[index] = _merge(manifests[index], document)
        else:
            operations = yaml.safe_load(patch["patch"])
            for manifest in manifests:
                if _matches(patch.get("target", {}), manifest):
                    _json_patch(manifest, operations)
    for group in config.get("labels", []):
        for manifest in manifests:
            manifest["metadata"].setdefault("labels", {}).update(group["pairs"])
    if "namespace" in config:
        for manifest in manifests:
            if manifest["kind"] != "Namespace":
                manifest["metadata"]["namespace"] = config["namespace"]
    for image in config.get("images", []):
        for manifest in manifests:
            for container in _images(manifest):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    return manifests


def render(directory: Path) -> list[Manifest]:
    """Render with the binary when there is one, else in Python."""
    return render_with_binary(directory) if kustomize_command() else render_in_python(directory)
