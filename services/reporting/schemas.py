"""Response bodies of reporting (read-only: no request bodies)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.reporting.attachments import DiaryAttachments
from services.reporting.cases import DiaryCases

AS_OF_FIELD = "The valid time the report was built at (`as_of`), null for the current report."
KNOWN_AT_FIELD = "The transaction time the report was built at (`known_at`), null for the current report."


class SentencePublic(BaseModel):
    """One event described in Italian and English."""

    it: str
    en: str


class TimelineEntryPublic(BaseModel):
    """One event of a process's history."""

    position: int = Field(
        description="Position in the event log (with order=log, pass as `after` to continue)."
    )
    occurred_at: datetime = Field(
        description="When it happened (UTC): the sitting date of a validation, the day "
        "a workshop was held (valid time)."
    )
    occurred_at_local: str = Field(description="When it happened, Europe/Rome.")
    recorded_at: datetime | None = Field(
        default=None,
        description="When it was recorded (UTC, transaction time); null for entries projected before.",
    )
    recorded_at_local: str | None = Field(default=None, description="When it was recorded, Europe/Rome.")
    event_type: str
    stream_type: str
    stream_id: str
    state: str | None = Field(
        default=None,
        description="The state the record reached with this event, in the producer API's codes "
        "(a priority's `state`, a workshop's or process's `status`); null for events that set none.",
    )
    sentence: SentencePublic


class TimelinePublic(BaseModel):
    """A process's merged history, oldest first (by occurrence, or in log order)."""

    process_id: uuid.UUID
    title: str
    order: str = Field(
        default="occurred",
        description="`occurred`: by when things happened (then log position); `log`: as the log recorded them.",
    )
    items: list[TimelineEntryPublic]
    next_cursor: str | None = Field(
        default=None, description="With order=occurred: pass as `cursor` for the next page; null at the end."
    )
    next_after: int | None = Field(
        default=None, description="With order=log: pass as `after` for the next page; null at the end."
    )


class DistrictSummary(BaseModel):
    """A district as shown in reports."""

    id: uuid.UUID
    name: str
    display_name: str = Field(
        description="The name for readers: with the province where another district's name reads alike "
        '("Sud Est (PR)", "Sud-Est (FE)"), else the name.'
    )
    code: str
    province: str
    ausl: str
    population: int | None
    population_year: int | None


class EditionSummary(BaseModel):
    """An edition as shown in reports."""

    id: uuid.UUID
    name: str
    programme_id: uuid.UUID | None
    programme_name: str | None
    starts_on: date | None
    ends_on: date | None


class Summary(BaseModel):
    """Headline figures of a set of processes."""

    processes: int
    workshops_scheduled: int
    workshops_held: int
    people_involved: int
    inventions: int
    handovers: int
    priorities: int
    priorities_validated: int
    evaluation_responses: int


class Participation(BaseModel):
    """People involved: distinct identified people present plus anonymous counts."""

    people_involved: int
    identified_people: int
    anonymous_participants: int
    attendances: int
    by_category: dict[str, int]
    per_10000_residents: float | None = None


class QuestionResult(BaseModel):
    """Aggregated answers to one evaluation question."""

    question: str
    answers: int
    mean: float | None = Field(description="Mean of the numeric answers, two decimals rounded half up.")
    scale_min: int | None = Field(
        default=None, description="The card's own scale (absent before cards said it)."
    )
    scale_max: int | None = Field(default=None, description="Bars and means read against this maximum.")
    distribution: dict[str, int]


class EvaluationResults(BaseModel):
    """Evaluation card results."""

    responses: int
    questions: list[QuestionResult]


class DiaryProcess(BaseModel):
    """A process's identity card."""

    id: uuid.UUID
    title: str
    status: str
    started_on: date | None
    identity_card: dict[str, Any]
    phases: list[Any]


class DiaryWorkshop(BaseModel):
    """A workshop in the diary."""

    id: uuid.UUID
    process_id: uuid.UUID | None
    title: str
    method: str
    status: str
    starts_at: datetime | None
    starts_at_local: str | None
    participants: int


