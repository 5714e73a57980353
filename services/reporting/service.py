"""Reports built from the read models: timeline, district diary, regional dashboard, open-data rows.

Only reads; no FastAPI. Figures follow one set of definitions (also stated in the HTML pages):
- a workshop is *held* when its status is ``held`` or its attendance was recorded;
- *people involved* are the distinct identified people present at held workshops plus the anonymous counts;
- *per 10,000 residents* uses the latest population the registry recorded for the district.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlmodel import Session, col, select

from services.reporting import attachments, cases, courses, learning, proposals
from services.reporting.labels import date_en, date_it, to_rome
from services.reporting.models import (
    AgreementView,
    AttendanceAnonymous,
    AttendancePresence,
    BodyMembershipView,
    BodyRelationView,
    BodyView,
    Checkpoint,
    DistrictView,
    EditionView,
    EvaluationResponseView,
    InventionView,
    PersonCategory,
    PriorityView,
    ProcessView,
    ProgrammeView,
    TimelineEntry,
    WorkshopView,
)
from shared.db import utcnow
from shared.errors import FieldError, NotFoundError, ValidationFailed
from shared.numbers import MEAN_PLACES, RATE_PLACES, round_half_up
from shared.pagination import paginate

# States of the priority cycle (workshops' PriorityState) at or past a step: a priority linked to a plan
# action was validated and reported too.
REPORTED_STATES = frozenset({"reported", "linked_to_plan_action"})
VALIDATED_STATES = frozenset({"validated", "assigned", "in_progress"}) | REPORTED_STATES

# --- freshness ---


def read_model_state(*, session: Session) -> tuple[tuple[str, int], ...]:
    """Every projection's checkpoint, sorted by name: the reports change only when this does."""
    return tuple(
        sorted(
            (name, position)
            for name, position in session.exec(select(Checkpoint.projection, Checkpoint.position))
        )
    )


def read_model_position(*, session: Session) -> int:
    """The log position every read model has reached (the lowest checkpoint; 0 before the first batch)."""
    positions = list(session.exec(select(Checkpoint.position)))
    return min(positions) if positions else 0


# --- timeline -----------------------------------------------------------------------------------------


def get_process(*, session: Session, process_id: uuid.UUID) -> ProcessView:
    """A process known to reporting, or 404."""
    process = session.get(ProcessView, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id} is not known to reporting (yet)")
    return process


TimelineOrder = Literal["occurred", "log"]


def timeline(
    *,
    session: Session,
    process_id: uuid.UUID,
    order: TimelineOrder = "occurred",
    after: int | None = None,
    cursor: str | None = None,
    limit: int = 200,
) -> tuple[list[TimelineEntry], int | None, str | None]:
    """A process's history, by when things happened (``occurred``) or as the log recorded them (``log``).

    Returns the entries, the next ``after`` (log order) and the next ``cursor`` (occurred order).
    """
    get_process(session=session, process_id=process_id)
    statement = select(TimelineEntry).where(col(TimelineEntry.process_id) == process_id)
    if order == "occurred":
        if after is not None:
            raise ValidationFailed(
                "`after` continues the log order",
                errors=[FieldError(path="query.after", message="pass order=log with after, or use cursor")],
            )
        rows, next_cursor = paginate(
            session,
            statement,
            sort=col(TimelineEntry.occurred_at),
            tiebreak=col(TimelineEntry.position),
            limit=limit,
            cursor=cursor,
        )
        return rows, None, next_cursor
    if cursor is not None:
        raise ValidationFailed(
            "`cursor` continues the order by occurrence",
            errors=[FieldError(path="query.cursor", message="with order=log, continue with after")],
        )
    rows = list(
        session.exec(
            statement.where(col(TimelineEntry.position) > (after or 0))
            .order_by(col(TimelineEntry.position))
            .limit(limit + 1)
        )
    )
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_after = rows[-1].position
    return rows, next_after, None


