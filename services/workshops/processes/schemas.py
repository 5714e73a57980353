"""Request and response bodies of the processes domain."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, computed_field, model_validator

from services.workshops.processes.models import ActorCategory, ProcessStatus, WorkshopMethod, WorkshopStatus
from shared.api.schemas import ApiModel, LongText, OptionalText, PatchModel, PublicModel, ShortText, Url

ROME = ZoneInfo("Europe/Rome")

Count = Annotated[int, Field(ge=0, le=1_000_000)]


def to_rome(value: datetime) -> str:
    """An aware timestamp as Europe/Rome local ISO 8601 (for people reading the API)."""
    return value.astimezone(ROME).isoformat()


# --- programmes and editions ---------------------------------------------------------------------------


class ProgrammeCreate(ApiModel):
    """A regional programme (e.g. Community Lab)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Community Lab", "description": "Regional programme for participatory planning."}
            ]
        },
    )

    name: ShortText
    description: LongText = ""


class ProgrammePublic(PublicModel):
    """A programme."""

    id: uuid.UUID
    name: str
    description: str
    version: int
    created_at: datetime


class EditionCreate(ApiModel):
    """An edition of a programme with the districts taking part."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Community Lab 2018-2019",
                    "starts_on": "2018-09-01",
                    "ends_on": "2019-12-31",
                    "district_ids": ["3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10"],
                }
            ]
        },
    )

    name: ShortText
    starts_on: date | None = None
    ends_on: date | None = None
    district_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _dates_in_order(self) -> EditionCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class EditionDistrictAdd(ApiModel):
    """A district joining an edition."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"district_id": "3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10"}]},
    )

    district_id: uuid.UUID


class EditionPublic(PublicModel):
    """An edition of a programme."""

    id: uuid.UUID
    programme_id: uuid.UUID
    name: str
    starts_on: date | None
    ends_on: date | None
    district_ids: list[str]
    version: int
    created_at: datetime


# --- processes --------------------------------------------------------------------------------------------


class Stature(BaseModel):
    """*Statura*: steering-group sizes and people involved by actor category."""

    model_config = ConfigDict(extra="forbid")

    core_steering_group_size: Count | None = None
    extended_steering_group_size: Count | None = None
    people_involved: dict[ActorCategory, Count] = Field(default_factory=dict, max_length=20)


class Contact(BaseModel):
    """A contact of the process: a registry person or organisation, with the role they play (no personal data)."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    role: OptionalText = ""


class PhaseCreate(ApiModel):
    """A phase of a process."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "listening", "starts_on": "2018-10-01", "ends_on": "2018-12-31", "is_current": True}
            ]
        },
    )

    name: ShortText
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> PhaseCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class PhaseUpdate(PatchModel):
    """Changes to a phase; ``is_current: true`` makes it the current phase."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ends_on": "2019-01-31", "is_current": True}]}
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"starts_on", "ends_on"})

    name: ShortText | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool | None = None


class PhasePublic(PublicModel):
    """A phase of a process."""

    id: uuid.UUID
    name: str
    starts_on: date | None
    ends_on: date | None
    is_current: bool
    position: int


_PROCESS_EXAMPLE: dict[str, Any] = {
    "district_id": "3f2b8c1e-8a44-4a4e-9c61-2a0d6f1d9b10",
    "title": "Aggiungi un posto al tavolo",
    "purpose": "Ripensare insieme i servizi per le famiglie fragili",
    "weight": "Le priorità emerse entrano nel Piano di Zona",
    "transformations": "Nuovi tavoli tra servizi e associazioni",
    "methods_and_tools": "Open Space Technology, World Café",
    "distinctive_marks": "Cittadini nella cabina di regia",
    "started_on": "2015-12-18",
    "location": "Unione dei Comuni della Bassa Romagna",
    "stature": {
        "core_steering_group_size": 6,
        "extended_steering_group_size": 20,
        "people_involved": {"citizen": 120, "third_sector": 30},
    },
    "contacts": [{"organisation_id": "8c0a4f5e-1d2b-4c3d-9e8f-7a6b5c4d3e2f", "role": "Ufficio di Piano"}],
    "phases": [{"name": "listening", "starts_on": "2015-12-18", "ends_on": "2016-03-31", "is_current": True}],
}


class ProcessCreate(ApiModel):
    """A participatory process of a district with its identity card."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PROCESS_EXAMPLE]})

    district_id: uuid.UUID
    edition_id: uuid.UUID | None = None
    title: ShortText
    purpose: LongText = ""
    weight: LongText = ""
    transformations: LongText = ""
    methods_and_tools: LongText = ""
    distinctive_marks: LongText = ""
    started_on: date | None = None
    location: OptionalText = ""
    stature: Stature = Field(default_factory=Stature)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    phases: list[PhaseCreate] = Field(default_factory=list, max_length=50)
    status: ProcessStatus = ProcessStatus.DRAFT


