"""``communitylab notifications-worker``: notifications and their e-mails as their own process (also in ``up``)."""

from __future__ import annotations

import argparse
import signal
from typing import Any

SERVICE = "notifications-worker"
METRICS_PORT_SETTING = "COMMUNITYLAB_NOTIFICATIONS_METRICS_PORT"


def cmd_notifications_worker(args: argparse.Namespace) -> int:
    """Run the worker until SIGTERM/SIGINT, finishing the mail in flight first."""
    import logging

    from services.registry.notifications.worker import NotificationsWorker, WorkerConfig
    from shared.config import get_settings
    from shared.db import Database
    from shared.logging import configure_logging
    from shared.metrics_http import start_metrics_server

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json, service=SERVICE)
    logger = logging.getLogger("communitylab.notifications")
    port = settings.notifications_metrics_port
    try:
        metrics = start_metrics_server(settings.host, port)
    except OSError as exc:
        logger.error(
            f"notifications worker: cannot serve /metrics on {settings.host}:{port} ({exc.strerror or exc}); "
            f"choose another port with {METRICS_PORT_SETTING}=<port> (0 turns the metrics server off)",
            extra={"metrics_port": port},
        )
        return 2
    if metrics is not None:
        logger.info(
            f"notifications worker metrics at http://{settings.host}:{metrics.port}/metrics",
            extra={"metrics_port": metrics.port},
        )
    database = Database.from_url(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms, pool_size=2
    )
    config = WorkerConfig.from_settings(
        settings,
        worker_id=args.worker_id,
        lease_seconds=args.lease_seconds,
        backoff_base_seconds=args.backoff_base,
        backoff_max_seconds=args.backoff_max,
        poll_seconds=args.poll_seconds,
    )
    worker = NotificationsWorker(database, config)

    def stop(_signum: int, _frame: Any) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        worker.run_forever()
    finally:
        database.dispose()
        if metrics is not None:
            metrics.close()
    return 0


def register(subparsers: Any) -> None:
    """Add ``notifications-worker`` to the ``communitylab`` command."""
    worker = subparsers.add_parser(
        "notifications-worker", help="create notifications from the event log and send their e-mails"
    )
    worker.add_argument("--worker-id", help="name in leases (default host:pid:random)")
    worker.add_argument("--lease-seconds", type=float, help="lease on the log checkpoint and on each mail")
    worker.add_argument(
        "--backoff-base", type=float, help="first SMTP retry delay in seconds (doubles each time)"
    )
    worker.add_argument("--backoff-max", type=float, help="longest SMTP retry delay in seconds")
    worker.add_argument("--poll-seconds", type=float, help="sleep when idle (default from settings)")
    worker.set_defaults(func=cmd_notifications_worker)


def background_commands() -> list[list[str]]:
    """The processes ``communitylab up`` starts beside the services."""
    return [["notifications-worker"]]


def metrics_endpoints(settings: Any) -> list[tuple[str, int, str]]:
    """What ``up`` prints and checks: (process, metrics port, setting), the port 0 when turned off."""
    return [("notifications worker", int(settings.notifications_metrics_port), METRICS_PORT_SETTING)]