def timeline_sentence(entry: TimelineEntry) -> tuple[str, str]:
    """The entry's sentence, saying when it was recorded where that was another day than when it happened."""
    recorded = entry.recorded_at
    if recorded is None or to_rome(recorded).date() == to_rome(entry.occurred_at).date():
        return entry.sentence_it, entry.sentence_en
    return (
        f"{entry.sentence_it} (registrato il {date_it(recorded)})",
        f"{entry.sentence_en} (recorded on {date_en(recorded)})",
    )


# --- the figures of a set of processes ----------------------------------------------------------------


@dataclass
class Scope:
    """Rows of a set of processes, loaded once and summarised in memory."""

    processes: list[ProcessView]
    workshops: list[WorkshopView] = field(default_factory=list)
    # Rows with workshop_id/person_id and workshop_id/actor_category/count (plain rows, not ORM objects).
    presences: list[Any] = field(default_factory=list)
    anonymous: list[Any] = field(default_factory=list)
    inventions: list[InventionView] = field(default_factory=list)
    priorities: list[PriorityView] = field(default_factory=list)
    evaluations: list[EvaluationResponseView] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    _held: set[uuid.UUID] | None = field(default=None, repr=False)

    def held_workshop_ids(self) -> set[uuid.UUID]:
        """Workshops held: status ``held`` or attendance recorded (computed once per scope)."""
        if self._held is None:
            attended = {p.workshop_id for p in self.presences} | {a.workshop_id for a in self.anonymous}
            self._held = {w.id for w in self.workshops if w.status == "held" or w.id in attended}
        return self._held

    def by_district(self, districts: dict[uuid.UUID, uuid.UUID | None]) -> dict[uuid.UUID | None, Scope]:
        """Split into one scope per district in one pass (``districts``: process id -> district id)."""
        out: dict[uuid.UUID | None, Scope] = defaultdict(
            lambda: Scope(processes=[], categories=self.categories)
        )
        workshop_district = {w.id: districts.get(w.process_id) for w in self.workshops if w.process_id}
        for process in self.processes:
            out[districts.get(process.id)].processes.append(process)
        for workshop in self.workshops:
            out[workshop_district.get(workshop.id)].workshops.append(workshop)
        for presence in self.presences:
            out[workshop_district.get(presence.workshop_id)].presences.append(presence)
        for anonymous in self.anonymous:
            out[workshop_district.get(anonymous.workshop_id)].anonymous.append(anonymous)
        for invention in self.inventions:
            out[districts.get(invention.process_id) if invention.process_id else None].inventions.append(
                invention
            )
        for priority in self.priorities:
            key = districts.get(priority.process_id) if priority.process_id else priority.district_id
            out[key].priorities.append(priority)
        for evaluation in self.evaluations:
            key = districts.get(evaluation.process_id) if evaluation.process_id else None
            out[key].evaluations.append(evaluation)
        return out

    def participation(self) -> dict[str, Any]:
        """People involved (distinct identified + anonymous), by category, and total attendances."""
        held = self.held_workshop_ids()
        presences = [p for p in self.presences if p.workshop_id in held]
        anonymous = [a for a in self.anonymous if a.workshop_id in held]
        people = {p.person_id for p in presences}
        by_category: Counter[str] = Counter(self.categories.get(person, "other") for person in people)
        anonymous_total = 0
        for row in anonymous:
            by_category[row.actor_category] += row.count
            anonymous_total += row.count
        return {
            "people_involved": len(people) + anonymous_total,
            "identified_people": len(people),
            "anonymous_participants": anonymous_total,
            "attendances": len(presences) + anonymous_total,
            "by_category": dict(sorted(by_category.items())),
        }

    def workshops_by_method(self) -> dict[str, int]:
        """Held workshops per method."""
        held = self.held_workshop_ids()
        return dict(sorted(Counter(w.method for w in self.workshops if w.id in held).items()))

    def workshops_by_month(self) -> dict[str, int]:
        """Held workshops per month (Europe/Rome), ``YYYY-MM``."""
        held = self.held_workshop_ids()
        months = Counter(
            to_rome(w.starts_at).strftime("%Y-%m") for w in self.workshops if w.id in held and w.starts_at
        )
        return dict(sorted(months.items()))

    def inventions_by_theme(self) -> dict[str, int]:
        """Inventions per macro-theme."""
        return dict(sorted(Counter(i.theme or "unspecified" for i in self.inventions).items()))

    def priorities_by_status(self) -> dict[str, int]:
        """Priorities per status in their cycle."""
        return dict(sorted(Counter(p.status for p in self.priorities).items()))

    def priorities_by_outcome(self) -> dict[str, int]:
        """Priorities validated or rejected by the Comitato di Distretto, and reported back."""
        counts = {
            "validated": sum(1 for p in self.priorities if p.status in VALIDATED_STATES),
            "rejected": sum(1 for p in self.priorities if p.status == "rejected"),
            "pending": sum(1 for p in self.priorities if p.status in ("proposed", "submitted")),
            "reported": sum(1 for p in self.priorities if p.status in REPORTED_STATES),
        }
        return counts

    def evaluation_results(self) -> dict[str, Any]:
        """Evaluation card answers aggregated per question: mean of numbers, counts of choices."""
        return summarise_answers([e.answers for e in self.evaluations], [e.scales for e in self.evaluations])

    def summary(self) -> dict[str, Any]:
        """The headline numbers."""
        participation = self.participation()
        return {
            "processes": len(self.processes),
            "workshops_scheduled": len([w for w in self.workshops if w.status != "cancelled"]),
            "workshops_held": len(self.held_workshop_ids()),
            "people_involved": participation["people_involved"],
            "inventions": len(self.inventions),
            "handovers": sum(len(i.handovers) for i in self.inventions),
            "priorities": len(self.priorities),
            "priorities_validated": self.priorities_by_outcome()["validated"],
            "evaluation_responses": len(self.evaluations),
        }


