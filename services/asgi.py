"""The ASGI app factories ``communitylab serve`` hands to uvicorn (``services.asgi:registry`` and siblings).

Each builds its service's app; if that fails (a missing dependency, a bad setting), the error is logged as
one JSON line naming the service and the process exits with status 1. Without this, a uvicorn worker process
(``--workers N``) would print the traceback as plain text, outside the logging configuration.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import logging
from typing import Any

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (``mallopt(M_ARENA_MAX, arenas)``); False where the C library is not glibc.

    glibc gives each thread that allocates under contention an arena of its own, up to eight per core; with a
    pool of worker threads serving reads the arenas fragment and stay mapped, which is most of what a service's
    RSS gains under load. Two are enough for one event loop and its threads, which mostly wait on the database.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False  # musl and others have no mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))


def _build(service: str) -> Any:
    limit_malloc_arenas()  # before the app starts threads (each worker process builds its app here)
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
