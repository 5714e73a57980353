"""Concurrent writers and a paging reader: the reader never misses, duplicates or skips an event."""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import Engine

from shared.db import Database
from shared.eventlog import NewEvent, append, last_position, read_all, read_stream

WRITERS = 8
EVENTS_PER_WRITER = 500


def test_paging_reader_sees_every_committed_event_exactly_once(committing_engine: Engine) -> None:
    database = Database(committing_engine)
    run = uuid.uuid4().hex
    with database.session(write=False) as session:
        start = last_position(session)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(index: int) -> None:
        try:
            for n in range(EVENTS_PER_WRITER):
                with database.transaction() as session:
                    append(
                        session,
                        stream_type="concurrency",
                        stream_id=f"{run}-{index}",
                        expected_version=n,
                        events_to_append=[NewEvent("concurrency.tick", {"writer": index, "n": n})],
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    seen: list[int] = []
    ours: list[tuple[int, int]] = []

    def reader() -> None:
        after = start
        while True:
            finished = done.is_set()
            with database.session(write=False) as session:
                page = read_all(session, after=after, limit=97)
            for event in page:
                seen.append(event.position)
                if event.stream_id.startswith(run):
                    ours.append((event.payload["writer"], event.payload["n"]))
            if page:
                after = page[-1].position
            elif finished:
                return
            else:
                time.sleep(0.001)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader_thread.join(timeout=120)

    assert not errors, errors
    assert len(seen) == len(set(seen)), "the reader saw a position twice"
    assert seen == sorted(seen)
    assert seen == list(range(start + 1, start + 1 + len(seen))), "the reader skipped a position"
    assert len(ours) == WRITERS * EVENTS_PER_WRITER
    for index in range(WRITERS):
        assert [n for w, n in ours if w == index] == list(range(EVENTS_PER_WRITER)), "per-stream order broken"
    with database.session(write=False) as session:
        assert len(read_stream(session, "concurrency", f"{run}-0")) == EVENTS_PER_WRITER
        assert last_position(session) >= start + WRITERS * EVENTS_PER_WRITER
