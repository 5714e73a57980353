"""deploy/nginx/communitylab.conf in a real nginx on loopback (the proxy tests' and the two-instance test's).

Only the upstream addresses, the listen address and the page's directory are changed from the shipped file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.deploy.conftest import DEPLOY

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
NO_NGINX = "nginx is not installed (apt-get install nginx-light)"


def render_site(upstreams: dict[str, list[str]], port: int) -> str:
    """The shipped site with one `server host:port;` line per address of each service's upstream."""
    site = (DEPLOY / "nginx" / "communitylab.conf").read_text()
    for name, addresses in upstreams.items():
        servers = " ".join(f"server {address.removeprefix('http://')};" for address in addresses)
        site, replaced = re.subn(rf"server {name}:8000;", servers, site)
        assert replaced == 1, name
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return site.replace("root /usr/share/nginx/html;", f"root {DEPLOY / 'nginx' / 'api'};")


@contextmanager
def running_nginx(directory: Path, site: str, port: int) -> Iterator[str]:
    """nginx serving ``site`` (listening on ``port``) until the block ends; yields its base URL."""
    assert NGINX is not None, NO_NGINX
    (directory / "site.conf").write_text(site)
    temp = directory / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        "events {}\nhttp {\n  types { text/html html; application/json json; }\n"
        f"  access_log {directory}/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {directory}/site.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (directory / "error.log").read_text()
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
