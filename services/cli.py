"""The ``communitylab`` command line: migrate, run the services, manage keys, verify the log.

Each service may add its own commands in ``services/<name>/cli.py`` through a ``register(subparsers)``
function. Building the parser imports only the standard library (``--help`` answers at once): every command
imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.auth.roles import KEY_ROLES, Role

if TYPE_CHECKING:
    from shared.db import Database

DESCRIPTION = """\
Run the communitylab services (registry, workshops, reporting) and look after their database.

Start here:
  communitylab up          migrate the database and start the three services on this machine
  communitylab demo        load the demo region into the running services (from another shell)
  communitylab create-key  create an API key to call the APIs with

Settings come from environment variables named COMMUNITYLAB_* (or a .env file), e.g.
COMMUNITYLAB_DATABASE_URL (default: SQLite in ./data) and COMMUNITYLAB_REGISTRY_PORT.
"""
EPILOG = (
    "Help on one command: communitylab COMMAND --help. The APIs document themselves at /docs on each service."
)

SERVICES = ("registry", "workshops", "reporting")
SERVICE_CLI_MODULES = (
    "services.registry.cli",
    "services.workshops.cli",
    "services.workshops.imports.cli",
    "services.reporting.cli",
    "services.reporting.webhooks.cli",
    "services.registry.notifications.cli",
    "demo.cli",  # a development tool: not in the image, so optional
    "shared.eventlog.cli",
)


def _database() -> Database:
    from shared.config import get_settings
    from shared.db import Database

    settings = get_settings()
    return Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def _configure_logging(service: str) -> logging.Logger:
    """JSON lines on stderr naming ``service`` (plain text with COMMUNITYLAB_LOG_JSON=false)."""
    from shared.config import get_settings
    from shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json, service=service)
    return logging.getLogger(f"communitylab.{service}")


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade every component's schema to head (Alembic's lines and the result are JSON log lines)."""
    from shared.migrations import upgrade_all

    logger = logging.getLogger("communitylab.migrate")
    if getattr(args, "command", None) == "migrate":
        logger = _configure_logging("migrate")
    database = _database()
    upgrade_all(database.engine)
    logger.info("migrations at head")
    return 0


def cmd_verify_log(args: argparse.Namespace) -> int:
    """Walk the event log's hash chain and check it against signed checkpoints (``--checkpoints``)."""
    from shared.config import get_settings
    from shared.eventlog.cli import run_verify_log

    return run_verify_log(
        get_settings(), checkpoint_sources=args.checkpoints, key_sources=args.keys, stored=args.stored
    )


def cmd_create_key(args: argparse.Namespace) -> int:
    """Create an API key and print it once."""
    from shared.auth.keys import create_key
    from shared.config import get_settings
    from shared.db import utcnow

    settings = get_settings()
    database = _database()
    expires = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
    with database.transaction() as session:
        issued = create_key(
            session.connection(),
            secret=settings.secret_key,
            role=Role(args.role),
            district_ids=args.district or [],
            person_id=args.person,
            label=args.label or "",
            expires_at=expires,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "key": issued.key,
                    "key_id": issued.key_id,
                    "actor_id": issued.actor_id,
                    "role": issued.role.value,
                    "district_ids": issued.district_ids,
                    "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
                }
            )
        )
    else:
        print(issued.key)
        print(
            f"# key id {issued.key_id}, actor {issued.actor_id}, role {issued.role.value}; store it now, it is not shown again",
            file=sys.stderr,
        )
    return 0


def cmd_revoke_key(args: argparse.Namespace) -> int:
    """Revoke a key by its id."""
    from shared.auth.keys import revoke_key

    with _database().transaction() as session:
        revoke_key(session.connection(), args.key_id)
    print(f"revoked {args.key_id}")
    return 0


def _port(service: str) -> int:
    from shared.config import get_settings

    return int(getattr(get_settings(), f"{service}_port"))


