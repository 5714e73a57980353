"""SQLite's writers take turns in one queue per app: first come, first served, and a documented 503 with
Retry-After (never a wait for the busy timeout) when too many already wait."""

from __future__ import annotations

import anyio
import pytest
from sqlmodel import Session

from shared.deps import WriteQueue, WriteTurn
from shared.errors import BusyError
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


async def _until(condition: object) -> None:
    with anyio.fail_after(5):
        while not condition():  # type: ignore[operator]
            await anyio.sleep(0)


async def test_writers_take_their_turn_in_arrival_order() -> None:
    queue = WriteQueue(limit=10)
    held = await queue.turn()
    order: list[int] = []

    async def writer(index: int) -> None:
        turn = await queue.turn()
        order.append(index)
        await anyio.sleep(0)
        turn.end()

    async with anyio.create_task_group() as group:
        for index in range(5):
            group.start_soon(writer, index)
            await _until(lambda index=index: queue.waiting == index + 1)
        assert order == []  # nobody writes while a turn is held
        held.end()
        held.end()  # ending a turn twice lets in one writer, not two
    assert order == [0, 1, 2, 3, 4] and queue.waiting == 0


async def test_a_write_finding_the_queue_full_is_refused_at_once() -> None:
    queue = WriteQueue(limit=2)
    held = await queue.turn()
    turns: list[WriteTurn] = []

    async def waiter() -> None:
        turns.append(await queue.turn())
        turns[-1].end()

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        group.start_soon(waiter)
        await _until(lambda: queue.waiting == 2)
        with pytest.raises(BusyError) as refused:
            await queue.turn()
        assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
        held.end()
    assert len(turns) == 2 and queue.waiting == 0
    (await queue.turn()).end()  # room again once the queue drained


async def test_a_registration_beyond_the_queue_is_a_503_problem_with_retry_after(
    world: World, session: Session
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait on row locks, not in a queue")
    district = await world.district()
    process = await world.process(district)
    workshop = await world.workshop(process["id"])
    url = f"/workshops/{workshop['id']}/registrations"
    body = {"actor_category": "citizen", "count": 1}
    app = world.client.app  # type: ignore[attr-defined]
    queue = app.state.write_queue = WriteQueue(limit=1)
    held = await queue.turn()
    async with anyio.create_task_group() as group:
        answers = []

        async def queued() -> None:
            answers.append(await world.client.post(url, json=body, headers=world.admin))

        group.start_soon(queued)
        await _until(lambda: queue.waiting == 1)
        refused = await world.client.post(url, json=body, headers=world.admin)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 503
        held.end()
    assert [a.status_code for a in answers] == [201]
    listed = await world.client.get(url, headers=world.admin)
    assert len(listed.json()["items"]) == 1  # the refused one wrote nothing