class ProcessUpdate(PatchModel):
    """Changes to a process's identity card (only the fields sent change)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"weight": "Tre priorità validate dal Comitato di Distretto"}]},
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "edition_id",
            "started_on",
            "purpose",
            "weight",
            "transformations",
            "methods_and_tools",
            "distinctive_marks",
        }
    )

    edition_id: uuid.UUID | None = None
    title: ShortText | None = None
    purpose: LongText | None = None
    weight: LongText | None = None
    transformations: LongText | None = None
    methods_and_tools: LongText | None = None
    distinctive_marks: LongText | None = None
    started_on: date | None = None
    location: OptionalText | None = None
    stature: Stature | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=50)


class ProcessStatusChange(ApiModel):
    """Move a process to draft, active or closed."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "closed", "closed_on": "2019-12-31"}]}
    )

    status: ProcessStatus
    closed_on: date | None = None


class ProcessPublic(PublicModel):
    """A process with its identity card and phases."""

    id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    title: str
    purpose: str
    weight: str
    transformations: str
    methods_and_tools: str
    distinctive_marks: str
    started_on: date | None
    location: str
    stature: dict[str, Any]
    contacts: list[dict[str, Any]]
    status: ProcessStatus
    closed_on: date | None
    phases: list[PhasePublic] = Field(default_factory=list)
    version: int
    as_of: datetime | None = Field(default=None, description="Set when the process was rebuilt as of a time.")


# --- workshops --------------------------------------------------------------------------------------------


_WORKSHOP_EXAMPLE: dict[str, Any] = {
    "method": "world_cafe",
    "title": "World Café: la casa come luogo di cura",
    "description": "Tre giri di tavoli e un raccolto finale.",
    "starts_at": "2016-02-20T09:00:00+01:00",
    "ends_at": "2016-02-20T12:30:00+01:00",
    "online_url": "https://meet.example.org/world-cafe",
    "capacity": 40,
    "facilitator_ids": [],
}


class WorkshopCreate(ApiModel):
    """A workshop of a process."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_WORKSHOP_EXAMPLE]})

    method: WorkshopMethod
    title: ShortText
    description: LongText = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: ShortText | None = Field(
        default=None,
        description="Where it takes place, e.g. `Sala del Carmine, Lugo`; booked once at a time.",
    )
    online_url: Url | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Seats; registrations beyond it go on the waiting list. Null: no limit."
    )
    facilitator_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Registry person ids; each booked once at a time."
    )
    status: WorkshopStatus = Field(default=WorkshopStatus.PLANNED, description="planned or confirmed")


class WorkshopUpdate(PatchModel):
    """Changes to a workshop (only the fields sent change); not allowed once it was held."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"starts_at": "2016-02-27T09:00:00+01:00", "ends_at": "2016-02-27T12:30:00+01:00"}]
        },
    )
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"venue", "online_url", "capacity"})

    method: WorkshopMethod | None = None
    title: ShortText | None = None
    description: LongText | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    venue: ShortText | None = None
    online_url: Url | None = None
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = None
    facilitator_ids: list[uuid.UUID] | None = Field(default=None, max_length=20)


