"""The worker is part of the ``communitylab`` command and of ``communitylab up``."""

from __future__ import annotations

from services import cli
from services.reporting.webhooks import cli as webhooks_cli


def test_up_starts_the_webhooks_worker() -> None:
    assert ["webhooks-worker"] in cli.background_commands()
    assert webhooks_cli.background_commands() == [["webhooks-worker"]]


def test_webhooks_worker_command_parses_its_options() -> None:
    args = cli.build_parser().parse_args(
        [
            "webhooks-worker",
            "--worker-id",
            "w1",
            "--lease-seconds",
            "5",
            "--concurrency",
            "2",
            "--per-lease",
            "7",
        ]
    )
    assert args.func is webhooks_cli.cmd_webhooks_worker
    assert (args.worker_id, args.lease_seconds, args.concurrency, args.per_lease) == ("w1", 5.0, 2, 7)
