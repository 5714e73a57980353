"""The dispatcher's group recorder: attempts of several sending threads committed together, each answered."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from services.reporting.webhooks.dispatcher import GroupRecorder
from shared.eventlog import read_stream
from tests.webhooks.conftest import append_event


def _write(stream_id: str, fail: bool = False) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        append_event(session, "priority.validated", None, stream_id=stream_id)
        if fail:
            raise ValueError(f"bad record {stream_id}")
        return stream_id

    return work


@pytest.mark.parametrize("lock", [True, False], ids=["with-write-lock", "without"])
def test_records_of_many_threads_commit_together_and_a_bad_one_takes_no_other_with_it(
    committing_engine: Engine, lock: bool
) -> None:
    good = [str(uuid.uuid4()) for _ in range(12)]
    bad = str(uuid.uuid4())
    with (
        committing_engine.connect() as connection,
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        recorder = GroupRecorder(session, threading.Lock() if lock else None)
        works = [_write(s) for s in good[:6]] + [_write(bad, fail=True)] + [_write(s) for s in good[6:]]

        def run(work: Callable[[Session], str]) -> object:
            try:
                return recorder.record(work)
            except ValueError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(run, works))
    assert answers[:6] + answers[7:] == good
    assert isinstance(answers[6], ValueError) and bad in str(answers[6])
    with Session(committing_engine) as check:
        assert all(len(list(read_stream(check, "priority", s))) == 1 for s in good)
        assert list(read_stream(check, "priority", bad)) == []


def test_records_queued_during_a_transaction_share_the_next_one(committing_engine: Engine) -> None:
    streams = [str(uuid.uuid4()) for _ in range(4)]
    first_running, release_first = threading.Event(), threading.Event()
    commits: list[int] = []

    def slow_first(session: Session) -> str:
        first_running.set()
        append_event(session, "priority.validated", None, stream_id=streams[0])
        release_first.wait(10)
        return streams[0]

    with (
        committing_engine.connect() as connection,
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        event.listen(session, "after_commit", lambda _s: commits.append(1))
        recorder = GroupRecorder(session, threading.Lock())
        with ThreadPoolExecutor(max_workers=4) as pool:
            first = pool.submit(recorder.record, slow_first)
            assert first_running.wait(10)
            others = [pool.submit(recorder.record, _write(s)) for s in streams[1:]]
            pause = threading.Event()
            for _ in range(1000):  # until the three wait behind the running transaction (at most 10 s)
                if recorder.waiting == 3:
                    break
                pause.wait(0.01)
            release_first.set()
            answers = [first.result(10)] + [f.result(10) for f in others]
    assert answers == streams
    assert len(commits) == 2  # the first alone, then the three that queued behind it together