def _answer_items(answers: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(answers, dict):
        yield from ((str(k), v) for k, v in answers.items())
    elif isinstance(answers, list):
        for item in answers:
            if isinstance(item, dict):
                key = item.get("question_id") or item.get("question") or item.get("key") or item.get("id")
                value = next((item[k] for k in ("value", "score", "answer", "choice") if k in item), None)
                if key is not None:
                    yield str(key), value


def _question_scales(all_scales: Sequence[Any]) -> dict[str, tuple[int, int]]:
    """Per question, the card's scale its answers were given on (the widest, if card versions differ)."""
    found: dict[str, tuple[int, int]] = {}
    for scales in all_scales:
        if not isinstance(scales, dict):
            continue
        for key, bounds in scales.items():
            if not (
                isinstance(bounds, list | tuple)
                and len(bounds) == 2
                and all(isinstance(b, int) for b in bounds)
            ):
                continue
            low, high = found.get(str(key), (bounds[0], bounds[1]))
            found[str(key)] = (min(low, bounds[0]), max(high, bounds[1]))
    return found


def summarise_answers(all_answers: Sequence[Any], all_scales: Sequence[Any] = ()) -> dict[str, Any]:
    """Per question: count, mean of numeric answers on the card's own scale, distribution of the answers."""
    numbers: dict[str, list[float]] = defaultdict(list)
    choices: dict[str, Counter[str]] = defaultdict(Counter)
    ratings: dict[str, Counter[str]] = defaultdict(Counter)
    for answers in all_answers:
        for key, value in _answer_items(answers):
            if isinstance(value, bool):
                choices[key][str(value).lower()] += 1
            elif isinstance(value, int | float):
                numbers[key].append(float(value))
                # Rating questions get their distribution too (how many gave 1, 2, ... 5), not only a mean.
                if float(value).is_integer():
                    ratings[key][str(int(value))] += 1
            elif isinstance(value, list):
                for item in value:
                    choices[key][str(item)] += 1
            elif value is not None and str(value) != "":
                choices[key][str(value)[:100]] += 1
    scales = _question_scales(all_scales)
    questions = []
    for key in sorted(set(numbers) | set(choices)):
        values = numbers.get(key, [])
        scale = scales.get(key) if values else None
        if key in choices:
            distribution = dict(sorted(choices[key].items()))
        elif scale is not None:
            # Every step of the scale is shown, the ones nobody chose as 0, as the card printed them.
            distribution = {
                str(step): ratings[key].get(str(step), 0) for step in range(scale[0], scale[1] + 1)
            }
            distribution |= dict(ratings[key])
        else:
            distribution = dict(sorted(ratings[key].items(), key=lambda item: int(item[0])))
        questions.append(
            {
                "question": key,
                "answers": len(values) + sum(choices[key].values()) if key in choices else len(values),
                "mean": round_half_up(sum(values) / len(values), MEAN_PLACES) if values else None,
                "scale_min": scale[0] if scale else None,
                "scale_max": scale[1] if scale else None,
                "distribution": distribution,
            }
        )
    return {"responses": len(all_answers), "questions": questions}


def load_scope(
    session: Session,
    processes: list[ProcessView],
    *,
    edition_id: uuid.UUID | None = None,
    district_id: uuid.UUID | None = None,
) -> Scope:
    """Load every row belonging to ``processes``, plus the edition's priorities proposed outside a process."""
    ids = [p.id for p in processes]
    scope = Scope(processes=processes)
    if edition_id is not None:
        orphans = select(PriorityView).where(
            col(PriorityView.process_id).is_(None), col(PriorityView.edition_id) == edition_id
        )
        if district_id is not None:
            orphans = orphans.where(col(PriorityView.district_id) == district_id)
        scope.priorities = list(session.exec(orphans))
    if not ids:
        return scope
    scope.workshops = list(session.exec(select(WorkshopView).where(col(WorkshopView.process_id).in_(ids))))
    workshop_ids = [w.id for w in scope.workshops]
    if workshop_ids:
        scope.presences = list(
            session.exec(
                select(AttendancePresence.workshop_id, AttendancePresence.person_id).where(
                    col(AttendancePresence.workshop_id).in_(workshop_ids)
                )
            )
        )
        scope.anonymous = list(
            session.exec(
                select(
                    AttendanceAnonymous.workshop_id,
                    AttendanceAnonymous.actor_category,
                    AttendanceAnonymous.count,
                ).where(col(AttendanceAnonymous.workshop_id).in_(workshop_ids))
            )
        )
    scope.inventions = list(session.exec(select(InventionView).where(col(InventionView.process_id).in_(ids))))
    scope.priorities += list(session.exec(select(PriorityView).where(col(PriorityView.process_id).in_(ids))))
    scope.evaluations = list(
        session.exec(select(EvaluationResponseView).where(col(EvaluationResponseView.process_id).in_(ids)))
    )
    people = sorted({p.person_id for p in scope.presences})
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for row in session.exec(select(PersonCategory).where(col(PersonCategory.person_id).in_(chunk))):
            scope.categories[row.person_id] = row.actor_category
    return scope


# --- editions and districts ---------------------------------------------------------------------------


def get_edition(*, session: Session, edition_id: uuid.UUID) -> EditionView:
    """An edition known to reporting, or 404."""
    edition = session.get(EditionView, edition_id)
    if edition is None:
        raise NotFoundError(f"edition {edition_id} is not known to reporting (yet)")
    return edition


def get_district(*, session: Session, district_id: uuid.UUID) -> DistrictView:
    """A district known to reporting, or 404."""
    district = session.get(DistrictView, district_id)
    if district is None:
        raise NotFoundError(f"district {district_id} is not known to reporting (yet)")
    return district


def latest_edition(*, session: Session) -> EditionView | None:
    """The edition that started last (the dashboard's default)."""
    editions = list(session.exec(select(EditionView)))
    if not editions:
        return None
    return max(editions, key=lambda e: (e.starts_on or date.min, e.name, str(e.id)))


def _edition_public(session: Session, edition: EditionView) -> dict[str, Any]:
    programme = session.get(ProgrammeView, edition.programme_id) if edition.programme_id else None
    return {
        "id": edition.id,
        "name": edition.name,
        "programme_id": edition.programme_id,
        "programme_name": programme.name if programme else None,
        "starts_on": edition.starts_on,
        "ends_on": edition.ends_on,
    }


def _name_key(name: str) -> str:
    """What a reader sees in a name: no case, accents, spaces or hyphens ("Sud-Est" reads as "Sud Est")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def display_names(districts: Sequence[DistrictView]) -> dict[uuid.UUID, str]:
    """Each district's name for readers, with its province where another district's name reads alike."""
    alike = Counter(_name_key(d.name) for d in districts)
    return {
        d.id: f"{d.name} ({d.province})" if alike[_name_key(d.name)] > 1 and d.province else d.name
        for d in districts
    }


def _district_public(district: DistrictView, display_name: str | None = None) -> dict[str, Any]:
    return {
        "id": district.id,
        "name": district.name,
        "display_name": display_name or district.name,
        "code": district.code,
        "province": district.province,
        "ausl": district.ausl,
        "population": district.population,
        "population_year": district.population_year,
    }


def per_10000(people: int, population: int | None) -> float | None:
    """People per 10,000 residents, one decimal (None without a population)."""
    if not population:
        return None
    return round_half_up(people * 10000 / population, RATE_PLACES)


def _active(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on)


def architecture(*, session: Session, district_id: uuid.UUID, on: date) -> dict[str, Any]:
    """A district's institutional design: its bodies (members counted on ``on``), relations and agreements."""
    bodies = list(
        session.exec(
            select(BodyView)
            .where(col(BodyView.district_id) == district_id, col(BodyView.process_id).is_(None))
            .order_by(col(BodyView.kind), col(BodyView.name), col(BodyView.id))
        )
    )
    ids = [b.id for b in bodies]
    known = set(ids)
    members: Counter[uuid.UUID] = Counter()
    if ids:
        for m in session.exec(select(BodyMembershipView).where(col(BodyMembershipView.body_id).in_(ids))):
            if m.body_id is not None and _active(m.valid_from, m.valid_to, on):
                members[m.body_id] += 1
    relations = session.exec(
        select(BodyRelationView)
        .where(col(BodyRelationView.district_id) == district_id)
        .order_by(col(BodyRelationView.valid_from), col(BodyRelationView.id))
    )
    agreements = session.exec(
        select(AgreementView)
        .where(col(AgreementView.district_id) == district_id)
        .order_by(col(AgreementView.signed_on), col(AgreementView.id))
    )
    return {
        "on": on,
        "bodies": [
            {"id": b.id, "kind": b.kind, "name": b.name, "members": members.get(b.id, 0)} for b in bodies
        ],
        "relations": [
            {
                "id": r.id,
                "from_body_id": r.from_body_id,
                "to_body_id": r.to_body_id,
                "kind": r.kind,
                "note": r.note,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "active": _active(r.valid_from, r.valid_to, on),
            }
            for r in relations
            if r.from_body_id in known
        ],
        "agreements": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "reference": a.reference,
                "signed_on": a.signed_on,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "parties": len(a.organisation_ids),
                "active": _active(a.valid_from, a.valid_to, on),
            }
            for a in agreements
        ],
    }


