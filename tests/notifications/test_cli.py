"""``communitylab notifications-worker`` exists and ``communitylab up`` starts it beside the services."""

from __future__ import annotations

from services.cli import background_commands, build_parser


def test_the_worker_command_is_registered_and_started_by_up() -> None:
    args = build_parser().parse_args(["notifications-worker", "--worker-id", "w1", "--poll-seconds", "0.5"])
    assert args.worker_id == "w1" and args.poll_seconds == 0.5
    assert ["notifications-worker"] in background_commands()
    assert ["webhooks-worker"] in background_commands()
