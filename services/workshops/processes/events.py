"""Event types and payloads of the processes domain (the catalogue consumers rely on)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# Stream types
PROGRAMME = "programme"
EDITION = "edition"
PROCESS = "process"
WORKSHOP = "workshop"

# Event types
PROGRAMME_CREATED = "programme.created"
EDITION_CREATED = "edition.created"
EDITION_DISTRICT_ADDED = "edition.district_added"
PROCESS_CREATED = "process.created"
PROCESS_UPDATED = "process.updated"
PROCESS_PHASE_ADDED = "process.phase_added"
PROCESS_PHASE_CHANGED = "process.phase_changed"
PROCESS_STATUS_CHANGED = "process.status_changed"
WORKSHOP_SCHEDULED = "workshop.scheduled"
WORKSHOP_UPDATED = "workshop.updated"
WORKSHOP_STATUS_CHANGED = "workshop.status_changed"
WORKSHOP_REGISTRATION_ADDED = "workshop.registration_added"
WORKSHOP_REGISTRATION_CANCELLED = "workshop.registration_cancelled"
WORKSHOP_REGISTRATION_PROMOTED = "workshop.registration_promoted"
WORKSHOP_ATTENDANCE_RECORDED = "workshop.attendance_recorded"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class ProgrammeCreated(_Payload):
    """A programme was created."""

    programme_id: str
    name: str
    description: str


class EditionCreated(_Payload):
    """An edition of a programme was created."""

    edition_id: str
    programme_id: str
    name: str
    district_ids: list[str]
    starts_on: str | None
    ends_on: str | None


class EditionDistrictAdded(_Payload):
    """A district joined an edition."""

    edition_id: str
    programme_id: str
    district_id: str


class ProcessCreated(_Payload):
    """A process was created with its identity card (the full state, so as-of folds start here)."""

    process_id: str
    district_id: str
    edition_id: str | None
    title: str
    purpose: str
    weight: str
    transformations: str
    methods_and_tools: str
    distinctive_marks: str
    started_on: str | None
    location: str
    stature: dict[str, Any]
    contacts: list[dict[str, Any]]
    status: str


class ProcessUpdated(_Payload):
    """Identity-card fields changed: ``changes`` holds the new values of the changed fields only."""

    process_id: str
    district_id: str
    changes: dict[str, Any]


class ProcessPhaseAdded(_Payload):
    """A phase was added to a process."""

    process_id: str
    district_id: str
    phase_id: str
    name: str
    starts_on: str | None
    ends_on: str | None
    is_current: bool
    position: int
    open_to_proposals: bool = False


class ProcessPhaseChanged(_Payload):
    """A phase changed (dates, name, or it became the current phase)."""

    process_id: str
    district_id: str
    phase_id: str
    changes: dict[str, Any]


class ProcessStatusChanged(_Payload):
    """A process moved to draft, active or closed."""

    process_id: str
    district_id: str
    status: str
    previous_status: str
    closed_on: str | None = None


class WorkshopScheduled(_Payload):
    """A workshop was scheduled."""

    workshop_id: str
    process_id: str
    district_id: str
    edition_id: str | None
    method: str
    title: str
    starts_at: str
    ends_at: str
    venue: str | None
    online_url: str | None
    capacity: int | None
    facilitator_ids: list[str]
    status: str


class WorkshopUpdated(_Payload):
    """Workshop fields changed: ``changes`` holds the new values."""

    workshop_id: str
    process_id: str
    district_id: str
    changes: dict[str, Any]


class WorkshopStatusChanged(_Payload):
    """A workshop was confirmed, held, cancelled or postponed."""

    workshop_id: str
    process_id: str
    district_id: str
    status: str
    previous_status: str
    reason: str | None


class WorkshopRegistrationAdded(_Payload):
    """A person or an anonymous group registered (``waitlisted`` when the workshop was full)."""

    workshop_id: str
    process_id: str
    district_id: str
    registration_id: str
    person_id: str | None
    actor_category: str
    count: int
    waitlisted: bool


class WorkshopRegistrationCancelled(_Payload):
    """A registration was cancelled (its seats go to the waiting list)."""

    workshop_id: str
    process_id: str
    district_id: str
    registration_id: str
    person_id: str | None
    actor_category: str
    count: int
    waitlisted: bool


class WorkshopRegistrationPromoted(_Payload):
    """A waitlisted registration got a seat."""

    workshop_id: str
    process_id: str
    district_id: str
    registration_id: str
    person_id: str | None
    actor_category: str
    count: int


class WorkshopAttendanceRecorded(_Payload):
    """Attendance was taken after the workshop (replaces any earlier record)."""

    workshop_id: str
    process_id: str
    district_id: str
    present: list[str]
    absent: list[str]
    anonymous_counts: dict[str, int]


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    PROGRAMME_CREATED: ProgrammeCreated,
    EDITION_CREATED: EditionCreated,
    EDITION_DISTRICT_ADDED: EditionDistrictAdded,
    PROCESS_CREATED: ProcessCreated,
    PROCESS_UPDATED: ProcessUpdated,
    PROCESS_PHASE_ADDED: ProcessPhaseAdded,
    PROCESS_PHASE_CHANGED: ProcessPhaseChanged,
    PROCESS_STATUS_CHANGED: ProcessStatusChanged,
    WORKSHOP_SCHEDULED: WorkshopScheduled,
    WORKSHOP_UPDATED: WorkshopUpdated,
    WORKSHOP_STATUS_CHANGED: WorkshopStatusChanged,
    WORKSHOP_REGISTRATION_ADDED: WorkshopRegistrationAdded,
    WORKSHOP_REGISTRATION_CANCELLED: WorkshopRegistrationCancelled,
    WORKSHOP_REGISTRATION_PROMOTED: WorkshopRegistrationPromoted,
    WORKSHOP_ATTENDANCE_RECORDED: WorkshopAttendanceRecorded,
}
