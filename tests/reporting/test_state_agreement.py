"""Reports agree with the API on every state of every state machine.

The paths are generated from the producers' state machines (the priority cycle's ``TRANSITIONS``, the
workshops' ``ALLOWED_TRANSITIONS``, the process status rules probed through the API, the invention
hand-over), driven through the workshops API; after each step the API's answer is compared with the
timeline, the diary, the dashboard and every open-data file, after live consumption and after a rebuild.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.reporting.consumer import catch_up, rebuild
from services.workshops.outcomes.models import PriorityState
from services.workshops.outcomes.statemachine import TRANSITIONS, PriorityAction
from services.workshops.processes.models import ProcessStatus, WorkshopStatus
from services.workshops.processes.scheduling.service import ALLOWED_TRANSITIONS

pytestmark = pytest.mark.anyio

OPEN_DATASETS = ("processes", "workshops", "inventions", "priorities")


def priority_paths() -> list[list[PriorityAction]]:
    """Every maximal path of the priority cycle from ``proposed`` (it has no loops)."""
    paths: list[list[PriorityAction]] = []

    def walk(state: PriorityState, path: list[PriorityAction]) -> None:
        steps = [(action, target) for (source, action), target in TRANSITIONS.items() if source is state]
        if not steps:
            paths.append(path)
        for action, target in steps:
            walk(target, [*path, action])

    walk(PriorityState.PROPOSED, [])
    return paths


def reachable(state: PriorityState) -> set[str]:
    """``state`` and every state after it in the cycle."""
    seen = {state}
    frontier = [state]
    while frontier:
        current = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    return {s.value for s in seen}


def workshop_walk() -> list[WorkshopStatus]:
    """A walk from ``planned`` taking every transition of the workshop graph that does not end it.

    Transitions into a terminal status (held) are taken last, one per workshop (see the test).
    """
    terminal = {s for s, targets in ALLOWED_TRANSITIONS.items() if not targets}
    todo = {(s, t) for s, targets in ALLOWED_TRANSITIONS.items() for t in targets if t not in terminal}
    walk: list[WorkshopStatus] = []
    current = WorkshopStatus.PLANNED
    while todo:
        ahead = sorted(t for s, t in todo if s is current)
        if ahead:
            todo.discard((current, ahead[0]))
            current = ahead[0]
            walk.append(current)
            continue
        # Go the shortest way to a status that still has an untaken transition.
        previous: dict[WorkshopStatus, WorkshopStatus] = {}
        frontier = [current]
        goal = None
        while frontier and goal is None:
            nxt = []
            for state in frontier:
                for target in sorted(ALLOWED_TRANSITIONS[state] - terminal):
                    if target not in previous and target is not current:
                        previous[target] = state
                        if any(s is target for s, _ in todo):
                            goal = target
                            break
                        nxt.append(target)
                if goal is not None:
                    break
            frontier = nxt
        assert goal is not None, f"untaken transitions unreachable: {todo}"
        route = [goal]
        while previous[route[-1]] is not current:
            route.append(previous[route[-1]])
        for state in reversed(route):
            todo.discard((current, state))
            current = state
            walk.append(state)
    return walk


class World:
    """The API clients, the ids made so far and the comparisons."""

    def __init__(
        self,
        session: Session,
        workshops: httpx.AsyncClient,
        reporting: httpx.AsyncClient,
        headers: dict[str, str],
    ) -> None:
        self.session = session
        self.workshops = workshops
        self.reporting = reporting
        self.h = headers
        self.district = ""
        self.edition = ""
        self.process = ""
        self.processes: list[str] = []
        self.workshop_ids: list[str] = []
        self.priority_ids: list[str] = []
        self.invention_ids: list[str] = []

    async def ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, (response.request.method, response.request.url, response.text)
        return dict(response.json())

    async def api(self, path: str) -> dict[str, Any]:
        return await self.ok(await self.workshops.get(path, headers=self.h))

    async def open_data(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every open dataset, JSON and CSV, keyed by row id (the CSV must say what the JSON says)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for dataset in OPEN_DATASETS:
            rows = (await self.reporting.get(f"/opendata/{dataset}.json")).json()
            text = (await self.reporting.get(f"/opendata/{dataset}.csv")).text
            from_csv = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
            by_id = {row["id"]: row for row in rows}
            assert set(from_csv) == set(by_id), dataset
            for row_id, row in by_id.items():
                for key, value in row.items():
                    assert from_csv[row_id][key] == ("" if value is None else str(value)), (dataset, key)
            out[dataset] = by_id
        return out

    async def compare(self, what: str) -> None:
        """Live consumption, then a rebuild: both must agree with the API."""
        catch_up(self.session)
        await self._compare(f"{what} (live)")
        rebuild(self.session)
        await self._compare(f"{what} (rebuilt)")

    async def _compare(self, what: str) -> None:
        diary = await self.ok(
            await self.reporting.get(f"/districts/{self.district}/diary", params={"edition": self.edition})
        )
        dashboard = await self.ok(await self.reporting.get("/dashboard", params={"edition": self.edition}))
        data = await self.open_data()
        timelines: dict[str, list[dict[str, Any]]] = {}
        for process_id in self.processes:
            # The latest state is the log's last word (order=log): a back-dated step may sort earlier by occurrence.
            timeline = await self.ok(
                await self.reporting.get(
                    f"/processes/{process_id}/timeline", params={"order": "log", "limit": 1000}
                )
            )
            timelines[process_id] = timeline["items"]
        entries = [item for items in timelines.values() for item in items]

        def last_state(stream_type: str, stream_id: str) -> str | None:
            states = [
                e["state"]
                for e in entries
                if e["stream_type"] == stream_type and e["stream_id"] == stream_id and e["state"]
            ]
            return states[-1] if states else None

        # Processes.
        diary_processes = {p["id"]: p for p in diary["processes"]}
        for process_id in self.processes:
            status = (await self.api(f"/processes/{process_id}"))["status"]
            assert last_state("process", process_id) == status, what
            assert diary_processes[process_id]["status"] == status, what
            assert data["processes"][process_id]["status"] == status, what

        # Workshops.
        api_workshops = {w: (await self.api(f"/workshops/{w}"))["status"] for w in self.workshop_ids}
        diary_workshops = {w["id"]: w for w in diary["workshops"]["items"]}
        for workshop_id, status in api_workshops.items():
            assert last_state("workshop", workshop_id) == status, (what, workshop_id)
            assert diary_workshops[workshop_id]["status"] == status, (what, workshop_id)
            assert data["workshops"][workshop_id]["status"] == status, (what, workshop_id)
        statuses = Counter(api_workshops.values())
        scheduled = sum(n for s, n in statuses.items() if s != WorkshopStatus.CANCELLED.value)
        for summary in (diary["summary"], dashboard["summary"]):
            assert summary["workshops_held"] == statuses[WorkshopStatus.HELD.value], what
            assert summary["workshops_scheduled"] == scheduled, what
        assert diary["workshops"]["held"] == statuses[WorkshopStatus.HELD.value], what

        # Priorities: each row, the counts by status and the dashboard's buckets.
        api_priorities = {p: (await self.api(f"/priorities/{p}"))["state"] for p in self.priority_ids}
        diary_priorities = {p["id"]: p for p in diary["priorities"]["items"]}
        for priority_id, state in api_priorities.items():
            assert last_state("priority", priority_id) == state, (what, priority_id)
            assert diary_priorities[priority_id]["status"] == state, (what, priority_id)
            assert data["priorities"][priority_id]["status"] == state, (what, priority_id)
        by_status = dict(sorted(Counter(api_priorities.values()).items()))
        assert diary["priorities"]["by_status"] == by_status, what
        assert dashboard["priorities_by_status"] == by_status, what
        states = list(api_priorities.values())
        buckets = {
            "validated": sum(1 for s in states if s in reachable(PriorityState.VALIDATED)),
            "rejected": sum(1 for s in states if s in reachable(PriorityState.REJECTED)),
            "pending": sum(1 for s in states if s in ("proposed", "submitted")),
            "reported": sum(1 for s in states if s in reachable(PriorityState.REPORTED)),
        }
        assert diary["priorities"]["by_outcome"] == buckets, what
        assert dashboard["priorities_by_outcome"] == buckets, what
        assert diary["summary"]["priorities_validated"] == buckets["validated"], what

        # Inventions: the hand-over the API shows is the one the reports show.
        diary_inventions = {
            i["id"]: i for items in diary["inventions"]["items_by_theme"].values() for i in items
        }
        total_handovers = 0
        for invention_id in self.invention_ids:
            handover = (await self.api(f"/inventions/{invention_id}"))["handover"]
            shown = diary_inventions[invention_id]["handovers"]
            total_handovers += 1 if handover else 0
            assert data["inventions"][invention_id]["handovers"] == (1 if handover else 0), what
            if handover is None:
                assert shown == [], what
                continue
            assert len(shown) == 1, what
            assert shown[0]["to_district_id"] == handover["to_district_id"], what
            assert shown[0]["to_organisation_id"] == handover["to_organisation_id"], what
            assert shown[0]["on"] == handover["on"], what
            handed = [
                e
                for e in entries
                if e["stream_id"] == invention_id and e["event_type"] == "invention.handed_over"
            ]
            to_en = "to another district" if handover["to_district_id"] else "to an organisation"
            on = date.fromisoformat(handover["on"])
            on_en = f"{on.day} {on.strftime('%B')} {on.year}"  # the English timeline's own date format
            assert to_en in handed[-1]["sentence"]["en"] and on_en in handed[-1]["sentence"]["en"], what
        assert diary["inventions"]["handovers"] == total_handovers, what
        assert dashboard["summary"]["handovers"] == total_handovers, what

    async def workshop(self, process_id: str, method: str, day: int) -> str:
        body = {
            "method": method,
            "title": f"Laboratorio {method} {day}",
            "starts_at": f"2019-02-{day:02d}T16:00:00Z",
            "ends_at": f"2019-02-{day:02d}T19:00:00Z",
            "facilitator_ids": [],
        }
        created = await self.ok(
            await self.workshops.post(f"/processes/{process_id}/workshops", json=body, headers=self.h), 201
        )
        self.workshop_ids.append(created["id"])
        return str(created["id"])

    async def set_workshop_status(self, workshop_id: str, status: WorkshopStatus) -> None:
        await self.ok(
            await self.workshops.post(
                f"/workshops/{workshop_id}/status", json={"status": status.value}, headers=self.h
            )
        )


def step_bodies(table: str, restitution: str) -> dict[PriorityAction, dict[str, Any] | None]:
    """The body of each step of the cycle (a new action without one fails the test)."""
    return {
        PriorityAction.SUBMIT: {"year": 2019},
        PriorityAction.VALIDATE: {
            "sitting_date": "2019-02-12",
            "motivation": "Coerente con il Piano di Zona",
        },
        PriorityAction.REJECT: {"sitting_date": "2019-02-12", "motivation": "Fuori dal mandato"},
        PriorityAction.ASSIGN: {"project_table_workshop_ids": [table]},
        PriorityAction.START: None,
        PriorityAction.REPORT: {"outcome": "partly_achieved", "restitution_workshop_id": restitution},
        PriorityAction.LINK_PLAN_ACTION: {"plan_action": "PdZ-2019-07"},
    }


@pytest.mark.slow  # about 40 steps, each compared live and after a rebuild: over a minute on SQLite
async def test_reports_agree_with_the_api_on_every_state(
    session: Session,
    registry_client: httpx.AsyncClient,
    workshops_client: httpx.AsyncClient,
    reporting_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
) -> None:
    world = World(session, workshops_client, reporting_client, admin_headers)
    h = admin_headers
    world.district = (
        await world.ok(await registry_client.post("/districts", json={"name": "Distretto"}, headers=h), 201)
    )["id"]
    other_district = (
        await world.ok(await registry_client.post("/districts", json={"name": "Vicino"}, headers=h), 201)
    )["id"]
    organisation = (
        await world.ok(
            await registry_client.post(
                "/organisations",
                json={"name": "Cooperativa", "kind": "social_cooperative", "district_ids": [other_district]},
                headers=h,
            ),
            201,
        )
    )["id"]
    programme = await world.ok(
        await workshops_client.post("/programmes", json={"name": "Community Lab"}, headers=h), 201
    )
    world.edition = (
        await world.ok(
            await workshops_client.post(
                f"/programmes/{programme['id']}/editions",
                json={"name": "Community Lab 2018-2019", "district_ids": [world.district]},
                headers=h,
            ),
            201,
        )
    )["id"]

    async def new_process(title: str, status: str = "active") -> str:
        body = {"district_id": world.district, "edition_id": world.edition, "title": title, "status": status}
        created = await world.ok(await workshops_client.post("/processes", json=body, headers=h), 201)
        world.processes.append(created["id"])
        return str(created["id"])

    world.process = await new_process("Percorso")
    await world.compare("process created")

    # Workshops: one walks every transition that keeps it open; each transition into held gets its own.
    walker = await world.workshop(world.process, "world_cafe", 1)
    await world.compare("workshop planned")
    for index, status in enumerate(workshop_walk()):
        await world.set_workshop_status(walker, status)
        await world.compare(f"workshop step {index}: {status.value}")
    terminal = {s for s, targets in ALLOWED_TRANSITIONS.items() if not targets}
    into_terminal = sorted(
        (s, t) for s, targets in ALLOWED_TRANSITIONS.items() for t in targets if t in terminal
    )
    for day, (source, target) in enumerate(into_terminal, start=2):
        workshop_id = await world.workshop(world.process, "open_space_technology", day)
        if source is not WorkshopStatus.PLANNED:
            await world.set_workshop_status(workshop_id, source)
        await world.set_workshop_status(workshop_id, target)
        await world.compare(f"workshop {source.value} -> {target.value}")

    # Priorities: every path of the cycle, one priority each, compared after every step.
    table = await world.workshop(world.process, "project_table", 20)
    restitution = await world.workshop(world.process, "restitution_event", 21)
    bodies = step_bodies(table, restitution)
    for path in priority_paths():
        proposed = await world.ok(
            await workshops_client.post(
                "/priorities",
                json={
                    "district_id": world.district,
                    "workshop_id": walker,
                    "source": "workshop",
                    "title": "Priorità " + "-".join(a.value for a in path),
                },
                headers=h,
            ),
            201,
        )
        world.priority_ids.append(proposed["id"])
        await world.compare("priority proposed")
        for action in path:
            await world.ok(
                await workshops_client.post(
                    f"/priorities/{proposed['id']}/{action.value}", json=bodies[action], headers=h
                )
            )
            await world.compare(f"priority {action.value}")
    # Inventions: not handed over, handed over to a district, then to an organisation instead.
    invention = await world.ok(
        await workshops_client.post(
            "/inventions",
            json={
                "process_id": world.process,
                "title": "Sportello di prossimità",
                "description": "Un punto di ascolto",
                "kind": "service_organisation",
                "theme": "oltre_i_servizi",
            },
            headers=h,
        ),
        201,
    )
    world.invention_ids.append(invention["id"])
    await world.compare("invention created")
    for recipient in ({"to_district_id": other_district}, {"to_organisation_id": organisation}):
        await world.ok(
            await workshops_client.post(
                f"/inventions/{invention['id']}/handover", json={"on": "2019-05-10", **recipient}, headers=h
            )
        )
        await world.compare(f"invention handed over {recipient}")

    # Process status: the transitions are probed through the API from every status reached (a process is
    # created draft or active; each status is reached by the shortest path found so far).
    reached: dict[ProcessStatus, tuple[ProcessStatus, list[ProcessStatus]]] = {
        ProcessStatus.ACTIVE: (ProcessStatus.ACTIVE, []),
        ProcessStatus.DRAFT: (ProcessStatus.DRAFT, []),
    }
    frontier = list(reached)
    taken: list[tuple[str, str]] = []
    while frontier:
        source = frontier.pop(0)
        created_as, path = reached[source]
        for target in ProcessStatus:
            if target is source:
                continue
            process_id = await new_process(f"Percorso {source.value} {target.value}", status=created_as.value)
            for status in path:
                await world.ok(
                    await workshops_client.post(
                        f"/processes/{process_id}/status", json={"status": status.value}, headers=h
                    )
                )
            response = await workshops_client.post(
                f"/processes/{process_id}/status", json={"status": target.value}, headers=h
            )
            assert response.status_code in (200, 409), response.text
            if response.status_code == 200:
                taken.append((source.value, target.value))
                if target not in reached:
                    reached[target] = (created_as, [*path, target])
                    frontier.append(target)
            await world.compare(f"process {source.value} -> {target.value} ({response.status_code})")
    assert set(reached) == set(ProcessStatus), reached

    # Every state of every machine was visited.
    history_states = {
        h["to_state"] for p in world.priority_ids for h in (await world.api(f"/priorities/{p}"))["history"]
    }
    assert history_states == reachable(PriorityState.PROPOSED)
    workshop_states = {WorkshopStatus.PLANNED, *workshop_walk(), *(t for _, t in into_terminal)}
    assert workshop_states == set(WorkshopStatus)