def diary(
    *, session: Session, district_id: uuid.UUID, edition_id: uuid.UUID, today: date | None = None
) -> dict[str, Any]:
    """The Diario of one district for one edition (``today``: the day it is written on, for one as of a
    past time; default today)."""
    today = today or utcnow().date()
    district = get_district(session=session, district_id=district_id)
    edition = get_edition(session=session, edition_id=edition_id)
    processes = list(
        session.exec(
            select(ProcessView)
            .where(col(ProcessView.district_id) == district_id, col(ProcessView.edition_id) == edition_id)
            .order_by(col(ProcessView.title), col(ProcessView.id))
        )
    )
    scope = load_scope(session, processes, edition_id=edition_id, district_id=district_id)
    held = scope.held_workshop_ids()
    participation = scope.participation()
    workshop_people: Counter[uuid.UUID] = Counter(p.workshop_id for p in scope.presences)
    for row in scope.anonymous:
        workshop_people[row.workshop_id] += row.count
    by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invention in sorted(scope.inventions, key=lambda i: (i.title, str(i.id))):
        by_theme[invention.theme or "unspecified"].append(
            {
                "id": invention.id,
                "title": invention.title,
                "kind": invention.kind,
                "process_id": invention.process_id,
                "handovers": [
                    {
                        "to": "district" if h.get("to_district_id") else "organisation",
                        "to_district_id": h.get("to_district_id"),
                        "to_organisation_id": h.get("to_organisation_id"),
                        "on": h.get("on"),
                    }
                    for h in invention.handovers
                ],
            }
        )
    return {
        "district": _district_public(
            district, display_names(list(session.exec(select(DistrictView))))[district.id]
        ),
        "edition": _edition_public(session, edition),
        "processes": [
            {
                "id": p.id,
                "title": p.title,
                "status": p.status,
                "started_on": p.started_on,
                "identity_card": p.identity_card,
                "phases": p.phases,
            }
            for p in processes
        ],
        "summary": scope.summary(),
        "workshops": {
            "held": len(held),
            "by_method": scope.workshops_by_method(),
            "items": [
                {
                    "id": w.id,
                    "process_id": w.process_id,
                    "title": w.title,
                    "method": w.method,
                    "status": "held" if w.id in held else w.status,
                    "starts_at": w.starts_at,
                    "starts_at_local": to_rome(w.starts_at).isoformat() if w.starts_at else None,
                    "participants": workshop_people.get(w.id, 0),
                }
                for w in sorted(
                    scope.workshops,
                    key=lambda w: (w.starts_at.isoformat() if w.starts_at else "9999", str(w.id)),
                )
            ],
        },
        "participation": {
            **participation,
            "per_10000_residents": per_10000(participation["people_involved"], district.population),
        },
        "inventions": {
            "total": len(scope.inventions),
            "handovers": sum(len(i.handovers) for i in scope.inventions),
            "by_theme": {theme: len(items) for theme, items in sorted(by_theme.items())},
            "items_by_theme": dict(sorted(by_theme.items())),
        },
        "priorities": {
            "total": len(scope.priorities),
            "by_status": scope.priorities_by_status(),
            "by_outcome": scope.priorities_by_outcome(),
            "items": [
                {
                    "id": p.id,
                    "title": p.title,
                    "status": p.status,
                    "year": p.year,
                    "sitting_date": p.sitting_date,
                    "outcome": p.outcome,
                    "plan_action": p.plan_action,
                }
                # In the order they were decided (the sitting's date, when it happened), undecided ones last.
                for p in sorted(
                    scope.priorities, key=lambda p: (p.sitting_date or date.max, p.title, str(p.id))
                )
            ],
        },
        "evaluation": scope.evaluation_results(),
        "proposals": proposals.diary_section(session=session, processes=processes),
        "attachments": attachments.diary_section(
            session=session, workshops=scope.workshops, inventions=scope.inventions
        ),
        # The district's published cases (not tied to an edition: the library keeps them all).
        "cases": cases.diary_section(session=session, district_id=district_id),
        # The design as it stood at the end of the edition (today while it runs).
        "architecture": architecture(
            session=session,
            district_id=district_id,
            on=min(edition.ends_on, today) if edition.ends_on else today,
        ),
    }


