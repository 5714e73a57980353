"""``communitylab webhooks-worker``: the webhook dispatcher as its own process (also started by ``up``)."""

from __future__ import annotations

import argparse
import signal
from typing import Any


def cmd_webhooks_worker(args: argparse.Namespace) -> int:
    """Run the dispatcher until SIGTERM/SIGINT, finishing the in-flight delivery first."""
    from services.reporting.webhooks.dispatcher import Dispatcher, DispatcherConfig
    from shared.config import get_settings
    from shared.db import Database
    from shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
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
    print(f"webhooks worker {config.worker_id} started", flush=True)
    try:
        dispatcher.run_forever()
    finally:
        dispatcher.client.close()
        database.dispose()
    print(f"webhooks worker {config.worker_id} stopped", flush=True)
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
