"""The figures of a set of processes: its rows loaded once (``Scope``) and counted by one set of definitions.

The definitions (also stated in the HTML pages and services/reporting/README.md):
- a workshop is *held* when its status is ``held`` or its attendance was recorded;
- *people involved* are the distinct identified people present at held workshops plus the anonymous counts;
- *per 10,000 residents* uses the latest population the registry recorded for the district.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from services.reporting import queries
from services.reporting.labels import to_rome
from services.reporting.models import (
    EvaluationResponseView,
    InventionView,
    PriorityView,
    ProcessView,
    WorkshopView,
)
from shared.numbers import MEAN_PLACES, RATE_PLACES, round_half_up

# States of the priority cycle (workshops' PriorityState) at or past a step: a priority linked to a plan
# action was validated and reported too.
REPORTED_STATES = frozenset({"reported", "linked_to_plan_action"})
VALIDATED_STATES = frozenset({"validated", "assigned", "in_progress"}) | REPORTED_STATES


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
        orphans = queries.orphan_priorities(edition_id=edition_id, district_id=district_id)
        scope.priorities = list(session.exec(orphans))
    if not ids:
        return scope
    scope.workshops = list(session.exec(queries.workshops(process_ids=ids)))
    workshop_ids = [w.id for w in scope.workshops]
    if workshop_ids:
        scope.presences = list(session.exec(queries.presences(workshop_ids=workshop_ids)))
        scope.anonymous = list(session.exec(queries.anonymous_counts(workshop_ids=workshop_ids)))
    scope.inventions = list(session.exec(queries.inventions(process_ids=ids)))
    scope.priorities += list(session.exec(queries.priorities(process_ids=ids)))
    scope.evaluations = list(session.exec(queries.evaluations(process_ids=ids)))
    people = sorted({p.person_id for p in scope.presences})
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for row in session.exec(queries.person_categories(person_ids=chunk)):
            scope.categories[row.person_id] = row.actor_category
    return scope


def per_10000(people: int, population: int | None) -> float | None:
    """People per 10,000 residents, one decimal (None without a population)."""
    if not population:
        return None
    return round_half_up(people * 10000 / population, RATE_PLACES)
