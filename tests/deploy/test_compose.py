"""deploy/compose.yaml validates against the Compose Specification schema and wires the stack as documented.

No Docker engine or compose plugin exists on the build machines (`docker compose` is not installed), so the
file is validated with the vendored compose-spec JSON schema (see SCHEMA-SOURCE.md) plus the structural rules
below; `docker compose config` (or Debian's `docker-compose` 1.29 client) runs too where a client is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from services.cli import build_parser
from tests.deploy.conftest import DEPLOY, load_compose

SCHEMA = Path(__file__).with_name("compose-spec.schema.json")
SERVICES = ("registry", "workshops", "reporting")
APP_CONTAINERS = (*SERVICES, "migrate", "webhooks-worker", "checkpoint-worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose({})


def test_compose_file_is_valid_against_the_compose_spec_schema(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["registry"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["proxy"]["restartt"] = "always"
    schema = json.loads(SCHEMA.read_text())
    assert len(list(jsonschema.Draft201909Validator(schema).iter_errors(broken))) >= 2


def _compose_client() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")  # Debian's `docker-compose` package (v1.29) validates too
    return [legacy] if legacy else None


def test_compose_client_config_accepts_the_file_and_rejects_a_broken_copy(tmp_path: Path) -> None:
    client = _compose_client()
    if client is None:
        pytest.skip("no compose client on this machine (apt-get install docker-compose); schema check above")
    result = subprocess.run(
        [*client, "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    broken = DEPLOY / f".broken-{tmp_path.name}.yaml"
    broken.write_text(
        (DEPLOY / "compose.yaml").read_text().replace("restart: unless-stopped", "restartt: unless-stopped")
    )
    try:
        rejected = subprocess.run(
            [*client, "-f", str(broken), "config", "--quiet"], capture_output=True, check=False
        )
    finally:
        broken.unlink()
    assert rejected.returncode != 0


def test_postgres_is_the_official_image_with_a_volume_and_a_healthcheck(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:\d+(\.\d+)?", postgres["image"])
    volume = next(v for v in postgres["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert volume.split(":")[0] in compose["volumes"], "a named volume, so data survives container rebuilds"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_migrations_run_once_before_every_app_process(compose: dict[str, Any]) -> None:
    services = compose["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in (*SERVICES, "webhooks-worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


def test_every_app_container_uses_the_one_image_and_a_valid_command(compose: dict[str, Any]) -> None:
    services = compose["services"]
    parser = build_parser()
    images = {services[name]["image"] for name in APP_CONTAINERS}
    assert len(images) == 1
    for name in APP_CONTAINERS:
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["read_only"] is True and "ALL" in service["cap_drop"]
        parser.parse_args(service["command"])  # exits (SystemExit) on an unknown command or option
    for name in SERVICES:
        assert services[name]["command"] == ["serve", name, "--root-path", f"/{name}"]
        assert "ports" not in services[name], "services are reached through the proxy only"


def test_secrets_come_from_env_files_never_from_the_compose_file(compose: dict[str, Any]) -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    assert not re.search(r"(PASSWORD|SECRET_KEY)\s*[:=]", text)
    for name in (*APP_CONTAINERS, "postgres"):
        env_file = compose["services"][name]["env_file"]
        assert (DEPLOY / env_file).is_file()
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert example["COMMUNITYLAB_SECRET_KEY"].startswith("change-me")
    assert example["POSTGRES_PASSWORD"].startswith("change-me")
    assert example["POSTGRES_PASSWORD"] in example["COMMUNITYLAB_DATABASE_URL"]
    assert example["COMMUNITYLAB_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in example["COMMUNITYLAB_DATABASE_URL"]
    ignored = (DEPLOY.parent / ".gitignore").read_text() + (DEPLOY / ".gitignore").read_text()
    assert "communitylab.env" in ignored


def test_env_file_override_points_at_the_operators_file() -> None:
    compose = load_compose({"COMMUNITYLAB_ENV_FILE": "/etc/communitylab/prod.env"})
    assert compose["services"]["registry"]["env_file"] == "/etc/communitylab/prod.env"
    assert compose["services"]["postgres"]["env_file"] == "/etc/communitylab/prod.env"


def test_public_urls_carry_the_proxy_prefixes(compose: dict[str, Any]) -> None:
    environment = compose["services"]["workshops"]["environment"]
    for name in SERVICES:
        assert environment[f"COMMUNITYLAB_{name.upper()}_URL"] == f"http://localhost:8080/{name}"


def test_proxy_exposes_one_base_url_with_a_prefix_per_service(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    assert re.fullmatch(r"nginx:[\w.-]+", proxy["image"])
    assert proxy["ports"] == ["8080:80"]
    mounts = {v.split(":")[1]: DEPLOY / v.split(":")[0] for v in proxy["volumes"]}
    conf = mounts["/etc/nginx/conf.d/default.conf"].read_text()
    page = mounts["/usr/share/nginx/html"] / "index.html"
    for name in SERVICES:
        assert re.search(rf"upstream communitylab_{name}\s*{{\s*server {name}:8000;", conf)
        block = re.search(rf"location /{name}/ {{(.*?)}}", conf, re.S)
        assert block, f"no location for /{name}/"
        # The trailing slash makes nginx strip the prefix; the service adds it back with --root-path.
        assert f"proxy_pass http://communitylab_{name}/;" in block.group(1)
        assert f"X-Forwarded-Prefix /{name}" in block.group(1)
        assert f'href="{name}/openapi.json"' in page.read_text()
        assert proxy["depends_on"][name] == {"condition": "service_healthy"}
    assert "X-Request-ID $communitylab_request_id" in conf
    assert re.search(r"location ~ \^/\(registry\|workshops\|reporting\)/metrics\$ {\s*return 404;", conf)


def test_only_the_checkpoint_worker_mounts_the_log_signing_key(compose: dict[str, Any]) -> None:
    services = compose["services"]
    worker = services["checkpoint-worker"]
    assert worker["command"] == ["checkpoint-worker"] and worker["profiles"] == ["checkpoints"]
    key_file = worker["environment"]["COMMUNITYLAB_LOG_SIGNING_KEY_FILE"]
    mounts = {volume.split(":")[1]: volume for volume in worker["volumes"]}
    assert any(
        key_file.startswith(target + "/") and volume.endswith(":ro") for target, volume in mounts.items()
    )
    public_file = services["reporting"]["environment"]["COMMUNITYLAB_LOG_PUBLIC_KEYS_FILE"]
    assert public_file == worker["environment"]["COMMUNITYLAB_LOG_PUBLIC_KEYS_FILE"]
    for name in (*SERVICES, "migrate", "webhooks-worker"):
        service = services[name]
        assert "COMMUNITYLAB_LOG_SIGNING_KEY_FILE" not in service.get("environment", {}), name
        assert not any("private" in volume for volume in service.get("volumes", [])), name
