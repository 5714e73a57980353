"""deploy/nginx/communitylab.conf in a real nginx in front of the three real services (skipped without nginx).

Only the upstream addresses, the listen address and the page's directory are changed from the shipped file, so
the prefixes, the prefix stripping, the request ids, the hidden /metrics and the API page are what compose runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.deploy.nginx import NGINX, NO_NGINX, render_site, running_nginx
from tests.ops.conftest import free_port, migrated_env, start_service, stop

SERVICES = ("registry", "workshops", "reporting")
pytestmark = pytest.mark.skipif(NGINX is None, reason=NO_NGINX)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("proxy")
    env = migrated_env(tmp_path)
    served: dict[str, Any] = {}
    try:
        for name in SERVICES:
            served[name] = start_service(name, "--root-path", f"/{name}", env=env, log_dir=tmp_path)
        yield from _nginx(tmp_path, served)
    finally:
        for process in served.values():
            stop(process)


def _nginx(tmp_path: Path, served: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    port = free_port()
    site = render_site({name: [process.base_url] for name, process in served.items()}, port)
    with running_nginx(tmp_path, site, port) as base:
        yield base, served


def test_one_base_url_serves_every_service_under_its_prefix(proxy: tuple[str, dict[str, Any]]) -> None:
    base, _served = proxy
    for name in SERVICES:
        health = httpx.get(f"{base}/{name}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["service"] == name
        assert re.fullmatch(r"[0-9a-f]{32}", health.headers["x-request-id"]), "the proxy mints a request id"
        docs = httpx.get(f"{base}/{name}/docs", timeout=5)
        assert f"'/{name}/openapi.json'" in docs.text
        spec = httpx.get(f"{base}/{name}/openapi.json", timeout=5)
        assert spec.status_code == 200 and spec.json()["servers"][0]["url"] == f"/{name}"
        bare = httpx.get(f"{base}/{name}", timeout=5)
        assert bare.status_code == 301 and bare.headers["location"].endswith(f"/{name}/")


def test_client_request_id_is_kept_and_metrics_stay_private(proxy: tuple[str, dict[str, Any]]) -> None:
    base, served = proxy
    kept = httpx.get(f"{base}/workshops/readyz", headers={"X-Request-ID": "client-id-42"}, timeout=5)
    assert kept.status_code == 200 and kept.headers["x-request-id"] == "client-id-42"
    assert '"request_id": "client-id-42"' in served["workshops"].log()
    for name in SERVICES:
        assert httpx.get(f"{base}/{name}/metrics", timeout=5).status_code == 404
        assert httpx.get(f"{served[name].base_url}/metrics", timeout=5).status_code == 200


def test_the_combined_api_page_is_served_at_the_root(proxy: tuple[str, dict[str, Any]]) -> None:
    base, _served = proxy
    page = httpx.get(f"{base}/", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "communitylab API reference" in page.text
    for name in SERVICES:
        # The page's relative links resolve to documents the proxy really serves.
        assert httpx.get(f"{base}/{name}/openapi.json", timeout=5).json()["info"]["title"]
        assert f'href="{name}/docs"' in page.text


def test_attachment_uploads_pass_the_proxy_and_other_large_bodies_do_not(
    proxy: tuple[str, dict[str, Any]],
) -> None:
    base, _served = proxy
    body = b"a" * (3 * 1024 * 1024)  # over the proxy's 2 MiB for ordinary routes, under an attachment's limit
    for path in (
        "/workshops/workshops/5b1c3f0e-8d2a-4c6e-9f1a-2b3c4d5e6f70/attachments",
        "/workshops/workshops/5b1c3f0e-8d2a-4c6e-9f1a-2b3c4d5e6f70/minutes/attachments",
        "/workshops/inventions/5b1c3f0e-8d2a-4c6e-9f1a-2b3c4d5e6f70/attachments?title=Foto",
    ):
        upload = httpx.post(f"{base}{path}", content=body, headers={"Content-Type": "text/plain"}, timeout=30)
        # The service itself answers (no key: 401 problem+json), so the proxy let the body through.
        assert upload.status_code == 401, (path, upload.status_code, upload.text[:200])
        assert upload.headers["content-type"] == "application/problem+json"
    ordinary = httpx.post(
        f"{base}/workshops/processes", content=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert ordinary.status_code == 413
