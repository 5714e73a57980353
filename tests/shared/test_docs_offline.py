"""Swagger UI (/docs) and ReDoc (/redoc) work without internet: their files are installed with the package.

The browser test loads the pages in headless Chromium from a real uvicorn on loopback, with every host name
but 127.0.0.1 unresolvable, and reads the rendered DOM.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI

from shared.app import create_service_app
from shared.config import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

router = APIRouter()


@router.get("/things", summary="List the things of the docs probe")
async def list_things() -> list[str]:
    return []


def _app(tmp_path: Path) -> FastAPI:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'docs.db'}", secret_key="docs-test")
    return create_service_app(
        "registry",
        title="Docs probe",
        description="probe",
        routers=[router],
        settings=settings,
        check_migrations=False,
    )


@pytest.mark.anyio
async def test_docs_pages_use_only_local_assets_and_those_are_served(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for page in ("/docs", "/redoc"):
            html = (await client.get(page)).text
            sources = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
            assert sources, page
            assert all(source.startswith("/") for source in sources), sources  # nothing from a CDN
            for source in sources:
                response = await client.get(source)
                assert response.status_code == 200, source
        js = await client.get("/docs-assets/swagger-ui-bundle.js")
        assert "javascript" in js.headers["content-type"] and len(js.content) > 100_000
        schema = (await client.get("/openapi.json")).json()
        assert not any(path.startswith(("/docs", "/redoc")) for path in schema["paths"])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The probe app on a free loopback port, in a thread of this process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_app(tmp_path), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _rendered(url: str, tmp_path: Path) -> str:
    """The DOM of ``url`` once scripts ran, in headless Chromium that can reach 127.0.0.1 and nothing else."""
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium'}",
            # The network is blocked: every name but loopback fails to resolve, so a CDN cannot be reached.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium (apt-get install chromium)")
def test_swagger_ui_and_redoc_render_with_the_network_blocked(served: str, tmp_path: Path) -> None:
    swagger = _rendered(f"{served}/docs", tmp_path)
    # Swagger UI drew the operations from /openapi.json: its JavaScript ran from the local files.
    assert 'data-path="/things"' in swagger and "List the things of the docs probe" in swagger
    redoc = _rendered(f"{served}/redoc", tmp_path)
    assert "List the things of the docs probe" in redoc and "redoc-wrap" in redoc
