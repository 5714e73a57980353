"""Rules of the processes domain: programmes, editions, processes, workshop scheduling, attendance, history."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlmodel import Session, select

from services.workshops.processes.models import Process, Workshop
from shared.errors import NotFoundError

HistoryStreamProvider = Callable[[Session, uuid.UUID], list[tuple[str, str]]]
"""Given a process id, the extra (stream_type, stream_id) pairs that belong to that process's history."""

_history_providers: list[HistoryStreamProvider] = []


def register_history_streams(provider: HistoryStreamProvider) -> None:
    """Let another domain (outcomes, sessions) add its streams to a process's history."""
    if provider not in _history_providers:
        _history_providers.append(provider)


def history_streams(*, session: Session, process_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every stream of a process's history: the process, its workshops, and the registered providers' streams."""
    streams: list[tuple[str, str]] = [("process", str(process_id))]
    workshop_ids = session.exec(select(Workshop.id).where(Workshop.process_id == process_id)).all()
    streams.extend(("workshop", str(workshop_id)) for workshop_id in workshop_ids)
    for provider in _history_providers:
        streams.extend(
            (stream_type, str(stream_id)) for stream_type, stream_id in provider(session, process_id)
        )
    seen: set[tuple[str, str]] = set()
    return [s for s in streams if not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]


def get_process(*, session: Session, process_id: uuid.UUID) -> Process:
    """The process, or NotFoundError."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id} does not exist", process_id=str(process_id))
    return process


def get_workshop(*, session: Session, workshop_id: uuid.UUID) -> Workshop:
    """The workshop, or NotFoundError."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist", workshop_id=str(workshop_id))
    return workshop
