"""Read models of the reporting service: tables rebuilt from the event log, never written by users.

Each table belongs to one projection (see ``services.reporting.projections``); rows are keyed by the natural
ids carried in the events, so applying an event twice overwrites instead of counting twice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.db import JSONType, UTCDateTime, utcnow

SCHEMA = "reporting"

PositionType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Checkpoint(SQLModel, table=True):
    """How far one projection has applied the event log (updated in the same transaction as its rows)."""

    __tablename__ = "checkpoints"
    __table_args__ = {"schema": SCHEMA}

    projection: str = Field(primary_key=True, max_length=64)
    position: int = Field(default=0, sa_type=PositionType)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- projection "catalogue": districts, programmes, editions, processes, workshops, people, bodies ---


class DistrictView(SQLModel, table=True):
    """A district as reporting knows it: name, code, latest population, boundary geometry."""

    __tablename__ = "report_districts"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(default="", max_length=200)
    code: str = Field(default="", max_length=64)
    province: str = Field(default="", max_length=200)
    ausl: str = Field(default="", max_length=200)
    population: int | None = None
    population_year: int | None = None
    geometry: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    municipalities: list[Any] = Field(default_factory=list, sa_type=JSONType)


class ProgrammeView(SQLModel, table=True):
    """A regional programme (Community Lab, Community Express)."""

    __tablename__ = "report_programmes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(default="", max_length=200)


class EditionView(SQLModel, table=True):
    """An edition of a programme and the districts taking part."""

    __tablename__ = "report_editions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    programme_id: uuid.UUID | None = None
    name: str = Field(default="", max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    district_ids: list[str] = Field(default_factory=list, sa_type=JSONType)


class ProcessView(SQLModel, table=True):
    """A participatory process with its identity card (no contacts: they may be personal data)."""

    __tablename__ = "report_processes"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = Field(default=None)
    edition_id: uuid.UUID | None = Field(default=None)
    title: str = Field(default="", max_length=200)
    status: str = Field(default="draft", max_length=40)
    started_on: date | None = None
    identity_card: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    phases: list[Any] = Field(default_factory=list, sa_type=JSONType)


class WorkshopView(SQLModel, table=True):
    """A workshop of a process (facilitators are counted, never listed)."""

    __tablename__ = "report_workshops"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID | None = Field(default=None)
    district_id: uuid.UUID | None = None
    method: str = Field(default="other", max_length=64)
    title: str = Field(default="", max_length=200)
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    capacity: int | None = None
    status: str = Field(default="planned", max_length=40)
    facilitator_count: int = 0


class PersonCategory(SQLModel, table=True):
    """The actor category of a registered person (an id and a category only: no personal data)."""

    __tablename__ = "report_person_categories"
    __table_args__ = {"schema": SCHEMA}

    person_id: str = Field(primary_key=True, max_length=64)
    actor_category: str = Field(default="other", max_length=64)


# --- projection "participation": registrations and attendance ---


class RegistrationView(SQLModel, table=True):
    """A workshop registration (a person or an anonymous group of ``count``)."""

    __tablename__ = "report_registrations"
    __table_args__ = {"schema": SCHEMA}

    id: str = Field(primary_key=True, max_length=64)
    workshop_id: uuid.UUID
    process_id: uuid.UUID | None = None
    actor_category: str = Field(default="other", max_length=64)
    count: int = 1
    waitlisted: bool = False
    cancelled: bool = False


class AttendancePresence(SQLModel, table=True):
    """One identified person present at one workshop."""

    __tablename__ = "report_attendance_presences"
    __table_args__ = {"schema": SCHEMA}

    workshop_id: uuid.UUID = Field(primary_key=True)
    person_id: str = Field(primary_key=True, max_length=64)
    process_id: uuid.UUID | None = Field(default=None)


class AttendanceAnonymous(SQLModel, table=True):
    """Anonymous attendance of one workshop by actor category."""

    __tablename__ = "report_attendance_anonymous"
    __table_args__ = {"schema": SCHEMA}

    workshop_id: uuid.UUID = Field(primary_key=True)
    actor_category: str = Field(primary_key=True, max_length=64)
    process_id: uuid.UUID | None = Field(default=None)
    count: int = 0


# --- projection "outcomes": inventions, priorities, evaluations ---


class InventionView(SQLModel, table=True):
    """An invention born in a process and its hand-overs."""

    __tablename__ = "report_inventions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID | None = Field(default=None)
    district_id: uuid.UUID | None = None
    edition_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = None
    title: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=64)
    theme: str = Field(default="", max_length=64)
    handovers: list[Any] = Field(default_factory=list, sa_type=JSONType)


class PriorityView(SQLModel, table=True):
    """A priority through its cycle: proposed, submitted, validated/rejected, assigned, started, reported."""

    __tablename__ = "report_priorities"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID | None = Field(default=None)
    district_id: uuid.UUID | None = None
    edition_id: uuid.UUID | None = None
    title: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=64)
    status: str = Field(default="proposed", max_length=40)
    year: int | None = None
    sitting_date: date | None = None
    outcome: str | None = Field(default=None, sa_type=sa.Text)
    plan_action: str | None = Field(default=None, max_length=200)


class EvaluationResponseView(SQLModel, table=True):
    """One filled-in evaluation card (answers only; respondents are never recorded)."""

    __tablename__ = "report_evaluation_responses"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    template_id: uuid.UUID | None = None
    template_version: int | None = None
    process_id: uuid.UUID | None = Field(default=None)
    workshop_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    edition_id: uuid.UUID | None = None
    answers: Any = Field(default=None, sa_type=JSONType)
    # Code -> [min, max] of the card's scale for each scale answer (absent on responses recorded before).
    scales: Any = Field(default=None, sa_type=JSONType)


# --- projection "proposals": citizens' proposals, their supports and official answers (never their authors) ---


class ProposalView(SQLModel, table=True):
    """A proposal to a process as reports show it: no author, only what the public page shows."""

    __tablename__ = "report_proposals"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    process_id: uuid.UUID | None = Field(default=None, index=True)
    district_id: uuid.UUID | None = None
    title: str = Field(default="", max_length=200)
    theme: str = Field(default="", max_length=64)
    # published, withdrawn, merged or promoted (the producer's codes).
    state: str = Field(default="published", max_length=40)
    support_count: int = 0
    answer_state: str | None = Field(default=None, max_length=64)
    answer_category: str | None = Field(default=None, max_length=40)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    merged_into_id: uuid.UUID | None = None
    priority_id: uuid.UUID | None = None
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProposalAnswerView(SQLModel, table=True):
    """One official answer given to a proposal (a proposal answered twice has two rows), keyed by its event."""

    __tablename__ = "report_proposal_answers"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    proposal_id: uuid.UUID = Field(index=True)
    process_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    position: int = Field(default=0, sa_type=PositionType)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answer_state: str = Field(default="", max_length=64)
    answer_label: str = Field(default="", max_length=200)
    answer_category: str = Field(default="", max_length=40)
    text: str = Field(default="", sa_type=sa.Text)
    first_answer: bool = False


class AnswerStateView(SQLModel, table=True):
    """One of a process's own answer states, with its label and the report category it maps to."""

    __tablename__ = "report_answer_states"
    __table_args__ = {"schema": SCHEMA}

    process_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    label: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=40)
    rank: int = 0


