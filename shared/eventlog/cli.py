"""Log commands: ``checkpoint-log``, ``checkpoint-worker``, ``log-keygen`` and ``verify-log``'s checkpoint checks.

The signing key is read from ``COMMUNITYLAB_LOG_SIGNING_KEY_FILE`` (a file outside the database); only the
process that signs needs it. ``verify-log --checkpoints FILE|URL`` checks the database against checkpoints
given from outside (an auditor's copy, or the public route), with the keys of ``--keys`` and the settings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shared.config import Settings
    from shared.db import Database
    from shared.eventlog.signing import Keyring

# The command line builds its parser from this module: heavy imports happen inside the commands.

logger = logging.getLogger("communitylab.eventlog.checkpoints")


def _database(settings: Settings) -> Database:
    from shared.db import Database

    return Database.from_url(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def _signing_key(settings: Settings) -> Ed25519PrivateKey:
    from shared.eventlog.signing import KeyFileError, load_signing_key

    if not settings.log_signing_key_file:
        raise KeyFileError(
            "COMMUNITYLAB_LOG_SIGNING_KEY_FILE is not set: generate a key with `communitylab log-keygen`"
        )
    return load_signing_key(settings.log_signing_key_file)


def keyring_from_settings(settings: Settings) -> Keyring:
    """The public keys this deployment trusts: the signing key's (if readable) and the public keys file."""
    from shared.eventlog.signing import Keyring

    return Keyring.from_files(
        signing_key_file=settings.log_signing_key_file, public_keys_file=settings.log_public_keys_file
    )


