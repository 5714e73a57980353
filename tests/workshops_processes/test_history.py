"""History and as-of reconstruction, checked against a scripted sequence of changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from services.workshops.processes.history import service as history_service
from services.workshops.processes.history import snapshots as history_snapshots
from services.workshops.processes.models import Process, ProcessSnapshot
from shared.db import utcnow
from shared.eventlog import NewEvent, append
from tests.workshops_processes.conftest import World

pytestmark = pytest.mark.anyio


def _without_as_of(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("as_of", "known_at")}


async def _scripted(world: World) -> tuple[str, list[tuple[str, dict[str, Any]]], list[str]]:
    """Run a scripted sequence of changes; return the process id, (time, snapshot) after each, event types."""
    district = await world.district()
    snapshots: list[tuple[str, dict[str, Any]]] = []
    process = await world.process(
        district,
        status="draft",
        phases=[{"name": "listening", "starts_on": "2015-01-01", "is_current": True}],
    )
    url = f"/processes/{process['id']}"

    async def snap() -> None:
        current = await world.client.get(url)
        snapshots.append((utcnow().isoformat(), current.json()))

    await snap()
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (
            "patch",
            url,
            {"weight": "Le priorità entrano nel Piano di Zona", "stature": {"core_steering_group_size": 6}},
        ),
        ("post", f"{url}/phases", {"name": "co-design", "starts_on": "2016-04-01", "is_current": True}),
        ("post", f"{url}/status", {"status": "active"}),
        (
            "post",
            f"{url}/workshops",
            {
                "method": "open_space_technology",
                "title": "OST",
                "starts_at": "2016-02-20T09:00:00+01:00",
                "ends_at": "2016-02-20T12:00:00+01:00",
            },
        ),
        ("patch", url, {"title": "Aggiungi un posto al tavolo — seconda edizione", "contacts": []}),
        ("post", f"{url}/status", {"status": "closed", "closed_on": "2019-12-31"}),
    ]
    for method, path, body in steps:
        response = await world.client.request(method.upper(), path, json=body, headers=world.admin)
        assert response.status_code in (200, 201), response.text
        await snap()
    expected_types = [
        "process.created",
        "process.phase_added",
        "process.updated",
        "process.phase_added",
        "process.phase_changed",
        "process.status_changed",
        "workshop.scheduled",
        "process.updated",
        "process.status_changed",
    ]
    return process["id"], snapshots, expected_types


async def test_as_of_rebuilds_every_scripted_state(world: World, session: Session) -> None:
    process_id, snapshots, _ = await _scripted(world)
    assert (
        len({s[1]["version"] for s in snapshots}) == len(snapshots) - 1
    )  # the workshop leaves the process as is
    for moment, expected in snapshots:
        rebuilt = await world.client.get(f"/processes/{process_id}", params={"known_at": moment})
        assert rebuilt.status_code == 200, rebuilt.text
        assert rebuilt.json()["known_at"] is not None
        assert _without_as_of(rebuilt.json()) == _without_as_of(expected), moment
        assert rebuilt.headers["ETag"] == f'"{expected["version"]}"'
    # Rome offset in the query works the same as Z.
    first_moment = snapshots[0][0]
    assert first_moment.endswith("+00:00")
    before = await world.client.get(f"/processes/{process_id}", params={"as_of": "2001-01-01T00:00:00Z"})
    assert before.status_code == 404
    naive = await world.client.get(f"/processes/{process_id}", params={"as_of": "2019-03-30T12:00:00"})
    assert naive.status_code == 422


async def test_as_of_comes_from_the_log_not_the_tables(world: World, session: Session) -> None:
    process_id, snapshots, _ = await _scripted(world)
    # Tamper with the current row: the as-of view must not notice.
    session.exec(update(Process).where(Process.id == uuid.UUID(process_id)).values(title="manomesso"))  # type: ignore[call-overload]
    session.flush()
    assert (await world.client.get(f"/processes/{process_id}")).json()["title"] == "manomesso"
    rebuilt = await world.client.get(f"/processes/{process_id}", params={"as_of": utcnow().isoformat()})
    assert rebuilt.json()["title"] == snapshots[-1][1]["title"]


async def test_as_of_folds_from_snapshots_to_the_same_states(
    world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_snapshots, "PROCESS_SNAPSHOT_EVERY", 2)
    process_id, snapshots, _ = await _scripted(world)
    taken = session.exec(
        select(ProcessSnapshot.version).where(ProcessSnapshot.process_id == uuid.UUID(process_id))
    ).all()
    assert sorted(taken) == [2, 4, 6, 8]  # the write path snapshots every 2 versions of the process stream
    for moment, expected in snapshots:
        rebuilt = await world.client.get(f"/processes/{process_id}", params={"known_at": moment})
        assert rebuilt.status_code == 200, rebuilt.text
        assert _without_as_of(rebuilt.json()) == _without_as_of(expected), moment
    before = await world.client.get(f"/processes/{process_id}", params={"as_of": "2001-01-01T00:00:00Z"})
    assert before.status_code == 404


async def test_stale_snapshots_are_ignored_and_backfill_rewrites_them(
    world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    process_id, snapshots, _ = await _scripted(world)  # default interval: no snapshot for 8 events
    pid = uuid.UUID(process_id)
    assert session.exec(select(ProcessSnapshot).where(ProcessSnapshot.process_id == pid)).all() == []
    # A snapshot in a fold format this code does not know must never be served.
    stale_state = {"state": {**snapshots[-1][1], "title": "stale"}, "phases": {}}
    session.add(
        ProcessSnapshot(process_id=pid, version=8, fold_format=999, recorded_at=utcnow(), state=stale_state)
    )
    session.flush()
    now = utcnow().isoformat()
    assert (await world.client.get(f"/processes/{process_id}", params={"as_of": now})).json()["title"] == (
        snapshots[-1][1]["title"]
    )
    monkeypatch.setattr(history_snapshots, "PROCESS_SNAPSHOT_EVERY", 3)
    assert history_snapshots.snapshot_all_processes(session=session) >= 2
    formats = session.exec(
        select(ProcessSnapshot.version, ProcessSnapshot.fold_format).where(ProcessSnapshot.process_id == pid)
    ).all()
    assert sorted(formats) == [
        (3, history_snapshots.PROCESS_FOLD_FORMAT),
        (6, history_snapshots.PROCESS_FOLD_FORMAT),
    ]
    assert history_snapshots.snapshot_process(session=session, process_id=pid) == 0  # safe to repeat
    for moment, expected in snapshots:
        rebuilt = await world.client.get(f"/processes/{process_id}", params={"known_at": moment})
        assert _without_as_of(rebuilt.json()) == _without_as_of(expected), moment


async def test_history_lists_the_scripted_events_in_order_paged(world: World) -> None:
    process_id, _, expected_types = await _scripted(world)
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        response = await world.client.get(f"/processes/{process_id}/history", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
        assert 'rel="next"' in response.headers["Link"]
    assert pages == 3
    assert [e["type"] for e in seen] == expected_types
    positions = [e["position"] for e in seen]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert {e["stream_type"] for e in seen} == {"process", "workshop"}
    assert seen[2]["payload"]["changes"]["weight"] == "Le priorità entrano nel Piano di Zona"
    bad = await world.client.get(f"/processes/{process_id}/history", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422
    missing = await world.client.get(f"/processes/{uuid.uuid4()}/history")
    assert missing.status_code == 404


async def test_registered_history_streams_are_merged(
    world: World, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    district = await world.district()
    process = await world.process(district)
    invention_id = str(uuid.uuid4())
    monkeypatch.setattr(history_service, "_history_providers", [])
    history_service.register_history_streams(
        lambda s, pid: [("invention", invention_id)] if str(pid) == process["id"] else []
    )
    append(
        session,
        stream_type="invention",
        stream_id=invention_id,
        expected_version=0,
        events_to_append=[
            NewEvent("invention.created", {"invention_id": invention_id, "process_id": process["id"]})
        ],
        district_id=district,
    )
    session.flush()
    history = (await world.client.get(f"/processes/{process['id']}/history")).json()
    assert [e["type"] for e in history["items"]] == ["process.created", "invention.created"]


async def test_history_hides_people_from_anonymous_callers(world: World) -> None:
    district = await world.district()
    process = await world.process(district)
    workshop = await world.workshop(process["id"])
    person = await world.person(district)
    registered = await world.client.post(
        f"/workshops/{workshop['id']}/registrations", json={"person_id": person}, headers=world.admin
    )
    assert registered.status_code == 201
    public = (await world.client.get(f"/processes/{process['id']}/history")).json()["items"]
    staff = (await world.client.get(f"/processes/{process['id']}/history", headers=world.admin)).json()[
        "items"
    ]
    assert public[-1]["type"] == "workshop.registration_added" and public[-1]["payload"]["person_id"] is None
    assert staff[-1]["payload"]["person_id"] == person


async def test_as_of_is_valid_time_and_known_at_transaction_time(world: World) -> None:
    """A past process entered today: as_of answers by its dates, known_at by when things were recorded."""
    district = await world.district()
    process = await world.process(district, started_on="2014-01-15", status="active")
    url = f"/processes/{process['id']}"
    recorded_open = utcnow().isoformat()
    closed = await world.client.post(
        f"{url}/status", json={"status": "closed", "closed_on": "2014-09-30"}, headers=world.admin
    )
    assert closed.status_code == 200, closed.text

    async def status(**params: str) -> Any:
        response = await world.client.get(url, params=params)
        return response.json()["status"] if response.status_code == 200 else response.status_code

    assert await status(as_of="2013-12-31") == 404  # not started yet
    assert await status(as_of="2014-06-30") == "active"  # a date is the end of that day, Europe/Rome
    assert await status(as_of="2014-09-30") == "closed"
    assert await status(as_of="2014-09-29T21:59:59Z") == "active"  # 23:59:59 in Rome, the day before
    # What we knew before the closing was recorded: still active, whatever the valid time asked.
    assert await status(known_at=recorded_open) == "active"
    assert await status(as_of="2014-12-31", known_at=recorded_open) == "active"
    assert await status(as_of="2014-12-31") == "closed"
    body = (await world.client.get(url, params={"as_of": "2014-06-30", "known_at": recorded_open})).json()
    assert body["as_of"].startswith("2014-06-30T21:59:59") and body["known_at"] is not None
    bad = await world.client.get(url, params={"known_at": "ieri"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.known_at"
