"""JSON logs: one object per line with time, level, logger, message, service, request id and any extras.

Every process names itself once (``configure_logging(service=...)``, or the formatter's ``service`` in a
``logging.config`` dictionary such as the one ``uvicorn_log_config`` builds), and every line it writes
carries that ``service`` unless the record brings its own (the access log names the service it serves).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from shared.context import current_request_id

# uvicorn's ``color_message`` repeats the message with terminal colours.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
DEFAULT_SERVICE = "communitylab"
_process_service: str | None = None


def process_service() -> str:
    """The name this process logs under (the last one configured)."""
    return _process_service or DEFAULT_SERVICE


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        global _process_service
        if service:
            _process_service = service
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """Render the record, its extras, the process's service and the current request id."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service or process_service(),
        }
        request_id = current_request_id()
        if request_id:
            data["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if not data["service"]:  # an empty extra (a service built without a name) keeps the process's
            data["service"] = self.service or process_service()
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def _log_uncaught(kind: type[BaseException], value: BaseException, traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("communitylab").critical("uncaught exception", exc_info=(kind, value, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        logging.getLogger("communitylab").critical(
            "uncaught exception in a thread",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            extra={"thread_name": args.thread.name if args.thread else None},
        )


def configure_logging(level: str = "INFO", *, json_logs: bool = True, service: str | None = None) -> None:
    """Send every log line to stderr, as JSON unless asked otherwise, naming this process's ``service``.

    Warnings and uncaught exceptions (main thread and others) become log lines too, so not even a traceback
    leaves the process as plain text.
    """
    global _process_service
    if service:
        _process_service = service
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service)
        if json_logs
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access log replaces uvicorn's, which has no request id or latency.
    logging.getLogger("uvicorn.access").disabled = True
    logging.captureWarnings(True)
    if json_logs:
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread


def uvicorn_log_config(level: str, *, json_logs: bool, service: str) -> dict[str, Any]:
    """The ``log_config`` for ``uvicorn.run``: applied in the server process and in each of its workers.

    uvicorn's own lines (started, stopped, bind errors, worker restarts) go through the root handler, as JSON
    naming ``service``; its access log stays off (``RequestContextMiddleware`` writes a richer one).
    """
    formatter: dict[str, Any] = (
        {"()": "shared.logging.JsonFormatter", "service": service}
        if json_logs
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