def run_verify_log(
    settings: Settings, *, checkpoint_sources: list[str], key_sources: list[str], stored: bool
) -> int:
    """Verify the chain and every given checkpoint; print the outcome; 0 when all holds, 1 when not, 2 on bad input."""
    from shared.eventlog.checkpoints import Checkpoint, CheckpointError, iter_stored, verify_checkpoint
    from shared.eventlog.signing import KeyFileError
    from shared.eventlog.sources import load_checkpoints, load_keys
    from shared.eventlog.verify import verify_chain

    given: list[Checkpoint] = []
    database = _database(settings)
    try:
        if checkpoint_sources or stored:
            keyring = keyring_from_settings(settings)
            for source in key_sources:
                keyring.add(load_keys(source))
            if not len(keyring):
                print("no public keys to verify checkpoints with: pass --keys FILE|URL", file=sys.stderr)
                return 2
            for source in checkpoint_sources:
                given += load_checkpoints(source)
            if stored:
                with database.engine.connect() as conn:
                    given += list(iter_stored(conn))
            for checkpoint in given:
                verify_checkpoint(checkpoint, keyring)
        with database.engine.connect() as conn:
            result = verify_chain(conn, checkpoints=given)
    except (CheckpointError, KeyFileError) as exc:
        print(f"checkpoint refused: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    if result.ok:
        suffix = f", {result.checkpoints_checked} signed checkpoints match" if given else ""
        print(f"event log verified: {result.verified} events{suffix} (Merkle root {result.root_hash})")
        return 0
    print(
        f"event log broken at position {result.broken_position}: {result.reason} "
        f"({result.verified} verified before)"
    )
    return 1


def cmd_checkpoint_log(args: argparse.Namespace) -> int:
    """Verify the log and sign a checkpoint of it now; print the checkpoint as JSON."""
    from shared.config import get_settings
    from shared.eventlog.checkpoints import LogTamperedError, checkpoint_log
    from shared.eventlog.signing import KeyFileError

    settings = get_settings()
    try:
        key = _signing_key(settings)
        keyring = keyring_from_settings(settings)
    except KeyFileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    database = _database(settings)
    try:
        with database.transaction() as session:
            outcome = checkpoint_log(session.connection(), key, keyring)
    except LogTamperedError as exc:
        print(f"not signed: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(json.dumps({**outcome.checkpoint.to_json(), "created": outcome.created}))
    return 0


def cmd_checkpoint_worker(args: argparse.Namespace) -> int:
    """Sign a checkpoint every interval while the log grows; stop on SIGTERM; exit 1 if the log breaks."""
    from shared.config import get_settings
    from shared.eventlog.checkpoints import LogTamperedError, checkpoint_log
    from shared.eventlog.signing import KeyFileError, key_id
    from shared.eventlog.verify import LogState
    from shared.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json, service="checkpoint-worker")
    try:
        key = _signing_key(settings)
        keyring = keyring_from_settings(settings)
    except KeyFileError as exc:
        logger.error("cannot read the signing key", extra={"reason": str(exc)})
        return 2
    interval = args.interval or settings.log_checkpoint_interval_seconds
    stopping = threading.Event()

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    database = _database(settings)
    state = LogState()
    logger.info("checkpoint worker started", extra={"key_id": key_id(key.public_key()), "interval": interval})
    try:
        while not stopping.is_set():
            try:
                with database.transaction() as session:
                    outcome = checkpoint_log(session.connection(), key, keyring, state=state)
            except LogTamperedError as exc:
                # Refuse to vouch for a history that no longer matches; a crash-looping worker is an alarm.
                logger.error("event log does not verify; not signing", extra={"reason": str(exc)})
                return 1
            except Exception:
                # A database outage: start the walk again next round rather than trust a half-read state.
                logger.exception("checkpoint round failed; retrying")
                state = LogState()
            else:
                if outcome.created:
                    logger.info("checkpoint signed", extra=outcome.checkpoint.to_json())
            if args.once:
                break
            stopping.wait(interval)
    finally:
        database.dispose()
    return 0


def cmd_log_keygen(args: argparse.Namespace) -> int:
    """Write a new Ed25519 signing key (mode 0600) and print its public key and key id."""
    from shared.eventlog.signing import generate_private_pem, key_id, load_signing_key, public_pem

    target = Path(args.out)
    if target.exists() and not args.force:
        print(f"{target} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(generate_private_pem())
    public_key = load_signing_key(target).public_key()
    print(public_pem(public_key), end="")
    print(
        f"# key id {key_id(public_key)}; add the PUBLIC KEY block to COMMUNITYLAB_LOG_PUBLIC_KEYS_FILE",
        file=sys.stderr,
    )
    return 0


def register(subparsers: Any) -> None:
    """Add the log commands to ``communitylab``."""
    once = subparsers.add_parser(
        "checkpoint-log", help="verify the event log and sign a checkpoint of it now"
    )
    once.set_defaults(func=cmd_checkpoint_log)
    worker = subparsers.add_parser("checkpoint-worker", help="sign event log checkpoints periodically")
    worker.add_argument(
        "--interval",
        type=float,
        help="seconds between checkpoints (default COMMUNITYLAB_LOG_CHECKPOINT_INTERVAL_SECONDS)",
    )
    worker.add_argument("--once", action="store_true", help="one round, then exit (for a CronJob)")
    worker.set_defaults(func=cmd_checkpoint_worker)
    keygen = subparsers.add_parser("log-keygen", help="generate an Ed25519 key that signs log checkpoints")
    keygen.add_argument("--out", required=True, help="file for the private key (PEM, created with mode 0600)")
    keygen.add_argument("--force", action="store_true", help="overwrite an existing file")
    keygen.set_defaults(func=cmd_log_keygen)


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The checkpoint options of ``verify-log``."""
    parser.add_argument(
        "--checkpoints",
        action="append",
        default=[],
        metavar="FILE|URL",
        help="signed checkpoints to check the log against (JSON file, or e.g. <reporting>/log/checkpoints); repeatable",
    )
    parser.add_argument(
        "--keys",
        action="append",
        default=[],
        metavar="FILE|URL",
        help="trusted public keys (PEM file, or <reporting>/log/keys) besides those of the settings; repeatable",
    )
    parser.add_argument(
        "--stored", action="store_true", help="also check the checkpoints stored in the database"
    )


def background_commands() -> list[list[str]]:
    """``communitylab up`` signs checkpoints when a signing key is configured."""
    from shared.config import get_settings

    return [["checkpoint-worker"]] if get_settings().log_signing_key_file else []