class DiaryWorkshops(BaseModel):
    """Workshops held, by method."""

    held: int
    by_method: dict[str, int]
    items: list[DiaryWorkshop]


class Handover(BaseModel):
    """An invention handed over."""

    to: str
    to_district_id: str | None
    to_organisation_id: str | None
    on: str | None


class DiaryInvention(BaseModel):
    """An invention in the diary."""

    id: uuid.UUID
    title: str
    kind: str
    process_id: uuid.UUID | None
    handovers: list[Handover]


class DiaryInventions(BaseModel):
    """Inventions by macro-theme."""

    total: int
    handovers: int
    by_theme: dict[str, int]
    items_by_theme: dict[str, list[DiaryInvention]]


class DiaryPriority(BaseModel):
    """A priority and its outcome."""

    id: uuid.UUID
    title: str
    status: str
    year: int | None
    sitting_date: date | None
    outcome: str | None
    plan_action: str | None


class DiaryPriorities(BaseModel):
    """Priorities by status and outcome."""

    total: int
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    items: list[DiaryPriority]


class DiaryBody(BaseModel):
    """A body of the district's institutional design and how many sat in it on the reference date."""

    id: uuid.UUID
    kind: str
    name: str
    members: int


class DiaryRelation(BaseModel):
    """One arrow of the design: a body proposes to, validates, convenes... another."""

    id: uuid.UUID
    from_body_id: uuid.UUID | None
    to_body_id: uuid.UUID | None
    kind: str
    note: str
    valid_from: date | None
    valid_to: date | None
    active: bool


class DiaryAgreement(BaseModel):
    """A programme agreement between organisations (counted, not listed)."""

    id: uuid.UUID
    kind: str
    title: str
    reference: str
    signed_on: date | None
    valid_from: date | None
    valid_to: date | None
    parties: int
    active: bool


class DiaryArchitecture(BaseModel):
    """The district's institutional architecture on a reference date (the end of the edition, or today)."""

    on: date
    bodies: list[DiaryBody]
    relations: list[DiaryRelation]
    agreements: list[DiaryAgreement]


class DiaryAnswerState(BaseModel):
    """Proposals whose latest answer is one of the process's own answer states."""

    key: str
    label: str
    category: str = Field(description="accepted, evaluating or rejected (empty if unknown)")
    count: int


class DiaryPromotedProposal(BaseModel):
    """A proposal that became (part of) a priority, and that priority."""

    proposal_id: uuid.UUID
    title: str
    priority_id: uuid.UUID
    priority_title: str
    priority_status: str | None


class ProposalCounts(BaseModel):
    """Citizens' proposals: received (withdrawn included), supported, answered, promoted."""

    received: int = 0
    withdrawn: int = 0
    merged: int = 0
    supported: int = Field(default=0, description="Proposals with at least one support.")
    supports: int = Field(default=0, description="Current supports, summed.")
    answered: int = Field(default=0, description="Proposals with an official answer (counted by the latest).")
    by_category: dict[str, int] = Field(
        default_factory=dict,
        description="Answered proposals by report category: accepted, evaluating, rejected.",
    )
    promoted: int = 0


class DiaryProcessProposals(ProposalCounts):
    """One process's proposals in the Diario."""

    process_id: uuid.UUID
    title: str
    by_state: list[DiaryAnswerState] = Field(
        default_factory=list,
        description="Answered proposals by the process's own answer states, in its order.",
    )
    items: list[DiaryPromotedProposal] = Field(
        default_factory=list, description="The proposals promoted to priorities."
    )


class DiaryProposals(ProposalCounts):
    """The district's proposals in the edition, and one section per process that takes proposals."""

    processes: list[DiaryProcessProposals] = Field(default_factory=list)