class WorkshopStatusChange(ApiModel):
    """Confirm, hold, cancel or postpone a workshop, with a reason."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "cancelled", "reason": "Allerta meteo"}]}
    )

    status: WorkshopStatus
    reason: Annotated[str, Field(max_length=2000)] | None = None


class WorkshopPublic(PublicModel):
    """A workshop; times in UTC and, for people, in Europe/Rome (``*_local``)."""

    id: uuid.UUID
    process_id: uuid.UUID
    district_id: uuid.UUID
    edition_id: uuid.UUID | None
    method: WorkshopMethod
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue: str | None
    online_url: str | None
    capacity: int | None
    facilitator_ids: list[str]
    status: WorkshopStatus
    status_reason: str | None
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def starts_at_local(self) -> str:
        """Start in Europe/Rome."""
        return to_rome(self.starts_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ends_at_local(self) -> str:
        """End in Europe/Rome."""
        return to_rome(self.ends_at)


# --- registrations and attendance -------------------------------------------------------------------------


class RegistrationCreate(ApiModel):
    """Register one registry person, or an anonymous head count of one actor category."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"person_id": "5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4", "actor_category": "citizen"}]
        },
    )

    person_id: uuid.UUID | None = None
    actor_category: ActorCategory | None = Field(
        default=None, description="Required for anonymous counts; for a person defaults to the registry's."
    )
    count: Annotated[int, Field(ge=1, le=10_000)] = 1

    @model_validator(mode="after")
    def _person_or_count(self) -> RegistrationCreate:
        if self.person_id is not None and self.count != 1:
            raise ValueError("a person's registration counts 1; send anonymous groups without person_id")
        if self.person_id is None and self.actor_category is None:
            raise ValueError("an anonymous registration needs actor_category")
        return self


class RegistrationPublic(PublicModel):
    """A registration (person_id hidden from callers who may not see personal data)."""

    id: uuid.UUID
    workshop_id: uuid.UUID
    person_id: str | None
    actor_category: ActorCategory
    count: int
    waitlisted: bool
    cancelled_at: datetime | None
    created_at: datetime


class RegistrationCancelled(BaseModel):
    """A cancelled registration and the waitlisted ones that got its seats."""

    registration: RegistrationPublic
    promoted: list[RegistrationPublic]


class AttendanceRecord(ApiModel):
    """Attendance taken after the workshop."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "present": ["5b1c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4"],
                    "absent": [],
                    "anonymous_counts": {"citizen": 12, "third_sector": 3},
                }
            ]
        },
    )

    present: list[uuid.UUID] = Field(default_factory=list, max_length=5000)
    absent: list[uuid.UUID] = Field(default_factory=list, max_length=5000)
    anonymous_counts: dict[ActorCategory, Count] = Field(default_factory=dict, max_length=20)


class AttendancePublic(BaseModel):
    """The attendance of a workshop."""

    workshop_id: uuid.UUID
    present: list[str]
    absent: list[str]
    anonymous_counts: dict[str, int]
    recorded_at: datetime


class CategoryTotals(BaseModel):
    """Head counts by actor category."""

    registered: dict[str, int]
    waitlisted: dict[str, int]
    attended: dict[str, int]
    registered_total: int
    waitlisted_total: int
    attended_total: int


class WorkshopTotals(CategoryTotals):
    """Registrations and attendance of one workshop."""

    workshop_id: uuid.UUID
    capacity: int | None
    seats_taken: int
    attendance_recorded: bool


class ProcessTotals(CategoryTotals):
    """Registrations and attendance summed over a process's workshops (cancelled ones left out)."""

    process_id: uuid.UUID
    workshops: int
    workshops_held: int


# --- history ------------------------------------------------------------------------------------------------


class HistoryEvent(BaseModel):
    """One event of a process's history."""

    position: int
    event_id: uuid.UUID
    stream_type: str
    stream_id: str
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    district_id: str | None
    payload: dict[str, Any]