# --- projection "timeline": one sentence per event of a process ---


class TimelineLabel(SQLModel, table=True):
    """The process and title of a stream, so later events of that stream can be described."""

    __tablename__ = "report_timeline_labels"
    __table_args__ = {"schema": SCHEMA}

    stream_type: str = Field(primary_key=True, max_length=64)
    stream_id: str = Field(primary_key=True, max_length=64)
    process_id: str | None = Field(default=None, max_length=64)
    label: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=64)


class TimelineEntry(SQLModel, table=True):
    """One event of a process's history with its sentence in Italian and English."""

    __tablename__ = "report_timeline_entries"
    __table_args__ = {"schema": SCHEMA}

    process_id: uuid.UUID = Field(primary_key=True)
    position: int = Field(primary_key=True, sa_type=PositionType)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    event_type: str = Field(max_length=128)
    stream_type: str = Field(max_length=64)
    stream_id: str = Field(max_length=64)
    sentence_it: str = Field(sa_type=sa.Text)
    sentence_en: str = Field(sa_type=sa.Text)
    # The state the record reached with this event (priority, workshop or process status), if it has one.
    state: str | None = Field(default=None, max_length=40)
    # When the event was recorded (transaction time); occurred_at is when it happened (valid time).
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- projection "architecture": a district's bodies, the relations between them, programme agreements ---