class DiaryPublic(BaseModel):
    """The Diario of a district for an edition."""

    district: DistrictSummary
    edition: EditionSummary
    processes: list[DiaryProcess]
    summary: Summary
    workshops: DiaryWorkshops
    participation: Participation
    inventions: DiaryInventions
    priorities: DiaryPriorities
    evaluation: EvaluationResults
    proposals: DiaryProposals = Field(default_factory=DiaryProposals)
    attachments: DiaryAttachments = Field(default_factory=DiaryAttachments)
    cases: DiaryCases = Field(default_factory=DiaryCases)
    architecture: DiaryArchitecture
    as_of: datetime | None = Field(default=None, description=AS_OF_FIELD)
    known_at: datetime | None = Field(default=None, description=KNOWN_AT_FIELD)


class DashboardDistrict(DistrictSummary):
    """One district on the dashboard."""

    participating: bool
    processes: int = 0
    workshops_held: int = 0
    people_involved: int = 0
    per_10000_residents: float | None = None
    proposals: int = Field(default=0, description="Citizens' proposals received by the district's processes.")
    proposals_per_10000_residents: float | None = None
    has_boundary: bool = False


class EditionComparison(Summary):
    """One edition's headline figures."""

    edition_id: uuid.UUID
    name: str
    starts_on: date | None
    districts_participating: int


class CourseFigures(BaseModel):
    """One course edition in one district: counts only (people are never named or listed)."""

    id: uuid.UUID
    course_edition_id: uuid.UUID
    course_id: uuid.UUID | None
    kind: str
    course_title: str
    edition_title: str
    year: int | None
    district_id: uuid.UUID | None
    cohort: int
    attended_hours: int
    completions: int


class SupervisionFigures(BaseModel):
    """Supervisions of one programme edition and district: counts only (never notes, never people)."""

    id: uuid.UUID
    edition_id: uuid.UUID | None
    district_id: uuid.UUID | None
    sessions: int
    cases: int
    notes: int


class LabFigures(BaseModel):
    """The regional lab of one programme edition: meetings, groups, distinct participants by category."""

    id: uuid.UUID
    edition_id: uuid.UUID
    meetings: int
    groups: int
    participants: int
    first_meeting_on: date | None
    last_meeting_on: date | None
    district_director: int
    ufficio_di_piano_head: int
    ctss_office: int
    tutor: int
    facilitator: int
    regional_officer: int
    other: int


class DashboardPublic(BaseModel):
    """The regional dashboard of an edition."""

    edition: EditionSummary | None
    districts_total: int
    districts_participating: int
    summary: Summary | None = None
    people_involved: int = 0
    per_10000_residents: float | None = None
    proposals: int = Field(default=0, description="Citizens' proposals received in the edition.")
    proposals_per_10000_residents: float | None = Field(
        default=None, description="Per 10,000 residents of the participating districts."
    )
    people_by_category: dict[str, int] = Field(default_factory=dict)
    workshops_by_method: dict[str, int] = Field(default_factory=dict)
    workshops_by_month: dict[str, int] = Field(default_factory=dict)
    inventions_by_theme: dict[str, int] = Field(default_factory=dict)
    priorities_by_status: dict[str, int] = Field(default_factory=dict)
    priorities_by_outcome: dict[str, int] = Field(default_factory=dict)
    evaluation: EvaluationResults | None = None
    districts: list[DashboardDistrict]
    comparison: list[EditionComparison]
    courses: list[CourseFigures] = Field(
        default_factory=list,
        description="Courses for facilitators and tutors: cohort, hours attended and completions per "
        "course edition and district (all course editions, whatever the programme edition shown).",
    )
    supervisions: list[SupervisionFigures] = Field(
        default_factory=list,
        description="Supervisions: sessions, cases and notes per district (of the cases' processes), for the "
        "edition shown (every edition without one). Counts only: notes are private.",
    )
    regional_labs: list[LabFigures] = Field(
        default_factory=list,
        description="The regional lab of the edition shown (every edition without one): meetings, working "
        "groups and distinct participants by recipient category.",
    )
    as_of: datetime | None = Field(default=None, description=AS_OF_FIELD)
    known_at: datetime | None = Field(default=None, description=KNOWN_AT_FIELD)
