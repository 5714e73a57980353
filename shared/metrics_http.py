"""A ``/metrics`` endpoint for processes without a web app (the workers), on a port of their own.

It runs in a daemon thread next to the worker loop and answers ``GET /metrics`` in the Prometheus text
format, from the same registry the worker increments (summed over processes in multiprocess mode, see
``shared.metrics.render_latest``). Anything else is a 404. It writes no access log of its own.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shared.metrics import render_latest

logger = logging.getLogger("communitylab.metrics")


class _Handler(BaseHTTPRequestHandler):
    server_version = "communitylab-metrics"
    sys_version = ""

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != "/metrics":
            self._answer(404, b"not found: the metrics are at /metrics\n", "text/plain; charset=utf-8")
            return
        try:
            body, content_type = render_latest()
        except Exception:  # a broken collector must not kill the thread serving scrapes
            logger.exception("could not render the metrics")
            self._answer(500, b"could not render the metrics\n", "text/plain; charset=utf-8")
            return
        self._answer(200, body, content_type)

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The stdlib writes plain text to stderr here; scrapes are not worth a line each.
        pass


class _ServerV6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class MetricsServer:
    """A running metrics endpoint; ``close()`` stops it."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def start_metrics_server(host: str, port: int) -> MetricsServer | None:
    """Serve ``/metrics`` on ``host:port`` in a daemon thread; None when ``port`` is 0 (disabled).

    Raises ``OSError`` when the port cannot be bound (in use, no permission).
    """
    if not port:
        return None
    server_class = _ServerV6 if ":" in host else ThreadingHTTPServer
    server = server_class((host, port), _Handler)
    server.daemon_threads = True
    return MetricsServer(server)
