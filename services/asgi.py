"""The ASGI app factories ``communitylab serve`` hands to uvicorn (``services.asgi:registry`` and siblings).

Each builds its service's app; if that fails (a missing dependency, a bad setting), the error is logged as
one JSON line naming the service and the process exits with status 1. Without this, a uvicorn worker process
(``--workers N``) would print the traceback as plain text, outside the logging configuration.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any


def _build(service: str) -> Any:
    try:
        return importlib.import_module(f"services.{service}.app").create_app()
    except Exception:
        logging.getLogger("communitylab.serve").critical(
            f"could not build the {service} app", exc_info=True, extra={"service": service}
        )
        raise SystemExit(1) from None


def registry() -> Any:
    """The registry app."""
    return _build("registry")


def workshops() -> Any:
    """The workshops app."""
    return _build("workshops")


def reporting() -> Any:
    """The reporting app."""
    return _build("reporting")
