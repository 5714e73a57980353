"""``communitylab notifications-worker``: notifications and their e-mails as their own process (also in ``up``)."""

from __future__ import annotations

import argparse
import signal
from typing import Any


def cmd_notifications_worker(args: argparse.Namespace) -> int:
    """Run the worker until SIGTERM/SIGINT, finishing the mail in flight first."""
    from services.registry.notifications.worker import NotificationsWorker, WorkerConfig
    from shared.config import get_settings
    from shared.db import Database
    from shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
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
    mode = "with e-mail" if config.smtp else "in-app only (no COMMUNITYLAB_SMTP_HOST)"
    print(f"notifications worker {config.worker_id} started, {mode}", flush=True)
    try:
        worker.run_forever()
    finally:
        database.dispose()
    print(f"notifications worker {config.worker_id} stopped", flush=True)
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
