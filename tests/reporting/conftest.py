"""Factories for reporting tests: append catalogue events straight to the log (no producer routes needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from shared.eventlog import NewEvent, append, stream_version


def new_id() -> str:
    """A fresh aggregate id."""
    return str(uuid.uuid4())


def square(lon: float, lat: float, size: float = 0.2) -> dict[str, Any]:
    """A small square GeoJSON polygon (a district boundary for the map)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


# The state the workshops API gives a priority after each step (its events carry it as ``to_state``).
PRODUCER_STATES = {"started": "in_progress"}


class EventScript:
    """Appends events of the catalogue in the test session, as the producers would."""

    def __init__(self, session: Session):
        self.session = session

    def emit(
        self,
        stream_type: str,
        stream_id: str,
        event_type: str,
        payload: dict[str, Any],
        *,
        district_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Append one event at the end of its stream."""
        version = stream_version(self.session, stream_type, stream_id)
        append(
            self.session,
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=version,
            events_to_append=[NewEvent(event_type, payload)],
            district_id=district_id or payload.get("district_id"),
            occurred_at=at,
        )

    # registry
    def district(
        self,
        name: str,
        *,
        code: str,
        population: int | None = None,
        boundary: dict[str, Any] | None = None,
        province: str = "Bologna",
    ) -> str:
        district_id = new_id()
        self.emit(
            "district",
            district_id,
            "district.created",
            {
                "district_id": district_id,
                "name": name,
                "regional_code": code,
                "province": province,
                "health_authority": "AUSL di Bologna",
                "valid_from": None,
                "valid_to": None,
                "boundary": boundary,
            },
        )
        if population is not None:
            self.emit(
                "district",
                district_id,
                "district.population_set",
                {"district_id": district_id, "year": 2018, "population": population},
            )
        return district_id

    def person(self, category: str, district_id: str) -> str:
        person_id = new_id()
        self.emit(
            "person",
            person_id,
            "person.registered",
            {
                "person_id": person_id,
                "actor_category": category,
                "organisation_ids": [],
                "district_ids": [district_id],
            },
        )
        return person_id

    def steering_group(self, district_id: str, process_id: str, kind: str = "steering_group_core") -> str:
        body_id = new_id()
        self.emit(
            "body",
            body_id,
            "body.created",
            {
                "body_id": body_id,
                "district_id": district_id,
                "kind": kind,
                "name": "Cabina",
                "process_id": process_id,
            },
        )
        return body_id

    def member_added(self, body_id: str, district_id: str, person_id: str, *, role: str, on: str) -> None:
        self.emit(
            "body",
            body_id,
            "body.member_added",
            {
                "body_id": body_id,
                "district_id": district_id,
                "kind": "steering_group_core",
                "membership_id": new_id(),
                "person_id": person_id,
                "role": role,
                "valid_from": on,
                "valid_to": None,
                "process_id": None,
            },
        )

    # workshops / processes
    def programme(self, name: str) -> str:
        programme_id = new_id()
        self.emit(
            "programme",
            programme_id,
            "programme.created",
            {"programme_id": programme_id, "name": name, "description": ""},
        )
        return programme_id

    def edition(
        self, programme_id: str, name: str, district_ids: list[str], starts_on: str, ends_on: str
    ) -> str:
        edition_id = new_id()
        self.emit(
            "edition",
            edition_id,
            "edition.created",
            {
                "edition_id": edition_id,
                "programme_id": programme_id,
                "name": name,
                "district_ids": district_ids,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
        return edition_id

    def process(self, district_id: str, edition_id: str | None, title: str, **card: Any) -> str:
        process_id = new_id()
        self.emit(
            "process",
            process_id,
            "process.created",
            {
                "process_id": process_id,
                "district_id": district_id,
                "edition_id": edition_id,
                "title": title,
                "purpose": card.get("purpose", "Coinvolgere la comunità nel Piano di Zona"),
                "weight": "",
                "transformations": "",
                "methods_and_tools": "OST, World Café",
                "distinctive_marks": "",
                "started_on": card.get("started_on", "2018-10-01"),
                "location": "",
                "stature": {"core_steering_group": 6, "extended_steering_group": 20},
                "contacts": [],
                "status": "active",
            },
        )
        return process_id

    def workshop(
        self,
        process_id: str,
        district_id: str,
        *,
        method: str,
        title: str,
        starts_at: str,
        status: str = "planned",
    ) -> str:
        workshop_id = new_id()
        self.emit(
            "workshop",
            workshop_id,
            "workshop.scheduled",
            {
                "workshop_id": workshop_id,
                "process_id": process_id,
                "district_id": district_id,
                "edition_id": None,
                "method": method,
                "title": title,
                "starts_at": starts_at,
                "ends_at": starts_at,
                "venue": None,
                "online_url": None,
                "capacity": 40,
                "facilitator_ids": [new_id()],
                "status": status,
            },
        )
        return workshop_id

    def held(self, workshop_id: str, process_id: str, district_id: str) -> None:
        self.emit(
            "workshop",
            workshop_id,
            "workshop.status_changed",
            {
                "workshop_id": workshop_id,
                "process_id": process_id,
                "district_id": district_id,
                "status": "held",
                "previous_status": "confirmed",
                "reason": None,
            },
        )

    def attendance(
        self,
        workshop_id: str,
        process_id: str,
        district_id: str,
        present: list[str],
        anonymous: dict[str, int] | None = None,
    ) -> None:
        self.emit(
            "workshop",
            workshop_id,
            "workshop.attendance_recorded",
            {
                "workshop_id": workshop_id,
                "process_id": process_id,
                "district_id": district_id,
                "present": present,
                "absent": [],
                "anonymous_counts": anonymous or {},
            },
        )

    # workshops / outcomes
    def invention(self, process_id: str, district_id: str, edition_id: str, *, title: str, theme: str) -> str:
        invention_id = new_id()
        self.emit(
            "invention",
            invention_id,
            "invention.created",
            {
                "invention_id": invention_id,
                "process_id": process_id,
                "district_id": district_id,
                "edition_id": edition_id,
                "workshop_id": None,
                "origin": None,
                "title": title,
                "kind": "practice",
                "theme": theme,
                "person_ids": [],
                "organisation_ids": [],
                "attachment_count": 0,
            },
        )
        return invention_id

    def hand_over(
        self, invention_id: str, process_id: str, district_id: str, to_district_id: str, on: str
    ) -> None:
        self.emit(
            "invention",
            invention_id,
            "invention.handed_over",
            {
                "invention_id": invention_id,
                "process_id": process_id,
                "district_id": district_id,
                "to_district_id": to_district_id,
                "to_organisation_id": None,
                "on": on,
                "note": None,
            },
        )

    def priority(
        self, process_id: str | None, district_id: str, title: str, edition_id: str | None = None
    ) -> str:
        priority_id = new_id()
        self.emit(
            "priority",
            priority_id,
            "priority.proposed",
            {
                "priority_id": priority_id,
                "process_id": process_id,
                "district_id": district_id,
                "from_state": None,
                "to_state": "proposed",
                "title": title,
                "source": "process",
                "workshop_id": None,
                "edition_id": edition_id,
                "origin": None,
            },
        )
        return priority_id

    def priority_step(
        self,
        priority_id: str,
        process_id: str | None,
        district_id: str,
        step: str,
        *,
        at: datetime | None = None,
        **extra: Any,
    ) -> None:
        self.emit(
            "priority",
            priority_id,
            f"priority.{step}",
            {
                "priority_id": priority_id,
                "process_id": process_id,
                "district_id": district_id,
                "from_state": None,
                "to_state": PRODUCER_STATES.get(step, step),
                **extra,
            },
            at=at,
        )

    def evaluation(
        self,
        process_id: str,
        district_id: str,
        edition_id: str,
        answers: dict[str, Any],
        scales: dict[str, list[int]] | None = None,
    ) -> str:
        response_id = new_id()
        self.emit(
            "evaluation_response",
            response_id,
            "evaluation.response_recorded",
            {
                "response_id": response_id,
                "template_id": new_id(),
                "template_version": 1,
                "process_id": process_id,
                "workshop_id": None,
                "district_id": district_id,
                "edition_id": edition_id,
                "person_id": None,
                "answers": answers,
                **({"scales": scales} if scales is not None else {}),
            },
        )
        return response_id


@pytest.fixture
def script(session: Session) -> EventScript:
    """An event script writing in the test transaction."""
    return EventScript(session)


def at(text: str) -> datetime:
    """An aware UTC datetime from an ISO string."""
    return datetime.fromisoformat(text).astimezone(UTC)