class BodyView(SQLModel, table=True):
    """A governance body of a district (kind and name; members are counted, never named)."""

    __tablename__ = "report_bodies"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = Field(default=None, index=True)
    process_id: uuid.UUID | None = None
    kind: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=200)


class BodyMembershipView(SQLModel, table=True):
    """The period of one membership, without the person: enough to count members on a date."""

    __tablename__ = "report_body_memberships"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    body_id: uuid.UUID | None = Field(default=None, index=True)
    district_id: uuid.UUID | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class BodyRelationView(SQLModel, table=True):
    """``from_body`` proposes to, validates, convenes... ``to_body`` over a period."""

    __tablename__ = "report_body_relations"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = Field(default=None, index=True)
    from_body_id: uuid.UUID | None = None
    to_body_id: uuid.UUID | None = None
    kind: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=200)
    valid_from: date | None = None
    valid_to: date | None = None


class AgreementView(SQLModel, table=True):
    """A programme agreement between organisations of a district."""

    __tablename__ = "report_agreements"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    district_id: uuid.UUID | None = Field(default=None, index=True)
    kind: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=200)
    reference: str = Field(default="", max_length=200)
    signed_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    organisation_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)


# --- projection "courses": courses, editions, cohorts (person ids, districts), sessions and attendance ---


class CourseView(SQLModel, table=True):
    """A course for facilitators and tutors."""

    __tablename__ = "report_courses"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=200)


class CourseEditionView(SQLModel, table=True):
    """An edition of a course: its cohort (person id -> district id) and its completions (person id -> basis)."""

    __tablename__ = "report_course_editions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    course_id: uuid.UUID | None = Field(default=None, index=True)
    kind: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=200)
    year: int | None = None
    completion_hours: int = 0
    members: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    completions: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class CourseSessionView(SQLModel, table=True):
    """A session of a course edition, its hours and who attended (the whole list, as the last event said)."""

    __tablename__ = "report_course_sessions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    course_edition_id: uuid.UUID | None = Field(default=None, index=True)
    held_on: date | None = None
    hours: int = 0
    person_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)


# --- projection "learning": supervisions (counts of cases and notes) and regional labs (issue 22.2, 22.6) ---


class SupervisionView(SQLModel, table=True):
    """A supervision session: its date and programme edition (never its notes, nor who took part)."""

    __tablename__ = "report_supervisions"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    held_on: date | None = None
    edition_id: uuid.UUID | None = None


class SupervisionCaseView(SQLModel, table=True):
    """A case brought to a session: the district and edition of its process, and how many notes it has."""

    __tablename__ = "report_supervision_cases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    supervision_id: uuid.UUID | None = Field(default=None, index=True)
    district_id: uuid.UUID | None = None
    edition_id: uuid.UUID | None = None
    notes: int = 0


class LabMeetingView(SQLModel, table=True):
    """A regional lab meeting: edition, date, topic, groups, and participants (person id -> category)."""

    __tablename__ = "report_lab_meetings"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    held_on: date | None = None
    topic: str = Field(default="", max_length=200)
    lab_group_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
    participants: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class LabGroupView(SQLModel, table=True):
    """A working group of a regional lab: edition, name, and members (person id -> category)."""

    __tablename__ = "report_lab_groups"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(primary_key=True)
    edition_id: uuid.UUID | None = Field(default=None, index=True)
    name: str = Field(default="", max_length=200)
    members: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