def _edition_districts(edition: EditionView, processes: Sequence[ProcessView]) -> set[uuid.UUID]:
    ids = {uuid.UUID(d) for d in edition.district_ids}
    ids |= {p.district_id for p in processes if p.district_id is not None}
    return ids


def dashboard(*, session: Session, edition_id: uuid.UUID | None) -> dict[str, Any]:
    """The regional dashboard for one edition (default: the latest), with a comparison of all editions."""
    edition = (
        get_edition(session=session, edition_id=edition_id)
        if edition_id is not None
        else latest_edition(session=session)
    )
    districts = list(
        session.exec(select(DistrictView).order_by(col(DistrictView.name), col(DistrictView.id)))
    )
    shown = display_names(districts)
    editions = sorted(session.exec(select(EditionView)), key=lambda e: (e.starts_on or date.min, e.name))
    current: tuple[list[ProcessView], Scope] | None = None
    comparison = []
    for other in editions:
        processes = list(session.exec(select(ProcessView).where(col(ProcessView.edition_id) == other.id)))
        scope = load_scope(session, processes, edition_id=other.id)
        if edition is not None and other.id == edition.id:
            current = (processes, scope)
        comparison.append(
            {
                "edition_id": other.id,
                "name": other.name,
                "starts_on": other.starts_on,
                "districts_participating": len(_edition_districts(other, processes)),
                **scope.summary(),
            }
        )
    if edition is None:
        return {
            "edition": None,
            "districts_total": len(districts),
            "districts_participating": 0,
            "districts": [_district_public(d, shown[d.id]) | {"participating": False} for d in districts],
            "comparison": comparison,
            "courses": courses.course_figures(session=session),
            "supervisions": learning.supervision_figures(session=session),
            "regional_labs": learning.lab_figures(session=session),
        }
    if current is None:  # pragma: no cover - the edition was read from the same table above
        raise NotFoundError(f"edition {edition.id} is not known to reporting (yet)")
    processes, scope = current
    per_district = scope.by_district({p.id: p.district_id for p in processes})
    participating = _edition_districts(edition, processes)
    received = proposals.received_by_process(session=session, process_ids=[p.id for p in processes])
    received_by_district: Counter[uuid.UUID | None] = Counter()
    for process in processes:
        received_by_district[process.district_id] += received.get(process.id, 0)
    rows = []
    population_total = 0
    for district in districts:
        sub = per_district.get(district.id) or Scope(processes=[], categories=scope.categories)
        people = sub.participation()["people_involved"]
        taking_part = district.id in participating
        if taking_part and district.population:
            population_total += district.population
        rows.append(
            _district_public(district, shown[district.id])
            | {
                "participating": taking_part,
                "processes": len(sub.processes),
                "workshops_held": len(sub.held_workshop_ids()),
                "people_involved": people,
                "per_10000_residents": per_10000(people, district.population),
                "proposals": received_by_district.get(district.id, 0),
                "proposals_per_10000_residents": per_10000(
                    received_by_district.get(district.id, 0), district.population
                ),
                "has_boundary": district.geometry is not None,
            }
        )
    participation = scope.participation()
    return {
        "edition": _edition_public(session, edition),
        "districts_total": len(districts),
        "districts_participating": len(participating),
        "summary": scope.summary(),
        "people_involved": participation["people_involved"],
        "per_10000_residents": per_10000(participation["people_involved"], population_total),
        "proposals": sum(received.values()),
        "proposals_per_10000_residents": per_10000(sum(received.values()), population_total),
        "people_by_category": participation["by_category"],
        "workshops_by_method": scope.workshops_by_method(),
        "workshops_by_month": scope.workshops_by_month(),
        "inventions_by_theme": scope.inventions_by_theme(),
        "priorities_by_status": scope.priorities_by_status(),
        "priorities_by_outcome": scope.priorities_by_outcome(),
        "evaluation": scope.evaluation_results(),
        "districts": rows,
        "comparison": comparison,
        "courses": courses.course_figures(session=session),
        "supervisions": learning.supervision_figures(session=session, edition_id=edition.id),
        "regional_labs": learning.lab_figures(session=session, edition_id=edition.id),
    }


def district_geometries(*, session: Session) -> dict[uuid.UUID, dict[str, Any]]:
    """Boundaries of the districts that have one (for the map)."""
    return {d.id: d.geometry for d in session.exec(select(DistrictView)) if d.geometry}
