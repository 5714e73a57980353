"""``communitylab webhooks-worker``: the webhook dispatcher as its own process (also started by ``up``)."""

from __future__ import annotations

import argparse
import signal
from typing import Any

SERVICE = "webhooks-worker"
METRICS_PORT_SETTING = "COMMUNITYLAB_WEBHOOKS_METRICS_PORT"


def cmd_webhooks_worker(args: argparse.Namespace) -> int:
    """Run the dispatcher until SIGTERM/SIGINT, finishing the in-flight delivery first."""
    import logging

    from services.reporting.webhooks.dispatcher import Dispatcher, DispatcherConfig
    from shared.config import get_settings
    from shared.db import Database
    from shared.logging import configure_logging
    from shared.metrics_http import start_metrics_server

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json, service=SERVICE)
    logger = logging.getLogger("communitylab.webhooks")
    port = settings.webhooks_metrics_port
    try:
        metrics = start_metrics_server(settings.host, port)
    except OSError as exc:
        logger.error(
            f"webhooks worker: cannot serve /metrics on {settings.host}:{port} ({exc.strerror or exc}); "
            f"choose another port with {METRICS_PORT_SETTING}=<port> (0 turns the metrics server off)",
            extra={"metrics_port": port},
        )
        return 2
    if metrics is not None:
        logger.info(
            f"webhooks worker metrics at http://{settings.host}:{metrics.port}/metrics",
            extra={"metrics_port": metrics.port},
        )
    database = Database.from_url(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=max(2, args.concurrency + 1),
    )
    config = DispatcherConfig.from_settings(
        settings,
        worker_id=args.worker_id,
        lease_seconds=args.lease_seconds,
        backoff_base_seconds=args.backoff_base,
        backoff_max_seconds=args.backoff_max,
        poll_seconds=args.poll_seconds,
        concurrency=args.concurrency,
        per_lease=args.per_lease,
    )
    dispatcher = Dispatcher(database, config)

    def stop(_signum: int, _frame: Any) -> None:
        dispatcher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        dispatcher.run_forever()
    finally:
        dispatcher.client.close()
        database.dispose()
        if metrics is not None:
            metrics.close()
    return 0


def register(subparsers: Any) -> None:
    """Add ``webhooks-worker`` to the ``communitylab`` command."""
    worker = subparsers.add_parser("webhooks-worker", help="deliver webhooks (fan-out and sending)")
    worker.add_argument("--worker-id", help="name in leases and the attempt log (default host:pid:random)")
    worker.add_argument("--lease-seconds", type=float, help="lease on subscriptions and the fan-out")
    worker.add_argument("--backoff-base", type=float, help="first retry delay in seconds (doubles each time)")
    worker.add_argument("--backoff-max", type=float, help="longest retry delay in seconds")
    worker.add_argument("--poll-seconds", type=float, help="sleep when idle (default from settings)")
    worker.add_argument("--concurrency", type=int, default=4, help="subscriptions sent to in parallel")
    worker.add_argument(
        "--per-lease", type=int, help="deliveries sent to one subscription before its lease is handed back"
    )
    worker.set_defaults(func=cmd_webhooks_worker)


def background_commands() -> list[list[str]]:
    """The processes ``communitylab up`` starts beside the services."""
    return [["webhooks-worker"]]


def metrics_endpoints(settings: Any) -> list[tuple[str, int, str]]:
    """What ``up`` prints and checks: (process, metrics port, setting), the port 0 when turned off."""
    return [("webhooks worker", int(settings.webhooks_metrics_port), METRICS_PORT_SETTING)]