def _exit_cleanly(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run one service with uvicorn (several workers with --workers)."""
    # uvicorn drains in-flight requests on SIGTERM/SIGINT, then re-raises the signal with the previous
    # handler restored; this handler turns that drained stop into exit status 0 (what orchestrators expect).
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _exit_cleanly)
    _configure_logging(args.service)
    metrics_dir = None
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers are separate processes: share their metrics through a directory so /metrics sums them.
        metrics_dir = tempfile.mkdtemp(prefix="communitylab-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        _run_uvicorn(args)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _run_uvicorn(args: argparse.Namespace) -> None:
    import uvicorn

    from shared.config import get_settings
    from shared.logging import uvicorn_log_config

    settings = get_settings()
    uvicorn.run(
        f"services.asgi:{args.service}",
        factory=True,
        host=args.host or settings.host,
        port=args.port or _port(args.service),
        workers=args.workers,
        # Applied here and again in every worker process uvicorn spawns: its lines are JSON naming the service.
        log_config=uvicorn_log_config(settings.log_level, json_logs=settings.log_json, service=args.service),
        access_log=False,
        timeout_graceful_shutdown=args.graceful_timeout,
        proxy_headers=True,
        # Behind a reverse proxy that strips /registry, /workshops, /reporting: links and /docs use the prefix.
        root_path=args.root_path,
        # None lets uvicorn read FORWARDED_ALLOW_IPS (default 127.0.0.1); containers set the proxy's network.
        forwarded_allow_ips=args.forwarded_allow_ips,
    )


def background_commands() -> list[list[str]]:
    """Extra long-running processes `up` starts beside the services (workers registered by services)."""
    extra: list[list[str]] = []
    for module_name in SERVICE_CLI_MODULES:
        module = _optional_module(module_name)
        if module is not None and hasattr(module, "background_commands"):
            extra.extend(module.background_commands())
    return extra


def metrics_endpoints(settings: Any) -> list[tuple[str, int, str]]:
    """The workers' metrics servers `up` starts: (process, port, setting), only those turned on."""
    found: list[tuple[str, int, str]] = []
    for module_name in SERVICE_CLI_MODULES:
        module = _optional_module(module_name)
        if module is not None and hasattr(module, "metrics_endpoints"):
            found.extend(e for e in module.metrics_endpoints(settings) if e[1])
    return found


class PortTaken(Exception):
    """A service's port is already in use on this machine."""


def check_ports_free(host: str, ports: dict[str, int], settings_of: dict[str, str] | None = None) -> None:
    """Bind each service's port for a moment; raise ``PortTaken`` with one line naming port, service, setting."""
    for service, port in ports.items():
        setting = (settings_of or {}).get(service) or f"COMMUNITYLAB_{service.upper()}_PORT"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # uvicorn binds with SO_REUSEADDR too: a socket in TIME_WAIT is not "taken", a listener is.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
                raise PortTaken(
                    f"communitylab up: port {port} on {host} ({service}) is {reason}; stop what is using it "
                    f"or choose another port with {setting}=<port>"
                ) from exc


def _wait_until_answering(
    host: str, ports: dict[str, int], processes: list[Any], timeout: float, stopped: Any
) -> bool:
    """Poll each service's /healthz until all answer, a process exits, ``stopped()``, or ``timeout`` passes."""
    import httpx

    deadline = time.monotonic() + timeout
    waiting = dict(ports)
    while waiting and time.monotonic() < deadline:
        if stopped() or any(p.poll() is not None for p in processes):
            return False
        for service, port in list(waiting.items()):
            try:
                if httpx.get(f"http://{host}:{port}/healthz", timeout=1.0).status_code == 200:
                    del waiting[service]
            except httpx.HTTPError:
                pass
        if waiting:
            time.sleep(0.2)
    return not waiting


def cmd_up(args: argparse.Namespace) -> int:
    """Start all three services (and their workers) as real uvicorn processes; stop them on Ctrl-C.

    Its own lines, like every child's, are JSON log lines on stderr with ``"service": "up"``.
    """
    from shared.config import get_settings

    started = time.monotonic()
    logger = _configure_logging("up")
    # Its own lines (URLs, start-up time) are what a person running `up` reads: shown at any log level.
    logger.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per /healthz poll
    settings = get_settings()
    ports = {service: _port(service) for service in SERVICES}
    workers_metrics = metrics_endpoints(settings)
    try:
        check_ports_free(
            settings.host,
            {**ports, **{name: port for name, port, _ in workers_metrics}},
            {name: setting for name, _, setting in workers_metrics},
        )
    except PortTaken as exc:
        logger.error(str(exc))
        return 2
    if not args.no_migrate:
        cmd_migrate(args)
    executable = [sys.executable, "-m", "services.cli"]
    commands = [[*executable, "serve", service] for service in SERVICES]
    commands += [[*executable, *command] for command in background_commands()]
    processes = [subprocess.Popen(command, env=os.environ.copy()) for command in commands]
    stopping = False
    failed_to_start = False

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def answering(timeout: float) -> bool:
        return _wait_until_answering(
            settings.host, ports, processes, timeout=timeout, stopped=lambda: stopping
        )

    try:
        ready = answering(args.wait_seconds)
        if not ready and not stopping and all(p.poll() is None for p in processes):
            # Slow, not broken (a loaded machine): say so and keep waiting.
            logger.warning(
                f"communitylab up: not every service answers after {args.wait_seconds:.0f} s; still starting"
            )
            ready = answering(float("inf"))
        if ready:
            for service in SERVICES:
                url = f"http://{settings.host}:{ports[service]}"
                logger.info(f"{service}: {url}/docs", extra={"url": url, "target": service})
            for name, port, setting in workers_metrics:
                url = f"http://{settings.host}:{port}/metrics"
                logger.info(
                    f"{name} metrics: {url} ({setting})",
                    extra={"url": url, "target": name, "metrics_port": port},
                )
            logger.info(
                f"all three services answer ({time.monotonic() - started:.1f} s after `up` started). "
                "Empty database? Load the demo region from another shell: `make demo` (or `communitylab demo`); "
                f"then open http://{settings.host}:{ports['reporting']}/dashboard?format=html",
                extra={"startup_seconds": round(time.monotonic() - started, 1)},
            )
        elif not stopping:
            logger.error("communitylab up: a service stopped while starting; its log lines above say why")
            failed_to_start = True
            stopping = True
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
    if failed_to_start:
        return 1
    failed = [p.returncode for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # Missing on purpose (e.g. the top-level demo package is not in the image), not a broken import inside.
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command, including those registered by the services."""
    parser = argparse.ArgumentParser(
        prog="communitylab",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("migrate", help="upgrade the database schema of every component").set_defaults(
        func=cmd_migrate
    )
    verify = sub.add_parser("verify-log", help="verify the event log's hash chain and signed checkpoints")
    from shared.eventlog.cli import add_verify_arguments

    add_verify_arguments(verify)
    verify.set_defaults(func=cmd_verify_log)

    create = sub.add_parser("create-key", help="create an API key (printed once)")
    create.add_argument("--role", required=True, choices=[r.value for r in KEY_ROLES])
    create.add_argument("--district", action="append", help="district id the key may edit (repeatable)")
    create.add_argument("--person", help="registry person id (facilitator keys)")
    create.add_argument("--label", help="what the key is for")
    create.add_argument("--expires-days", type=int, default=None, help="expire after this many days")
    create.add_argument("--json", action="store_true", help="print the key and its ids as JSON")
    create.set_defaults(func=cmd_create_key)

    revoke = sub.add_parser("revoke-key", help="revoke an API key")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_revoke_key)

    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--graceful-timeout", type=int, default=20, help="seconds to finish in-flight requests"
    )
    serve.add_argument(
        "--root-path",
        default=os.environ.get("COMMUNITYLAB_ROOT_PATH", ""),
        help="path prefix the reverse proxy serves this service under (e.g. /registry)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxies trusted for X-Forwarded-* headers (comma-separated, * for any; env FORWARDED_ALLOW_IPS)",
    )
    serve.set_defaults(func=cmd_serve)

    up = sub.add_parser(
        "up",
        help="migrate the database and start the three services and their workers (Ctrl-C stops them)",
    )
    up.add_argument("--no-migrate", action="store_true", help="start without migrating the database first")
    up.add_argument(
        "--wait-seconds",
        type=float,
        default=120.0,
        help="after this many seconds without an answer from every service, say so (default 120)",
    )
    up.set_defaults(func=cmd_up)

    for module_name in SERVICE_CLI_MODULES:
        module = _optional_module(module_name)
        if module is not None and hasattr(module, "register"):
            module.register(sub)
    return parser


# The long-running processes (and the one-shot migrate of a rollout): their every line is a JSON log line.
PROCESS_COMMANDS = frozenset(
    {"serve", "up", "migrate", "webhooks-worker", "notifications-worker", "checkpoint-worker"}
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``communitylab`` command."""
    args = build_parser().parse_args(argv)
    if args.command in PROCESS_COMMANDS:
        from shared.logging import configure_logging

        # JSON from the first line on, before the settings are read: a bad setting is a JSON line too.
        service = args.service if args.command == "serve" else args.command
        configure_logging(service=service)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
